#!/usr/bin/env bash
# Bad input, round 2 (issue #16): big configs load in linear time, control bytes and escaped NULs are
# refused with file:line:column, placeholders and empty values are config errors, a FIFO as input
# never hangs, result documents are checked against their schema before they are rendered or
# compared, binaries of different machines are not diffed, and `report -o` makes its directory.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v jq >/dev/null || skip "no jq to build and read the JSON"
command -v python3 >/dev/null || skip "no python3 to write the fixtures"

# ---- F2: 100k layout.hot names and 40k benchmarks (15.7 s each before: quadratic). ----
python3 - <<'PY'
import json
json.dump({"layout": {"hot": ["fn_%d" % i for i in range(100000)]}}, open("hot.json", "w"))
json.dump({"benchmarks": {"b%d" % i: {"command": "true", "runs": 1 + i % 7} for i in range(40000)}},
          open("benches.json", "w"))
PY
expect_exit 0 timeout 10 "$PB" config --config hot.json -q -o hot.out.json
expect_eq 100000 "$(jq '.layout.hot | length' hot.out.json)" "100k hot names kept"
expect_eq fn_99999 "$(jq -r '.layout.hot[99999]' hot.out.json)" "last hot name"
expect_exit 0 timeout 10 "$PB" config --config benches.json -q -o benches.out.json
expect_eq 40000 "$(jq '.benchmarks | length' benches.out.json)" "40k benchmarks kept"
expect_eq 2 "$(jq '.benchmarks.b39999.runs' benches.out.json)" "last benchmark's runs"

# ---- F3: strict strings and bytes between tokens, with the position. ----
bad() { # CONTENT MESSAGE   (printf format: \xNN makes raw bytes)
	printf "$1" > bad.json
	expect_exit 2 timeout 10 "$PB" config --config bad.json
	expect_eq "placebisect: error: $2" "$(cat err)" "config $1"
}
bad '{"build": {"command": "cc -o prog prog.c",\n  "binary": "prog\\u0000.c"}}' \
	'bad.json:2:18: \u0000 in a string: a NUL character is not allowed (it would cut the string short)'
bad '{"build": {"binary": "pr\x01og"}}' \
	'bad.json:1:25: control byte 0x01 inside a string (write it as \u0001)'
bad '{"build": {"binary": "\x1b[31mprog"}}' \
	'bad.json:1:23: control byte 0x1b inside a string (write it as \u001b)'
bad '{"build": {"binary": "prog"},\x0e "stats": {}}' 'bad.json:1:30: control byte 0x0e outside a string'

# ---- F4: placeholders, empty values, a timeout that is not a sane number of seconds. ----
bad '{"build": {"command": "make {nope}"}}' \
	'bad.json: build.command: unknown placeholder {nope} (the placeholders are {binary}, {worktree} and {config_dir}; for a shell variable write ${nope})'
bad '{"benchmarks": {"w": {"command": "{binary --fast"}}}' \
	'bad.json: benchmarks.w.command: placeholder {binary not closed: write {binary}'
bad '{"build": {"command": ""}}' \
	'bad.json: build.command: must not be empty: give a shell command (e.g. "make -j2"), or remove the key'
bad '{"benchmarks": {"w": {"command": ""}}}' \
	'bad.json: benchmarks.w.command: must not be empty: give a shell command (e.g. "make -j2"), or remove the key'
bad '{"build": {"artifacts": ["lib.so", ""]}}' \
	'bad.json: build.artifacts[1]: empty string: list paths in the worktree, or remove the element'
bad '{"build": {"env_pass": [""]}}' \
	'bad.json: build.env_pass[0]: empty string: list variable names, or remove the element'
bad '{"measure": {"events": ["cycles", ""]}}' \
	'bad.json: measure.events[1]: empty string: list event names, or remove the element'
bad '{"build": {"timeout": 4.9e-324}}' \
	'bad.json: build.timeout: expected a number from 0.001 to 1e+07, got 4.94066e-324'
# What a shell needs stays valid: ${VAR}, brace groups, JSON in quotes, {1..3}.
printf '%s' '{"build": {"command": "for i in {1..3}; do echo ${HOME} {x; done; { true; }"},
  "benchmarks": {"w": {"command": "echo {\"k\": 1} {binary} {worktree} {config_dir}"}}}' > ok.json
expect_exit 0 timeout 10 "$PB" config --config ok.json -q

# ---- F10: a FIFO with no writer as input: refused at once, never opened for a blocking read. ----
mkfifo fifo
fifo_refused() { # CMD...
	expect_exit 2 timeout 10 "$PB" "$@"
	expect_grep "fifo: not a regular file \(a FIFO\)" "$T/err"
}
fifo_refused config --config fifo
fifo_refused layout fifo
fifo_refused layout diff fifo fifo
fifo_refused report fifo -o fifo.md
fifo_refused compare fifo fifo
fifo_refused layout --profile fifo "$PB"

