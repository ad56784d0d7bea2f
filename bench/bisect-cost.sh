#!/bin/bash
# bisect-cost.sh: culprit accuracy and benchmark runs of `placebisect bisect` against `git bisect run`
# with the usual threshold script, both on real fixture repositories of 128 commits with one regression.
# Usage: bench/bisect-cost.sh [SEEDS] [BUILD_DIR] [SIM_SEEDS]   (default: 50, build, 1000)
# Environment: NOISE (lognormal sigma, default 0.03 for iid, 0.01 for the others), EFFECT (the
# regression, default 0.05), MODEL (iid, drift, bursts, bimodal: bench/noise_sim.h; default iid).
#
# Per seed: a repository (git fast-import) whose commits hold a file `level`: 10 up to the culprit,
# 10 * (1 + EFFECT) from it on; the culprit is commit 1 + (seed * 37) % 127, as in bisect_sim. The
# benchmark (bisect_cost_value) prints the level times lognormal noise drawn from (seed, run number),
# each tool counting its own runs from 1, so the n-th run of both draws the same noise.
#   placebisect: `placebisect bisect --good base --bad main --json`, metric stdout, 10 runs for the
#     endpoints, stats.alpha 0.01, min_effect 0.02, max_runs 60 (the defaults), no warmups.
#   peer: good and bad measured once, 20 runs each, threshold = midpoint of their medians; then
#     `git bisect run` a script that runs 20 times and says bad when the median >= threshold.
# Runs are counted by the benchmark itself (every process it started), not taken from either tool.
# Then bisect_sim (the same search, simulated in-process) over SIM_SEEDS seeds (0: skip).
set -eu
SEEDS=${1:-50}
BUILD=$(cd "${2:-build}" && pwd)
SIM_SEEDS=${3:-1000}
MODEL=${MODEL:-iid}
if [ "$MODEL" = iid ]; then NOISE=${NOISE:-0.03}; else NOISE=${NOISE:-0.01}; fi
EFFECT=${EFFECT:-0.05}
PB=$BUILD/cli/placebisect
VALUE=$BUILD/bench/bisect_cost_value
for f in "$PB" "$VALUE"; do
	[ -x "$f" ] || { echo "no $f (build first: cmake --build $BUILD)" >&2; exit 2; }
