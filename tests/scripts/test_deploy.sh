#!/usr/bin/env bash
# Renders every kustomization and checks manifests, NATS permissions and Dockerfiles.
set -euo pipefail
exec /usr/bin/python3 tests/scripts/check_deploy.py
