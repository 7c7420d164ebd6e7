package dev.switchboard.edge;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SessionTokensTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final SessionTokens tokens = new SessionTokens(List.of("new-key", "old-key"));

    @Test
    void a_token_opens_its_own_session_until_it_expires() {
        String t = tokens.mint("alice", NOW.plusSeconds(60));
        assertNull(tokens.problem("alice", t, NOW));
        assertEquals("the token has expired", tokens.problem("alice", t, NOW.plusSeconds(60)));
    }

    @Test
    void a_token_does_not_open_another_session_and_cannot_be_stretched() {
        String t = tokens.mint("alice", NOW.plusSeconds(60));
        assertEquals("the token does not match this clientId", tokens.problem("bob", t, NOW));
        String stretched = (NOW.getEpochSecond() + 86_400) + t.substring(t.indexOf('.'));
        assertEquals("the token does not match this clientId", tokens.problem("alice", stretched, NOW));
    }

    @Test
    void tokens_of_the_old_key_still_verify_during_a_rotation() {
        String old = new SessionTokens(List.of("old-key")).mint("alice", NOW.plusSeconds(60));
        assertNull(tokens.problem("alice", old, NOW));
        assertEquals("the token does not match this clientId",
                new SessionTokens(List.of("new-key")).problem("alice", old, NOW), "after the old key is dropped");
    }

    @Test
    void missing_and_malformed_tokens_are_refused_with_a_reason() {
        assertEquals("a token is required: /chat?clientId=ID&token=TOKEN", tokens.problem("alice", null, NOW));
        assertEquals("the token is malformed", tokens.problem("alice", "no-dot-here", NOW));
        assertEquals("the token is malformed", tokens.problem("alice", "12.%%%", NOW));
    }
}
