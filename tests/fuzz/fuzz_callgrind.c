/* fuzz_callgrind.c: libFuzzer harness: any bytes as a callgrind.out file (instruction positions), through the parser. */
/*
 * The parser either refuses the file with a message naming it and the line, or adds it to the
 * result; reading the same file twice doubles every total and every call count; the functions'
 * self Ir sums to the instructions' Ir; the call-graph reading (any positions) of a file the
 * strict one accepts is accepted too, with the same call sites. Build and run:
 * scripts/fuzz.sh 60 callgrind (corpus: tests/fuzz/corpus/callgrind).
 */
#include <stdlib.h>
#include <unistd.h>

#include "measure/callgrind.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_callgrind r = { 0 };
	struct pb_callgrind g = { 0 };
	uint64_t ir, i1mr, calls = 0, calls2 = 0, self = 0;
	char path[64];
	int fd = pb_fuzz_file(data, size, path, sizeof(path));
	size_t i;

	if (fd < 0)
		return 0;
	if (pb_callgrind_parse(path, &r) != 0) {
		pb_fuzz_failed_with_message();
		goto out;
	}
	pb_callgrind_finish(&r);
	for (i = 0; i < r.n_fns; i++)
		self += r.fns[i].ir;
	if (self != r.ir)
		abort();
	if (pb_callgrind_parse_calls(path, &g) != 0 || g.n_arcs != r.n_arcs || g.n_fns != r.n_fns)
		abort();
	ir = r.ir;
	i1mr = r.i1mr;
	for (i = 0; i < r.n_calls; i++)
		calls += r.calls[i].count;
	if (pb_callgrind_parse(path, &r) != 0)
		abort();
	pb_callgrind_finish(&r);
	for (i = 0; i < r.n_calls; i++)
		calls2 += r.calls[i].count;
	if (r.ir != 2 * ir || r.i1mr != 2 * i1mr || calls2 != 2 * calls)
		abort();
	/* Costs are sorted and merged: one entry per address. */
	for (i = 0; i < r.n_objs; i++)
		for (size_t k = 1; k < r.objs[i].n_costs; k++)
			if (r.objs[i].costs[k - 1].addr >= r.objs[i].costs[k].addr)
				abort();
out:
	pb_callgrind_release(&g);
	pb_callgrind_release(&r);
	close(fd);
	return 0;
}
