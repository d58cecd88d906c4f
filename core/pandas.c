/*
 * pandas.c - pandas read_csv's default NaN spellings (see pandas.h).
 */
#include "core/pandas.h"

#include <string.h>

int vl_pandas_is_na(const char *s)
{
	static const char *const na[] = {
		"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
		"1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
		"nan", "null",
	};

	if (!s)
		return 1;
	for (size_t i = 0; i < sizeof(na) / sizeof(*na); i++)
		if (!strcmp(s, na[i]))
			return 1;
	return 0;
}
