#!/usr/bin/env bash
# Configures (once) and builds opensocd in ./build. Release build by default.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release
fi
ninja -C build
