#!/usr/bin/env bash
# nightly.sh: a cron job that runs `placebisect nightly` on a repository and keeps its history.
#
# Usage: nightly.sh REPO BENCH HISTORY_DIR
#   REPO         the project's git repository (its placebisect.json at the top)
#   BENCH        the benchmark (benchmarks.BENCH in placebisect.json)
#   HISTORY_DIR  where the history lives (keep it: a backup, or a results repository)
# Environment:
#   PLACEBISECT       the placebisect program (default: placebisect on PATH)
#   PB_PULL=1         git pull --ff-only in REPO first (a clone that follows a branch)
#   PB_MACHINE        the machine's name in the history (default: the host name)
#   PB_NIGHTLY_ARGS   more options for placebisect nightly (e.g. "--backend cachegrind")
#   PB_ON_REGRESSION  a command run with the result JSON as its argument when a new regression
#                     is found (e.g. a script that mails the summary)
#
# Crontab (every night at 02:30, one job at a time: nightly waits for the history's lock):
#   30 2 * * *  /opt/placebisect/scripts/ci/nightly.sh /srv/src/project call_method /srv/perf-history >>/var/log/pb-nightly.log 2>&1
#
# Each run appends a section to HISTORY_DIR/summary.md and writes HISTORY_DIR/runs/STAMP.json
# (placebisect.nightly/1); a bisected regression's result is in HISTORY_DIR/reports/.
# Exit status: placebisect nightly's (0 nothing new, 1 a new regression, 2-4 errors).
set -uo pipefail

if [ $# -ne 3 ]; then
	echo "usage: nightly.sh REPO BENCH HISTORY_DIR" >&2
	exit 2
fi
repo=$1 bench=$2 history=$3
pb=${PLACEBISECT:-placebisect}
read -r -a extra <<<"${PB_NIGHTLY_ARGS:-}"

cd "$repo" || exit 2
if [ "${PB_PULL:-0}" = 1 ]; then
	git pull --ff-only -q || { echo "nightly.sh: git pull failed in $repo" >&2; exit 3; }
fi
mkdir -p "$history/runs" || exit 3
stamp=$(date -u +%Y%m%dT%H%M%SZ)-$(git rev-parse --short HEAD)
result=$history/runs/$stamp.json

"$pb" nightly --bench "$bench" --history "$history" --summary "$history/summary.md" \
	-o "$result" ${PB_MACHINE:+--machine "$PB_MACHINE"} "${extra[@]}"
rc=$?
case $rc in
0) echo "nightly.sh: $bench at $stamp: no new regression" ;;
1)
	echo "nightly.sh: $bench at $stamp: NEW REGRESSION (see $history/summary.md and $result)"
	if [ -n "${PB_ON_REGRESSION:-}" ]; then
		$PB_ON_REGRESSION "$result" || echo "nightly.sh: PB_ON_REGRESSION failed" >&2
	fi
	;;
*) echo "nightly.sh: $bench at $stamp: placebisect nightly failed (exit $rc)" >&2 ;;
esac
exit $rc
