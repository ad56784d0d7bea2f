/* main.c: minivm BENCHMARK [ITERATIONS] runs a benchmark and prints its checksum. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "names.h"

#define MINIVM_VERSION "1.2"

static void usage(FILE *f)
{
	fprintf(f, "usage: minivm BENCHMARK [ITERATIONS]\n"
		   "       minivm --list | --version\n");
}

int main(int argc, char **argv)
{
	const struct bench *b;
	long n;
	int64_t checksum;
	int ret;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("minivm %s\n", MINIVM_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (int i = 0; bench_at(i); i++)
			printf("%s\n", bench_at(i)->name);
		return 0;
	}
	if (argc < 2 || argc > 3) {
		usage(stderr);
		return 2;
	}
	b = bench_find(argv[1]);
	if (!b) {
		fprintf(stderr, "minivm: unknown benchmark '%s' (minivm --list shows them)\n",
			argv[1]);
		return 2;
	}
	n = b->default_n;
	if (argc == 3) {
		char *end;
		errno = 0;
		n = strtol(argv[2], &end, 10);
		if (errno || *end || end == argv[2] || n < 1) {
			fprintf(stderr, "minivm: bad iteration count '%s'\n", argv[2]);
			return 2;
		}
	}
	ret = b->run(n, &checksum);
	names_free();
	if (ret < 0)
		return 1;
	printf("%s: %ld iterations, checksum %" PRId64 "\n", b->name, n, checksum);
	return 0;
}
