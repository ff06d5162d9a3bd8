#!/usr/bin/env python3
"""The scheduled asks (deploy/components/schedules, rendered from deploy/schedules/*.yaml by
`roundtable schedule render`): the committed render is the current one, every object passes the
schema of its API version, every pod meets `restricted`, runs never stack, every Secret they read
comes from an ExternalSecret, and the NetworkPolicies let the runs reach NATS, DNS and HTTPS only.
Run from the repository root; RT_BIN_DIR names the folder with the roundtable binary (ctest sets it)."""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pod_security  # noqa: E402
from check_schemas import node_ready, validate  # noqa: E402
from deploylib import Checks, by_kind, render  # noqa: E402

COMPONENT = "deploy/components/schedules"
OVERLAY = "deploy/overlays/homelab-schedules"
POD_NAME = {"app.kubernetes.io/name": "roundtable-schedule"}
NATS_PODS = {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"}
c = Checks("schedules")


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def check_render_is_current():
    binary = os.path.join(os.environ.get("RT_BIN_DIR", "build/bin"), "roundtable")
    if not os.path.exists(binary):
        sys.exit("roundtable not found at %s: build it, or set RT_BIN_DIR" % binary)
    sources = sorted(glob.glob("deploy/schedules/*.yaml"))
    result = subprocess.run([binary, "schedule", "render"] + sources, capture_output=True, text=True)
    if not c.check(result.returncode == 0, "roundtable schedule render %s failed: %s" % (" ".join(sources), result.stderr)):
        return
    committed = open(os.path.join(COMPONENT, "schedules.yaml")).read()
    c.check(committed == result.stdout, "%s/schedules.yaml is not the render of %s: run roundtable schedule render %s --output %s/schedules.yaml"
            % (COMPONENT, " ".join(sources), " ".join(sources), COMPONENT))


def check_cron_jobs(index):
    jobs = index.get("CronJob", {})
    c.check("roundtable-morning-briefing" in jobs, "the example CronJob roundtable-morning-briefing is not rendered")
    streams_image = index["Job"]["roundtable-streams"]["spec"]["template"]["spec"]["containers"][0]["image"]
    for name, job in jobs.items():
        spec = job["spec"]
        c.check(spec.get("concurrencyPolicy") == "Forbid", "CronJob %s: concurrencyPolicy must be Forbid (never two briefings at once)" % name)
        c.check(spec.get("timeZone"), "CronJob %s: no timeZone (the controller's zone would apply)" % name)
        c.check(spec.get("startingDeadlineSeconds", 0) > 0, "CronJob %s: no startingDeadlineSeconds" % name)
        c.check(0 < spec.get("successfulJobsHistoryLimit", 0) <= 5 and 0 < spec.get("failedJobsHistoryLimit", 0) <= 5,
                "CronJob %s: keep a few finished Jobs to read their logs" % name)
        job_spec = spec["jobTemplate"]["spec"]
        c.check(job_spec.get("backoffLimit", 6) <= 1, "CronJob %s: a retried run asks twice (backoffLimit %s)" % (name, job_spec.get("backoffLimit")))
        c.check(job_spec.get("activeDeadlineSeconds", 0) > 0, "CronJob %s: no activeDeadlineSeconds" % name)
        template = job_spec["template"]
        problems = pod_security.violations(template["spec"], template.get("metadata", {}).get("annotations"))
        c.check(not problems, "CronJob %s refused by restricted Pod Security: %s" % (name, "; ".join(problems)))
        pod = template["spec"]
        c.check(pod.get("securityContext", {}).get("runAsUser") == 10001, "CronJob %s: runAsUser must be 10001 like the other pods" % name)
        c.check(pod.get("automountServiceAccountToken") is False, "CronJob %s: the run needs no service account token" % name)
        c.check(selects({"matchLabels": POD_NAME}, template["metadata"].get("labels", {})), "CronJob %s: pods lack the label the policies select" % name)
        for container in pod["containers"]:
            sc = container.get("securityContext", {})
            c.check(sc.get("readOnlyRootFilesystem") is True and sc.get("capabilities", {}).get("drop") == ["ALL"],
                    "CronJob %s: container %s must drop ALL and have a read-only root" % (name, container["name"]))
            c.check(container.get("resources", {}).get("limits", {}).get("memory"), "CronJob %s: no memory limit" % name)
            c.check(container["image"] == streams_image, "CronJob %s runs %s, the streams Job %s: the same roundtable build" % (name, container["image"], streams_image))
            c.check(container["command"] == ["/usr/local/bin/roundtable"] and container["args"][0] in ("ask", "fanout"),
                    "CronJob %s: runs %s %s" % (name, container["command"], container["args"][:1]))
            env = {e["name"]: e for e in container.get("env", [])}
            if "--notify-format" in container["args"]:
                c.check("secretKeyRef" in env.get("ROUNDTABLE_NOTIFY_URL", {}).get("valueFrom", {}),
                        "CronJob %s: the notify URL must come from a Secret" % name)
            c.check(not any("://" in a and "@" in a for a in container["args"]), "CronJob %s: credentials in the arguments" % name)


def check_secrets(index):
    provided = {}
    for es in index.get("ExternalSecret", {}).values():
        provided.setdefault(es["spec"]["target"]["name"], set()).update(d["secretKey"] for d in es["spec"].get("data", []))
    for name, job in index.get("CronJob", {}).items():
        for container in job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]:
            for e in container.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    c.check(ref["key"] in provided.get(ref["name"], set()), "CronJob %s reads %s/%s, which no ExternalSecret provides" % (name, ref["name"], ref["key"]))


