package dev.switchboard.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a swarm file and validates all of it before anything starts. Every problem is reported at
 * once, each as {@code file:line: field: what is wrong}, because a replica that refuses to start
 * should say everything there is to fix in one go.
 */
public final class SwarmFileLoader {
    private static final Set<String> STRATEGIES =
            Set.of("least-inflight", "round-robin", "weighted", "session-affinity", "latency", "power-of-two");
    private static final Set<String> TOP = Set.of("backends", "pool", "agents", "swarm", "budgets");
    private static final Set<String> BUDGETS = Set.of("session", "groups");
    private static final Set<String> ALLOWANCE = Set.of("tokens", "per");
    private static final Set<String> GROUP = Set.of("prefix", "tokens", "per");
    private static final Set<String> BACKEND = Set.of("name", "provider", "base-url", "model", "serves",
            "max-concurrent", "weight", "backup", "api-key", "timeout", "simulate");
    private static final Set<String> SIMULATE = Set.of("ttft", "token-delay", "capacity", "max-queue");
    private static final Set<String> POOL = Set.of("strategy", "retries", "max-fails", "fail-timeout",
            "probe-interval", "queue-timeout", "fallbacks", "max-queue", "deep-probe", "bounded-load",
            "resume-mid-stream", "max-resumes", "stall-timeout", "hedge-after");
    private static final Set<String> AGENT = Set.of("name", "description", "model", "system", "handoffs",
            "keep-messages", "tools", "max-tool-calls", "max-tokens", "max-turn-tokens");
    private static final Set<String> SWARM = Set.of("default-agent", "max-handoffs-per-turn", "idle-timeout",
            "history-ttl", "max-history", "max-history-bytes", "rescue", "rescue-attempts", "flush-message");

    private final Function<String, String> env;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    /** A loader that resolves {@code ${VAR}} references from the process environment. */
    public SwarmFileLoader() {
        this(System::getenv);
    }

    public SwarmFileLoader(Function<String, String> env) {
        this.env = env;
    }

