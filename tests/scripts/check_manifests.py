#!/usr/bin/env python3
"""Renders every kustomization under deploy/ and knights/ and checks the rendered objects:
knight pods, budgets, security, workspace ConfigMaps and PVCs, NetworkPolicies (by what they
actually select), consumer filters, secrets, NATS config wiring and memory, Redis's memory
policy, StatefulSets' governing Services, Namespaces' Pod Security labels, Flux and KEDA objects.
Run from the repository root."""
import base64
import glob
import os
import posixpath
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chart_pods import nats_chart_statefulset  # noqa: E402
from platform_checks import check_kubectl_overlays, check_monitoring, check_namespaces, check_pod_security  # noqa: E402
from deploylib import (Checks, by_kind, env_of, kustomization_dirs, knight_folders, mebibytes,  # noqa: E402
                       milli_cpu, render, seconds)

BUDGET_CPU_MILLI = 100  # the seed's table: per knight, summed over both containers
BUDGET_MEMORY_MIB = 256
CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
CONFIGMAP_LIMIT = 1024 * 1024 - 16 * 1024  # 1 MiB per object in etcd, less room for metadata
# Redis's maxmemory at most this share of its container's memory limit: the rest is for the AOF
# rewrite child's copy-on-write pages, client buffers and the allocator.
REDIS_MAXMEMORY_SHARE = 0.75
# NATS's memory limit at least this multiple of JetStream's memory store (the server, its file
# store caches and connections live beside it).
NATS_MEMORY_STORE_HEADROOM = 1.5

c = Checks("deployment manifests")


def pod_templates(index):
    """(kind/name, pod template) of every workload in a render."""
    for kind in ("Deployment", "StatefulSet", "Job"):
        for name, obj in index.get(kind, {}).items():
            yield "%s/%s" % (kind, name), obj["spec"]["template"]


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def selected(index, selector):
    return sorted(name for name, t in pod_templates(index) if selects(selector, t["metadata"].get("labels", {})))


def knight_deployments(index):
    return {name: d for name, d in index.get("Deployment", {}).items()
            if d["spec"]["template"]["metadata"].get("labels", {}).get("roundtable.dev/role") == "knight"}


def check_workspace_configmap(name, agent, configmap):
    """The ConfigMap is the knight's whole folder in git (knight.yaml, SOUL.md, MEMORY.md,
    skills/, data/), one key per file with "__" for "/", within the 1 MiB object limit."""
    folder = os.path.join("knights", agent)
    data = dict(configmap.get("data", {}))
    data.update({k: base64.b64decode(v) for k, v in configmap.get("binaryData", {}).items()})
    c.check({"knight.yaml", "SOUL.md", "MEMORY.md"} <= set(data), "%s: ConfigMap lacks %s" % (name, sorted({"knight.yaml", "SOUL.md", "MEMORY.md"} - set(data))))
    for key, value in data.items():
        path = os.path.join(folder, *key.split("__"))
        raw = value if isinstance(value, bytes) else value.encode()
        c.check(CONFIGMAP_KEY.match(key) and os.path.isfile(path) and open(path, "rb").read() == raw,
                "%s: ConfigMap key %s is not the file %s" % (name, key, path))
    in_git = {os.path.relpath(p, folder) for p in glob.glob(os.path.join(folder, "**"), recursive=True) if os.path.isfile(p)}
    in_git -= {"kustomization.yaml", "patch.yaml"}
    missing = sorted(f for f in in_git if f.replace(os.sep, "__") not in data)
    c.check(not missing, "%s: files of %s missing from its configMapGenerator (kustomization.yaml): %s" % (name, folder, missing))
    size = len(yaml.safe_dump(configmap).encode())
    c.check(size < CONFIGMAP_LIMIT, "%s: ConfigMap is %d bytes, over the %d-byte limit: move large data to the PVC or an image" % (name, size, CONFIGMAP_LIMIT))
    for skill in sorted(glob.glob(os.path.join(folder, "skills", "*", ""))):
        c.check("__" not in skill and os.path.isfile(os.path.join(skill, "SKILL.md")), "%s: skill folder %s has no SKILL.md or holds \"__\"" % (name, skill))
    return size