# ---- F5: result documents are checked against their schema before anything renders them. ----
echo '{"schema":"placebisect.bisect/1"}' > bare.json
expect_exit 2 "$PB" report bare.json -o bare.md
expect_eq "placebisect: error: bare.json: good: missing (every placebisect.bisect/1 document has it)" \
	"$(cat err)" "bare bisect document"
[ ! -e bare.md ] || { echo "FAIL: a report was written from a bare document"; fails=$((fails + 1)); }
expect_exit 0 "$PB" measure --backend time --runs 3 -q -o m.json -- true
expect_exit 0 "$PB" compare m.json m.json -q -o c.json
# report -o into a directory that does not exist yet (bisect --report always made it).
expect_exit 0 "$PB" report m.json -o new/dir/M.md
expect_grep '^# Measurement: ' new/dir/M.md
mutate() { # FILE JQ-FILTER MESSAGE: report (and compare, for measurements) refuse it with the key path
	jq "$2" "$1" > mut.json
	expect_exit 2 "$PB" report mut.json -o mut.md
	expect_eq "placebisect: error: mut.json: $3" "$(cat err)" "report of $1 | $2"
	if [ "$1" = m.json ]; then
		expect_exit 2 "$PB" compare mut.json m.json
		expect_eq "placebisect: error: mut.json: $3" "$(cat err)" "compare of $1 | $2"
	fi
}
mutate m.json 'del(.runs)' 'runs: missing (every placebisect.measurement/1 document has it)'
mutate m.json 'del(.metric)' 'metric: missing (every placebisect.measurement/1 document has it)'
mutate m.json '.runs = {}' 'runs: expected an array, got an object'
mutate m.json '.runs[0].wall_ns = "fast"' 'runs[0].wall_ns: expected a number or null, got a string'
mutate m.json '.runs[1] = 7' 'runs[1]: expected an object, got a number'
mutate m.json '.runs[0].counters = {"cycles": -5}' \
	'runs[0].counters.cycles: -5 is negative (a count or a size: never below 0)'
mutate m.json '.warnings = [3]' 'warnings[0]: expected a string, got a number'
mutate c.json 'del(.b)' 'b: missing (every placebisect.compare/1 document has it)'
mutate c.json '.counters = {"cycles": {"a": -1, "b": 2, "ratio": -2}}' \
	'counters.cycles.a: -1 is negative (a count or a size: never below 0)'
mutate c.json '.ci95 = "wide"' 'ci95: expected an array or null, got a string'
# history show: a damaged entry is named by its index, never "entries[0].:".
mkdir hist
echo '{"schema": "placebisect.history/1", "entries": [5], "alerts": []}' > hist/index.json
expect_exit 2 "$PB" history show --bench w --history hist
expect_grep "hist/index.json: entries\[0\]: expected an object, got a number" "$T/err"
if grep -q 'entries\[0\]\.:' "$T/err"; then echo "FAIL: a key path ending in '.:'"; fails=$((fails + 1)); fi

# ---- F1: binaries of different machines; .text without bytes in the file. ----
if command -v cc >/dev/null && [ "$(uname -m)" = x86_64 ] && echo 'int main(void){return 0;}' > p.c &&
	cc -O1 -o p p.c 2>/dev/null; then
	python3 - <<'PY'
import struct
data = bytearray(open("p", "rb").read())
for name, machine in (("p-aarch64", 183), ("p-i386", 3)):
    d = bytearray(data)
    d[18:20] = struct.pack("<H", machine)  # e_machine
    open(name, "wb").write(d)
# .text as SHT_NOBITS: find it through the section header table.
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
stroff, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
for i in range(shnum):
    base = shoff + i * shentsize
    name, = struct.unpack_from("<I", data, base)
    if data[stroff + name:stroff + name + 6] == b".text\0":
        struct.pack_into("<I", data, base + 4, 8)  # SHT_NOBITS
open("p-nobits", "wb").write(data)
PY
	expect_exit 2 timeout 10 "$PB" layout diff p p-aarch64
	expect_eq "placebisect: error: layout diff: p is x86-64 and p-aarch64 is aarch64: builds for different machines cannot be compared; give two builds of the same target" "$(cat err)" "x86-64 vs aarch64"
	expect_exit 2 timeout 10 "$PB" layout diff p-i386 p-aarch64
	expect_grep "p-i386 is i386 and p-aarch64 is aarch64" "$T/err"
	expect_exit 0 timeout 10 "$PB" layout p-nobits
	expect_grep "warning: p-nobits: section '.text' is executable but has no bytes in the file \(SHT_NOBITS\)" "$T/err"
fi

finish
