#!/usr/bin/env python3
"""news-digest: rank the shipped Atom feed (data/feed.xml) by the household's interests
(data/interests.json) or by the topics given, and return the top items.

Input (JSON object on stdin, every field optional): topics (list of strings), limit, source.
Output: one JSON object. Bad input: exit 2 with {"error": ...} on stderr."""
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "data"))
ATOM = "{http://www.w3.org/2005/Atom}"


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
    unknown = set(data) - {"topics", "limit", "source"}
    if unknown:
        fail("unknown field(s): %s; known: limit, source, topics" % ", ".join(sorted(unknown)))
    topics = data.get("topics")
    if topics is not None:
        if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
            fail("field 'topics' must be a list of non-empty strings")
        if not 1 <= len(topics) <= 12 or any(len(t) > 60 for t in topics):
            fail("field 'topics' takes 1 to 12 topics of at most 60 characters")
    limit = data.get("limit", 5)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 30:
        fail("field 'limit' must be an integer between 1 and 30")
    if "source" in data and not isinstance(data["source"], str):
        fail("field 'source' must be a string")
    return data


def text(node, tag):
    child = node.find(ATOM + tag)
    return (child.text or "").strip() if child is not None else ""


def parse_time(value):
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def matcher(topic):
    # Whole words, case-insensitive; the topic is escaped, so it is only ever literal text.
    return re.compile(r"(?<![\w-])" + re.escape(topic.lower()) + r"(?![\w-])")


def main():
    query = read_input()
    try:
        root = ET.parse(os.path.join(DATA, "feed.xml")).getroot()
        with open(os.path.join(DATA, "interests.json"), encoding="utf-8") as f:
            interests = json.load(f)
    except (OSError, ValueError, ET.ParseError) as exc:
        fail("cannot read the shipped data: %s" % exc, 1)
    if "topics" in query:
        weights = {t.strip().lower(): 1 for t in query["topics"]}
        muted = []
    else:
        weights = {k.lower(): v for k, v in interests.get("topics", {}).items()}
        muted = [m.lower() for m in interests.get("muted", [])]
    patterns = {t: matcher(t) for t in weights}
    feed_time = parse_time(text(root, "updated"))
    source_filter = query.get("source", "").strip().lower()

    items = []
    entries = root.findall(ATOM + "entry")
    for entry in entries:
        title, summary = text(entry, "title"), text(entry, "summary")
        author = entry.find(ATOM + "author")
        source = text(author, "name") if author is not None else ""
        if source_filter and source_filter not in source.lower():
            continue
        categories = [c.get("term", "").lower() for c in entry.findall(ATOM + "category")]
        link = entry.find(ATOM + "link")
        lowered_title, lowered_summary = title.lower(), summary.lower()
        if any(m in lowered_title or m in lowered_summary for m in muted):
            continue
        score, matched = 0, []
        for topic, weight in weights.items():
            hits = 3 * bool(patterns[topic].search(lowered_title)) + 2 * (topic in categories) \
                + bool(patterns[topic].search(lowered_summary))
            if hits:
                score += weight * hits
                matched.append(topic)
        if not score:
            continue
        published = parse_time(text(entry, "updated"))
        age_hours = None
        if published and feed_time:
            age_hours = round((feed_time - published).total_seconds() / 3600, 1)
            if age_hours <= 12:
                score += 2  # fresh this morning
            elif age_hours <= 24:
                score += 1
        items.append({"title": title, "source": source, "published": text(entry, "updated"), "score": score,
                      "matched": ", ".join(matched), "summary": summary,
                      "link": link.get("href", "") if link is not None else "", "age_hours": age_hours})
    items.sort(key=lambda i: (i["score"], i["published"]), reverse=True)
    shown = items[:query.get("limit", 5)]
    summary = "%d of %d feed items match %s; top: %s" % (
        len(items), len(entries), "the given topics" if "topics" in query else "the household's interests",
        shown[0]["title"] if shown else "nothing")
    print(json.dumps({"summary": summary, "feed_updated": text(root, "updated"), "matches": len(items),
                      "topics": sorted(weights), "items": shown}, indent=1))


if __name__ == "__main__":
    main()
