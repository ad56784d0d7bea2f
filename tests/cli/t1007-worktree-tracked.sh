#!/usr/bin/env bash
# A build command that edits tracked files (F7 of issue #16): gen.h (the same in every revision)
# is rewritten after each compile, and scale.txt (read by the benchmark) too. The private worktree
# must hold exactly the revision's tracked files before each build and each run: the right
# culprit, exit 0, a warning naming what was restored (work.h, deleted by every build, is restored
# by the checkout itself when the next commit differs there); untracked build outputs stay.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

git init -q repo
cd repo
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
export GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z"
cat > prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "gen.h"
#include "work.h"
int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 0;
	printf("value: %ld\n", (long)WORK * (1 + EXTRA) * scale);
	return 0;
}
C
echo '#define EXTRA 0' > gen.h
echo 1 > scale.txt
echo '#define WORK 1000' > work.h
git add prog.c gen.h scale.txt work.h
git commit -qm initial
git tag base
for i in 1 2 3 4 5 6 7 8; do
	[ $i -ge 5 ] && echo '#define WORK 1080' > work.h
	echo "change $i" >> README
	git add README work.h
	git commit -qm "commit $i"
done
culprit=$(git log --format=%H --grep='^commit 5$')
cat > "$T/placebisect.json" <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c && sed -i 's/EXTRA 0/EXTRA 5/' gen.h && echo 7 > scale.txt && rm work.h && touch untracked.o",
             "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary} $(cat scale.txt)", "metric": "stdout", "runs": 3,
                            "warmups": 0, "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON

expect_exit 0 timeout 120 "$PB" bisect --config "$T/placebisect.json" --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "the culprit"
expect_eq "1.08" "$(jq -r '.effect.ratio * 100 | round / 100' "$T/out")" "the effect: +8 %, not the edit's"
expect_grep "^placebisect: warning: the build or the benchmark changed tracked files in the private worktree \(gen.h, scale.txt(, work.h)?\); restored them to [0-9a-f]{7}'s" "$T/err"
# The worktree holds the last revision's tracked files, and the build's untracked output.
wt=.git/placebisect/worktree
expect_eq "#define EXTRA 0" "$(cat $wt/gen.h)" "gen.h as committed"
expect_eq "true" "$([ -e $wt/work.h ] && echo true)" "work.h, which every build deletes, restored"
expect_eq "true" "$([ -e $wt/untracked.o ] && echo true)" "untracked build output kept"
expect_eq "" "$(git status --porcelain)" "the user's tree untouched"
finish