def check_knights(index):
    deployments = knight_deployments(index)
    folders = knight_folders()
    c.check(sorted(d.split("-knight")[0] for d in deployments) == folders,
            "knight Deployments %s do not match the folders of knights/ %s" % (sorted(deployments), folders))
    filters = {}
    sizes = {}
    configmaps = index.get("ConfigMap", {})
    for name, dep in sorted(deployments.items()):
        spec = dep["spec"]["template"]["spec"]
        containers = {x["name"]: x for x in spec["containers"]}
        c.check(set(containers) == {"gateway", "bridge"}, "%s: containers are %s, want gateway and bridge" % (name, sorted(containers)))
        bridge, gateway = containers.get("bridge", {}), containers.get("gateway", {})
        benv, genv = env_of(bridge), env_of(gateway)
        agent, fleet = benv.get("AGENT_ID"), benv.get("FLEET_ID")
        c.check(name == "%s-knight" % agent, "%s: bridge AGENT_ID is %s" % (name, agent))
        c.check(genv.get("AGENT_ID") == agent and genv.get("FLEET_ID") == fleet, "%s: gateway and bridge disagree on AGENT_ID/FLEET_ID" % name)
        # Probes and ports: the kubelet probes only the bridge; the gateway stays on loopback.
        c.check(bridge.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", "%s: bridge liveness probe is not GET /healthz" % name)
        c.check(bridge.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", "%s: bridge readiness probe is not GET /readyz" % name)
        health = [p for p in bridge.get("ports", []) if p.get("name") == "health"]
        c.check(health and health[0].get("containerPort") == 8080 and benv.get("HEALTH_PORT") == "8080",
                "%s: bridge health port is not 8080 (named health)" % name)
        c.check(genv.get("GATEWAY_LISTEN") == "127.0.0.1:18789", "%s: gateway does not listen on 127.0.0.1:18789" % name)
        c.check(benv.get("GATEWAY_URL") == "http://127.0.0.1:18789", "%s: bridge GATEWAY_URL is not the gateway on loopback" % name)
        c.check([(p.get("name"), p.get("containerPort")) for p in gateway.get("ports", [])] == [("gw-metrics", 9464)]
                and genv.get("GATEWAY_METRICS_LISTEN") == "0.0.0.0:9464" and "livenessProbe" not in gateway,
                "%s: the gateway must expose only its metrics (GATEWAY_METRICS_LISTEN=0.0.0.0:9464, port gw-metrics) and need no probe" % name)
        c.check("replicas" not in dep["spec"], "%s: sets replicas, which Flux would enforce against KEDA's scale-ups" % name)
        c.check(benv.get("KNIGHT_CONFIG") == "/workspace/knight.yaml", "%s: the bridge needs KNIGHT_CONFIG=/workspace/knight.yaml (model, capabilities)" % name)
        c.check(benv.get("STREAMS_AUTO_CREATE") == "false", "%s: bridges must leave the streams to the streams Job" % name)
        # Budget: limits summed over both containers, requests present and below limits.
        cpu = sum(milli_cpu(x["resources"]["limits"]["cpu"]) for x in spec["containers"])
        mem = sum(mebibytes(x["resources"]["limits"]["memory"]) for x in spec["containers"])
        c.check(cpu <= BUDGET_CPU_MILLI, "%s: CPU limits sum to %dm, over the seed's %dm" % (name, cpu, BUDGET_CPU_MILLI))
        c.check(mem <= BUDGET_MEMORY_MIB, "%s: memory limits sum to %.0fMi, over the seed's %dMi" % (name, mem, BUDGET_MEMORY_MIB))
        for x in spec["containers"] + spec.get("initContainers", []):
            r = x.get("resources", {})
            ok = "requests" in r and "limits" in r and all(
                milli_cpu(r["requests"][k]) <= milli_cpu(r["limits"][k]) if k == "cpu" else mebibytes(r["requests"][k]) <= mebibytes(r["limits"][k])
                for k in ("cpu", "memory"))
            c.check(ok, "%s/%s: needs requests and limits for cpu and memory, requests within limits" % (name, x["name"]))
        # Security: non-root, read-only root, no escalation, no capabilities, no API token.
        psc = spec.get("securityContext", {})
        c.check(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) != 0, "%s: pod is not runAsNonRoot with a non-zero UID" % name)
        c.check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "%s: no RuntimeDefault seccomp profile" % name)
        for x in spec["containers"] + spec.get("initContainers", []):
            sc = x.get("securityContext", {})
            c.check(sc.get("readOnlyRootFilesystem") is True, "%s/%s: root filesystem is not read-only" % (name, x["name"]))
            c.check(sc.get("allowPrivilegeEscalation") is False, "%s/%s: privilege escalation allowed" % (name, x["name"]))
            c.check(sc.get("capabilities", {}).get("drop") == ["ALL"], "%s/%s: capabilities not all dropped" % (name, x["name"]))
            c.check(sc.get("runAsUser", psc.get("runAsUser", 0)) != 0, "%s/%s: runs as root" % (name, x["name"]))
        c.check(spec.get("automountServiceAccountToken") is False, "%s: pod mounts a service account token" % name)
        sa = spec.get("serviceAccountName")
        c.check(sa == "%s-knight" % agent and sa in index.get("ServiceAccount", {}), "%s: own ServiceAccount %s is not rendered" % (name, sa))
        if sa in index.get("ServiceAccount", {}):
            c.check(index["ServiceAccount"][sa].get("automountServiceAccountToken") is False, "%s: ServiceAccount mounts its token" % sa)
        for kind in ("RoleBinding", "ClusterRoleBinding"):
            for rb_name, rb in index.get(kind, {}).items():
                c.check(all(s.get("name") != sa for s in rb.get("subjects", [])), "%s %s grants API access to %s" % (kind, rb_name, sa))
        # Shutdown: the pod outlives the bridge's drain.
        grace = seconds(benv.get("SHUTDOWN_GRACE") or "25s")
        c.check(spec.get("terminationGracePeriodSeconds", 30) > grace,
                "%s: terminationGracePeriodSeconds %s is not above SHUTDOWN_GRACE %ss" % (name, spec.get("terminationGracePeriodSeconds", 30), grace))
        # Volumes: workspace PVC, knight ConfigMap, /tmp for a read-only root.
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        mounts = {x["name"]: {m["mountPath"]: m for m in x.get("volumeMounts", [])} for x in spec["containers"] + spec.get("initContainers", [])}
        pvc = volumes.get("workspace", {}).get("persistentVolumeClaim", {}).get("claimName")
        c.check(pvc == "%s-knight-workspace" % agent and pvc in index.get("PersistentVolumeClaim", {}), "%s: workspace PVC %s is not rendered" % (name, pvc))
        c.check(mounts.get("gateway", {}).get("/workspace", {}).get("name") == "workspace" and genv.get("WORKSPACE_DIR") == "/workspace",
                "%s: the gateway does not work in the PVC at /workspace" % name)
        bridge_ws = mounts.get("bridge", {}).get("/workspace", {})
        c.check(bridge_ws.get("name") == "workspace" and bridge_ws.get("readOnly") is True, "%s: the bridge must read the workspace read-only" % name)
        c.check(all(mounts.get(x, {}).get("/tmp", {}).get("name") in volumes and "emptyDir" in volumes[mounts[x]["/tmp"]["name"]]
                    for x in ("gateway", "bridge") if x in mounts), "%s: gateway and bridge need an emptyDir at /tmp" % name)
        cm_name = volumes.get("config", {}).get("configMap", {}).get("name")
        c.check(cm_name in configmaps and cm_name.startswith("%s-knight-config" % agent), "%s: ConfigMap %s is not rendered" % (name, cm_name))
        init = {x["name"]: x for x in spec.get("initContainers", [])}.get("seed-workspace")
        c.check(init is not None and mounts["seed-workspace"].get("/config", {}).get("name") == "config"
                and mounts["seed-workspace"].get("/workspace", {}).get("name") == "workspace",
                "%s: no seed-workspace init container copying /config into /workspace" % name)
        script = " ".join((init or {}).get("args", []))
        c.check("/opt/roundtable" not in script and 'MEMORY.md ] && [ -e "$ws/MEMORY.md" ]' in script,
                "%s: the workspace must come from the ConfigMap alone, MEMORY.md seeded only when absent" % name)
        if cm_name in configmaps:
            data = configmaps[cm_name].get("data", {})
            sizes[agent] = check_workspace_configmap(name, agent, configmaps[cm_name])
            knight = yaml.safe_load(data.get("knight.yaml", "{}")) or {}
            domains = (benv.get("TASK_DOMAINS") or "").split(",")
            c.check(knight.get("name") == agent, "%s: knight.yaml name %s is not AGENT_ID %s" % (name, knight.get("name"), agent))
            c.check(knight.get("fleet", fleet) == fleet, "%s: knight.yaml fleet %s is not FLEET_ID %s" % (name, knight.get("fleet"), fleet))
            c.check(sorted(knight.get("domains", [])) == sorted(domains), "%s: knight.yaml domains %s differ from TASK_DOMAINS %s" % (name, knight.get("domains"), domains))
            if knight.get("role") == "lead":
                c.check(genv.get("NATS_URL") and genv.get("NATS_USER") == fleet, "%s: the lead's gateway needs NATS_URL and its fleet's user" % name)
        for domain in (benv.get("TASK_DOMAINS") or "").split(","):
            filters.setdefault("%s.tasks.%s.>" % (fleet, domain), []).append(name)
    overlapping = {f: n for f, n in filters.items() if len(n) > 1}
    c.check(not overlapping, "consumer filter subjects shared by several knights: %s" % overlapping)
    c.check(all(re.fullmatch(r"[a-z0-9][a-z0-9-]*\.tasks\.[a-z0-9][a-z0-9-]*\.>", f) for f in filters),
            "consumer filters must be <fleet>.tasks.<domain>.> with identifiers: %s" % sorted(filters))
    print("workspace ConfigMaps (bytes, limit %d): %s" % (CONFIGMAP_LIMIT, ", ".join("%s %d" % kv for kv in sorted(sizes.items()))))
    return filters


