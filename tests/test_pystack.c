/* test_pystack.c — the CPython 3.11 frame reader (probes/pystack.c): the
 * location table against what CPython itself says (co_lines() of a real
 * function), garbage tables, a process without Python, and a real
 * /usr/bin/python3 child sampled with ps_sample() (skipped when it is not
 * CPython 3.11 or ptrace is not permitted). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probes/ptrace_sample.h"
#include "probes/pystack.h"

/* CPython 3.11.2's co_linetable of
 *
 *   def sample(a, b):                    # line 1
 *       x = a + b
 *       if x > 3:
 *           y = [i * 2
 *                for i in range(x)]
 *       else:
 *           y = None
 *
 *       try:
 *           z = 1 / a
 *       except ZeroDivisionError:
 *           z = 0
 *       return x, y, z
 *
 * and, per code unit, the line co_lines() gives (-1: None), printed by
 * /usr/bin/python3.11 (see the session notes in the commit). */
static const uint8_t lt_sample[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xd8, 0x07, 0x08, 0x88,
	0x31, 0x82, 0x75, 0x80, 0x75, 0xf0, 0x02, 0x01, 0x0d, 0x20, 0xf0, 0x00, 0x01, 0x0d, 0x20,
	0xdd, 0x16, 0x1b, 0x98, 0x41, 0x91, 0x68, 0x94, 0x68, 0xf0, 0x03, 0x01, 0x0d, 0x20, 0xf1,
	0x00, 0x01, 0x0d, 0x20, 0xf4, 0x00, 0x01, 0x0d, 0x20, 0x88, 0x01, 0x88, 0x01, 0xf0, 0x06,
	0x00, 0x0d, 0x11, 0x88, 0x01, 0xf0, 0x04, 0x03, 0x05, 0x0e, 0xd8, 0x0c, 0x0d, 0x90, 0x01,
	0x89, 0x45, 0x88, 0x01, 0x88, 0x01, 0xf8, 0xdd, 0x0b, 0x1c, 0xf0, 0x00, 0x01, 0x05, 0x0e,
	0xf0, 0x00, 0x01, 0x05, 0x0e, 0xf0, 0x00, 0x01, 0x05, 0x0e, 0xd8, 0x0c, 0x0d, 0x88, 0x01,
	0x88, 0x01, 0x88, 0x01, 0xf0, 0x03, 0x01, 0x05, 0x0e, 0xf8, 0xf8, 0xf8, 0xe0, 0x0b, 0x0c,
	0x88, 0x61, 0x90, 0x11, 0x88, 0x37, 0x80, 0x4e,
};
static const int lines_sample[] = {
	1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 7, 7, 9, 10, 10, 10, 10, 10, 10, -1, 11, 11, 11, 11, 11, 11,
	11, 11, 11, 12, 12, 12, 12, 11, -1, -1, -1, 13, 13, 13, 13, 13,
};

static void test_addr2line(void **state)
{
	(void)state;
	size_t n = sizeof(lines_sample) / sizeof(lines_sample[0]);
	for (size_t i = 0; i < n; i++) {
		int got = pyr_addr2line(lt_sample, sizeof(lt_sample), 1, (int)(2 * i));
		if (got != lines_sample[i])
			fail_msg("code unit %zu (byte %zu): line %d, CPython says %d", i, 2 * i, got,
				 lines_sample[i]);
	}
	/* before the first instruction: co_firstlineno (PyCode_Addr2Line) */
	assert_int_equal(pyr_addr2line(lt_sample, sizeof(lt_sample), 1, -2), 1);
	/* past the end: unknown */
	assert_int_equal(pyr_addr2line(lt_sample, sizeof(lt_sample), 1, (int)(2 * n)), -1);
	/* the first line shifts everything */
	assert_int_equal(pyr_addr2line(lt_sample, sizeof(lt_sample), 101, 2 * 41), 110);
}

