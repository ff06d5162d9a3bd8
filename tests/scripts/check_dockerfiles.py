#!/usr/bin/env python3
"""Checks docker/*.Dockerfile without a Docker engine: the build stage installs the -dev
packages and builds the CMake executables (as CI does), the runtime stage installs a runtime
package for every library the binaries link (from ldd of the built binaries, mapped with dpkg
and apt-cache, when they are built), cleans apt in the same layer, runs as a non-root user and
group that exist with a home, ships no knight, carries OCI labels, no HEALTHCHECK; base images
pinned; .dockerignore keeps docker/, knights/ and build trees out of the context."""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploylib import Checks  # noqa: E402

c = Checks("Dockerfiles")
DEV_TO_RUNTIME = {  # Debian 12 (bookworm) names
    "libnats-dev": ["libnats3.4"], "libcpp-httplib-dev": ["libcpp-httplib0.11", "libbrotli1", "zlib1g"],
    "libhiredis-dev": ["libhiredis0.14"],
    "libyaml-cpp-dev": ["libyaml-cpp0.7"], "libssl-dev": ["libssl3", "ca-certificates"], "nlohmann-json3-dev": [],
}
IMAGES = {"nats-bridge": "docker/nats-bridge.Dockerfile", "knight-gateway": "docker/knight-gateway.Dockerfile"}
IN_SLIM_BASE = {"libc6", "libgcc-s1", "libstdc++6"}  # present in debian:12-slim


def joined(text):
    return re.sub(r"\\\n", " ", text)


def apt_packages(stage):
    found = []
    for cmd in re.findall(r"apt-get install ([^&\n]+)", joined(stage)):
        found += [w for w in cmd.split() if not w.startswith("-")]
    return found


def cmake_executables():
    text = open("CMakeLists.txt").read()
    return set(re.findall(r"^add_executable\(([\w-]+)", text, re.M))


def linked_packages(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    packages = set()
    for lib in re.findall(r"=> (/\S+)", out):
        real = os.path.realpath(lib)
        for candidate in (real, lib, real.replace("/usr/lib/", "/lib/", 1)):
            owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if owner.returncode == 0:
                packages.add(owner.stdout.split(":")[0].strip())
                break
        else:
            c.check(False, "%s links %s, which no Debian package owns" % (binary, lib))
    return packages


def dependency_closure(packages):
    """Packages pulled in by installing `packages` (recursive Depends/PreDepends)."""
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                          "--no-breaks", "--no-replaces", "--no-enhances"] + sorted(packages), capture_output=True, text=True).stdout
    closure = set(packages)
    for line in out.splitlines():
        m = re.match(r"\s+(?:Pre)?Depends: <?([\w.+-]+)", line) or re.match(r"^([\w.+-]+)$", line)
        if m:
            closure.add(m.group(1).split(":")[0])
    return closure


