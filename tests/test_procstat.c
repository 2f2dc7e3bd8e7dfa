/* test_procstat.c — base/procstat.c: a /proc/PID/stat line. Rows of lines,
 * hostile comms and cut lines beside real ones; then real lines: this
 * process's own stat files and the recorded ones under samples/. Every
 * line is copied into a buffer of exactly its length (no NUL), so the
 * sanitizer build catches a read past the end. */
#include "testutil.h"

#include <dirent.h>
#include <unistd.h>

#include "base/procstat.h"

/* fields 3..22 of a plain line: S, ppid 1, ..., utime 11, stime 12,
 * num_threads 5, starttime 99 */
#define TAIL " S 1 1 1 0 -1 4194368 3 0 0 0 11 12 0 0 20 0 5 0 99 1024 10"

static const struct stat_case {
	const char *line;
	size_t len;		/* 0: strlen(line) */
	int rc;
	enum procstat_error error;
	int err_field;
	int32_t pid;
	const char *comm;	/* NULL: not read */
	size_t comm_len;	/* 0: strlen(comm) */
	char state;
	int32_t ppid;
	int64_t utime, stime, num_threads, starttime;
} cases[] = {
	{ "42 (python3)" TAIL, 0, 0, PROCSTAT_OK, 0, 42, "python3", 0, 'S', 1, 11, 12, 5, 99 },
	{ "42 (python3)" TAIL "\n", 0, 0, PROCSTAT_OK, 0, 42, "python3", 0, 'S', 1, 11, 12, 5, 99 },
	/* the comm runs to the LAST ')': anything may be inside it */
	{ "42 (a) S 1 (b)" TAIL, 0, 0, PROCSTAT_OK, 0, 42, "a) S 1 (b", 0, 'S', 1, 11, 12, 5, 99 },
	{ "42 ()) R 7 ()" TAIL, 0, 0, PROCSTAT_OK, 0, 42, ")) R 7 (", 0, 'S', 1, 11, 12, 5, 99 },
	{ "42 (a\nb)" TAIL, 0, 0, PROCSTAT_OK, 0, 42, "a\nb", 0, 'S', 1, 11, 12, 5, 99 },
	{ "42 (w timed)x)" TAIL, 0, 0, PROCSTAT_OK, 0, 42, "w timed)x", 0, 'S', 1, 11, 12, 5, 99 },
	{ "42 (\xff\xfe\xc0\xaf)" TAIL, 0, 0, PROCSTAT_OK, 0, 42, "\xff\xfe\xc0\xaf", 0, 'S', 1,
	  11, 12, 5, 99 },
	{ "42 (a\0b)" TAIL, sizeof("42 (a\0b)" TAIL) - 1, 0, PROCSTAT_OK, 0, 42, "a\0b", 3, 'S', 1,
	  11, 12, 5, 99 },
	{ "42 ()" TAIL, 0, 0, PROCSTAT_OK, 0, 42, "", 0, 'S', 1, 11, 12, 5, 99 },
	{ "42 (kworker/u8:2-events_unbound_and_a_long_workqueue_name_too)" TAIL, 0, 0,
	  PROCSTAT_OK, 0, 42, "kworker/u8:2-events_unbound_and_a_long_workqueue_name_too", 0, 'S',
	  1, 11, 12, 5, 99 },
	{ "2147483647 (x)" TAIL, 0, 0, PROCSTAT_OK, 0, 2147483647, "x", 0, 'S', 1, 11, 12, 5, 99 },
	{ "1 (init) S 0 1 1 0 -1 0 0 0 0 0 9223372036854775807 0 0 0 20 0 1 0 2", 0, 0, PROCSTAT_OK,
	  0, 1, "init", 0, 'S', 0, INT64_MAX, 0, 1, 2 },
	/* tabs and repeated blanks split fields too */
	{ "42 (x)\tS  1 1 1 0 -1 0 0 0 0 0 3\t4", 0, 0, PROCSTAT_OK, 0, 42, "x", 0, 'S', 1, 3, 4,
	  -1, -1 },
	/* lines that stop after stime: what follows is simply not read */
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 3 4", 0, 0, PROCSTAT_OK, 0, 42, "x", 0, 'S', 1, 3, 4, -1,
	  -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 6", 0, 0, PROCSTAT_OK, 0, 42, "x", 0, 'S', 1,
	  3, 4, 6, -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 6 0", 0, 0, PROCSTAT_OK, 0, 42, "x", 0, 'S', 1,
	  3, 4, 6, -1 },
	/* a buffer cut inside a number: the length bounds the read */
	{ "42 (x)" TAIL, sizeof("42 (x) S 1 1 1 0 -1 4194368 3 0 0 0 11 1") - 1, 0, PROCSTAT_OK, 0,
	  42, "x", 0, 'S', 1, 11, 1, -1, -1 },

	/* truncated: the fields before are kept */
	{ "42 (x) S 1 1 1", 0, -1, PROCSTAT_TRUNCATED, 7, 42, "x", 0, 'S', 1, -1, -1, -1, -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 3", 0, -1, PROCSTAT_TRUNCATED, 15, 42, "x", 0, 'S', 1, 3,
	  -1, -1, -1 },
	{ "42 (x)", 0, -1, PROCSTAT_TRUNCATED, 3, 42, "x", 0, 0, -1, -1, -1, -1, -1 },
	{ "42 (x) ", 0, -1, PROCSTAT_TRUNCATED, 3, 42, "x", 0, 0, -1, -1, -1, -1, -1 },
	{ "42 (x) S", 0, -1, PROCSTAT_TRUNCATED, 4, 42, "x", 0, 'S', -1, -1, -1, -1, -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 3 4", 16, -1, PROCSTAT_TRUNCATED, 8, 42, "x", 0, 'S', 1,
	  -1, -1, -1, -1 },

	/* not a stat line */
	{ "", 0, -1, PROCSTAT_BAD_FORMAT, 1, -1, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "(x) S 1", 0, -1, PROCSTAT_BAD_FORMAT, 1, -1, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "x (x) S 1", 0, -1, PROCSTAT_BAD_FORMAT, 1, -1, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "-1 (x) S 1", 0, -1, PROCSTAT_BAD_FORMAT, 1, -1, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "2147483648 (x)" TAIL, 0, -1, PROCSTAT_BAD_FORMAT, 1, -1, NULL, 0, 0, -1, -1, -1, -1,
	  -1 },
	{ "99999999999999999999999 (x)" TAIL, 0, -1, PROCSTAT_BAD_FORMAT, 1, -1, NULL, 0, 0, -1, -1,
	  -1, -1, -1 },
	{ "42(x)" TAIL, 0, -1, PROCSTAT_BAD_FORMAT, 2, -1, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "42", 0, -1, PROCSTAT_BAD_FORMAT, 2, -1, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "42 (", 0, -1, PROCSTAT_BAD_FORMAT, 2, 42, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "42 (x S 1 1 1 0 -1 0 0 0 0 0 3 4", 0, -1, PROCSTAT_BAD_FORMAT, 2, 42, NULL, 0, 0, -1, -1,
	  -1, -1, -1 },
	/* a newline in the comm, the line split there: the first half has no ')' */
	{ "42 (a\nb)" TAIL, 5, -1, PROCSTAT_BAD_FORMAT, 2, 42, NULL, 0, 0, -1, -1, -1, -1, -1 },
	{ "42 (x) SS 1", 0, -1, PROCSTAT_BAD_FORMAT, 3, 42, "x", 0, 0, -1, -1, -1, -1, -1 },
	{ "42 (x) S x 1 1 0", 0, -1, PROCSTAT_BAD_NUMBER, 4, 42, "x", 0, 'S', -1, -1, -1, -1, -1 },
	{ "42 (x) S -1 1 1 0", 0, -1, PROCSTAT_BAD_NUMBER, 4, 42, "x", 0, 'S', -1, -1, -1, -1, -1 },
	{ "42 (x) S 2147483648 1", 0, -1, PROCSTAT_BAD_NUMBER, 4, 42, "x", 0, 'S', -1, -1, -1, -1,
	  -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 -5 2", 0, -1, PROCSTAT_BAD_NUMBER, 14, 42, "x", 0, 'S', 1,
	  -1, -1, -1, -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 5 9223372036854775808", 0, -1, PROCSTAT_BAD_NUMBER, 15, 42,
	  "x", 0, 'S', 1, 5, -1, -1, -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 many", 0, -1, PROCSTAT_BAD_NUMBER, 20, 42,
	  "x", 0, 'S', 1, 5, 6, -1, -1 },
	{ "42 (x) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 0x10", 0, -1, PROCSTAT_BAD_NUMBER, 22, 42,
	  "x", 0, 'S', 1, 5, 6, 1, -1 },
};

