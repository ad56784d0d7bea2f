/* cmd_layout.c: `placebisect layout BINARY` and `layout diff GOOD BAD`: options, then layout/ does the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "layout/diff.h"
#include "layout/layout.h"
#include "layout/placement.h"

/* Split every --hot value on commas into names (owned by *names). */
static int split_hot(const struct cli_list *hot, char ***names, size_t *n)
{
	size_t i, cap = 0;
	const char *p, *comma;

	*names = NULL;
	*n = 0;
	for (i = 0; i < hot->n; i++) {
		for (p = hot->items[i];; p = comma + 1) {
			comma = strchr(p, ',');
			if ((comma ? (size_t)(comma - p) : strlen(p)) == 0) {
				pb_layout_names_free(*names, *n);
				*names = NULL;
				*n = 0;
				return pb_error("layout: --hot '%s': empty function name; expected NAME[,NAME...]",
						hot->items[i]);
			}
			pb_xgrow((void **)names, &cap, *n + 1, sizeof(**names));
			(*names)[(*n)++] = comma ? pb_xstrndup(p, (size_t)(comma - p)) : pb_xstrdup(p);
			if (!comma)
				break;
		}
	}
	return 0;
}

static void to_stdout(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	fwrite(data, 1, len, stdout);
}

int cmd_layout(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("layout");
	struct cli_list hot = { NULL, 0, 0 };
	const char *profile = NULL, *l1i = NULL;
	const struct cli_opt opts[] = {
		{ "hot", 0, CLI_LIST, &hot, "A,B,...",
		  "the hot functions (repeatable; default: --profile, else .text.hot, else all)", 0, 0 },
		{ "profile", 0, CLI_STRING, &profile, "FILE",
		  "hot functions from a profile (placebisect.profile/1): those covering 90% of samples",
		  0, 0 },
		{ "l1i", 0, CLI_STRING, &l1i, "SIZE,WAYS,LINE",
		  "L1 instruction cache geometry (default: this host's, else " PB_L1I_DEFAULT_SPEC ")",
		  0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_layout_opts o;
	struct pb_layout *l = NULL;
	struct pb_layout_diff *d = NULL;
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_jsonw w;
	char **pos = NULL, **names = NULL;
	size_t npos = 0, n_names = 0;
	bool diff;
	int ret;

	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return cmd_layout_verify(argc - 1, argv + 1);
	ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);
	if (ret) {
		ret = ret < 0 ? -1 : 0;
		goto out;
	}
	ret = -1;
	while (pos[npos])
		npos++;
	diff = npos == 3 && strcmp(pos[0], "diff") == 0;
	if (!diff && npos != 1) {
		pb_error("layout: expected BINARY or 'diff GOOD BAD' (see 'placebisect layout --help')");
		goto out;
	}
	if (hot.n && profile) {
		pb_error("layout: --hot and --profile both name the hot functions; give one of them");
		goto out;
	}
	memset(&o, 0, sizeof(o));
	if (l1i ? pb_l1i_parse(&o.l1i, l1i, "--l1i") : (pb_l1i_host(&o.l1i, NULL), 0))
		goto out;
	if (split_hot(&hot, &names, &n_names))
		goto out;
	o.hot = (const char *const *)names;
	o.n_hot = n_names;
	o.profile = profile;
	pb_jsonw_init(&w, &doc, false);
	/* Only stdout: straight out in 1 MiB runs, not held whole (-o FILE is written atomically). */
	if (cli.json && !cli.output)
		pb_jsonw_set_sink(&w, to_stdout, NULL);
	if (diff) {
		if (pb_layout_diff_new(&d, pos[1], pos[2], &o))
			goto out;
		if (cli.json || cli.output)
			pb_layout_diff_write_json(d, &w);
		if (!cli.json)
			pb_layout_diff_write_text(d, &table);
	} else {
		if (pb_layout_open(&l, pos[0], &o, true))
			goto out;
		if (cli.json || cli.output)
			pb_layout_write_json(l, &w);
		if (!cli.json)
			pb_layout_write_text(l, &table);
	}
	if (cli_emit(cli.json || cli.output ? &doc : NULL, &table))
		goto out;
	ret = 0;
out:
	pb_layout_free(l);
	pb_layout_diff_free(d);
	pb_layout_names_free(names, n_names);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	cli_list_release(&hot);
	free(pos);
	return ret;
}
