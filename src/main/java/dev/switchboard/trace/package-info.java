/**
 * Traces: a span per turn and, under it, the session store's scripts, each completion through the
 * pool (OpenTelemetry GenAI conventions, its tries as events), tool calls and handoffs. The spans
 * are made by hand and their parent is passed along explicitly ({@link dev.switchboard.trace.TurnTrace}),
 * because a turn hops between callbacks on its event loop where no thread-local context would
 * follow it. With the SDK off (no OTLP endpoint, {@link dev.switchboard.trace.OtelEnvironment})
 * every span is OpenTelemetry's no-op one.
 */
package dev.switchboard.trace;
