#!/usr/bin/env bash
# Every knight workspace under knights/ is valid, and every skill really works offline on the
# data it ships or reads from the machine; home-scene against a real redis-server.
# Run from the repository root (CTest does): bash tests/scripts/test_knight_skills.sh
set -euo pipefail

PY=/usr/bin/python3                       # Debian's python3, with python3-yaml
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ]; then break; fi
  sleep 0.05
done
[ "$(redis-cli -p "$port" PING)" = PONG ] || { echo "redis-server did not start on port $port" >&2; exit 1; }

# Files, every skill with good, bad and hostile input, and real content (check_knights.py).
REDIS_PORT="$port" "$PY" tests/scripts/check_knights.py

# The scene the skill left behind is really in Redis, under the fleet's shared key.
stored=$(redis-cli -p "$port" GET rt:fleet-a:shared:home-scene)
case "$stored" in
  *'"scene": "evening"'*) ;;
  *) echo "FAILED: rt:fleet-a:shared:home-scene holds: $stored" >&2; exit 1 ;;
esac
case "$stored" in
  *'"set_by": "tim"'*) ;;
  *) echo "FAILED: rt:fleet-a:shared:home-scene was not set by tim: $stored" >&2; exit 1 ;;
esac

# Nothing under knights/ was written by the checks (they run on scratch copies).
if [ -d .git ] && command -v git >/dev/null; then
  leftovers=$(git status --porcelain --untracked-files=all -- knights | grep -E '\.state/|__pycache__' || true)
  [ -z "$leftovers" ] || { echo "FAILED: the checks wrote into knights/: $leftovers" >&2; exit 1; }
fi
echo "redis key rt:fleet-a:shared:home-scene: $stored"
