package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.switchboard.config.BackendSpec;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend of the pool with its own counters. In-flight counts are per replica: five
 * replicas with {@code max-concurrent: 4} may send up to 20 requests to one backend.
 */
public final class Backend {
    private final BackendSpec spec;
    private final ChatModel model;
    private final AtomicInteger inflight = new AtomicInteger();
    private final PassiveHealth health;

    Backend(BackendSpec spec, ChatModel model, PassiveHealth health) {
        this.spec = spec;
        this.model = model;
        this.health = health;
    }

    public BackendSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public int inflight() {
        return inflight.get();
    }

    ChatModel model() {
        return model;
    }

    PassiveHealth health() {
        return health;
    }

    boolean serves(String alias) {
        return spec.serves().contains(alias);
    }

    boolean hasRoom() {
        return inflight.get() < spec.maxConcurrent();
    }

    void acquired() {
        inflight.incrementAndGet();
    }

    void released() {
        inflight.decrementAndGet();
    }
}
