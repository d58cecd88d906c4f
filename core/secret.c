/*
 * secret.c - secrets kept out of what vleval writes (see secret.h).
 */
#include "core/secret.h"

#include <ctype.h>
#include <string.h>

int vl_is_secret_key(const char *key)
{
	static const char *const words[] = { "api_key", "apikey", "token", "password",
					     "secret", "authorization", "bearer", NULL };
	char low[128];
	size_t n = 0;

	if (!strcmp(key, "api_key_env"))
		return 0;
	for (; key[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)tolower((unsigned char)key[n]);
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

void vl_secret_scrub(char *text, const char *secret)
{
	size_t n;
	char *p;

	if (!text || !secret || (n = strlen(secret)) < 4)
		return;
	while ((p = strstr(text, secret))) {
		memset(p, '*', 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}
