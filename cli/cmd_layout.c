/* cmd_layout.c: `placebisect layout BINARY` and `layout diff GOOD BAD`: options, then layout/ does the work. */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/log.h"
#include "layout/diff.h"
#include "layout/layout.h"
#include "layout/objects.h"
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

/*
 * The object to read for `path`: itself, or (--object NAME, a launcher script, or --hot names
 * defined in one of its libraries) the library that holds the hot code (layout/objects.h). A
 * script's ("#!") build is searched from the directory above its own (prefix/bin/launcher →
 * prefix).
 */
static int choose_object(const char *path, const char *object, const char *const *hot, size_t n_hot,
			 char **out)
{
	char *copy = pb_xstrdup(path), *dir = dirname(copy), *up = pb_xasprintf("%s/..", dir);
	struct pb_objects_query q = { .binary = path, .hot = hot, .n_hot = n_hot, .object = object,
				      .ld_library_path = getenv("LD_LIBRARY_PATH") };
	size_t n_found;
	struct stat st;
	/* Only a regular file is peeked at: a FIFO or device gets the ELF reader's message. */
	int fd = stat(path, &st) == 0 && S_ISREG(st.st_mode) ?
			 open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1, ret;
	unsigned char magic[4] = { 0 };

	if (fd >= 0) {
		if (read(fd, magic, 4) != 4)
			magic[0] = 0;
		close(fd);
	}
	/* A launcher script ("#!"): its build is searched. Anything else not ELF gets the ELF
	 * reader's own message below. */
	if (magic[0] == '#' && magic[1] == '!')
		q.dir = up;
	if (!object && q.dir == NULL && (n_hot == 0 || memcmp(magic, "\177ELF", 4) != 0)) {
		*out = pb_xstrdup(path);
		ret = 0;
	} else {
		ret = pb_objects_locate(&q, out, &n_found);
	}
	if (ret == 0 && strcmp(*out, path) != 0)
		pb_note("layout: %s: reading %s", path, *out);
	free(up);
	free(copy);
	return ret;
}

int cmd_layout(int argc, char **argv)
{
	const struct cli_command *cmd = cli_command("layout");
	struct cli_list hot = { NULL, 0, 0 };
	const char *profile = NULL, *l1i = NULL, *object = NULL;
	const struct cli_opt opts[] = {
		{ "hot", 0, CLI_LIST, &hot, "A,B,...",
		  "the hot functions (repeatable; default: --profile, else .text.hot, else all)", 0, 0 },
		{ "profile", 0, CLI_STRING, &profile, "FILE",
		  "hot functions from a profile (placebisect.profile/1): those covering 90% of samples",
		  0, 0 },
		{ "l1i", 0, CLI_STRING, &l1i, "SIZE,WAYS,LINE",
		  "L1 instruction cache geometry (default: this host's, else " PB_L1I_DEFAULT_SPEC ")",
		  0, 0 },
		{ "object", 0, CLI_STRING, &object, "NAME",
		  "read this shared library of the program (its file name, e.g. libpython3.11.so; "
		  "default: the object defining the --hot functions, else BINARY)", 0, 0 },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0 },
	};
	char *obj_a = NULL, *obj_b = NULL, *base = NULL;
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
		pb_jsonw_set_sink(&w, cli_stdout_sink, NULL);
	if (diff) {
		/* The bad build's object chooses; the good build's is the one of the same name. */
		if (choose_object(pos[2], object, o.hot, o.n_hot, &obj_b))
			goto out;
		base = pb_xstrdup(strrchr(obj_b, '/') ? strrchr(obj_b, '/') + 1 : obj_b);
		if (choose_object(pos[1], strcmp(obj_b, pos[2]) ? base : NULL, o.hot, o.n_hot, &obj_a) ||
		    pb_layout_diff_new(&d, obj_a, obj_b, &o))
			goto out;
		if (cli.json || cli.output)
			pb_layout_diff_write_json(d, &w);
		if (!cli.json)
			pb_layout_diff_write_text(d, &table);
	} else {
		if (choose_object(pos[0], object, o.hot, o.n_hot, &obj_a) ||
		    pb_layout_open(&l, obj_a, &o, true))
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
	free(obj_a);
	free(obj_b);
	free(base);
	pb_layout_names_free(names, n_names);
	pb_buf_release(&doc);
	pb_buf_release(&table);
	cli_list_release(&hot);
	free(pos);
	return ret;
}
