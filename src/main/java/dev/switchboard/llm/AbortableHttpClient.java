package dev.switchboard.llm;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.Closeable;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The JDK HTTP client under LangChain4j's models, with two changes for streaming completions.
 *
 * <p>LangChain4j reads a streamed answer in a {@code thenAccept} on {@code sendAsync}'s future,
 * and the JDK hands such dependents to the common ForkJoinPool on purpose; reading blocks, so each
 * stream held one of its platform threads (the pool adds threads to make up for blocked ones).
 * Here the future is completed on a fresh virtual thread instead, so the read runs there.
 *
 * <p>LangChain4j has no handle to abort a stream that never sends a first token (a hung or
 * slow-loris backend): the pool's {@link StreamAbort}, when one is current on the calling thread,
 * learns how to stop this exchange: cancel it before the headers, close its body after, and
 * interrupt the reading thread.
 */
final class AbortableHttpClient extends java.net.http.HttpClient {
    private final java.net.http.HttpClient delegate;

    private AbortableHttpClient(java.net.http.HttpClient delegate) {
        this.delegate = delegate;
    }

    static java.net.http.HttpClient.Builder builder(java.net.http.HttpClient.Builder delegate) {
        return new Builder(delegate);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return delegate.send(request, handler); // blocking calls are bounded and cancelled by interrupting the caller
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return handOver(delegate.sendAsync(request, handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return handOver(delegate.sendAsync(request, handler, push));
    }

    private static <T> CompletableFuture<HttpResponse<T>> handOver(CompletableFuture<HttpResponse<T>> exchange) {
        StreamAbort abort = StreamAbort.current();
        CompletableFuture<HttpResponse<T>> handed = new CompletableFuture<>();
        exchange.whenComplete((response, error) -> Thread.ofVirtual().name("llm-stream").start(() -> {
            if (abort != null) {
                Thread reader = Thread.currentThread();
                abort.onAbort(reader::interrupt);
            }
            // the caller's dependents (LangChain4j's reader) run here, on this virtual thread
            if (error != null) {
                handed.completeExceptionally(error);
            } else {
                handed.complete(response);
            }
        }));
        if (abort != null) {
            abort.onAbort(() -> {
                exchange.cancel(true);
                exchange.thenAccept(response -> closeQuietly(response.body()));
            });
        }
        return handed;
    }

    private static void closeQuietly(Object body) {
        if (body instanceof Closeable c) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // the exchange is being abandoned; nothing is left to tell
            }
        }
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @Override
    public void shutdownNow() {
        delegate.shutdownNow();
    }

    @Override
    public boolean awaitTermination(Duration duration) throws InterruptedException {
        return delegate.awaitTermination(duration);
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Builds the JDK client as configured and wraps it. */
    private record Builder(java.net.http.HttpClient.Builder delegate) implements java.net.http.HttpClient.Builder {
        @Override
        public Builder cookieHandler(CookieHandler cookieHandler) {
            delegate.cookieHandler(cookieHandler);
            return this;
        }

        @Override
        public Builder connectTimeout(Duration duration) {
            delegate.connectTimeout(duration);
            return this;
        }

        @Override
        public Builder sslContext(SSLContext sslContext) {
            delegate.sslContext(sslContext);
            return this;
        }

        @Override
        public Builder sslParameters(SSLParameters sslParameters) {
            delegate.sslParameters(sslParameters);
            return this;
        }

        @Override
        public Builder executor(Executor executor) {
            delegate.executor(executor);
            return this;
        }

        @Override
        public Builder followRedirects(Redirect policy) {
            delegate.followRedirects(policy);
            return this;
        }

        @Override
        public Builder version(Version version) {
            delegate.version(version);
            return this;
        }

        @Override
        public Builder priority(int priority) {
            delegate.priority(priority);
            return this;
        }

        @Override
        public Builder proxy(ProxySelector proxySelector) {
            delegate.proxy(proxySelector);
            return this;
        }

        @Override
        public Builder authenticator(Authenticator authenticator) {
            delegate.authenticator(authenticator);
            return this;
        }

        @Override
        public Builder localAddress(java.net.InetAddress localAddr) {
            delegate.localAddress(localAddr);
            return this;
        }

        @Override
        public java.net.http.HttpClient build() {
            return new AbortableHttpClient(delegate.build());
        }
    }
}
