#!/usr/bin/env bash
# The history directory under concurrency and damage: a second nightly refuses (naming the
# holder's pid) or waits and then records after the first, never interleaving; an index with a
# newer schema, a damaged one, or one missing a key is refused and left byte for byte as it was.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 8 5 --effect 8 --noise 0
cd repo
# A slow benchmark (two seconds a run) keeps the first nightly inside its lock long enough.
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 1, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } },
                  "slow": { "command": "sleep 2; {binary}", "metric": "stdout", "runs": 1, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
rev() { git log --format=%H --grep="^commit $1\$"; }

# The holder: wait until its pid is in the lock.
"$PB" nightly --bench slow --history "$T/h" --machine m --rev "$(rev 2)" -q >"$T/first.out" 2>&1 &
first=$!
for _ in $(seq 100); do
	[ "$(cat "$T/h/lock" 2>/dev/null)" = "$first" ] && break
	sleep 0.1
done
expect_eq "$first" "$(cat "$T/h/lock" 2>/dev/null)" "the first nightly holds the lock"
expect_exit 3 "$PB" nightly --bench slow --history "$T/h" --machine m --rev "$(rev 3)" --wait 0
expect_grep "another placebisect \(pid $first\) is writing this history; it is released when that run ends \(--wait SECONDS waits longer\) \(lock: $T/h/lock\)" "$T/err"
# A patient one waits, then records after the first.
"$PB" nightly --bench slow --history "$T/h" --machine m --rev "$(rev 3)" --wait 120 -q >"$T/second.out" 2>&1 &
second=$!
wait $first
expect_eq 0 $? "the first nightly"
wait $second
expect_eq 0 $? "the waiting nightly"
expect_eq "$(rev 2) $(rev 3)" "$(jq -r '[.entries[].commit] | join(" ")' "$T/h/index.json")" "both recorded, in order"
expect_eq 0 "$(find "$T/h" -name '*.tmp*' | wc -l)" "no temporary file left"

# A newer schema is refused, not overwritten; nothing is built or measured.
mkdir -p "$T/newer"
printf '{ "schema": "placebisect.history/2", "entries": [], "alerts": [], "future": true }\n' > "$T/newer/index.json"
sum=$(sha1sum < "$T/newer/index.json")
expect_exit 2 "$PB" nightly --bench work --history "$T/newer" --rev "$(rev 4)"
expect_grep "$T/newer/index.json: schema placebisect.history/2 is newer than this placebisect reads \(placebisect.history/1\); it is left as it is" "$T/err"
expect_eq "$sum" "$(sha1sum < "$T/newer/index.json")" "newer index untouched"
expect_eq "" "$(ls "$T/newer" | grep -v -e index.json -e lock)" "nothing recorded"
expect_exit 2 "$PB" history show --bench work --history "$T/newer"
expect_grep "is newer than this placebisect reads" "$T/err"

# A damaged index (cut short) and one missing a key: refused, named, untouched.
mkdir -p "$T/cut"
head -c 200 "$T/h/index.json" > "$T/cut/index.json"
sum=$(sha1sum < "$T/cut/index.json")
expect_exit 2 "$PB" nightly --bench work --history "$T/cut" --rev "$(rev 4)"
expect_grep "^placebisect: error: the history index is damaged \(it is left as it is\): $T/cut/index.json:[0-9]+:[0-9]+: " "$T/err"
expect_eq "$sum" "$(sha1sum < "$T/cut/index.json")" "damaged index untouched"
mkdir -p "$T/nokey"
jq 'del(.entries[1].commit)' "$T/h/index.json" > "$T/nokey/index.json"
sum=$(sha1sum < "$T/nokey/index.json")
expect_exit 2 "$PB" nightly --bench work --history "$T/nokey" --rev "$(rev 4)"
expect_grep "^placebisect: error: the history index is damaged \(it is left as it is\): $T/nokey/index.json: entries\[1\].commit: missing \(every placebisect.history/1 document has it\)" "$T/err"
expect_eq "$sum" "$(sha1sum < "$T/nokey/index.json")" "index missing a key untouched"
mkdir -p "$T/other"
printf '{ "schema": "placebisect.bisect/1" }\n' > "$T/other/index.json"
expect_exit 2 "$PB" nightly --bench work --history "$T/other" --rev "$(rev 4)"
expect_grep "not a placebisect history index" "$T/err"

finish
