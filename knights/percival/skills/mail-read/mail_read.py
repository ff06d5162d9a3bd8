#!/usr/bin/env python3
"""mail-read: one message of the household Maildir by its id (file name, as mail-triage lists it).

Input: {"id": "<file name>", "max_chars": 4000}. Only names that exist in new/ or cur/ are
accepted; the id is matched against the folder listing, never joined into a path blindly."""
import email
import email.policy
import email.utils
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAILDIR = os.path.normpath(os.path.join(HERE, "..", "..", "data", "maildir"))


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
    unknown = set(data) - {"id", "max_chars"}
    if unknown:
        fail("unknown field(s): %s" % ", ".join(sorted(unknown)))
    if "id" not in data:
        fail("missing required field 'id' (a message id from mail-triage)")
    if not isinstance(data["id"], str) or not data["id"]:
        fail("field 'id' must be a non-empty string")
    limit = data.get("max_chars", 4000)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 100 <= limit <= 20000:
        fail("field 'max_chars' must be an integer between 100 and 20000")
    return data["id"], limit


def main():
    wanted, limit = read_input()
    for folder in ("new", "cur"):
        path = os.path.join(MAILDIR, folder)
        names = os.listdir(path) if os.path.isdir(path) else []
        if wanted in names:  # exact listing match: no "..", no slashes, no other files
            with open(os.path.join(path, wanted), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            part = msg.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else ""
            truncated = len(body) > limit
            print(json.dumps({
                "summary": "%s from %s (%d characters%s)" % (str(msg.get("Subject", "")), str(msg.get("From", "")), len(body),
                                                            ", truncated" if truncated else ""),
                "id": wanted, "folder": folder, "from": str(msg.get("From", "")), "to": str(msg.get("To", "")),
                "subject": str(msg.get("Subject", "")), "date": str(msg.get("Date", "")),
                "links": sorted(set(re.findall(r"https?://[^\s>]+", body))),
                "body": body[:limit] + ("\n[truncated]" if truncated else ""), "truncated": truncated}, indent=1))
            return
    fail("no message with id %r in new/ or cur/; call mail-triage for the ids" % wanted)


if __name__ == "__main__":
    main()
