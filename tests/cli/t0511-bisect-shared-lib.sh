#!/usr/bin/env bash
# An "interpreter" whose hot loop lives in libvm.so, installed per commit with build.install: bisect
# finds the placement-only culprit inside the library, attributes it to libvm.so as code-placement,
# also with a launcher script as build.binary; a code-change culprit lists its per-function deltas.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v make >/dev/null || skip "no make"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

bash "$PB_SOURCE_DIR/tests/cli/make-vm-repo.sh" repo
cd repo
config() { # $1: build.binary
	cat > placebisect.json <<JSON
{
  "build": { "command": "make", "install": "make install PREFIX={prefix}", "binary": "$1" },
  "benchmarks": {
    "run": { "command": "{binary}", "metric": "est_cycles", "runs": 3 },
    "ins": { "command": "{binary}", "metric": "instructions", "runs": 3 }
  },
  "measure": { "backend": "cachegrind",
               "cachegrind": { "I1": "1024,1,64", "D1": "32768,8,64", "LL": "8388608,16,64" } }
}
JSON
}
rev() { git log --format=%H --grep="^$1\$" main; }
c3=$(rev "commit 3"); c4=$(rev "commit 4"); c5=$(rev "commit 5"); c6=$(rev "commit 6"); c7=$(rev "commit 7")

# The program is only whole in its install tree: the benchmark runs the cached prefix's vm.
config "{prefix}/bin/vm"
expect_exit 0 "$PB" bisect --good base --bad "$c5" --bench run --json
expect_eq "$c4" "$(jq -r .culprit.commit "$T/out")" "placement culprit"
expect_eq code-placement "$(jq -r .attribution.verdict "$T/out")" "verdict"
expect_eq prefix/lib/libvm.so "$(jq -r .attribution.object "$T/out")" "object compared"
expect_grep 'lives in prefix/lib/libvm.so' <(jq -r '.attribution.reasons[]' "$T/out")
expect_eq f_b "$(jq -r '[.layout.hot[] | select(.same_code and .good_addr != .bad_addr) | .name] | join(",")' "$T/out")" "f_b moved, same code"
cache=$(ls -d .git/placebisect/builds/*/ | head -1)
expect_eq "30000" "$(cat "$cache$c4/prefix/share/vm/prog.dat")" "the install is in the cache"

# layout follows the launcher to the library; --object names it.
expect_exit 0 "$PB" layout diff "$cache$c3/prefix/bin/vm-launch" "$cache$c4/prefix/bin/vm-launch" --hot vm_run,f_a,f_b --json
expect_eq "$(realpath "$cache$c4/prefix/lib/libvm.so")" "$(realpath "$(jq -r .bad.binary "$T/out")")" "layout diff reads libvm.so"
expect_exit 0 "$PB" layout "$cache$c4/prefix/bin/vm" --object libvm.so --json
expect_eq libvm.so "$(basename "$(jq -r .binary "$T/out")")" "--object"
expect_exit 2 "$PB" layout "$cache$c4/prefix/bin/vm" --object libnope
expect_grep '--object libnope: no such object' "$T/err"

# A launcher shell script as build.binary: the library is still found.
config "{prefix}/bin/vm-launch"
expect_exit 0 "$PB" bisect --good "$c3" --bad "$c4" --bench run --json
expect_eq "$c4" "$(jq -r .culprit.commit "$T/out")" "culprit via the launcher"
expect_eq prefix/lib/libvm.so "$(jq -r .attribution.object "$T/out")" "object via the launcher"
expect_eq code-placement "$(jq -r .attribution.verdict "$T/out")" "verdict via the launcher"

# A code change: the per-function deltas name f_a with both Ir values, as cachegrind counts them.
config "{prefix}/bin/vm"
expect_exit 0 "$PB" bisect --good "$c5" --bad "$c7" --bench ins --json -o bisect.json
expect_eq "$c6" "$(jq -r .culprit.commit bisect.json)" "code-change culprit"
expect_eq f_a "$(jq -r '.attribution.function_deltas[0].name' bisect.json)" "top changed function"
ir() { # Ir of function $2 in cachegrind's own output for the cached build $1
	valgrind --tool=cachegrind --cache-sim=yes --I1=1024,1,64 --D1=32768,8,64 --LL=8388608,16,64 \
		--cachegrind-out-file="$T/cg.out" "$cache$1/prefix/bin/vm" >/dev/null 2>&1
	awk -v f="$2" '/^fn=/ { on = ($0 == "fn=" f) } /^[0-9]/ && on { s += $2 } END { print s + 0 }' "$T/cg.out"
}
expect_eq "$(ir "$c5" f_a)" "$(jq -r '.attribution.function_deltas[0].ir_parent' bisect.json)" "f_a's Ir in the parent"
expect_eq "$(ir "$c6" f_a)" "$(jq -r '.attribution.function_deltas[0].ir_culprit' bisect.json)" "f_a's Ir in the culprit"
expect_grep 'f_a \(src/vm.c\) Ir [0-9,]+ → [0-9,]+' <(jq -r '.attribution.reasons[]' bisect.json)
expect_exit 0 "$PB" report bisect.json -o report.md
expect_grep '^## Where the cost changed' report.md
expect_grep '^\| `f_a` \| src/vm.c \|' report.md

finish