static void check_case(size_t i, const struct stat_case *c)
{
	size_t len = c->len ? c->len : strlen(c->line);
	/* exactly len bytes: malloc(0) may return NULL, so one more, unused */
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, c->line, len);
	struct procstat ps;
	int rc = procstat_parse(&ps, buf, len);
	if (rc != c->rc || ps.error != c->error || ps.err_field != c->err_field)
		fail_msg("case %zu: rc %d error %d field %d (%s)", i, rc, ps.error, ps.err_field,
			 ps.err);
	if (rc == 0 && ps.err[0])
		fail_msg("case %zu: error text '%s' on success", i, ps.err);
	if (rc < 0 && !ps.err[0])
		fail_msg("case %zu: no error text", i);
	if (ps.pid != c->pid || ps.state != c->state || ps.ppid != c->ppid ||
	    ps.utime != c->utime || ps.stime != c->stime || ps.num_threads != c->num_threads ||
	    ps.starttime != c->starttime)
		fail_msg("case %zu: pid %d state %c ppid %d utime %lld stime %lld threads %lld "
			 "start %lld", i, ps.pid, ps.state ? ps.state : '-', ps.ppid,
			 (long long)ps.utime, (long long)ps.stime, (long long)ps.num_threads,
			 (long long)ps.starttime);
	if (!c->comm) {
		assert_null(ps.comm);
	} else {
		size_t cl = c->comm_len ? c->comm_len : strlen(c->comm);
		if (!ps.comm || ps.comm_len != cl || memcmp(ps.comm, c->comm, cl) != 0)
			fail_msg("case %zu: comm '%.*s'", i, (int)ps.comm_len,
				 ps.comm ? ps.comm : "");
		assert_true(ps.comm >= buf && ps.comm + ps.comm_len <= buf + len);
	}
	free(buf);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(i, &cases[i]);
}

