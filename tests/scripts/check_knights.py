#!/usr/bin/python3
"""Checks every knight workspace under knights/ and runs every skill for real.

Called by tests/scripts/test_knight_skills.sh (cwd = repo root) with REDIS_PORT set to a
running redis-server. Part 1 checks the files (knight.yaml, SOUL.md, MEMORY.md, SKILL.md front
matter, executables, ConfigMap-safe names). Part 2 runs each skill the way knight-gateway
does (argv without a shell, cwd = skill folder, JSON on stdin, scrubbed environment, HOME =
a scratch copy of the workspace) with valid input, bad input and shell metacharacters.
Part 3 asserts on the real content of every skill's answer."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

IDENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DURATION = re.compile(r"^\d+(ms|s|m|h)$")
DATE_LINE = re.compile(r"^- \d{4}-\d{2}-\d{2}: \S")
CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
SEED = ["galahad", "percival", "gawain", "tristan", "lancelot", "tim"]
FAILURES = []
STATS = {"checks": 0, "runs": 0}
SCRATCH = tempfile.mkdtemp(prefix="rt-knights-")
REDIS_PORT = os.environ.get("REDIS_PORT", "")


def check(condition, message):
    STATS["checks"] += 1
    if not condition:
        FAILURES.append(message)
    return bool(condition)


def front_matter(path):
    text = open(path, encoding="utf-8").read()
    if not check(text.startswith("---\n") and "\n---" in text[4:], "%s: no front matter between --- lines" % path):
        return {}, ""
    head, _, body = text[4:].partition("\n---")
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        check(False, "%s: front matter is not YAML: %s" % (path, exc))
        return {}, ""
    check(isinstance(meta, dict), "%s: front matter is not a mapping" % path)
    return meta if isinstance(meta, dict) else {}, body


# ---------------------------------------------------------------- part 1: the files

def check_workspace(folder, config, expect_name):
    where = folder
    check(config.get("name") == expect_name, "%s: name %r differs from its folder" % (where, config.get("name")))
    for key in ("name", "fleet", "role", "domains", "capabilities", "model", "subagents", "limits", "skills", "memory"):
        check(key in config, "%s: knight.yaml lacks %r" % (where, key))
    check(IDENT.match(str(config.get("name", ""))), "%s: name is not an identifier" % where)
    check(IDENT.match(str(config.get("fleet", ""))), "%s: fleet is not an identifier" % where)
    check(config.get("role") in ("knight", "lead"), "%s: role must be knight or lead" % where)
    domains = config.get("domains") or []
    check(isinstance(domains, list) and domains and all(IDENT.match(str(d)) for d in domains), "%s: bad domains %r" % (where, domains))
    for capability in config.get("capabilities") or []:
        domain, _, action = str(capability).partition(".")
        check(domain in domains and IDENT.match(action or "-"), "%s: capability %r is not <own domain>.<action>" % (where, capability))
    model = config.get("model") or {}
    check(model.get("provider") in ("anthropic", "openai", "offline"), "%s: model.provider %r" % (where, model.get("provider")))
    check(isinstance(model.get("name"), str) and model["name"], "%s: model.name missing" % where)
    check(isinstance(model.get("max_tokens"), int) and model["max_tokens"] > 0, "%s: model.max_tokens must be a positive integer" % where)
    check(isinstance(model.get("fallbacks", []), list), "%s: model.fallbacks must be a list" % where)
    limits = config.get("limits") or {}
    for key in ("requests_per_minute", "tokens_per_day", "max_tool_iterations"):
        check(isinstance(limits.get(key), int) and limits[key] >= 0, "%s: limits.%s must be a number" % (where, key))
    check(isinstance((config.get("memory") or {}).get("max_bytes"), int), "%s: memory.max_bytes must be a number" % where)
    skills = config.get("skills")
    check(isinstance(skills, list) and all(IDENT.match(str(s)) for s in skills), "%s: skills must be a list of identifiers" % where)
    if config.get("role") == "knight":
        check(skills, "%s: a knight needs at least one real skill" % where)
        check("%s.briefing" % domains[0] in (config.get("capabilities") or []) if domains else False,
              "%s: a knight must answer <domain>.briefing" % where)
    # The system prompt and the starting memory.
    soul = open(os.path.join(folder, "SOUL.md"), encoding="utf-8").read()
    lines = soul.splitlines()
    check(lines and lines[0].startswith("# "), "%s: SOUL.md must open with a '# ' title (the offline answer uses it)" % where)
    check(40 <= len(lines) <= 100, "%s: SOUL.md has %d lines, expected 40-100" % (where, len(lines)))
    for section in ("## Never", "## Rules", "Answer format"):
        check(section in soul, "%s: SOUL.md has no %r section" % (where, section))
    memory = [l for l in open(os.path.join(folder, "MEMORY.md"), encoding="utf-8").read().splitlines() if l.strip()]
    check(memory and all(DATE_LINE.match(l) for l in memory), "%s: MEMORY.md lines must read '- YYYY-MM-DD: ...'" % where)
    # Skills: front matter, schema, an executable command that stays inside the workspace.
    found = {}
    for skill in skills or []:
        skill_dir = os.path.join(folder, "skills", skill)
        if not check(os.path.isfile(os.path.join(skill_dir, "SKILL.md")), "%s: skills/%s/SKILL.md is missing" % (where, skill)):
            continue
        meta, body = front_matter(os.path.join(skill_dir, "SKILL.md"))
        check(meta.get("name") == skill, "%s/%s: SKILL.md name %r differs from the folder" % (where, skill, meta.get("name")))
        check(isinstance(meta.get("description"), str) and len(meta["description"]) > 30, "%s/%s: description too short" % (where, skill))
        check(len(body.strip()) > 100, "%s/%s: SKILL.md body should say when to use the skill" % (where, skill))
        schema = meta.get("input") or {}
        check(schema.get("type") == "object" and isinstance(schema.get("properties"), dict),
              "%s/%s: input must be {type: object, properties: ...}" % (where, skill))
        check(set(schema.get("required", [])) <= set(schema.get("properties") or {}), "%s/%s: required names unknown properties" % (where, skill))
        check(DURATION.match(str(meta.get("timeout", ""))), "%s/%s: timeout %r is not a duration" % (where, skill, meta.get("timeout")))
        command = meta.get("command")
        if not check(isinstance(command, list) and command and all(isinstance(c, str) for c in command),
                     "%s/%s: command must be an argv list" % (where, skill)):
            continue
        script = os.path.realpath(os.path.join(skill_dir, command[0]))
        check(script.startswith(os.path.realpath(folder) + os.sep), "%s/%s: command leaves the workspace" % (where, skill))
        check(os.path.isfile(script) and os.access(script, os.X_OK), "%s/%s: %s is not an executable file" % (where, skill, command[0]))
        if os.path.isfile(script):
            first = open(script, "rb").readline()
            check(first in (b"#!/usr/bin/env python3\n", b"#!/bin/sh\n"), "%s/%s: %s needs a #!/usr/bin/env python3 line" % (where, skill, command[0]))
        found[skill] = (meta, schema)
    # Every file must fit the deploy's ConfigMap keys (path with / -> __, no __ of its own).
    for root, _, files in os.walk(folder):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), folder)
            check("__" not in rel and CONFIGMAP_KEY.match(rel.replace(os.sep, "__")) and len(rel) < 250,
                  "%s: %s cannot be a ConfigMap key" % (where, rel))
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(folder) for f in fs)
    check(size < 900 * 1024, "%s: %d bytes will not fit in one ConfigMap" % (where, size))
    return found


# ---------------------------------------------------------------- part 2: running skills

def scratch_copy(folder, name):
    target = os.path.join(SCRATCH, name)
    if not os.path.exists(target):
        shutil.copytree(folder, target)
    return target


def run(workspace, skill, payload, redis=True, extra_env=None, args=None):
    """Runs a skill exactly as knight-gateway does. payload: a dict (sent as JSON) or raw text."""
    meta = yaml.safe_load(open(os.path.join(workspace, "skills", skill, "SKILL.md")).read().split("---")[1])
    skill_dir = os.path.join(workspace, "skills", skill)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC", "HOME": workspace,
           "FLEET_ID": "fleet-a", "AGENT_ID": os.path.basename(workspace)}
    if redis and REDIS_PORT:
        env["REDIS_URL"] = "redis://127.0.0.1:%s" % REDIS_PORT
    env.update(extra_env or {})
    stdin = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    STATS["runs"] += 1
    try:
        result = subprocess.run(meta["command"] + (args or []), cwd=skill_dir, input=stdin.encode(), capture_output=True,
                                env=env, timeout=15)
    except (OSError, subprocess.TimeoutExpired) as exc:  # not executable, no interpreter, hung
        return 126, None, "", "cannot run %s: %s" % (skill, exc)
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    parsed = None
    if result.returncode == 0:
        try:
            parsed = json.loads(out)
        except ValueError:
            pass
    return result.returncode, parsed, out, err


def json_error(err):
    try:
        value = json.loads(err.strip().splitlines()[-1])
        return isinstance(value, dict) and isinstance(value.get("error"), str)
    except (ValueError, IndexError):
        return False


WRONG = {"string": 12345, "integer": "seven", "number": "seven", "boolean": "yes", "array": "not-a-list", "object": ["not", "an", "object"]}
VALID_SAMPLES = {"example": {"text": "hello"}, "mail-read": None}  # mail-read gets a real id below


def generic_runs(workspace, skill, schema, valid):
    where = "%s/%s" % (os.path.basename(workspace), skill)
    code, parsed, out, err = run(workspace, skill, valid)
    if check(code == 0, "%s: valid input %s failed (%d): %s" % (where, valid, code, err.strip())):
        check(isinstance(parsed, dict), "%s: stdout is not one JSON object: %r" % (where, out[:200]))
        check(isinstance((parsed or {}).get("summary"), str) and parsed["summary"], "%s: output has no summary line" % where)
    for bad, why in (("[1, 2]", "a JSON array"), ("not json", "text that is not JSON"), ('"string"', "a JSON string"),
                     ({"no_such_field": 1}, "an unknown field")):
        code, _, _, err = run(workspace, skill, bad)
        check(code == 2 and json_error(err), "%s: %s was not refused with exit 2 and a JSON error (exit %d, %r)" % (where, why, code, err[:200]))
    for prop, spec in (schema.get("properties") or {}).items():
        if spec.get("type") in WRONG:
            wrong = dict(valid, **{prop: WRONG[spec["type"]]})
            code, _, _, err = run(workspace, skill, wrong)
            check(code == 2 and json_error(err), "%s: %s of the wrong type was not refused with exit 2 (exit %d)" % (where, prop, code))
    for prop in schema.get("required", []):
        missing = {k: v for k, v in valid.items() if k != prop}
        code, _, _, err = run(workspace, skill, missing)
        check(code == 2 and json_error(err) and prop in err, "%s: missing %s was not refused with exit 2 naming it" % (where, prop))


# ---------------------------------------------------------------- part 3: real content

def galahad(ws):
    feed = json.load(open(os.path.join(ws, "data", "cve-feed.json")))["entries"]
    check(len(feed) >= 15 and len({e["id"] for e in feed}) == len(feed), "galahad: the feed needs ~20 distinct entries")
    _, res, _, _ = run(ws, "cve-lookup", {"product": "openssh"})
    ids = {e["id"] for e in res["entries"]}
    expected = {e["id"] for e in feed if "openssh" in e["product"]}
    check(ids == expected and ids == {"CVE-2026-10412", "CVE-2026-10377"}, "cve-lookup openssh returned %s, expected %s" % (ids, expected))
    check(all(e["product"] == "openssh" for e in res["entries"]) and res["matches"] == len(expected), "cve-lookup openssh returned other products")
    by_id = {e["id"]: e for e in res["entries"]}
    check("edge-gw" in by_id["CVE-2026-10412"]["status"] and "hearth" not in by_id["CVE-2026-10412"]["status"],
          "cve-lookup: 9.9p1 on edge-gw is affected and 9.9p3 on hearth is not: %s" % by_id["CVE-2026-10412"]["status"])
    _, res, _, _ = run(ws, "cve-lookup", {"estate_only": True, "limit": 50})
    ids = [e["id"] for e in res["entries"]]
    check("CVE-2026-11005" in ids and "CVE-2026-11020" not in ids, "cve-lookup estate_only: %s" % ids)
    check(res["entries"][0]["exploited"] and all(e["status"].startswith("AFFECTED") for e in res["entries"]), "cve-lookup: most urgent first")
    check("act first" in res["summary"], "cve-lookup summary names what to act on: %s" % res["summary"])
    _, res, _, _ = run(ws, "cve-lookup", {"min_severity": "critical"})
    check(res["entries"] and all(e["severity"] == "critical" for e in res["entries"]), "cve-lookup min_severity critical")
    _, res, _, _ = run(ws, "cve-lookup", {"id": "cve-2026-10890"})
    check([e["id"] for e in res["entries"]] == ["CVE-2026-10890"] and "1.27.3" in res["entries"][0]["remediation"], "cve-lookup by id")
    code, _, _, err = run(ws, "cve-lookup", {"id": "10890; ls"})
    check(code == 2 and json_error(err), "cve-lookup accepted a malformed id")
    code, _, _, err = run(ws, "cve-lookup", {"min_severity": "apocalyptic"})
    check(code == 2, "cve-lookup accepted an unknown severity")
    # Shell metacharacters are data: no match, nothing run, nothing deleted.
    canary = os.path.join(SCRATCH, "canary")
    open(canary, "w").close()
    for evil in ('"; rm -rf %s #' % canary, "$(rm %s)" % canary, "`rm %s`" % canary, "openssh | rm %s" % canary):
        code, res, _, err = run(ws, "cve-lookup", {"product": evil, "keyword": evil})
        check(code == 0 and res["matches"] == 0 and res["entries"] == [], "cve-lookup did not treat %r as data: %s %s" % (evil, res, err))
    check(os.path.exists(canary), "a metacharacter input deleted the canary file")


def percival(ws):
    _, res, _, _ = run(ws, "mail-triage", {})
    by_subject = {m["subject"]: m for m in res["messages"]}
    category = lambda part: next((m["category"] for s, m in by_subject.items() if part in s), None)
    check(len(res["messages"]) == 10 and sum(res["counts"].values()) == 10, "mail-triage should see the 10 shipped messages")
    check(category("Final notice") == "urgent", "mail-triage: the overdue invoice is urgent, got %s" % category("Final notice"))
    check(category("pick up Mia") == "urgent", "mail-triage: a same-day request from a VIP is urgent")
    check(category("consent form") == "urgent", "mail-triage: the school's action-required mail is urgent")
    check(category("Board games") == "needs-reply" and category("confirm your appointment") == "needs-reply",
          "mail-triage: questions to the owner need a reply")
    check(category("account is suspended") == "suspicious", "mail-triage: the lookalike bank mail is suspicious, got %s" % category("suspended"))
    check(category("Weekly Byte") is None and category("today only 40% off") == "fyi", "mail-triage: a newsletter saying 'today' is still fyi")
    check(category("Run failed") == "fyi" and category("parcel") == "fyi", "mail-triage: notifications are fyi")
    check(res["messages"][0]["category"] == "urgent" and res["messages"][-1]["category"] == "fyi", "mail-triage: urgent first, fyi last")
    _, only, _, _ = run(ws, "mail-triage", {"category": "urgent", "folder": "new"})
    check(only["messages"] and all(m["category"] == "urgent" and not m["seen"] for m in only["messages"]), "mail-triage category/folder filters")
    invoice = next(m["id"] for m in res["messages"] if "Final notice" in m["subject"])
    code, mail, _, err = run(ws, "mail-read", {"id": invoice})
    check(code == 0 and "NE-2026-1187" in mail["body"] and mail["folder"] == "new", "mail-read did not return the invoice: %s" % err)
    generic_runs(ws, "mail-read", {"type": "object", "properties": {"id": {"type": "string"}, "max_chars": {"type": "integer"}},
                                   "required": ["id"]}, {"id": invoice})
    for evil in ("../../knight.yaml", "../mailbox.json", "/etc/passwd", invoice + "; cat /etc/passwd", "new/" + invoice):
        code, _, _, err = run(ws, "mail-read", {"id": evil})
        check(code == 2 and json_error(err) and "root:" not in err, "mail-read accepted %r" % evil)


def gawain(ws):
    _, res, _, _ = run(ws, "news-digest", {"topics": ["k3s"]})
    check(res["matches"] == 1 and "k3s" in res["items"][0]["title"], "news-digest k3s: %s" % [i["title"] for i in res["items"]])
    _, res, _, _ = run(ws, "news-digest", {"limit": 30})
    titles = [i["title"] for i in res["items"]]
    scores = [i["score"] for i in res["items"]]
    check(scores == sorted(scores, reverse=True) and len(titles) >= 5, "news-digest: items ranked by score")
    check(not any("Celebrity" in t for t in titles), "news-digest: muted topics leaked: %s" % titles)
    check(any("Home Assistant" in t for t in titles[:3]), "news-digest: the Home Assistant fix should rank high: %s" % titles[:3])
    _, res, _, _ = run(ws, "news-digest", {"topics": ["energy"], "source": "Grid Watch"})
    check(res["items"] and all(i["source"] == "Grid Watch" for i in res["items"]), "news-digest source filter")
    for evil in ('"; rm -rf / #', ".*", "(", "$(reboot)"):
        code, res, _, err = run(ws, "news-digest", {"topics": [evil]})
        check(code == 0 and res["matches"] == 0, "news-digest did not treat %r as literal text: %s" % (evil, err))
    code, _, _, _ = run(ws, "news-digest", {"topics": []})
    check(code == 2, "news-digest accepted an empty topic list")


def tristan(ws):
    _, res, _, _ = run(ws, "host-health", {})
    check(res["status"] in ("ok", "warn", "critical"), "host-health status %r" % res["status"])
    load = res["load"]
    check(all(isinstance(load[k], float) and load[k] >= 0 for k in ("1m", "5m", "15m")) and load["cpus"] >= 1, "host-health load: %s" % load)
    mem = res["memory"]
    check(mem["total_mib"] > 0 and 0 <= mem["available_pct"] <= 100, "host-health memory: %s" % mem)
    real_total = int(open("/proc/meminfo").readline().split()[1]) // 1024
    check(abs(mem["total_mib"] - real_total) <= 1, "host-health memory total %s differs from /proc/meminfo %s" % (mem["total_mib"], real_total))
    check(res["uptime_seconds"] > 0 and res["disks"] and 0 <= res["disks"][0]["used_pct"] <= 100, "host-health uptime/disks: %s" % res)
    check({c["check"] for c in res["checks"]} >= {"load", "memory", "uptime"}, "host-health checks: %s" % res["checks"])
    # A sick machine, from a fake proc tree: every threshold must fire.
    fake = os.path.join(SCRATCH, "proc")
    os.makedirs(os.path.join(fake, "sys", "kernel"), exist_ok=True)
    open(os.path.join(fake, "loadavg"), "w").write("512.00 480.50 300.25 9/900 4242\n")
    open(os.path.join(fake, "meminfo"), "w").write("MemTotal: 1000000 kB\nMemFree: 10000 kB\nMemAvailable: 30000 kB\n"
                                                   "SwapTotal: 100000 kB\nSwapFree: 10000 kB\n")
    open(os.path.join(fake, "uptime"), "w").write("120.50 100.00\n")
    open(os.path.join(fake, "sys", "kernel", "hostname"), "w").write("sickbox\n")
    code, res, _, err = run(ws, "host-health", {"thresholds": {"disk_used_warn_pct": 0}}, args=["--proc", fake])
    if check(code == 0, "host-health on a fake /proc failed: %s" % err):
        status = {c["check"]: c["status"] for c in res["checks"]}
        check(res["status"] == "critical" and res["host"] == "sickbox", "host-health fake: %s" % res["summary"])
        check(status["load"] == "critical" and status["memory"] == "critical" and status["swap"] == "critical", "host-health fake: %s" % status)
        check(status["uptime"] == "warn" and any(k.startswith("disk") and v != "ok" for k, v in status.items()), "host-health fake: %s" % status)
        check(res["memory"]["available_pct"] == 3.0 and res["load"]["5m"] == 480.5, "host-health fake numbers: %s" % res)
    for bad in ({"paths": ["relative/path"]}, {"paths": ["/; rm -rf /"] * 9}, {"thresholds": {"load_per_cpu_warn": -1}},
                {"thresholds": {"nonsense": 1}}):
        code, _, _, err = run(ws, "host-health", bad)
        check(code == 2 and json_error(err), "host-health accepted %s" % bad)
    code, res, _, _ = run(ws, "host-health", {"paths": ["/no/such/dir; rm -rf /"]})
    check(code == 0 and any("cannot stat" in c["detail"] for c in res["checks"]), "host-health: a missing path is a finding, not a crash")


def lancelot(ws):
    code, res, _, err = run(ws, "home-scene", {"action": "list"})
    check(code == 0 and {s["scene"] for s in res["scenes"]} >= {"morning", "away", "evening", "night"}, "home-scene list: %s" % err)
    if not check(REDIS_PORT, "REDIS_PORT is not set: home-scene cannot be checked against Redis"):
        return
    code, res, _, err = run(ws, "home-scene", {"action": "set", "scene": "night", "by": "alex"})
    check(code == 0 and res["store"] == "redis" and res["scene"] == "night", "home-scene set night: %s %s" % (res, err))
    code, res, _, err = run(ws, "home-scene", {"action": "set", "scene": "evening", "by": "tim"})
    check(code == 0 and res["changed"] and res["previous"] == "night", "home-scene set evening: %s %s" % (res, err))
    code, res, _, err = run(ws, "home-scene", {})
    check(code == 0 and res["scene"] == "evening" and res["set_by"] == "tim" and not res["changed"], "home-scene read back: %s" % res)
    check(res["key"] == "rt:fleet-a:shared:home-scene" and any(d["device"] == "heating" for d in res["devices"]), "home-scene devices: %s" % res)
    stored = subprocess.run(["redis-cli", "-p", REDIS_PORT, "GET", "rt:fleet-a:shared:home-scene"], capture_output=True, text=True).stdout
    check(json.loads(stored or "{}").get("scene") == "evening", "Redis holds %r" % stored)
    # Metacharacters and protocol injection are data.
    code, _, _, err = run(ws, "home-scene", {"action": "set", "scene": "evening; FLUSHALL"})
    check(code == 2 and json_error(err), "home-scene accepted an unknown scene")
    code, _, _, err = run(ws, "home-scene", {"scene": "movie", "by": "x\r\n*1\r\n$8\r\nFLUSHALL\r\n"})
    stored = subprocess.run(["redis-cli", "-p", REDIS_PORT, "GET", "rt:fleet-a:shared:home-scene"], capture_output=True, text=True).stdout
    check(code == 0 and json.loads(stored or "{}").get("set_by", "").endswith("FLUSHALL\r\n"), "home-scene: 'by' was not stored as data: %r" % stored)
    code, res, _, err = run(ws, "home-scene", {"scene": "evening", "by": "tim"})  # leave evening for the shell test
    check(code == 0 and res["previous"] == "movie", "home-scene restore evening: %s" % err)
    # Another fleet is another key.
    code, res, _, _ = run(ws, "home-scene", {}, extra_env={"FLEET_ID": "fleet-b"})
    check(code == 0 and res["scene"] is None and res["key"] == "rt:fleet-b:shared:home-scene", "home-scene leaked across fleets: %s" % res)
    # Redis configured but down: fail loudly, do not fork the state into a file.
    code, _, _, err = run(ws, "home-scene", {}, extra_env={"REDIS_URL": "redis://127.0.0.1:1"})
    check(code == 1 and json_error(err) and "unreachable" in err, "home-scene with Redis down: exit %d %s" % (code, err))
    # No REDIS_URL: a file under $HOME/.state, and the output says so.
    code, res, _, err = run(ws, "home-scene", {"scene": "away", "by": "alex"}, redis=False)
    check(code == 0 and res["store"] == "file" and "REDIS_URL is not set" in res["note"], "home-scene file fallback: %s %s" % (res, err))
    check(json.load(open(os.path.join(ws, ".state", "home-scene.json")))["scene"] == "away", "home-scene fallback file content")
    _, res, _, _ = run(ws, "home-scene", {}, redis=False)
    check(res["scene"] == "away", "home-scene fallback read back: %s" % res)


def template(ws):
    code, res, _, _ = run(ws, "example", {"text": "Hello knights; rm -rf /", "upper": True})
    check(code == 0 and res["echo"] == "HELLO KNIGHTS; RM -RF /" and res["words"] == 5, "example skill: %s" % res)


def main():
    knights = sorted(d for d in os.listdir("knights") if os.path.isdir(os.path.join("knights", d)))
    check(set(SEED + ["template"]) <= set(knights), "knights/ lacks some of %s" % SEED)
    configs, skills = {}, {}
    for name in knights:
        folder = os.path.join("knights", name)
        for f in ("knight.yaml", "SOUL.md", "MEMORY.md"):
            check(os.path.isfile(os.path.join(folder, f)) and os.path.getsize(os.path.join(folder, f)) > 0, "%s: %s missing or empty" % (folder, f))
        try:
            text = open(os.path.join(folder, "knight.yaml"), encoding="utf-8").read()
            if name == "template":
                check("name: __NAME__" in text and "domains: [__DOMAIN__]" in text, "template: placeholders __NAME__/__DOMAIN__ lost")
                check("__NAME__" in open(os.path.join(folder, "SOUL.md")).read(), "template: SOUL.md lacks __NAME__")
                text = text.replace("__NAME__", "template").replace("__DOMAIN__", "garden")
            config = yaml.safe_load(text)
        except (OSError, yaml.YAMLError) as exc:
            check(False, "%s: knight.yaml does not parse: %s" % (folder, exc))
            continue
        if not check(isinstance(config, dict), "%s: knight.yaml is not a mapping" % folder):
            continue
        configs[name] = config
        skills[name] = check_workspace(folder, config, name)
    # The lead: every delegate is a knight here that answers that task, and every knight is asked.
    lead = configs.get("tim", {})
    check(lead.get("role") == "lead", "tim must be the lead")
    delegates = lead.get("delegates") or []
    for d in delegates:
        target = configs.get(d.get("agent"), {})
        check(d.get("task") in (target.get("capabilities") or []), "tim delegates %s to %s, which does not answer it" % (d.get("task"), d.get("agent")))
    asked = {d.get("agent") for d in delegates}
    for name, config in configs.items():
        if config.get("role") == "knight" and name != "template":
            check(name in asked, "tim never asks %s for a briefing" % name)
    expected_domains = {"galahad": "security", "percival": "comms", "gawain": "intel", "tristan": "observability", "lancelot": "home", "tim": "lead"}
    for name, domain in expected_domains.items():
        check((configs.get(name, {}).get("domains") or [None])[0] == domain, "%s should serve domain %s" % (name, domain))

    # Every skill, the way the gateway runs it.
    for name in knights:
        if name not in configs:
            continue
        ws = scratch_copy(os.path.join("knights", name), name)
        for skill, (meta, schema) in skills[name].items():
            if skill == "mail-read":
                continue  # needs a real message id: percival() runs the same checks with one
            generic_runs(ws, skill, schema, VALID_SAMPLES.get(skill) or {})
    for name, fn in (("galahad", galahad), ("percival", percival), ("gawain", gawain), ("tristan", tristan),
                     ("lancelot", lancelot), ("template", template)):
        if name in configs:
            try:
                fn(os.path.join(SCRATCH, name))
            except Exception as exc:  # a crash in a content check is a failure, with its reason
                check(False, "%s content checks crashed: %r" % (name, exc))
    shutil.rmtree(SCRATCH, ignore_errors=True)
    print("checked %d workspaces: %d assertions, %d skill runs" % (len(configs), STATS["checks"], STATS["runs"]))
    if FAILURES:
        print("FAILED (%d):\n  %s" % (len(FAILURES), "\n  ".join(FAILURES)))
        sys.exit(1)
    print("all knight checks passed")


if __name__ == "__main__":
    main()
