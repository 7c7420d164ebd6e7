package dev.switchboard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Replica-level settings ({@code sb.*} in application.properties, {@code SB_*} in the environment).
 * What a user tunes about agents and backends is in the swarm file instead.
 */
@ConfigMapping(prefix = "sb")
public interface SwitchboardConfig {

    /** Path of the swarm YAML file; the {@code SWITCHBOARD_SWARM_FILE} environment variable wins. */
    @WithDefault("config/swarm.yaml")
    String swarmFile();

    /** The name this replica gives itself in replies and leases; its HTTP port when absent. */
    Optional<String> replicaId();

    /** The session store. */
    Session session();

    /** The WebSocket edge. */
    Edge edge();

    /** The admin endpoints ({@code /admin/*}). */
    Admin admin();

    /** Signed session tokens on {@code /chat}. */
    Auth auth();

    /** Per-replica limits on what clients may send. */
    Limits limits();

    interface Limits {
        /** Messages (any frame) per second one session may send, sustained. */
        @WithDefault("5")
        double sessionRate();

        /** Frames one session may send in a burst above its rate. */
        @WithDefault("20")
        int sessionBurst();

        /** Frames per second from one client IP (X-Real-IP from nginx, else the peer), sustained. */
        @WithDefault("100")
        double ipRate();

        /** Burst above {@code ip-rate}. */
        @WithDefault("400")
        int ipBurst();

        /** Open sockets of one clientId on one replica; more are closed with 1008. */
        @WithDefault("8")
        int socketsPerClient();

        /**
         * Open sockets from one client address on one replica (sockets with a verified token are
         * not counted: a bridge speaks for many chats from one address); more are closed with 1008.
         */
        @WithDefault("100")
        int socketsPerAddress();

        /**
         * WebSocket handshakes per second one client address may make, sustained (a new session is
         * a handshake): a script opening thousands of sessions gets 429 after the burst. Handshakes
         * with a verified token are not counted.
         */
        @WithDefault("5")
        double handshakeRate();

        /** Handshakes one address may make in a burst above {@code handshake-rate}. */
        @WithDefault("50")
        int handshakeBurst();
    }

    interface Auth {
        /**
         * HMAC keys (comma-separated): the first signs new tokens, every one verifies, so a key can
         * be rotated by putting the new one first and dropping the old one after the longest token TTL.
         */
        Optional<java.util.List<String>> keys();

        /** Refuse a {@code /chat} handshake without a valid {@code token}. Needs {@code keys}. */
        @WithDefault("false")
        boolean required();

        /**
         * clientId prefixes that always need a valid token, whatever {@code required} says: the
         * sessions of trusted front ends, whose ids are easy to guess ({@code tg-<chat id>}).
         */
        @WithDefault("tg-")
        java.util.List<String> tokenPrefixes();
    }

    /** The OpenAI-compatible gateway ({@code /v1/*}). */
    Gateway gateway();

    interface Admin {
        /** Bearer key for {@code /admin/*}; without one the admin endpoints answer 403. */
        Optional<String> apiKey();
    }

    interface Gateway {
        /** Is {@code /v1/chat/completions} served at all? */
        @WithDefault("true")
        boolean enabled();

        /**
         * Bearer keys accepted by {@code /v1/*} (comma-separated, two during a rotation). Without
         * any, every request gets 401 unless {@code allow-open}: an open gateway spends backend
         * credit or GPU time for anyone who reaches it.
         */
        Optional<java.util.List<String>> apiKeys();

        /** Serve {@code /v1/*} to anyone when no keys are set ({@code SB_GATEWAY_ALLOW_OPEN=true}). */
        @WithDefault("false")
        boolean allowOpen();

        /** Largest {@code max_tokens} a caller may ask for; a request without one gets this. */
        @WithDefault("4096")
        int maxTokens();

        /** Most messages one request may carry. */
        @WithDefault("256")
        int maxMessages();

        /** Largest request body, in bytes; larger ones get 413. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /**
         * Tokens each key may spend per minute (a fixed window), across every replica; 0: no limit.
         * Over it, {@code /v1/*} answers 429 with {@code Retry-After} until the window ends.
         */
        @WithDefault("0")
        long tokensPerMinute();

        /** Tokens each key may spend per day (UTC days); 0: no limit. */
        @WithDefault("0")
        long tokensPerDay();
    }

    interface Session {
        /**
         * How long a turn's lease lives without renewal. A replica that dies mid-turn blocks its
         * session at most this long; live turns renew it every third of it.
         */
        @WithDefault("15s")
        Duration leaseTtl();

        /**
         * How long a replica counts as alive after its last heartbeat in Redis (renewed every tenth
         * of it). A killed replica's turns are taken over this soon; a Redis frozen for less than
         * nine tenths of it makes no live replica look dead.
         */
        @WithDefault("2500ms")
        Duration livenessTtl();

        /** How long a message waits for the session's running turn before a {@code busy} error. */
        @WithDefault("30s")
        Duration leaseWait();

        /** How many answered message ids a session remembers, so that resends get the stored answer. */
        @WithDefault("64")
        int answeredIds();
    }

    interface Edge {
        /**
         * Peers whose {@code X-Real-IP} (else the last {@code X-Forwarded-For} entry) names the
         * client: addresses or CIDR blocks. Anyone else is limited by its own address, so a client
         * at a replica's port cannot pick the address it is counted under.
         */
        @WithDefault("127.0.0.1,::1")
        java.util.List<String> trustedProxies();

        /**
         * Largest text frame taken as a message, in bytes; a larger one gets a {@code too_large}
         * error frame. Frames past {@code quarkus.websockets-next.server.max-message-size} are
         * refused by the WebSocket layer itself (close 1009).
         */
        @WithDefault("65536")
        int maxFrameBytes();

        /**
         * Longest user message in characters (the web page allows as many); a longer one gets a
         * {@code too_large} error frame and nothing is stored.
         */
        @WithDefault("16000")
        int maxMessageChars();

        /** Most messages a {@code history} command returns. */
        @WithDefault("500")
        int maxHistoryLimit();

        /** How often idle sockets are looked for. */
        @WithDefault("30s")
        Duration idleSweepInterval();

        /**
         * Bytes of frames sent to a socket but not yet taken by it. A client that reads slower than
         * tokens arrive is closed (1008) past this, instead of growing the replica's memory; its
         * turn still completes and is stored.
         */
        @WithDefault("1048576")
        int maxPendingBytes();

        /**
         * On SIGTERM: how long running turns may take to finish before the sockets are closed with
         * 1001 anyway. PM2's kill_timeout and compose's stop_grace_period leave room for it.
         */
        @WithDefault("20s")
        Duration drainTimeout();
    }
}
