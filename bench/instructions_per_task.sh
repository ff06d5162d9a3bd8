#!/bin/sh
# Instructions nats-bridge executes per task in user space (callgrind), over COUNT tasks after 50
# unmeasured ones, against a nats-server -js and an instant gateway of its own: the exact,
# load-independent measure behind docs/performance.md's changes 23 to 25. Needs valgrind,
# nats-server and python3.
#   bench/instructions_per_task.sh [BRIDGE] [COUNT] [backlog|one]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bridge=${1:-$root/build/bin/nats-bridge}
count=${2:-300}
mode=${3:-backlog}
. "$root/bench/script_common.sh"
start_nats_and_gateway

NATS_URL=nats://127.0.0.1:$nats_port GATEWAY_URL=http://127.0.0.1:$gateway_port FLEET_ID=fleet-a AGENT_ID=bench \
TASK_DOMAINS=bench HEALTH_HOST=127.0.0.1 HEALTH_PORT=$health_port MAX_CONCURRENCY=8 LOG_LEVEL=info WORKSPACE_DIR=/nonexistent \
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$bridge" >"$work/bridge.log" 2>&1 &
bridge_pid=$!
pids="$bridge_pid $pids"
wait_ready "$health_port" "$work/bridge.log"
python3 "$root/bench/instructions_per_task.py" "$nats_port" 50 "$mode"
callgrind_control --zero "$bridge_pid" >/dev/null 2>&1
python3 "$root/bench/instructions_per_task.py" "$nats_port" "$count" "$mode"
callgrind_control --dump=measured "$bridge_pid" >/dev/null 2>&1
total=$(sed -n 's/^summary: //p' "$work/callgrind.out.1")
[ -n "${KEEP_CALLGRIND:-}" ] && cp "$work/callgrind.out.1" "$KEEP_CALLGRIND"
echo "nats-bridge: $((total / count)) instructions per task in user space ($count tasks, $mode; callgrind)"
