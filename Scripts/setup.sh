#!/usr/bin/env bash
# Installs what ThreatMap needs on Debian 12: GEOS, PROJ, SQLite, zlib and libxml2 (libraries and headers), pkg-config,
# and GDAL's command-line tools (tests use ogrinfo as an outside reader). Swift 6 must already be
# on PATH. Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(libgeos-dev libproj-dev proj-data pkg-config gdal-bin libgdal-dev sqlite3 libsqlite3-dev zlib1g-dev libxml2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH; install Swift 6 from swift.org" >&2; exit 1; }
echo "setup: GEOS $(pkg-config --modversion geos), PROJ $(pkg-config --modversion proj), $(ogrinfo --version), $(swift --version 2>/dev/null | head -n 1)"
