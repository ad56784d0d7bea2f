#!/bin/bash
# bench/config-parse.sh: how fast `placebisect config --config FILE --json` reads big configs,
# against `jq . FILE` on the same file: median wall time and peak RSS (/usr/bin/time -f %M), side by
# side as ratios. Goals (issue #16): at most 2x jq's time, peak memory at most 3x the file's size.
# Prints figures; not a test (nothing is asserted).
#
# usage: bench/config-parse.sh [-r REPS] [-m MB] [PLACEBISECT]
#   PLACEBISECT  the binary to time (default: build/cli/placebisect)
#   -r REPS      repetitions per command; the median wall time is reported (default 3)
#   -m MB        size of the big config (default 100)
# The configs: (a) 100,000 layout.hot names; (b) about MB megabytes of layout.hot names shaped like
# C++ symbols (20 to 80 bytes each) and 1,000 benchmarks with their commands and environments.
set -u
reps=3
mb=100
while getopts "r:m:" o; do
	case $o in
	r) reps=$OPTARG ;;
	m) mb=$OPTARG ;;
	*) sed -n '2,12p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
src=$(cd "$(dirname "$0")/.." && pwd)
pb=${1:-$src/build/cli/placebisect}
[ -x "$pb" ] || { echo "no placebisect binary at $pb: build it or pass its path" >&2; exit 2; }
command -v jq >/dev/null || { echo "no jq: run scripts/install-deps.sh" >&2; exit 2; }
[ -x /usr/bin/time ] || bash "$src/scripts/install-deps.sh" || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/pbbench.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$mb" <<'PY'
import json, random, sys
work, mb = sys.argv[1], int(sys.argv[2])
json.dump({"layout": {"hot": ["hot_function_%d" % i for i in range(100000)]}},
          open(work + "/hot100k.json", "w"), indent=1)
rng = random.Random(1)
benches = {"b%d" % i: {"command": "{binary} --case %d --iterations 1000" % i, "runs": 10,
                       "env": {"OMP_NUM_THREADS": "1", "CASE": str(i)}} for i in range(1000)}
with open(work + "/big.json", "w") as f:
    f.write('{"benchmarks": %s,\n "layout": {"hot": [\n' % json.dumps(benches, indent=1))
    size, first, i = 0, True, 0
    while size < mb * 1000 * 1000:
        n = rng.randint(20, 80)
        name = "_ZN%dns%dfunc%sEv" % (n, i, "x" * max(0, n - 16))
        line = ('' if first else ',\n') + '  "' + name[:n] + '_' + str(i) + '"'
        f.write(line)
        size += len(line)
        first = False
        i += 1
    f.write('\n]}}\n')
PY

# run ONE CMD...: wall seconds and peak RSS in KiB of one run (output discarded)
run() {
	/usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
		echo "failed: $* ($(head -c 300 "$work/err"))" >&2
		return 1
	}
	cat "$work/t"
}
# median of REPS runs: "SECONDS PEAK_KIB"
median() {
	local i
	for ((i = 0; i < reps; i++)); do run "$@" || return 1; done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

# The floor: an empty config's peak RSS, almost all of it the shared libraries the binary maps and
# relocates at start (capstone, libpfm, libgsl, libgit2's TLS stack), not the config's.
echo '{}' > "$work/empty.json"
read -r _ base < <(median "$pb" config --config "$work/empty.json" --json -q) || exit 1
printf '%-12s %8s %8s %8s %9s %8s %8s %9s %10s\n' config "file MB" "pb s" "jq s" "time/jq" "pb MB" "jq MB" "pb/file" "(pb-floor)/file"
for f in hot100k big; do
	file=$work/$f.json
	bytes=$(stat -c %s "$file")
	read -r pt pm < <(median "$pb" config --config "$file" --json -q) || exit 1
	read -r jt jm < <(median jq . "$file") || exit 1
	awk -v n="$f" -v b="$bytes" -v pt="$pt" -v pm="$pm" -v jt="$jt" -v jm="$jm" -v base="$base" 'BEGIN {
		printf "%-12s %8.1f %8.2f %8.2f %8.2fx %8.1f %8.1f %8.2fx %9.2fx\n", n, b / 1e6, pt, jt,
			(jt > 0 ? pt / jt : 0), pm / 1024, jm / 1024, pm * 1024 / b, (pm - base) * 1024 / b }'
done
echo "(placebisect's floor, an empty config: $(awk -v k="$base" 'BEGIN { printf "%.1f", k / 1024 }') MB peak: the shared libraries it maps, not the config)"
echo "(median of $reps runs; time/jq: placebisect's wall time over jq's; pb/file: peak RSS over file size)"
