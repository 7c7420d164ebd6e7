package dev.switchboard.edge;

import io.quarkus.websockets.next.HandshakeRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Function;

/**
 * Who a client is, by address, for the per-address limits. A proxy header names the client only
 * when the peer is a trusted proxy ({@code sb.edge.trusted-proxies}: addresses or CIDR blocks,
 * default loopback, where the bundled nginx runs); anyone else is counted under its own peer
 * address, so a client that reaches a replica's port cannot choose the address it is limited by.
 * Trusted proxies are expected to set {@code X-Real-IP} (the bundled nginx does); without it the
 * last {@code X-Forwarded-For} entry is the one the proxy itself appended.
 */
public final class ClientAddress {
    private final List<Block> trusted;

    public ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(String::trim).filter(s -> !s.isEmpty()).map(Block::parse).toList();
    }

    /** The address an HTTP request (an upgrade) is counted under. */
    public String of(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        return of(peer == null ? null : peer.hostAddress(), request::getHeader);
    }

    /** The address a WebSocket's handshake is counted under ({@code remoteAddress()} is "host:port"). */
    public String of(HandshakeRequest handshake) {
        String remote = handshake.remoteAddress();
        int colon = remote == null ? -1 : remote.lastIndexOf(':');
        String host = colon < 0 ? remote : remote.substring(0, colon);
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return of(host, handshake::header);
    }

    String of(String peerHost, Function<String, String> header) {
        if (peerHost == null || peerHost.isEmpty()) {
            return "unknown";
        }
        if (!trusts(peerHost)) {
            return peerHost;
        }
        String realIp = header.apply("X-Real-IP");
        if (realIp != null && !realIp.isBlank()) {
            return realIp.trim();
        }
        String forwarded = header.apply("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            return forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
        }
        return peerHost;
    }

    /** True when {@code host} (a literal address) is one of the trusted proxies. */
    boolean trusts(String host) {
        byte[] address = literal(host);
        if (address == null) {
            return false;
        }
        for (Block b : trusted) {
            if (b.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An address literal's bytes, without a DNS lookup; null when {@code host} is not a literal. */
    private static byte[] literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!h.contains(":") && !h.matches("[0-9.]+")) {
            return null; // a name: InetAddress would resolve it
        }
        try {
            byte[] bytes = InetAddress.getByName(h).getAddress();
            // an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address
            if (bytes.length == 16 && isMappedIpv4(bytes)) {
                return java.util.Arrays.copyOfRange(bytes, 12, 16);
            }
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isMappedIpv4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    /** An address block: {@code 10.0.0.0/8}, {@code fd00::/8}, or one address. */
    private record Block(byte[] network, int prefix) {
        static Block parse(String text) {
            int slash = text.indexOf('/');
            byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("sb.edge.trusted-proxies: '" + text + "' is not an address or CIDR block");
            }
            int prefix = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("sb.edge.trusted-proxies: bad prefix length in '" + text + "'");
            }
            return new Block(address, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
