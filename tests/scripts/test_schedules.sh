#!/usr/bin/env bash
# The scheduled asks' CronJobs: the committed render is current, valid by schema, restricted,
# never stacked, secrets from ExternalSecrets, NetworkPolicies tight (tests/scripts/check_schedules.py).
# Needs: the roundtable binary (RT_BIN_DIR), kubectl, python3-yaml, node + `npm ci --prefix tests/schema`.
set -euo pipefail
exec python3 tests/scripts/check_schedules.py
