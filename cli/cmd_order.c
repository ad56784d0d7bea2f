/* cmd_order.c: `placebisect order`: a function order from a call graph, written for a linker. */
#include <stdlib.h>
#include <string.h>

#include "bisect/state.h"
#include "cli/cli.h"
#include "core/atomic.h"
#include "core/util.h"
#include "layout/callgraph.h"
#include "layout/elf.h"
#include "layout/order.h"
#include "profile/callgrind.h"

int cmd_order(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("order");
	const char *callgrind = NULL, *binary = NULL, *format = "gold";
	long max_cluster = PB_ORDER_MAX_CLUSTER;
	const struct cli_opt opts[] = {
		{ "callgrind", 0, CLI_STRING, &callgrind, "FILE",
		  "read the call graph from this callgrind output file (instead of running -- CMD)", 0, 0 },
		{ "binary", 0, CLI_STRING, &binary, "BIN",
		  "the binary to order: its functions only, with their sizes (default: the object of "
		  "main in the call graph, 64 bytes a function)", 0, 0 },
		{ "format", 0, CLI_STRING, &format, "F",
		  "gold (--section-ordering-file), lld (--symbol-ordering-file), ld (a linker-script "
		  "fragment for -T) or hot (functions to mark __attribute__((hot))); default gold", 0, 0 },
		{ "max-cluster", 0, CLI_INT, &max_cluster, "BYTES",
		  "largest cluster of callers and callees (default 4096, a page)", 64, 1 << 30 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_callgraph g;
	struct pb_order ord = { 0 };
	struct pb_order_opts oo = { 0 };
	struct pb_elf *elf = NULL;
	struct pb_buf text = PB_BUF_INIT, doc = PB_BUF_INIT;
	struct pb_jsonw w;
	enum pb_order_format fmt;
	char **pos = NULL, *tmp = NULL;
	int dashdash = -1, ret, rc;

	pb_callgraph_init(&g);
	ret = cli_parse(cmd, opts, argc, argv, &pos, &dashdash);
	if (ret) {
		ret = ret < 0 ? -1 : 0;
		goto out;
	}
	ret = -1;
	if (pb_order_format_parse(format, "--format", &fmt))
		goto out;
	if ((callgrind != NULL) == (dashdash >= 0 && pos[dashdash])) {
		pb_error("order: give the call graph as --callgrind FILE or a command after -- (one of "
			 "them; see 'placebisect order --help')");
		goto out;
	}
	if (dashdash != 0 && pos[0]) {
		pb_error("order: unexpected argument '%s' (a command to run goes after --)", pos[0]);
		goto out;
	}
	if (binary && pb_elf_open(&elf, binary))
		goto out;
	if (callgrind) {
		if (pb_callgrind_read_graph(&g, callgrind))
			goto out;
	} else {
		struct pb_callgrind_opts co = { .argv = (const char *const *)pos + dashdash,
						.stop = &cli_stop };

		/* In a repository, callgrind's directory goes to its state directory's tmp/. */
		tmp = pb_state_tmp_of(cli.repo ? cli.repo : ".");
		co.outdir = tmp;
		cli_note("order: running %s under callgrind", pos[dashdash]);
		cli_signals_catch();
		rc = pb_callgrind_run(&co, &g);
		cli_signals_restore();
		if (rc)
			goto out;
	}
	oo.object = binary;
	oo.elf = elf;
	oo.max_cluster = (uint64_t)max_cluster;
	if (pb_order_c3(&g, &oo, &ord))
		goto out;
	pb_order_write(&ord, fmt, &text);
	cli_note("order: %zu %s of %s in %zu %s (call-chain clustering), as %s", ord.n,
		 pb_plural(ord.n, "function", "functions"), ord.object, ord.n_clusters,
		 pb_plural(ord.n_clusters, "cluster", "clusters"), pb_order_format_name(fmt));
	if (cli.json) {
		pb_jsonw_init(&w, &doc, false);
		pb_order_write_json(&ord, &w);
		pb_jsonw_finish(&w);
		fwrite(doc.data, 1, doc.len, stdout);
	} else if (!cli.output) {
		fwrite(text.data, 1, text.len, stdout);
	}
	if (cli.output && pb_atomic_write(cli.output, text.data, text.len))
		goto out;
	ret = 0;
out:
	pb_order_release(&ord);
	pb_elf_free(elf);
	pb_callgraph_release(&g);
	pb_buf_release(&text);
	pb_buf_release(&doc);
	free(pos);
	free(tmp);
	return ret;
}
