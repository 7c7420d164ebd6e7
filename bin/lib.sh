# Shared by bin/up, bin/down, bin/test and bin/bench. Sourced, not run.
# shellcheck shell=bash

SB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SB_VAR=${SB_VAR:-$SB_ROOT/var}
SB_PORT=${SB_PORT:-8080}
SB_REPLICAS=${SB_REPLICAS:-5}
SB_REPLICA_BASE=${SB_REPLICA_BASE:-8081}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
# standalone (REDIS_URL is one node), cluster or sentinel (REDIS_URL lists the nodes, or the sentinels)
SB_REDIS_MODE=${SB_REDIS_MODE:-standalone}
SB_REDIS_MASTER=${SB_REDIS_MASTER:-mymaster}
SWITCHBOARD_SWARM_FILE=${SWITCHBOARD_SWARM_FILE:-$SB_ROOT/config/swarm.yaml}
# SB_JAVA_OPTS, when unset, is chosen by use_java (it depends on the JDK): see default_java_opts.
APP_JAR=$SB_ROOT/target/quarkus-app/quarkus-run.jar
APP_CP="$SB_ROOT/target/quarkus-app/app/*:$SB_ROOT/target/quarkus-app/lib/main/*"

log() { printf '[switchboard] %s\n' "$*" >&2; }
die() { printf '[switchboard] error: %s\n' "$*" >&2; exit 1; }

