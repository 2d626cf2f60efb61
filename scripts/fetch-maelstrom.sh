#!/usr/bin/env bash
# Downloads and unpacks real Maelstrom (the JVM tool) for running the official
# challenge command lines: scripts/fetch-maelstrom.sh [DIR] [VERSION]
# Prints the path of the maelstrom launcher; use it as `make MAELSTROM=... challenge-3d`.
# Needs network access to github.com and, to run Maelstrom, a JDK 11+ (plus graphviz and gnuplot for its plots).
set -euo pipefail

dir=${1:-.maelstrom}
version=${2:-v0.2.4}
url="https://github.com/jepsen-io/maelstrom/releases/download/${version}/maelstrom.tar.bz2"

if [ -x "$dir/maelstrom/maelstrom" ]; then
  echo "$dir/maelstrom/maelstrom"
  exit 0
fi
mkdir -p "$dir"
tmp=$(mktemp "$dir/maelstrom.XXXXXX.tar.bz2")
trap 'rm -f "$tmp"' EXIT

echo "Downloading Maelstrom $version from $url ..." >&2
if ! curl -fL --retry 2 --connect-timeout 15 -o "$tmp" "$url"; then
  echo "error: could not download $url" >&2
  echo "       (no network access, or no such release). Real Maelstrom is optional:" >&2
  echo "       the glomers workbench runs every challenge without it (make challenges)." >&2
  exit 1
fi
if ! tar -xjf "$tmp" -C "$dir"; then
  echo "error: $url did not unpack as a .tar.bz2 archive" >&2
  exit 1
fi
if [ ! -x "$dir/maelstrom/maelstrom" ]; then
  echo "error: the archive has no maelstrom/maelstrom launcher" >&2
  exit 1
fi
if ! command -v java >/dev/null 2>&1; then
  echo "warning: java is not on PATH; Maelstrom needs a JDK 11+ to run" >&2
fi
echo "$dir/maelstrom/maelstrom"
