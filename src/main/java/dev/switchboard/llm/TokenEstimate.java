package dev.switchboard.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;

/**
 * Token counts for when a backend reports none, with jtokkit's {@code o200k_base} encoding
 * (OpenAI's current one; for other models' tokenizers a close estimate, which is why such figures
 * are marked estimated). Each message costs its text plus OpenAI's documented 3 tokens of framing.
 * Only a try without a usage report is counted this way, so this is off the common path.
 */
public final class TokenEstimate {
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private static final int PER_MESSAGE = 3;

    private TokenEstimate() {
    }

    public static int of(String text) {
        return text == null || text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }

    /** The prompt of {@code request}: every message's text, tool calls and results. */
    public static int of(ChatRequest request) {
        int n = PER_MESSAGE; // the reply's priming
        for (ChatMessage m : request.messages()) {
            n += PER_MESSAGE + switch (m) {
                case SystemMessage s -> of(s.text());
                case UserMessage u -> u.hasSingleText() ? of(u.singleText()) : 0;
                case AiMessage a -> of(a);
                case ToolExecutionResultMessage t -> of(t.text());
                default -> 0;
            };
        }
        if (request.parameters().toolSpecifications() != null) {
            for (var t : request.parameters().toolSpecifications()) {
                n += of(t.name()) + of(t.description()) + PER_MESSAGE;
            }
        }
        return n;
    }

    /** An answer: its text and the names and arguments of its tool calls. */
    public static int of(AiMessage ai) {
        int n = of(ai.text());
        if (ai.hasToolExecutionRequests()) {
            for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                n += of(r.name()) + of(r.arguments());
            }
        }
        return n;
    }
}
