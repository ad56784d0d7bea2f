#!/usr/bin/env bash
# Fuzz every reader of untrusted input: build the libFuzzer harnesses of tests/fuzz with clang
# (-fsanitize=fuzzer,address,undefined) in build-fuzz/ and run each for SECONDS (default 60) on its
# seed corpus tests/fuzz/corpus/<name>/. Exits 1 when any harness crashes, leaks or times out,
# printing the reproducer's path and how to replay it. New inputs the fuzzer finds go to
# build-fuzz/corpus/<name>/ (the seed corpus in the repository is never written).
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]     (e.g. scripts/fuzz.sh 10 config journal)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:-60}
shift || true
case $seconds in
'' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac
all=(elf x86len config journal cachegrind callgrind pyperf measurement json result perfrec perfmap)
names=("${@:-${all[@]}}")
# The longest input each harness tries (ELF files need room; the rest are small text files).
declare -A max_len=([elf]=65536 [x86len]=64 [measurement]=16384 [result]=16384 [perfrec]=4096)

if ! command -v clang >/dev/null || [ ! -e "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
	bash scripts/install-deps.sh
fi
build=build-fuzz
mkdir -p "$build"
echo "== fuzz: configure and build ($build)"
CC=clang cmake -S . -B "$build" -DPB_FUZZ=ON -DPB_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	>"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target fuzzers >"$build/build.log" 2>&1 ||
	{ grep -E 'error|warning' -A3 "$build/build.log" | head -80; exit 1; }

# Scratch files of the harnesses (the journal's state directory) in memory when possible.
scratch=$(mktemp -d "$( [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/pb_fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for name in "${names[@]}"; do
	bin=$build/tests/fuzz/fuzz_$name
	seeds=tests/fuzz/corpus/$name
	[ -x "$bin" ] || { echo "fuzz.sh: no harness '$name' (have: ${all[*]})" >&2; exit 2; }
	[ -d "$seeds" ] || { echo "fuzz.sh: no seed corpus $seeds" >&2; exit 2; }
	work=$build/corpus/$name
	artifacts=$build/crashes/$name
	rm -rf "$artifacts"
	mkdir -p "$work" "$artifacts"
	echo "== fuzz: $name for ${seconds}s"
	# -timeout: an input that takes this long is a hang (libFuzzer saves it as timeout-*).
	if "$bin" -max_total_time="$seconds" -max_len="${max_len[$name]:-8192}" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$work" "$seeds" >"$build/fuzz_$name.log" 2>&1; then
		grep -E '^stat::number_of_executed_units' "$build/fuzz_$name.log" | sed 's/^/   /'
	else
		status=1
		echo "FAIL: fuzz_$name found a crash (log: $build/fuzz_$name.log)" >&2
		grep -E 'ERROR: |runtime error|SUMMARY' "$build/fuzz_$name.log" | head -5 | sed 's/^/   /' >&2
		for f in "$artifacts"/*; do
			[ -e "$f" ] || continue
			echo "   reproducer: $f   (replay: $bin $f)" >&2
		done
	fi
done
[ "$status" -eq 0 ] && echo "fuzz.sh: no crash in ${#names[@]} harnesses"
exit "$status"
