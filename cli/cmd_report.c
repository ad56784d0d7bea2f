/* cmd_report.c: `placebisect report RESULT.json -o FILE.md`. */
#include <stdlib.h>

#include "cli/cli.h"
#include "report/report.h"

int cmd_report(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("report");
	struct pb_json *doc = NULL;
	char **pos;
	int ret = cli_parse(cmd, NULL, argc, argv, &pos, NULL);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (!pos[0])
		ret = pb_error("report: which result file? (placebisect report RESULT.json -o FILE.md)");
	else if (pos[1])
		ret = pb_error("report: one result file at a time, not also '%s'", pos[1]);
	else if (!cli.output)
		ret = pb_error("report: -o FILE.md is required (the SVG plots go next to it)");
	else if (cli_read_result(&doc, pos[0]) || pb_report_write(doc, pos[0], cli.output))
		ret = -1;
	else if (!cli.quiet)
		fprintf(stderr, "placebisect: wrote %s\n", cli.output);
	pb_json_free(doc);
	free(pos);
	return ret;
}
