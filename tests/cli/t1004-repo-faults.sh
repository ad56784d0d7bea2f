#!/usr/bin/env bash
# The user's repository in awkward states: a dirty tree with staged changes and GIT_DIR,
# GIT_WORK_TREE and GIT_INDEX_FILE set as inside a git hook (every byte of the tree and of .git
# outside placebisect's directory is the same after, and no GIT_* reaches the build); submodules
# and Git LFS pointers (a warning each, the culprit still found); a shallow clone (the range inside
# it bisects; a revision beyond its boundary is an error saying how to fetch it).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 12 7 --effect 8 --noise 0
cd repo
export GIT_AUTHOR_DATE="2024-01-02T00:00:00Z" GIT_COMMITTER_DATE="2024-01-02T00:00:00Z"
# A last commit with a submodule (a gitlink and .gitmodules) and a Git LFS pointer file.
printf '[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n' > .gitmodules
printf 'data.bin filter=lfs diff=lfs merge=lfs -text\n' > .gitattributes
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 1048576\n' 0 > data.bin
git add .gitmodules .gitattributes data.bin
git update-index --add --cacheinfo "160000,$(git rev-parse base),vendor/lib"
git commit -q -m "vendor lib, LFS data"
cat > placebisect.json <<JSON
{
  "build": { "command": "env | grep '^GIT_' > $T/build-env; cat data.bin > /dev/null 2>&1; cc -O1 -o prog prog.c",
             "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 7$')
last=$(git rev-parse --short=7 HEAD)

# A dirty tree: an edit, a staged new file, a staged edit edited again, an untracked file.
echo "local edit" >> README
echo "staged" > staged.txt && git add staged.txt
echo "staged edit" >> prog.c && git add prog.c && echo "unstaged on top" >> prog.c
echo "scratch" > scratch.txt
snapshot() { # every file of the tree and of .git except placebisect's own directory
	find . -path ./.git/placebisect -prune -o -type f -print0 | sort -z | xargs -0 sha1sum
	find . -path ./.git/placebisect -prune -o -print | sort
}
snapshot > "$T/before"

# Inside a git hook: GIT_DIR relative, another index file, the work tree given.
cp .git/index "$T/hook-index"
mkdir -p sub && cd sub
GIT_DIR=../.git GIT_WORK_TREE=.. GIT_INDEX_FILE=$T/hook-index \
	expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
cd ..
rmdir sub
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit (dirty tree, hook environment, submodule, LFS)"
expect_grep "^placebisect: warning: $last has submodules: they are not checked out in the private worktree; a build that needs them will fail \(and the commit be skipped\)$" "$T/err"
expect_grep "^placebisect: warning: $last uses Git LFS: LFS files appear as pointer files in the private worktree$" "$T/err"
expect_eq "" "$(cat "$T/build-env")" "no GIT_* variable reaches the build"
snapshot > "$T/after"
cmp -s "$T/before" "$T/after"; expect_eq 0 $? "tree, index, refs and config byte-identical"
diff "$T/before" "$T/after" | head -5
cmp -s .git/index "$T/hook-index"; expect_eq 0 $? "the hook's index file untouched"
expect_eq "" "$(ls .git/worktrees 2>/dev/null)" "no .git/worktrees entry"

# A shallow clone: the range inside it bisects; a revision beyond its boundary names the fix.
cd "$T"
git clone -q --depth 8 "file://$T/repo" shallow
cd shallow
cp ../repo/placebisect.json .
good=$(git log --format=%H --grep='^commit 6$')
expect_exit 0 "$PB" bisect --good "$good" --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit in a shallow clone"
gone=$(git -C ../repo log --format=%H --grep='^commit 2$')
expect_exit 2 "$PB" bisect --good "$gone" --bad HEAD --bench work
expect_eq "placebisect: error: revision '$gone' not found in $PWD/.git (this is a shallow clone: git fetch --unshallow, or fetch the tag)" \
	"$(cat "$T/err")" "a revision beyond the shallow boundary"
finish