static void test_addr2line_garbage(void **state)
{
	(void)state;
	/* truncated tables and random bytes: a line or -1, never a read past the end
	 * (ASan watches the heap copies) */
	for (size_t cut = 0; cut <= sizeof(lt_sample); cut++) {
		uint8_t *t = malloc(cut ? cut : 1);
		assert_non_null(t);
		memcpy(t, lt_sample, cut);
		for (int q = -4; q < 160; q += 2)
			(void)pyr_addr2line(t, cut, 1, q);
		free(t);
	}
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(round % 64) + 1;
		uint8_t *t = malloc(len);
		assert_non_null(t);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			t[i] = (uint8_t)(seed >> 16);
		}
		for (int q = 0; q < 200; q += 2)
			(void)pyr_addr2line(t, len, 1, q);
		free(t);
	}
	/* a continuation byte where an entry must start: corrupt */
	static const uint8_t bad[] = { 0x05 };
	assert_int_equal(pyr_addr2line(bad, 1, 1, 0), -1);
}

static void test_not_python(void **state)
{
	(void)state;
	char note[256];
	/* this test binary has no python module: no reader, nothing to say */
	struct py_reader *r = pyr_open(getpid(), note, sizeof(note));
	assert_null(r);
	assert_string_equal(note, "");
}

static bool ptrace_allowed(void)
{
	if (geteuid() == 0)
		return true;
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	int v = 0;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v == 0;
}

static const char py_src[] =
	"import os, sys, threading\n"
	"def parked():\n"
	"    ev = threading.Event()\n"
	"    sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
	"    ev.wait()\n"
	"def outer():\n"
	"    parked()\n"
	"outer()\n";

static void test_python_child(void **state)
{
	(void)state;
	if (!ptrace_allowed() || access("/usr/bin/python3", X_OK) != 0)
		skip();
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/usr/bin/python3", "python3", "-c", py_src, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char buf[16] = "";
	ssize_t got;
	do
		got = read(fds[0], buf, sizeof(buf) - 1);
	while (got < 0 && errno == EINTR);
	close(fds[0]);
	if (got <= 0 || strncmp(buf, "ready", 5) != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("python3 child did not start");
	}
	char err[PS_ERR_SIZE];
	struct ps_session *ps = ps_open(pid, err, sizeof(err));
	assert_non_null(ps);
	const char *note = ps_python_note(ps);
	if (!strstr(note, "CPython 3.11")) {
		ps_close(ps);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		print_message("# not CPython 3.11 (%s): skipped\n", note);
		skip();
	}
	struct ps_sample s;
	/* the child may still be between write() and ev.wait(): sample until the
	 * innermost frame is wait(), a few times at most */
	bool seen = false;
	for (int round = 0; round < 20 && !seen; round++) {
		assert_int_equal(ps_sample(ps, &s, err, sizeof(err)), 0);
		assert_true(s.python_ns >= 0);
		for (size_t i = 0; i < s.n_threads; i++) {
			const struct ps_thread *t = &s.threads[i];
			if (t->tid != pid || t->n_py < 4)
				continue;
			/* Condition.wait <- Event.wait (both threading.py) <- parked <-
			 * outer <- <module>, innermost first */
			if (strcmp(t->py[0].function, "wait") != 0)
				continue;
			uint32_t k = 0;
			while (k < t->n_py && strstr(t->py[k].file, "threading.py"))
				k++;
			assert_true(k >= 1 && k + 3 == t->n_py);
			assert_string_equal(t->py[k].function, "parked");
			assert_string_equal(t->py[k].file, "<string>");
			assert_int_equal(t->py[k].line, 5);
			assert_string_equal(t->py[k + 1].function, "outer");
			assert_int_equal(t->py[k + 1].line, 7);
			assert_string_equal(t->py[k + 2].function, "<module>");
			assert_int_equal(t->py[k + 2].line, 8);
			assert_int_equal(t->py_status, 1);
			seen = true;
		}
		if (!seen)
			usleep(20000);
	}
	ps_close(ps);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_true(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr2line),
		cmocka_unit_test(test_addr2line_garbage),
		cmocka_unit_test(test_not_python),
		cmocka_unit_test(test_python_child),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
