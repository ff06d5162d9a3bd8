#!/usr/bin/env python3
"""A knight added by a commit starts with no image build.

In a scratch copy of the repository layout: `roundtable knight new` scaffolds a knight from
knights/template/, `kubectl kustomize` renders its folder, the ConfigMap it generates is laid
out the way the kubelet mounts a configMap volume (..data and a symlink per key), the
seed-workspace init container's own script (taken from the rendered Deployment) builds the
workspace from it, and the real knight-gateway starts on that workspace with the rendered
container's settings: /health answers 200, /webhook answers a task (offline provider), and
/metrics answers without token on the metrics listener the PodMonitor scrapes.
Then a commit that edits SOUL.md and drops a skill is rendered and seeded again over the same
workspace (a rollout on the same PVC): SOUL.md follows git, the skill is gone, and the MEMORY.md
line the knight learnt with `remember` is kept. Needs RT_BIN_DIR (roundtable, knight-gateway)."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import Checks, by_kind, env_of, free_port, kubectl  # noqa: E402

NAME, DOMAIN = "bedivere", "garden"
REPO = os.getcwd()
c = Checks("knight rollout")


def binary(name):
    path = os.path.join(os.environ.get("RT_BIN_DIR") or "build/bin", name)
    if not os.access(path, os.X_OK):
        sys.exit("%s is not built (set RT_BIN_DIR)" % path)
    return path


def render(folder):
    out = subprocess.run([kubectl(), "kustomize", folder], capture_output=True, text=True)
    if not c.check(out.returncode == 0, "kubectl kustomize %s failed: %s" % (folder, out.stderr[-800:])):
        c.finish()
    return by_kind([d for d in yaml.safe_load_all(out.stdout) if d])


def mount_configmap(configmap, target):
    """The kubelet's layout of a configMap volume: files in a timestamped dir, ..data pointing
    at it, and one symlink per key."""
    shutil.rmtree(target, ignore_errors=True)
    stamp = os.path.join(target, "..2026_11_29_00_00_00.000000000")
    os.makedirs(stamp)
    files = {k: v.encode() for k, v in configmap.get("data", {}).items()}
    files.update({k: base64.b64decode(v) for k, v in configmap.get("binaryData", {}).items()})
    for key, value in files.items():
        with open(os.path.join(stamp, key), "wb") as f:
            f.write(value)
    os.symlink(os.path.basename(stamp), os.path.join(target, "..data"))
    for key in files:
        os.symlink(os.path.join("..data", key), os.path.join(target, key))
    return files


def seed(index, config_dir, workspace):
    """Runs the rendered init container's script on the mounted ConfigMap."""
    dep = index["Deployment"]["%s-knight" % NAME]
    spec = dep["spec"]["template"]["spec"]
    init = {x["name"]: x for x in spec["initContainers"]}["seed-workspace"]
    cm_name = {v["name"]: v for v in spec["volumes"]}["config"]["configMap"]["name"]
    files = mount_configmap(index["ConfigMap"][cm_name], config_dir)
    env = dict(os.environ, **{k: v for k, v in env_of(init).items() if v is not None})
    env.update(CONFIG_DIR=config_dir, WORKSPACE_DIR=workspace)
    out = subprocess.run(init["command"] + init["args"], env=env, capture_output=True, text=True)
    c.check(out.returncode == 0, "the seed-workspace script failed: %s" % out.stderr[-800:])
    return cm_name, files, spec


