/* opcodes.h: the instruction set, as an X-macro: X(NAME, name). */
#ifndef MINIVM_OPCODES_H
#define MINIVM_OPCODES_H

/* The handler of NAME is op_<name> (ops.c). LOAD_<n> and STORE_<n> are LOAD_LOCAL n and
 * STORE_LOCAL n for the first four locals, without an argument to decode (like the JVM's
 * iload_<n>). No name may be another name plus "_...": the layout script (minivm.ld) takes
 * functions named op_<name>_* for the slow paths of <name>. */
#define OPCODES(X) \
	X(PUSH_CONST, push_const) \
	X(LOAD_LOCAL, load_local) \
	X(LOAD_0, load_0) \
	X(LOAD_1, load_1) \
	X(LOAD_2, load_2) \
	X(LOAD_3, load_3) \
	X(STORE_LOCAL, store_local) \
	X(STORE_0, store_0) \
	X(STORE_1, store_1) \
	X(STORE_2, store_2) \
	X(STORE_3, store_3) \
	X(POP, pop) \
	X(DUP, dup) \
	X(ADD, add) \
	X(SUB, sub) \
	X(MUL, mul) \
	X(AND, and) \
	X(OR, or) \
	X(XOR, xor) \
	X(SHL, shl) \
	X(SHR, shr) \
	X(NEG, neg) \
	X(LESS, less) \
	X(JUMP, jump) \
	X(BRANCH_IF, branch_if) \
	X(GET_ATTR, get_attr) \
	X(SET_ATTR, set_attr) \
	X(GET_METHOD, get_method) \
	X(CALL_METHOD, call_method) \
	X(CALL_FUNCTION, call_function) \
	X(RETURN, return) \
	X(CALL_BUILTIN, call_builtin)

enum opcode {
#define ENUM(NAME, name) OP_##NAME,
	OPCODES(ENUM)
#undef ENUM
	OP_COUNT
};

/* opcode_name: "ADD" for OP_ADD; "?" when out of range. */
const char *opcode_name(int op);

#endif
