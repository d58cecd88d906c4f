/*
 * secret.h - keeping secrets (API keys, tokens) out of the run log, the
 * logs and the reports: which option names hold one, and scrubbing a value
 * from text a server may have echoed it in.
 */
#ifndef VL_SECRET_H
#define VL_SECRET_H

/* 1 when an option name names a secret (api_key, token, password, ...),
 * which must come from the environment instead; "api_key_env", the name of
 * the variable, is not one. */
int vl_is_secret_key(const char *key);

/* Replaces every occurrence of secret in text (in place, NUL-terminated)
 * with "***".  Nothing for a NULL text or secret, or a secret shorter than
 * 4 bytes (it would match ordinary words). */
void vl_secret_scrub(char *text, const char *secret);

#endif