/* Every prefix of a real line: never a read past the length, never a
 * field past the cut. */
static void test_every_prefix(void **state)
{
	(void)state;
	const char *line = "24361 (py) thon3) S 24354 24349 3004 0 -1 4194368 387 0 0 0 7 8 0 0 20 "
			   "0 7 0 180041 470347776 2887\n";
	size_t n = strlen(line);
	for (size_t len = 0; len <= n; len++) {
		char *buf = malloc(len + 1);
		assert_non_null(buf);
		memcpy(buf, line, len);
		struct procstat ps;
		int rc = procstat_parse(&ps, buf, len);
		assert_true(rc == 0 || rc == -1);
		if (rc == 0) {
			assert_int_equal(ps.utime, 7);
			assert_true(ps.stime == 8);	/* a cut "8" is still 8 */
		}
		if (ps.comm)
			assert_true(ps.comm + ps.comm_len <= buf + len);
		free(buf);
	}
}

static size_t read_all(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

/* This process: its stat and every thread's agree with what the kernel
 * says elsewhere. */
static void test_self(void **state)
{
	(void)state;
	char buf[4096], comm[64];
	size_t n = read_all("/proc/self/stat", buf, sizeof(buf));
	assert_true(n > 0);
	struct procstat ps;
	if (procstat_parse(&ps, buf, n) != 0)
		fail_msg("/proc/self/stat: %s: %.*s", ps.err, (int)n, buf);
	assert_int_equal(ps.pid, getpid());
	assert_int_equal(ps.ppid, getppid());
	assert_int_equal(ps.state, 'R');
	assert_true(ps.utime >= 0 && ps.stime >= 0 && ps.starttime > 0);
	assert_int_equal(ps.num_threads, 1);
	size_t cn = read_all("/proc/self/comm", comm, sizeof(comm));
	assert_true(cn > 0 && comm[cn - 1] == '\n');
	assert_int_equal(ps.comm_len, cn - 1);
	assert_memory_equal(ps.comm, comm, cn - 1);

	DIR *d = opendir("/proc/self/task");
	assert_non_null(d);
	struct dirent *e;
	int tasks = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
		n = read_all(path, buf, sizeof(buf));
		assert_true(n > 0);
		struct procstat ts;
		if (procstat_parse(&ts, buf, n) != 0)
			fail_msg("%s: %s", path, ts.err);
		assert_int_equal(ts.pid, atoi(e->d_name));
		assert_int_equal(ts.ppid, ps.ppid);
		assert_int_equal(ts.starttime, ps.starttime);
		tasks++;
	}
	closedir(d);
	assert_int_equal(tasks, 1);
}

/* The recorded lines of the lab (grep -H layout: "PATH:LINE"). */
static void test_samples(void **state)
{
	(void)state;
	FILE *f = fopen("samples/prefork-condvar-w8/proc-task-24361-3.txt", "r");
	assert_non_null(f);
	char line[4096];
	size_t stats = 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strstr(line, "/stat:");
		if (!colon)
			continue;
		const char *p = colon + 6;
		struct procstat ps;
		if (procstat_parse(&ps, p, strlen(p)) != 0)
			fail_msg("%s: %s", line, ps.err);
		/* the path names the same task */
		const char *task = strstr(line, "/task/");
		int32_t tid = task ? (int32_t)atoi(task + 6) : (int32_t)atoi(line + 6);
		assert_int_equal(ps.pid, tid);
		assert_int_equal(ps.num_threads, 7);
		assert_true(ps.starttime >= 180041);	/* the process's own */
		stats++;
	}
	fclose(f);
	assert_true(stats >= 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
