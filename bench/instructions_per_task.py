# Publishes task requests to nats-bridge's subjects over the NATS protocol (each stored with its
# Nats-Msg-Id) and waits for as many results: the load of bench/instructions_per_task.sh.
#   instructions_per_task.py NATS_PORT COUNT backlog|one
import datetime
import json
import socket
import sys
import uuid


class Nats:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.reader = self.sock.makefile("rb")
        self.reader.readline()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n'
                          b"SUB fleet-a.results.> 1\r\nSUB _INBOX.tasks.* 2\r\nPING\r\n")
        while not self.reader.readline().startswith(b"PONG"):
            pass

    def next_subject(self):
        while True:
            line = self.reader.readline()
            if not line:
                raise SystemExit("nats-server closed the connection")
            if line.startswith(b"PING"):
                self.sock.sendall(b"PONG\r\n")
            elif line.startswith((b"MSG", b"HMSG")):
                parts = line.split()
                self.reader.read(int(parts[-1]) + 2)
                return parts[1].decode()
            elif line.startswith(b"-ERR"):
                raise SystemExit(line.decode())


def task(number):
    task_id = str(uuid.uuid4())
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    envelope = {"id": task_id, "version": "1.0", "type": "task.request", "from": "bench", "timestamp": now, "ttl": 600,
                "fleet": "fleet-a", "payload": {"task": "bench.briefing", "params": {"text": f"an ordinary task, number {number}"}}}
    body = json.dumps(envelope).encode()
    head = b"NATS/1.0\r\nNats-Msg-Id: " + task_id.encode() + b"\r\n\r\n"
    return b"HPUB fleet-a.tasks.bench.briefing _INBOX.tasks.%d %d %d\r\n%s%s\r\n" % (number, len(head), len(head) + len(body), head, body)


def main():
    port, count, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    nats = Nats(port)
    wanted = count if mode == "backlog" else 1
    sent = results = 0
    while results < count:
        while sent < count and sent - results < wanted:
            nats.sock.sendall(task(sent))
            sent += 1
        if nats.next_subject().startswith("fleet-a.results."):
            results += 1


main()
