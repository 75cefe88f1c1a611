#!/usr/bin/env bash
# Makes sure Debian's redis-server is at /usr/bin/redis-server for the Redis adapter's tests
# (they start and stop their own servers on free ports; nothing is left running).
set -euo pipefail
if [ -x /usr/bin/redis-server ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's redis-server for the Redis adapter tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  exit 0
fi
echo "The Redis adapter tests need redis-server at /usr/bin/redis-server. Install it with:" >&2
echo "  sudo apt-get update && sudo apt-get install -y redis-server" >&2
exit 1
