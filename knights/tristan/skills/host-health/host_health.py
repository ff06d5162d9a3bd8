#!/usr/bin/env python3
"""host-health: load, memory, swap, disks, uptime (and the container's cgroup memory when
visible) from /proc, /sys/fs/cgroup and statvfs, each judged ok / warn / critical.

Input (JSON object on stdin, every field optional): paths (absolute paths to check the
filesystems of), thresholds (numbers overriding the defaults below).
Argument --proc DIR reads another proc tree (tests use a fake one); the model cannot set it.
Output: one JSON object. Bad input: exit 2 with {"error": ...} on stderr."""
import json
import os
import socket
import sys

DEFAULTS = {
    "load_per_cpu_warn": 1.0, "load_per_cpu_critical": 2.0,        # 5-minute load per CPU
    "mem_available_warn_pct": 15.0, "mem_available_critical_pct": 5.0,
    "swap_used_warn_pct": 50.0, "swap_used_critical_pct": 80.0,
    "disk_used_warn_pct": 85.0, "disk_used_critical_pct": 95.0,    # space and inodes
    "uptime_warn_seconds": 600,                                   # a reboot in the last 10 minutes
}
RANK = {"ok": 0, "warn": 1, "critical": 2}


def fail(message, code=2):
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    sys.exit(code)


def read_input():
    raw = sys.stdin.read()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        fail("input is not JSON: %s" % exc)
    if not isinstance(data, dict):
        fail("input must be a JSON object")
    unknown = set(data) - {"paths", "thresholds"}
    if unknown:
        fail("unknown field(s): %s; known: paths, thresholds" % ", ".join(sorted(unknown)))
    paths = data.get("paths")
    if paths is not None:
        if not isinstance(paths, list) or not 1 <= len(paths) <= 8:
            fail("field 'paths' must be a list of 1 to 8 absolute paths")
        for p in paths:
            if not isinstance(p, str) or not p.startswith("/") or "\0" in p or len(p) > 256:
                fail("every entry of 'paths' must be an absolute path string, got %r" % (p,))
    limits = dict(DEFAULTS)
    thresholds = data.get("thresholds", {})
    if not isinstance(thresholds, dict):
        fail("field 'thresholds' must be an object")
    for key, value in thresholds.items():
        if key not in DEFAULTS:
            fail("unknown threshold %r; known: %s" % (key, ", ".join(sorted(DEFAULTS))))
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            fail("threshold %r must be a non-negative number" % key)
        limits[key] = value
    return paths, limits


def above(value, warn, critical):
    return "critical" if value >= critical else "warn" if value >= warn else "ok"


def below(value, warn, critical):
    return "critical" if value <= critical else "warn" if value <= warn else "ok"


