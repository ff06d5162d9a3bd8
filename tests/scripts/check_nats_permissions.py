#!/usr/bin/env python3
"""Exercises the deployed NATS permissions on a real nats-server: the server config and the
fleet users are taken from the rendered homelab-plain overlay (ConfigMaps nats-config and
nats-auth), laid out as in the pod (/etc/nats-config, /etc/nats-auth) under a temp dir, with
test passwords in the environment. Then raw NATS protocol checks per fleet; the isolation of
the fleets' accounts (fleet-a sees none of fleet-b's streams, messages, heartbeats, consumers or
inboxes) while the leads' peer request and message cross between them; and, when the binaries
are built (RT_BIN_DIR or build/bin), the real CLI, bridge and gateway as fleet-a."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import Checks, NatsClient, by_kind, free_port, render  # noqa: E402

c = Checks("NATS permissions")
PASSWORDS = {"FLEET_A_PASSWORD": "test-a", "FLEET_B_PASSWORD": "test-b", "ADMIN_PASSWORD": "test-admin"}
SECRET = "secret-of-fleet-b"


def password(user):
    """fleet-a -> FLEET_A_PASSWORD; every admin-<fleet> shares ADMIN_PASSWORD."""
    return PASSWORDS["ADMIN_PASSWORD" if user.startswith("admin-") else "%s_PASSWORD" % user.upper().replace("-", "_")]


def wait_for_port(port, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def server_config(root, port, monitor):
    """Writes the rendered config to root/etc/..., pointed at loopback ports and a temp store."""
    index = by_kind(render(c, "deploy/overlays/homelab-plain"))
    conf = index.get("ConfigMap", {}).get("nats-config", {}).get("data", {}).get("nats.conf")
    auth = index.get("ConfigMap", {}).get("nats-auth", {}).get("data", {}).get("auth.conf")
    if not c.check(conf and auth, "the rendered homelab-plain lacks nats-config/nats.conf or nats-auth/auth.conf"):
        c.finish()
    conf = re.sub(r"^listen:.*$", "listen: 127.0.0.1:%d" % port, conf, flags=re.M)
    conf = re.sub(r"^http:.*$", "http: 127.0.0.1:%d" % monitor, conf, flags=re.M)
    conf = re.sub(r"store_dir:.*", "store_dir: %s" % os.path.join(root, "data"), conf)
    conf = re.sub(r"max_file_store:.*", "max_file_store: 256M", conf)
    for sub, name, text in (("etc/nats-config", "nats.conf", conf), ("etc/nats-auth", "auth.conf", auth)):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        with open(os.path.join(root, sub, name), "w") as f:
            f.write(text)
    fleets = sorted(set(re.findall(r'user:\s*"(fleet-[a-z0-9-]+)"', auth)))
    return os.path.join(root, "etc/nats-config/nats.conf"), fleets


def js_api(client, subject, body, sid):
    """A JetStream API request over the raw protocol: (+OK or -ERR of the publish, JSON reply)."""
    pub, msg = client.request(subject, json.dumps(body), "_INBOX.check.%s" % sid, sid)
    return pub, (json.loads(msg[1]) if msg else None)


def check_core_subjects(port, fleets):
    for fleet in fleets:
        other = [f for f in fleets if f != fleet][0]
        cl = NatsClient(port, fleet, PASSWORDS["%s_PASSWORD" % fleet.upper().replace("-", "_")])
        c.check(cl.connected, "%s cannot log in with its password" % fleet)
        for subject in ("%s.tasks.security.briefing" % fleet, "%s.results.security.t1" % fleet, "%s.heartbeat.galahad" % fleet,
                        "%s.cancel.t1" % fleet, "roundtable.events.%s.task.claimed" % fleet, "roundtable.peer.%s.request" % other):
            reply = cl.publish(subject)
            c.check(reply == "+OK", "%s may not publish %s (%s)" % (fleet, subject, reply))
        for sid, subject in enumerate(("%s.results.>" % fleet, "roundtable.events.%s.>" % fleet, "roundtable.peer.%s.>" % fleet), 1):
            reply = cl.subscribe(subject, sid)
            c.check(reply == "+OK", "%s may not subscribe %s (%s)" % (fleet, subject, reply))
        for subject in ("%s.tasks.security.briefing" % other, "%s.results.security.t1" % other, "%s.heartbeat.galahad" % other,
                        "%s.cancel.t1" % other, "roundtable.events.%s.task.claimed" % other, "$JS.API.STREAM.CREATE.ROUNDTABLE_TASKS",
                        "$JS.API.STREAM.DELETE.ROUNDTABLE_TASKS", "$JS.API.STREAM.PURGE.ROUNDTABLE_TASKS",
                        "$JS.API.STREAM.MSG.GET.ROUNDTABLE_TASKS", "$JS.API.CONSUMER.CREATE.ROUNDTABLE_TASKS.x.%s.tasks.>" % other):
            reply = cl.publish(subject)
            c.check('Permissions Violation for Publish to "%s"' % subject in reply, "%s was allowed to publish %s (%s)" % (fleet, subject, reply))
        for sid, subject in enumerate(("%s.tasks.>" % other, "%s.results.>" % other, "roundtable.events.%s.>" % other,
                                       "roundtable.peer.%s.>" % other, ">", "*.tasks.>"), 10):
            reply = cl.subscribe(subject, sid)
            c.check('Permissions Violation for Subscription to "%s"' % subject in reply, "%s was allowed to subscribe %s (%s)" % (fleet, subject, reply))
        cl.close()
        print("  %s: own subjects allowed; %s's tasks, results, heartbeats, events and stream admin refused" % (fleet, other))
    wrong = NatsClient(port, fleets[0], "not-the-password")
    c.check(not wrong.connected, "a wrong password was accepted")
    wrong.close()


STREAMS = (("ROUNDTABLE_TASKS", {"subjects": ["*.tasks.>"], "retention": "workqueue", "storage": "file"}),
           ("ROUNDTABLE_HEARTBEAT", {"subjects": ["*.heartbeat.>"], "storage": "memory", "max_msgs_per_subject": 5}),
           ("ROUNDTABLE_CANCELS", {"subjects": ["*.cancel.>"], "storage": "file", "max_msgs_per_subject": 1}),
           ("ROUNDTABLE_RESULTS", {"subjects": ["*.results.>"], "storage": "file"}))


def create_streams(port, fleet):
    """The streams in the fleet's own account, as its admin (what the streams Job does)."""
    admin = NatsClient(port, "admin-" + fleet, password("admin-" + fleet))
    c.check(admin.connected, "admin-%s cannot log in" % fleet)
    for sid, (name, config) in enumerate(STREAMS, 1):
        _, answer = js_api(admin, "$JS.API.STREAM.CREATE." + name, dict(config, name=name), sid)
        c.check(answer and "config" in answer, "admin-%s could not create %s: %s" % (fleet, name, answer))
    admin.close()


