"""Writes the symbol ordering file for nats-bridge's link from callgrind profiles, one per phase
(start-up, idle, tasks): each phase's new functions after the previous phase's, sorted within it.
Usage: startup_order.py BINARY OUT PROFILE..."""
import re
import sys


def functions_run(profile, binary):
    """The symbols of `binary` that have a cost in one callgrind profile (--demangle=no)."""
    objects, functions, ran = {}, {}, set()
    current_object = None
    for line in open(profile):
        m = re.match(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        kind, index, name = m.groups()
        table = objects if kind in ("ob", "cob") else functions
        if name:
            table[index] = name
        if kind == "ob":
            current_object = objects[index]
        elif kind == "fn" and current_object == binary:
            ran.add(functions[index])
    # Symbols only: callgrind also names code it has no symbol for ("(below main)", "0x...").
    return {name for name in ran if re.fullmatch(r"[A-Za-z_][\w.$]*", name)}


# What runs before main and that callgrind books "below main": the entry point (crt1.o) and
# crtbegin.o's frame_dummy, run from .init_array. Left out, each faulted in a 64 kB window of text
# of its own, past the ordered functions (docs/performance.md, change 32).
BEFORE_MAIN = ["_start", "frame_dummy"]


def main():
    binary, out, profiles = sys.argv[1], sys.argv[2], sys.argv[3:]
    ordered, seen = list(BEFORE_MAIN), set(BEFORE_MAIN)
    for profile in profiles:
        fresh = functions_run(profile, binary) - seen
        ordered += sorted(fresh)
        seen |= fresh
    with open(out, "w") as f:
        f.write("".join(name + "\n" for name in ordered))
    print(f"{len(ordered)} functions -> {out}")


if __name__ == "__main__":
    main()
