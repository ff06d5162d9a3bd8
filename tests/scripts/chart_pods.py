"""The pod the official NATS chart (nats-io/k8s, helm/charts/nats, 1.2.x) renders from the values
of deploy/nats-helm/helmrelease.yaml, so the checks can hold it to `restricted` and its API
schema like our own pods. Helm and the chart cannot be fetched here, so the chart's templates
are pinned below as the documents they render with our values (files/stateful-set/
nats-container.yaml, reloader-container.yaml, pod-template.yaml), and the chart's own
customisation is applied the way its `nats.loadMergePatch` helper does: Helm `mergeOverwrite`
of `<section>.merge` (maps merge recursively, anything else is replaced), then the JSON Patch
`<section>.patch`. The chart sets no securityContext anywhere: what the pod gets comes from
our merge values alone."""
import copy

CHART_VERSION = "1.2.x"
NATS_IMAGE = "nats:2.10.22-alpine"  # the chart's appVersion image for 1.2.x
RELOADER_IMAGE = "natsio/nats-server-config-reloader:0.16.0"


def merge_overwrite(dst, src):
    """Helm (sprig) mergeOverwrite: src wins; maps merge recursively, lists are replaced."""
    for key, value in (src or {}).items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            merge_overwrite(dst[key], value)
        else:
            dst[key] = copy.deepcopy(value)
    return dst


def _pointer(doc, path):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.lstrip("/").split("/")]
    parent = doc
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent.setdefault(part, {})
    return parent, parts[-1]


def json_patch(doc, ops):
    """The JSON Patch operations the chart's jsonpatch helper implements (add, replace, remove)."""
    for op in ops or []:
        parent, key = _pointer(doc, op["path"])
        if op["op"] == "add":
            if isinstance(parent, list):
                parent.insert(len(parent) if key == "-" else int(key), copy.deepcopy(op["value"]))
            else:
                parent[key] = copy.deepcopy(op["value"])
        elif op["op"] == "replace":
            parent[int(key) if isinstance(parent, list) else key] = copy.deepcopy(op["value"])
        elif op["op"] == "remove":
            del parent[int(key) if isinstance(parent, list) else key]
        else:
            raise ValueError("unsupported JSON Patch op %s" % op["op"])
    return doc


def load_merge_patch(doc, section):
    return json_patch(merge_overwrite(doc, (section or {}).get("merge")), (section or {}).get("patch"))


def _env(env_map):
    out = []
    for name, value in sorted((env_map or {}).items()):
        out.append({"name": name, "value": value} if isinstance(value, str) else dict({"name": name}, **value))
    return out


def _nats_container(values):
    monitor = (values.get("config", {}).get("monitor") or {}).get("port", 8222)
    container = {
        "name": "nats",
        "image": NATS_IMAGE,
        "ports": [{"name": "nats", "containerPort": 4222}, {"name": "monitor", "containerPort": monitor}],
        "args": ["--config", "/etc/nats-config/nats.conf"],
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}] + _env(values.get("container", {}).get("env")),
        "lifecycle": {"preStop": {"exec": {"command": ["nats-server", "-sl=ldm=/var/run/nats/nats.pid"]}}},
        "startupProbe": {"httpGet": {"path": "/healthz", "port": "monitor"}, "initialDelaySeconds": 10, "timeoutSeconds": 5,
                         "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 90},
        "readinessProbe": {"httpGet": {"path": "/healthz?js-server-only=true", "port": "monitor"}, "initialDelaySeconds": 10,
                           "timeoutSeconds": 5, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/healthz?js-enabled-only=true", "port": "monitor"}, "initialDelaySeconds": 10,
                          "timeoutSeconds": 5, "periodSeconds": 30, "successThreshold": 1, "failureThreshold": 3},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/nats-config"}, {"name": "pid", "mountPath": "/var/run/nats"},
                         {"name": "nats-js", "mountPath": "/data/jetstream"}],
    }
    return load_merge_patch(container, values.get("container"))


def _reloader_container(values, nats_mounts):
    reloader = values.get("reloader") or {}
    prefixes = reloader.get("natsVolumeMountPrefixes", ["/etc/"])
    container = {
        "name": "reloader",
        "image": RELOADER_IMAGE,
        "args": ["-pid", "/var/run/nats/nats.pid", "-config", "/etc/nats-config/nats.conf"],
        "volumeMounts": [{"name": "pid", "mountPath": "/var/run/nats"}]
                        + [m for m in nats_mounts if any(m["mountPath"].startswith(p) for p in prefixes)],
    }
    return load_merge_patch(container, reloader)


def nats_chart_statefulset(index):
    """{name: StatefulSet} the chart renders for each NATS HelmRelease of a rendered index."""
    out = {}
    for name, release in index.get("HelmRelease", {}).items():
        if release["spec"]["chart"]["spec"].get("chart") != "nats":
            continue
        values = release["spec"].get("values", {})
        labels = {"app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "nats"}
        nats = _nats_container(values)
        containers = [nats]
        if (values.get("reloader") or {}).get("enabled", True):
            containers.append(_reloader_container(values, nats.get("volumeMounts", [])))
        pod = {
            "metadata": {"labels": dict(labels)},
            "spec": {"shareProcessNamespace": True, "containers": containers,
                     "volumes": [{"name": "config", "configMap": {"name": name + "-config"}}, {"name": "pid", "emptyDir": {}}]},
        }
        pod = load_merge_patch(pod, values.get("podTemplate"))
        sts = {
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": release["metadata"].get("namespace", "roundtable"), "labels": dict(labels)},
            "spec": {"replicas": 1, "serviceName": name + "-headless", "podManagementPolicy": "Parallel",
                     "selector": {"matchLabels": dict(labels)}, "template": pod,
                     "volumeClaimTemplates": [{"metadata": {"name": "nats-js"}, "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": values.get("config", {}).get("jetstream", {}).get("fileStore", {}).get("pvc", {}).get("size", "10Gi")}}}}]},
        }
        out[name] = load_merge_patch(sts, values.get("statefulSet"))
    return out
