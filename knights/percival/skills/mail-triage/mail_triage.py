#!/usr/bin/env python3
"""mail-triage: classify a Maildir's messages into urgent / needs-reply / fyi."""
import email
import email.policy
import email.utils
import json
import os
import sys

MAILDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "maildir")
URGENT = ("urgent", "overdue", "final notice", "security alert", "today", "asap", "suspended", "deadline")
REPLY = ("?", "please confirm", "can you", "could you", "rsvp", "let me know", "reply")
BULK = ("newsletter", "unsubscribe", "digest", "no-reply", "noreply")


def fail(message):
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    sys.exit(2)


def classify(sender, subject, body):
    text = (subject + " " + body).lower()
    if any(word in sender.lower() or word in text for word in BULK):
        return "fyi", "bulk mail"
    for word in URGENT:
        if word in text:
            return "urgent", "mentions '%s'" % word
    for word in REPLY:
        if word in text:
            return "needs-reply", "asks '%s'" % word.strip()
    return "fyi", "no request found"


def main():
    try:
        request = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as error:
        fail("input is not JSON: %s" % error)
    if not isinstance(request, dict):
        fail("input must be a JSON object")
    folder = request.get("folder", "new")
    if folder not in ("new", "cur", "all"):
        fail("'folder' must be new, cur or all")
    limit = request.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        fail("'limit' must be a positive integer")
    folders = ["new", "cur"] if folder == "all" else [folder]
    messages = []
    for name in folders:
        path = os.path.join(MAILDIR, name)
        for filename in sorted(os.listdir(path)):
            with open(os.path.join(path, filename), "rb") as raw:
                msg = email.message_from_binary_file(raw, policy=email.policy.default)
            body_part = msg.get_body(preferencelist=("plain",))
            body = body_part.get_content() if body_part else ""
            sender, subject = str(msg.get("From", "")), str(msg.get("Subject", ""))
            category, why = classify(sender, subject, body)
            date = email.utils.parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
            messages.append({"from": sender, "subject": subject, "date": date.isoformat() if date else "",
                             "category": category, "why": why, "gist": " ".join(body.split())[:120]})
    order = {"urgent": 0, "needs-reply": 1, "fyi": 2}
    messages.sort(key=lambda m: m["date"], reverse=True)
    messages.sort(key=lambda m: order[m["category"]])
    counts = {c: sum(1 for m in messages if m["category"] == c) for c in order}
    print(json.dumps({"counts": counts, "messages": messages[:limit]}))


if __name__ == "__main__":
    main()