def check_jetstream(port):
    for fleet in ("fleet-a", "fleet-b"):
        create_streams(port, fleet)
    a = NatsClient(port, "fleet-a", PASSWORDS["FLEET_A_PASSWORD"])
    pub, answer = js_api(a, "$JS.API.CONSUMER.CREATE.ROUNDTABLE_TASKS.fleet-a-galahad-security.fleet-a.tasks.security.>",
                         {"stream_name": "ROUNDTABLE_TASKS", "config": {"name": "fleet-a-galahad-security", "durable_name": "fleet-a-galahad-security",
                                                                        "filter_subject": "fleet-a.tasks.security.>", "ack_policy": "explicit"}}, 2)
    c.check(pub == "+OK" and answer and "config" in answer, "fleet-a could not create its own consumer (filtered subject): %s %s" % (pub, answer))
    pub, answer = js_api(a, "$JS.API.CONSUMER.INFO.ROUNDTABLE_TASKS.fleet-a-galahad-security", {}, 3)
    c.check(answer and answer.get("name") == "fleet-a-galahad-security", "fleet-a could not read its consumer info: %s %s" % (pub, answer))
    pub, answer = js_api(a, "$JS.API.STREAM.INFO.ROUNDTABLE_TASKS", {}, 4)
    c.check(answer and "state" in answer, "fleet-a could not read stream info: %s %s" % (pub, answer))
    reply = a.publish("$JS.API.CONSUMER.CREATE.ROUNDTABLE_TASKS.fleet-a-spy.fleet-b.tasks.>", "{}")
    c.check("Permissions Violation" in reply, "fleet-a may create a consumer filtered on fleet-b's tasks (%s)" % reply)
    reply = a.publish("$JS.API.STREAM.MSG.GET.ROUNDTABLE_TASKS", '{"seq":1}')
    c.check("Permissions Violation" in reply, "fleet-a may read task messages by sequence (%s)" % reply)
    reply = a.publish("$JS.API.CONSUMER.DELETE.ROUNDTABLE_TASKS.fleet-a-galahad-security", "{}")
    c.check("Permissions Violation" in reply, "fleet-a may delete consumers (%s)" % reply)
    a.close()
    print("  JetStream: each fleet's admin creates the streams in its account; fleet-a creates and reads its filtered "
          "consumer; fleet-b-filtered consumers, consumer deletion and direct message reads refused")


