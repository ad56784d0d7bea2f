/* bench.h: the benchmark programs, built with the assembler and run by the interpreter. */
#ifndef MINIVM_BENCH_H
#define MINIVM_BENCH_H

#include <stdint.h>

struct bench {
	const char *name;
	long default_n; /* iterations when none are given */
	/* run: n iterations; 0 with *checksum set, or -1 with a message on stderr. */
	int (*run)(long n, int64_t *checksum);
};

/* bench_find: the benchmark called name, or NULL. */
const struct bench *bench_find(const char *name);
/* bench_at: the i-th benchmark, or NULL past the end (for listing them). */
const struct bench *bench_at(int i);

#endif
