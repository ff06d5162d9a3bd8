#!/usr/bin/env bash
# Every knight workspace is valid and every skill really works offline.
set -euo pipefail
exec /usr/bin/python3 tests/scripts/check_knights.py