def messages_until(client, marker):
    """Every (subject, payload) the client receives before the marker payload arrives."""
    seen = []
    client.sock.settimeout(5)
    while True:
        msg = client.next_message()
        if msg is None:
            c.check(False, "the marker %s never arrived" % marker)
            return seen
        if msg[1] == marker:
            return seen
        seen.append(msg)


def check_account_isolation(port):
    """fleet-b works in its account; fleet-a, on the same server, can find none of it."""
    b = NatsClient(port, "fleet-b", PASSWORDS["FLEET_B_PASSWORD"])
    b_knight = NatsClient(port, "fleet-b", PASSWORDS["FLEET_B_PASSWORD"])
    a = NatsClient(port, "fleet-a", PASSWORDS["FLEET_A_PASSWORD"])
    a_admin = NatsClient(port, "admin-fleet-a", password("admin-fleet-a"))
    c.check(a_admin.connected, "admin-fleet-a cannot log in")
    # Watchers in fleet-a's account: its admin on every subject, its user on every inbox.
    watch_all = NatsClient(port, "admin-fleet-a", password("admin-fleet-a"))
    watch_inbox = NatsClient(port, "fleet-a", PASSWORDS["FLEET_A_PASSWORD"])
    c.check(watch_all.subscribe(">", 1) == "+OK", "admin-fleet-a may not subscribe >")
    c.check(watch_inbox.subscribe("_INBOX.>", 1) == "+OK", "fleet-a may not subscribe _INBOX.>")

    # fleet-b's traffic: a task and a heartbeat into its streams, its consumer, a request/reply on its inbox.
    b.publish("fleet-b.tasks.security.briefing", '{"task":"%s"}' % SECRET)
    b.publish("fleet-b.heartbeat.mordred", '{"type":"heartbeat","payload":"%s"}' % SECRET)
    b.publish("roundtable.events.fleet-b.task.claimed", SECRET)
    b.publish("fleet-b.cancel.t1", '{"type":"task.cancel","payload":"%s"}' % SECRET)
    b.publish("fleet-b.results.security.t1", '{"type":"task.result","payload":"%s"}' % SECRET)
    pub, answer = js_api(b, "$JS.API.CONSUMER.CREATE.ROUNDTABLE_TASKS.fleet-b-mordred-security.fleet-b.tasks.security.>",
                         {"stream_name": "ROUNDTABLE_TASKS", "config": {"name": "fleet-b-mordred-security", "durable_name": "fleet-b-mordred-security",
                                                                        "filter_subject": "fleet-b.tasks.security.>", "ack_policy": "explicit"}}, 2)
    c.check(answer and "config" in answer, "fleet-b could not create its consumer: %s %s" % (pub, answer))
    b_knight.subscribe("fleet-b.ping", 1)
    b.subscribe("_INBOX.b.1", 3)
    b.publish("fleet-b.ping", "ping", reply="_INBOX.b.1")
    b_knight.sock.settimeout(3)
    asked = b_knight.next_message()
    c.check(asked == ("fleet-b.ping", "ping"), "fleet-b's knight did not get its own request: %s" % (asked,))
    c.check(b_knight.publish("_INBOX.b.1", SECRET) == "+OK", "fleet-b may not answer its own request")
    b.sock.settimeout(3)
    c.check(b.next_message() == ("_INBOX.b.1", SECRET), "fleet-b did not get its own reply")

    # What fleet-b sees of its own account, so that the refusals below are not vacuous.
    _, info = js_api(b, "$JS.API.STREAM.INFO.ROUNDTABLE_TASKS", {"subjects_filter": ">"}, 4)
    c.check(info and "fleet-b.tasks.security.briefing" in (info.get("state", {}).get("subjects") or {}),
            "fleet-b does not see its own task subject: %s" % info)
    _, got = js_api(b, "$JS.API.STREAM.MSG.GET.ROUNDTABLE_HEARTBEAT", {"last_by_subj": "fleet-b.heartbeat.mordred"}, 5)
    c.check(got and "message" in got, "fleet-b cannot read its own last heartbeat: %s" % got)
    _, got = js_api(b, "$JS.API.STREAM.MSG.GET.ROUNDTABLE_CANCELS", {"last_by_subj": "fleet-b.cancel.t1"}, 5)
    c.check(got and "message" in got, "fleet-b cannot read its own cancel: %s" % got)
    # A lead's and the CLI's missed-result recovery (nats::TaskClient) reads the last result of a task.
    _, got = js_api(b, "$JS.API.STREAM.MSG.GET.ROUNDTABLE_RESULTS", {"last_by_subj": "fleet-b.results.security.t1"}, 5)
    c.check(got and "message" in got, "fleet-b cannot read its own stored result: %s" % got)

    # fleet-a asks the same questions in its account.
    _, info = js_api(a, "$JS.API.STREAM.INFO.ROUNDTABLE_TASKS", {"subjects_filter": ">"}, 4)
    c.check(info and "state" in info, "fleet-a cannot read its stream info: %s" % info)
    state = (info or {}).get("state", {})
    c.check(not state.get("subjects") and state.get("messages") == 0 and state.get("consumer_count", 0) <= 1,
            "STREAM.INFO as fleet-a shows fleet-b's tasks: %s" % state)
    _, got = js_api(a, "$JS.API.STREAM.MSG.GET.ROUNDTABLE_HEARTBEAT", {"last_by_subj": "fleet-b.heartbeat.mordred"}, 5)
    c.check(got and "message" not in got and "error" in got, "STREAM.MSG.GET as fleet-a returns fleet-b's heartbeat: %s" % got)
    _, got = js_api(a, "$JS.API.STREAM.MSG.GET.ROUNDTABLE_CANCELS", {"last_by_subj": "fleet-b.cancel.t1"}, 5)
    c.check(got and "message" not in got and "error" in got, "STREAM.MSG.GET as fleet-a returns fleet-b's cancel: %s" % got)
    _, got = js_api(a, "$JS.API.STREAM.MSG.GET.ROUNDTABLE_RESULTS", {"last_by_subj": "fleet-b.results.security.t1"}, 5)
    c.check(got and "message" not in got and "error" in got, "STREAM.MSG.GET as fleet-a returns fleet-b's result: %s" % got)
    _, listed = js_api(a, "$JS.API.CONSUMER.LIST.ROUNDTABLE_TASKS", {}, 6)
    names = [x.get("name") for x in (listed or {}).get("consumers") or []]
    c.check(listed and "consumers" in listed and "fleet-b-mordred-security" not in names,
            "CONSUMER.LIST as fleet-a shows fleet-b's consumer: %s" % names)
    _, one = js_api(a, "$JS.API.CONSUMER.INFO.ROUNDTABLE_TASKS.fleet-b-mordred-security", {}, 7)
    c.check(one and "error" in one, "CONSUMER.INFO as fleet-a finds fleet-b's consumer: %s" % one)
    _, admin_info = js_api(a_admin, "$JS.API.STREAM.INFO.ROUNDTABLE_TASKS", {"subjects_filter": ">"}, 8)
    c.check(admin_info and not (admin_info.get("state", {}).get("subjects")),
            "even admin-fleet-a sees fleet-b's task subjects: %s" % admin_info)

    # Nothing of fleet-b reached fleet-a's watchers: everything before the marker is fleet-a's own.
    a_admin.publish("fleet-a.marker", "marker-1")
    a_admin.publish("_INBOX.marker", "marker-2")
    seen = messages_until(watch_all, "marker-2") + messages_until(watch_inbox, "marker-2")
    leaked = [m for m in seen if SECRET in m[1] or m[0].startswith(("fleet-b.", "roundtable.events.fleet-b.", "_INBOX.b."))]
    c.check(not leaked, "fleet-a's account received fleet-b's traffic: %s" % leaked[:3])
    c.check(any(m[0] == "fleet-a.marker" for m in seen), "the watcher on > did not work (fleet-a.marker not seen)")
    for client in (a, a_admin, watch_all, watch_inbox, b, b_knight):
        client.close()
    print("  accounts: fleet-a sees none of fleet-b's streams (STREAM.INFO), heartbeats (STREAM.MSG.GET), consumers "
          "(CONSUMER.LIST/INFO), subjects or inboxes (subscribed to > and _INBOX.>); fleet-b sees its own")


