/* test_schema.c: the result-document validator: key paths with [] and *, types, flags, first error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/schema.h"

static const struct pb_schema_rule rules[] = {
	{ "name", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "median", PB_S_NUM | PB_S_NULL },
	{ "steps", PB_S_ARR | PB_S_REQ },
	{ "steps[]", PB_S_OBJ },
	{ "steps[].runs", PB_S_NUM | PB_S_REQ | PB_S_NONNEG },
	{ "counters", PB_S_OBJ },
	{ "counters.*", PB_S_NUM | PB_S_NONNEG },
	{ "culprit", PB_S_OBJ },
	{ "culprit.commit", PB_S_STR | PB_S_REQ },
	{ NULL, 0 },
};
static const struct pb_schema kind = { "placebisect.test/1", rules };

/* check TEXT against the kind: 0, or the exact message. */
static void check(const char *text, const char *message)
{
	struct pb_json *doc;

	assert_int_equal(pb_json_parse(&doc, text, strlen(text), "t.json"), 0);
	if (!message) {
		assert_int_equal(pb_schema_check(doc, &kind, "t.json"), 0);
	} else {
		assert_int_equal(pb_schema_check(doc, &kind, "t.json"), -1);
		assert_string_equal(pb_error_message(), message);
		assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
	}
	pb_json_free(doc);
}

#define DOC(rest) "{\"schema\": \"placebisect.test/1\", \"name\": \"n\", \"steps\": [] " rest "}"

static void test_valid(void **state)
{
	(void)state;
	check(DOC(""), NULL);
	check("{\"schema\": \"placebisect.test/1\", \"name\": \"n\", \"median\": null, \"steps\": "
	      "[{\"runs\": 0}], \"counters\": {\"c\": 5}, \"culprit\": {\"commit\": \"abc\"}, \"extra\": [1]}",
	      NULL);
}

static void test_errors(void **state)
{
	(void)state;
	check("[1]", "t.json: expected a JSON object (a placebisect.test/1 document)");
	check("{\"schema\": \"placebisect.other/1\"}",
	      "t.json: schema: expected \"placebisect.test/1\", got \"placebisect.other/1\"");
	check("{\"schema\": \"placebisect.test/1\"}",
	      "t.json: name: missing (every placebisect.test/1 document has it)");
	check("{\"schema\": \"placebisect.test/1\", \"name\": \"\", \"steps\": []}", "t.json: name: an empty string");
	check(DOC(", \"median\": \"fast\""), "t.json: median: expected a number or null, got a string");
	check("{\"schema\": \"placebisect.test/1\", \"name\": \"n\", \"steps\": {}}",
	      "t.json: steps: expected an array, got an object");
	check("{\"schema\": \"placebisect.test/1\", \"name\": \"n\", \"steps\": [{\"runs\": 1}, 5]}",
	      "t.json: steps[1]: expected an object, got a number");
	check("{\"schema\": \"placebisect.test/1\", \"name\": \"n\", \"steps\": [{\"runs\": 1}, {}]}",
	      "t.json: steps[1].runs: missing (every placebisect.test/1 document has it)");
	check("{\"schema\": \"placebisect.test/1\", \"name\": \"n\", \"steps\": [{\"runs\": -2}]}",
	      "t.json: steps[0].runs: -2 is negative (a count or a size: never below 0)");
	check(DOC(", \"counters\": {\"a\": 1, \"b\": true}"), "t.json: counters.b: expected a number, got a boolean");
	check(DOC(", \"culprit\": {}"), "t.json: culprit.commit: missing (every placebisect.test/1 document has it)");
	check(DOC(", \"culprit\": 3"), "t.json: culprit: expected an object, got a number");
}

static void test_find(void **state)
{
	const struct pb_schema *kinds[] = { &kind };
	struct pb_json *doc;

	(void)state;
	assert_int_equal(pb_json_parse(&doc, DOC(""), strlen(DOC("")), "t.json"), 0);
	assert_ptr_equal(pb_schema_find(doc, kinds, 1), &kind);
	pb_json_free(doc);
	assert_int_equal(pb_json_parse(&doc, "{\"schema\": 1}", 13, "t.json"), 0);
	assert_null(pb_schema_find(doc, kinds, 1));
	pb_json_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
