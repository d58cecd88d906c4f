/*
 * fuzz.h - shared by the libFuzzer targets tests/fuzz/fuzz_<parser>.c.
 *
 * Each target defines LLVMFuzzerTestOneInput and feeds the input to one
 * parser of outside input.  Parsers that read files get the input through
 * fuzz_file(): one temporary file per process, rewritten for each input.
 * To add a target: copy a small one (fuzz_task.c), name it after the parser,
 * and give it a seed corpus in tests/fuzz/corpus/<target>/ (small files
 * taken from tests/fixtures); `make fuzz` builds every fuzz_*.c.
 */
#ifndef VL_FUZZ_H
#define VL_FUZZ_H

#include "core/vl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (freed by the caller). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Writes the input to this process's temporary file and returns its path
 * (slot: a second file, for targets with two inputs). */
static inline const char *fuzz_file(const uint8_t *data, size_t size, int slot)
{
	static char path[2][64];
	FILE *f;

	if (!path[slot][0])
		snprintf(path[slot], sizeof(path[slot]), "/tmp/vleval-fuzz-%d-%d",
			 (int)getpid(), slot);
	f = fopen(path[slot], "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path[slot];
}

#endif
