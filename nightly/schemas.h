/* schemas.h: the list of every kind of result document placebisect writes. */
#ifndef PB_NIGHTLY_SCHEMAS_H
#define PB_NIGHTLY_SCHEMAS_H

#include <stddef.h>

#include "core/schema.h"

/*
 * Every kind of result document placebisect writes (bisect, nightly, history index, measurement, compare,
 * layout, layout diff, profile), for a reader that takes any of them: pb_schema_find() over it.
 * Here because nightly is the highest module that sees every producer.
 */
extern const struct pb_schema *const pb_result_schemas[];
extern const size_t pb_n_result_schemas;

#endif
