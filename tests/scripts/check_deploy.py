#!/usr/bin/python3
"""Checks the rendered Kubernetes manifests, the NATS permissions (for real, on a nats-server)
and the Dockerfiles. Run from the repository root; exits non-zero with the failures listed."""
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
CHECKS = 0


def check(condition, message):
    global CHECKS
    CHECKS += 1
    if not condition:
        FAILURES.append(message)


def kubectl():
    path = shutil.which("kubectl")
    if not path:
        sys.exit("kubectl not found: run `make deps` (Debian package kubernetes-client)")
    return path


def render(directory):
    result = subprocess.run([kubectl(), "kustomize", directory], capture_output=True, text=True)
    check(result.returncode == 0, "kubectl kustomize %s failed: %s" % (directory, result.stderr.strip()[-400:]))
    return [d for d in yaml.safe_load_all(result.stdout) if d] if result.returncode == 0 else []


def quantity_milli_cpu(text):
    text = str(text)
    return int(text[:-1]) if text.endswith("m") else int(float(text) * 1000)


def quantity_mib(text):
    text = str(text)
    for suffix, factor in (("Gi", 1024), ("Mi", 1), ("Ki", 1 / 1024)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text) / 2**20


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def seconds(duration):
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", duration)
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def check_knights(docs):
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    deployments = [d for d in by_kind.get("Deployment", {}).values()
                   if d["spec"]["template"]["metadata"]["labels"].get("roundtable.dev/role") == "knight"]
    check(len(deployments) == 6, "expected 6 knight Deployments, found %d" % len(deployments))
    filters = []
    for dep in deployments:
        name = dep["metadata"]["name"]
        spec = dep["spec"]["template"]["spec"]
        containers = {c["name"]: c for c in spec["containers"]}
        check(set(containers) == {"gateway", "bridge"}, "%s: containers are %s" % (name, sorted(containers)))
        bridge, gateway = containers.get("bridge", {}), containers.get("gateway", {})
        check(bridge.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", "%s: bridge readiness probe is not /readyz" % name)
        check(bridge.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", "%s: bridge liveness probe is not /healthz" % name)
        check(any(p.get("containerPort") == 8080 for p in bridge.get("ports", [])), "%s: bridge does not expose 8080" % name)
        check(env_of(gateway).get("GATEWAY_LISTEN") == "127.0.0.1:18789", "%s: gateway must listen on 127.0.0.1:18789" % name)
        cpu = sum(quantity_milli_cpu(c["resources"]["limits"]["cpu"]) for c in spec["containers"])
        mem = sum(quantity_mib(c["resources"]["limits"]["memory"]) for c in spec["containers"])
        check(cpu <= 100, "%s: CPU limits sum to %dm, over 100m" % (name, cpu))
        check(mem <= 256, "%s: memory limits sum to %.0fMi, over 256Mi" % (name, mem))
        for c in spec["containers"]:
            check("requests" in c["resources"], "%s/%s: no resource requests" % (name, c["name"]))
        check(spec.get("securityContext", {}).get("runAsNonRoot") is True, "%s: not runAsNonRoot" % name)
        for c in spec["containers"] + spec.get("initContainers", []):
            sc = c.get("securityContext", {})
            check(sc.get("readOnlyRootFilesystem") is True, "%s/%s: root filesystem not read-only" % (name, c["name"]))
            check(sc.get("allowPrivilegeEscalation") is False, "%s/%s: privilege escalation allowed" % (name, c["name"]))
        grace = seconds(env_of(bridge).get("SHUTDOWN_GRACE") or "25s")
        check(spec.get("terminationGracePeriodSeconds", 30) > grace, "%s: terminationGracePeriodSeconds not above SHUTDOWN_GRACE" % name)
        volumes = {v["name"]: v for v in spec["volumes"]}
        cm = volumes.get("config", {}).get("configMap", {}).get("name")
        check(cm in by_kind.get("ConfigMap", {}), "%s: ConfigMap %s is not rendered" % (name, cm))
        if cm in by_kind.get("ConfigMap", {}):
            check({"knight.yaml", "SOUL.md", "MEMORY.md"} <= set(by_kind["ConfigMap"][cm]["data"]), "%s: ConfigMap lacks workspace files" % name)
        pvc = volumes.get("workspace", {}).get("persistentVolumeClaim", {}).get("claimName")
        check(pvc in by_kind.get("PersistentVolumeClaim", {}), "%s: PVC %s is not rendered" % (name, pvc))
        sa = spec.get("serviceAccountName")
        check(sa in by_kind.get("ServiceAccount", {}), "%s: ServiceAccount %s is not rendered" % (name, sa))
        if sa in by_kind.get("ServiceAccount", {}):
            check(by_kind["ServiceAccount"][sa].get("automountServiceAccountToken") is False, "%s: service account token mounted" % sa)
        check(spec.get("automountServiceAccountToken") is False, "%s: pod mounts a service account token" % name)
        env = env_of(bridge)
        for domain in (env.get("TASK_DOMAINS") or "").split(","):
            filters.append((env.get("FLEET_ID"), domain, name))
        agent = env.get("AGENT_ID")
        check(agent and name.startswith(agent + "-"), "%s: bridge AGENT_ID %s does not match the knight" % (name, agent))
        knight_yaml = yaml.safe_load(by_kind["ConfigMap"][cm]["data"]["knight.yaml"]) if cm in by_kind.get("ConfigMap", {}) else {}
        check(knight_yaml.get("name") == agent, "%s: knight.yaml name %s != AGENT_ID %s" % (name, knight_yaml.get("name"), agent))
        check(sorted(knight_yaml.get("domains", [])) == sorted((env.get("TASK_DOMAINS") or "").split(",")),
              "%s: knight.yaml domains differ from TASK_DOMAINS" % name)
    subjects = ["%s.tasks.%s.>" % (f, d) for f, d, _ in filters]
    check(len(subjects) == len(set(subjects)), "consumer filter subjects overlap between knights: %s" % subjects)
    return by_kind


def check_policies(by_kind):
    policies = by_kind.get("NetworkPolicy", {})
    egress = policies.get("knights-egress")
    check(egress is not None, "no knights-egress NetworkPolicy")
    if egress:
        check(egress["spec"]["podSelector"]["matchLabels"] == {"roundtable.dev/role": "knight"}, "knights-egress selects the wrong pods")
        ports = sorted({p["port"] for rule in egress["spec"]["egress"] for p in rule.get("ports", [])})
        check(ports == [53, 443, 4222, 6379], "knights may reach ports %s, expected DNS, HTTPS, NATS, Redis" % ports)
        https = [r for r in egress["spec"]["egress"] if any(p["port"] == 443 for p in r["ports"])][0]
        check("10.0.0.0/8" in https["to"][0]["ipBlock"].get("except", []), "HTTPS egress must exclude private ranges")
    ingress = policies.get("knights-no-ingress")
    check(ingress is not None, "no knights-no-ingress NetworkPolicy")
    if ingress:
        check(ingress["spec"]["podSelector"]["matchLabels"] == {"roundtable.dev/role": "knight"}, "knights-no-ingress selects the wrong pods")
        rules = ingress["spec"].get("ingress", [])
        check(all(p["port"] == 8080 for r in rules for p in r.get("ports", [])) and all(r.get("ports") for r in rules),
              "knights accept ingress beyond the metrics port")
    nats_policy = policies.get("nats-from-roundtable")
    check(nats_policy is not None and nats_policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "nats"},
          "nats-from-roundtable must select the NATS pods")
    redis_policy = policies.get("redis-from-knights")
    check(redis_policy is not None and redis_policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "redis"},
          "redis-from-knights must select the Redis pods")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsClient:
    """Just enough of the NATS text protocol to see what the server permits."""

    def __init__(self, port, user, password):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("rb")
        self.file.readline()  # INFO
        connect = json.dumps({"user": user, "pass": password, "verbose": True, "pedantic": False})
        self.sock.sendall(("CONNECT %s\r\n" % connect).encode())
        self.connected = self.file.readline().startswith(b"+OK")

    def command(self, line, payload=None):
        data = line + "\r\n" + (payload + "\r\n" if payload is not None else "")
        self.sock.sendall(data.encode())
        return self.file.readline().decode().strip()


