#!/usr/bin/env bash
# The paths, make targets and `kubectl apply -k` directories that README.md, deploy/README.md
# and knights/README.md name exist, and what they offer kubectl without Flux needs no Flux.
# Needs: kubectl, python3-yaml.
set -euo pipefail
exec python3 tests/scripts/check_deploy_docs.py
