#!/usr/bin/env python3
"""Example skill: report the workspace's memory size and skills; echo a note as data."""
import json
import os
import sys


def fail(message):
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    sys.exit(2)


def main():
    try:
        request = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as error:
        fail("input is not JSON: %s" % error)
    if not isinstance(request, dict):
        fail("input must be a JSON object")
    note = request.get("note", "")
    if not isinstance(note, str):
        fail("'note' must be a string")
    home = os.environ.get("HOME", "..")
    memory_path = os.path.join(home, "MEMORY.md")
    lines = 0
    if os.path.exists(memory_path):
        with open(memory_path, encoding="utf-8") as memory:
            lines = sum(1 for line in memory if line.startswith("- "))
    skills_dir = os.path.join(home, "skills")
    skills = sorted(os.listdir(skills_dir)) if os.path.isdir(skills_dir) else []
    print(json.dumps({"memoryNotes": lines, "skills": skills, "note": note}))


if __name__ == "__main__":
    main()