def check_peer_request(port):
    """fleet-a's lead asks fleet-b's lead across the accounts (service import) and gets the answer;
    a peer message (stream import) reaches fleet-b's lead."""
    b = NatsClient(port, "fleet-b", PASSWORDS["FLEET_B_PASSWORD"])
    b.subscribe("roundtable.peer.fleet-b.>", 1)
    a = NatsClient(port, "fleet-a", PASSWORDS["FLEET_A_PASSWORD"])
    a.subscribe("_INBOX.peer.1", 1)
    a.publish("roundtable.peer.fleet-b.request", "ping", reply="_INBOX.peer.1")
    request = None
    b.sock.settimeout(3)
    try:
        while True:
            text = b.line()
            if text.startswith("MSG "):
                parts = text.split()
                payload = b.file.read(int(parts[-1]) + 2)[:-2].decode()
                request = parts + [payload]
                break
    except OSError:
        pass
    c.check(request and request[1] == "roundtable.peer.fleet-b.request" and request[-1] == "ping",
            "fleet-b's lead did not receive fleet-a's peer request: %s" % request)
    reply_to = request[3] if request and len(request) == 6 else None
    c.check(reply_to, "fleet-a's peer request reached fleet-b without a reply subject: %s" % request)
    c.check(reply_to is None or not reply_to.startswith("_INBOX.peer"), "fleet-a's own inbox name crossed into fleet-b's account")
    answer = b.publish(reply_to or "_INBOX.peer.1", "pong")
    c.check(answer == "+OK", "fleet-b may not answer a peer request (%s)" % answer)
    a.sock.settimeout(3)
    msg = a.next_message()
    c.check(msg == ("_INBOX.peer.1", "pong"), "fleet-a did not get fleet-b's answer: %s" % (msg,))
    stray = b.publish("_INBOX.someone-else", "x")
    c.check("Permissions Violation" in stray, "fleet-b may publish to an inbox it was not asked from (%s)" % stray)
    c.check(a.publish("roundtable.peer.fleet-b.message", "a fact from fleet-a") == "+OK", "fleet-a may not send a peer message")
    msg = b.next_message()
    c.check(msg == ("roundtable.peer.fleet-b.message", "a fact from fleet-a"), "fleet-b's lead did not get fleet-a's peer message: %s" % (msg,))
    a.close()
    b.close()
    print("  peer request fleet-a -> fleet-b answered across the accounts; peer message delivered; unsolicited inbox publish refused")