def http(method, url, body=None, token=None):
    request = urllib.request.Request(url, method=method, data=body.encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return None, ""


def start_gateway(spec, workspace, logs):
    gateway = {x["name"]: x for x in spec["containers"]}["gateway"]
    env = {k: v for k, v in env_of(gateway).items() if v is not None and k != "REDIS_URL"}  # no Redis here
    listen, metrics = free_port(), free_port()
    env.update(PATH=os.environ["PATH"], WORKSPACE_DIR=workspace, GATEWAY_LISTEN="127.0.0.1:%d" % listen,
               GATEWAY_METRICS_LISTEN="127.0.0.1:%d" % metrics, GATEWAY_TOKEN="rollout-token", LLM_PROVIDER="offline")
    proc = subprocess.Popen([binary("knight-gateway")], env=env, stdout=logs, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d" % listen
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and proc.poll() is None:  # waits on the server, not on a clock
        status, _ = http("GET", base + "/health")
        if status == 200:
            break
        time.sleep(0.1)
    return proc, base, status, "http://127.0.0.1:%d" % metrics


def check_started(spec, workspace, logs_path):
    with open(logs_path, "w") as logs:
        proc, base, status, metrics = start_gateway(spec, workspace, logs)
    try:
        if not c.check(status == 200, "knight-gateway on the seeded workspace: /health is %s (exit %s): %s"
                       % (status, proc.poll(), open(logs_path).read()[-1500:])):
            return
        task = {"id": str(uuid.uuid4()), "version": "1.0", "type": "task.request", "from": "tim", "to": NAME,
                "fleet": "fleet-a", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "payload": {"task": "%s.briefing" % DOMAIN, "params": {}}}
        code, body = http("POST", base + "/webhook", json.dumps(task), token="rollout-token")
        answer = json.loads(body) if code == 200 else {}
        c.check(code == 200 and answer.get("status") == "completed" and NAME in json.dumps(answer),
                "/webhook on the new knight answered %s: %s" % (code, body[:400]))
        # What the PodMonitor scrapes: /metrics on GATEWAY_METRICS_LISTEN, without the token.
        code, body = http("GET", metrics + "/metrics")
        c.check(code == 200 and "# TYPE" in body, "/metrics on GATEWAY_METRICS_LISTEN answered %s without token: %s" % (code, body[:200]))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    scratch = tempfile.mkdtemp(prefix="rt-rollout-")
    try:
        shutil.copytree(os.path.join(REPO, "deploy", "knight-base"), os.path.join(scratch, "deploy", "knight-base"))
        shutil.copytree(os.path.join(REPO, "knights", "template"), os.path.join(scratch, "knights", "template"))
        knights = os.path.join(scratch, "knights")
        out = subprocess.run([binary("roundtable"), "knight", "new", NAME, "--domain", DOMAIN, "--dir", knights],
                             capture_output=True, text=True)
        c.check(out.returncode == 0, "roundtable knight new failed: %s" % (out.stdout + out.stderr)[-600:])
        folder = os.path.join(knights, NAME)
        index = render(folder)
        workspace, config_dir = os.path.join(scratch, "pvc"), os.path.join(scratch, "config")
        cm_name, files, spec = seed(index, config_dir, workspace)
        for key, value in files.items():
            path = os.path.join(workspace, *key.split("__"))
            c.check(os.path.isfile(path) and open(path, "rb").read() == value, "workspace file %s is not ConfigMap key %s" % (path, key))
        skills = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(workspace, "skills")) for f in fs]
        c.check(skills and all(os.access(p, os.X_OK) == (not p.endswith("SKILL.md")) for p in skills),
                "skill programs must be executable and SKILL.md not: %s" % skills)
        check_started(spec, workspace, os.path.join(scratch, "gateway-1.log"))
        # The knight learns a fact; then a commit edits SOUL.md and drops the example skill.
        with open(os.path.join(workspace, "MEMORY.md"), "a") as f:
            f.write("- 2026-11-29: the roses are pruned in March.\n")
        learnt = open(os.path.join(workspace, "MEMORY.md")).read()
        with open(os.path.join(folder, "SOUL.md"), "a") as f:
            f.write("\nEdited by a commit.\n")
        shutil.rmtree(os.path.join(folder, "skills", "example"))
        kfile = os.path.join(folder, "kustomization.yaml")
        kept = [l for l in open(kfile).read().splitlines(True) if "skills/example/" not in l]
        open(kfile, "w").writelines(kept)
        knight = os.path.join(folder, "knight.yaml")
        text = open(knight).read()
        c.check("skills: [example]" in text, "the template's knight.yaml no longer lists the example skill")
        with open(knight, "w") as f:
            f.write(text.replace("skills: [example]", "skills: []"))
        index = render(folder)
        new_cm, _, spec = seed(index, config_dir, workspace)
        c.check(new_cm != cm_name, "the edited knight renders the same ConfigMap name %s: no rollout" % cm_name)
        c.check(open(os.path.join(workspace, "MEMORY.md")).read() == learnt, "the rollout overwrote the learnt MEMORY.md")
        c.check(open(os.path.join(workspace, "SOUL.md")).read().endswith("Edited by a commit.\n"), "SOUL.md did not follow the commit")
        c.check(not os.path.exists(os.path.join(workspace, "skills", "example")), "a skill removed in git stays in the workspace")
        check_started(spec, workspace, os.path.join(scratch, "gateway-2.log"))
    finally:
        if not os.environ.get("KEEP_SCRATCH"): shutil.rmtree(scratch, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
