#!/bin/sh
# The replica image's entrypoint: takes the keys the compose file's `keys` service made (a volume at
# $SB_KEYS_DIR) where the environment gives none, then starts the replica from the AOT cache trained
# at build time. With arguments it runs them instead (the simulator, the Telegram bridge).
set -eu
keys=${SB_KEYS_DIR:-/run/switchboard-keys}
if [ -r "$keys/redis.pass" ] && [ -n "${REDIS_URL:-}" ]; then
  case "$REDIS_URL" in
    *@*) ;; # the URL carries its own credentials
    redis://*) REDIS_URL="redis://:$(cat "$keys/redis.pass")@${REDIS_URL#redis://}" ;;
  esac
  export REDIS_URL
fi
if [ -z "${SB_AUTH_KEYS:-}" ] && [ -r "$keys/auth.key" ]; then
  SB_AUTH_KEYS=$(cat "$keys/auth.key") && export SB_AUTH_KEYS
fi
if [ -z "${SB_GATEWAY_API_KEYS:-}" ] && [ -r "$keys/gateway.key" ]; then
  SB_GATEWAY_API_KEYS=$(cat "$keys/gateway.key") && export SB_GATEWAY_API_KEYS
fi
if [ $# -gt 0 ]; then
  exec "$@"
fi
aot=""
if [ -f /app/switchboard.aot ]; then
  aot="-XX:AOTCache=/app/switchboard.aot"
fi
# The JIT policy, as bin/lib.sh's jit_opts (docs/OPERATIONS.md): C1 only when more replicas share the
# host than it has cores (the compose file says how many share it in SB_REPLICAS), else tiered.
jit=${SB_JIT:-auto}
if [ "$jit" = auto ]; then
  jit=full
  [ "${SB_REPLICAS:-1}" -gt "$(nproc)" ] && jit=quick
fi
case $jit in
  quick) jit_opts="-XX:TieredStopAtLevel=1 -XX:C1MaxInlineSize=70 -XX:C1InlineStackLimit=10 -XX:C1MaxInlineLevel=12" ;;
  full) jit_opts="-XX:FreqInlineSize=100 -XX:InlineSmallCode=1000" ;;
  *) echo "SB_JIT is '$jit': quick, full or auto" >&2; exit 2 ;;
esac
# exec: java is PID 1 and gets SIGTERM itself, so a stop drains instead of killing turns
# shellcheck disable=SC2086
exec java $JAVA_OPTS $jit_opts $aot -jar /app/quarkus-run.jar
