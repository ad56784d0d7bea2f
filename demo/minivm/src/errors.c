/* errors.c: runtime error messages. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "errors.h"

static const char *const texts[] = {
	[ERR_NONE] = "no error",
	[ERR_TYPE] = "operand of the wrong type",
	[ERR_NO_ATTR] = "no such attribute",
	[ERR_NO_METHOD] = "no such method",
	[ERR_ARGC] = "wrong number of arguments",
	[ERR_DEPTH] = "too many nested calls",
	[ERR_UNDERFLOW] = "nothing to return",
	[ERR_NOMEM] = "out of memory",
	[ERR_BUILTIN] = "builtin failed",
};

static const char *kind_name(enum value_kind k)
{
	switch (k) {
	case V_NONE:
		return "none";
	case V_INT:
		return "int";
	case V_OBJ:
		return "object";
	case V_CODE:
		return "code";
	}
	return "?";
}

/* append: like snprintf at buf + *len, advancing *len; never writes past size. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

/* report: what failed (who: an opcode or a runtime function), on which operands, and in which
 * chain of calls. */
static const struct insn *report(struct vm *vm, const struct insn *pc, enum vm_errcode err,
				 const char *who)
{
	const struct code *code = vm->fp->code;
	size_t len = 0, size = sizeof(vm->message);
	int shown = 0;

	vm->error = err;
	append(vm->message, size, &len, "%s: %s at %s+%d", who, texts[err], code->name,
	       (int)(pc - code->insns));
	for (int i = 1; i <= 2 && vm->sp - i >= vm->stack; i++) {
		const struct value *v = vm->sp - i;
		if (v->kind == V_INT)
			append(vm->message, size, &len, "; tos[-%d] = %" PRId64, i - 1, v->u.i);
		else
			append(vm->message, size, &len, "; tos[-%d] = <%s>", i - 1,
			       kind_name(v->kind));
	}
	for (const struct frame *f = vm->fp; f - 1 > vm->frames && shown < 3; f--, shown++)
		append(vm->message, size, &len, "; called from %s+%d", f[-1].code->name,
		       (int)(f->ret - 1 - f[-1].code->insns));
	return NULL;
}

const struct insn *vm_error(struct vm *vm, const struct insn *pc, enum vm_errcode err)
{
	return report(vm, pc, err, opcode_name(pc->op));
}
