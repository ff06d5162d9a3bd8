#!/usr/bin/env python3
"""example: the template's skill. Echoes the text it is given with a few facts about it, to
show the skill contract: JSON object on stdin, one JSON object on stdout, exit 2 with
{"error": ...} on stderr for bad input, input treated as data only. Replace with a real skill."""
import json
import os
import sys


def fail(message, code=2):
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    sys.exit(code)


def main():
    raw = sys.stdin.read()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        fail("input is not JSON: %s" % exc)
    if not isinstance(data, dict):
        fail("input must be a JSON object")
    unknown = set(data) - {"text", "upper"}
    if unknown:
        fail("unknown field(s): %s; known: text, upper" % ", ".join(sorted(unknown)))
    if "text" not in data:
        fail("missing required field 'text'")
    if not isinstance(data["text"], str):
        fail("field 'text' must be a string")
    if not isinstance(data.get("upper", False), bool):
        fail("field 'upper' must be a boolean")
    text = data["text"][:10000]
    print(json.dumps({
        "summary": "echoed %d characters" % len(text),
        "echo": text.upper() if data.get("upper") else text,
        "characters": len(text),
        "words": len(text.split()),
        "agent": os.environ.get("AGENT_ID", ""),
        "fleet": os.environ.get("FLEET_ID", ""),
    }))


if __name__ == "__main__":
    main()
