/* names.h: interning of attribute and method names into small integer ids. */
#ifndef MINIVM_NAMES_H
#define MINIVM_NAMES_H

/* names_intern: the id of name (>= 1), the same for equal strings; -1 when out of memory. */
int names_intern(const char *name);
/* names_str: the string of an id, or "?" for an unknown id. */
const char *names_str(int id);
/* names_free: forget every name (ids become unknown). */
void names_free(void);

#endif
