#!/usr/bin/env bash
# nats-bridge's start-up functions (cmake/nats-bridge-startup.order) lie together in its text when
# it was linked by lld (docs/performance.md, change 17). Needs: python3, binutils (nm, readelf).
set -euo pipefail
exec python3 tests/scripts/check_bridge_startup_order.py
