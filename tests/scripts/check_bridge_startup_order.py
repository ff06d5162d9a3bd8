"""The functions nats-bridge runs until it is ready are laid out together (change 17 in
docs/performance.md): they must fall in at most twice as many 64 KiB windows (the kernel's
fault-around unit) as their size needs. A default link spreads them over the whole text."""
import math
import os
import subprocess
import sys

WINDOW = 64 * 1024


def main():
    binary = os.path.join(os.environ.get("RT_BIN_DIR") or "build/bin", "nats-bridge")
    if not os.access(binary, os.X_OK):
        print("nats-bridge is not built in %s" % os.path.dirname(binary))
        return 1
    comment = subprocess.run(["readelf", "-p", ".comment", binary], capture_output=True, text=True).stdout
    if "LLD" not in comment:
        print("SKIP: nats-bridge was not linked by lld (no ld.lld, or a sanitizer build): nothing to check")
        return 0
    listed = set(open("cmake/nats-bridge-startup.order").read().split())
    spans = set()
    for line in subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW" and fields[3] in listed:
            spans.add((int(fields[0], 16), int(fields[1], 16)))
    if len(spans) < len(listed) // 2:
        print("FAIL: only %d of the %d listed functions are in nats-bridge: run make startup-order" % (len(spans), len(listed)))
        return 1
    size = sum(length for _, length in spans)
    windows = {page // WINDOW for start, length in spans for page in range(start, start + max(length, 1), 4096)}
    allowed = 2 * math.ceil(size / WINDOW)
    print("%d listed functions, %d KiB, in %d windows of 64 KiB (at most %d)" % (len(spans), size // 1024, len(windows), allowed))
    if len(windows) > allowed:
        print("FAIL: the start-up functions are spread over the text: is the link's --symbol-ordering-file lost?")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
