#!/usr/bin/env bash
# make-vm-repo.sh DIR: a tiny "interpreter" history. A launcher `vm` whose hot loop lives in libvm.so
# (RUNPATH $ORIGIN/../lib), reading its program size from share/vm/prog.dat next to its own tree.
# Commits: "base", "commit 1".."commit 7"; "commit 4" is placement-only (a 1 KiB-aligned cold
# function inserted before f_b: f_b lands on vm_run's lines of a 1 KiB direct-mapped I1), "commit 6"
# is a code change (f_a does twice the work).
set -euo pipefail
dir=$1
mkdir -p "$dir" && cd "$dir"
git init -q -b main .
git config user.name "pb test"
git config user.email test@pb.invalid
export GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z"
mkdir -p src
cat > Makefile <<'EOF'
CFLAGS = -g -O1 -fno-toplevel-reorder -fno-inline -fno-omit-frame-pointer
all: build/bin/vm build/lib/libvm.so
build/lib/libvm.so: src/vm.c
	mkdir -p build/lib && $(CC) $(CFLAGS) -fPIC -shared -o $@ src/vm.c
build/bin/vm: src/main.c build/lib/libvm.so
	mkdir -p build/bin && $(CC) $(CFLAGS) -o $@ src/main.c -Lbuild/lib -lvm \
	  -Wl,-rpath,'$$ORIGIN/../lib' -Wl,--enable-new-dtags
install: all
	mkdir -p $(PREFIX)/bin $(PREFIX)/lib $(PREFIX)/share/vm
	cp build/bin/vm vm-launch $(PREFIX)/bin/ && cp build/lib/libvm.so $(PREFIX)/lib/
	cp prog.dat $(PREFIX)/share/vm/
EOF
printf '#!/bin/sh\nexec "$(dirname "$0")/vm" "$@"\n' > vm-launch
chmod +x vm-launch
echo 30000 > prog.dat
cat > src/main.c <<'EOF'
/* vm: reads its program (an iteration count) from ../share/vm/prog.dat beside its own binary. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
long vm_run(long n);
int main(void)
{
	char exe[4096], path[4200];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	long n;

	if (k < 0)
		return 3;
	exe[k] = '\0';
	snprintf(path, sizeof(path), "%s/../share/vm/prog.dat", dirname(exe));
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &n) != 1) {
		fprintf(stderr, "vm: cannot read %s\n", path);
		return 2;
	}
	fclose(f);
	printf("%ld\n", vm_run(n));
	return 0;
}
EOF
vm_c() { # $1: pad (0/1), $2: f_a's rounds
	cat <<EOF
/* libvm: the interpreter's hot loop. */
__attribute__((aligned(1024))) long vm_run(long n);
static long f_a(long x);
static long f_b(long x);
__attribute__((aligned(1024))) long vm_run(long n)
{
	long acc = 0;

	for (long i = 0; i < n; i++)
		acc = f_b(f_a(acc + i));
	return acc;
}
static __attribute__((noinline)) long f_a(long x)
{
	for (int r = 0; r < $2; r++)
		x = x * 3 + 1;
	return x;
}
EOF
	if [ "$1" = 1 ]; then
		printf '__asm__(".text\\n.globl vm_cold\\n.type vm_cold,@function\\nvm_cold:\\n ret\\n.balign 1024\\n.size vm_cold, .-vm_cold\\n");\n'
	fi
	cat <<'EOF'
static __attribute__((noinline)) long f_b(long x)
{
	return x ^ (x >> 7);
}
EOF
}
vm_c 0 1 > src/vm.c
echo "vm" > README
git add -A && git commit -q -m base && git tag base
for i in 1 2 3 4 5 6 7; do
	case $i in
	4) vm_c 1 1 > src/vm.c ;;
	6) vm_c 1 2 > src/vm.c ;;
	*) echo "note $i" >> README ;;
	esac
	git add -A && git commit -q -m "commit $i"
done
