package dev.switchboard.edge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClientIdsTest {
    @Test
    void the_client_id_is_read_from_the_query() {
        assertEquals("alice", ClientIds.fromQuery("clientId=alice"));
        assertEquals("tg:42@bot", ClientIds.fromQuery("token=x&clientId=tg%3A42%40bot"));
        assertNull(ClientIds.fromQuery("other=1"));
        assertNull(ClientIds.fromQuery(null));
    }

    @Test
    void only_safe_ids_pass() {
        assertNull(ClientIds.problem("user-1.web_2:x@y"));
        assertNull(ClientIds.problem("a".repeat(128)));
        assertNotNull(ClientIds.problem("a".repeat(129)));
        assertNotNull(ClientIds.problem(""));
        assertNotNull(ClientIds.problem(null));
        assertNotNull(ClientIds.problem("{tag}"), "braces would break the Redis hash tag");
        assertNotNull(ClientIds.problem("a b"));
        assertNotNull(ClientIds.problem(ClientIds.fromQuery("clientId=%ZZ")));
    }
}