# JAVA_HOME when it is a JDK >= 21; else the newest JDK >= 21 under /usr/lib/jvm, /opt/java or on PATH.
find_java_home() {
  local best="" best_major=0 home major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release" 2>/dev/null)
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$JAVA_HOME"; return; fi
  fi
  for home in /usr/lib/jvm/* /opt/java/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null)
    [ -n "$major" ] || major=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$home best_major=$major
    fi
  done
  [ -n "$best" ] || die "no JDK 21 or newer found (looked at JAVA_HOME, /usr/lib/jvm, PATH); install one, e.g. apt-get install openjdk-21-jdk-headless or Temurin 25"
  echo "$best"
}

use_java() {
  JAVA_HOME=$(find_java_home)
  export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
  JAVA_MAJOR=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release" 2>/dev/null)
  SB_JAVA_OPTS=${SB_JAVA_OPTS:-$(default_java_opts)}
  SB_JIT_POLICY=$(jit_policy)
  SB_JIT_OPTS=$(jit_opts)
}

# The JIT policy (bin/bench jit compares them; docs/BENCHMARKS.md). SB_JIT=quick|full|auto (auto):
#  - quick: C1 only, with wider inlining than C1's default. When more replicas share a machine than it
#    has cores, five JVMs compiling the same code with C2 at once spent 60 % of the replicas' CPU on
#    the JIT in the first 10,000 turns and kept at it for 100,000; C1 alone is done within 10,000
#    turns and its wider inlining brings the warm rate near tiered's.
#  - full: tiered C1 + C2 with C2 inlining less than its default (cheaper compiles, and the warm rate
#    measured no lower): for a replica with a core of its own (a container with a CPU limit).
# auto picks quick when SB_REPLICAS (on this machine) outnumber its cores.
jit_policy() {
  local policy=${SB_JIT:-auto}
  if [ "$policy" = auto ]; then
    policy=full
    [ "$SB_REPLICAS" -gt "$(nproc)" ] && policy=quick
  fi
  echo "$policy"
}
jit_opts() {
  local policy
  policy=$(jit_policy)
  case $policy in
    quick) echo "$JIT_QUICK" ;;
    full) echo "$JIT_FULL" ;;
    custom) echo "${SB_JIT_FLAGS:-}" ;; # bin/bench jit: the flags of the policy under test
    *) die "SB_JIT is '$policy': quick, full or auto" ;;
  esac
}
JIT_QUICK="-XX:TieredStopAtLevel=1 -XX:C1MaxInlineSize=70 -XX:C1InlineStackLimit=10 -XX:C1MaxInlineLevel=12"
JIT_FULL="-XX:FreqInlineSize=100 -XX:InlineSmallCode=1000"

# The replicas' JVM flags, measured with five replicas on two cores (docs/BENCHMARKS.md):
#  - SerialGC: a parallel collector per replica would fight the others for the two cores;
#  - one Vert.x event loop: a turn runs on one loop from frame in to frame out, a second loop only
#    adds hand-offs; ActiveProcessorCount=1 sizes the JIT and helper threads to match;
#  - Mutiny's callback decorators off: they carry CDI/context propagation into every step of a
#    turn's Uni chain, which uses none of it (a tenth of the event loop's time, by profile);
#  - compact object headers (JDK 25+): 8 bytes less per object, so less heap per idle socket.
default_java_opts() {
  local opts="-XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError -XX:ActiveProcessorCount=1"
  opts="$opts -Dquarkus.vertx.event-loops-pool-size=1 -Dmutiny.disableCallBackDecorators=true"
  [ "${JAVA_MAJOR:-0}" -ge 25 ] && opts="$opts -XX:+UseCompactObjectHeaders"
  echo "$opts"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi
}

# Installs Debian packages whose command (or, given as an absolute path, file) is missing:
# ensure_pkg COMMAND-OR-PATH PACKAGE ...
ensure_pkg() {
  local missing=() cmd pkg
  while [ $# -ge 2 ]; do
    cmd=$1 pkg=$2; shift 2
    case $cmd in
      /*) [ -e "$cmd" ] || missing+=("$pkg") ;;
      *) command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]} (Debian packages)"
  if [ ! -f /tmp/.switchboard-apt-updated ]; then
    as_root apt-get update -qq >/dev/null && touch /tmp/.switchboard-apt-updated
  fi
  # Debian starts services on install where it can; we run our own instances under var/.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_system() {
  ensure_pkg redis-server redis-server nginx nginx curl curl
  export PATH="$PATH:/usr/sbin"
}

ensure_node_modules() {
  command -v npm >/dev/null || ensure_pkg npm npm
  if [ ! -d "$SB_ROOT/node_modules/ws" ] || [ "$SB_ROOT/package-lock.json" -nt "$SB_ROOT/node_modules/.package-lock.json" ]; then
    log "installing npm packages (ws, pm2, openai, ollama, playwright-core) into node_modules/"
    (cd "$SB_ROOT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed"
  fi
}

# Builds the replica jar when it is missing or older than the sources.
ensure_build() {
  if [ ! -f "$APP_JAR" ] || [ -n "$(find "$SB_ROOT/src/main" "$SB_ROOT/pom.xml" -newer "$APP_JAR" -type f -print -quit 2>/dev/null)" ]; then
    log "building (mvn package -DskipTests) with $JAVA_HOME"
    (cd "$SB_ROOT" && mvn -B -q package -DskipTests) || die "build failed"
  fi
}

url_host() { local hp=${1#*://}; hp=${hp#*@}; hp=${hp%%/*}; echo "${hp%%:*}"; }
url_port() { local hp=${1#*://}; hp=${hp#*@}; hp=${hp%%/*}; case $hp in *:*) echo "${hp##*:}" ;; *) echo "${2:-6379}" ;; esac; }

# True when a Redis answers PING at host:port (no redis-cli needed), after AUTH with a password
# when one is given. A Redis that wants a password and got none answers too (-NOAUTH): it is there.
redis_ping() { # host port [password]
  local reply
  { exec 9<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
  if [ -n "${3:-}" ]; then
    printf 'AUTH %s\r\n' "$3" >&9
    IFS= read -r -t 2 reply <&9
    [[ $reply == +OK* ]] || { exec 9>&-; return 1; }
  fi
  printf 'PING\r\n' >&9
  IFS= read -r -t 2 reply <&9
  exec 9>&-
  [[ $reply == +PONG* || $reply == -NOAUTH* ]]
}

url_password() { local u=${1#*://}; case $u in *@*) u=${u%%@*}; echo "${u#*:}" ;; *) echo "" ;; esac; }

# bin/up's own Redis (var/redis.conf) wants a password, made once and kept in var/redis.pass (only
# the owner reads it); it is in REDIS_URL for the replicas and bin/telegram, never on a command line.
# Prints the stack's Redis URL: REDIS_URL, with that password while bin/up's Redis runs.
stack_redis_url() {
  if [ -z "$(url_password "$REDIS_URL")" ] && alive "$SB_VAR/run/redis.pid" && [ -s "$SB_VAR/redis.pass" ]; then
    echo "redis://:$(cat "$SB_VAR/redis.pass")@${REDIS_URL#redis://}"
  else
    echo "$REDIS_URL"
  fi
}

# redis-cli against the stack's standalone Redis, its password passed through the environment.
stack_redis_cli() {
  local url pass
  url=$(stack_redis_url)
  pass=$(url_password "$url")
  if [ -n "$pass" ]; then
    REDISCLI_AUTH=$pass redis-cli -h "$(url_host "$url")" -p "$(url_port "$url")" "$@"
  else
    redis-cli -h "$(url_host "$url")" -p "$(url_port "$url")" "$@"
  fi
}

# A secret made once under $SB_VAR (64 hex characters), readable by its owner only.
stack_secret() { # file
  if [ ! -s "$1" ]; then
    mkdir -p "$(dirname "$1")"
    (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$1")
  fi
  cat "$1"
}

# Starts bin/up's own Redis on loopback with a password, bounded memory (noeviction: a full Redis
# refuses writes, so a turn fails with store_unavailable instead of a live session's lease being
# evicted), AOF in $SB_VAR/redis. The config file holds the password, so no command line shows it.
start_own_redis() { # port
  local pass conf=$SB_VAR/redis/redis.conf
  mkdir -p "$SB_VAR/redis"
  pass=$(stack_secret "$SB_VAR/redis.pass")
  (umask 077 && cat > "$conf" <<CONF
port $1
bind 127.0.0.1
requirepass $pass
# DEBUG only from loopback: CrashRecoveryIT freezes Redis with DEBUG SLEEP
enable-debug-command local
dir $SB_VAR/redis
appendonly yes
save ""
daemonize no
maxmemory ${SB_REDIS_MAXMEMORY:-1gb}
maxmemory-policy noeviction
CONF
  )
  spawn redis "$SB_VAR/log/redis.log" redis-server "$conf"
  for _ in $(seq 50); do redis_ping 127.0.0.1 "$1" "$pass" && break; sleep 0.1; done
  redis_ping 127.0.0.1 "$1" "$pass" || die "redis-server did not start; see $SB_VAR/log/redis.log"
}

# Waits for a replica started by start_replica to be ready; a replica that exits (a bad swarm file,
# a taken port) is reported at once with the first error line of its log, not after the timeout.
wait_replica() { # port seconds
  local port=$1 deadline=$((SECONDS + $2)) logf=$SB_VAR/log/replica-$1.log why
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/q/health/ready" 2>/dev/null; do
    if ! alive "$SB_VAR/run/replica-$port.pid"; then
      why=$(grep -m1 -E 'ERROR|Exception|invalid swarm file' "$logf" 2>/dev/null | cut -c1-400)
      log "replica $port exited: ${why:-no error line in its log}"
      grep -A8 -m1 'invalid swarm file' "$logf" 2>/dev/null | sed -n '2,9p' | grep -E '^\s+\S+:[0-9]+:' >&2 || true
      return 1
    fi
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

wait_http() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# Starts a command in its own session, output to a log, pid to var/run/NAME.pid.
spawn() { # name logfile cmd...
  local name=$1 logfile=$2; shift 2
  mkdir -p "$SB_VAR/run" "$SB_VAR/log"
  # Appended, so a restarted process keeps the log of the one before it.
  echo "----- $(date -u '+%Y-%m-%d %H:%M:%S') starting $name" >> "$logfile"
  setsid "$@" >>"$logfile" 2>&1 < /dev/null &
  echo $! > "$SB_VAR/run/$name.pid"
}

# Prometheus (Debian's package) scraping this stack's replicas with deploy/prometheus/: the
# targets are rendered from SB_REPLICA_BASE and SB_REPLICAS, the rules copied beside them.
SB_PROMETHEUS_PORT=${SB_PROMETHEUS_PORT:-9090}
start_prometheus() {
  ensure_pkg prometheus prometheus
  local dir=$SB_VAR/prometheus targets="" i
  mkdir -p "$dir/data"
  for ((i = 0; i < SB_REPLICAS; i++)); do
    targets="$targets${targets:+, }'127.0.0.1:$((SB_REPLICA_BASE + i))'"
  done
  sed "s|targets: \[.*\]|targets: [$targets]|" "$SB_ROOT/deploy/prometheus/prometheus.yml" > "$dir/prometheus.yml"
  cp "$SB_ROOT/deploy/prometheus/alerts.yml" "$dir/alerts.yml"
  spawn prometheus "$SB_VAR/log/prometheus.log" "$(command -v prometheus || echo /usr/bin/prometheus)" \
    --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" --storage.tsdb.retention.time=2d \
    --web.listen-address="127.0.0.1:$SB_PROMETHEUS_PORT"
  wait_http "http://127.0.0.1:$SB_PROMETHEUS_PORT/-/ready" 30 || die "prometheus did not start; see $SB_VAR/log/prometheus.log"
}

# One replica on a port, its pid in var/run/replica-PORT.pid (bin/bench restarts killed ones with it).
# Replicas listen on SB_REPLICA_HOST (127.0.0.1): only nginx, on this machine, reaches them. A
# replica restarted later (bin/bench, the tests) gets the stack's Redis password and keys the same way.
start_replica() { # port [aot-options]
  local redis_url auth gateway
  redis_url=$(stack_redis_url) auth=$(auth_keys) gateway=$(gateway_keys)
  # shellcheck disable=SC2086
  REDIS_URL=$redis_url SB_AUTH_KEYS=$auth SB_GATEWAY_API_KEYS=$gateway \
    spawn "replica-$1" "$SB_VAR/log/replica-$1.log" "$JAVA_HOME/bin/java" $SB_JAVA_OPTS $SB_JIT_OPTS ${2:-} \
    -Dquarkus.http.host="${SB_REPLICA_HOST:-127.0.0.1}" -Dquarkus.http.port="$1" -jar "$APP_JAR"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Local Redis topologies for bin/up --redis cluster|sentinel and the tests, under $SB_VAR, each
# process by pid like the rest of the stack. They set REDIS_URL and SB_REDIS_MODE for the replicas.
redis_node() { # name port dir extra-args...
  local name=$1 port=$2 dir=$3; shift 3
  mkdir -p "$dir"
  # diskless sync without Redis's 5 s wait for more replicas: a replica is in sync a moment after it starts
  spawn "$name" "$SB_VAR/log/$name.log" redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
    --appendonly yes --save "" --repl-diskless-sync-delay 0 --daemonize no \
    --maxmemory "${SB_REDIS_MAXMEMORY:-1gb}" --maxmemory-policy noeviction "$@"
}

wait_redis() { # port...
  local p
  for p in "$@"; do
    for _ in $(seq 100); do redis_ping 127.0.0.1 "$p" && break; sleep 0.1; done
    redis_ping 127.0.0.1 "$p" || die "redis on port $p did not start; see $SB_VAR/log/"
  done
}

# Until every replica among the nodes on these ports has finished its first sync: a primary that dies
# before that takes everything written since it started with it.
wait_replication() { # port...
  local p
  for p in "$@"; do
    for _ in $(seq 200); do
      redis-cli -p "$p" info replication | tr -d '\r' | grep -qE '^role:master|^master_link_status:up' && break
      sleep 0.1
    done
  done
}

# Three masters with one replica each on base..base+5. A node is failed over after 2 s without
# answers (cluster-node-timeout). An existing cluster under $SB_VAR is started again as it was.
start_redis_cluster() { # base
  local base=$1 i p nodes=() urls=()
  for ((i = 0; i < 6; i++)); do
    p=$((base + i))
    redis_ping 127.0.0.1 "$p" && die "port $p is taken; set SB_REDIS_BASE"
    redis_node "redis-$p" "$p" "$SB_VAR/redis-cluster/$p" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 2000
    nodes+=("127.0.0.1:$p")
    urls+=("redis://127.0.0.1:$p")
  done
  wait_redis $(seq "$base" $((base + 5)))
  if ! redis-cli -p "$base" cluster info | grep -q 'cluster_known_nodes:6'; then
    log "creating a Redis Cluster: 3 masters, 3 replicas on ports $base-$((base + 5))"
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >> "$SB_VAR/log/redis-cluster-create.log" 2>&1 \
      || die "redis-cli --cluster create failed; see $SB_VAR/log/redis-cluster-create.log"
  fi
  for _ in $(seq 200); do
    redis-cli -p "$base" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
  redis-cli -p "$base" cluster info | grep -q 'cluster_state:ok' || die "the Redis Cluster did not come up"
  wait_replication $(seq "$base" $((base + 5)))
  REDIS_URL=$(IFS=,; echo "${urls[*]}")
  SB_REDIS_MODE=cluster
  export REDIS_URL SB_REDIS_MODE
}

# A primary on base, its replica on base+1, three sentinels on base+2..base+4 (quorum 2, a primary
# is down after 2 s). REDIS_URL lists the sentinels; the replicas ask them for the primary.
start_redis_sentinel() { # base
  local base=$1 i p conf urls=()
  for ((i = 0; i < 5; i++)); do
    redis_ping 127.0.0.1 $((base + i)) && die "port $((base + i)) is taken; set SB_REDIS_BASE"
  done
  local dir=$SB_VAR/redis-sentinel
  if [ -f "$dir/primary.port" ]; then
    # a failover may have swapped the roles: start both nodes, the sentinels know which is which
    redis_node "redis-$base" "$base" "$dir/$base"
    redis_node "redis-$((base + 1))" $((base + 1)) "$dir/$((base + 1))"
  else
    redis_node "redis-$base" "$base" "$dir/$base"
    redis_node "redis-$((base + 1))" $((base + 1)) "$dir/$((base + 1))" --replicaof 127.0.0.1 "$base"
    echo "$base" > "$dir/primary.port"
  fi
  wait_redis "$base" $((base + 1))
  wait_replication "$base" $((base + 1))
  for ((i = 2; i < 5; i++)); do
    p=$((base + i))
    conf=$dir/sentinel-$p.conf
    if [ ! -f "$conf" ]; then
      printf 'port %s\nbind 127.0.0.1\nsentinel monitor %s 127.0.0.1 %s 2\nsentinel down-after-milliseconds %s 2000\nsentinel failover-timeout %s 10000\n' \
        "$p" "$SB_REDIS_MASTER" "$base" "$SB_REDIS_MASTER" "$SB_REDIS_MASTER" > "$conf"
    fi
    spawn "redis-sentinel-$p" "$SB_VAR/log/redis-sentinel-$p.log" redis-server "$conf" --sentinel --daemonize no
    urls+=("redis://127.0.0.1:$p")
  done
  wait_redis $((base + 2)) $((base + 3)) $((base + 4))
  for _ in $(seq 100); do
    redis-cli -p $((base + 2)) sentinel get-master-addr-by-name "$SB_REDIS_MASTER" | grep -q . && break
    sleep 0.1
  done
  REDIS_URL=$(IFS=,; echo "${urls[*]}")
  SB_REDIS_MODE=sentinel
  export REDIS_URL SB_REDIS_MODE SB_REDIS_MASTER
}

# The HMAC key(s) of session tokens (sb.auth.keys): SB_AUTH_KEYS when set, else one made once and
# kept in $SB_VAR/auth.key, so the replicas and bin/telegram of one stack share it.
auth_keys() {
  if [ -n "${SB_AUTH_KEYS:-}" ]; then echo "$SB_AUTH_KEYS"; return; fi
  stack_secret "$SB_VAR/auth.key"
}

# The key(s) of the OpenAI-compatible gateway (/v1): SB_GATEWAY_API_KEYS when set, else one made
# once and kept in $SB_VAR/gateway.key. Without a key the gateway answers 401 to everyone.
gateway_keys() {
  if [ -n "${SB_GATEWAY_API_KEYS:-}" ]; then echo "$SB_GATEWAY_API_KEYS"; return; fi
  stack_secret "$SB_VAR/gateway.key"
}

# JDK 25+ AOT cache (JEP 483/514/515): one training run records the classes loaded and linked and
# the methods profiled while a replica starts and serves 4,000 real turns (against its own 0 ms
# simulators, bench/swarm-train.yaml); replicas then start from the cache, with those profiles.
# Rebuilt when the jar is newer; SB_AOT=0 turns it off. Needs Redis up.
# One cache per JIT policy, trained with the policy's flags (a C1-only replica started 5–10 % faster
# in its first 10,000 turns from a cache trained C1-only: bin/bench jit, docs/BENCHMARKS.md).
# SB_AOT_CACHE and SB_AOT_TRAIN_OPTS (the training run's JIT flags) let bin/bench jit compare trainings.
aot_opts() {
  if [ "${SB_AOT:-1}" = 0 ] || [ "${JAVA_MAJOR:-0}" -lt 25 ]; then
    return 0
  fi
  AOT_CACHE=${SB_AOT_CACHE:-$SB_ROOT/target/switchboard-${SB_JIT_POLICY:-full}.aot}
  if [ ! -f "$AOT_CACHE" ] || [ "$APP_JAR" -nt "$AOT_CACHE" ] || [ "$SB_ROOT/target/quarkus-app/app" -nt "$AOT_CACHE" ]; then
    aot_train >&2 || { log "AOT training failed; starting without the cache"; return 0; }
  fi
  [ -f "$AOT_CACHE" ] && echo "-XX:AOTCache=$AOT_CACHE"
}

aot_train() {
  local port=${SB_AOT_TRAIN_PORT:-18999} pid sim i load
  log "training the JDK AOT cache (once per build): $AOT_CACHE"
  rm -f "$AOT_CACHE"
  mkdir -p "$SB_VAR/log"
  # its own 0 ms backends, so thousands of real turns take seconds whatever the swarm file's models are
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx128m -cp "$APP_CP" dev.switchboard.sim.SimulatorMain \
    --swarm "$SB_ROOT/bench/swarm-train.yaml" > "$SB_VAR/log/aot-training-sim.log" 2>&1 &
  sim=$!
  # shellcheck disable=SC2086
  SWITCHBOARD_SWARM_FILE=$SB_ROOT/bench/swarm-train.yaml SB_LIMITS_SESSION_RATE=1000000 SB_LIMITS_SESSION_BURST=1000000 \
    SB_LIMITS_IP_RATE=1000000 SB_LIMITS_IP_BURST=1000000 SB_LIMITS_HANDSHAKE_RATE=1000000 SB_LIMITS_HANDSHAKE_BURST=1000000 \
    "$JAVA_HOME/bin/java" $SB_JAVA_OPTS ${SB_AOT_TRAIN_OPTS-$SB_JIT_OPTS} -XX:AOTCacheOutput="$AOT_CACHE" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
    -Dsb.replica-id=aot-training -jar "$APP_JAR" > "$SB_VAR/log/aot-training.log" 2>&1 &
  pid=$!
  if ! wait_http "http://127.0.0.1:$port/q/health/ready" 90; then
    kill "$pid" "$sim" 2>/dev/null
    return 1
  fi
  for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null "http://127.0.0.1:$port/q/health/ready" || true
    curl -s -o /dev/null "http://127.0.0.1:$port/q/metrics" || true
  done
  if [ -f "$SB_ROOT/target/bench/Load.class" ]; then
    load=("$JAVA_HOME/bin/java" -cp "$SB_ROOT/target/bench" Load)
  else
    load=("$JAVA_HOME/bin/java" "$SB_ROOT/bench/Load.java")
  fi
  # plain turns, then streamed turns that hand off every time: the paths a replica runs most
  "${load[@]}" --url "ws://127.0.0.1:$port/chat" --clients 8 --messages 400 --warmup 0 \
    --run "aot-$(date +%s)" > /dev/null 2>&1 || true
  "${load[@]}" --url "ws://127.0.0.1:$port/chat" --clients 8 --messages 100 --warmup 0 --stream true \
    --text "I want to buy, sales please" --run "aot-s-$(date +%s)" > /dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  kill "$sim" 2>/dev/null
  wait "$sim" 2>/dev/null || true
  [ -f "$AOT_CACHE" ]
}

# Stops every process whose pid file is in var/run: TERM, then KILL after a grace period.
stop_all() {
  local f pid deadline
  for f in "$SB_VAR"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 30)) # longer than a replica's drain (sb.edge.drain-timeout, 20 s)
  for f in "$SB_VAR"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

# nginx.conf with the listen port replaced, and an upstream.conf for the replicas, under var/nginx.
render_nginx() {
  local dir=$SB_VAR/nginx i
  mkdir -p "$dir"
  # SB_NGINX_HANDSHAKE_RATE (10r/s), SB_NGINX_HANDSHAKE_BURST (100), SB_NGINX_CONNS_PER_ADDRESS (200):
  # the per-address limits, lifted by bin/bench (one address whose sessions type faster than people).
  sed -e "s/listen 8080;/listen $SB_PORT;/" \
    -e "s|zone=sb_handshakes:10m rate=10r/s;|zone=sb_handshakes:10m rate=${SB_NGINX_HANDSHAKE_RATE:-10r/s};|" \
    -e "s|zone=sb_handshakes burst=100 nodelay;|zone=sb_handshakes burst=${SB_NGINX_HANDSHAKE_BURST:-100} nodelay;|" \
    -e "s|limit_conn sb_conns 200;|limit_conn sb_conns ${SB_NGINX_CONNS_PER_ADDRESS:-200};|" \
    "$SB_ROOT/nginx/nginx.conf" > "$dir/nginx.conf"
  grep -q "rate=${SB_NGINX_HANDSHAKE_RATE:-10r/s};" "$dir/nginx.conf" || die "nginx/nginx.conf has no handshake rate to set"
  {
    echo "# rendered by bin/up from nginx/upstream.conf: $SB_REPLICAS replicas from port $SB_REPLICA_BASE"
    echo "upstream switchboard {"
    echo "    least_conn;"
    for ((i = 0; i < SB_REPLICAS; i++)); do
      echo "    server 127.0.0.1:$((SB_REPLICA_BASE + i)) max_fails=3 fail_timeout=5s;"
    done
    echo "    keepalive 32;"
    echo "}"
  } > "$dir/upstream.conf"
}
