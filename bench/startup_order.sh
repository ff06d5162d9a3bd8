#!/bin/sh
# Regenerates cmake/nats-bridge-startup.order: the functions nats-bridge runs from exec until
# /readyz answers 200, then idle for a few heartbeats, keep-alives and a scrape, then on a few
# tasks. lld places them together in its text in that order (--symbol-ordering-file;
# docs/performance.md, change 17). A function missing from the list is only laid out elsewhere,
# so a stale list costs pages, never correctness. Needs valgrind, nats-server and python3.
#   bench/startup_order.sh [BUILD_DIR]      (make startup-order)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bridge=$(cd "$build/bin" && pwd)/nats-bridge
out=$root/cmake/nats-bridge-startup.order
. "$root/bench/script_common.sh"
start_nats_and_gateway

NATS_URL=nats://127.0.0.1:$nats_port GATEWAY_URL=http://127.0.0.1:$gateway_port FLEET_ID=order AGENT_ID=order \
TASK_DOMAINS=order HEALTH_HOST=127.0.0.1 HEALTH_PORT=$health_port MAX_CONCURRENCY=8 LOG_LEVEL=info \
HEARTBEAT_INTERVAL=500ms ACK_WAIT=3s WORKSPACE_DIR=/nonexistent \
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" "$bridge" >"$work/bridge.log" 2>&1 &
bridge_pid=$!
pids="$bridge_pid $pids"
wait_ready "$health_port" "$work/bridge.log"
# One profile per phase: start-up, idle (heartbeats, the keeper, the gateway probe, the intake's
# waits, a scrape), then a few tasks.
callgrind_control --dump=start-up "$bridge_pid" >/dev/null 2>&1
sleep 3
python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$health_port/metrics', timeout=5).read()"
callgrind_control --dump=idle "$bridge_pid" >/dev/null 2>&1
for n in 1 2 3 4 5; do
  NATS_URL=nats://127.0.0.1:$nats_port "$build/bin/roundtable" ask order.run --fleet order --wait 60s \
    --params "{\"n\":$n}" >/dev/null
done
kill -TERM "$bridge_pid"
wait "$bridge_pid" || true
python3 "$root/bench/startup_order.py" "$bridge" "$out" "$work/callgrind.out.1" "$work/callgrind.out.2" "$work/callgrind.out"
