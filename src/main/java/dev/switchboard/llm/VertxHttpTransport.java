package dev.switchboard.llm;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEventParsingHandle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * LangChain4j's HTTP SPI on a Vert.x {@link HttpClient}: every Ollama, OpenAI and exo model of a
 * backend sends through one of these, so a completion is written, read and parsed on the event
 * loop that asked for it — no selector thread, no reader thread, no hand-off. One keep-alive
 * connection pool per backend (HTTP/1.1: Ollama and most OpenAI-compatible servers speak nothing
 * else in plain text), a connect timeout, and an idle timeout per request (no byte for
 * {@code read-timeout} ends it). A request is stopped with {@link Exchange#abort()}.
 *
 * <p>Streamed bodies are cut into events by {@link EventFraming} as their buffers arrive; a parser
 * it does not know gets the whole body at its end (correct, not incremental).
 */
final class VertxHttpTransport implements dev.langchain4j.http.client.HttpClient, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VertxHttpTransport.class);
    private static final int MAX_ERROR_BODY = 4096;
    private static final String OLLAMA_PARSER = "dev.langchain4j.model.ollama.OllamaServerSentEventParser";

    private final HttpClient client;
    private final long readTimeoutMillis;

    VertxHttpTransport(Vertx vertx, Duration connectTimeout, Duration readTimeout, int maxConnections) {
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setTryUseCompression(false);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
        this.readTimeoutMillis = readTimeout.toMillis();
    }

    /** Sends {@code request} and collects the whole body; a status outside 2xx fails with {@link HttpException}. */
    Future<SuccessfulHttpResponse> send(HttpRequest request, Exchange exchange) {
        return open(request, exchange).compose(response -> response.body().compose(body -> {
            if (response.statusCode() / 100 != 2) {
                return Future.failedFuture(new HttpException(response.statusCode(), clip(body)));
            }
            return Future.succeededFuture(SuccessfulHttpResponse.builder()
                    .statusCode(response.statusCode())
                    .headers(headers(response.headers()))
                    .body(body.toString())
                    .build());
        }));
    }

    /**
     * Blocking, as the SPI's synchronous method must be: for callers off the event loop only
     * (LangChain4j's non-streaming models in tools or scripts). The turn never comes here.
     */
    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("a blocking HTTP call on the event loop; use the streaming models or send()");
        }
        Exchange exchange = new Exchange();
        try {
            return send(request, exchange).toCompletionStage().toCompletableFuture()
                    .get(readTimeoutMillis * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        Exchange exchange = Exchange.opening();
        ServerSentEventContext context = new ServerSentEventContext(new ParsingHandle(exchange));
        Terminal terminal = new Terminal(listener, exchange);
        open(request, exchange).onComplete(ar -> {
            if (ar.failed()) {
                terminal.error(ar.cause());
                return;
            }
            HttpClientResponse response = ar.result();
            if (response.statusCode() / 100 != 2) {
                response.body().onComplete(body -> terminal.error(new HttpException(response.statusCode(),
                        body.succeeded() ? clip(body.result()) : "HTTP " + response.statusCode())));
                return;
            }
            listener.onOpen(SuccessfulHttpResponse.builder().statusCode(response.statusCode())
                    .headers(headers(response.headers())).build());
            EventFraming.Mode mode = framingOf(parser);
            if (mode != null) {
                EventFraming framing = new EventFraming(mode, e -> deliver(listener, e, context, exchange));
                response.handler(framing::feed);
                response.exceptionHandler(terminal::error);
                response.endHandler(v -> {
                    framing.end();
                    terminal.close();
                });
            } else {
                response.body().onComplete(body -> {
                    if (body.failed()) {
                        terminal.error(body.cause());
                        return;
                    }
                    parser.parse(new ByteArrayInputStream(body.result().getBytes()), listener);
                    terminal.close();
                });
            }
        });
    }

    /** The framing of the parsers LangChain4j's chat models use; null for any other parser. */
    private static EventFraming.Mode framingOf(ServerSentEventParser parser) {
        if (parser instanceof DefaultServerSentEventParser) {
            return EventFraming.Mode.SSE; // OpenAI, exo
        }
        // package-private in langchain4j-ollama: one JSON object per line
        return OLLAMA_PARSER.equals(parser.getClass().getName()) ? EventFraming.Mode.LINES : null;
    }

    private Future<HttpClientResponse> open(HttpRequest request, Exchange exchange) {
        if (request.formDataFields() != null && !request.formDataFields().isEmpty()
                || request.formDataFiles() != null && !request.formDataFiles().isEmpty()) {
            return Future.failedFuture(new UnsupportedOperationException("multipart requests are not used by chat models"));
        }
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.valueOf(request.method().name()))
                .setAbsoluteURI(request.url())
                .setIdleTimeout(readTimeoutMillis);
        request.headers().forEach((name, values) -> values.forEach(v -> options.addHeader(name, v)));
        if (exchange.traceparent != null) {
            options.putHeader("traceparent", exchange.traceparent); // the backend's spans join the turn's trace
        }
        return client.request(options).compose(req -> {
            if (!exchange.attach(req)) {
                return Future.failedFuture(new java.util.concurrent.CancellationException("aborted before it was sent"));
            }
            String body = request.body();
            return body == null ? req.send() : req.send(Buffer.buffer(body));
        });
    }

    private static void deliver(ServerSentEventListener listener, ServerSentEvent event, ServerSentEventContext context,
                                Exchange exchange) {
        if (exchange.aborted()) {
            return;
        }
        try {
            listener.onEvent(event, context);
        } catch (RuntimeException e) {
            // as LangChain4j's own parsers do: a listener's failure does not stop the stream
            LOG.debugf("a stream listener failed on an event: %s", e.toString());
        }
    }

    private static Map<String, List<String>> headers(MultiMap headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : headers.names()) {
            out.put(name, headers.getAll(name));
        }
        return out;
    }

    private static String clip(Buffer body) {
        String s = body.length() > MAX_ERROR_BODY ? body.getString(0, MAX_ERROR_BODY, "UTF-8") : body.toString();
        return s.isBlank() ? "(empty body)" : s;
    }

    @Override
    public void close() {
        client.close();
    }

    /** The listener hears one end: an error or a close, never both, never twice; then the exchange learns it. */
    private static final class Terminal {
        private final ServerSentEventListener listener;
        private final Exchange exchange;
        private boolean ended;

        Terminal(ServerSentEventListener listener, Exchange exchange) {
            this.listener = listener;
            this.exchange = exchange;
        }

        void error(Throwable t) {
            if (!ended) {
                ended = true;
                try {
                    listener.onError(t);
                } finally {
                    exchange.ended();
                }
            }
        }

        void close() {
            if (!ended) {
                ended = true;
                try {
                    listener.onClose();
                } finally {
                    exchange.ended();
                }
            }
        }
    }

    /** LangChain4j's handle for stopping a stream from inside a listener: aborts the exchange. */
    private record ParsingHandle(Exchange exchange) implements ServerSentEventParsingHandle {
        @Override
        public void cancel() {
            exchange.abort();
        }

        @Override
        public boolean isCancelled() {
            return exchange.aborted();
        }
    }

    /** What LangChain4j's model builders take; the pool builds one per backend. */
    static final class Builder implements HttpClientBuilder {
        private final VertxHttpTransport transport;

        Builder(VertxHttpTransport transport) {
            this.transport = transport;
        }

        @Override
        public Duration connectTimeout() {
            return null;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            return this; // fixed when the transport was made
        }

        @Override
        public Duration readTimeout() {
            return Duration.ofMillis(transport.readTimeoutMillis);
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            return this;
        }

        @Override
        public dev.langchain4j.http.client.HttpClient build() {
            return transport;
        }
    }
}
