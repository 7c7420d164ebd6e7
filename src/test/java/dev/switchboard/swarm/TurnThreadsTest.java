package dev.switchboard.swarm;

import dev.switchboard.testing.SimulatorResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A turn — Redis begin, the agent loop with a handoff, backend calls streamed or not, Redis commit —
 * never leaves the event loop it started on: every callback and the reply come on that one thread.
 */
@QuarkusTest
@QuarkusTestResource(SimulatorResource.class)
class TurnThreadsTest {

    @Inject
    ChatService chat;

    @Inject
    Vertx vertx;

    private Set<String> threadsOf(String clientId, String text, boolean stream) throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CompletableFuture<TurnReply> done = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(v -> {
            threads.add(Thread.currentThread().getName());
            TurnListener listener = new TurnListener() {
                @Override
                public void agentChanged(String from, String to) {
                    threads.add(Thread.currentThread().getName());
                }

                @Override
                public void token(String t) {
                    threads.add(Thread.currentThread().getName());
                }
            };
            chat.ask(clientId, null, text, listener, new Swarm.TurnOptions(stream, null)).subscribe().with(r -> {
                threads.add(Thread.currentThread().getName());
                if (r instanceof TurnOutcome.Answered a) {
                    done.complete(a.reply());
                } else {
                    done.completeExceptionally(new AssertionError("the turn failed: " + r));
                }
            }, done::completeExceptionally);
        });
        TurnReply reply = done.get(10, TimeUnit.SECONDS);
        assertEquals("sales", reply.agent(), "the handoff happened: " + reply.text());
        return threads;
    }

    @Test
    void a_plain_turn_with_a_handoff_runs_on_one_event_loop_thread() throws Exception {
        Set<String> threads = threadsOf("threads-plain-" + System.nanoTime(), "I want to buy, sales please", false);
        assertEquals(1, threads.size(), "one thread only: " + threads);
        assertTrue(threads.iterator().next().contains("eventloop"), "an event loop: " + threads);
    }

    @Test
    void a_streamed_turn_with_a_handoff_runs_on_one_event_loop_thread() throws Exception {
        Set<String> threads = threadsOf("threads-stream-" + System.nanoTime(), "I want to buy, sales please", true);
        assertEquals(1, threads.size(), "one thread only: " + threads);
        assertTrue(threads.iterator().next().contains("eventloop"), "an event loop: " + threads);
    }
}
