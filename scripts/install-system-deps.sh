#!/usr/bin/env bash
# Installs the system packages the test suite needs on Debian/Ubuntu (as root):
# redis-server, PostgreSQL and Chromium (driven by Playwright, never downloaded by it).
set -euo pipefail
packages=()
command -v redis-server >/dev/null || packages+=(redis-server)
command -v pg_ctlcluster >/dev/null || packages+=(postgresql)
command -v chromium >/dev/null || packages+=(chromium)
command -v make >/dev/null || packages+=(make)
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${packages[*]}. Install them (e.g. sudo apt-get install ${packages[*]})." >&2
  exit 1
fi
echo "Installing ${packages[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" fonts-dejavu-core >/dev/null
