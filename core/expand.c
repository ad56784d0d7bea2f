/* expand.c: the placeholders of a configured command ({binary} {worktree} {config_dir} {prefix})
 * replaced by their values, each shell-quoted for where it stands. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/util.h"

/* Characters a value may hold and still be one shell word, unquoted. */
static bool shell_safe(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr("/._-+,:@%=", *v))
			return false;
	return true;
}

/*
 * `v` as it must be written in the template's quoting context to stay one literal word: outside
 * quotes, single-quoted ('\'' for a quote inside); inside '...', the same without the outer
 * quotes; inside "...", with " \ $ ` escaped.
 */
static void put_quoted(struct pb_buf *out, const char *v, char quote)
{
	if (quote == '"') {
		for (; *v; v++) {
			if (strchr("\"\\$`", *v))
				pb_buf_putc(out, '\\');
			pb_buf_putc(out, *v);
		}
		return;
	}
	if (!quote && shell_safe(v)) {
		pb_buf_puts(out, v);
		return;
	}
	if (!quote)
		pb_buf_putc(out, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			pb_buf_puts(out, "'\\''");
		else
			pb_buf_putc(out, *v);
	}
	if (!quote)
		pb_buf_putc(out, '\'');
}

char *pb_config_expand(const char *tmpl, const struct pb_placeholders *ph)
{
	static const char *const keys[] = { "{binary}", "{worktree}", "{config_dir}", "{prefix}" };
	const char *vals[] = { ph->binary, ph->worktree, ph->config_dir, ph->prefix };
	struct pb_buf out = PB_BUF_INIT;
	const char *p = tmpl;
	char quote = 0; /* the shell quoting the template is in at p: 0, '\'' or '"' */
	size_t i, n;

	while (*p) {
		for (i = 0; i < PB_ARRAY_SIZE(keys); i++) {
			n = strlen(keys[i]);
			if (vals[i] && strncmp(p, keys[i], n) == 0)
				break;
		}
		if (i < PB_ARRAY_SIZE(keys)) {
			put_quoted(&out, vals[i], quote);
			p += strlen(keys[i]);
			continue;
		}
		/* Follow the template's own quoting, so a value lands quoted right for its place. */
		if (*p == '\\' && quote != '\'' && p[1]) {
			pb_buf_putc(&out, *p++);
		} else if ((*p == '\'' || *p == '"') && (!quote || quote == *p)) {
			quote = quote ? 0 : *p;
		}
		pb_buf_putc(&out, *p++);
	}
	return pb_buf_detach(&out);
}
