/* cmd_profile.c: `placebisect profile`: run a benchmark once under the sampler (or cachegrind) and print its hot functions. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/repo.h"
#include "bisect/revision.h"
#include "cli/cli.h"
#include "core/atomic.h"
#include "core/log.h"
#include "measure/runner.h"
#include "measure/sampler.h"
#include "profile/profile.h"
#include "profile/flame.h"
#include "profile/speedscope.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	pb_proc_interrupt();
}

/* The folded stacks to FILE, the flame graph drawn from them to SVG, and/or them for speedscope. */
static int write_stacks(const struct pb_profile *p, const char *folded, const char *svg,
			const char *speedscope)
{
	struct pb_buf text = PB_BUF_INIT, pic = PB_BUF_INIT;
	char *title = NULL;
	int ret = -1;

	pb_profile_write_folded(p, &text);
	if (folded && pb_atomic_write(folded, text.data, text.len))
		goto out;
	title = pb_xasprintf("%s: %llu samples of %s", p->benchmark ? p->benchmark :
			     p->command ? p->command : "profile", (unsigned long long)p->samples,
			     p->event);
	if (svg && (pb_flame_svg(&pic, text.data, title) || pb_atomic_write(svg, pic.data, pic.len)))
		goto out;
	if (speedscope) {
		pb_buf_reset(&pic);
		pb_profile_write_speedscope(p, title, &pic);
		if (pb_atomic_write(speedscope, pic.data, pic.len))
			goto out;
	}
	ret = 0;
out:
	free(title);
	pb_buf_release(&text);
	pb_buf_release(&pic);
	return ret;
}

int cmd_profile(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("profile");
	const char *rev = NULL, *bench_name = NULL, *backend = "perf", *folded = NULL, *svg = NULL;
	const char *speedscope = NULL;
	const char *call_graph = NULL;
	char *call_graph_from = NULL;
	long freq = PB_SAMPLER_FREQ_DEFAULT, top = 20, max_depth = 0;
	bool rebuild_failed = false, calls = false;
	const struct cli_opt opts[] = {
		CLI_OPTS_REV_BENCH(&rev, &bench_name, "profile"),
		{ "freq", 0, CLI_INT, &freq, "HZ", "samples per second (default 999)", 1, 100000 },
		{ "top", 0, CLI_INT, &top, "N", "functions in the table (default 20)", 1, 1e9 },
		{ "backend", 0, CLI_STRING, &backend, "B",
		  "perf (sampling: cycles, else cpu-clock; default) or cachegrind (exact Ir and I1 misses per function, no stacks)", 0, 0 },
		{ "folded", 0, CLI_STRING, &folded, "FILE", "write the call stacks, folded (flamegraph.pl, speedscope)", 0, 0 },
		{ "svg", 0, CLI_STRING, &svg, "FILE", "write a flame graph (click to zoom, search)", 0, 0 },
		{ "speedscope", 0, CLI_STRING, &speedscope, "FILE",
		  "write the call stacks as a speedscope file (www.speedscope.app)", 0, 0 },
		{ "call-graph", 0, CLI_STRING, &call_graph, "fp|dwarf[,SIZE]",
		  "how call stacks are taken (default: profile.call_graph in placebisect.json, else fp): fp (frame pointers) or dwarf (copy SIZE bytes of user stack per sample, default 8192, and unwind with DWARF CFI: for binaries built without frame pointers)", 0, 0 },
		{ "max-depth", 0, CLI_INT, &max_depth, "N",
		  "frames kept per stack (default: profile.max_depth, else 127); deeper stacks are cut under a [truncated] frame", 1, PB_SAMPLER_DEPTH_MAX },
		{ "calls", 0, CLI_FLAG, &calls, NULL,
		  "also count each function's calls exactly (one more run, under callgrind)", 0, 0 },
		CLI_OPT_REBUILD_FAILED(&rebuild_failed),
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_profile p;
	struct pb_profile_sampling how;
	struct pb_config cfg;
	struct pb_bench_target target = { .rev = { .st = { NULL, -1 } } };
	struct pb_runner_opts o;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	struct sigaction sa, old_sa, old_term;
	char **pos = NULL;
	char *stack_warning = NULL;
	bool cachegrind;
	int dashdash, ret;

	ret = cli_parse(cmd, opts, argc, argv, &pos, &dashdash);
	if (ret)
		return ret < 0 ? -1 : 0;
	pb_config_init(&cfg);
	pb_profile_init(&p);
	ret = -1;
	if (strcmp(backend, "perf") && strcmp(backend, "cachegrind")) {
		pb_error("profile: --backend '%s': expected perf (sampling) or cachegrind", backend);
		goto out;
	}
	cachegrind = strcmp(backend, "cachegrind") == 0;
	if (cachegrind && (folded || svg || speedscope)) {
		pb_error("profile: --%s: cachegrind records no call stacks; sample with --backend perf "
			 "(the default) for folded stacks and flame graphs",
			 folded ? "folded" : svg ? "svg" : "speedscope");
		goto out;
	}
	if (cachegrind && call_graph && strcmp(call_graph, "fp") != 0) {
		pb_error("profile: --call-graph %s: cachegrind records no call stacks; sample with "
			 "--backend perf (the default)", call_graph);
		goto out;
	}
	if (cli_runner_opts("profile", rev, rebuild_failed, bench_name, pos, dashdash, &cfg, &target, &o))
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_sa);
	sigaction(SIGTERM, &sa, &old_term);
	o.stop = &interrupted;
	/* The flags win over placebisect.json's profile section (whose defaults are fp and 127). */
	if (!call_graph) {
		call_graph = cfg.profile.call_graph;
		call_graph_from = cfg.path ? pb_xasprintf("%s: profile.call_graph", cfg.path) : NULL;
	}
	if (!max_depth)
		max_depth = cfg.profile.max_depth;
	how = (struct pb_profile_sampling){ cachegrind, (unsigned)freq, call_graph, call_graph_from,
					    (unsigned)max_depth };
	ret = pb_profile_run_with(&o, &how, &p);
	if (!ret && calls)
		ret = pb_profile_add_calls(&p, &o);
	sigaction(SIGINT, &old_sa, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ret)
		goto out;
	ret = -1;
	if (p.samples == 0)
		pb_warn("no samples: '%s' ran too briefly for sampling at %ld Hz; profile a longer run "
			"or raise --freq", p.command ? p.command : "the command", freq);
	if (p.lost)
		pb_warn("%llu samples were lost (the kernel dropped them or they did not fit in memory); "
			"the shares are of the %llu that were kept", (unsigned long long)p.lost,
			(unsigned long long)p.samples);
	stack_warning = pb_profile_stack_warning(&p);
	if (stack_warning)
		pb_warn("%s", stack_warning);

	pb_jsonw_init(&w, &doc, false);
	pb_profile_write_json(&p, &w);
	pb_profile_write_text(&p, (size_t)top, &table);
	if ((folded || svg || speedscope) && write_stacks(&p, folded, svg, speedscope))
		goto out;
	if (cli_emit(&doc, &table))
		goto out;
	ret = 0;
out:
	free(stack_warning);
	free(call_graph_from);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	pb_profile_release(&p);
	pb_config_release(&cfg);
	free(pos);
	pb_bench_target_release(&target);
	return ret;
}
