/**
 * OpenAI's chat-completions JSON, written and read in one place: the client codec that calls
 * OpenAI-format backends ({@code llm.OpenAiJson}), the gateway that answers as OpenAI
 * ({@code gateway}) and the simulator that plays an OpenAI backend ({@code sim}) describe the
 * same objects, so they share these writers and readers instead of keeping three copies that
 * could drift apart. The types are LangChain4j's ({@code ChatMessage}, {@code AiMessage},
 * {@code ToolExecutionRequest}, {@code TokenUsage}): what the rest of Switchboard speaks.
 */
package dev.switchboard.openai;
