#!/usr/bin/env bash
# compare: missing, corrupt, wrong-schema and incompatible inputs exit 2 naming the file; usage errors exit 2.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

good='{"schema": "placebisect.measurement/1", "backend": "time", "metric": "wall", "runs": [{"wall_ns": 5}, {"wall_ns": 6}]}'
printf '%s\n' "$good" >a.json

expect_exit 2 "$PB" compare a.json missing.json
expect_eq "placebisect: error: cannot open missing.json: No such file or directory" "$(cat err)" "missing file"
expect_eq "" "$(cat out)" "nothing on stdout"

printf '{"schema": "placebisect.measurement/1",\n "runs": [1, 2,]}\n' >corrupt.json
expect_exit 2 "$PB" compare corrupt.json a.json
expect_grep '^placebisect: error: corrupt\.json:2:' err

printf '{"schema": "placebisect.compare/1", "verdict": "same"}\n' >cmp.json
expect_exit 2 "$PB" compare a.json cmp.json
expect_eq 'placebisect: error: cmp.json: is a compare file (schema "placebisect.compare/1"), not a measurement ("placebisect.measurement/1")' "$(cat err)" "another kind"

printf '{"schema": "placebisect.measurement/7", "runs": []}\n' >new.json
expect_exit 2 "$PB" compare new.json a.json
expect_eq 'placebisect: error: new.json: schema "placebisect.measurement/7" is newer than this placebisect reads ("placebisect.measurement/1"); upgrade placebisect' "$(cat err)" "newer version"

printf '{"benchmark": "x", "runs": []}\n' >noschema.json
expect_exit 2 "$PB" compare a.json noschema.json
expect_grep "^placebisect: error: noschema\.json: not a measurement file: no placebisect \"schema\", and not pyperf" err

printf '{"schema": "placebisect.measurement/1", "backend": "time", "metric": "wall", "runs": [{"wall_ns": "5"}]}\n' >badtype.json
expect_exit 2 "$PB" compare a.json badtype.json
expect_eq 'placebisect: error: badtype.json: runs[0].wall_ns: expected a number or null, got a string' "$(cat err)" "wrong type"

printf '{"schema": "placebisect.measurement/1", "backend": "perf", "metric": "instructions", "runs": [{"counters": {"instructions": 5}}]}\n' >instr.json
expect_exit 2 "$PB" compare a.json instr.json
expect_grep "^placebisect: error: a\.json measures 'wall' but instr\.json measures 'instructions'" err

printf '{"schema": "placebisect.measurement/1", "backend": "time", "metric": "wall", "runs": [{"wall_ns": 5, "exit": 1}, {"wall_ns": 5, "timed_out": true}]}\n' >failed.json
expect_exit 2 "$PB" compare failed.json a.json
expect_eq 'placebisect: error: failed.json: no successful run to compare (2 runs, all failed)' "$(cat err)" "all runs failed"

expect_exit 2 "$PB" compare a.json
expect_grep 'compare: expected two measurement files \(A\.json B\.json\), got 1' err
expect_exit 2 "$PB" compare a.json a.json a.json
expect_exit 2 "$PB" compare a.json a.json --alpha 2
expect_grep '--alpha expects a number from 0 to 0\.5' err
expect_exit 2 "$PB" compare a.json a.json --alpha 0
expect_exit 2 "$PB" compare a.json a.json --min-effect x
expect_exit 2 "$PB" compare a.json a.json --config nope.json
expect_grep 'nope\.json' err

# -o into a directory that does not exist: the environment, not the input (exit 3), named.
expect_exit 3 "$PB" compare a.json a.json -o /nonexistent/dir/out.json
expect_grep '/nonexistent/dir/out\.json' err

# --help works without files.
expect_exit 0 "$PB" compare --help
expect_grep '--fail-on-regression' out

finish
