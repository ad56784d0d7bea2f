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

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	pb_proc_interrupt();
}

/* The folded stacks to FILE and/or the flame graph drawn from them to SVG. */
static int write_stacks(const struct pb_profile *p, const char *folded, const char *svg)
{
	struct pb_buf text = PB_BUF_INIT, pic = PB_BUF_INIT;
	char *title = NULL;
	int ret = -1;

	pb_profile_write_folded(p, &text);
	if (folded && pb_atomic_write(folded, text.data, text.len))
		goto out;
	if (svg) {
		title = pb_xasprintf("%s: %llu samples of %s", p->benchmark ? p->benchmark :
				     p->command ? p->command : "profile", (unsigned long long)p->samples,
				     p->event);
		if (pb_flame_svg(&pic, text.data, title) || pb_atomic_write(svg, pic.data, pic.len))
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
	long freq = PB_SAMPLER_FREQ_DEFAULT, top = 20;
	bool rebuild_failed = false;
	const struct cli_opt opts[] = {
		{ "rev", 0, CLI_STRING, &rev, "REV", "build this revision in the private worktree (cached) and profile it there", 0, 0 },
		{ "bench", 0, CLI_STRING, &bench_name, "NAME", "the benchmark of placebisect.json to run", 0, 0 },
		{ "freq", 0, CLI_INT, &freq, "HZ", "samples per second (default 999)", 1, 100000 },
		{ "top", 0, CLI_INT, &top, "N", "functions in the table (default 20)", 1, 1e9 },
		{ "backend", 0, CLI_STRING, &backend, "B",
		  "perf (sampling: cycles, else cpu-clock; default) or cachegrind (exact Ir and I1 misses per function, no stacks)", 0, 0 },
		{ "folded", 0, CLI_STRING, &folded, "FILE", "write the call stacks, folded (flamegraph.pl, speedscope)", 0, 0 },
		{ "svg", 0, CLI_STRING, &svg, "FILE", "write a flame graph", 0, 0 },
		{ "rebuild-failed", 0, CLI_FLAG, &rebuild_failed, NULL, "with --rev: " "build again a commit whose build failed in an earlier run (failures are cached)", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_placeholders ph = { NULL, NULL, NULL, NULL };
	struct pb_revision revision = { .st = { NULL, -1 } };
	struct pb_runner_opts o;
	struct pb_profile p;
	struct pb_config cfg;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_bench *bench;
	struct pb_repo *repo = NULL;
	struct sigaction sa, old_sa;
	char **pos = NULL, *top_dir = NULL, *command = NULL, *binary = NULL;
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
	if (cachegrind && (folded || svg)) {
		pb_error("profile: --%s: cachegrind records no call stacks; sample with --backend perf "
			 "(the default) for folded stacks and flame graphs", folded ? "folded" : "svg");
		goto out;
	}
	if (rev && !bench_name) {
		pb_error("profile: --rev needs --bench NAME (the benchmark to run at that revision)");
		goto out;
	}
	if (pos[0] && dashdash != 0) {
		pb_error("profile: unexpected argument '%s' (a command goes after --)", pos[0]);
		goto out;
	}
	if (dashdash >= 0 && !pos[0]) {
		pb_error("profile: nothing after --: give the command to profile");
		goto out;
	}
	if ((dashdash >= 0) == (bench_name != NULL)) {
		pb_error("profile: what to run? --bench NAME (from placebisect.json) or -- CMD ARGS..., "
			 "one of them");
		goto out;
	}
	if (cli_load_config(&cfg, bench_name != NULL, &top_dir))
		goto out;
	if (bench_name) {
		bench = pb_config_bench(&cfg, bench_name);
		if (!bench)
			goto out;
		pb_runner_opts_from_config(&o, &cfg, bench);
		if (rev) {
			if (pb_repo_open(&repo, cli.repo ? cli.repo : ".") ||
			    pb_revision_prepare(repo, &cfg, rev, rebuild_failed, &revision))
				goto out;
			free(top_dir);
			top_dir = pb_xstrdup(revision.worktree);
			o.commit = revision.commit;
			o.tmp_dir = revision.st.tmp;
			if (revision.binary)
				binary = pb_xstrdup(revision.binary);
		} else if (cfg.build.binary) {
			binary = pb_xasprintf("%s/%s", top_dir ? top_dir : ".", cfg.build.binary);
		}
		ph.binary = binary;
		ph.worktree = top_dir ? top_dir : ".";
		ph.config_dir = cfg.dir;
		ph.prefix = rev ? revision.prefix : NULL;
		command = pb_config_expand(bench->command, &ph);
		o.shell = command;
		o.cwd = top_dir;
	} else {
		pb_runner_opts_init(&o);
		o.argv = (const char *const *)pos;
		o.cpus = cfg.measure.cpus;
		o.env_pad = (long)cfg.measure.env_pad;
		o.cg_I1 = cfg.measure.cg_I1;
		o.cg_D1 = cfg.measure.cg_D1;
		o.cg_LL = cfg.measure.cg_LL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_sa);
	o.stop = &interrupted;
	ret = pb_profile_run(&o, cachegrind, (unsigned)freq, &p);
	sigaction(SIGINT, &old_sa, NULL);
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

	pb_jsonw_init(&w, &doc, false);
	pb_profile_write_json(&p, &w);
	pb_profile_write_text(&p, (size_t)top, &table);
	if ((folded || svg) && write_stacks(&p, folded, svg))
		goto out;
	if (cli_emit(&doc, &table))
		goto out;
	ret = 0;
out:
	pb_buf_release(&doc);
	pb_buf_release(&table);
	pb_profile_release(&p);
	pb_config_release(&cfg);
	free(pos);
	free(top_dir);
	free(command);
	free(binary);
	pb_revision_release(&revision);
	pb_repo_free(repo);
	return ret;
}
