/* schemas.c: the list of every kind of result document, for readers that take any of them. */
#include "nightly/schemas.h"

#include "bisect/schemas.h"
#include "layout/diff.h"
#include "layout/layout.h"
#include "measure/compare.h"
#include "measure/result.h"
#include "nightly/history.h"
#include "nightly/nightly.h"
#include "profile/profile.h"

const struct pb_schema *const pb_result_schemas[] = {
	&pb_bisect_schema, &pb_measurement_schema, &pb_compare_schema, &pb_layout_schema,
	&pb_layout_diff_schema, &pb_profile_schema, &pb_nightly_schema, &pb_history_schema,
	&pb_fix_schema, &pb_layouts_schema,
};
const size_t pb_n_result_schemas = sizeof(pb_result_schemas) / sizeof(pb_result_schemas[0]);
