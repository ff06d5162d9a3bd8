# Shared by bench/startup_order.sh and bench/instructions_per_task.sh (sourced, POSIX sh): a
# work directory removed at exit, processes stopped by PID at exit, free loopback ports, a
# nats-server -js of their own and an instant gateway that answers every task as completed.
work=$(mktemp -d)
pids=""
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nats() {  # PORT
  nats-server -js -sd "$work/js" -a 127.0.0.1 -p "$1" >"$work/nats.log" 2>&1 &
  pids="$pids $!"
  until grep -q "Server is ready" "$work/nats.log"; do sleep 0.1; done
}

start_instant_gateway() {  # PORT: 200 to any GET, a completed answer to any POST
  python3 - "$1" >"$work/gateway.log" 2>&1 <<'PY' &
import http.server, sys
ANSWER = b'{"status":"completed","result":{"format":"markdown","content":"ok","metadata":{"model":"bench"}}}'
class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self): self.answer(b'{"status":"ok"}')
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.answer(ANSWER)
    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Gateway).serve_forever()
PY
  pids="$pids $!"
  until python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null; do sleep 0.1; done
}

start_nats_and_gateway() {  # sets nats_port, gateway_port and health_port (free, for the bridge)
  nats_port=$(free_port)
  gateway_port=$(free_port)
  health_port=$(free_port)
  start_nats "$nats_port"
  start_instant_gateway "$gateway_port"
}

wait_ready() {  # HEALTH_PORT LOG: /readyz 200 within a minute, else the log and exit 1
  tries=0
  until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/readyz', timeout=1)" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then echo "nats-bridge did not become ready; its log:" >&2; cat "$2" >&2; exit 1; fi
    sleep 0.1
  done
}
