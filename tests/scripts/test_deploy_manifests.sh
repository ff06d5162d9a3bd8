#!/usr/bin/env bash
# Renders every kustomization (deploy/, knights/) and checks the rendered objects.
# Needs: kubectl (kubernetes-client), python3, python3-yaml.
set -euo pipefail
exec python3 tests/scripts/check_manifests.py