def main():
    executables = cmake_executables()
    c.check({"nats-bridge", "knight-gateway", "roundtable"} <= executables, "CMakeLists.txt declares %s" % sorted(executables))
    bin_dir = os.environ.get("RT_BIN_DIR") or "build/bin"
    for image, path in IMAGES.items():
        if not c.check(os.path.isfile(path), "missing %s" % path):
            continue
        text = open(path).read()
        stages = re.split(r"^FROM ", text, flags=re.M)[1:]
        c.check(len(stages) == 2, "%s: want a build stage and a runtime stage, found %d" % (path, len(stages)))
        build, runtime = stages[0], stages[-1]
        c.check(re.match(r"debian:12(\.\d+)?(@sha256:[0-9a-f]{64})?\s+AS\s+build", build) is not None, "%s: the build stage is not debian:12 AS build" % path)
        c.check(re.match(r"debian:12(\.\d+)?-slim(@sha256:[0-9a-f]{64})?\s", runtime) is not None, "%s: the runtime stage is not debian:12-slim" % path)
        for stage in (build, runtime):  # a digest, or at least a point release, never a moving major tag
            c.check(re.match(r"debian:12\.\d+(-slim)?[\s@]|\S+@sha256:[0-9a-f]{64}", stage) is not None,
                    "%s: FROM %s is not pinned (point release tag or digest)" % (path, stage.split()[0]))
            for run in re.findall(r"^RUN .*?(?<!\\)$", joined(stage), re.M | re.S):
                if "apt-get install" in run:
                    c.check("apt-get clean" in run and "rm -rf /var/lib/apt/lists/*" in run,
                            "%s: an apt-get install layer must clean apt itself (apt-get clean, rm -rf /var/lib/apt/lists/*)" % path)
        build_pkgs, runtime_pkgs = set(apt_packages(build)), set(apt_packages(runtime))
        for dev in list(DEV_TO_RUNTIME) + ["build-essential", "cmake", "pkg-config", "libgtest-dev"]:
            c.check(dev in build_pkgs, "%s: build stage lacks %s (CMakeLists.txt requires it)" % (path, dev))
        c.check(not any(p.endswith("-dev") for p in runtime_pkgs), "%s: runtime stage installs -dev packages" % path)
        for dev, runtime_names in DEV_TO_RUNTIME.items():
            for name in runtime_names:
                c.check(name in runtime_pkgs, "%s: runtime stage lacks %s (for %s)" % (path, name, dev))
        configure = re.search(r"cmake -S \. -B (\S+) -DCMAKE_BUILD_TYPE=Release", joined(build))
        c.check(configure is not None, "%s: does not configure with cmake -S . -B <dir> -DCMAKE_BUILD_TYPE=Release like CI" % path)
        targets = set()
        for found in re.findall(r"cmake --build \S+.*?--target ((?:[\w-]+\s*)+)", joined(build)):
            targets.update(found.split())
        c.check(image in targets, "%s: does not build the %s target" % (path, image))
        c.check(targets <= executables, "%s: builds targets CMake does not declare: %s" % (path, sorted(targets - executables)))
        copied = set(re.findall(r"build/bin/([\w-]+)", " ".join(re.findall(r"^COPY --from=build .*$", runtime, re.M))))
        c.check(copied == targets, "%s: builds %s but copies %s into the runtime stage" % (path, sorted(targets), sorted(copied)))
        user = re.findall(r"^USER (\S+)", runtime, re.M)
        c.check(user and user[-1].split(":")[0] not in ("0", "root"), "%s: the runtime stage does not end as a non-root USER" % path)
        if user and ":" in user[-1]:
            uid, gid = user[-1].split(":")
            runs = joined(runtime)
            c.check(re.search(r"groupadd [^&]*--gid %s\b" % gid, runs) is not None, "%s: USER names group %s, which the image does not create" % (path, gid))
            c.check(re.search(r"useradd [^&]*--uid %s\b[^&]*--gid %s\b[^&]*--create-home" % (uid, gid), runs) is not None,
                    "%s: USER %s needs a user with that group and a home (useradd --uid --gid --create-home)" % (path, user[-1]))
        c.check("HEALTHCHECK" not in text, "%s: has a HEALTHCHECK (Kubernetes probes do that)" % path)
        for label in ("title", "description", "source", "licenses", "version"):
            c.check("org.opencontainers.image.%s=" % label in runtime, "%s: lacks OCI label org.opencontainers.image.%s" % (path, label))
        c.check(re.search(r"^ENTRYPOINT \[\"/usr/local/bin/%s\"\]" % image, runtime, re.M) is not None, "%s: ENTRYPOINT is not %s" % (path, image))
        c.check(re.search(r"^COPY .*knights", text, re.M) is None,
                "%s: knights come from git through ConfigMaps (deploy/knight-base), not from the image" % path)
        if image == "knight-gateway":
            c.check("python3" in runtime_pkgs, "%s: skills are python3 scripts; the runtime needs python3" % path)
            c.check("rt-skill-start" in targets, "%s: skills start through rt-skill-start beside knight-gateway; the image lacks it" % path)
        # The runtime stage must provide every library the built binaries link.
        binaries = [os.path.join(bin_dir, t) for t in sorted(targets)]
        if all(os.access(b, os.X_OK) for b in binaries):
            closure = dependency_closure(runtime_pkgs) | IN_SLIM_BASE
            for b in binaries:
                needed = linked_packages(b)
                c.check(needed <= closure, "%s: %s links libraries of %s, which the runtime stage does not install"
                        % (path, os.path.basename(b), sorted(needed - closure)))
            print("  %s: ldd of %s maps to packages the runtime stage installs" % (path, ", ".join(os.path.basename(b) for b in binaries)))
        else:
            print("  %s: binaries not built in %s, ldd check skipped" % (path, bin_dir))
        print("  %s: builds %s; runtime %s" % (path, " ".join(sorted(targets)), " ".join(sorted(runtime_pkgs))))
    ignore = open(".dockerignore").read().split() if os.path.exists(".dockerignore") else []
    c.check("build/" in ignore and ".git/" in ignore, ".dockerignore must keep build/ and .git/ out of the context")
    c.check(not any(p.strip("/") in ("src", "include", "CMakeLists.txt", "tests", "cmake", "bench") for p in ignore),
            ".dockerignore excludes sources the build needs")
    dockerfiles = {os.path.dirname(p) or "." for p in IMAGES.values()}
    c.check(all(d + "/" in ignore for d in dockerfiles if d != "."),
            ".dockerignore must exclude %s, where the Dockerfiles live (an edited Dockerfile must not bust the COPY . . cache)" % sorted(dockerfiles))
    c.check("knights/" in ignore, ".dockerignore must keep knights/ out: no knight is baked into an image")
    c.finish()


if __name__ == "__main__":
    main()
