/* cmd_nightly.c: `placebisect nightly` (delivered by issue #8). */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_nightly(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("nightly");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	free(pos);
	if (ret)
		return ret < 0 ? -1 : 0;
	return cli_not_built("nightly", 8);
}
