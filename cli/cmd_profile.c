/* cmd_profile.c: `placebisect profile` (delivered by issue #7). */
#include <stdlib.h>

#include "cli/cli.h"

int cmd_profile(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("profile");
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	free(pos);
	if (ret)
		return ret < 0 ? -1 : 0;
	return cli_not_built("profile", 7);
}
