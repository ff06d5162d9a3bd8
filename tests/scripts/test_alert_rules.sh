#!/usr/bin/env bash
# The PrometheusRule of deploy/components/monitoring: promtool checks its rules and runs the
# unit tests in tests/scripts/alert_rules_test.yaml against them; every metric the rules and the
# Grafana dashboard use is one the binaries export (docs/contract.md §10).
# Needs: promtool (Debian's prometheus package; make deps), python3-yaml.
set -euo pipefail
rule=deploy/components/monitoring/prometheusrule.yaml
dashboard=deploy/components/monitoring/grafana-dashboard.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$rule" "$work/rules.yaml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["kind"] == "PrometheusRule", doc["kind"]
yaml.safe_dump(doc["spec"], open(sys.argv[2], "w"), sort_keys=False)
PY
promtool check rules "$work/rules.yaml"
cp tests/scripts/alert_rules_test.yaml "$work/"
promtool test rules "$work/alert_rules_test.yaml"

# Metric names in the rules and the dashboard must be exported by src/ (or be Prometheus' own).
python3 - "$rule" "$dashboard" <<'PY'
import json, pathlib, re, sys
exported = set()
for path in pathlib.Path("src").rglob("*.[ch]pp"):
    exported |= set(re.findall(r'"(roundtable_[a-z_]+)"', path.read_text()))
for path in pathlib.Path("include").rglob("*.hpp"):
    exported |= set(re.findall(r'"(roundtable_[a-z_]+)"', path.read_text()))
histograms = {m for m in exported if m.endswith("_seconds")}
for m in list(histograms):
    exported |= {m + "_bucket", m + "_sum", m + "_count"}
used = set()
used |= set(re.findall(r"roundtable_[a-z_]+", open(sys.argv[1]).read()))
dashboard = json.load(open(sys.argv[2]))
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
assert exprs, "the dashboard has no queries"
for expr in exprs:
    used |= set(re.findall(r"roundtable_[a-z_]+", expr))
missing = sorted(used - exported)
if missing:
    sys.exit("metrics used but not exported: " + ", ".join(missing))
contract = open("docs/contract.md").read()
undocumented = sorted(m for m in used if re.sub(r"_(bucket|sum|count)$", "", m) not in contract)
if undocumented:
    sys.exit("metrics used but not in docs/contract.md §10: " + ", ".join(undocumented))
print(f"{len(used)} metrics used by the rules and the dashboard, all exported and documented")
PY