def human(seconds):
    days, rest = divmod(int(seconds), 86400)
    return "%dd %dh %dm" % (days, rest // 3600, rest % 3600 // 60)


def meminfo(proc):
    values = {}
    with open(os.path.join(proc, "meminfo")) as f:
        for line in f:
            key, _, rest = line.partition(":")
            values[key] = int(rest.split()[0])  # kB
    return values


def cgroup_memory():
    """The container's own limit (cgroup v2), which matters more than the host's RAM in a pod."""
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        with open("/sys/fs/cgroup/memory.current") as f:
            current = int(f.read().strip())
    except (OSError, ValueError):
        return None
    if limit == "max":
        return None
    return int(limit), current


def main():
    proc = "/proc"
    if len(sys.argv) == 3 and sys.argv[1] == "--proc":
        proc = sys.argv[2]
    paths, t = read_input()
    checks = []

    def add(name, status, value, unit, detail):
        checks.append({"check": name, "status": status, "value": value, "unit": unit, "detail": detail})

    try:
        with open(os.path.join(proc, "loadavg")) as f:
            fields = f.read().split()
        load1, load5, load15 = (float(x) for x in fields[:3])
        running, total = (int(x) for x in fields[3].split("/"))
        mem = meminfo(proc)
        with open(os.path.join(proc, "uptime")) as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError, IndexError, KeyError) as exc:
        fail("cannot read %s: %s" % (proc, exc), 1)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1

    per_cpu = round(load5 / cpus, 2)
    add("load", above(per_cpu, t["load_per_cpu_warn"], t["load_per_cpu_critical"]), per_cpu, "load/cpu (5m)",
        "load %.2f %.2f %.2f on %d CPUs; %d of %d tasks running" % (load1, load5, load15, cpus, running, total))

    total_kb, avail_kb = mem.get("MemTotal", 0), mem.get("MemAvailable", mem.get("MemFree", 0))
    avail_pct = round(100.0 * avail_kb / total_kb, 1) if total_kb else 0.0
    add("memory", below(avail_pct, t["mem_available_warn_pct"], t["mem_available_critical_pct"]), avail_pct, "% available",
        "%d of %d MiB available" % (avail_kb // 1024, total_kb // 1024))
    swap_total, swap_free = mem.get("SwapTotal", 0), mem.get("SwapFree", 0)
    swap_pct = round(100.0 * (swap_total - swap_free) / swap_total, 1) if swap_total else 0.0
    if swap_total:
        add("swap", above(swap_pct, t["swap_used_warn_pct"], t["swap_used_critical_pct"]), swap_pct, "% used",
            "%d of %d MiB used" % ((swap_total - swap_free) // 1024, swap_total // 1024))
    group = cgroup_memory() if proc == "/proc" else None
    if group:
        limit, current = group
        free_pct = round(100.0 * (limit - current) / limit, 1)
        add("container-memory", below(free_pct, t["mem_available_warn_pct"], t["mem_available_critical_pct"]), free_pct,
            "% of limit free", "%d of %d MiB used (cgroup limit)" % (current // 2**20, limit // 2**20))

    disks, seen = [], set()
    for path in paths or ["/", os.environ.get("HOME", "/")]:
        try:
            st, dev = os.statvfs(path), os.stat(path).st_dev
        except OSError as exc:
            add("disk " + path, "warn", None, "% used", "cannot stat: %s" % exc.strerror)
            continue
        if dev in seen:
            continue
        seen.add(dev)
        used = st.f_blocks - st.f_bfree
        usable = used + st.f_bavail
        used_pct = round(100.0 * used / usable, 1) if usable else 0.0
        inode_pct = round(100.0 * (st.f_files - st.f_ffree) / st.f_files, 1) if st.f_files else 0.0
        status = max(above(used_pct, t["disk_used_warn_pct"], t["disk_used_critical_pct"]),
                     above(inode_pct, t["disk_used_warn_pct"], t["disk_used_critical_pct"]), key=RANK.get)
        free_gib = round(st.f_bavail * st.f_frsize / 2**30, 1)
        add("disk " + path, status, used_pct, "% used", "%.1f GiB free, inodes %.1f%% used" % (free_gib, inode_pct))
        disks.append({"path": path, "used_pct": used_pct, "free_gib": free_gib, "inodes_used_pct": inode_pct})

    add("uptime", "warn" if uptime < t["uptime_warn_seconds"] else "ok", int(uptime), "seconds",
        "up " + human(uptime) + (" (recent reboot)" if uptime < t["uptime_warn_seconds"] else ""))

    status = max((c["status"] for c in checks), key=RANK.get)
    bad = ["%s %s (%s)" % (c["check"], c["status"], c["detail"]) for c in checks if c["status"] != "ok"]
    try:
        with open(os.path.join(proc, "sys/kernel/hostname")) as f:
            host = f.read().strip()
    except OSError:
        host = socket.gethostname()
    summary = "%s is %s" % (host, status) + (": " + "; ".join(bad) if bad else ": load, memory, disks and uptime within limits")
    print(json.dumps({
        "summary": summary, "status": status, "host": host, "checks": checks,
        "load": {"1m": load1, "5m": load5, "15m": load15, "cpus": cpus, "per_cpu_5m": per_cpu},
        "memory": {"total_mib": total_kb // 1024, "available_mib": avail_kb // 1024, "available_pct": avail_pct, "swap_used_pct": swap_pct},
        "disks": disks, "uptime_seconds": int(uptime), "uptime": human(uptime)}, indent=1))


if __name__ == "__main__":
    main()
