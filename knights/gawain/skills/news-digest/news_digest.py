#!/usr/bin/env python3
"""news-digest: rank an Atom feed's entries by topics. Input JSON on stdin, JSON out."""
import json
import os
import sys
import xml.etree.ElementTree as ET

FEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "feed.xml")
ATOM = "{http://www.w3.org/2005/Atom}"
DEFAULT_TOPICS = ["kubernetes", "k3s", "home assistant", "transit", "tram", "weather", "security", "nats"]


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
    topics = request.get("topics", DEFAULT_TOPICS)
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        fail("'topics' must be a list of strings")
    limit = request.get("limit", 4)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        fail("'limit' must be a positive integer")
    root = ET.parse(FEED).getroot()
    ranked = []
    for entry in root.findall(ATOM + "entry"):
        title = entry.findtext(ATOM + "title", "")
        summary = entry.findtext(ATOM + "summary", "")
        text = (title + " " + summary).lower()
        matched = [t for t in topics if t.lower() in text]
        source = entry.find(ATOM + "author")
        ranked.append({"title": title, "source": source.findtext(ATOM + "name", "") if source is not None else "",
                       "updated": entry.findtext(ATOM + "updated", ""), "matched": matched, "score": len(matched),
                       "summary": summary[:160]})
    ranked.sort(key=lambda e: e["updated"], reverse=True)
    ranked.sort(key=lambda e: e["score"], reverse=True)
    print(json.dumps({"topics": topics, "items": [e for e in ranked if e["score"] > 0][:limit]}))


if __name__ == "__main__":
    main()
