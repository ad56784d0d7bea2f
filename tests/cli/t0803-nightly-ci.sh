#!/usr/bin/env bash
# The CI examples: scripts/ci/nightly.sh and scripts/ci/github-nightly.yml parse (bash -n, YAML),
# the workflow has a schedule, builds and runs nightly, uploads the report and the history; and
# nightly.sh run end to end as cron would, over a fixture repository: 0, 0, then 1 at the
# regression with its culprit in the summary, and the regression hook called once.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

ci=$PB_SOURCE_DIR/scripts/ci
bash -n "$ci/nightly.sh"
expect_eq 0 $? "nightly.sh parses"
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$ci/github-nightly.yml" >"$T/yaml" 2>&1 <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
on = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
steps = doc["jobs"]["nightly"]["steps"]
runs = " ".join(s.get("run", "") for s in steps)
uses = [s.get("uses", "") for s in steps]
print("schedule", on["schedule"][0]["cron"])
print("install", "install-deps.sh" in runs)
print("build", "cmake --build" in runs)
print("nightly", "placebisect nightly" in runs and "$GITHUB_STEP_SUMMARY" in runs)
print("upload", any(u.startswith("actions/upload-artifact@") for u in uses))
print("history", "${{ env.HISTORY }}" in str([s.get("with", {}).get("path", "") for s in steps]))
PY
	expect_eq 0 $? "github-nightly.yml parses"
	expect_eq "schedule 30 2 * * *
install True
build True
nightly True
upload True
history True" "$(cat "$T/yaml")" "the workflow's steps"
else
	echo "note: python3 has no yaml module (scripts/install-deps.sh installs python3-yaml); YAML not checked"
fi

# cron, three nights: HEAD at commit 3, 6, then 9 (the regression is commit 8).
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 10 8 --effect 10 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
cat > "$T/hook" <<'SH'
#!/bin/sh
echo "$1" >> "$(dirname "$0")/hook.calls"
SH
chmod +x "$T/hook"
rev() { git log --format=%H --grep="^commit $1\$"; }
culprit=$(rev 8)
declare -A at=([3]=$(rev 3) [6]=$(rev 6) [9]=$(rev 9))
codes=""
for c in 3 6 9; do
	git checkout -q "${at[$c]}"
	PLACEBISECT=$PB PB_MACHINE=cron PB_ON_REGRESSION=$T/hook PB_NIGHTLY_ARGS="-q" \
		bash "$ci/nightly.sh" "$PWD" work "$T/hist" >"$T/cron$c.out" 2>"$T/cron$c.err"
	codes="$codes $?"
done
expect_eq " 0 0 1" "$codes" "nightly.sh exit codes"
expect_grep "^nightly.sh: work at [0-9TZ]+-[0-9a-f]+: no new regression$" "$T/cron6.out"
expect_grep "^nightly.sh: work at [0-9TZ]+-[0-9a-f]+: NEW REGRESSION \(see $T/hist/summary.md and $T/hist/runs/" "$T/cron9.out"
expect_eq 3 "$(ls "$T/hist/runs" | wc -l)" "a result per night"
expect_eq 1 "$(wc -l < "$T/hook.calls")" "the hook ran once"
expect_eq "$culprit" "$(jq -r .culprit.commit "$(cat "$T/hook.calls")")" "the hook's result names the culprit"
expect_grep "^\| work \| new \| \`${culprit:0:12}\` commit 8 \| \+10\.0% \|" "$T/hist/summary.md"
bash "$ci/nightly.sh" 2>"$T/err"
expect_eq 2 $? "usage error"
expect_grep "^usage: nightly.sh REPO BENCH HISTORY_DIR" "$T/err"

finish
