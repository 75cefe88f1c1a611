#!/usr/bin/env bash
# Makes sure Debian's nginx is at /usr/sbin/nginx, and openssl on the PATH, for the tests of the
# documented nginx lines (they start their own nginx in the foreground on a free port with a
# certificate made by openssl; the system's nginx is neither started nor read).
set -euo pipefail
if [ -x /usr/sbin/nginx ] && command -v openssl >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's nginx and openssl for the nginx tests (apt-get)..."
  apt-get update -qq
  # Debian starts an installed service at once; on a machine whose port 80 is taken that start
  # fails the install. The tests start their own nginx, so none is started here.
  no_start=/usr/sbin/policy-rc.d
  [ -e "$no_start" ] || { printf '#!/bin/sh\nexit 101\n' > "$no_start"; chmod +x "$no_start"; trap 'rm -f "$no_start"' EXIT; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null
  exit 0
fi
echo "The nginx tests need nginx at /usr/sbin/nginx and openssl. Install them with:" >&2
echo "  sudo apt-get update && sudo apt-get install -y nginx openssl" >&2
exit 1