def check_nats_permissions(by_kind):
    auth = by_kind.get("ConfigMap", {}).get("nats-auth", {}).get("data", {}).get("auth.conf")
    check(auth is not None, "the nats-auth ConfigMap with auth.conf is not rendered")
    if auth is None:
        return
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    workdir = tempfile.mkdtemp(prefix="rt-nats-perm-")
    port = free_port()
    with open(os.path.join(workdir, "auth.conf"), "w") as f:
        f.write(auth)
    with open(os.path.join(workdir, "nats.conf"), "w") as f:
        f.write("listen: 127.0.0.1:%d\ninclude ./auth.conf\n" % port)
    env = dict(os.environ, FLEET_A_PASSWORD="pw-a", FLEET_B_PASSWORD="pw-b", ADMIN_PASSWORD="pw-admin")
    proc = subprocess.Popen([server, "-c", os.path.join(workdir, "nats.conf")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        a = NatsClient(port, "fleet-a", "pw-a")
        check(a.connected, "fleet-a cannot log in with its password")
        check(a.command("PUB fleet-a.tasks.security.briefing 2", "hi") == "+OK", "fleet-a may not publish its own tasks")
        check(a.command("SUB fleet-a.results.> 1") == "+OK", "fleet-a may not read its own results")
        check(a.command("PUB roundtable.events.fleet-a.task.claimed 2", "hi") == "+OK", "fleet-a may not publish its events")
        check(a.command("PUB roundtable.peer.fleet-b.request 2", "hi") == "+OK", "fleet-a may not ask fleet-b's lead")
        for line in ("PUB fleet-b.tasks.security.briefing 2", "PUB roundtable.events.fleet-b.task.claimed 2"):
            reply = a.command(line, "hi")
            check("Permissions Violation" in reply, "fleet-a was allowed: %s (%s)" % (line, reply))
        reply = a.command("SUB fleet-b.tasks.> 2")
        check("Permissions Violation" in reply, "fleet-a may subscribe to fleet-b.tasks.> (%s)" % reply)
        reply = a.command("SUB fleet-b.results.> 3")
        check("Permissions Violation" in reply, "fleet-a may read fleet-b's results (%s)" % reply)
        wrong = NatsClient(port, "fleet-a", "wrong")
        check(not wrong.connected, "a wrong password was accepted")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def check_dockerfiles():
    cmake = open("CMakeLists.txt").read()
    executables = set(re.findall(r"add_executable\((\S+)", cmake))
    built = set()
    for path in glob.glob("docker/*.Dockerfile"):
        text = open(path).read()
        stages = re.split(r"^FROM ", text, flags=re.M)[1:]
        check(len(stages) == 2, "%s: expected a build stage and a runtime stage" % path)
        for targets in re.findall(r"--target ([^\\&\n]+)", text):
            built.update(targets.split())
        runtime = stages[-1]
        check(re.search(r"^USER (?!0|root)", runtime, re.M) is not None, "%s: runtime stage runs as root" % path)
        check("HEALTHCHECK" not in text, "%s: HEALTHCHECK present (Kubernetes probes do that)" % path)
        check("org.opencontainers.image.title" in runtime, "%s: no OCI labels" % path)
        check("-dev" not in runtime, "%s: runtime stage installs -dev packages" % path)
        for dev, runtime_pkg in (("libnats-dev", "libnats3.4"), ("libcpp-httplib-dev", "libcpp-httplib0.11"),
                                 ("libspdlog-dev", "libspdlog1.10"), ("libhiredis-dev", "libhiredis0.14"),
                                 ("libyaml-cpp-dev", "libyaml-cpp0.7"), ("libssl-dev", "libssl3")):
            check(dev in stages[0], "%s: build stage lacks %s" % (path, dev))
            check(runtime_pkg in runtime, "%s: runtime stage lacks %s" % (path, runtime_pkg))
    check({"nats-bridge", "knight-gateway"} <= built, "Dockerfiles build %s, need nats-bridge and knight-gateway" % sorted(built))
    check(built <= executables, "Dockerfiles build targets CMake does not define: %s" % sorted(built - executables))
    check(os.path.exists(".dockerignore"), "no .dockerignore")


def main():
    directories = sorted({os.path.dirname(p) for p in glob.glob("deploy/**/kustomization.yaml", recursive=True)} |
                         {os.path.dirname(p) for p in glob.glob("knights/*/kustomization.yaml")})
    for directory in directories:
        render(directory)
    docs = render("deploy/overlays/homelab")
    by_kind = check_knights(docs)
    check_policies(by_kind)
    check_nats_permissions(by_kind)
    check_dockerfiles()
    plain = render("deploy/overlays/homelab-plain")
    check(any(d["kind"] == "StatefulSet" and d["metadata"]["name"] == "nats" for d in plain), "homelab-plain has no NATS StatefulSet")
    scaled = render("deploy/overlays/homelab-autoscale")
    objects = [d for d in scaled if d["kind"] == "ScaledObject"]
    check(len(objects) == 6, "expected 6 ScaledObjects, found %d" % len(objects))
    deployments = {d["metadata"]["name"] for d in scaled if d["kind"] == "Deployment"}
    for so in objects:
        check(so["spec"]["scaleTargetRef"]["name"] in deployments, "%s scales a missing Deployment" % so["metadata"]["name"])
    print("rendered %d kustomizations, ran %d checks" % (len(directories), CHECKS))
    if FAILURES:
        print("FAILED:\n  " + "\n  ".join(FAILURES))
        sys.exit(1)
    print("all deployment checks passed")


if __name__ == "__main__":
    main()
