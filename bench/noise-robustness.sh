#!/bin/bash
# noise-robustness.sh: for each noise model (iid, drift, bursts, bimodal: bench/noise_sim.h), placebisect's
# real CLI against `git bisect run` with a threshold script (20 runs per step, median vs midpoint) on
# 128-commit fixture repositories (bench/bisect-cost.sh), then the in-process simulation of the same
# search (bench/bisect_sim) over more seeds: % exact, % wrong with exit 0, % exit 4, runs per bisect.
# Usage: [EFFECT=0.05] bench/noise-robustness.sh [CLI_SEEDS] [BUILD_DIR] [SIM_SEEDS] [MODELS]
#   (default: 200, build, 1000, "iid drift bursts bimodal"; EFFECT the regression, 5% by default:
#   1.7 sigmas of the iid model's 3% noise, where the peer itself names a wrong commit one time in
#   twenty; 10% is 3.3 sigmas). The CLI part takes seconds per seed (minutes on a loaded machine):
#   pass fewer CLI seeds there, and say so with the figures.
set -eu
CLI_SEEDS=${1:-200}
BUILD=${2:-build}
SIM_SEEDS=${3:-1000}
MODELS=${4:-iid drift bursts bimodal}
HERE=$(cd "$(dirname "$0")" && pwd)
for m in $MODELS; do
	echo "== noise model: $m"
	if [ "$CLI_SEEDS" -gt 0 ]; then
		MODEL=$m "$HERE/bisect-cost.sh" "$CLI_SEEDS" "$BUILD" 0
	fi
	if [ "$SIM_SEEDS" -gt 0 ]; then
		"$BUILD/bench/bisect_sim" "$SIM_SEEDS" "$m" "${EFFECT:-0.05}"
	fi
	echo
done
