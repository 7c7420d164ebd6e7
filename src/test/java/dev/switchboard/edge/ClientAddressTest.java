package dev.switchboard.edge;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAddressTest {
    private final ClientAddress loopback = new ClientAddress(List.of("127.0.0.1", "::1"));

    @Test
    void a_trusted_proxy_names_the_client_with_x_real_ip() {
        assertEquals("203.0.113.7", loopback.of("127.0.0.1", Map.of("X-Real-IP", "203.0.113.7")::get));
        assertEquals("203.0.113.7", loopback.of("0:0:0:0:0:0:0:1", Map.of("X-Real-IP", "203.0.113.7")::get));
    }

    @Test
    void a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address() {
        assertEquals("198.51.100.9", loopback.of("198.51.100.9", Map.of("X-Real-IP", "10.9.9.9", "X-Forwarded-For", "1.2.3.4")::get));
    }

    @Test
    void without_x_real_ip_the_last_forwarded_for_entry_counts_the_one_the_proxy_appended() {
        assertEquals("203.0.113.8", loopback.of("127.0.0.1", Map.of("X-Forwarded-For", "6.6.6.6, 203.0.113.8")::get));
        assertEquals("127.0.0.1", loopback.of("127.0.0.1", Map.<String, String>of()::get));
    }

    @Test
    void cidr_blocks_match_by_prefix_and_mapped_ipv4_is_ipv4() {
        ClientAddress compose = new ClientAddress(List.of("172.16.0.0/12", "fd00::/8"));
        assertTrue(compose.trusts("172.18.0.5"));
        assertTrue(compose.trusts("172.31.255.255"));
        assertFalse(compose.trusts("172.32.0.1"));
        assertTrue(compose.trusts("fd12::1"));
        assertFalse(compose.trusts("fe80::1"));
        assertTrue(compose.trusts("::ffff:172.20.0.2"));
        assertFalse(compose.trusts("proxy.example.org"), "names are never resolved");
    }

    @Test
    void a_bad_entry_stops_the_replica_with_the_setting_named() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("10.0.0.0/40")));
        assertTrue(e.getMessage().contains("sb.edge.trusted-proxies"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("nginx")));
    }
}
