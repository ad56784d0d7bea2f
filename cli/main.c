/* main.c: the command table, global options, dispatch, and the single place errors are printed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

static const struct cli_command commands[] = {
	{ "bisect", cmd_bisect, "find the commit that made a benchmark slower, and why",
	  "--good REV --bad REV --bench NAME [options]",
	  "Builds revisions in a private worktree, measures them with a sequential test, and\n"
	  "bisects to the first bad commit. The user's tree, index and refs are never touched.\n"
	  "An interrupted bisect resumes when run again; first parents are followed. (--resume and\n"
	  "--first-parent are accepted for compatibility and change nothing.)",
	  "  placebisect bisect --good v1.0 --bad v1.1 --bench call_method\n"
	  "  placebisect --good v1.0 --bad v1.1 --bench call_method    # the same, as a one-liner\n"
	  "  placebisect bisect --good v1.0 --bad v1.1 --bench call_method --report r/REPORT.md -o r.json\n"
	  "  placebisect bisect --good v1.0 --bad v1.1 --bench call_method --backend cachegrind --metric instructions\n",
	  NULL },
	{ "check", cmd_check, "a `git bisect run` predicate: exit 0 good, 1 bad, 125 cannot measure",
	  "[--rev REV] --bench NAME --baseline FILE [options]", NULL,
	  "  placebisect bisect --good v1.0 --bad v1.1 --bench call_method -o baseline.json\n"
	  "  git bisect start v1.1 v1.0\n"
	  "  git bisect run placebisect check --bench call_method --baseline \"$PWD/baseline.json\"\n"
	  "  placebisect check --rev 4f9c260 --bench call_method --baseline baseline.json   # one commit\n",
	  NULL },
	{ "measure", cmd_measure, "run a benchmark and record its times and counters",
	  "[--rev REV] --bench NAME [options] | measure [options] -- CMD [ARGS...]", NULL,
	  "  placebisect measure --bench call_method -o a.json          # in your tree, as built\n"
	  "  placebisect measure --rev v1.0 --bench call_method -o a.json   # built in the private worktree\n"
	  "  placebisect measure --runs 20 --warmups 2 -- ./demo call_method\n"
	  "  placebisect measure --backend cachegrind --metric instructions -- ./demo call_method\n",
	  NULL },
	{ "compare", cmd_compare, "is B different from A? effect, CI, p-value, counter deltas",
	  "A.json B.json [options] | compare --rev A --rev B --bench NAME [options]", NULL,
	  "  placebisect compare a.json b.json\n"
	  "  placebisect compare a.json b.json --fail-on-regression     # exit 1 when B is slower\n"
	  "  placebisect compare --rev v1.0 --rev v1.1 --bench call_method  # both measured now, interleaved\n",
	  NULL },
	{ "profile", cmd_profile, "hot functions by sampling, folded stacks, a flame graph",
	  "[--rev REV] --bench NAME [options] | profile [options] -- CMD [ARGS...]",
	  "Runs the benchmark once, sampling it with perf_event (hardware cycles, else the software\n"
	  "cpu-clock event, which needs no PMU) and frame-pointer call stacks; functions are named\n"
	  "from the symbol tables of the executable and its libraries. --backend cachegrind counts\n"
	  "instructions and I1 misses per function exactly instead (no stacks).",
	  "  placebisect profile -- ./demo call_method\n"
	  "  placebisect profile --bench call_method --folded s.txt --svg flame.svg -o prof.json\n"
	  "  placebisect profile --rev v1.1 --bench call_method -o bad.json\n"
	  "  placebisect profile --backend cachegrind -- ./demo call_method\n",
	  NULL },
	{ "layout", cmd_layout, "where functions landed in a binary; what moved between two builds",
	  "BINARY [options] | layout diff GOOD BAD [options] | layout verify --good REV --bad REV --bench NAME",
	  "layout BINARY: each function's placement and the hot set's L1i footprint.\n"
	  "layout diff: what moved or changed between two builds (capstone-normalized code).\n"
	  "layout verify: rebuild both revisions with build.layout_variants and measure them (the\n"
	  "placement check; its options: --good --bad --bench --backend --metric --cpus --alpha --min-effect).",
	  "  placebisect layout ./demo --hot dispatch,lookup,frame_push\n"
	  "  placebisect layout ./demo --profile prof.json\n"
	  "  placebisect layout diff good/demo bad/demo --hot dispatch,lookup\n"
	  "  placebisect layout verify --good v1.0 --bad v1.1 --bench call_method\n",
	  NULL },
	{ "annotate", cmd_annotate, "hot code with per-instruction heat, cache lines, L1i sets, loops",
	  "[--rev REV] --bench NAME [options] | annotate [options] -- CMD [ARGS...] | annotate BINARY "
	  "--callgrind FILE | annotate --diff GOOD BAD",
	  "Runs the program once under callgrind (valgrind's cache simulator, costs per instruction)\n"
	  "and lists the hot functions' code: Ir and I1 misses per instruction, source lines (DWARF),\n"
	  "64 B line and 32 B window boundaries, each line's L1i set, JCC-erratum sites, branch\n"
	  "targets, and the natural loops with their share of the run. --diff aligns two builds'\n"
	  "code side by side.",
	  "  placebisect annotate -- ./prog 1000000\n"
	  "  placebisect annotate --rev v1.1 --bench call_method\n"
	  "  placebisect annotate ./prog --callgrind callgrind.out\n"
	  "  placebisect annotate --diff --good e0d12e3^ --bad e0d12e3 --bench call_method_small\n",
	  NULL },
	{ "loops", cmd_loops, "time per loop: the hot functions' natural loops and their share",
	  "[--rev REV] --bench NAME [options] | loops [options] -- CMD [ARGS...] | loops BINARY "
	  "--callgrind FILE", NULL,
	  "  placebisect loops -- ./nest 2000 50\n"
	  "  placebisect loops --rev v1.1 --bench call_method\n",
	  NULL },
	{ "order", cmd_order, "a function order from a call graph (C3), for gold, lld or GNU ld",
	  "--callgrind FILE [options] | order [options] -- CMD [ARGS...]",
	  "Clusters callers with their callees (call-chain clustering, C3, as HHVM's hfsort and\n"
	  "BOLT) from callgrind's call counts and instruction costs, densest cluster first, and\n"
	  "writes the order for a linker (stdout, or -o FILE; --json: the order with costs).",
	  "  placebisect order --binary ./prog -o prog.order -- ./prog 1000\n"
	  "  gcc -O2 -ffunction-sections -fuse-ld=gold -Wl,--section-ordering-file,prog.order ...\n"
	  "  placebisect order --format lld --binary ./prog -o prog.syms -- ./prog 1000\n"
	  "  gcc -O2 -ffunction-sections -fuse-ld=lld -Wl,--symbol-ordering-file,prog.syms ...\n"
	  "  placebisect order --format ld --callgrind callgrind.out.123 -o hot.ld\n"
	  "  gcc -O2 -ffunction-sections -Wl,-T,hot.ld ...      # GNU ld: one section before .text\n",
	  NULL },
	{ "fix", cmd_fix, "rebuild the culprit with a function order and measure what it recovers",
	  "--good REV --bad REV --bench NAME [options]",
	  "Runs the culprit's benchmark under callgrind, orders its functions by call-chain\n"
	  "clustering (C3, see 'order'), rebuilds culprit and parent with build.fix (the ordering\n"
	  "file as {order}; own build cache), measures parent, culprit, culprit+fix and parent+fix\n"
	  "in blocks (order randomized in each) and says how much of the regression the fix\n"
	  "recovers, with the new layout's footprint. Needs build.fix in the config, e.g.\n"
	  "  \"fix\": {\"format\": \"gold\", \"env\": {\"CFLAGS\": \"-O2 -ffunction-sections\",\n"
	  "          \"LDFLAGS\": \"-fuse-ld=gold -Wl,--section-ordering-file,{order}\"}}\n"
	  "  (lld: \"-fuse-ld=lld -Wl,--symbol-ordering-file,{order}\"; GNU ld: format ld,\n"
	  "  \"-Wl,-T,{order}\", which also works beside a project's own linker script).",
	  "  placebisect fix --good e0d12e3^ --bad e0d12e3 --bench call_method_small --backend cachegrind\n"
	  "  placebisect fix --good v1.0 --bad v1.1 --bench call_method --json -o fix.json\n",
	  NULL },
	{ "layouts", cmd_layouts, "the culprit's effect across N random layouts of the same code",
	  "--good REV --bad REV --bench NAME [--layouts N] [--seed S] [options]",
	  "Builds parent (--good) and culprit (--bad) under N seeded random layouts through\n"
	  "build.fix: a shuffled function order as {order}, -falign-functions=1/16/64 as {cflags}\n"
	  "when the recipe uses it, an environment size (measure.env_pad) and ASLR off or on; each\n"
	  "layout has its own build cache. Each layout's parent and culprit are measured interleaved\n"
	  "and compared: \"slower in k of N layouts, median +x%, range a..b\". An effect present\n"
	  "in every layout with the same sign is the code's (code-change); one that vanishes or\n"
	  "flips is where the code landed (code-placement). The layouts have seeds S, S + 1, ...:\n"
	  "--seed K --layouts 1 rebuilds the one of seed K.",
	  "  placebisect layouts --good e0d12e3^ --bad e0d12e3 --bench call_method_small --backend cachegrind\n"
	  "  placebisect layouts --good v1.0 --bad v1.1 --bench call_method --layouts 8 --json -o layouts.json\n",
	  NULL },
	{ "report", cmd_report, "a markdown report (with SVG plots) from any result file",
	  "RESULT.json -o FILE.md [options]",
	  "Renders from the file alone: no repository or configuration is read.",
	  "  placebisect report r.json -o r/REPORT.md                    # a bisect's report\n"
	  "  placebisect report a.json -o a.md                           # a measurement's\n",
	  "json repo config" },
	{ "nightly", cmd_nightly, "CI job: measure, keep history, detect, bisect, report",
	  "--bench NAME --history DIR [options]",
	  "Measures HEAD (or --rev) into the history, compares it with its baseline (two-sample\n"
	  "verdict) and runs E-Divisive over the series; a new regression is bisected and exits 1,\n"
	  "once; later runs list it as open until the level recovers.",
	  "  placebisect nightly --bench call_method --history perf-history -o nightly.json\n"
	  "  placebisect nightly --bench call_method --history perf-history --summary \"$GITHUB_STEP_SUMMARY\"\n"
	  "  placebisect nightly --bench call_method --history perf-history --backfill v1.0..HEAD --every 5\n",
	  NULL },
	{ "history", cmd_history, "a nightly history: its series, change points and plot, or a static site",
	  "show --bench NAME --history DIR [--svg FILE] [--html SITE_DIR] [options]\n"
	  "       placebisect history show --history DIR --html SITE_DIR", NULL,
	  "  placebisect history show --bench call_method --history perf-history\n"
	  "  placebisect history show --bench call_method --history perf-history --svg series.svg\n"
	  "  placebisect history show --history perf-history --html site\n",
	  NULL },
	{ "system", cmd_system, "is this machine fit to measure? show, tune or reset it",
	  "show|tune|reset [options]",
	  "show (the default): what affects measurements here (hardware counters, perf_event_paranoid,\n"
	  "  the frequency governor, boost, SMT, ASLR, isolated CPUs, caches) and advice for each.\n"
	  "tune: the knobs a program can set: the governor to performance on every CPU, boost off,\n"
	  "  perf_event_max_sample_rate at the kernel default; each previous value is saved to the\n"
	  "  --state file first. Needs root.\n"
	  "reset: write back the values tune saved, then remove the state file. Needs root.",
	  "  placebisect system show\n"
	  "  sudo placebisect system tune\n"
	  "  sudo placebisect system reset\n",
	  "repo config" },
	{ "config", cmd_config, "load, validate and print the effective configuration",
	  "[--config FILE] [--json]",
	  "Prints the configuration placebisect would use, defaults filled in. A config error\n"
	  "names the file and line:column (syntax) or the key path (content), and exits 2.",
	  "  placebisect config\n"
	  "  placebisect config --config ci/placebisect.json --json\n",
	  NULL },
	/* Hidden: what the Slurm executor's jobs run on their node. */
	{ "worker", cmd_worker, "do one Slurm job's build or runs (internal)", "REQUEST.json",
	  "Reads a request file the Slurm executor wrote (a build, or a batch of runs), does it on\n"
	  "this node and writes the result file the request names, atomically.",
	  "  placebisect worker /shared/pb/0123456789abcdef/requests/build-....json\n",
	  "json repo config" },
};

