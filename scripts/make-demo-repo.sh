#!/usr/bin/env bash
# make-demo-repo.sh DIR: generate "minivm", the demo repository placebisect is shown on.
#
# minivm is a tiny bytecode interpreter; demo/README.md tells its story commit by commit.
# Its sources at the last commit (tag v1.2) are demo/minivm/; its history is
# demo/history/NNNN-*.patch, one `git format-patch` file per commit (author, date, message,
# diff), 47 by four authors: v1.0 good, v1.1 bad (call_method slower by code placement alone),
# v1.2 fixed again.
#
# The script starts from demo/minivm/ and undoes the patches, newest first, to get the tree of
# every commit (what is left after the first must be nothing: sources and patches agree), then
# commits those trees oldest first with each patch's author as author and committer, at its
# date, and tags "Release X" as vX. Fixed authors, dates and git settings: the same commit
# hashes on every machine (tests/cli/t0904-demo-hashes.sh). Needs only git (make + cc to
# build the result). To change the history: generate it, rewrite it with git, empty both
# folders and write them back from the generated repository (demo/README.md):
#     git format-patch -q --root --zero-commit --no-signature -k -o "$PB/demo/history" main
#     git archive main | tar -x -C "$PB/demo/minivm"
# Exit: 0 done, 1 demo/ is inconsistent, 2 usage error or DIR exists and is not empty.
set -euo pipefail

usage() {
	echo "usage: $0 DIR   (DIR must not exist or be empty)" >&2
	exit 2
}
[ $# -eq 1 ] || usage
case $1 in -h | --help) usage ;; esac
dir=$1
if [ -e "$dir" ] && { [ ! -d "$dir" ] || [ -n "$(ls -A "$dir")" ]; }; then
	echo "make-demo-repo: $dir exists and is not empty; give a new directory" >&2
	exit 2
fi
command -v git >/dev/null || { echo "make-demo-repo: git is needed" >&2; exit 2; }
demo=$(cd "$(dirname "$0")/../demo" && pwd)
patches=("$demo"/history/[0-9]*.patch)
[ -f "${patches[0]}" ] || { echo "make-demo-repo: no patches in $demo/history" >&2; exit 1; }

mkdir -p "$dir"
cd "$dir"
umask 022
# Hashes must not depend on the user's git configuration (hooks, signing, autocrlf, ...).
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export LC_ALL=C TZ=UTC
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
git init -q -b main .
git=$PWD/.git

# The trees, newest first. core.fileMode=false: no file of minivm is executable at the tip,
# whatever the mode of the checkout of demo/minivm.
git -C "$demo/minivm" --git-dir="$git" -c core.fileMode=false add -A
trees=()
for ((i = ${#patches[@]} - 1; i >= 0; i--)); do
	trees[i]=$(git write-tree)
	git apply --cached -R --whitespace=nowarn "${patches[i]}" ||
		{ echo "make-demo-repo: cannot undo ${patches[i]} on demo/minivm" >&2; exit 1; }
done
if [ -n "$(git ls-files)" ]; then
	echo "make-demo-repo: demo/minivm has files no patch in demo/history adds:" \
		"$(git ls-files | paste -sd ' ' -)" >&2
	exit 1
fi

# The commits, oldest first. field NAME: that header of the patch, as git mailinfo decodes it.
field() { sed -n "s/^$1: //p" <<<"$info"; }
parent=()
for i in "${!patches[@]}"; do
	info=$(git mailinfo -k -u "$git/demo-body" /dev/null <"${patches[i]}")
	name=$(field Author) email=$(field Email) date=$(field Date) subject=$(field Subject)
	{
		echo "$subject"
		if [ -s "$git/demo-body" ]; then echo; cat "$git/demo-body"; fi
	} >"$git/demo-msg"
	commit=$(GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$date \
		GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email GIT_COMMITTER_DATE=$date \
		git commit-tree "${trees[i]}" "${parent[@]}" -F "$git/demo-msg")
	parent=(-p "$commit")
	case $subject in "Release "*) git tag "v${subject#Release }" "$commit" ;; esac
done
rm -f "$git"/demo-*
git update-ref refs/heads/main "$commit"
git reset -q --hard

echo "make-demo-repo: $(git rev-list --count HEAD) commits in $PWD; tags: $(git tag | tr '\n' ' ')"
