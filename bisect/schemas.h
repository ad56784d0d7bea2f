/* schemas.h: the keys, types and ranges the bisect, nightly and history documents promise. */
#ifndef PB_BISECT_SCHEMAS_H
#define PB_BISECT_SCHEMAS_H

#include "core/schema.h"

/* Checked with pb_schema_check() by every reader before it renders or compares the document. */
extern const struct pb_schema pb_bisect_schema;  /* placebisect.bisect/1 */
extern const struct pb_schema pb_nightly_schema; /* placebisect.nightly/1 */
extern const struct pb_schema pb_history_schema; /* placebisect.history/1 (a history's index) */

/*
 * Every kind of result document placebisect writes (these three and measurement, compare,
 * layout, layout diff, profile), for a reader that takes any of them: pb_schema_find() over it.
 */
extern const struct pb_schema *const pb_result_schemas[];
extern const size_t pb_n_result_schemas;

#endif