def check_lead_peer_request(port, binary, base, root, children, logs):
    """fleet-b's real lead (knight-gateway on tim's workspace, as user fleet-b) answers a peer
    request that fleet-a's user sends across the accounts."""
    gw_port = free_port()
    # tim without delegates answers at once (fleet-b has no knights here to delegate to).
    workspace = os.path.join(root, "tim-fleet-b")
    shutil.copytree("knights/tim", workspace)
    with open(os.path.join(workspace, "knight.yaml")) as f:
        knight = re.sub(r"(?ms)^delegates:\n(  - .*?\n)+", "delegates: []\n", f.read())
    with open(os.path.join(workspace, "knight.yaml"), "w") as f:
        f.write(knight)
    children.append(subprocess.Popen([binary["knight-gateway"]], stdout=logs, stderr=logs, cwd=root,
                                     env=dict(base, FLEET_ID="fleet-b", NATS_USER="fleet-b", NATS_PASSWORD=PASSWORDS["FLEET_B_PASSWORD"],
                                              WORKSPACE_DIR=workspace, AGENT_ID="tim",
                                              GATEWAY_LISTEN="127.0.0.1:%d" % gw_port, LLM_PROVIDER="offline")))
    question = json.dumps({"id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", "version": "1.0", "type": "peer.request", "from": "tim",
                           "fleet": "fleet-a", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "payload": {"question": "Which of your knights watches security?"}})
    # Core NATS drops a request sent before the lead subscribed: ask again (a fresh connection
    # each time, the protocol client cannot read after a timeout) until one is answered.
    answer, deadline = None, time.time() + 90
    while answer is None and time.time() < deadline:
        a = NatsClient(port, "fleet-a", PASSWORDS["FLEET_A_PASSWORD"])
        pub, msg = None, None
        a.sock.settimeout(5)
        try:
            pub, msg = a.request("roundtable.peer.fleet-b.request", question, "_INBOX.lead.1", 1)
        except OSError:
            pass
        a.close()
        if pub is not None:
            c.check(pub == "+OK", "fleet-a may not ask fleet-b's lead (%s)" % pub)
        if msg:
            answer = json.loads(msg[1])
    c.check(answer and answer.get("type") == "peer.answer" and answer.get("fleet") == "fleet-b" and answer.get("from") == "tim"
            and "fleet 'fleet-a' asks" in answer.get("content", ""),
            "fleet-a's peer request got no answer from fleet-b's real lead: %s" % answer)


