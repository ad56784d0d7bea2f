#!/usr/bin/env bash
# scripts/demo.sh: the main job on the bundled demo, from a fresh clone.
#
# Installs what is missing, builds placebisect, generates the demo repository (minivm, a tiny
# interpreter: demo/, replayed by scripts/make-demo-repo.sh) in a temporary directory, and runs
#
#     placebisect --good v1.0 --bad v1.1 --bench call_method
#
# in it with the backend that gives a definite answer on this machine: perf with hardware
# counters where the CPU exposes them, otherwise cachegrind (exact, simulated L1i). Writes
# placebisect-demo/REPORT.md, its SVG plots and bisect.json into the current directory and ends
# by printing the culprit, the verdict and the report's path.
#
# Usage: scripts/demo.sh [--backend perf|cachegrind|time] [--keep]
#   --keep  keep the generated repository (its path is printed) to explore it afterwards
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=$PWD/placebisect-demo
backend=
keep=false
while [ $# -gt 0 ]; do
	case $1 in
	--backend) backend=${2:?--backend needs perf, cachegrind or time}; shift 2 ;;
	--keep) keep=true; shift ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

say() { printf '\n== %s\n' "$*" >&2; }

say "dependencies"
bash "$src/scripts/install-deps.sh"

say "building placebisect"
build=$src/build
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$src/build.configure.log" 2>&1 ||
	{ cat "$src/build.configure.log" >&2; exit 1; }
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >"$src/build.log" 2>&1 ||
	{ tail -40 "$src/build.log" >&2; exit 1; }
pb=$build/cli/placebisect

work=$(mktemp -d "${TMPDIR:-/tmp}/placebisect-demo.XXXXXX")
if $keep; then
	echo "demo.sh: the demo repository stays in $work/minivm" >&2
else
	trap 'rm -rf "$work"' EXIT
fi
say "generating the demo repository (minivm) in $work/minivm"
# The demo's Makefile takes the optimisation flags from the environment: use its own.
(unset CFLAGS LDFLAGS MAKEFLAGS; bash "$src/scripts/make-demo-repo.sh" "$work/minivm" >/dev/null)

if [ -z "$backend" ]; then
	if [ "$("$pb" system show --json 2>/dev/null | jq -r .hardware_counters)" = true ]; then
		backend=perf
		echo "demo.sh: backend perf: this CPU exposes hardware counters (cycles, instructions, icache misses)" >&2
	else
		backend=cachegrind
		echo "demo.sh: backend cachegrind: no hardware counters here ($("$pb" system show --json 2>/dev/null |
			jq -r '.hardware_counters_reason // "perf_event reports none"')), so the exact" \
			"simulation of the L1 instruction cache gives the definite answer" >&2
	fi
fi

say "placebisect --good v1.0 --bad v1.1 --bench call_method --backend $backend"
mkdir -p "$out"
set +e
(cd "$work/minivm" && unset CFLAGS LDFLAGS MAKEFLAGS &&
	"$pb" --good v1.0 --bad v1.1 --bench call_method --backend "$backend" \
		-o "$out/bisect.json" --report "$out/REPORT.md")
status=$?
set -e
if [ "$status" -ne 0 ] && [ ! -s "$out/bisect.json" ]; then
	echo "demo.sh: placebisect exited $status" >&2
	exit "$status"
fi

culprit=$(jq -r '.culprit.commit // "none"' "$out/bisect.json")
subject=$(jq -r '.culprit.subject // ""' "$out/bisect.json")
verdict=$(jq -r '.attribution.verdict // "not attributed"' "$out/bisect.json")
effect=$(jq -r 'if .effect then ((.effect.ratio - 1) * 100 | . * 10 | round / 10 | tostring) + "%" else "-" end' "$out/bisect.json")
printf '\nculprit: %s %s\neffect:  +%s (%s, %s)\nverdict: %s\nreport:  %s\n' "$culprit" "$subject" \
	"$effect" "$(jq -r .metric "$out/bisect.json")" "$backend" "$verdict" "$out/REPORT.md"
exit "$status"
