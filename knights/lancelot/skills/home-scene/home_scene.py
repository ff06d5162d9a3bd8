#!/usr/bin/env python3
"""home-scene: read, set or list the household's scene, kept in the fleet's shared state in Redis
under rt:<FLEET_ID>:shared:home-scene (speaking RESP over a plain socket, no client library).
Without REDIS_URL the scene lives in $HOME/.state/home-scene.json and the output says so.

Input: {"action": "get"|"set"|"list", "scene": "<name>", "by": "<who asked>"}; action defaults
to get, scene is required for set and must be one of data/scenes.json.
Output: one JSON object. Bad input: exit 2; Redis configured but unreachable: exit 1."""
import datetime
import json
import os
import re
import socket
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SCENES = os.path.normpath(os.path.join(HERE, "..", "..", "data", "scenes.json"))
IDENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def fail(message, code=2):
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    sys.exit(code)


def read_input(scenes):
    raw = sys.stdin.read()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        fail("input is not JSON: %s" % exc)
    if not isinstance(data, dict):
        fail("input must be a JSON object")
    unknown = set(data) - {"action", "scene", "by"}
    if unknown:
        fail("unknown field(s): %s; known: action, scene, by" % ", ".join(sorted(unknown)))
    for key in ("action", "scene", "by"):
        if key in data and not isinstance(data[key], str):
            fail("field %r must be a string" % key)
    action = data.get("action", "set" if "scene" in data else "get")
    if action not in ("get", "set", "list"):
        fail("action must be get, set or list")
    if action == "set":
        if "scene" not in data:
            fail("missing required field 'scene' for action set; scenes: %s" % ", ".join(sorted(scenes)))
        if data["scene"] not in scenes:
            fail("unknown scene %r; scenes: %s" % (data["scene"][:60], ", ".join(sorted(scenes))))
    by = data.get("by", os.environ.get("AGENT_ID", "lancelot"))
    if len(by) > 60:
        fail("field 'by' is longer than 60 characters")
    return action, data.get("scene"), by


class Redis:
    """Just enough RESP2 for GET and SET: arrays of bulk strings out, typed replies in."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError("REDIS_URL must start with redis:// or rediss://")
        self.where = "%s:%d" % (parts.hostname or "127.0.0.1", parts.port or 6379)
        sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3)
        if parts.scheme == "rediss":
            import ssl
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        self.sock, self.buf = sock, b""
        if parts.password is not None:
            user = urllib.parse.unquote(parts.username or "")
            self.call(*(["AUTH", user] if user else ["AUTH"]), urllib.parse.unquote(parts.password))
        db = parts.path.strip("/")
        if db:
            self.call("SELECT", db)

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for arg in args:
            data = arg.encode("utf-8")
            out += b"$%d\r\n%s\r\n" % (len(data), data)
        self.sock.sendall(out)
        return self.reply()

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self.line()
        kind, rest = line[:1], line[1:].decode("utf-8", "replace")
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError("Redis error: " + rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            while len(self.buf) < size + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("Redis closed the connection")
                self.buf += chunk
            data, self.buf = self.buf[:size], self.buf[size + 2:]
            return data.decode("utf-8", "replace")
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))] if int(rest) >= 0 else None
        raise RuntimeError("unexpected Redis reply %r" % line[:40])


def fleet_id():
    fleet = os.environ.get("FLEET_ID", "")
    if not fleet:  # fall back to the workspace's knight.yaml (HOME is the workspace)
        try:
            with open(os.path.join(os.environ.get("HOME", ""), "knight.yaml")) as f:
                found = re.search(r"^fleet:\s*([a-z0-9][a-z0-9-]*)\s*$", f.read(), re.M)
                fleet = found.group(1) if found else ""
        except OSError:
            pass
    fleet = fleet or "fleet-a"
    if not IDENT.match(fleet):
        fail("FLEET_ID %r is not an identifier" % fleet, 1)
    return fleet


class Store:
    def __init__(self, key):
        self.key = key
        url = os.environ.get("REDIS_URL", "")
        self.redis, self.path = None, None
        if url:
            try:
                self.redis = Redis(url)
            except (OSError, ValueError, RuntimeError, ConnectionError) as exc:
                fail("REDIS_URL is set but Redis is unreachable (%s); the scene was not read or changed" % exc, 1)
            self.kind, self.note = "redis", "shared with the fleet in Redis %s" % self.redis.where
        else:
            self.path = os.path.join(os.environ.get("HOME") or os.path.dirname(SCENES), ".state", "home-scene.json")
            self.kind = "file"
            self.note = "REDIS_URL is not set: the scene is kept in %s, visible to this knight only" % self.path

    def get(self):
        try:
            if self.redis:
                raw = self.redis.call("GET", self.key)
            else:
                with open(self.path, encoding="utf-8") as f:
                    raw = f.read()
        except FileNotFoundError:
            return None
        except (OSError, RuntimeError, ConnectionError) as exc:
            fail("cannot read the scene: %s" % exc, 1)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return {"scene": None, "corrupt": raw[:200]}

    def set(self, state):
        text = json.dumps(state, sort_keys=True)
        try:
            if self.redis:
                self.redis.call("SET", self.key, text)
            else:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                tmp = self.path + ".tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, self.path)
        except (OSError, RuntimeError, ConnectionError) as exc:
            fail("cannot store the scene: %s" % exc, 1)


def main():
    try:
        with open(SCENES, encoding="utf-8") as f:
            scenes = json.load(f)["scenes"]
    except (OSError, ValueError, KeyError) as exc:
        fail("cannot read data/scenes.json: %s" % exc, 1)
    action, wanted, by = read_input(scenes)
    if action == "list":
        print(json.dumps({"summary": "%d scenes: %s" % (len(scenes), ", ".join(scenes)),
                          "scenes": [{"scene": k, "description": v["description"], "devices": len(v["devices"])} for k, v in scenes.items()]},
                         indent=1))
        return
    key = "rt:%s:shared:home-scene" % fleet_id()
    store = Store(key)
    current = store.get()
    changed = False
    if action == "set":
        previous = current.get("scene") if current else None
        current = {"scene": wanted, "set_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "set_by": by, "previous": previous}
        store.set(current)
        changed = previous != wanted
    scene = current.get("scene") if current else None
    if scene in scenes:
        verb = "now" if action == "set" else "is"
        summary = "Scene %s '%s' (%s), set by %s at %s" % (verb, scene, scenes[scene]["description"], current.get("set_by"), current.get("set_at"))
        devices = scenes[scene]["devices"]
    else:
        summary = "No scene is set yet; scenes: %s" % ", ".join(scenes)
        devices = []
    print(json.dumps({"summary": summary, "scene": scene, "changed": changed, "store": store.kind, "note": store.note,
                      "key": key, "set_at": current.get("set_at") if current else None,
                      "set_by": current.get("set_by") if current else None,
                      "previous": current.get("previous") if current else None,
                      "devices": devices}, indent=1))


if __name__ == "__main__":
    main()