def check_real_binaries(port, monitor, root):
    bin_dir = os.environ.get("RT_BIN_DIR") or "build/bin"
    names = ("roundtable", "nats-bridge", "knight-gateway")
    if not all(os.access(os.path.join(bin_dir, n), os.X_OK) for n in names):
        print("  (binaries not built in %s: the end-to-end run as fleet-a is skipped)" % bin_dir)
        return
    binary = {n: os.path.abspath(os.path.join(bin_dir, n)) for n in names}
    base = dict(os.environ, NATS_URL="nats://127.0.0.1:%d" % port, FLEET_ID="fleet-a", LOG_LEVEL="warn")
    denied = subprocess.run([binary["roundtable"], "streams", "apply"], capture_output=True, text=True, timeout=60,
                            env=dict(base, NATS_USER="fleet-a", NATS_PASSWORD=PASSWORDS["FLEET_A_PASSWORD"]))
    c.check(denied.returncode != 0, "fleet-a was allowed to apply the streams")
    time.sleep(0.2)
    log_mark = os.path.getsize(os.path.join(root, "nats.log"))  # violations before this are expected
    applied = subprocess.run([binary["roundtable"], "streams", "apply"], capture_output=True, text=True, timeout=60,
                             env=dict(base, NATS_USER="admin-fleet-a", NATS_PASSWORD=PASSWORDS["ADMIN_PASSWORD"]))
    c.check(applied.returncode == 0, "admin-fleet-a could not apply the streams: %s" % (applied.stdout + applied.stderr)[-400:])
    gw_port, health = free_port(), free_port()
    fleet_a = dict(base, NATS_USER="fleet-a", NATS_PASSWORD=PASSWORDS["FLEET_A_PASSWORD"])
    children = []
    logs = open(os.path.join(root, "knight.log"), "w")
    try:
        children.append(subprocess.Popen([binary["knight-gateway"]], stdout=logs, stderr=logs, cwd=root,
                                         env=dict(base, WORKSPACE_DIR=os.path.abspath("knights/galahad"), AGENT_ID="galahad",
                                                  GATEWAY_LISTEN="127.0.0.1:%d" % gw_port, LLM_PROVIDER="offline")))
        children.append(subprocess.Popen([binary["nats-bridge"]], stdout=logs, stderr=logs, cwd=root,
                                         env=dict(fleet_a, AGENT_ID="galahad", TASK_DOMAINS="security", HEALTH_PORT=str(health),
                                                  GATEWAY_URL="http://127.0.0.1:%d" % gw_port, STREAMS_AUTO_CREATE="false")))
        ready, deadline = None, time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % health, timeout=1) as r:
                    ready = json.loads(r.read())
                    if ready.get("ready"):
                        break
            except Exception:  # not up yet
                pass
            time.sleep(0.2)
        c.check(ready and ready.get("ready"), "the bridge as fleet-a never became ready: %s" % ready)
        ask = subprocess.run([binary["roundtable"], "ask", "security.briefing", "--wait", "30s"], capture_output=True, text=True,
                             timeout=60, env=fleet_a)
        c.check(ask.returncode == 0 and ask.stdout.strip(), "a task asked as fleet-a got no result: %s" % (ask.stdout + ask.stderr)[-400:])
        listed = subprocess.run([binary["roundtable"], "consumers", "--json"], capture_output=True, text=True, timeout=60, env=fleet_a)
        try:
            rows = {r["name"]: r for r in json.loads(listed.stdout)["consumers"]}
        except (ValueError, KeyError, TypeError):
            rows = {}
        c.check(listed.returncode == 0 and rows.get("fleet-a-galahad-security", {}).get("alive") is True and len(rows) == 1,
                "`roundtable consumers` as fleet-a does not show galahad's live consumer alone: %s" % (listed.stdout + listed.stderr)[-400:])
        check_lead_peer_request(port, binary, base, root, children, logs)
        print("  real binaries: streams apply refused for fleet-a, done by admin-fleet-a; bridge + gateway as fleet-a ready; "
              "`roundtable ask security.briefing` answered; `roundtable consumers` lists galahad's consumer alive; "
              "fleet-b's real lead answered fleet-a's peer request")
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        logs.close()
    with open(os.path.join(root, "nats.log")) as f:
        f.seek(log_mark)
        violations = [l for l in f if "Violation" in l]
    c.check(not violations, "the bridge, gateway or CLI hit permission violations as fleet-a:\n    " + "    ".join(violations[:5]))


def main():
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not os.access(server, os.X_OK):
        sys.exit("nats-server not found: install the Debian package nats-server (make deps)")
    root = tempfile.mkdtemp(prefix="rt-nats-perm-")
    port, monitor = free_port(), free_port()
    conf, fleets = server_config(root, port, monitor)
    c.check(len(fleets) >= 2, "auth.conf should define at least two fleet users to show isolation, found %s" % fleets)
    log = open(os.path.join(root, "nats.log"), "w")
    proc = subprocess.Popen([server, "-c", conf], env=dict(os.environ, POD_NAME="nats-0", **PASSWORDS), stdout=log, stderr=log)
    try:
        if not c.check(wait_for_port(port), "nats-server did not start with the rendered config:\n" + open(os.path.join(root, "nats.log")).read()[-800:]):
            c.finish()
        print("nats-server %d started with the rendered nats.conf + auth.conf (fleet users %s)" % (port, ", ".join(fleets)))
        check_core_subjects(port, fleets)
        check_jetstream(port)
        check_account_isolation(port)
        check_peer_request(port)
        check_real_binaries(port, monitor, root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
