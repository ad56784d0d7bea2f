#!/usr/bin/env bash
# fix.sh [RUNS [MAX]]: does the layout fix recover a code-placement regression in wall time?
#
# Runs `placebisect fix --backend time` (parent, culprit, culprit+fix and parent+fix measured in
# blocks, the order randomized within each block: RUNS blocks, default 15, then one more at a time
# while the recovered share's 95% CI is wider than +-10 points, up to MAX blocks, default 40; the
# recovered share with its CI from the blocked comparisons) on:
#   - the demo (scripts/make-demo-repo.sh), benchmark call_method (minivm call_method 1000000),
#     culprit e0d12e3, with the GNU ld recipe (minivm links with its own -T script, which gold
#     cannot parse and inside which lld orders nothing);
#   - twelve: a fixture of twelve small hot functions called in turn; its culprit puts a 4 KiB-
#     aligned cold function before each, so the twelve start on the same L1i set (more lines than
#     an 8-way cache holds), with each recipe: gold, lld and GNU ld.
# Each with every compiler of COMPILERS (default "gcc clang"; those not installed are left out);
# PARTS (default "demo twelve") chooses the fixtures; METRIC (default wall; cpu where other work
# contends for the CPUs) the metric; CPUS (default: not pinned) pins the benchmark. The twelve
# fixture is also run once under cachegrind (gcc, GNU ld): est_cycles and I1 misses say whether
# its regression is a real I1 effect, whatever the wall time shows. A CI shown as "?" could not be computed (the
# regression's own CI reached 0).
# PB is the placebisect binary (default: build/cli/placebisect of this tree).
# A benchmark, not a test: it prints figures and asserts nothing. Goal (issue #18): >= 90% recovered.
set -euo pipefail

runs=${1:-15}
max=${2:-40}
metric=${METRIC:-wall}
pin=()
[ -n "${CPUS:-}" ] && pin=(--cpus "$CPUS")
src=$(cd "$(dirname "$0")/.." && pwd)
pb=${PB:-$src/build/cli/placebisect}
[ -x "$pb" ] || { echo "fix.sh: no placebisect at $pb (build it, or set PB)" >&2; exit 2; }
command -v jq >/dev/null || { echo "fix.sh: jq is needed" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "fix.sh: valgrind is needed (callgrind)" >&2; exit 2; }
unset CFLAGS LDFLAGS MAKEFLAGS
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fix-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# line WHAT RESULT.json: one line of figures.
line() {
	jq -r --arg what "$1" '
		def pct: if . == null then "?" else . * 100 | . * 10 | round / 10 | tostring + "%" end;
		def ms: . / 1e6 | . * 10 | round / 10 | tostring;
		"\($what): parent \(.builds.parent.median | ms) ms, culprit \(.builds.culprit.median | ms) ms" +
		" (\(.regression.ratio - 1 | pct)), culprit+fix \(.builds."culprit+fix".median | ms) ms" +
		" (\(.residual.ratio - 1 | pct)), parent+fix \(.builds."parent+fix".median // null |
		  if . then ms + " ms" else "-" end);" +
		" recovered \(.recovered.value | pct) (95% CI \(.recovered.ci95[0] | pct) to" +
		" \(.recovered.ci95[1] | pct)), \(.blocks) blocks" +
		(if .instructions.code_changed then "; the fix changed code" else "" end)' "$2"
}

echo "fix.sh: placebisect fix --backend time --metric $metric ${pin[*]}, $runs to $max blocks per fix, $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

parts=${PARTS:-demo twelve}

# The demo.
[[ " $parts " == *" demo "* ]] && bash "$src/scripts/make-demo-repo.sh" "$tmp/demo" >/dev/null
for cc in ${COMPILERS:-gcc clang}; do
	[[ " $parts " == *" demo "* ]] || break
	command -v "$cc" >/dev/null || { echo "$cc: not installed, left out"; continue; }
	jq --arg cc "$cc" --argjson runs "$runs" --argjson max "$max" '.build.env = {"CC": $cc}
		| .build.fix = {"format": "ld", "env": {"LDFLAGS": "-Wl,-T,{order}"}}
		| .benchmarks.call_method.runs = $runs | .stats.max_runs = $max' \
		"$tmp/demo/placebisect.json" >"$tmp/demo-$cc.json"
	if (cd "$tmp/demo" && "$pb" fix -q --config "$tmp/demo-$cc.json" --good e0d12e3^ --bad e0d12e3 \
		--bench call_method --backend time --metric "$metric" "${pin[@]}" \
		-o "$tmp/demo-$cc.out.json" >/dev/null); then
		line "demo, $cc, GNU ld -T fragment" "$tmp/demo-$cc.out.json"
	else
		echo "demo, $cc: fix failed (exit $?)"
	fi
