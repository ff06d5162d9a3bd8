#!/usr/bin/env bash
# A knight scaffolded with `roundtable knight new` renders, its workspace is built from the
# generated ConfigMap by the init container's own script, and the real knight-gateway serves on
# it; a later commit rolls out without touching the knight's MEMORY.md.
# Needs: kubectl, python3-yaml, RT_BIN_DIR with roundtable and knight-gateway.
set -euo pipefail
exec python3 tests/scripts/check_knight_rollout.py
