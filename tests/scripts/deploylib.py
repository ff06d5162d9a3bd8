"""Shared helpers of the deployment checks: rendering with kubectl kustomize, a check counter
that collects failures, Kubernetes quantities, and a minimal NATS text-protocol client."""
import functools
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys

import yaml


class Checks:
    """Counts checks and collects the failed ones, so one run reports every problem."""

    def __init__(self, title):
        self.title = title
        self.count = 0
        self.failures = []

    def check(self, condition, message):
        self.count += 1
        if not condition:
            self.failures.append(message)
        return bool(condition)

    def note(self, message):
        print("  " + message)

    def finish(self):
        print("%s: %d checks" % (self.title, self.count))
        if self.failures:
            print("FAILED:\n  " + "\n  ".join(self.failures))
            sys.exit(1)
        print("%s: all passed" % self.title)


@functools.lru_cache(maxsize=None)
def kubectl():
    path = shutil.which("kubectl")
    if not path:
        sys.exit("kubectl not found: install the Debian package kubernetes-client (make deps)")
    version = subprocess.run([path, "version", "--client"], capture_output=True, text=True).stdout
    match = re.search(r"Kustomize Version: v(\d+)", version)
    if not match or int(match.group(1)) < 4:
        sys.exit("kubectl with kustomize v4 or later is needed (kustomize Components, deploy/components): "
                 "kubectl 1.21+, not Debian 12's kubernetes-client 1.20; found: %s" % version.strip()[:200])
    return path


def render(checks, directory):
    """Documents rendered by `kubectl kustomize directory`; a failure is a failed check."""
    result = subprocess.run([kubectl(), "kustomize", directory], capture_output=True, text=True)
    errors = "\n".join(l for l in result.stderr.splitlines() if "deprecated" not in l)
    if not checks.check(result.returncode == 0, "kubectl kustomize %s failed: %s" % (directory, errors[-600:])):
        return []
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def kustomization_dirs():
    dirs = {os.path.dirname(p) for p in glob.glob("deploy/**/kustomization.yaml", recursive=True)}
    dirs |= {os.path.dirname(p) for p in glob.glob("knights/*/kustomization.yaml")}
    return sorted(dirs)


def knight_folders():
    """Knight folders under knights/ (the template is a scaffold, not a knight)."""
    return sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob("knights/*/kustomization.yaml")
                  if os.path.basename(os.path.dirname(p)) != "template")


def by_kind(docs):
    index = {}
    for d in docs:
        index.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    return index


def milli_cpu(text):
    text = str(text)
    return int(text[:-1]) if text.endswith("m") else int(float(text) * 1000)


def mebibytes(text):
    text = str(text)
    for suffix, factor in (("Gi", 1024), ("Mi", 1), ("Ki", 1 / 1024), ("G", 1e9 / 2**20), ("M", 1e6 / 2**20)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text) / 2**20


def seconds(duration):
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", str(duration))
    if not match:
        raise ValueError("not a duration: %r" % duration)
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def env_of(container):
    """Plain env values of a container; valueFrom entries map to None."""
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsClient:
    """Just enough of the NATS text protocol (verbose mode) to see what the server permits."""

    def __init__(self, port, user, password):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("rb")
        info = self.file.readline()
        if not info.startswith(b"INFO "):
            raise RuntimeError("no INFO from nats-server: %r" % info)
        connect = json.dumps({"user": user, "pass": password, "verbose": True, "pedantic": False,
                              "headers": False, "name": "deploy-check-" + user})
        self.sock.sendall(("CONNECT %s\r\n" % connect).encode())
        self.connected = self.line().startswith("+OK")

    def line(self):
        while True:
            text = self.file.readline().decode().strip()
            if text == "PING":
                self.sock.sendall(b"PONG\r\n")
                continue
            return text

    def command(self, line, payload=None):
        """Sends one protocol line (with its payload for PUB) and returns the server's answer."""
        data = line + "\r\n"
        if payload is not None:
            data += payload + "\r\n"
        self.sock.sendall(data.encode())
        return self.line()

    def publish(self, subject, payload="hi", reply=None):
        head = "PUB %s %s%d" % (subject, (reply + " ") if reply else "", len(payload.encode()))
        return self.command(head, payload)

    def subscribe(self, subject, sid):
        return self.command("SUB %s %s" % (subject, sid))

    def request(self, subject, payload, inbox, sid):
        """Core request: subscribe to inbox, publish with reply; returns (+OK/-ERR, answer or None)."""
        sub = self.subscribe(inbox, sid)
        if not sub.startswith("+OK"):
            return sub, None
        pub = self.publish(subject, payload, reply=inbox)
        if not pub.startswith("+OK"):
            return pub, None
        return pub, self.next_message()

    def next_message(self):
        """The next MSG (subject, payload), skipping +OK lines; None on timeout or error."""
        try:
            while True:
                text = self.line()
                if text.startswith("MSG "):
                    size = int(text.split()[-1])
                    body = self.file.read(size + 2)[:-2].decode()
                    return text.split()[1], body
                if text.startswith("-ERR"):
                    return None
        except socket.timeout:
            return None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
