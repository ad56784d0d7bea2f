/* test_json.c: strict parsing (each rejection with its position) and the streaming writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/json.h"

static void expect_error(const char *text, const char *message)
{
	struct pb_json *doc = (struct pb_json *)1;

	assert_int_equal(pb_json_parse(&doc, text, strlen(text), "f.json"), -1);
	assert_null(doc);
	assert_string_equal(pb_error_message(), message);
	assert_int_equal(pb_error_exit_code(), PB_EXIT_USAGE);
}

static void test_parse_ok(void **state)
{
	const char *t = "{\"a\": {\"b\": [1, 2.5, \"x\"]}, \"t\": true, \"s\": \"\\u00e9\"}";
	struct pb_json *doc;
	const struct pb_json *arr;

	(void)state;
	assert_int_equal(pb_json_parse(&doc, t, strlen(t), "f.json"), 0);
	arr = pb_json_path(doc, "a.b");
	assert_int_equal(pb_json_type(arr), PB_JSON_ARRAY);
	assert_int_equal(pb_json_size(arr), 3);
	assert_true(pb_json_number(pb_json_next(pb_json_child(arr)), 0) == 2.5);
	assert_true(pb_json_bool(pb_json_get(doc, "t"), false));
	assert_string_equal(pb_json_string(pb_json_get(doc, "s"), ""), "\xc3\xa9");
	assert_null(pb_json_path(doc, "a.c"));
	pb_json_free(doc);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("{\n  \"a\": 1,,\n}", "f.json:2:10: invalid JSON syntax");
	expect_error("{\"a\": 1} x", "f.json:1:10: unexpected data after the JSON value");
	expect_error("{\"a\": [1, 2", "f.json:1:12: unexpected end of JSON text (truncated?)");
	expect_error("{\"a\": \"abc", "f.json:1:11: unexpected end of JSON text (truncated?)");
	expect_error("{\"a\" 1}", "f.json:1:6: invalid JSON syntax");
	expect_error("", "f.json: empty document: expected a JSON value");
	expect_error("  \n ", "f.json: empty document: expected a JSON value");
	expect_error("{\"a\": NaN}", "f.json:1:7: invalid JSON syntax");
	expect_error("{\"a\": {\"b\": 1e999}}", "f.json: a.b: number out of range");
	expect_error("{\"a\": 1, \"a\": 2}", "f.json: a: duplicate key");
	expect_error("{\"a\": [0, {\"k\": 1, \"k\": 1}]}", "f.json: a[1].k: duplicate key");
	expect_error("{\"a\": \"\xff\"}", "f.json:1:8: invalid UTF-8");
	expect_error("{\"a\": \"\xc0\xaf\"}", "f.json:1:8: invalid UTF-8"); /* overlong '/' */
	expect_error("{\"a\": \"\xed\xa0\x80\"}", "f.json:1:8: invalid UTF-8"); /* surrogate */
}

/* F3: what cJSON let through: an escaped NUL cut the string short; control bytes were accepted. */
static void test_parse_control(void **state)
{
	(void)state;
	expect_error("{\"build\": {\"binary\": \"prog\\u0000.c\"}}",
		     "f.json:1:27: \\u0000 in a string: a NUL character is not allowed (it would cut the "
		     "string short)");
	expect_error("{\"a\": \"x\x01y\"}", "f.json:1:9: control byte 0x01 inside a string (write it as \\u0001)");
	expect_error("{\"a\":\n \"\x1b[0m\"}", "f.json:2:3: control byte 0x1b inside a string (write it as \\u001b)");
	expect_error("{\"a\": 1,\x0e \"b\": 2}", "f.json:1:9: control byte 0x0e outside a string");
	expect_error("\x0e{}", "f.json:1:1: control byte 0x0e outside a string");
	expect_error("[\"\\ud800\"]", "f.json:1:3: invalid \\u escape: a high surrogate without a low one");
	expect_error("[\"\\udc00\"]", "f.json:1:3: invalid \\u escape: a low surrogate without a high one");
	expect_error("[\"\\x\"]", "f.json:1:3: invalid escape in a string");
	expect_error("[01]", "f.json:1:3: invalid JSON syntax");
	expect_error("[1.]", "f.json:1:4: invalid JSON syntax");
	expect_error("[0x10]", "f.json:1:3: invalid JSON syntax");
	expect_error("[-]", "f.json:1:3: invalid JSON syntax");
	expect_error("[tru]", "f.json:1:2: invalid JSON syntax");
}

/* Escapes that are valid decode to the right bytes, in place; a pair makes one code point. */
static void test_parse_escapes(void **state)
{
	const char *t = "[\"a\\n\\\"\\/\\t\", \"\\ud83d\\ude00\", \"\\u00e9\\u0041\", -0.5e+2, 1E2, true, false, null]";
	struct pb_json *doc;
	const struct pb_json *c;

	(void)state;
	assert_int_equal(pb_json_parse(&doc, t, strlen(t), "f.json"), 0);
	assert_int_equal(pb_json_size(doc), 8);
	c = pb_json_child(doc);
	assert_string_equal(pb_json_string(c, NULL), "a\n\"/\t");
	c = pb_json_next(c);
	assert_string_equal(pb_json_string(c, NULL), "\xf0\x9f\x98\x80");
	c = pb_json_next(c);
	assert_string_equal(pb_json_string(c, NULL), "\xc3\xa9" "A");
	c = pb_json_next(c);
	assert_true(pb_json_number(c, 0) == -50);
	c = pb_json_next(c);
	assert_true(pb_json_number(c, 0) == 100);
	c = pb_json_next(c);
	assert_true(pb_json_bool(c, false));
	c = pb_json_next(c);
	assert_false(pb_json_bool(c, true));
	c = pb_json_next(c);
	assert_int_equal(pb_json_type(c), PB_JSON_NULL);
	assert_null(pb_json_next(c));
	pb_json_free(doc);
}

