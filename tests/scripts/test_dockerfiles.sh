#!/usr/bin/env bash
# Parses docker/*.Dockerfile (no Docker engine needed): CMake targets, runtime packages against
# ldd of the built binaries, non-root USER, OCI labels, no HEALTHCHECK.
# Needs: python3 (dpkg, apt-cache and ldd come with Debian).
set -euo pipefail
exec python3 tests/scripts/check_dockerfiles.py
