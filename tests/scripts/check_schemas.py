#!/usr/bin/env python3
"""Validates every object that any kustomization under deploy/ and knights/ renders (and the
pods the NATS chart renders from our values, tests/scripts/chart_pods.py) against the schema of
its API version, with the @kubernetes-models packages pinned in tests/schema/package.json:
an apiVersion the pinned operators do not serve, a kind without a schema, a wrong type or an
unknown field fails. Run from the repository root after `npm ci --prefix tests/schema`."""
import json
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chart_pods import nats_chart_statefulset  # noqa: E402
from deploylib import Checks, by_kind, kustomization_dirs, render  # noqa: E402

SCHEMA_DIR = "tests/schema"
OPTIONAL_FILES = ["deploy/flux/autoscale.yaml", "deploy/examples/cluster-secret-store-infisical.yaml"]
c = Checks("schemas")


def node_ready():
    if not shutil.which("node"):
        sys.exit("node not found: install Node.js (make deps installs Debian's nodejs and npm)")
    if not os.path.isdir(os.path.join(SCHEMA_DIR, "node_modules", "kubernetes-models")):
        sys.exit("%s/node_modules is missing: run `npm ci --prefix %s` (make deps does)" % (SCHEMA_DIR, SCHEMA_DIR))


def validate(items):
    result = subprocess.run(["node", os.path.join(SCHEMA_DIR, "validate.mjs")], input=json.dumps(items),
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("validate.mjs failed: %s" % result.stderr[-2000:])
    return json.loads(result.stdout)


def self_test():
    """The validator must refuse what a cluster refuses, or a green run proves nothing."""
    bad = [
        {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": {"name": "old"}, "spec": {}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "typo"},
         "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "c", "securityContext": {"runAsNonroot": True}}]}}}},
        {"apiVersion": "v1", "kind": "NoSuchKind", "metadata": {"name": "x"}},
        {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "x"}, "spec": {"scaleTargetRef": {"name": "x"}, "triggers": [], "minReplicaCount": "one"}},
    ]
    results = validate([{"source": "self-test", "object": o} for o in bad])
    for obj, res in zip(bad, results):
        c.check(res["errors"], "the schema check accepted an invalid %s/%s" % (obj["apiVersion"], obj["kind"]))


def flux_platform_with_monitoring():
    """roundtable-platform as deploy/README.md says to enable monitoring: `spec.components`,
    resolved by Flux relative to `spec.path`."""
    platform = [d for d in yaml.safe_load_all(open("deploy/flux/sync.yaml")) if d and d["metadata"]["name"] == "roundtable-platform"][0]
    line = [l for l in open("deploy/flux/sync.yaml") if "# components:" in l]
    components = yaml.safe_load(line[0].split("#", 1)[1])["components"] if line else []
    c.check(components and all(os.path.isfile(os.path.join(platform["spec"]["path"], p, "kustomization.yaml")) for p in components),
            "deploy/flux/sync.yaml: the commented components %s do not resolve from %s" % (components, platform["spec"]["path"]))
    platform["spec"]["components"] = components
    return platform


def main():
    node_ready()
    self_test()
    items = []
    dirs = kustomization_dirs()
    for d in dirs:
        for obj in render(c, d):
            items.append({"source": d, "object": obj})
    for extra in OPTIONAL_FILES:  # documented but in no kustomization
        for obj in yaml.safe_load_all(open(extra)):
            if obj:
                items.append({"source": extra, "object": obj})
    items.append({"source": "deploy/flux/sync.yaml with monitoring enabled", "object": flux_platform_with_monitoring()})
    for name, sts in nats_chart_statefulset(by_kind(render(c, "deploy/nats-helm"))).items():
        items.append({"source": "NATS chart pod from deploy/nats-helm values (%s)" % name, "object": sts})
    results = validate(items)
    kinds = {}
    for res in results:
        kinds.setdefault(res["id"].rsplit("/", 1)[0], 0)
        kinds[res["id"].rsplit("/", 1)[0]] += 1
        c.check(not res["errors"], "%s (from %s): %s" % (res["id"], res["source"], "; ".join(res["errors"])))
    print("validated %d rendered objects from %d kustomizations: %s" % (len(results), len(dirs), ", ".join(sorted(kinds))))
    c.finish()


if __name__ == "__main__":
    main()
