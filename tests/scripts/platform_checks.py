"""Checks over whole renders for check_manifests.py: every pod against the `restricted` Pod
Security Standard (the NATS chart's pod too, rendered from our values), the Pod Security labels
of every Namespace, the chart pod's resources, the optional monitoring component, and the
overlays meant for `kubectl apply -k` without Flux."""
import pod_security
from chart_pods import nats_chart_statefulset
from deploylib import by_kind, mebibytes, milli_cpu, render

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet")
FLUX_KINDS = {"HelmRelease", "HelmRepository", "GitRepository", "Kustomization", "OCIRepository"}
# Overlays documented for `kubectl apply -k` on a cluster without Flux.
KUBECTL_OVERLAYS = ("deploy/overlays/homelab-plain", "deploy/overlays/platform-plain", "deploy/overlays/homelab-monitoring")


def pod_templates(index):
    for kind in WORKLOADS:
        for name, obj in index.get(kind, {}).items():
            yield "%s/%s" % (kind, name), obj["spec"]["template"]
    for name, obj in index.get("CronJob", {}).items():
        yield "CronJob/%s" % name, obj["spec"]["jobTemplate"]["spec"]["template"]
    for name, obj in index.get("Pod", {}).items():
        yield "Pod/%s" % name, obj


def check_pod_security(c, renders):
    """Every pod of every render, and the charts' pods, meets `restricted` (the namespace enforces it)."""
    broken = pod_security.self_test()
    c.check(not broken, "the restricted Pod Security check misses rules: %s" % broken)
    checked = set()
    for render_name, index in renders.items():
        ns = index.get("Namespace", {}).get("roundtable", {})
        c.check(ns.get("metadata", {}).get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
                "%s: the roundtable namespace does not enforce restricted" % render_name)
        pods = list(pod_templates(index))
        for name, sts in nats_chart_statefulset(index).items():
            pods.append(("HelmRelease/%s (chart pod)" % name, sts["spec"]["template"]))
        for name, template in pods:
            problems = pod_security.violations(template["spec"], template.get("metadata", {}).get("annotations"))
            c.check(not problems, "%s: %s refused by restricted Pod Security: %s" % (render_name, name, "; ".join(problems)))
            checked.add(name)
    c.check(any("chart pod" in n for n in checked), "no NATS chart pod was rendered for the restricted check")
    for name, sts in nats_chart_statefulset(renders.get("homelab", {})).items():
        spec = sts["spec"]["template"]["spec"]
        psc = spec.get("securityContext") or {}
        c.check(psc.get("fsGroup") and psc.get("runAsUser"), "chart pod %s: no fsGroup/runAsUser, JetStream's PVC would not be writable" % name)
        c.check(all((x.get("securityContext") or {}).get("runAsUser", psc.get("runAsUser")) == psc.get("runAsUser") for x in spec["containers"]),
                "chart pod %s: the reloader must run as nats-server's UID to signal it" % name)
        c.check([x["name"] for x in spec["containers"]] == ["nats", "reloader"], "chart pod %s: containers %s" % (name, [x["name"] for x in spec["containers"]]))
        for x in spec["containers"]:
            c.check(has_resources(x), "chart pod %s/%s: needs cpu and memory requests and limits, requests within limits "
                    "(container.merge.resources / reloader.merge.resources)" % (name, x["name"]))
    print("restricted Pod Security: %d pods meet it: %s" % (len(checked), ", ".join(sorted(checked))))


def has_resources(container):
    """cpu and memory requests and limits, each request within its limit."""
    r = container.get("resources") or {}
    requests, limits = r.get("requests") or {}, r.get("limits") or {}
    if not all(k in requests and k in limits for k in ("cpu", "memory")):
        return False
    return milli_cpu(requests["cpu"]) <= milli_cpu(limits["cpu"]) and mebibytes(requests["memory"]) <= mebibytes(limits["memory"])


def check_namespaces(c, renders):
    """A Namespace that enforces a Pod Security level also warns and audits at it, at the same
    version. enforce judges Pods only: a Deployment or Job whose template breaks the level is
    accepted and its pods are refused out of sight (controller events); warn and audit judge the
    workload itself, as a warning to whoever applies it and an entry in the audit log."""
    seen = 0
    for render_name, index in renders.items():
        for name, ns in index.get("Namespace", {}).items():
            labels = ns.get("metadata", {}).get("labels") or {}
            level = labels.get("pod-security.kubernetes.io/enforce")
            if level is None:
                continue
            seen += 1
            version = labels.get("pod-security.kubernetes.io/enforce-version", "latest")
            for mode in ("warn", "audit"):
                c.check(labels.get("pod-security.kubernetes.io/" + mode) == level
                        and labels.get("pod-security.kubernetes.io/%s-version" % mode, "latest") == version,
                        "%s: Namespace %s enforces %s (version %s) but does not %s at it: pod-security.kubernetes.io/%s: %s"
                        % (render_name, name, level, version, mode, mode, level))
    c.check(seen, "no Namespace enforcing a Pod Security level was rendered")


def check_monitoring(c, index, plain, monitored):
    """Monitoring is optional: no PodMonitor without the component, and with it one PodMonitor
    scraping both metrics ports of every knight, labelled for kube-prometheus-stack."""
    c.check("PodMonitor" not in index and "PodMonitor" not in plain, "a PodMonitor is rendered without components/monitoring")
    pms = monitored.get("PodMonitor", {})
    if not c.check(len(pms) == 1, "homelab-monitoring must render one PodMonitor, has %s" % sorted(pms)):
        return
    pm = next(iter(pms.values()))
    c.check("release" in pm["metadata"].get("labels", {}), "the PodMonitor lacks the `release` label kube-prometheus-stack selects by")
    ports = sorted(e.get("port") for e in pm["spec"]["podMetricsEndpoints"])
    c.check(ports == ["gw-metrics", "health"], "the PodMonitor scrapes ports %s, want health (bridge) and gw-metrics (gateway)" % ports)
    for name, dep in monitored.get("Deployment", {}).items():
        labels = dep["spec"]["template"]["metadata"].get("labels", {})
        if all(labels.get(k) == v for k, v in pm["spec"]["selector"]["matchLabels"].items()):
            named = {p.get("name") for x in dep["spec"]["template"]["spec"]["containers"] for p in x.get("ports", [])}
            c.check(set(ports) <= named, "%s: lacks the named ports %s the PodMonitor scrapes" % (name, sorted(set(ports) - named)))


def check_kubectl_overlays(c):
    """What the READMEs offer to `kubectl apply -k` must not need Flux's controllers."""
    for overlay in KUBECTL_OVERLAYS:
        kinds = set(by_kind(render(c, overlay)))
        c.check(not kinds & FLUX_KINDS, "%s is for kubectl without Flux but renders %s" % (overlay, sorted(kinds & FLUX_KINDS)))
