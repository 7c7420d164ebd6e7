#!/bin/sh
# Trains the JDK AOT cache (JEP 483/514/515) inside the image build, with the runtime the image
# ships (a cache is only valid for the JVM that made it): Redis, the 0 ms simulators of
# swarm-train.yaml and one replica recording /app/switchboard.aot while it serves plain and
# streamed turns with handoffs — what bin/lib.sh aot_train does for bin/up. A JDK before 25 has no
# AOT cache: the image then starts without one.
set -eu
major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${major:-0}" -lt 25 ]; then
  echo "JDK $major: no AOT cache (needs 25+)"
  exit 0
fi
redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
java -XX:+UseSerialGC -Xmx128m -cp '/app/app/*:/app/lib/main/*' dev.switchboard.sim.SimulatorMain \
  --swarm /train/swarm-train.yaml > /train/sim.log 2>&1 &
sim=$!
# shellcheck disable=SC2086
SWITCHBOARD_SWARM_FILE=/train/swarm-train.yaml REDIS_URL=redis://127.0.0.1:6379 SB_REPLICA_ID=aot-training \
  SB_LIMITS_SESSION_RATE=1000000 SB_LIMITS_SESSION_BURST=1000000 SB_LIMITS_IP_RATE=1000000 SB_LIMITS_IP_BURST=1000000 \
  SB_LIMITS_HANDSHAKE_RATE=1000000 SB_LIMITS_HANDSHAKE_BURST=1000000 \
  java $JAVA_OPTS -XX:AOTCacheOutput=/app/switchboard.aot -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=18999 \
  -jar /app/quarkus-run.jar > /train/replica.log 2>&1 &
replica=$!
tries=0
until java -cp '/app/app/*' dev.switchboard.ops.ReadyProbe 18999; do
  tries=$((tries + 1))
  if [ "$tries" -gt 120 ]; then
    cat /train/replica.log
    exit 1
  fi
  sleep 0.5
done
java -cp /train Load --url ws://127.0.0.1:18999/chat --clients 8 --messages 300 --warmup 0 --run aot-plain > /dev/null
java -cp /train Load --url ws://127.0.0.1:18999/chat --clients 8 --messages 80 --warmup 0 --stream true \
  --text "I want to buy, sales please" --run aot-stream > /dev/null
kill -TERM "$replica"
wait "$replica" || true
kill "$sim" || true
redis-cli -p 6379 shutdown nosave > /dev/null 2>&1 || true
test -s /app/switchboard.aot
echo "AOT cache: $(du -h /app/switchboard.aot | cut -f1)"
