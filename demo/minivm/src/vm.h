/* vm.h: the interpreter state and its entry point. */
#ifndef MINIVM_VM_H
#define MINIVM_VM_H

#include "code.h"
#include "opcodes.h"

#define VM_STACK_MAX 1024
#define VM_FRAMES_MAX 256

struct frame {
	const struct code *code;
	const struct insn *ret; /* where the caller resumes; NULL for the outermost frame */
	struct value *base;     /* the callee's slot: the call's result goes there */
	struct value *bottom;   /* where the frame's own stack starts, above its arguments */
	struct value locals[CODE_MAX_LOCALS];
};

struct vm {
	struct value *sp; /* next free stack slot */
	struct frame *fp; /* the running frame */
	int error;        /* an enum vm_errcode; 0 while running fine */
	char message[256];
	struct value stack[VM_STACK_MAX];
	struct frame frames[VM_FRAMES_MAX];
};

/* An opcode handler runs the instruction at pc and returns the next one, or NULL to stop. */
typedef const struct insn *(*op_handler)(struct vm *vm, const struct insn *pc);

#define DECLARE_HANDLER(NAME, name) const struct insn *op_##name(struct vm *vm, const struct insn *pc);
OPCODES(DECLARE_HANDLER)
#undef DECLARE_HANDLER

/* vm_init: an empty stack, no frames, no error. */
void vm_init(struct vm *vm);
/* vm_run: call code with args; 0 and *result set, or -1 with vm->message set. */
int vm_run(struct vm *vm, const struct code *code, const struct value *args, int nargs,
	   struct value *result);

#endif
