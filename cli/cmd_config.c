/* cmd_config.c: `placebisect config`: load, validate and print the effective configuration. */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_config(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("config");
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_config cfg;
	struct pb_jsonw w;
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (pos[0])
		ret = pb_error("config: unexpected argument '%s' (use --config FILE)", pos[0]);
	free(pos);
	if (ret)
		return ret;
	pb_config_init(&cfg);
	ret = cli_load_config(&cfg, true, NULL);
	if (ret == 0) {
		/* The config is JSON either way; --json only changes where notes go. */
		pb_jsonw_init(&w, &doc, false);
		/* Only stdout: straight out in 1 MiB runs (a 100 MB config is not held twice). */
		if (!cli.output)
			pb_jsonw_set_sink(&w, cli_stdout_sink, NULL);
		pb_config_write_json(&cfg, &w);
		pb_jsonw_finish(&w);
		cli_note("%s is valid", cfg.path);
		cli.json = true;
		ret = cli_emit(&doc, NULL);
	}
	pb_buf_release(&doc);
	pb_config_release(&cfg);
	return ret;
}