const struct cli_command *cli_command(const char *name)
{
	size_t i;

	for (i = 0; i < PB_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: placebisect COMMAND [options]\n"
		   "       placebisect --good REV --bad REV --bench NAME   (= bisect)\n\n"
		   "Commands:\n");
	for (i = 0; i < PB_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, "worker") != 0) /* internal: not listed */
			fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nCommands take -h/--help, --json, -o FILE, -q, --repo DIR, --config FILE where they\n"
		   "apply ('placebisect COMMAND --help' lists them); all but -h may also come before the\n"
		   "command name.\n"
		   "Exit codes: 0 done, 1 regression, 2 usage/config/input error, 3 environment unusable,\n"
		   "4 inconclusive, 125 cannot measure (check), 130 interrupted.\n"
		   "\nExamples:\n"
		   "  placebisect config                                  # check placebisect.json first\n"
		   "  placebisect --good v1.0 --bad v1.1 --bench call_method --report r/REPORT.md\n"
		   "  placebisect measure --bench call_method -o a.json\n"
		   "  placebisect bisect --help\n");
}

/*
 * The one place warnings and notes reach the user: -q silences both (errors still print), and a
 * message already printed by this command is not printed again (library code that runs once per
 * step, such as the runner's set-up, may repeat the same warning many times in a bisect).
 */
