/*
 * test_pystr.c - the Python behaviours the official scorers rely on:
 * float() parsing, strip(), repr() of floats, list literals, and
 * random.Random(seed) draws (values printed by CPython 3.11).
 */
#include "test_helpers.h"

#include "metrics/pystr.h"

static void test_float(void **state)
{
	static const struct { const char *s; int ok; double v; } rows[] = {
		{ "1_200", 1, 1200 }, { " 12. ", 1, 12 }, { ".5", 1, 0.5 }, { "+1e3", 1, 1000 },
		{ "\xd9\xa1\xd9\xa2", 1, 12 }, { "-Infinity", 1, -INFINITY },
		{ "\xe2\x80\x83 7\xe2\x80\x83", 1, 7 }, { "1e1_0", 1, 1e10 }, { "1.2e1", 1, 12 },
		{ "1__2", 0, 0 }, { "_1", 0, 0 }, { "1,2", 0, 0 }, { "$3", 0, 0 }, { "12%", 0, 0 },
		{ "1e", 0, 0 }, { "0x10", 0, 0 }, { "1_", 0, 0 }, { "", 0, 0 }, { "e5", 0, 0 },
		{ "1.2.3", 0, 0 }, { "1_.5", 0, 0 }, { "infinityx", 0, 0 }, { "1 2", 0, 0 },
	};
	double v;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		int rc = vl_py_float(rows[i].s, strlen(rows[i].s), &v);
		if ((rc == 0) != rows[i].ok)
			print_error("row %zu '%s'\n", i, rows[i].s);
		assert_int_equal(rc == 0, rows[i].ok);
		if (rows[i].ok)
			assert_true(v == rows[i].v);
	}
	assert_int_equal(vl_py_float("nan", 3, &v), 0);
	assert_true(isnan(v));
}

static void test_repr(void **state)
{
	static const struct { double v; const char *s; } rows[] = {
		{ 75.0, "75.0" }, { 954.5959595959595, "954.5959595959595" }, { 0.1, "0.1" },
		{ 1e16, "1e+16" }, { 1.5e-5, "1.5e-05" }, { 0.0001, "0.0001" }, { 100, "100.0" },
		{ 116.66666666666666, "116.66666666666666" }, { -2.5, "-2.5" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf b = VL_BUF_INIT;
		vl_py_repr(&b, rows[i].v);
		assert_string_equal(vl_buf_str(&b), rows[i].s);
		vl_buf_release(&b);
	}
}

static void test_list(void **state)
{
	struct vl_strv v = { 0 };

	assert_int_equal(vl_py_str_list("['FRIEND']", &v), 0);
	assert_int_equal(vl_py_str_list("[\"it's\", 'a\\nb', '\\\\frac', '\\xe9']", &v), 0);
	assert_int_equal(v.n, 5);
	assert_string_equal(v.v[0], "FRIEND");
	assert_string_equal(v.v[1], "it's");
	assert_string_equal(v.v[2], "a\nb");
	assert_string_equal(v.v[3], "\\frac");
	assert_string_equal(v.v[4], "\xc3\xa9");
	assert_int_equal(vl_py_str_list("FRIEND", &v), VL_EINVAL);
	assert_int_equal(vl_py_str_list("['a', 1]", &v), VL_EINVAL);
	assert_int_equal(vl_py_str_list("['a'", &v), VL_EINVAL);
	assert_int_equal(vl_py_str_list("[]", &v), 0);
	assert_int_equal(v.n, 5);
	vl_strv_release(&v);
}

static void test_random(void **state)
{
	struct vl_pyrandom r;

	vl_pyrandom_seed(&r, 42);
	assert_int_equal(vl_pyrandom_u32(&r), 2746317213u);
	assert_int_equal(vl_pyrandom_u32(&r), 478163327u);
	assert_int_equal(vl_pyrandom_u32(&r), 107420369u);
	vl_pyrandom_seed(&r, 7);
	assert_int_equal(vl_pyrandom_u32(&r), 1390851128u);
	/* random.Random(42): choice('AB'), choice('ABCDE'), choice('A'), choice('ABCD') */
	vl_pyrandom_seed(&r, 42);
	assert_int_equal(vl_pyrandom_below(&r, 2), 0);
	assert_int_equal(vl_pyrandom_below(&r, 5), 0);
	assert_int_equal(vl_pyrandom_below(&r, 1), 0);
	assert_int_equal(vl_pyrandom_below(&r, 4), 1);
}

static void test_strip(void **state)
{
	size_t st, len;

	vl_py_strip("\xe2\x80\x83 ab c\n\x1c", 10, &st, &len);
	assert_int_equal(st, 4);
	assert_int_equal(len, 4);
	vl_py_strip("   ", 3, &st, &len);
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_float),
		cmocka_unit_test(test_repr),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_strip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
