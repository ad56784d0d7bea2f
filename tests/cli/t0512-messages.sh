#!/usr/bin/env bash
# Messages a newcomer meets (issue #21): a warning once per command and none under -q, singular
# for one, common options before the command name.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 6 4 --effect 8 --noise 2
cd repo
echo 1 > "$T/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 6, "warmups": 1,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } }
}
JSON

# The no-hardware-counters warning: once per bisect (the runner is set up once per step), never
# under -q. The default backend (auto) warns only on a machine without a PMU.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work
if grep -q 'no hardware counters here' "$T/err"; then
	expect_eq 1 "$(grep -c 'no hardware counters here' "$T/err")" "the warning once per bisect"
	expect_eq 1 "$(grep -c '^placebisect: warning: no hardware counters here (cycles: ' "$T/err")" "its exact start"
	expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work -q
	expect_eq 0 "$(grep -c 'no hardware counters here' "$T/err")" "no warning under -q"
	expect_eq "" "$(cat "$T/err")" "-q: nothing on stderr"
fi
# Errors still print under -q.
expect_exit 2 "$PB" bisect --good base --bad HEAD --bench nosuch -q
expect_grep '^placebisect: error: ' "$T/err"

# Singular for one: a bisect over one commit, a measurement of one run.
g7=$(git rev-parse --short=7 HEAD~3); b7=$(git rev-parse --short=7 HEAD~2)
expect_exit 0 "$PB" bisect --good HEAD~3 --bad HEAD~2 --bench work -q
expect_eq 1 "$(grep -cE "^Bisected 1 commit between $g7 \(good\) and $b7 \(bad\), benchmark work, metric stdout, backend [a-z]+.*\.\$" "$T/out")" "Bisected 1 commit"
expect_exit 0 "$PB" measure --runs 1 --warmups 0 -q -- true
expect_eq 1 "$(grep -cE "^Measurement of 'true' \(1 run, 0 failed, backend [a-z]+.*\)\$" "$T/out")" "1 run"

# Common options before the command name are the command's.
cp placebisect.json "$T/cfg.json"
cd "$T"
expect_exit 0 "$PB" --config "$T/cfg.json" config
expect_eq "placebisect: $T/cfg.json is valid" "$(cat "$T/err")" "--config before config"
expect_eq "cc -O1 -o prog prog.c" "$(jq -r .build.command "$T/out")" "config printed"
expect_exit 0 "$PB" -q --repo "$T/repo" config
expect_eq "" "$(cat "$T/err")" "-q before config"
expect_eq "prog" "$(jq -r .build.binary "$T/out")" "--repo before config"
expect_exit 0 "$PB" --config="$T/cfg.json" --json -o "$T/cfg.out" config
expect_eq "prog" "$(jq -r .build.binary "$T/cfg.out")" "-o before config"
expect_exit 0 "$PB" --config "$T/cfg.json" --repo "$T/repo" -q bisect --good base --bad HEAD --bench work --json
expect_eq "commit 4" "$(jq -r .culprit.subject "$T/out")" "--config before bisect"
expect_exit 2 "$PB" --bogus config
expect_eq "placebisect: unknown option '--bogus' before the command 'config': only --config, --repo, -q, --json and -o may come first; put the others after 'config'. See 'placebisect config --help'." "$(cat "$T/err")" "an unknown option before the command"
expect_exit 2 "$PB" --config "$T/cfg.json" bisekt
expect_eq "placebisect: 'bisekt' is not a command. Did you mean 'bisect'? See 'placebisect --help'." "$(cat "$T/err")" "a misspelt command after common options"

finish
