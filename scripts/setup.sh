#!/usr/bin/env bash
# Installs the Debian 12 packages opensocd needs to build, test and run the demo.
# Idempotent: packages already present are left alone; nothing is downloaded
# from outside Debian's archive.
set -euo pipefail

packages=(
  # build
  build-essential meson ninja-build pkg-config clang lld
  # libraries (each has one home module, see docs/DESIGN.md)
  libdpdk-dev dpdk dpdk-dev libpcap-dev libboost1.74-dev liblmdb-dev libxapian-dev
  libsimdjson-dev libyaml-cpp-dev libfmt-dev catch2 libssl-dev
  # oracles and tools used by tests and benchmarks
  tshark tcpdump tcpreplay wireshark-common iproute2 curl jq python3 python3-jsonschema python3-yaml procps bc nginx-light dnsmasq dnsutils openssl wget ethtool
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#packages[@]} packages present"