done
for c in git jq awk; do
	command -v "$c" >/dev/null || { echo "$c is not installed" >&2; exit 2; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=127 # commits after the good one: 128 in all
BAD_LEVEL=$(awk -v e="$EFFECT" 'BEGIN { printf "%.6f", 10 * (1 + e) }')

# make_repo DIR CULPRIT: commit 0 "initial" (tag base) .. commit N (branch main).
make_repo() {
	local dir=$1 k=$2 i level
	git init -q -b main "$dir"
	for i in $(seq 0 $N); do
		level=10
		[ "$i" -ge "$k" ] && [ "$i" -gt 0 ] && level=$BAD_LEVEL
		printf 'commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\n' $((1700000000 + 60 * i))
		if [ "$i" -eq 0 ]; then printf 'data 8\ninitial\n'; else
			printf 'data %d\ncommit %d\n' $((${#i} + 8)) "$i"; fi
		printf 'M 644 inline level\ndata %d\n%s\n' $((${#level} + 1)) "$level"
		printf 'M 644 inline README\ndata %d\nchange %d\n' $((${#i} + 8)) "$i"
		[ "$i" -eq 0 ] && printf 'reset refs/tags/base\nfrom refs/heads/main\n\n'
	done | git -C "$dir" fast-import --quiet
	git -C "$dir" reset -q --hard main
}

# The peer's predicate: 20 runs in the checked-out tree, median against the threshold.
cat > "$T/threshold.sh" <<SH
#!/bin/bash
# exit 1 (bad) when the median of 20 runs is >= \$1, else 0 (good)
for r in \$(seq 20); do "$VALUE" level; done | sed 's/^value: //' | sort -g |
	awk -v t="\$1" '{ v[NR] = \$1 } END { exit ((v[10] + v[11]) / 2 >= t) }'
SH
chmod +x "$T/threshold.sh"
median20() { # in the current directory
	for r in $(seq 20); do "$VALUE" level; done | sed 's/^value: //' | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.6f", (v[10] + v[11]) / 2 }'
}
now() { date +%s%N; }

pb_wrong=0 pb_four=0 pb_ok=0 pb_runs=0 pb_ns=0 peer_ok=0 peer_runs=0 peer_ns=0
t_start=$(now)
for seed in $(seq 1 "$SEEDS"); do
	k=$((1 + (seed * 37) % N))
	repo=$T/repo-$seed
	make_repo "$repo" "$k"
	want=$(git -C "$repo" rev-parse "main~$((N - k))")
	export BISECT_COST_SEED=$seed BISECT_COST_NOISE=$NOISE BISECT_COST_MODEL=$MODEL

	cat > "$T/pb.json" <<JSON
{
  "build": { "command": "true" },
  "benchmarks": { "value": { "command": "$VALUE level", "metric": "stdout", "runs": 10, "warmups": 0,
                             "parse": { "regex": "value: ([0-9.]+)" },
                             "env": { "BISECT_COST_SEED": "$seed", "BISECT_COST_NOISE": "$NOISE", "BISECT_COST_MODEL": "$MODEL",
                                      "BISECT_COST_COUNTER": "$T/pb.counter" } } },
  "measure": { "backend": "time" },
  "stats": { "alpha": 0.01, "min_effect": 0.02, "max_runs": 60 }
}
JSON
	echo 1 > "$T/pb.counter"
	t0=$(now)
	rc=0
	(cd "$repo" && "$PB" bisect --config "$T/pb.json" --good base --bad main --bench value --json -q) \
		> "$T/pb.out" 2> "$T/pb.err" || rc=$?
	t1=$(now)
	pb_ns=$((pb_ns + t1 - t0))
	runs=$(($(cat "$T/pb.counter") - 1))
	pb_runs=$((pb_runs + runs))
	got=$(jq -r '.culprit.commit // "none"' "$T/pb.out" 2>/dev/null || echo none)
	if [ "$got" = "$want" ] && [ "$rc" -eq 0 ]; then
		pb_ok=$((pb_ok + 1))
	else
		if [ "$rc" -eq 0 ]; then pb_wrong=$((pb_wrong + 1)); else pb_four=$((pb_four + 1)); fi
		echo "seed $seed: placebisect: exit $rc, culprit ${got:0:12}, expected commit $k (${want:0:12})" >&2
		sed 's/^/  /' "$T/pb.err" | head -5 >&2
	fi

	echo 1 > "$T/peer.counter"
	export BISECT_COST_COUNTER=$T/peer.counter
	t0=$(now)
	(
		cd "$repo"
		git checkout -q base
		good=$(median20)
		git checkout -q main
		bad=$(median20)
		thr=$(awk -v g="$good" -v b="$bad" 'BEGIN { printf "%.6f", (g + b) / 2 }')
		git bisect start main base >/dev/null
		git bisect run "$T/threshold.sh" "$thr" > "$T/peer.log" 2>&1 || true
		git rev-parse refs/bisect/bad > "$T/peer.culprit"
		git bisect reset >/dev/null 2>&1
	)
	t1=$(now)
	unset BISECT_COST_COUNTER
	peer_ns=$((peer_ns + t1 - t0))
	peer_runs=$((peer_runs + $(cat "$T/peer.counter") - 1))
	got=$(cat "$T/peer.culprit")
	if [ "$got" = "$want" ]; then peer_ok=$((peer_ok + 1)); fi
	[ -t 2 ] && printf '\rseed %d/%d' "$seed" "$SEEDS" >&2
	rm -rf "$repo"
done
t_end=$(now)
[ -t 2 ] && printf '\r' >&2

echo "real CLI: 128-commit fixture repositories, one $(awk -v e="$EFFECT" 'BEGIN { print e * 100 }')% regression," \
	"noise model $MODEL ($(awk -v e="$NOISE" 'BEGIN { print e * 100 }')% lognormal per run), $SEEDS seeds (culprit = 1 + (seed * 37) % 127)"
printf '%-52s %8s %8s %8s %12s %10s\n' "" exact wrong@0 "exit!=0" runs/bisect "seconds"
printf '%-52s %7.1f%% %7.1f%% %7.1f%% %12.1f %10.1f\n' "placebisect bisect (alpha 0.01, min_effect 2%)" \
	"$(awk -v a=$pb_ok -v n="$SEEDS" 'BEGIN { print 100 * a / n }')" \
	"$(awk -v a=$pb_wrong -v n="$SEEDS" 'BEGIN { print 100 * a / n }')" \
	"$(awk -v a=$pb_four -v n="$SEEDS" 'BEGIN { print 100 * a / n }')" \
	"$(awk -v a=$pb_runs -v n="$SEEDS" 'BEGIN { print a / n }')" \
	"$(awk -v a=$pb_ns 'BEGIN { print a / 1e9 }')"
printf '%-52s %7.1f%% %7.1f%% %7.1f%% %12.1f %10.1f\n' "git bisect run, 20 runs/step, median vs midpoint" \
	"$(awk -v a=$peer_ok -v n="$SEEDS" 'BEGIN { print 100 * a / n }')" \
	"$(awk -v a=$peer_ok -v n="$SEEDS" 'BEGIN { print 100 - 100 * a / n }')" 0 \
	"$(awk -v a=$peer_runs -v n="$SEEDS" 'BEGIN { print a / n }')" \
	"$(awk -v a=$peer_ns 'BEGIN { print a / 1e9 }')"
printf 'runs ratio placebisect/git bisect: %.2f   (total runs %d vs %d; bench took %.0f s)\n' \
	"$(awk -v a=$pb_runs -v b=$peer_runs 'BEGIN { print a / b }')" "$pb_runs" "$peer_runs" \
	"$(awk -v a=$((t_end - t_start)) 'BEGIN { print a / 1e9 }')"
if [ "$SIM_SEEDS" -gt 0 ]; then
	echo
	"$BUILD/bench/bisect_sim" "$SIM_SEEDS" "$MODEL" "$EFFECT"
fi
