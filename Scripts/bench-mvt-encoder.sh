#!/usr/bin/env bash
# MVT encoder speed. The issue asked whether tiles should be encoded with swift-protobuf, from Swift
# code that protoc-gen-swift generates from a vector_tile schema, or with our own encoder
# (Sources/VectorTiles/MVTEncoder.swift) if that is measurably faster. This measures both on the
# same tiles, built the way the tiler builds them: an incidents tile (5,000 points, 8 properties
# each) and a regions tile (9 polygons of about 500 vertices, some with holes). The program first
# checks that ThreatMap's bytes decode to the very tile swift-protobuf built, then prints µs, MB/s
# and bytes per tile for each (median of 5 rounds of 200 tiles) and the ratio.
# Needs protoc (Debian's protobuf-compiler, installed if missing); protoc-gen-swift is built from
# the swift-protobuf package. The first run builds swift-protobuf, GRDB and ThreatMap's VectorTiles
# in release: several minutes.
# Usage: Scripts/bench-mvt-encoder.sh
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh >/dev/null
if ! command -v protoc >/dev/null; then
  echo "bench-mvt-encoder: installing protobuf-compiler"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq protobuf-compiler >/dev/null
fi

quietly() {  # quietly COMMAND...: runs it, showing its output only when it fails
  local out
  out=$("$@" 2>&1) || { echo "$out" >&2; return 1; }
}

package=Scripts/bench/mvt-encoder
build=(--package-path "$package" --scratch-path "$package/.build-bench" -c release)
generated="$package/Sources/mvt-encoder-bench/Generated"
quietly swift build "${build[@]}" --product protoc-gen-swift
bin="$(swift build "${build[@]}" --show-bin-path)"
mkdir -p "$generated"
protoc --plugin=protoc-gen-swift="$bin/protoc-gen-swift" --proto_path="$package" --swift_out="$generated" "$package/vector_tile.proto"
quietly swift build "${build[@]}" --product mvt-encoder-bench
"$bin/mvt-encoder-bench"
