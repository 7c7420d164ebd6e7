package dev.switchboard.llm;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Active health checks, every {@code probe-interval}: a cheap HTTP probe ({@code GET /api/tags} for
 * Ollama, {@code GET /v1/models} for OpenAI and exo) and, with {@code deep-probe: true}, a 1-token
 * completion, because Ollama answers its HTTP endpoints while inference hangs. A failed probe takes
 * a backend down at once; a successful one gives a down backend its trial request early. Probes run
 * on a Vert.x timer and the backends' own transports: no thread of their own, and a hung backend
 * delays no other (each probe is bounded by its own timer).
 */
final class HealthProber implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthProber.class);

    private final BackendPool pool;
    private final Duration interval;
    private final Duration timeout;
    private long timer = -1;

    HealthProber(BackendPool pool) {
        this.pool = pool;
        this.interval = pool.spec().probeInterval();
        // a probe must finish before the next one is due
        this.timeout = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
    }

    void start() {
        timer = pool.vertx().setPeriodic(interval.toMillis(), id -> pool.backends().forEach(this::probe));
    }

    void probe(Backend b) {
        bounded("GET " + (b.spec().provider() == dev.switchboard.config.Provider.OLLAMA ? "/api/tags" : "/v1/models"),
                b.client()::probe)
                .compose(v -> pool.spec().deepProbe() ? bounded("1-token completion", e -> deepProbe(b, e)) : Future.succeededFuture())
                .compose(v -> b.spec().provider() == dev.switchboard.config.Provider.OLLAMA ? warmth(b) : Future.succeededFuture())
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        pool.log(b, b.health().probeSucceeded());
                    } else {
                        String problem = ar.cause().getMessage();
                        LOG.debugf("probe of backend=%s failed: %s", b.name(), problem);
                        pool.log(b, b.health().probeFailed(problem));
                    }
                });
    }

    /**
     * Reads which models an Ollama backend has loaded, so the pool can prefer a warm one. A backend
     * without {@code /api/ps} (older Ollama, a proxy) stays UNKNOWN and is routed as before; this
     * step never fails a probe.
     */
    private Future<Void> warmth(Backend b) {
        Exchange exchange = new Exchange();
        long deadline = pool.vertx().setTimer(timeout.toMillis(), id -> exchange.abort());
        return b.client().modelLoaded(exchange).onComplete(ar -> pool.vertx().cancelTimer(deadline))
                .map(loaded -> {
                    Backend.Warmth w = loaded ? Backend.Warmth.LOADED : Backend.Warmth.COLD;
                    if (b.warmth() != w) {
                        LOG.infof("backend=%s model=%s %s", b.name(), b.spec().model(), loaded ? "is loaded" : "is not loaded");
                    }
                    b.warmth(w);
                    return (Void) null;
                })
                .otherwise(e -> {
                    b.warmth(Backend.Warmth.UNKNOWN);
                    return null;
                });
    }

    /** Runs one probe step with a deadline; fails with what went wrong, named by {@code what}. */
    private Future<Void> bounded(String what, java.util.function.Function<Exchange, Future<Void>> step) {
        Exchange exchange = new Exchange();
        Promise<Void> done = Promise.promise();
        long deadline = pool.vertx().setTimer(timeout.toMillis(), id -> {
            exchange.abort();
            done.tryFail(what + " took longer than " + timeout.toMillis() + " ms");
        });
        step.apply(exchange).onComplete(ar -> {
            pool.vertx().cancelTimer(deadline);
            if (ar.succeeded()) {
                done.tryComplete();
            } else {
                done.tryFail(what + ": " + BackendFailure.classify(ar.cause()).message());
            }
        });
        return done.future();
    }

    private static Future<Void> deepProbe(Backend b, Exchange exchange) {
        ChatRequest one = ChatRequest.builder().messages(UserMessage.from("ping")).maxOutputTokens(1).build();
        Promise<Void> done = Promise.promise();
        b.client().complete(one, false, exchange, new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.tryComplete();
            }

            @Override
            public void onError(Throwable error) {
                done.tryFail(error);
            }
        });
        return done.future();
    }

    @Override
    public void close() {
        if (timer >= 0) {
            pool.vertx().cancelTimer(timer);
        }
    }
}
