#!/usr/bin/env bash
# Starts nats-server with the rendered NATS config and fleet users and shows what each fleet
# may and may not do; with built binaries, runs a knight as fleet-a against it.
# Needs: kubectl (kubernetes-client), nats-server, python3, python3-yaml.
set -euo pipefail
exec python3 tests/scripts/check_nats_permissions.py
