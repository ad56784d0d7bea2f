#!/bin/bash
# overhead.sh: per-run harness overhead of `placebisect measure --backend time` against `hyperfine -N`, both timing `true` 1000 times.
# Usage: bench/overhead.sh [PLACEBISECT] [RUNS]   (default: build/cli/placebisect, 1000)
# Prints each tool's total elapsed time for the whole batch divided by the runs (harness + `true`
# itself), the median per-run time each tool reports for `true`, and the ratio placebisect/hyperfine.
set -eu
PB=${1:-build/cli/placebisect}
RUNS=${2:-1000}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 2; }
[ -x "$PB" ] || { echo "no placebisect binary at $PB (build first, or pass its path)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

now() { date +%s%N; }

# Same conditions for both: no pinning, no warmup, output of `true` discarded, results to a file.
t0=$(now)
"$PB" measure --backend time --cpus '' --runs "$RUNS" --warmups 0 -q -o "$T/pb.json" -- true >/dev/null
t1=$(now)
hyperfine -N --runs "$RUNS" --warmup 0 --style none --export-json "$T/hf.json" true >/dev/null 2>&1
t2=$(now)

pb_total=$(( (t1 - t0) / RUNS ))
hf_total=$(( (t2 - t1) / RUNS ))
pb_med=$(jq '.summary.median' "$T/pb.json")
hf_med=$(jq '.results[0].median * 1e9' "$T/hf.json")

printf '%-34s %14s %14s %8s\n' "per run of 'true' ($RUNS runs)" placebisect "hyperfine -N" ratio
printf '%-34s %11.1f us %11.1f us %8.2f\n' "wall clock per run (whole batch)" \
	"$(echo "$pb_total / 1000" | bc -l)" "$(echo "$hf_total / 1000" | bc -l)" \
	"$(echo "$pb_total / $hf_total" | bc -l)"
printf '%-34s %11.1f us %11.1f us %8.2f\n' "median time measured for 'true'" \
	"$(echo "$pb_med / 1000" | bc -l)" "$(echo "$hf_med / 1000" | bc -l)" \
	"$(echo "$pb_med / $hf_med" | bc -l)"
