#!/usr/bin/env bash
# Faults around the files a bisect keeps and writes: a read-only output directory and a full disk
# (the error, exit 3, the earlier file intact, no temporary file, the result still on stdout); a
# disk that fills up during the bisect (resumes once there is room); a journal with a torn last
# line (repaired with a warning) or damage in the middle (exit 2 until --reset); two bisects at once.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

# Mount points are unmounted however the test ends.
mounts=()
cleanup() {
	local m
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
# tmpfs DIR SIZE: a small file system of our own at DIR (root only); 1 when we cannot mount.
tmpfs() {
	mkdir -p "$1"
	[ "$(id -u)" -eq 0 ] && mount -t tmpfs -o "size=$2" pbtest "$1" 2>/dev/null || return 1
	mounts+=("$1")
}

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 12 7 --effect 8 --noise 0
cd repo
cat > placebisect.json <<JSON
{
  "build": { "command": "if [ -e $T/slow-build ]; then touch $T/building; sleep 34.25 & wait; fi; cc -O1 -o prog prog.c",
             "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 7$')
run=("$PB" bisect --good base --bad HEAD --bench work)
expect_exit 0 "${run[@]}" -q -o "$T/earlier.json"
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/earlier.json")" "culprit"

# -o into DIR fails with MESSAGE (exit 3), DIR/result.json stays the earlier file, nothing else appears.
output_fault() { # WHAT DIR MESSAGE
	expect_exit 3 "${run[@]}" -q -o "$2/result.json"
	expect_eq "placebisect: error: $3" "$(cat "$T/err")" "$1: message"
	cmp -s "$T/earlier.json" "$2/result.json"; expect_eq 0 $? "$1: the earlier file is intact"
	expect_eq "result.json" "$(ls -A "$2" | grep -v '^fill$' | tr '\n' ' ' | sed 's/ $//')" "$1: no temporary file left"
	expect_grep "^First bad commit: $culprit commit 7$" "$T/out"
}

# A read-only output directory: a read-only mount (root ignores permissions), else mode 555.
mkdir ro
if tmpfs "$T/repo/ro" 1m; then
	cp "$T/earlier.json" ro/result.json
	mount -o remount,ro "$T/repo/ro"
	output_fault "read-only directory" ro \
		"cannot write ro/result.json (creating a temporary file in ro): Read-only file system"
elif [ "$(id -u)" -ne 0 ]; then
	cp "$T/earlier.json" ro/result.json
	chmod 555 ro
	output_fault "read-only directory" ro \
		"cannot write ro/result.json (creating a temporary file in ro): Permission denied"
	chmod 755 ro
else
	echo "SKIP (part): read-only directory: root cannot mount a tmpfs here"
fi

# A full disk (ENOSPC): a 64 KiB tmpfs, the earlier result, and a file that takes the rest.
if tmpfs "$T/repo/full" 64k; then
	cp "$T/earlier.json" full/result.json
	dd if=/dev/zero of=full/fill bs=4k 2>/dev/null
	output_fault "full disk" full "cannot write full/result.json: No space left on device"
else
	echo "SKIP (part): ENOSPC: needs root to mount a small tmpfs"
fi

# The disk fills up during a bisect: exit 3 naming the file; with room again it resumes.
if tmpfs "$T/small" 1m; then
	git clone -q "$T/repo" "$T/small/repo"
	cp placebisect.json "$T/small/repo/"
	dd if=/dev/zero of="$T/small/fill" bs=4k count=$(( (1024 - $(du -sk "$T/small" | cut -f1) - 40) / 4 )) 2>/dev/null
	(cd "$T/small/repo" && expect_exit 3 "${run[@]}" --good origin/HEAD~12 --bad origin/HEAD -q)
	expect_grep "No space left on device" "$T/err"
	sed "s/^/  disk full during the bisect: /" "$T/err"
	rm "$T/small/fill"
	for f in $(find "$T/small/repo/.git/placebisect" -name '*.json'); do
		jq -e .schema "$f" >/dev/null || { echo "FAIL: $f does not parse after ENOSPC"; fails=$((fails + 1)); }
	done
	(cd "$T/small/repo" && expect_exit 0 "${run[@]}" --good origin/HEAD~12 --bad origin/HEAD --json)
	expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit after the disk had room again"
else
	echo "SKIP (part): ENOSPC during a bisect: needs root to mount a small tmpfs"
fi

# A torn last journal line (a crash in the middle of an append): dropped with a warning.
printf '{"event":"build","commit":"%s","res' "$culprit" >> .git/placebisect/journal
expect_exit 0 "${run[@]}" --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit after a torn journal line"
expect_grep "^placebisect: warning: $PWD/.git/placebisect/journal: the last line was cut short \(interrupted write\); dropped it$" "$T/err"
jq -e .event .git/placebisect/journal >/dev/null; expect_eq 0 $? "the journal was repaired"

# Damage in the middle is not a torn write: refused (exit 2) until --reset.
sed -i '2s/.*/{"event": garbage/' .git/placebisect/journal
expect_exit 2 "${run[@]}"
expect_grep "^placebisect: error: $PWD/.git/placebisect/journal: line 2 is not a journal record \(.*\); remove the file or run with --reset$" "$T/err"
expect_exit 0 "${run[@]}" --reset --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit after --reset"

# Two bisects at once: the second is refused with the first's pid; the first goes on.
touch "$T/slow-build"
"${run[@]}" --good base~0 --bad HEAD~1 -q >/dev/null 2>"$T/err.first" &
first=$!
poll_until 120 test -e "$T/building"
expect_exit 3 "${run[@]}"
expect_eq "placebisect: error: another placebisect (pid $first) is bisecting this repository; wait for it to finish or stop it (lock: $PWD/.git/placebisect/lock)" \
	"$(cat "$T/err")" "second bisect refused"
kill -INT $first
wait $first
expect_eq 130 $? "the first bisect, interrupted"
rm "$T/slow-build"
expect_exit 0 "${run[@]}" -q
finish
