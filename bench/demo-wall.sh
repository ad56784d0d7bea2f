#!/usr/bin/env bash
# demo-wall.sh [RUNS] [ITERATIONS]: is the demo's code-placement slowdown real in wall time?
#
# Generates the demo repository (scripts/make-demo-repo.sh) and, with each compiler of
# COMPILERS (default "gcc clang"; those not installed are left out), builds v1.0 (good), v1.1
# (bad) and v1.2 (fixed). Measures "minivm call_method ITERATIONS" (default 1000000, the demo's
# call_method benchmark) with `placebisect measure --backend time`, pinned to one CPU, RUNS
# times per build (default 15) in rounds of at most 5 runs of good, bad, fixed, so that drift in
# the machine's load hits the three alike; then `placebisect compare` gives the median of each
# build and the bad/good and fixed/good median ratios with their 95% bootstrap CIs.
# PB is the placebisect binary (default: build/cli/placebisect of this tree).
# A benchmark, not a test: it prints figures and asserts nothing.
set -euo pipefail

runs=${1:-15}
iters=${2:-1000000}
src=$(cd "$(dirname "$0")/.." && pwd)
pb=${PB:-$src/build/cli/placebisect}
[ -x "$pb" ] || { echo "demo-wall: no placebisect at $pb (build it, or set PB)" >&2; exit 2; }
command -v jq >/dev/null || { echo "demo-wall: jq is needed" >&2; exit 2; }
unset CFLAGS LDFLAGS MAKEFLAGS
export LC_ALL=C # printf's decimal point

tmp=$(mktemp -d "${TMPDIR:-/tmp}/demo-wall.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bash "$src/scripts/make-demo-repo.sh" "$tmp/repo" >/dev/null
git clone -q "$tmp/repo" "$tmp/build"
cd "$tmp"

declare -A NAME=([v1.0]=good [v1.1]=bad [v1.2]=fixed)
per=$((runs < 5 ? runs : 5))

# measure CC: RUNS runs of each build made with CC, in rounds; leaves CC-TAG.json (all runs).
measure() {
	local cc=$1 done=0 n tag
	while [ "$done" -lt "$runs" ]; do
		n=$((runs - done < per ? runs - done : per))
		for tag in v1.0 v1.1 v1.2; do
			"$pb" measure -q --backend time --runs "$n" --warmups 1 -o "$cc-$tag.$done.json" \
				-- "./minivm-$cc-$tag" call_method "$iters" >/dev/null
		done
		done=$((done + n))
	done
	# The runs are the data: compare recomputes the summary from the merged list.
	for tag in v1.0 v1.1 v1.2; do
		jq -s '.[0] + { runs: [.[].runs[]] }' "$cc-$tag".*.json >"$cc-$tag.json"
	done
}

# ms NS: nanoseconds as milliseconds.
ms() {
	awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'
}

echo "demo-wall: minivm call_method $iters, $runs runs per build (rounds of $per: good, bad," \
	"fixed), placebisect measure --backend time, $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
for cc in ${COMPILERS:-gcc clang}; do
	command -v "$cc" >/dev/null || { echo "$cc: not installed, left out"; continue; }
	for tag in v1.0 v1.1 v1.2; do
		git -C build checkout -q "$tag"
		make -C build -s clean
		make -C build -s -j2 CC="$cc"
		cp build/minivm "minivm-$cc-$tag"
	done
	measure "$cc"
	echo "$cc ($("$cc" --version | head -1))"
	"$pb" compare -q --json "$cc-v1.0.json" "$cc-v1.1.json" >bad.cmp
	"$pb" compare -q --json "$cc-v1.0.json" "$cc-v1.2.json" >fixed.cmp
	# The merged files keep their first round's summary: take each build's from compare.
	for side in v1.0:bad.cmp:a v1.1:bad.cmp:b v1.2:fixed.cmp:b; do
		IFS=: read -r tag file key <<<"$side"
		jq -r --arg k "$key" '.[$k] | "\(.median) \(.ci95[0]) \(.ci95[1])"' "$file" | {
			read -r med lo hi
			printf '  %-13s median %8s ms  95%% CI [%s, %s] ms\n' "$tag (${NAME[$tag]})" \
				"$(ms "$med")" "$(ms "$lo")" "$(ms "$hi")"
		}
	done
	for cmp in bad fixed; do
		jq -r '[.ratio, .ci95[0], .ci95[1], .p_value, .verdict] | @tsv' "$cmp.cmp" | {
			read -r ratio lo hi p verdict
			printf '  %s  median ratio %.3f  95%% CI [%.3f, %.3f]  p %.2g  %s\n' \
				"$([ $cmp = bad ] && echo v1.1/v1.0 || echo v1.2/v1.0)" "$ratio" "$lo" "$hi" \
				"$p" "$verdict"
		}
	done
done
