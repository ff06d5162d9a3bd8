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
work=$(mktemp -d)
pids=""
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nats_port=$(free_port)
gateway_port=$(free_port)
health_port=$(free_port)

nats-server -js -sd "$work/js" -a 127.0.0.1 -p "$nats_port" >"$work/nats.log" 2>&1 &
pids="$pids $!"
# A gateway that answers its health check (and anything else) with 200.
python3 - "$gateway_port" >"$work/gateway.log" 2>&1 <<'EOF' &
import http.server, sys
class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self): self.answer()
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.answer()
    def answer(self):
        body = b'{"status":"completed","result":{"format":"markdown","content":"ok","metadata":{"model":"order"}}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Gateway).serve_forever()
EOF
pids="$pids $!"

until grep -q "Server is ready" "$work/nats.log"; do sleep 0.1; done
until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$gateway_port),1)" 2>/dev/null; do sleep 0.1; done

NATS_URL=nats://127.0.0.1:$nats_port GATEWAY_URL=http://127.0.0.1:$gateway_port FLEET_ID=order AGENT_ID=order \
TASK_DOMAINS=order HEALTH_HOST=127.0.0.1 HEALTH_PORT=$health_port MAX_CONCURRENCY=8 LOG_LEVEL=info \
HEARTBEAT_INTERVAL=500ms ACK_WAIT=3s WORKSPACE_DIR=/nonexistent \
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" "$bridge" >"$work/bridge.log" 2>&1 &
bridge_pid=$!
pids="$bridge_pid $pids"
tries=0
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$health_port/readyz', timeout=1)" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -gt 600 ]; then echo "nats-bridge did not become ready; its log:" >&2; cat "$work/bridge.log" >&2; exit 1; fi
  sleep 0.1
done
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
