#!/usr/bin/env bash
# make-fixture-repo.sh DIR N K [options]: a git repository for bisect tests.
#   N commits after the initial one ("commit 1" .. "commit N"); commits K and later are slower.
# The program is prog.c, built with `cc -O1 -o prog prog.c`; `./prog` does `work` iterations of a
# loop and prints "value: X" where X = work * (1 + noise), the noise drawn from a seeded sequence
# (a run counter in $PB_FIXTURE_COUNTER), so a test is exact run to run.
# Options:
#   --effect PCT      work grows by PCT percent at commit K (default 8)
#   --k2 K2 --effect2 PCT2   a second regression at commit K2
#   --broken LIST     comma-separated commits whose build fails (the next commit fixes it)
#   --noise PCT       noise amplitude in percent (default 2; 0 for none)
#   --merge M         commit K is a merge (--no-ff, subject "commit K") of a branch of M commits
#                     ("topic 1" .. "topic M") forked from commit K-1; "topic 1" is the slower one
set -euo pipefail
dir=$1 n=$2 k=$3
shift 3
effect=8 k2=0 effect2=0 broken="" noise=2 merge=0
while [ $# -gt 0 ]; do
	case $1 in
	--effect) effect=$2; shift 2 ;;
	--k2) k2=$2; shift 2 ;;
	--effect2) effect2=$2; shift 2 ;;
	--broken) broken=",$2,"; shift 2 ;;
	--noise) noise=$2; shift 2 ;;
	--merge) merge=$2; shift 2 ;;
	*) echo "make-fixture-repo: unknown option $1" >&2; exit 2 ;;
	esac
done

mkdir -p "$dir"
cd "$dir"
git init -q .
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
export GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z"

write_prog() { # WORK BROKEN
	cat > prog.c <<C
/* The fixture's benchmark: $1 units of work, printed with seeded noise. */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned long sink;

int main(void)
{
	const char *path = getenv("PB_FIXTURE_COUNTER");
	unsigned long i, work = $1UL, seed = 1;
	double noise;
	FILE *f;

	if (path && (f = fopen(path, "r+"))) {
		if (fscanf(f, "%lu", &seed) != 1)
			seed = 1;
		rewind(f);
		fprintf(f, "%lu\n", seed + 1);
		fclose(f);
	}
	for (i = 0; i < work; i++)
		sink += i;
	/* a small LCG turned into a uniform value in [-1, 1] */
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	noise = ((double)(seed >> 11) / 9007199254740992.0) * 2 - 1;
	printf("value: %.3f\n", (double)work * (1 + $noise / 100.0 * noise));
	return 0;
}
$2
C
}

work=100000
write_prog $work ""
echo "fixture" > README
git add prog.c README
git commit -q -m "initial"
git tag base
for i in $(seq 1 "$n"); do
	[ "$i" -eq "$k" ] && work=$((work + work * effect / 100))
	[ "$k2" -gt 0 ] && [ "$i" -eq "$k2" ] && work=$((work + work * effect2 / 100))
	if [ -n "$broken" ] && [[ "$broken" == *",$i,"* ]]; then
		write_prog $work "this is not C;"
	else
		write_prog $work ""
	fi
	if [ "$i" -eq "$k" ] && [ "$merge" -gt 0 ]; then
		git checkout -q -b topic
		for j in $(seq 1 "$merge"); do
			echo "topic $j" >> TOPIC
			git add prog.c TOPIC
			GIT_AUTHOR_DATE="2024-01-01T00:$(printf %02d $((i % 60))):$(printf %02d $((j % 60)))Z" \
				git commit -q -m "topic $j"
		done
		git checkout -q -
		GIT_AUTHOR_DATE="2024-01-01T00:$(printf %02d $((i % 60))):00Z" \
			git merge -q --no-ff -m "commit $i" topic
		git branch -q -d topic
		continue
	fi
	echo "change $i" >> README
	git add prog.c README
	GIT_AUTHOR_DATE="2024-01-01T00:$(printf %02d $((i % 60))):00Z" git commit -q -m "commit $i"
done
