/* cmd_system.c: `placebisect system show|tune|reset`: is this machine fit to measure, and make it so. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "measure/system.h"

int cmd_system(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("system");
	const char *state = NULL, *root = NULL;
	const struct cli_opt opts[] = {
		{ "state", 0, CLI_STRING, &state, "FILE",
		  "where tune saves the previous settings and reset reads them (default "
		  PB_SYSTEM_STATE_DEFAULT ")", 0, 0 },
		{ "root", 0, CLI_STRING, &root, "DIR",
		  "read and write /sys and /proc under DIR instead (for testing)", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	struct pb_buf doc = PB_BUF_INIT, table = PB_BUF_INIT;
	struct pb_system sys;
	struct pb_jsonw w;
	char **pos = NULL;
	const char *verb;
	int ret = cli_parse(cmd, opts, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	verb = pos[0] ? pos[0] : "show";
	ret = -1;
	if (pos[0] && pos[1]) {
		pb_error("system: unexpected argument '%s'", pos[1]);
		goto out;
	}
	if (!state)
		state = PB_SYSTEM_STATE_DEFAULT;
	pb_jsonw_init(&w, &doc, false);
	if (strcmp(verb, "show") == 0) {
		pb_system_probe(&sys, root);
		pb_system_write(&sys, &w, NULL);
		pb_system_render(&sys, &table);
		pb_system_release(&sys);
		ret = 0;
	} else if (strcmp(verb, "tune") == 0 || strcmp(verb, "reset") == 0) {
		pb_jsonw_object(&w, NULL);
		pb_jsonw_string(&w, "action", verb);
		pb_jsonw_string(&w, "state", state);
		if (verb[0] == 't')
			ret = pb_system_tune(root, state, &w, "knobs", &table);
		else
			ret = pb_system_reset(root, state, &w, "knobs", &table);
		if (ret)
			goto out;
		pb_jsonw_end(&w);
	} else {
		pb_error("system: unknown action '%s': use show, tune or reset", verb);
		goto out;
	}
	pb_jsonw_finish(&w);
	ret = cli_emit(&doc, &table);
out:
	pb_buf_release(&doc);
	pb_buf_release(&table);
	free(pos);
	return ret;
}