static void log_sink(enum pb_log_level level, const char *msg, void *arg)
{
	static char **seen;
	static size_t n_seen, cap_seen;
	size_t i;

	(void)arg;
	if (cli.quiet)
		return;
	for (i = 0; i < n_seen; i++)
		if (strcmp(seen[i], msg) == 0)
			return;
	pb_xgrow((void **)&seen, &cap_seen, n_seen + 1, sizeof(*seen));
	seen[n_seen++] = pb_xstrdup(msg);
	fprintf(stderr, "placebisect: %s%s\n", level == PB_LOG_WARN ? "warning: " : "", msg);
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	const char *names[PB_ARRAY_SIZE(commands)], *near;
	char **args;
	size_t i;
	int ret, at;

	/* A closed pipe on stdout (placebisect ... | head) is an error on write, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	pb_log_set_sink(log_sink, NULL);

	if (argc < 2) {
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0 && (cmd = cli_command(argv[2]))) {
			char *h[] = { argv[2], "--help", NULL };
			return cmd->fn(2, h);
		}
		usage(stdout);
		return PB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("placebisect %s\n", PB_VERSION);
		return PB_EXIT_OK;
	}
	/* Common options may come first: placebisect --config F bisect ... */
	at = cli_common_prefix(argc, argv);
	if (at < argc && argv[at][0] == '-' && at + 1 < argc && cli_command(argv[at + 1])) {
		fprintf(stderr, "placebisect: unknown option '%s' before the command '%s': only --config, "
			"--repo, -q, --json and -o may come first; put the others after '%s'. See "
			"'placebisect %s --help'.\n", argv[at], argv[at + 1], argv[at + 1], argv[at + 1]);
		return PB_EXIT_USAGE;
	}
	/* The one-liner: placebisect --good A --bad B --bench NAME is bisect. */
	if (at >= argc || argv[at][0] == '-') {
		ret = cmd_bisect(argc, argv);
		goto done;
	}
	cmd = cli_command(argv[at]);
	if (!cmd) {
		for (i = 0; i < PB_ARRAY_SIZE(commands); i++)
			names[i] = commands[i].name;
		near = pb_closest(argv[at], names, PB_ARRAY_SIZE(commands));
		fprintf(stderr, "placebisect: '%s' is not a command.", argv[at]);
		if (near)
			fprintf(stderr, " Did you mean '%s'?", near);
		fprintf(stderr, " See 'placebisect --help'.\n");
		return PB_EXIT_USAGE;
	}
	/* The command sees its name first, then the common options given before it, then the rest. */
	args = pb_xcalloc((size_t)argc + 1, sizeof(*args));
	args[0] = argv[at];
	for (i = 1; i < (size_t)at; i++)
		args[i] = argv[i];
	for (i = (size_t)at + 1; i < (size_t)argc; i++)
		args[i - 1] = argv[i];
	ret = cmd->fn(argc - 1, args);
	free(args);
done:
	/* Commands return an exit code, or -1 with the error recorded: printed here, once. */
	if (ret < 0) {
		fprintf(stderr, "placebisect: error: %s\n", pb_error_message());
		ret = pb_error_exit_code();
	}
	if (fflush(stdout) != 0 && ret == 0) {
		fprintf(stderr, "placebisect: error: cannot write the output\n");
		ret = PB_EXIT_ENV;
	}
	return ret;
}
