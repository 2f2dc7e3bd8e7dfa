/* testutil.h — shared helpers for the cmocka unit tests.
 * Every test binary is run from the repository root by tests/run-all.sh with
 * SHARED=<path of ../shared> in the environment. */
#ifndef STUCKSCOPE_TESTUTIL_H
#define STUCKSCOPE_TESTUTIL_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/analysis.h"
#include "derive/derive.h"
#include "input/format.h"
#include "input/parsers.h"

/* Path of a file in ../shared (corpus/..., bench/...). */
static inline const char *shared_path(char *buf, size_t size, const char *rel)
{
	const char *sh = getenv("SHARED");
	snprintf(buf, size, "%s/%s", sh && *sh ? sh : "../shared", rel);
	return buf;
}

/* The name of the format sniffed from a buffer, "unknown" when none. */
static inline const char *sniff_name(const char *buf, size_t len)
{
	const struct format *f = format_sniff(buf, len);
	return f ? f->name : "unknown";
}

/* Parse a string as one input of `kind` into a fresh analysis. */
static inline struct analysis *parse_text(const char *kind, const char *text)
{
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "test.txt", kind, text, strlen(text));
	return an;
}

/* Add a file (path relative to the repository root or absolute) and read it
 * with content sniffing, as `stuckscope analyze FILE` would. */
static inline struct analysis *read_file_input(const char *path)
{
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_add_path(an, path);
	analysis_read_inputs(an);
	derive_incident(an);
	return an;
}

/* Read a file (up to 1 MiB) and parse it as one input of `kind`. */
static inline struct analysis *parse_file_as(const char *kind, const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, path, kind, buf, n);
	return an;
}

/* Parse exactly n bytes of a heap copy freed before returning: a read past
 * the buffer shows under ASan, and what the parser kept must be copied. */
static inline struct analysis *parse_heap_copy(const char *kind, const char *display,
					   const char *text, size_t n)
{
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, text, n);
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, display, kind, copy, n);
	free(copy);
	return an;
}

/* A whole file (the caller frees it), its length in *len. */
static inline char *read_file_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static inline const struct process *test_process(const struct analysis *an, int32_t pid)
{
	for (size_t i = 0; i < an->inc.processes.n; i++)
		if (an->inc.processes.v[i]->pid == pid)
			return an->inc.processes.v[i];
	return NULL;
}

/* The thread, failing the test when it is not there. */
static inline const struct thread *test_thread(const struct analysis *an, int32_t pid,
					       int32_t tid)
{
	const struct process *p = test_process(an, pid);
	if (!p)
		fail_msg("no process %d", (int)pid);
	for (size_t i = 0; i < p->threads.n; i++)
		if (p->threads.v[i].tid == tid)
			return &p->threads.v[i];
	fail_msg("no thread %d in process %d", (int)tid, (int)pid);
	return NULL;
}

static inline void analysis_free(struct analysis *an);

/* Replay the inputs a fuzz harness once crashed on (tests/fuzz/crashers/
 * PREFIX*) through the parser of `kind`: each must parse without a crash. */
static inline void replay_crashers(const char *prefix, const char *kind)
{
	DIR *d = opendir("tests/fuzz/crashers");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "tests/fuzz/crashers/%s", e->d_name);
		analysis_free(parse_file_as(kind, path));
	}
	closedir(d);
}

static inline void analysis_free(struct analysis *an)
{
	analysis_release(an);
	free(an);
}

static inline size_t count_diags(const struct analysis *an, enum diag_code code)
{
	size_t n = 0;
	for (size_t i = 0; i < an->diags.list.n; i++)
		if (an->diags.list.v[i].code == code)
			n++;
	return n;
}

#endif
