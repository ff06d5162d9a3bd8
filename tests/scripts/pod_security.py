"""The `restricted` Pod Security Standard (Kubernetes, policy version latest), every rule of it,
applied to a pod spec: what the namespace label pod-security.kubernetes.io/enforce=restricted
makes the API server refuse. Used on every pod the platform creates (ours and the charts')."""

# Baseline: sysctls a pod may set without the admin's allow-list.
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
# Restricted: the only volume types allowed.
VOLUME_TYPES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}


def _containers(spec):
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(field, []) or []:
            yield container


def _seccomp_ok(profile):
    return profile is not None and profile.get("type") in ("RuntimeDefault", "Localhost")


def _apparmor_ok(profile):
    return profile is None or profile.get("type") in ("RuntimeDefault", "Localhost")


def _selinux_ok(options):
    options = options or {}
    return options.get("type", "") in SELINUX_TYPES and "user" not in options and "role" not in options


def violations(spec, annotations=None):
    """Every rule of `restricted` the pod spec breaks, as readable strings (empty: admitted)."""
    out = []
    psc = spec.get("securityContext") or {}
    annotations = annotations or {}
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            out.append("%s is set" % field)
    if (psc.get("windowsOptions") or {}).get("hostProcess"):
        out.append("pod windowsOptions.hostProcess")
    for volume in spec.get("volumes", []) or []:
        kinds = set(volume) - {"name"}
        if "hostPath" in kinds:
            out.append("volume %s is a hostPath" % volume["name"])
        elif not kinds <= VOLUME_TYPES:
            out.append("volume %s has type %s, not one of %s" % (volume["name"], sorted(kinds - VOLUME_TYPES), sorted(VOLUME_TYPES)))
    for sysctl in psc.get("sysctls", []) or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            out.append("unsafe sysctl %s" % sysctl.get("name"))
    if not _selinux_ok(psc.get("seLinuxOptions")):
        out.append("pod seLinuxOptions %s" % psc.get("seLinuxOptions"))
    if not _apparmor_ok(psc.get("appArmorProfile")):
        out.append("pod appArmorProfile %s" % psc.get("appArmorProfile"))
    for key, value in annotations.items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and value != "runtime/default" and not value.startswith("localhost/"):
            out.append("AppArmor annotation %s=%s" % (key, value))
    if psc.get("runAsUser") == 0:
        out.append("pod runAsUser is 0")
    pod_nonroot = psc.get("runAsNonRoot")
    pod_seccomp = psc.get("seccompProfile")
    if pod_seccomp is not None and not _seccomp_ok(pod_seccomp):
        out.append("pod seccompProfile %s" % pod_seccomp)
    for container in _containers(spec):
        name = container.get("name")
        sc = container.get("securityContext") or {}
        if sc.get("privileged"):
            out.append("%s: privileged" % name)
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            out.append("%s: windowsOptions.hostProcess" % name)
        if sc.get("procMount", "Default") != "Default":
            out.append("%s: procMount %s" % (name, sc.get("procMount")))
        if not _selinux_ok(sc.get("seLinuxOptions")):
            out.append("%s: seLinuxOptions %s" % (name, sc.get("seLinuxOptions")))
        if not _apparmor_ok(sc.get("appArmorProfile")):
            out.append("%s: appArmorProfile %s" % (name, sc.get("appArmorProfile")))
        if any(p.get("hostPort") for p in container.get("ports", []) or []):
            out.append("%s: uses a hostPort" % name)
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append("%s: allowPrivilegeEscalation is not false" % name)
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            out.append("%s: capabilities do not drop ALL" % name)
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            out.append("%s: adds capabilities %s" % (name, sorted(set(caps["add"]) - {"NET_BIND_SERVICE"})))
        nonroot = sc.get("runAsNonRoot", pod_nonroot)
        if nonroot is not True:
            out.append("%s: runAsNonRoot is not true (pod or container)" % name)
        if sc.get("runAsUser") == 0:
            out.append("%s: runAsUser is 0" % name)
        seccomp = sc.get("seccompProfile", pod_seccomp)
        if not _seccomp_ok(seccomp):
            out.append("%s: seccompProfile is %s, want RuntimeDefault or Localhost (pod or container)" % (name, seccomp))
    return out


def self_test():
    """Each rule must refuse its violation; returns the rules that did not."""
    good = {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
            "volumes": [{"name": "v", "emptyDir": {}}]}
    broken = {
        "hostNetwork": lambda s: s.update(hostNetwork=True),
        "hostPID": lambda s: s.update(hostPID=True),
        "hostPath": lambda s: s["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
        "volume type": lambda s: s["volumes"].append({"name": "n", "nfs": {"server": "x", "path": "/"}}),
        "privileged": lambda s: s["containers"][0]["securityContext"].update(privileged=True),
        "escalation": lambda s: s["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"),
        "drop ALL": lambda s: s["containers"][0]["securityContext"].update(capabilities={}),
        "add cap": lambda s: s["containers"][0]["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
        "runAsNonRoot": lambda s: s["securityContext"].pop("runAsNonRoot"),
        "runAsUser 0": lambda s: s["containers"][0]["securityContext"].update(runAsUser=0),
        "seccomp": lambda s: s["securityContext"].pop("seccompProfile"),
        "hostPort": lambda s: s["containers"][0].update(ports=[{"containerPort": 80, "hostPort": 80}]),
    }
    import copy
    failed = [] if not violations(good) else ["a compliant pod was refused: %s" % violations(good)]
    for rule, breaker in broken.items():
        spec = copy.deepcopy(good)
        breaker(spec)
        if not violations(spec):
            failed.append(rule)
    return failed
