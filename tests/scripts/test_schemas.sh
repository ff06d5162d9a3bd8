#!/usr/bin/env bash
# Validates every rendered object against the schema of its API version (Kubernetes, Flux,
# External Secrets, KEDA, prometheus-operator): tests/schema/validate.mjs with the
# @kubernetes-models packages pinned in tests/schema/package-lock.json.
# Needs: kubectl, python3-yaml, node, and `npm ci --prefix tests/schema` (make deps runs it).
set -euo pipefail
exec python3 tests/scripts/check_schemas.py
