#!/usr/bin/env bash
# Installs the Debian packages placebisect needs to build, test and run its backends.
# Idempotent and quiet when everything is present; without root, prints the apt-get line and fails.
# usage: scripts/install-deps.sh [--bench]
#   --bench  only the optional inputs of bench/layout.sh instead: large real binaries to read
#            (nodejs: /usr/bin/node with its .symtab; libllvm14 and libllvm15: two ~110 MB builds
#            of one library); and bench/unwind.sh's peer, perf (linux-perf). No test needs them.
set -euo pipefail

# Build: compiler, cmake, pkg-config and the libraries each module wraps.
# Tests and backends: cmocka, valgrind (cachegrind backend), git (fixture repositories),
# jq and xmllint (CLI tests read JSON and check SVG), hyperfine (bench/ peer, and its --export-json
# files in the compare test) and time (bench/: peak memory), libbenchmark-dev and g++ (a Google
# Benchmark program whose JSON the compare test reads), clang and its runtime libraries (libFuzzer
# for scripts/fuzz.sh); lld (and gold, in binutils): the order test links with their ordering
# files; cmark-gfm, chromium and imagemagick render a report in its test (GFM
# tables, SVG to PNG); chromium (optional: the history page test skips without it) also loads
# the history site and clicks a point in it; python3-yaml: the test of scripts/ci/github-nightly.yml parses it.
# nodejs: the JIT test profiles a script run with --perf-basic-prof (its /tmp/perf-PID.map).
pkgs=(
	gcc make cmake pkg-config git
	libgit2-dev libgsl-dev libelf-dev libdw-dev libcapstone-dev libpfm4-dev
	libcmocka-dev valgrind jq libxml2-utils hyperfine time binutils libbenchmark-dev g++
	cmark-gfm chromium imagemagick python3-yaml
	clang libclang-rt-dev lld
	nodejs
)
if [ "${1:-}" = "--bench" ]; then
	pkgs=(nodejs libllvm14 libllvm15 linux-perf)
elif [ $# -gt 0 ]; then
	echo "usage: scripts/install-deps.sh [--bench]" >&2
	exit 2
fi

missing=()
for p in "${pkgs[@]}"; do
	# dpkg-query prints "install ok installed" only for fully installed packages.
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
