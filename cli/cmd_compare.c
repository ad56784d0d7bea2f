/* cmd_compare.c: `placebisect compare A.json B.json`: read two measurements, compare, print or write the result. */
#include <math.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "measure/compare.h"
#include "measure/result.h"

/* DESIGN.md's defaults when no configuration says otherwise (core/config.c fills the same). */
#define DEFAULT_ALPHA 0.01
#define DEFAULT_MIN_EFFECT 0.02

int cmd_compare(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("compare");
	double alpha = NAN, min_effect = NAN;
	bool fail_on_regression = false;
	const struct cli_opt opts[] = {
		{ "alpha", 0, CLI_DOUBLE, &alpha, "X", "significance level (default: stats.alpha from the config, else 0.01)", 0, 0.5 },
		{ "min-effect", 0, CLI_DOUBLE, &min_effect, "X", "smallest relative change that matters, 0.02 = 2% (default: stats.min_effect, else 0.02)", 0, 0.99 },
		{ "fail-on-regression", 0, CLI_FLAG, &fail_on_regression, NULL, "exit 1 when B is slower than A", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_measurement a, b;
	struct pb_compare c = { 0 };
	struct pb_config cfg;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	char **pos = NULL;
	size_t npos = 0;
	int ret;

	pb_measurement_init(&a);
	pb_measurement_init(&b);
	pb_config_init(&cfg);
	ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);
	if (ret) {
		ret = ret < 0 ? -1 : 0;
		goto out;
	}
	while (pos[npos])
		npos++;
	if (npos != 2) {
		ret = pb_error("compare: expected two measurement files (A.json B.json), got %zu "
			       "(see 'placebisect compare --help')", npos);
		goto out;
	}
	if (alpha == 0) {
		ret = pb_error("compare: --alpha must be above 0");
		goto out;
	}
	if (isnan(alpha) || isnan(min_effect)) {
		if (cli_load_config(&cfg, false, NULL)) {
			ret = -1;
			goto out;
		}
		if (isnan(alpha))
			alpha = cfg.stats.alpha > 0 ? cfg.stats.alpha : DEFAULT_ALPHA;
		if (isnan(min_effect))
			min_effect = cfg.stats.min_effect >= 0 ? cfg.stats.min_effect : DEFAULT_MIN_EFFECT;
	}
	ret = -1;
	if (pb_measurement_read(&a, pos[0]) || pb_measurement_read(&b, pos[1]))
		goto out;
	if (pb_compare_measurements(&c, &a, pos[0], &b, pos[1], alpha, min_effect))
		goto out;
	pb_jsonw_init(&w, &doc, false);
	pb_compare_write(&c, &w);
	pb_jsonw_finish(&w);
	pb_compare_format(&c, &table);
	if (cli_emit(&doc, &table))
		goto out;
	ret = fail_on_regression && c.stats.verdict == PB_VERDICT_SLOWER ? PB_EXIT_REGRESSION
									  : PB_EXIT_OK;
out:
	pb_compare_release(&c);
	pb_measurement_release(&a);
	pb_measurement_release(&b);
	pb_config_release(&cfg);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	free(pos);
	return ret;
}
