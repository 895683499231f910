#!/usr/bin/env bash
# `make bench` puts load on gunicorn with Debian's wrk; install it when it is missing (needs root).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "wrk is missing: run 'sudo apt-get install -y wrk' once." >&2
  exit 1
fi
echo "Installing wrk for the benchmarks..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null
