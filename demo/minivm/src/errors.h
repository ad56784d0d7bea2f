/* errors.h: runtime errors of the interpreter. */
#ifndef MINIVM_ERRORS_H
#define MINIVM_ERRORS_H

#include "vm.h"

enum vm_errcode {
	ERR_NONE,
	ERR_TYPE,       /* an operand has the wrong kind */
	ERR_NO_ATTR,    /* the object has no such attribute */
	ERR_NO_METHOD,  /* neither the type nor its bases have the method */
	ERR_ARGC,       /* wrong number of arguments */
	ERR_DEPTH,      /* too many nested calls */
	ERR_UNDERFLOW,  /* RETURN with nothing on the frame's stack */
	ERR_NOMEM,      /* out of memory */
	ERR_BUILTIN,    /* a builtin failed */
};

/* vm_error: record err at pc in vm->error and vm->message; returns NULL (stop) so that a
 * handler can end with "return vm_error(...)". */
const struct insn *vm_error(struct vm *vm, const struct insn *pc, enum vm_errcode err);

#endif
