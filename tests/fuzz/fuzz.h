/*
 * fuzz.h - shared by the libFuzzer targets tests/fuzz/fuzz_<parser>.c.
 *
 * Each target defines LLVMFuzzerTestOneInput and feeds the input to one
 * parser of outside input.  Parsers that read files get the input through
 * fuzz_file(): one temporary file per process, rewritten for each input.
 * To add a target: copy a small one (fuzz_task.c), name it after the parser,
 * and give it a seed corpus in tests/fuzz/corpus/<target>/ (small files
 * taken from tests/fixtures); `make fuzz` builds every fuzz_*.c.
 * Targets that drive a whole command (fuzz_score_*: `vleval score KIND`
 * with the input as one of its files) silence its stdio with fuzz_quiet(),
 * call it with fuzz_cmd(), and put the files a command wants in a
 * directory in fuzz_dir_file().
 */
#ifndef VL_FUZZ_H
#define VL_FUZZ_H

#include "core/vl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Where temporary files go: in memory (/dev/shm) when there is one.  A
 * file is written for every input, and on a busy machine a disk stall once
 * held an open() on /tmp past the one-second timeout (two false timeouts
 * at the same moment). */
static inline const char *fuzz_tmp(void)
{
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Writes the input to this process's temporary file and returns its path
 * (slot: a second file, for targets with two inputs). */
static inline const char *fuzz_file(const uint8_t *data, size_t size, int slot)
{
	static char path[2][64];
	FILE *f;

	if (!path[slot][0])
		snprintf(path[slot], sizeof(path[slot]), "%s/vleval-fuzz-%d-%d", fuzz_tmp(),
			 (int)getpid(), slot);
	f = fopen(path[slot], "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path[slot];
}

/* Sends stdio's stdout and stderr to /dev/null: the commands print their
 * results and messages there.  The sanitizers and libFuzzer write to the
 * file descriptors (libFuzzer took its own copy of stderr at start-up), so
 * their reports still reach the log. */
static inline void fuzz_quiet(void)
{
	static FILE *null;

	if (!null) {
		null = fopen("/dev/null", "w");
		if (!null)
			abort();
		stdout = null;
		stderr = null;
	}
}

/* Runs a command's function with the NULL-terminated argv. */
static inline int fuzz_cmd(int (*fn)(int argc, char **argv), const char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return fn(argc, (char **)argv);
}

/* The files of this process's directory fuzz_tmp()/vleval-fuzz-PID-dir, removed
 * at exit (tests/fuzz/run.sh removes only files). */
#define FUZZ_DIR_MAX 64
struct fuzz_dir_list {
	char path[FUZZ_DIR_MAX][160];
	int n;
};

static inline struct fuzz_dir_list *fuzz_dir_list(void)
{
	static struct fuzz_dir_list l;
	return &l;
}

/* Adds path to the list unless it is there. */
static inline void fuzz_dir_note(const char *path)
{
	struct fuzz_dir_list *l = fuzz_dir_list();

	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->path[i], path))
			return;
	if (l->n < FUZZ_DIR_MAX)
		snprintf(l->path[l->n++], sizeof(l->path[0]), "%s", path);
}

static inline void fuzz_dir_cleanup(void)
{
	struct fuzz_dir_list *l = fuzz_dir_list();
	char dir[64];

	for (int i = l->n - 1; i >= 0; i--)
		if (unlink(l->path[i]) != 0)
			rmdir(l->path[i]);
	snprintf(dir, sizeof(dir), "%s/vleval-fuzz-%d-dir", fuzz_tmp(), (int)getpid());
	rmdir(dir);
}

/* The directory's path (created on the first call). */
static inline const char *fuzz_dir(void)
{
	static char dir[64];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/vleval-fuzz-%d-dir", fuzz_tmp(), (int)getpid());
		if (mkdir(dir, 0700) != 0)
			abort();
		atexit(fuzz_dir_cleanup);
	}
	return dir;
}

/* Writes data to DIR/name (name may hold one subdirectory, "Art/x.json",
 * created as needed) and returns the path. */
static inline const char *fuzz_dir_file(const char *name, const void *data, size_t size)
{
	static char path[160];
	const char *slash = strchr(name, '/');
	FILE *f;

	if (slash) {
		snprintf(path, sizeof(path), "%s/%.*s", fuzz_dir(), (int)(slash - name), name);
		if (mkdir(path, 0700) == 0)
			fuzz_dir_note(path);
	}
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	fuzz_dir_note(path);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#endif
