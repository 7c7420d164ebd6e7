package dev.switchboard.telegram;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bot token is in every Bot API URL; it must not reach an exception message, a log line or a stack trace. */
class BotApiRedactionTest {
    private static final String TOKEN = "123456:AAE_secret-token_xyz";
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void a_bot_api_that_never_answers_times_out_without_the_token_in_the_error_or_the_log() throws Exception {
        // a server that takes the request and never answers: Vert.x's timeout names the request URI
        HttpServer silent = vertx.createHttpServer().requestHandler(req -> { })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        StringBuilder logged = new StringBuilder();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.append(r.getMessage()).append(' ').append(java.util.Arrays.toString(r.getParameters())).append('\n');
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            BotApi api = new BotApi(vertx, "http://127.0.0.1:" + silent.actualPort(), TOKEN, 300);
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            api.call("getMe", new JsonObject()).onComplete(ar -> failed.complete(ar.cause()));
            Throwable e = failed.get(10, TimeUnit.SECONDS);
            BotApi.BotIoException io = assertInstanceOf(BotApi.BotIoException.class, e);
            assertTrue(io.getMessage().contains("getMe"), "says which call: " + io.getMessage());
            assertFalse(io.getMessage().contains(TOKEN) || io.getMessage().contains("AAE_secret"), io.getMessage());
            assertNull(io.getCause(), "no cause that still carries the URI");
            assertEquals(0, io.getStackTrace().length);

            // the retrying call logs each failure: the token is in none of those lines
            api.callRetrying("getMe", new JsonObject());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logged.toString().contains("getMe failed"));
            api.close();
            assertFalse(logged.toString().contains("AAE_secret"), logged.toString());
        } finally {
            root.removeHandler(capture);
        }
    }

    @Test
    void redact_cuts_the_token_and_any_bot_path() {
        assertEquals("POST /bot<token>/getUpdates", BotApi.redact("POST /bot" + TOKEN + "/getUpdates", TOKEN));
        assertEquals("GET /bot<token>/x", BotApi.redact("GET /bot999:other/x", TOKEN));
        assertEquals("token <token> seen", BotApi.redact("token " + TOKEN + " seen", TOKEN));
    }
}
