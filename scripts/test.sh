#!/usr/bin/env bash
# The test command: install dependencies, build with -Werror, run the whole ctest suite and
# valgrind memcheck over the unit tests, then the suite again in a second build with
# AddressSanitizer + UndefinedBehaviorSanitizer, then every fuzz harness for PB_FUZZ_SECONDS each
# (default 60 in CI, i.e. when CI=true, else 10; 0 skips fuzzing).
# Usage: scripts/test.sh [ctest args...]   (e.g. scripts/test.sh -R config: the two suites only,
# without memcheck and fuzzing)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

# --with-slurm: the slurm-labelled tests run a single-node cluster (they skip, saying why, where
# its daemons cannot run); the packages take about 10 s to install.
bash scripts/install-deps.sh --with-slurm

run_suite() { # NAME BUILD_DIR CMAKE_ARGS...
	local name=$1 dir=$2
	shift 2
	echo "== $name: configure and build ($dir)"
	cmake -S . -B "$dir" -DPB_WERROR=ON "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; return 1; }
	cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1 ||
		{ grep -E 'error|warning' -A3 "$dir.build.log" | head -80; return 1; }
	echo "== $name: ctest"
	(cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 900 "${CTEST_ARGS[@]}")
}

CTEST_ARGS=("$@")
mkdir -p build build-asan
status=0
run_suite "default" build -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
if [ ${#CTEST_ARGS[@]} -eq 0 ]; then
	echo "== memcheck: unit tests under valgrind"
	bash scripts/memcheck.sh build || status=1
fi
# halt_on_error: the first sanitizer report fails the test; leak checking stays on (LSan).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_suite "sanitizers (ASan+UBSan)" build-asan -DCMAKE_BUILD_TYPE=Debug -DPB_SANITIZE=ON || status=1

if [ "${CI:-}" = true ]; then
	fuzz_seconds=${PB_FUZZ_SECONDS:-60}
else
	fuzz_seconds=${PB_FUZZ_SECONDS:-10}
fi
if [ "$fuzz_seconds" -gt 0 ] && [ ${#CTEST_ARGS[@]} -eq 0 ]; then
	(unset ASAN_OPTIONS UBSAN_OPTIONS; bash scripts/fuzz.sh "$fuzz_seconds") || status=1
fi

if [ "$status" -ne 0 ]; then
	echo "scripts/test.sh: FAILED" >&2
	exit 1
fi
echo "scripts/test.sh: all suites passed"
