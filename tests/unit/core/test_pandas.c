/*
 * test_pandas.c - the fields pandas read_csv turns into NaN (pandas >= 2.0
 * defaults), which VLMEvalKit's scorers see as "nan".
 */
#include "test_helpers.h"

#include "core/pandas.h"

static void test_na(void **state)
{
	static const char *const na[] = { "", "NA", "N/A", "n/a", "NULL", "null", "nan", "NaN",
					  "-nan", "None", "<NA>", "#N/A", "1.#QNAN" };
	static const char *const not_na[] = { " ", "none", "NONE", "Nan", "na", "N/A.", " nan",
					      "0", "-", "Null " };

	for (size_t i = 0; i < sizeof(na) / sizeof(*na); i++)
		assert_true(vl_pandas_is_na(na[i]));
	for (size_t i = 0; i < sizeof(not_na) / sizeof(*not_na); i++)
		assert_false(vl_pandas_is_na(not_na[i]));
	assert_true(vl_pandas_is_na(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_na),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