/*
 * F2: an object of 40k keys and an array of 100k strings: the duplicate check is a hash set (it was
 * a scan of the earlier members: 15.7 s for 40k keys). Asserts the result, not the time: the
 * ctest timeout catches a quadratic reader.
 */
static void test_parse_large(void **state)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_json *doc;
	size_t i;

	(void)state;
	pb_buf_putc(&b, '{');
	for (i = 0; i < 40000; i++)
		pb_buf_printf(&b, "%s\"bench_%zu\": {\"runs\": %zu}", i ? "," : "", i, i);
	pb_buf_puts(&b, ", \"list\": [");
	for (i = 0; i < 100000; i++)
		pb_buf_printf(&b, "%s\"f%zu\"", i ? "," : "", i);
	pb_buf_puts(&b, "]}");
	assert_int_equal(pb_json_parse(&doc, b.data, b.len, "f.json"), 0);
	assert_int_equal(pb_json_size(doc), 40001);
	assert_int_equal(pb_json_size(pb_json_get(doc, "list")), 100000);
	assert_true(pb_json_number(pb_json_path(doc, "bench_39999.runs"), 0) == 39999);
	pb_json_free(doc);
	/* The same key twice, far apart, is still found. */
	pb_buf_truncate(&b, b.len - 2);
	pb_buf_puts(&b, "], \"bench_7\": 1}");
	assert_int_equal(pb_json_parse(&doc, b.data, b.len, "f.json"), -1);
	assert_string_equal(pb_error_message(), "f.json: bench_7: duplicate key");
	pb_buf_release(&b);
}

static void test_parse_nul_and_depth(void **state)
{
	char deep[1200];
	size_t i;

	(void)state;
	assert_int_equal(pb_json_parse(&(struct pb_json *){ NULL }, "{\"a\":1}\0x", 10, "f.json"), -1);
	assert_string_equal(pb_error_message(), "f.json:1:8: NUL byte in JSON text");
	for (i = 0; i < 600; i++)
		deep[i] = '[';
	for (i = 600; i < 1200; i++)
		deep[i] = ']';
	assert_int_equal(pb_json_parse(&(struct pb_json *){ NULL }, deep, sizeof(deep), "f.json"), -1);
	assert_string_equal(pb_error_message(), "f.json:1:257: nesting deeper than 256 levels");
}

static void test_writer(void **state)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_json *doc;

	(void)state;
	pb_jsonw_init(&w, &b, true);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "s", "a\"b\\c\n\x01");
	pb_jsonw_number(&w, "half", 0.5);
	pb_jsonw_number(&w, "big", 12345678901.0);
	pb_jsonw_number(&w, "third", 1.0 / 3);
	pb_jsonw_number(&w, "nan", 0.0 / 0.0);
	pb_jsonw_int(&w, "i", -42);
	pb_jsonw_array(&w, "empty");
	pb_jsonw_end(&w);
	pb_jsonw_array(&w, "l");
	pb_jsonw_bool(&w, NULL, true);
	pb_jsonw_null(&w, NULL);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	assert_string_equal(b.data, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"half\":0.5,\"big\":12345678901,"
				    "\"third\":0.3333333333333333,\"nan\":null,\"i\":-42,\"empty\":[],"
				    "\"l\":[true,null,{}]}");
	/* What we write, we read back. */
	assert_int_equal(pb_json_parse(&doc, b.data, b.len, "w"), 0);
	assert_true(pb_json_number(pb_json_get(doc, "third"), 0) == 1.0 / 3);
	pb_buf_reset(&b);
	pb_jsonw_init(&w, &b, false);
	pb_jsonw_value(&w, NULL, doc);
	pb_jsonw_finish(&w);
	assert_non_null(strstr(b.data, "\n  \"half\": 0.5,\n"));
	pb_json_free(doc);
	pb_buf_release(&b);
}

static void collect(void *ctx, const char *data, size_t len)
{
	struct pb_buf *all = ctx;

	pb_buf_add(all, data, len);
}

/* With a sink the document leaves in runs of PB_JSONW_DRAIN_AT and comes out the same. */
static void test_writer_sink(void **state)
{
	struct pb_buf b = PB_BUF_INIT, plain = PB_BUF_INIT, streamed = PB_BUF_INIT;
	struct pb_jsonw w;
	size_t i, most = 0;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		pb_jsonw_init(&w, pass ? &b : &plain, false);
		if (pass)
			pb_jsonw_set_sink(&w, collect, &streamed);
		pb_jsonw_object(&w, NULL);
		pb_jsonw_array(&w, "n");
		for (i = 0; i < 200000; i++) {
			pb_jsonw_int(&w, NULL, (int64_t)i);
			pb_jsonw_drain(&w);
			if (b.len > most)
				most = b.len;
		}
		pb_jsonw_end(&w);
		pb_jsonw_end(&w);
		pb_jsonw_finish(&w);
	}
	assert_true(plain.len > PB_JSONW_DRAIN_AT);
	assert_int_equal(b.len, 0);
	assert_true(most <= PB_JSONW_DRAIN_AT + 64);
	assert_int_equal(streamed.len, plain.len);
	assert_memory_equal(streamed.data, plain.data, plain.len);
	pb_buf_release(&b);
	pb_buf_release(&plain);
	pb_buf_release(&streamed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_control),
		cmocka_unit_test(test_parse_escapes),
		cmocka_unit_test(test_parse_large),
		cmocka_unit_test(test_parse_nul_and_depth),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
