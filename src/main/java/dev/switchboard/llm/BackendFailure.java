package dev.switchboard.llm;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;

import java.io.IOException;
import java.net.http.HttpTimeoutException;

/**
 * What went wrong with one backend call, and whether another backend may be tried. Only failures
 * that happen before any output are retried: connect errors, timeouts, 5xx and 429.
 */
public record BackendFailure(Kind kind, String message) {

    public enum Kind {
        /** Connection refused, reset, or DNS: the backend is not there. */
        CONNECT,
        /** No answer within the backend's timeout. */
        TIMEOUT,
        /** 5xx: the backend is there but failed. */
        SERVER,
        /** 429 or Ollama's 503 "server busy": full, not dead. */
        BUSY,
        /** 4xx other than 429: the request itself is wrong; another backend would refuse it too. */
        REQUEST;

        public boolean retriable() {
            return this != REQUEST;
        }
    }

    /** Sorts an exception thrown by a LangChain4j model call. */
    public static BackendFailure classify(Throwable error) {
        // The status code first, wherever it is in the chain: LangChain4j wraps a 503 in an
        // InternalServerException, and a busy backend must not be taken for a broken one.
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                int status = http.statusCode();
                if (status == 429 || status == 503) {
                    return new BackendFailure(Kind.BUSY, "HTTP " + status);
                }
                return new BackendFailure(status >= 500 ? Kind.SERVER : Kind.REQUEST, "HTTP " + status);
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return new BackendFailure(Kind.TIMEOUT, "timed out");
            }
            if (t instanceof RateLimitException) {
                return new BackendFailure(Kind.BUSY, "rate limited");
            }
            if (t instanceof InternalServerException) {
                return new BackendFailure(Kind.SERVER, "server error");
            }
            if (t instanceof io.vertx.core.http.HttpClosedException || t instanceof io.vertx.core.http.StreamResetException) {
                return new BackendFailure(Kind.CONNECT, "connection closed: " + t.getMessage());
            }
            if (t instanceof IOException io) {
                return new BackendFailure(Kind.CONNECT, io.getClass().getSimpleName()
                        + (io.getMessage() == null ? "" : ": " + io.getMessage()));
            }
        }
        // Unknown shapes (a parse error of a garbled body, say) count as the backend's fault.
        return new BackendFailure(Kind.SERVER, error.getClass().getSimpleName() + ": " + error.getMessage());
    }
}
