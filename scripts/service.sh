#!/usr/bin/env bash
# Local stand-ins for AWS services, on free loopback ports, stopped by PID.
#   scripts/service.sh start dynamodb|secretsmanager [PORT]   -> prints the endpoint URL
#   scripts/service.sh stop  dynamodb|secretsmanager
# dynamodb: the official DynamoDB Local, in memory. secretsmanager: moto's server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
CACHE=.cache
name="${2:-}"
case "$name" in dynamodb|secretsmanager) ;; *) echo "usage: $0 start|stop dynamodb|secretsmanager [PORT]" >&2; exit 2 ;; esac
PIDFILE="$CACHE/$name.pid"
LOG="$CACHE/$name.log"

stop() {
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
  fi
}

case "${1:-}" in
  start)
    stop
    port="${3:-$(free_port)}"
    if [ "$name" = dynamodb ]; then
      # From its own folder: DynamoDB Local writes a metadata file into its working directory.
      (cd "$CACHE/dynamodb-local" && exec java -Djava.library.path=DynamoDBLocal_lib \
        -jar DynamoDBLocal.jar -inMemory -port "$port") >"$LOG" 2>&1 &
    else
      "$CACHE/iac/bin/moto_server" -H 127.0.0.1 -p "$port" >"$LOG" 2>&1 &
    fi
    echo $! >"$PIDFILE"
    for _ in $(seq 1 300); do
      # Any HTTP answer means the server is up.
      if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
      sleep 0.1
    done
    echo "$name did not answer on port $port" >&2
    stop
    exit 1
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop dynamodb|secretsmanager [PORT]" >&2; exit 2 ;;
esac
