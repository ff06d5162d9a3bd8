#!/usr/bin/python3
"""Checks every knight workspace and runs every skill for real: valid input, bad input, and
shell metacharacters as data. home-scene runs against a real redis-server."""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import yaml

FAILURES = []
IDENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def check(condition, message):
    if not condition:
        FAILURES.append(message)


def front_matter(path):
    text = open(path, encoding="utf-8").read()
    check(text.startswith("---"), "%s: no front matter" % path)
    return yaml.safe_load(text.split("---")[1])


def run_skill(skill_dir, command, payload, env=None):
    result = subprocess.run([os.path.join(skill_dir, command[0])] + command[1:], cwd=skill_dir, input=payload,
                            capture_output=True, text=True, timeout=20,
                            env=dict({"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.path.dirname(os.path.dirname(skill_dir))}, **(env or {})))
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    knights = sorted(d for d in glob.glob("knights/*") if os.path.isdir(d) and not d.endswith("template"))
    check(len(knights) >= 6, "expected the six seed knights, found %s" % knights)
    port = free_port()
    redis = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    redis_env = {"REDIS_URL": "redis://127.0.0.1:%d" % port, "FLEET_ID": "fleet-a"}
    runs = 0
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        for knight in knights:
            name = os.path.basename(knight)
            config = yaml.safe_load(open(os.path.join(knight, "knight.yaml")))
            check(config.get("name") == name, "%s: name %s differs from its folder" % (knight, config.get("name")))
            for key in ("fleet", "role", "domains", "model", "limits", "memory"):
                check(key in config, "%s: knight.yaml lacks %s" % (knight, key))
            check(all(IDENT.match(d) for d in config.get("domains", [])), "%s: bad domain identifiers" % knight)
            for f in ("SOUL.md", "MEMORY.md"):
                check(os.path.getsize(os.path.join(knight, f)) > 40, "%s: %s is empty" % (knight, f))
            check(len(open(os.path.join(knight, "SOUL.md")).read().splitlines()) >= 15, "%s: SOUL.md is too thin" % knight)
            if config.get("role") == "lead":
                check(len(config.get("delegates", [])) >= 3, "%s: a lead needs delegates" % knight)
                continue
            check(config.get("skills"), "%s: a knight needs at least one skill" % knight)
            for skill in config.get("skills") or []:
                skill_dir = os.path.abspath(os.path.join(knight, "skills", skill))
                meta = front_matter(os.path.join(skill_dir, "SKILL.md"))
                check(meta.get("name") == skill, "%s: SKILL.md name %s" % (skill_dir, meta.get("name")))
                command = meta.get("command") or []
                script = os.path.join(skill_dir, command[0]) if command else ""
                check(os.access(script, os.X_OK), "%s: command %s is not executable" % (skill_dir, command))
                good = run_skill(skill_dir, command, "{}", redis_env)
                runs += 1
                check(good.returncode == 0, "%s: failed on {}: %s" % (skill, good.stderr))
                if good.returncode == 0:
                    check(isinstance(json.loads(good.stdout), dict), "%s: output is not one JSON object" % skill)
                bad = run_skill(skill_dir, command, "[1, 2]", redis_env)
                runs += 1
                check(bad.returncode == 2 and "error" in json.loads(bad.stderr or "{}"), "%s: bad input not refused with exit 2" % skill)
                wrong = run_skill(skill_dir, command, "not json", redis_env)
                runs += 1
                check(wrong.returncode == 2, "%s: non-JSON input not refused" % skill)
        # Content checks on real data.
        cve = run_skill(os.path.abspath("knights/galahad/skills/cve-lookup"), ["./cve_lookup.py"], json.dumps({"product": "openssh"}))
        ids = [e["id"] for e in json.loads(cve.stdout)["entries"]]
        check(ids and all(e["product"] == "openssh" for e in json.loads(cve.stdout)["entries"]), "cve-lookup returned %s for openssh" % ids)
        evil = run_skill(os.path.abspath("knights/galahad/skills/cve-lookup"), ["./cve_lookup.py"], json.dumps({"product": "\"; rm -rf / #$(reboot)"}))
        check(evil.returncode == 0 and json.loads(evil.stdout)["matches"] == 0, "metacharacters were not treated as data")
        mail = json.loads(run_skill(os.path.abspath("knights/percival/skills/mail-triage"), ["./mail_triage.py"], "{}").stdout)
        urgent = [m["subject"] for m in mail["messages"] if m["category"] == "urgent"]
        check(any("Final notice" in s for s in urgent), "mail-triage missed the overdue invoice: %s" % urgent)
        check(mail["counts"]["fyi"] >= 1, "mail-triage found no FYI mail")
        health = json.loads(run_skill(os.path.abspath("knights/tristan/skills/host-health"), ["./host_health.py"], "{}").stdout)
        check(health["checks"][0]["value"] >= 0 and health["status"] in ("ok", "warn", "critical"), "host-health gave %s" % health)
        scene_dir = os.path.abspath("knights/lancelot/skills/home-scene")
        set_scene = json.loads(run_skill(scene_dir, ["./home_scene.py"], json.dumps({"set": "evening"}), redis_env).stdout)
        check(set_scene["store"] == "redis" and set_scene["state"]["scene"] == "evening", "home-scene did not store in Redis: %s" % set_scene)
        stored = subprocess.run([shutil.which("redis-cli") or "/usr/bin/redis-cli", "-p", str(port), "GET", "rt:fleet-a:shared:home-scene"],
                                capture_output=True, text=True).stdout
        check('"scene": "evening"' in stored, "Redis holds %r" % stored)
        read_back = json.loads(run_skill(scene_dir, ["./home_scene.py"], "{}", redis_env).stdout)
        check(read_back["state"]["scene"] == "evening" and not read_back["changed"], "home-scene read back %s" % read_back)
        refused = run_skill(scene_dir, ["./home_scene.py"], json.dumps({"set": "party; reboot"}), redis_env)
        check(refused.returncode == 2, "home-scene accepted an unknown scene")
        digest = json.loads(run_skill(os.path.abspath("knights/gawain/skills/news-digest"), ["./news_digest.py"], json.dumps({"topics": ["k3s"]})).stdout)
        check(len(digest["items"]) == 1 and "k3s" in digest["items"][0]["title"], "news-digest ranked %s" % digest)
        template = yaml.safe_load(open("knights/template/knight.yaml"))
        check(template["name"] == "__NAME__" and template["domains"] == ["__DOMAIN__"], "the template lost its placeholders")
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    print("checked %d knights, ran skills %d times" % (len(knights), runs + 8))
    if FAILURES:
        print("FAILED:\n  " + "\n  ".join(FAILURES))
        sys.exit(1)
    print("all knight checks passed")


if __name__ == "__main__":
    main()
