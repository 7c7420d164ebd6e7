package dev.switchboard.edge;

import dev.switchboard.testing.Handshake;
import dev.switchboard.testing.SimulatorResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client at a replica's port that is not a trusted proxy cannot pick the address it is limited
 * under: every handshake counts against its own peer address, whatever X-Real-IP it sends.
 */
@QuarkusTest
@TestProfile(ClientAddressLimitTest.NoTrustedLoopback.class)
@QuarkusTestResource(SimulatorResource.class)
class ClientAddressLimitTest {

    public static class NoTrustedLoopback implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sb.edge.trusted-proxies", "192.0.2.1", // a proxy that is not this test
                    "sb.limits.handshake-rate", "0.01", "sb.limits.handshake-burst", "5");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void spoofed_x_real_ip_and_forwarded_for_do_not_buy_new_handshakes() {
        int opened = 0;
        int limited = 0;
        for (int i = 0; i < 20; i++) {
            Handshake.Answer a = Handshake.upgrade(root.getHost(), root.getPort(), "/chat?clientId=spoof-" + i,
                    "X-Real-IP: 203.0.113." + (i + 1), "X-Forwarded-For: 198.51.100." + (i + 1));
            if (a.opened()) {
                opened++;
            } else if (a.status() == 429) {
                limited++;
            }
        }
        assertEquals(5, opened, "the burst of the one real address, not one per spoofed address");
        assertEquals(15, limited);
    }
}
