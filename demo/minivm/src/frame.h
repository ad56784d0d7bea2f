/* frame.h: pushing and popping call frames. */
#ifndef MINIVM_FRAME_H
#define MINIVM_FRAME_H

#include "vm.h"

/* frame_push: a new frame running code that returns to ret, its result going to base; its
 * own stack starts at the current top. NULL when the frame stack is full. */
struct frame *frame_push(struct vm *vm, const struct code *code, const struct insn *ret,
			 struct value *base);
/* args_copy: argc arguments from args into f's first locals, the other locals set to none;
 * 0, or -1 when f's code takes another number of arguments. */
int args_copy(struct frame *f, const struct value *args, int argc);
/* frame_pop: drop the running frame, its return value (the top of its stack) left in the
 * callee's slot; 0 and *ret set to where the caller resumes, or -1 when the frame's stack
 * is empty (nothing to return). */
int frame_pop(struct vm *vm, const struct insn **ret);

#endif
