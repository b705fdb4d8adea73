#!/usr/bin/env bash
# Writes the golden files under Tests/Golden anew from the built binary: `resolve` of every
# sample alert, every layer as of two days, and a z0-6 pyramid decoded to JSON. Run it only when
# an output is meant to change, then read the diff (git diff Tests/Golden) and say in the commit
# message why it changed.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
THREATMAP_RECORD_GOLDENS=1 swift test --skip-build --filter GoldenTests
git status --short Tests/Golden