def check_policies(index):
    policies = index.get("NetworkPolicy", {})
    knights = sorted("Deployment/" + n for n in knight_deployments(index))
    nats_pods = selected(index, {"matchLabels": {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"}})
    egress = policies.get("knights-egress")
    if c.check(egress is not None, "no knights-egress NetworkPolicy"):
        c.check(selected(index, egress["spec"]["podSelector"]) == knights, "knights-egress selects %s, want every knight %s" % (selected(index, egress["spec"]["podSelector"]), knights))
        c.check(egress["spec"].get("policyTypes") == ["Egress"], "knights-egress must be an Egress policy")
        rules = egress["spec"].get("egress", [])
        ports = sorted({p["port"] for r in rules for p in r.get("ports", [])})
        c.check(all(r.get("ports") for r in rules), "knights-egress has a rule open on every port")
        c.check(ports == [53, 443, 4222, 6379], "knights may reach ports %s, want DNS, HTTPS, NATS, Redis" % ports)
        for r in rules:
            port = r["ports"][0]["port"]
            peers = r.get("to", [])
            if port == 4222:
                c.check(all(p.get("podSelector", {}).get("matchLabels") == {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"}
                            and (not nats_pods or selected(index, p["podSelector"]) == nats_pods) and "namespaceSelector" not in p for p in peers),
                        "knights' NATS egress selects %s, want the NATS pods %s" % ([selected(index, p.get("podSelector", {})) for p in peers], nats_pods))
            elif port == 6379:
                c.check(all(selected(index, p.get("podSelector", {})) == ["StatefulSet/redis"] for p in peers), "knights' Redis egress does not select Redis")
            elif port == 53:
                c.check(all(p.get("podSelector", {}).get("matchLabels") == {"k8s-app": "kube-dns"} for p in peers), "knights' DNS egress is not kube-dns")
            elif port == 443:
                blocks = [p.get("ipBlock", {}) for p in peers]
                c.check(blocks and all("10.0.0.0/8" in b.get("except", []) and "192.168.0.0/16" in b.get("except", []) and "172.16.0.0/12" in b.get("except", []) for b in blocks),
                        "HTTPS egress must exclude the private ranges (the LLM APIs are public)")
    ingress = policies.get("knights-ingress")
    if c.check(ingress is not None, "no knights-ingress NetworkPolicy"):
        c.check(selected(index, ingress["spec"]["podSelector"]) == knights, "knights-ingress does not select every knight")
        c.check(ingress["spec"].get("policyTypes") == ["Ingress"] and not ingress["spec"].get("ingress"),
                "knights-ingress must be an Ingress policy admitting nothing (monitoring adds its own policy)")
    metrics = policies.get("knights-metrics-ingress")
    c.check((metrics is not None) == ("PodMonitor" in index), "knights-metrics-ingress must come with the PodMonitor (components/monitoring), and only with it")
    if metrics is not None:
        c.check(selected(index, metrics["spec"]["podSelector"]) == knights, "knights-metrics-ingress does not select every knight")
        rules = metrics["spec"].get("ingress", [])
        c.check(rules and all(sorted(p["port"] for p in r.get("ports", [])) == [8080, 9464] and r.get("from") for r in rules),
                "knights-metrics-ingress must open only 8080 and 9464: %s" % rules)
        c.check(all(p.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "monitoring"}
                    and p.get("podSelector", {}).get("matchLabels") == {"app.kubernetes.io/name": "prometheus"}
                    for r in rules for p in r.get("from", [])), "only Prometheus pods of the monitoring namespace may scrape a knight")
    nats = policies.get("nats-ingress")
    if c.check(nats is not None, "no nats-ingress NetworkPolicy"):
        c.check(nats["spec"]["podSelector"].get("matchLabels") == {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"},
                "nats-ingress must select the NATS server pods (chart labels name=nats, component=nats)")
        clients = [r for r in nats["spec"].get("ingress", []) if any(p["port"] == 4222 for p in r.get("ports", []))]
        allowed = sorted({n for r in clients for p in r.get("from", []) for n in selected(index, p.get("podSelector", {}))})
        c.check(allowed == sorted(knights + ["Job/roundtable-streams"]), "NATS clients allowed: %s, want the knights and the streams Job" % allowed)
    redis = policies.get("redis-ingress")
    if c.check(redis is not None, "no redis-ingress NetworkPolicy"):
        c.check(selected(index, redis["spec"]["podSelector"]) == ["StatefulSet/redis"], "redis-ingress must select Redis")
        allowed = sorted({n for r in redis["spec"].get("ingress", []) for p in r.get("from", []) for n in selected(index, p.get("podSelector", {}))})
        c.check(allowed == knights, "Redis clients allowed: %s, want the knights" % allowed)
    return nats_pods


def secret_refs(index):
    """(secret, key, where) of every secretKeyRef in workloads and the NATS HelmRelease."""
    refs = []

    def walk(node, where):
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                refs.append((node["secretKeyRef"]["name"], node["secretKeyRef"]["key"], where, node["secretKeyRef"].get("optional", False)))
            for v in node.values():
                walk(v, where)
        elif isinstance(node, list):
            for v in node:
                walk(v, where)
    for name, t in pod_templates(index):
        walk(t, name)
    for name, hr in index.get("HelmRelease", {}).items():
        walk(hr["spec"].get("values", {}), "HelmRelease/" + name)
    return refs


def check_secrets(index):
    provided = {}
    for name, es in index.get("ExternalSecret", {}).items():
        c.check(es["spec"]["secretStoreRef"].get("name") == "infisical", "ExternalSecret %s does not use the infisical store" % name)
        provided[es["spec"]["target"]["name"]] = {d["secretKey"] for d in es["spec"].get("data", [])}
    c.check({"llm-api-keys", "nats-credentials"} <= set(provided), "ExternalSecrets must provide llm-api-keys and nats-credentials, have %s" % sorted(provided))
    for secret, key, where, _ in secret_refs(index):
        c.check(key in provided.get(secret, set()), "%s reads %s/%s, which no ExternalSecret provides" % (where, secret, key))


def nats_env_vars(text):
    """Variables a NATS config reads ($NAME outside quoted strings and comments)."""
    text = re.sub(r'"[^"]*"', '""', re.sub(r"#.*", "", text))
    return set(re.findall(r"\$([A-Z][A-Z0-9_]*)", text))


def check_nats_wiring(index, plain_index):
    auth = index.get("ConfigMap", {}).get("nats-auth", {}).get("data", {}).get("auth.conf", "")
    c.check(auth, "the nats-auth ConfigMap with auth.conf is not rendered")
    needed = nats_env_vars(auth)
    # Helm: the include directive resolves, relative to the chart's /etc/nats-config, to the mounted auth.conf.
    hr = index.get("HelmRelease", {}).get("nats")
    if c.check(hr is not None, "no NATS HelmRelease in the homelab render"):
        values = hr["spec"]["values"]
        js = values.get("config", {}).get("jetstream", {})
        c.check(js.get("enabled") and js.get("fileStore", {}).get("enabled") and js.get("fileStore", {}).get("pvc", {}).get("enabled"),
                "the HelmRelease must enable JetStream on file storage with a PVC")
        include = values.get("config", {}).get("merge", {}).get("$include")
        mounts = [p["value"] for p in values.get("container", {}).get("patch", []) if p.get("path") == "/volumeMounts/-"]
        vols = [p["value"] for p in values.get("podTemplate", {}).get("patch", []) if p.get("path") == "/spec/volumes/-"]
        target = posixpath.normpath(posixpath.join("/etc/nats-config", include or ""))
        auth_mounts = [m for m in mounts if target == posixpath.join(m["mountPath"], "auth.conf")]
        c.check(auth_mounts, "the chart includes %s, but nats-auth is mounted at %s" % (target, [m["mountPath"] for m in mounts]))
        c.check(any(v.get("configMap", {}).get("name") == "nats-auth" and auth_mounts and v["name"] == auth_mounts[0]["name"] for v in vols),
                "the HelmRelease does not add the nats-auth ConfigMap as the mounted volume")
        env = set(values.get("container", {}).get("env", {}))
        c.check(needed <= env, "auth.conf needs %s in the NATS container env, the HelmRelease sets %s" % (sorted(needed), sorted(env)))
        c.check(values.get("service", {}).get("ports", {}).get("monitor", {}).get("enabled") is True,
                "KEDA reads /jsz on the nats Service: enable its monitor port")
        store = js.get("memoryStore", {}).get("maxSize") if js.get("memoryStore", {}).get("enabled") else None
        chart = nats_chart_statefulset(index).get("nats")
        if c.check(store and chart, "the HelmRelease must bound JetStream's memory store (memoryStore.maxSize)"):
            check_nats_memory("chart pod nats/nats", chart["spec"]["template"]["spec"]["containers"][0], store)
    # Plain manifests: the same layout.
    sts = plain_index.get("StatefulSet", {}).get("nats")
    if c.check(sts is not None, "homelab-plain has no NATS StatefulSet"):
        container = sts["spec"]["template"]["spec"]["containers"][0]
        conf_path = container["args"][container["args"].index("-c") + 1]
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
        conf_vol = [n for n, p in mounts.items() if posixpath.dirname(conf_path) == p]
        c.check(conf_vol and volumes[conf_vol[0]].get("configMap", {}).get("name") == "nats-config", "the plain NATS config is not mounted where -c points")
        conf = plain_index.get("ConfigMap", {}).get("nats-config", {}).get("data", {}).get("nats.conf", "")
        incl = re.search(r"^include\s+(\S+)", conf, re.M)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(conf_path), incl.group(1) if incl else ""))
        auth_vol = [n for n, p in mounts.items() if posixpath.join(p, "auth.conf") == target]
        c.check(auth_vol and volumes[auth_vol[0]].get("configMap", {}).get("name") == "nats-auth",
                "plain nats.conf includes %s, which is not the mounted nats-auth" % target)
        env = {e["name"] for e in container.get("env", [])}
        c.check(needed | nats_env_vars(conf) <= env, "the plain NATS container lacks env %s" % sorted((needed | nats_env_vars(conf)) - env))
        c.check("store_dir: /data" in conf and "/data" in mounts.values(), "plain NATS must keep JetStream on the /data PVC")
        store = re.search(r"^\s*max_memory_store:\s*(\S+)", conf, re.M)
        if c.check(store, "plain nats.conf must bound JetStream's memory store (max_memory_store)"):
            check_nats_memory("StatefulSet/nats/nats", container, store.group(1))
    job = index.get("Job", {}).get("roundtable-streams")
    if c.check(job is not None, "no roundtable-streams Job"):
        # One container per fleet account, each as that fleet's admin user (base/nats/auth.conf).
        users = set()
        for container in job["spec"]["template"]["spec"]["containers"]:
            c.check(container.get("command", [])[-2:] == ["streams", "apply"], "the streams Job does not run `roundtable streams apply`")
            users.add(env_of(container).get("NATS_USER"))
        admins = {"admin-" + f for f in re.findall(r'user:\s*"(fleet-[a-z0-9-]+)"', auth)}
        c.check(users == admins, "the streams Job must apply the streams as every fleet's admin user %s, not %s" % (sorted(admins), sorted(users)))


def redis_mebibytes(text):
    """A Redis memory size (1k = 1000 bytes, 1kb = 1024, likewise m/mb and g/gb) in MiB; None if
    it is none."""
    match = re.fullmatch(r"(\d+)([kmg]b?)?", str(text).strip().lower())
    factor = {"": 1, "k": 1e3, "kb": 2**10, "m": 1e6, "mb": 2**20, "g": 1e9, "gb": 2**30}
    return int(match.group(1)) * factor[match.group(2) or ""] / 2**20 if match else None


def go_mebibytes(text):
    """A GOMEMLIMIT value (bytes, or B/KiB/MiB/GiB/TiB) in MiB; None if it is none."""
    match = re.fullmatch(r"(\d+)(B|KiB|MiB|GiB|TiB)?", str(text).strip())
    factor = {"": 1, "B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
    return int(match.group(1)) * factor[match.group(2) or ""] / 2**20 if match else None


def check_redis(renders):
    """Redis refuses writes before its container is OOM-killed, and evicts nothing: the bridge's
    dedup:<task> markers (docs/contract.md §8) must not vanish, or a redelivered task runs twice."""
    seen = 0
    for render_name, index in renders.items():
        for name, template in pod_templates(index):
            for x in template["spec"]["containers"]:
                if not x.get("image", "").startswith(("valkey/valkey", "redis")):
                    continue
                seen += 1
                where = "%s: %s/%s" % (render_name, name, x["name"])
                args = x.get("args", [])
                options = {a: args[i + 1] for i, a in enumerate(args[:-1]) if a.startswith("--")}
                limit = mebibytes(x.get("resources", {}).get("limits", {}).get("memory", "0"))
                maxmemory = options.get("--maxmemory")
                size = redis_mebibytes(maxmemory) if maxmemory else None
                # 0 is no limit at all.
                c.check(size and limit and size <= REDIS_MAXMEMORY_SHARE * limit,
                        "%s: needs --maxmemory above 0 and at most %d%% of its %.0fMi memory limit (room for the AOF "
                        "rewrite's copy-on-write and client buffers), has %s" % (where, REDIS_MAXMEMORY_SHARE * 100, limit, maxmemory))
                c.check(options.get("--maxmemory-policy") == "noeviction",
                        "%s: needs --maxmemory-policy noeviction (an evicted dedup marker lets a task run twice), has %s"
                        % (where, options.get("--maxmemory-policy")))
    c.check(seen, "no Redis container was rendered")


def check_statefulset_services(renders):
    """Every StatefulSet's serviceName is a headless Service of the same render selecting its pods
    (the pods' stable DNS names); the ClusterIP Services clients use keep their ClusterIP."""
    seen = 0
    for render_name, index in renders.items():
        services = index.get("Service", {})
        for name, sts in index.get("StatefulSet", {}).items():
            seen += 1
            governing = sts["spec"].get("serviceName")
            svc = services.get(governing)
            if not c.check(svc is not None, "%s: StatefulSet %s names serviceName %s, which the render does not hold" % (render_name, name, governing)):
                continue
            c.check(svc["spec"].get("clusterIP") == "None",
                    "%s: StatefulSet %s is governed by Service %s, which is not headless (clusterIP: None)" % (render_name, name, governing))
            selector = svc["spec"].get("selector") or {}
            labels = sts["spec"]["template"]["metadata"].get("labels", {})
            c.check(selector and all(labels.get(k) == v for k, v in selector.items()),
                    "%s: Service %s (selector %s) does not select the pods of StatefulSet %s" % (render_name, governing, selector, name))
        for name in ("redis", "nats"):  # clusterIP is immutable: these stay ClusterIP Services
            if name in services:
                c.check(services[name]["spec"].get("clusterIP") != "None",
                        "%s: Service %s must keep its ClusterIP (clients use it; clusterIP is immutable)" % (render_name, name))
    c.check(seen, "no StatefulSet was rendered")


def check_nats_memory(where, container, store):
    """The NATS container's memory limit leaves room above JetStream's memory store, and
    GOMEMLIMIT (Go's soft limit), when set, lies between the two."""
    limit = mebibytes(container.get("resources", {}).get("limits", {}).get("memory", "0"))
    c.check(limit >= NATS_MEMORY_STORE_HEADROOM * mebibytes(store),
            "%s: memory limit %s leaves too little room above the %s JetStream memory store (want %.1fx)"
            % (where, "%.0fMi" % limit if limit else "(none)", store, NATS_MEMORY_STORE_HEADROOM))
    gomemlimit = env_of(container).get("GOMEMLIMIT")
    if gomemlimit is not None:
        c.check(mebibytes(store) < (go_mebibytes(gomemlimit) or 0) < limit,
                "%s: GOMEMLIMIT %s must lie between the %s memory store and the %.0fMi memory limit" % (where, gomemlimit, store, limit))


def check_flux():
    flux = by_kind(render(c, "deploy/flux"))
    repo = flux.get("GitRepository", {}).get("roundtable")
    if c.check(repo is not None, "no Flux GitRepository roundtable"):
        c.check("/knights/template/" in repo["spec"].get("ignore", ""), "Flux must ignore knights/template/ (placeholders)")
    ks = flux.get("Kustomization", {})
    c.check(set(ks) == {"roundtable-platform", "roundtable-knights"}, "Flux Kustomizations are %s" % sorted(ks))
    for name, k in ks.items():
        path = k["spec"]["path"]
        c.check(os.path.isdir(path), "Flux Kustomization %s points at missing %s" % (name, path))
        c.check(k["spec"].get("prune") is True and k["spec"].get("targetNamespace") == "roundtable", "Flux Kustomization %s must prune into roundtable" % name)
    knights = ks.get("roundtable-knights", {})
    c.check(knights.get("spec", {}).get("path") == "./knights" and not os.path.exists("knights/kustomization.yaml"),
            "roundtable-knights must point at ./knights, which must have no kustomization.yaml (Flux then includes every knight folder)")
    c.check(knights.get("spec", {}).get("dependsOn") == [{"name": "roundtable-platform"}], "knights must wait for the platform")
    optional = yaml.safe_load(open("deploy/flux/autoscale.yaml"))
    c.check(os.path.isdir(optional["spec"]["path"]), "deploy/flux/autoscale.yaml points at a missing path")


def check_overlay_lists():
    for overlay in ("deploy/overlays/homelab", "deploy/overlays/homelab-plain"):
        listed = yaml.safe_load(open(os.path.join(overlay, "kustomization.yaml"))).get("bases", [])
        names = sorted(os.path.basename(p) for p in listed if "/knights/" in p)
        c.check(names == knight_folders(), "%s lists knights %s, but knights/ holds %s" % (overlay, names, knight_folders()))


def check_autoscale(index, filters):
    objects = index.get("ScaledObject", {})
    deployments = knight_deployments(index)
    c.check(sorted(so["spec"]["scaleTargetRef"]["name"] for so in objects.values()) == sorted(deployments),
            "ScaledObjects target %s, want one per knight %s" % (sorted(so["spec"]["scaleTargetRef"]["name"] for so in objects.values()), sorted(deployments)))
    for name, so in objects.items():
        dep = deployments.get(so["spec"]["scaleTargetRef"]["name"])
        if not dep:
            continue
        env = env_of({x["name"]: x for x in dep["spec"]["template"]["spec"]["containers"]}["bridge"])
        consumers = {"%s-%s-%s" % (env["FLEET_ID"], env["AGENT_ID"], d) for d in env["TASK_DOMAINS"].split(",")}
        for t in so["spec"]["triggers"]:
            m = t["metadata"]
            c.check(t["type"] == "nats-jetstream" and m.get("stream") == "ROUNDTABLE_TASKS" and m.get("consumer") in consumers,
                    "ScaledObject %s watches %s/%s, want one of %s" % (name, m.get("stream"), m.get("consumer"), sorted(consumers)))
            account = env["FLEET_ID"].upper().replace("-", "_")  # each fleet's own NATS account (base/nats/auth.conf)
            c.check(m.get("natsServerMonitoringEndpoint", "").endswith(":8222") and m.get("account") == account,
                    "ScaledObject %s must read the NATS monitoring endpoint on 8222 for account %s" % (name, account))
        c.check("cooldownPeriod" not in so["spec"] or so["spec"].get("minReplicaCount", 0) == 0,
                "ScaledObject %s: cooldownPeriod acts only when scaling to zero; damp scale-down with HPA behavior" % name)
        behavior = so["spec"].get("advanced", {}).get("horizontalPodAutoscalerConfig", {}).get("behavior", {})
        c.check(behavior.get("scaleDown", {}).get("stabilizationWindowSeconds", 0) > 0,
                "ScaledObject %s: no scale-down stabilization (advanced.horizontalPodAutoscalerConfig.behavior)" % name)


def main():
    dirs = kustomization_dirs()
    renders = {d: by_kind(render(c, d)) for d in dirs}
    print("rendered %d kustomizations: %s" % (len(dirs), " ".join(dirs)))
    check_namespaces(c, renders)
    check_redis(renders)
    check_statefulset_services(renders)
    index = by_kind(render(c, "deploy/overlays/homelab"))
    plain = by_kind(render(c, "deploy/overlays/homelab-plain"))
    filters = check_knights(index)
    print("knights: %s; consumer filters %s" % (", ".join(sorted(knight_deployments(index))), ", ".join(sorted(filters))))
    check_policies(plain)  # the plain render holds the NATS pods the policies must select
    check_policies(index)
    monitored = by_kind(render(c, "deploy/overlays/homelab-monitoring"))
    check_policies(monitored)
    check_monitoring(c, index, plain, monitored)
    check_pod_security(c, {"homelab": index, "homelab-plain": plain, "homelab-monitoring": monitored})
    check_kubectl_overlays(c)
    check_secrets(index)
    check_secrets(plain)
    check_nats_wiring(index, plain)
    check_flux()
    check_overlay_lists()
    check_autoscale(by_kind(render(c, "deploy/overlays/homelab-autoscale")), filters)
    print("checked: pods, budgets, security, restricted Pod Security (charts too), Namespace labels, workspaces, NetworkPolicies, "
          "monitoring, secrets, NATS wiring and memory, Redis maxmemory, StatefulSet Services, Flux, KEDA")
    c.finish()


if __name__ == "__main__":
    main()
