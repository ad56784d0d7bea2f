/* cmd_history.c: `placebisect history show`: a nightly history's series, its change points, its plot, its static site. */
#include <stdlib.h>
#include <string.h>

#include "nightly/history.h"
#include "nightly/nightly.h"
#include "nightly/site.h"
#include "cli/cli.h"
#include "core/atomic.h"

int cmd_history(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("history");
	const char *bench = NULL, *dir = NULL, *machine = NULL, *config = NULL, *svg = NULL, *html = NULL;
	long window = 0;
	double max_pvalue = PB_CP_MAX_PVALUE, min_effect = -1;
	const struct cli_opt opts[] = {
		{ "bench", 0, CLI_STRING, &bench, "NAME", "the benchmark", 0, 0 },
		{ "history", 0, CLI_STRING, &dir, "DIR", "the history directory (of placebisect nightly)", 0, 0 },
		{ "machine", 0, CLI_STRING, &machine, "ID", "the machine (default: that of the benchmark's latest point)", 0, 0 },
		{ "series-config", 0, CLI_STRING, &config, "HASH", "the configuration hash (default: that of the latest point)", 0, 0 },
		{ "svg", 0, CLI_STRING, &svg, "FILE", "write the series as an SVG plot with its change points", 0, 0 },
		{ "html", 0, CLI_STRING, &html, "DIR", "write the whole history as a static site into DIR (index.html, a page per benchmark, the reports); --bench is then optional", 0, 0 },
		{ "window", 0, CLI_INT, &window, "N", "E-Divisive window in points (default 50)", 2, 1e6 },
		{ "max-pvalue", 0, CLI_DOUBLE, &max_pvalue, "P", "E-Divisive significance (default 0.001)", 1e-12, 1 },
		{ "min-effect", 0, CLI_DOUBLE, &min_effect, "F", "smallest relative change shown (default: stats.min_effect)", 0, 0.99 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT, plot = PB_BUF_INIT;
	struct pb_series series;
	struct pb_site_result site = { 0 };
	struct pb_history h;
	struct pb_config cfg;
	struct pb_cp_opts cp;
	struct pb_jsonw w;
	char **pos = NULL;
	int ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (!pos[0] || strcmp(pos[0], "show") != 0)
		ret = pb_error("history: expected 'history show --bench NAME --history DIR'%s%s%s",
			       pos[0] ? ", not '" : "", pos[0] ? pos[0] : "", pos[0] ? "'" : "");
	else if (pos[1])
		ret = pb_error("history show: unexpected argument '%s'", pos[1]);
	else if (!dir || (!bench && !html))
		ret = pb_error("history show: --history DIR and --bench NAME (or --html DIR) are required");
	else if (!bench && (svg || machine || config))
		ret = pb_error("history show: --svg, --machine and --series-config go with --bench NAME");
	free(pos);
	if (ret)
		return ret;
	pb_config_init(&cfg);
	memset(&series, 0, sizeof(series));
	memset(&h, 0, sizeof(h));
	h.lock_fd = -1;
	ret = -1;
	/* Only stats.min_effect is read: a history can be shown without the repository. */
	if (min_effect < 0 && cli_load_config(&cfg, false, NULL))
		goto out;
	cp.window = window > 0 ? (size_t)window : PB_CP_WINDOW;
	cp.max_pvalue = max_pvalue;
	cp.min_magnitude = min_effect >= 0 ? min_effect : cfg.stats.min_effect;
	if (pb_history_open(&h, dir, -1))
		goto out;
	/* The series first: a --bench that is not there writes nothing. */
	if (bench) {
		if (pb_series_load(&series, &h, bench, machine, config, &cp))
			goto out;
		pb_jsonw_init(&w, &doc, false);
		pb_series_write_json(&series, &w);
		pb_jsonw_finish(&w);
		pb_series_format(&series, 0, &table);
		if (svg) {
			pb_series_svg(&series, &plot);
			if (pb_atomic_write(svg, plot.data, plot.len))
				goto out;
		}
	}
	if (html && pb_site_write(&h, html, &cp, &site))
		goto out;
	if (!bench) {
		pb_jsonw_init(&w, &doc, false);
		pb_site_write_json(&site, &w);
		pb_jsonw_finish(&w);
	}
	if (html)
		pb_site_format(&site, &table);
	ret = cli_emit(&doc, &table) ? -1 : 0;
out:
	pb_series_release(&series);
	pb_site_result_release(&site);
	pb_history_close(&h);
	pb_config_release(&cfg);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	pb_buf_release(&plot);
	return ret;
}