    public SwarmSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SwarmFileException(file + ": cannot read the swarm file: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses {@code text}; {@code source} names it in error messages. */
    public SwarmSpec parse(String source, String text) {
        YamlLines.Read read;
        try {
            read = YamlLines.read(yaml, text);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new SwarmFileException(source + ":" + line + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new SwarmFileException(source + ": cannot read the swarm file: " + e.getMessage(), e);
        }
        JsonNode root = read.root();
        Reader r = new Reader(source, read.lines());
        if (root == null || !root.isObject()) {
            throw new SwarmFileException(source + ":1: the swarm file must be a mapping with backends, agents and swarm");
        }
        SwarmSpec spec = r.swarm(root);
        if (!r.errors.isEmpty()) {
            throw new SwarmFileException("invalid swarm file " + source + " (" + r.errors.size() + " problem"
                    + (r.errors.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", r.errors));
        }
        return spec;
    }

    /** One pass over one document, a method per section; collects errors instead of stopping at the first. */
    private final class Reader extends SwarmValues {
        Reader(String source, YamlLines lines) {
            super(source, lines, env);
        }

        SwarmSpec swarm(JsonNode root) {
            onlyKnown(root, "", TOP);
            List<BackendSpec> backends = new ArrayList<>();
            JsonNode bs = root.path("backends");
            if (!bs.isArray() || bs.isEmpty()) {
                error("backends", "at least one backend is required");
            } else {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < bs.size(); i++) {
                    BackendSpec b = backend(bs.get(i), "backends[" + i + "]");
                    if (b != null && !seen.add(b.name())) {
                        error("backends[" + i + "].name", "duplicate backend name '" + b.name() + "'");
                    }
                    if (b != null) {
                        backends.add(b);
                    }
                }
            }
            Set<String> aliases = new HashSet<>();
            backends.forEach(b -> aliases.addAll(b.serves()));

            PoolSpec pool = pool(root.path("pool"), aliases);

            List<AgentSpec> agents = new ArrayList<>();
            JsonNode as = root.path("agents");
            if (!as.isArray() || as.isEmpty()) {
                error("agents", "at least one agent is required");
            } else {
                for (int i = 0; i < as.size(); i++) {
                    AgentSpec a = agent(as.get(i), "agents[" + i + "]", aliases);
                    if (a != null) {
                        agents.add(a);
                    }
                }
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < agents.size(); i++) {
                if (!names.add(agents.get(i).name())) {
                    error("agents[" + i + "].name", "duplicate agent name '" + agents.get(i).name() + "'");
                }
            }
            for (int i = 0; i < agents.size(); i++) {
                AgentSpec a = agents.get(i);
                for (int h = 0; h < a.handoffs().size(); h++) {
                    String target = a.handoffs().get(h);
                    if (!names.contains(target)) {
                        error("agents[" + i + "].handoffs[" + h + "]", "unknown agent '" + target
                                + "' (agents: " + String.join(", ", names) + ")");
                    } else if (target.equals(a.name())) {
                        error("agents[" + i + "].handoffs[" + h + "]", "an agent cannot hand off to itself");
                    }
                }
            }
            SwarmSettings settings = settings(root.path("swarm"), names, agents);
            BudgetSpec budgets = budgets(root.path("budgets"));
            return new SwarmSpec(source, List.copyOf(backends), pool, List.copyOf(agents), settings, budgets, lines::lineOf);
        }

        BudgetSpec budgets(JsonNode n) {
            if (n.isMissingNode() || n.isNull()) {
                return BudgetSpec.NONE;
            }
            if (!n.isObject()) {
                error("budgets", "must be a mapping with session and/or groups");
                return BudgetSpec.NONE;
            }
            onlyKnown(n, "budgets", BUDGETS);
            Optional<BudgetSpec.Allowance> session = Optional.empty();
            if (n.has("session")) {
                JsonNode s = n.get("session");
                if (!s.isObject()) {
                    error("budgets.session", "must be a mapping { tokens: N, per: DURATION }");
                } else {
                    onlyKnown(s, "budgets.session", ALLOWANCE);
                    session = Optional.ofNullable(allowance(s, "budgets.session"));
                }
            }
            List<BudgetSpec.Group> groups = new ArrayList<>();
            JsonNode gs = n.path("groups");
            if (!gs.isMissingNode() && !gs.isArray()) {
                error("budgets.groups", "must be a list of { prefix, tokens, per }");
            }
            Set<String> prefixes = new HashSet<>();
            for (int i = 0; gs.isArray() && i < gs.size(); i++) {
                String at = "budgets.groups[" + i + "]";
                JsonNode g = gs.get(i);
                if (!g.isObject()) {
                    error(at, "must be a mapping { prefix, tokens, per }");
                    continue;
                }
                onlyKnown(g, at, GROUP);
                String prefix = requiredText(g, at + ".prefix", "prefix");
                if (prefix != null && !prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
                    error(at + ".prefix", "'" + prefix + "' is not a clientId prefix (letters, digits, _ . : -; up to 64)");
                    prefix = null;
                } else if (prefix != null && !prefixes.add(prefix)) {
                    error(at + ".prefix", "duplicate group prefix '" + prefix + "'");
                }
                BudgetSpec.Allowance a = allowance(g, at);
                if (prefix != null && a != null) {
                    groups.add(new BudgetSpec.Group(prefix, a));
                }
            }
            return new BudgetSpec(session, List.copyOf(groups));
        }

        BudgetSpec.Allowance allowance(JsonNode n, String at) {
            if (!n.has("tokens") || !n.has("per")) {
                error(at, "needs tokens and per");
                return null;
            }
            int tokens = integer(n, "tokens", at, 1, 1, Integer.MAX_VALUE);
            Duration per = duration(n, "per", at, Duration.ofHours(1));
            if (per.toMillis() < 1000 || per.toDays() > 366) {
                error(at + ".per", "must be from 1s to 366d");
                return null;
            }
            return new BudgetSpec.Allowance(tokens, per);
        }

        BackendSpec backend(JsonNode n, String at) {
            if (!n.isObject()) {
                error(at, "a backend must be a mapping");
                return null;
            }
            onlyKnown(n, at, BACKEND);
            String name = name(n, at + ".name");
            Provider provider = null;
            String p = requiredText(n, at + ".provider", "provider");
            if (p != null) {
                try {
                    provider = Provider.parse(p);
                } catch (IllegalArgumentException e) {
                    error(at + ".provider", "unknown provider '" + p + "' (ollama, openai, exo)");
                }
            }
            URI url = url(n, at + ".base-url", provider);
            String model = requiredText(n, at + ".model", "model");
            List<String> serves = strings(n, "serves", at + ".serves");
            if (serves.isEmpty() && model != null) {
                serves = List.of(model);
            }
            int maxConcurrent = integer(n, "max-concurrent", at, BackendSpec.Builder.DEFAULT_MAX_CONCURRENT, 1, 10_000);
            int weight = integer(n, "weight", at, BackendSpec.Builder.DEFAULT_WEIGHT, 1, 1000);
            boolean backup = bool(n, "backup", at, false);
            Optional<String> apiKey = Optional.ofNullable(text(n, "api-key", at + ".api-key"));
            if (provider == Provider.OPENAI && apiKey.isEmpty() && n.path("simulate").isMissingNode()
                    && n.path("base-url").asText("").contains("api.openai.com")) {
                // local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) need no key; OpenAI itself does
                error(at + ".api-key", "api.openai.com needs an api-key (use ${OPENAI_API_KEY})");
            }
            Duration timeout = duration(n, "timeout", at, BackendSpec.Builder.DEFAULT_TIMEOUT);
            Optional<SimSpec> sim = Optional.empty();
            JsonNode s = n.path("simulate");
            if (!s.isMissingNode()) {
                if (s.isObject()) {
                    onlyKnown(s, at + ".simulate", SIMULATE);
                    sim = Optional.of(new SimSpec(duration(s, "ttft", at + ".simulate", Duration.ofMillis(50)),
                            duration(s, "token-delay", at + ".simulate", Duration.ofMillis(5)),
                            integer(s, "capacity", at + ".simulate", 0, 0, 10_000),
                            integer(s, "max-queue", at + ".simulate", 0, 0, 100_000)));
                } else if (bool(n, "simulate", at, false)) {
                    sim = Optional.of(new SimSpec(Duration.ofMillis(50), Duration.ofMillis(5), 0, 0));
                }
            }
            if (name == null || provider == null || url == null || model == null) {
                return null;
            }
            return new BackendSpec(name, provider, url, model, List.copyOf(serves), maxConcurrent, weight, backup,
                    apiKey, timeout, sim);
        }

        URI url(JsonNode n, String at, Provider provider) {
            String text = n.has("base-url") ? text(n, "base-url", at) : null;
            if (text == null && provider == Provider.EXO) {
                text = "http://127.0.0.1:52415";
            }
            if (text == null) {
                error(at, "required");
                return null;
            }
            try {
                URI uri = new URI(text);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    error(at, "'" + text + "' is not an http(s) URL with a host");
                    return null;
                }
                if (uri.getPort() == -1 && provider == Provider.EXO) {
                    uri = new URI(uri.getScheme(), null, uri.getHost(), 52415, uri.getPath(), null, null);
                }
                return uri;
            } catch (Exception e) {
                error(at, "'" + text + "' is not a URL");
                return null;
            }
        }

        PoolSpec pool(JsonNode n, Set<String> aliases) {
            if (!n.isMissingNode()) {
                onlyKnown(n, "pool", POOL);
            }
            String strategy = n.has("strategy") ? text(n, "strategy", "pool.strategy") : "least-inflight";
            if (strategy != null && !STRATEGIES.contains(strategy)) {
                error("pool.strategy", "unknown strategy '" + strategy + "' (" + String.join(", ", STRATEGIES) + ")");
            }
            Map<String, List<String>> fallbacks = new LinkedHashMap<>();
            JsonNode f = n.path("fallbacks");
            if (f.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                    var e = it.next();
                    List<String> to = strings(f, e.getKey(), "pool.fallbacks." + e.getKey());
                    if (!aliases.contains(e.getKey())) {
                        error("pool.fallbacks." + e.getKey(), "no backend serves the alias '" + e.getKey() + "'");
                    }
                    for (String alias : to) {
                        if (!aliases.contains(alias)) {
                            error("pool.fallbacks." + e.getKey(), "no backend serves the fallback alias '" + alias + "'");
                        }
                    }
                    fallbacks.put(e.getKey(), to);
                }
            } else if (!f.isMissingNode()) {
                error("pool.fallbacks", "must be a mapping of alias to a list of aliases");
            }
            PoolSpec d = PoolSpec.defaults();
            HedgeAfter hedge = d.hedgeAfter();
            if (n.has("hedge-after")) {
                try {
                    String h = scalar(n.get("hedge-after"), "pool.hedge-after");
                    hedge = h == null ? hedge : HedgeAfter.parse(h);
                } catch (IllegalArgumentException e) {
                    error("pool.hedge-after", e.getMessage());
                }
            }
            return d.toBuilder()
                    .strategy(strategy == null ? d.strategy() : strategy)
                    .retries(integer(n, "retries", "pool", d.retries(), 0, 10))
                    .maxFails(integer(n, "max-fails", "pool", d.maxFails(), 1, 1000))
                    .failTimeout(duration(n, "fail-timeout", "pool", d.failTimeout()))
                    .probeInterval(duration(n, "probe-interval", "pool", d.probeInterval()))
                    .queueTimeout(duration(n, "queue-timeout", "pool", d.queueTimeout()))
                    .fallbacks(fallbacks)
                    .maxQueue(integer(n, "max-queue", "pool", d.maxQueue(), 1, 1_000_000))
                    .deepProbe(bool(n, "deep-probe", "pool", d.deepProbe()))
                    .boundedLoad(decimal(n, "bounded-load", "pool", d.boundedLoad(), 0.01, 10))
                    .resumeMidStream(bool(n, "resume-mid-stream", "pool", d.resumeMidStream()))
                    .maxResumes(integer(n, "max-resumes", "pool", d.maxResumes(), 0, 5))
                    .stallTimeout(duration(n, "stall-timeout", "pool", d.stallTimeout()))
                    .hedgeAfter(hedge)
                    .build();
        }

        AgentSpec agent(JsonNode n, String at, Set<String> aliases) {
            if (!n.isObject()) {
                error(at, "an agent must be a mapping");
                return null;
            }
            onlyKnown(n, at, AGENT);
            String name = name(n, at + ".name");
            String model = requiredText(n, at + ".model", "model");
            if (model != null && !aliases.isEmpty() && !aliases.contains(model)) {
                error(at + ".model", "no backend serves the model alias '" + model + "' (served: "
                        + String.join(", ", aliases) + ")");
            }
            String system = requiredText(n, at + ".system", "system");
            String description = n.has("description") ? text(n, "description", at + ".description") : null;
            List<String> handoffs = strings(n, "handoffs", at + ".handoffs");
            List<String> tools = strings(n, "tools", at + ".tools");
            int keep = integer(n, "keep-messages", at, 15, 1, 1000);
            if (name == null || model == null || system == null) {
                return null;
            }
            int maxToolCalls = integer(n, "max-tool-calls", at, 8, 0, 100);
            int maxTokens = integer(n, "max-tokens", at, 0, 0, 1_000_000);
            int maxTurnTokens = integer(n, "max-turn-tokens", at, 0, 0, 10_000_000);
            return new AgentSpec(name, description == null ? "The " + name + " agent." : description, model, system,
                    List.copyOf(handoffs), keep, List.copyOf(tools), maxToolCalls, maxTokens, maxTurnTokens);
        }

        SwarmSettings settings(JsonNode n, Set<String> names, List<AgentSpec> agents) {
            if (!n.isMissingNode()) {
                onlyKnown(n, "swarm", SWARM);
            }
            String def = n.has("default-agent") ? text(n, "default-agent", "swarm.default-agent")
                    : agents.isEmpty() ? null : agents.get(0).name();
            if (def != null && !names.isEmpty() && !names.contains(def)) {
                error("swarm.default-agent", "unknown agent '" + def + "'");
            }
            SwarmSettings.Rescue rescue = SwarmSettings.Rescue.RECOMPLETE;
            String r = n.has("rescue") ? text(n, "rescue", "swarm.rescue") : null;
            if (r != null) {
                try {
                    rescue = SwarmSettings.Rescue.parse(r);
                } catch (IllegalArgumentException e) {
                    error("swarm.rescue", "unknown rescue strategy '" + r + "' (recomplete, flush, fail)");
                }
            }
            String flush = n.has("flush-message") ? text(n, "flush-message", "swarm.flush-message") : null;
            return new SwarmSettings(def,
                    integer(n, "max-handoffs-per-turn", "swarm", 3, 0, 50),
                    duration(n, "idle-timeout", "swarm", Duration.ofMinutes(15)),
                    duration(n, "history-ttl", "swarm", Duration.ofHours(24)),
                    integer(n, "max-history", "swarm", 1000, 10, 1_000_000),
                    integer(n, "max-history-bytes", "swarm", 1 << 20, 64 * 1024, 64 << 20),
                    rescue,
                    integer(n, "rescue-attempts", "swarm", 2, 0, 10),
                    flush == null ? "Sorry, I could not produce an answer to that. Could you say it another way?" : flush);
        }
    }
}