def check_policies(index):
    policies = index.get("NetworkPolicy", {})
    egress = policies.get("roundtable-schedules-egress")
    if c.check(egress is not None, "no roundtable-schedules-egress NetworkPolicy"):
        c.check(egress["spec"]["podSelector"].get("matchLabels") == POD_NAME, "roundtable-schedules-egress must select the runs")
        rules = egress["spec"].get("egress", [])
        c.check(all(r.get("ports") for r in rules), "roundtable-schedules-egress has a rule open on every port")
        ports = sorted({p["port"] for r in rules for p in r.get("ports", [])})
        c.check(ports == [53, 443, 4222], "the runs may reach ports %s, want DNS, HTTPS (notify) and NATS" % ports)
        for r in rules:
            if r["ports"][0]["port"] == 443:
                c.check(all("10.0.0.0/8" in p.get("ipBlock", {}).get("except", []) for p in r.get("to", [])), "HTTPS egress must exclude the private ranges")
    nats = policies.get("nats-ingress-schedules")
    if c.check(nats is not None, "no nats-ingress-schedules NetworkPolicy"):
        c.check(nats["spec"]["podSelector"].get("matchLabels") == NATS_PODS, "nats-ingress-schedules must select the NATS pods")
        peers = [p for r in nats["spec"].get("ingress", []) for p in r.get("from", [])]
        c.check(peers and all(p.get("podSelector", {}).get("matchLabels") == POD_NAME and "namespaceSelector" not in p for p in peers),
                "nats-ingress-schedules must admit only the runs: %s" % peers)
        ports = sorted({p["port"] for r in nats["spec"].get("ingress", []) for p in r.get("ports", [])})
        c.check(ports == [4222], "nats-ingress-schedules opens %s, want 4222" % ports)
    nats_pods = [n for n, s in index.get("StatefulSet", {}).items() if selects({"matchLabels": NATS_PODS}, s["spec"]["template"]["metadata"].get("labels", {}))]
    c.check(nats_pods, "no NATS pods in %s for the policies to select" % OVERLAY)


def main():
    node_ready()
    check_render_is_current()
    docs = render(c, OVERLAY)
    index = by_kind(docs)
    check_cron_jobs(index)
    check_secrets(index)
    check_policies(index)
    results = validate([{"source": OVERLAY, "object": o} for o in docs if o["kind"] in ("CronJob", "NetworkPolicy", "ExternalSecret", "ConfigMap")])
    for res in results:
        c.check(not res["errors"], "%s: %s" % (res["id"], "; ".join(res["errors"])))
    print("schedules: %d CronJobs (%s), %d objects validated" % (len(index.get("CronJob", {})), ", ".join(sorted(index.get("CronJob", {}))), len(results)))
    c.finish()


if __name__ == "__main__":
    main()
