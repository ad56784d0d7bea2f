#!/usr/bin/env bash
# Run every unit-test executable (ctest label "unit") under valgrind memcheck: invalid reads and
# writes, uses of uninitialised values, bad frees and definite leaks fail it. Child processes the
# tests start are not traced (they are other programs). Needs a build without sanitizers.
# Usage: scripts/memcheck.sh [BUILD_DIR]   (default: build; built first when missing)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dir=${1:-build}
command -v valgrind >/dev/null || bash scripts/install-deps.sh
if [ ! -f "$dir/CMakeCache.txt" ]; then
	cmake -S . -B "$dir" -DPB_WERROR=ON >/dev/null
	cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
fi
if grep -q '^PB_SANITIZE:BOOL=ON' "$dir/CMakeCache.txt"; then
	echo "memcheck.sh: $dir is a sanitizer build; valgrind needs one without (e.g. build/)" >&2
	exit 2
fi

logs=$dir/memcheck
rm -rf "$logs"
mkdir -p "$logs"
export PB_SOURCE_DIR=$top PB_BUILD_DIR=$top/$dir
# name <TAB> executable, for every unit test ctest knows.
mapfile -t tests < <(cd "$dir" && ctest --show-only=json-v1 -L unit |
	jq -r '.tests[] | [.name, .command[0]] | @tsv')
[ ${#tests[@]} -gt 0 ] || { echo "memcheck.sh: no unit tests in $dir" >&2; exit 2; }
status=0
for t in "${tests[@]}"; do
	name=${t%%$'\t'*} exe=${t#*$'\t'}
	# the lint tests (check-layers) are shell scripts, not programs of ours
	case $exe in bash | */bash) echo "memcheck: $name is a script (skipped)"; continue ;; esac
	rc=0
	# 99: memcheck found an error; 77: the test skipped (no hardware for it).
	(cd "$dir" && valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes \
		--trace-children=no --log-file="$top/$logs/$name.log" "$exe") >"$logs/$name.out" 2>&1 || rc=$?
	case $rc in
	0) echo "memcheck: $name clean" ;;
	77) echo "memcheck: $name skipped" ;;
	99) echo "FAIL: memcheck: $name: $(grep -m1 -E 'ERROR SUMMARY' "$logs/$name.log") (see $logs/$name.log)" >&2
	    status=1 ;;
	*) echo "FAIL: memcheck: $name exited $rc under valgrind (see $logs/$name.out)" >&2
	   tail -5 "$logs/$name.out" | sed 's/^/   /' >&2
	   status=1 ;;
	esac
done
[ "$status" -eq 0 ] && echo "memcheck.sh: ${#tests[@]} unit-test executables clean"
exit "$status"
