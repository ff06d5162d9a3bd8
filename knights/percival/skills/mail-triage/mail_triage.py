#!/usr/bin/env python3
"""mail-triage: sort the household Maildir (data/maildir/{new,cur}) into urgent, needs-reply,
suspicious and fyi, by the rules in data/mailbox.json.

Input (JSON object on stdin, every field optional): folder (new|cur|all), category, limit.
Output: one JSON object. Bad input: exit 2 with {"error": ...} on stderr."""
import email
import email.policy
import email.utils
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "data"))
MAILDIR = os.path.join(DATA, "maildir")
CATEGORIES = ["urgent", "needs-reply", "suspicious", "fyi"]
FIELDS = {"folder": str, "category": str, "limit": int}


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
    for key, value in data.items():
        if key not in FIELDS:
            fail("unknown field %r; known fields: %s" % (key, ", ".join(sorted(FIELDS))))
        if not isinstance(value, FIELDS[key]) or isinstance(value, bool):
            fail("field %r must be %s" % (key, "a string" if FIELDS[key] is str else "an integer"))
    if data.get("folder", "all") not in ("new", "cur", "all"):
        fail("folder must be new, cur or all")
    if data.get("category", "urgent") not in CATEGORIES:
        fail("category must be one of %s" % ", ".join(CATEGORIES))
    if not 1 <= data.get("limit", 20) <= 100:
        fail("limit must be between 1 and 100")
    return data


def body_text(msg):
    part = msg.get_body(preferencelist=("plain",)) if hasattr(msg, "get_body") else None
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError):
        return part.get_payload(decode=True).decode("utf-8", "replace")


def domain_of(address):
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


def classify(msg, rules):
    """(category, reason, flags) for one message."""
    name, address = email.utils.parseaddr(msg.get("From", ""))
    address = address.lower()
    local, domain = address.split("@", 1) if "@" in address else (address, "")
    subject = str(msg.get("Subject", ""))
    body = body_text(msg)
    head = (subject + "\n" + body[:600]).lower()
    flags = []

    bulk = bool(msg.get("List-Unsubscribe") or msg.get("List-Id")
                or str(msg.get("Precedence", "")).lower() in ("bulk", "list", "junk")
                or str(msg.get("Auto-Submitted", "no")).lower() != "no"
                or local in rules.get("bulk_localparts", []))
    if bulk:
        flags.append("bulk")
    vip = address in rules.get("vip", [])
    important = domain in rules.get("important_domains", [])
    if vip:
        flags.append("vip")

    # A sender that borrows the name of a domain we deal with, without being it.
    for known in rules.get("important_domains", []):
        label = known.split(".")[0]
        if label and label in domain and domain != known and not domain.endswith("." + known):
            return "suspicious", "sender %s imitates %s; do not follow its links" % (domain, known), flags + ["lookalike-domain"]
    links = re.findall(r"https?://([^/\s>]+)", body)
    if any(domain_of("x@" + host) != domain and not host.endswith(domain) for host in links) and not bulk and not important:
        flags.append("foreign-links")

    urgent = [k for k in rules.get("urgent_keywords", []) if k in head]
    if urgent and (not bulk or important or vip):
        return "urgent", "mentions %s" % ", ".join(repr(k) for k in urgent[:3]), flags
    owner_addresses = [a.lower() for a in rules.get("owner", {}).get("addresses", [])]
    to_owner = any(a in str(msg.get("To", "")).lower() for a in owner_addresses)
    asks = [k for k in rules.get("reply_keywords", []) if k in head]
    if not bulk and to_owner and (asks or "?" in subject):
        return "needs-reply", "asks %s" % (", ".join(repr(k) for k in asks[:2]) if asks else "a question in the subject"), flags
    if vip and not bulk:
        return "needs-reply", "from a VIP", flags
    if bulk:
        return "fyi", "automated or mailing-list mail", flags
    return "fyi", "no request found", flags


def main():
    query = read_input()
    try:
        with open(os.path.join(DATA, "mailbox.json"), encoding="utf-8") as f:
            rules = json.load(f)
    except (OSError, ValueError) as exc:
        fail("cannot read data/mailbox.json: %s" % exc, 1)
    folders = ["new", "cur"] if query.get("folder", "all") == "all" else [query["folder"]]
    messages = []
    for folder in folders:
        path = os.path.join(MAILDIR, folder)
        for name in sorted(os.listdir(path)) if os.path.isdir(path) else []:
            if name.startswith("."):
                continue
            with open(os.path.join(path, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            category, reason, flags = classify(msg, rules)
            try:
                when = email.utils.parsedate_to_datetime(str(msg.get("Date")))
                stamp, iso = when.timestamp(), when.strftime("%Y-%m-%d %H:%M UTC")
            except (TypeError, ValueError):
                stamp, iso = 0, ""
            sender_name, sender = email.utils.parseaddr(str(msg.get("From", "")))
            messages.append({"category": category, "from": sender_name or sender, "subject": str(msg.get("Subject", "")),
                             "date": iso, "reason": reason, "id": name, "seen": folder == "cur" or ":2," in name and "S" in name.rsplit(",", 1)[-1],
                             "address": sender, "flags": flags, "_t": stamp})
    counts = {c: sum(1 for m in messages if m["category"] == c) for c in CATEGORIES}
    messages.sort(key=lambda m: (CATEGORIES.index(m["category"]), -m["_t"]))
    if "category" in query:
        messages = [m for m in messages if m["category"] == query["category"]]
    shown = messages[:query.get("limit", 20)]
    for m in shown:
        del m["_t"]
    unread = sum(1 for m in shown if not m["seen"])
    summary = "%d messages: %d urgent, %d need a reply, %d suspicious, %d fyi" % (
        sum(counts.values()), counts["urgent"], counts["needs-reply"], counts["suspicious"], counts["fyi"])
    print(json.dumps({"summary": summary, "unread_shown": unread, "counts": counts, "messages": shown}, indent=1))


if __name__ == "__main__":
    main()
