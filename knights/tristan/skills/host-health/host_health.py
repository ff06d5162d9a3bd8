#!/usr/bin/env python3
"""host-health: load, memory, disk and uptime of this host with ok/warn/critical verdicts."""
import json
import os
import sys


def fail(message):
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    sys.exit(2)


def status(value, warn, critical, higher_is_worse=True):
    if higher_is_worse:
        return "critical" if value >= critical else "warn" if value >= warn else "ok"
    return "critical" if value <= critical else "warn" if value <= warn else "ok"


def meminfo():
    values = {}
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            key, rest = line.split(":", 1)
            values[key] = int(rest.split()[0])
    return values


def main():
    try:
        request = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as error:
        fail("input is not JSON: %s" % error)
    if not isinstance(request, dict):
        fail("input must be a JSON object")
    paths = request.get("paths", ["/"])
    if not isinstance(paths, list) or not all(isinstance(p, str) and p.startswith("/") for p in paths):
        fail("'paths' must be a list of absolute paths")
    cores = os.cpu_count() or 1
    with open("/proc/loadavg", encoding="ascii") as f:
        load1, load5, load15 = (float(x) for x in f.read().split()[:3])
    mem = meminfo()
    available_pct = round(100.0 * mem.get("MemAvailable", 0) / max(mem.get("MemTotal", 1), 1), 1)
    with open("/proc/uptime", encoding="ascii") as f:
        uptime_s = float(f.read().split()[0])
    checks = [
        {"metric": "load5_per_core", "value": round(load5 / cores, 2), "status": status(load5 / cores, 1.5, 3.0),
         "detail": "load %.2f %.2f %.2f on %d cores" % (load1, load5, load15, cores)},
        {"metric": "memory_available_pct", "value": available_pct, "status": status(available_pct, 15, 5, higher_is_worse=False),
         "detail": "%d MiB of %d MiB available" % (mem.get("MemAvailable", 0) // 1024, mem.get("MemTotal", 0) // 1024)},
    ]
    for path in paths:
        try:
            st = os.statvfs(path)
        except OSError as error:
            checks.append({"metric": "disk_used_pct", "path": path, "value": None, "status": "critical", "detail": str(error)})
            continue
        total = st.f_blocks * st.f_frsize
        used_pct = round(100.0 * (st.f_blocks - st.f_bavail) / max(st.f_blocks, 1), 1)
        checks.append({"metric": "disk_used_pct", "path": path, "value": used_pct, "status": status(used_pct, 85, 95),
                       "detail": "%.1f GiB free of %.1f GiB" % (st.f_bavail * st.f_frsize / 2**30, total / 2**30)})
    worst = max(checks, key=lambda c: ["ok", "warn", "critical"].index(c["status"]))["status"]
    print(json.dumps({"status": worst, "uptimeHours": round(uptime_s / 3600, 1), "checks": checks}))


if __name__ == "__main__":
    main()
