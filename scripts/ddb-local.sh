#!/usr/bin/env bash
# DynamoDB Local (in memory) on a free loopback port.
#   scripts/ddb-local.sh start [PORT]  -> prints the endpoint URL; PID in .cache/ddb.pid
#   scripts/ddb-local.sh stop          -> stops it by PID
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=.cache
DIR="$CACHE/dynamodb-local"
PIDFILE="$CACHE/ddb.pid"
PORTFILE="$CACHE/ddb.port"

stop() {
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDFILE" "$PORTFILE"
  fi
}

case "${1:-}" in
  start)
    stop
    port="${2:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
    # Run from the cache: DynamoDB Local writes a metadata file into its working directory.
    (cd "$DIR" && exec java -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar \
      -inMemory -port "$port") >"$CACHE/ddb.log" 2>&1 &
    echo $! >"$PIDFILE"
    echo "$port" >"$PORTFILE"
    for _ in $(seq 1 200); do
      # Any HTTP answer means the server is up (it answers 400 to a bare GET).
      if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { cat "$CACHE/ddb.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "DynamoDB Local did not answer on port $port" >&2
    stop
    exit 1
    ;;
  stop) stop ;;
  *) echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