done

# twelve: f0..f11 called in turn; the culprit puts a 4 KiB-aligned cold function before each.
[[ " $parts " == *" twelve "* ]] || exit 0
mkdir "$tmp/twelve"
cd "$tmp/twelve"
git init -q
gen() { # COLD(0|1)
	echo '#include <stdlib.h>'
	echo '#define NI __attribute__((noinline))'
	echo 'volatile int sink;'
	for i in $(seq 0 11); do
		[ "$1" = 1 ] && echo "NI __attribute__((aligned(4096))) void cold$i(void) { sink = $i; }"
		echo "NI int f$i(int x) { return x * $((i + 3)) + $i; }"
	done
	echo 'int main(int argc, char **argv)'
	echo '{'
	echo '	long n = argc > 1 ? atol(argv[1]) : 1000; int s = 0;'
	echo '	for (long i = 0; i < n; i++)'
	echo -n '		s += f0(i)'
	for i in $(seq 1 11); do echo -n " + f$i(s)"; done
	echo ';'
	echo '	sink = s;'
	echo '	return 0;'
	echo '}'
}
gen 0 >p.c
git add p.c
git -c user.name=b -c user.email=b@example.com commit -qm parent
gen 1 >p.c
git -c user.name=b -c user.email=b@example.com commit -qam "culprit: cold functions before the hot ones"
for cc in ${COMPILERS:-gcc clang}; do
	command -v "$cc" >/dev/null || continue
	keep=""
	[ "$cc" = gcc ] && keep="-fno-toplevel-reorder" # source order, as clang keeps it anyway
	for ld in gold lld ld; do
		case $ld in
		gold) fix='{"format": "gold", "env": {"LDFLAGS": "-fuse-ld=gold -Wl,--section-ordering-file,{order}"}}' ;;
		lld) fix='{"format": "lld", "env": {"LDFLAGS": "-fuse-ld=lld -Wl,--symbol-ordering-file,{order}"}}' ;;
		ld) fix='{"format": "ld", "env": {"LDFLAGS": "-Wl,-T,{order}"}}' ;;
		esac
		jq -n --arg cc "$cc" --arg keep "$keep" --argjson fix "$fix" --argjson runs "$runs" \
			--argjson max "$max" '{
			build: { command: "$CC -O2 $KEEP -ffunction-sections $LDFLAGS -o prog p.c", binary: "prog",
				 clean: "rm -f prog", env: { CC: $cc, KEEP: $keep }, fix: $fix },
			benchmarks: { loop: { command: "{binary} 3000000", runs: $runs, warmups: 1,
					      metric: "wall" } },
			stats: { max_runs: $max } }' >"$tmp/twelve-$cc-$ld.json"
		if [ "$cc-$ld" = gcc-ld ]; then
			# Is it a real I1 effect? Exact under cachegrind (a shorter loop: valgrind is slow).
			jq '.benchmarks.loop.command = "{binary} 300000"' "$tmp/twelve-$cc-$ld.json" >"$tmp/twelve-cg.json"
			if "$pb" fix -q --config "$tmp/twelve-cg.json" --good HEAD~1 --bad HEAD --bench loop \
				--backend cachegrind -o "$tmp/twelve-cg.out.json" >/dev/null; then
				jq -r '"twelve, gcc, ld, cachegrind est_cycles: culprit \(.regression.ratio - 1 | . * 1000 | round / 10)%," +
					" culprit+fix \(.residual.ratio - 1 | . * 1000 | round / 10)%; I1 misses parent" +
					" \(.builds.parent.i1_misses), culprit \(.builds.culprit.i1_misses), culprit+fix" +
					" \(.builds."culprit+fix".i1_misses); recovered \(.recovered.value * 1000 | round / 10)% (exact)"' \
					"$tmp/twelve-cg.out.json"
			else
				echo "twelve, gcc, ld, cachegrind: fix failed (exit $?)"
			fi
		fi
		if "$pb" fix -q --config "$tmp/twelve-$cc-$ld.json" --good HEAD~1 --bad HEAD --bench loop \
			--backend time --metric "$metric" "${pin[@]}" -o "$tmp/twelve-$cc-$ld.out.json" >/dev/null; then
			line "twelve, $cc, $ld" "$tmp/twelve-$cc-$ld.out.json"
		else
			echo "twelve, $cc, $ld: fix failed (exit $?)"
		fi
	done
done
