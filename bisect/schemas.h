/* schemas.h: the keys, types and ranges the bisect, fix and layouts documents promise. */
#ifndef PB_BISECT_SCHEMAS_H
#define PB_BISECT_SCHEMAS_H

#include "core/schema.h"

/* placebisect.bisect/1: checked with pb_schema_check() before a stored result is used. */
extern const struct pb_schema pb_bisect_schema;
/* placebisect.fix/1 (`fix`) and placebisect.layouts/1 (`layouts`). */
extern const struct pb_schema pb_fix_schema;
extern const struct pb_schema pb_layouts_schema;

#endif
