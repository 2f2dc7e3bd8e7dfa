/* test_parse_strace.c — the tracer readers: parse_strace.c (strace,
 * strace -c), parse_ltrace.c and trace_model.c (threads, their ends as
 * samples, failure loops), read through the whole pipeline where it
 * matters (classify.c, rules/fd_exhaustion.c).
 *
 * Lines good and bad side by side (STYLE.md §11); the public traces of
 * tests/data/traces/ (README.md there) and the lab recordings in
 * tests/data/traces/lab/; every file cut at many points and hostile input
 * (NUL, huge numbers, 10 MB line, thousands of threads). Buffers are
 * exact-size heap copies freed before the checks. */
#include "testutil.h"

#include <math.h>
#include <sys/syscall.h>

#include "derive/classify.h"
#include "input/syscall_names.h"

static struct analysis *parse_str(const char *kind, const char *display, const char *text)
{
	return parse_heap_copy(kind, display, text, strlen(text));
}


static const struct stack_sample *last_sample(const struct thread *t)
{
	assert_true(t->samples.n > 0);
	return &t->samples.v[t->samples.n - 1];
}

static const struct syscall_failure *failure(const struct process *p, const char *call,
					     const char *err)
{
	for (size_t i = 0; p && i < p->syscall_failures.n; i++) {
		const struct syscall_failure *f = &p->syscall_failures.v[i];
		if (strcmp(f->syscall, call) == 0 &&
		    ((!err && !f->error) || (err && f->error && strcmp(f->error, err) == 0)))
			return f;
	}
	return NULL;
}

/* ---- syscall names */

static void test_syscall_names(void **state)
{
	(void)state;
	assert_int_equal(syscall_nr_by_name("futex", 5), SYS_futex);
	assert_int_equal(syscall_nr_by_name("accept4", 7), SYS_accept4);
	assert_int_equal(syscall_nr_by_name("accept", 6), SYS_accept);
	assert_int_equal(syscall_nr_by_name("epoll_wait", 10), SYS_epoll_wait);
	assert_int_equal(syscall_nr_by_name("read", 4), SYS_read);
	assert_int_equal(syscall_nr_by_name("futexx", 6), -2);
	assert_int_equal(syscall_nr_by_name("fut", 3), -2);
	assert_int_equal(syscall_nr_by_name("", 0), -2);
	assert_int_equal(syscall_nr_by_name("pthread_mutex_lock", 18), -2);
	assert_true(syscall_name_known("io_uring_enter", 14));
	assert_false(syscall_name_known("malloc", 6));
#if defined(__x86_64__)
	assert_int_equal(syscall_nr_by_name("futex", 5), 202);	/* classify.c's NR_futex */
#endif
}

/* ---- one line each: prefix, time, pending or complete */

static const struct line_case {
	const char *text;
	int32_t pid, tid;	/* where the thread lands */
	int samples;		/* 2: pending since the attach; 1; 0 none */
	int64_t nr;		/* the sample's syscall */
	uint64_t addr, op;	/* futex arguments */
	bool timed;
} line_cases[] = {
	/* the terminal, -f: the attach burst (every thread's call pending) */
	{ "strace: Process 1234 attached with 2 threads\n"
	  "[pid  1235] futex(0x55e3065555c8, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, "
	  "NULL, FUTEX_BITSET_MATCH_ANY <unfinished ...>\n", 1234, 1235, 2, SYS_futex,
	  0x55e3065555c8, 9 | 128 | 256, false },
	/* -o FILE -f: "%-5u " and -tt */
	{ "1235  17:40:58.230651 futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, NULL <unfinished ...>\n",
	  4242, 1235, 2, SYS_futex, 0x7f00, 128, false },	/* the file name's pid */
	/* -ttt, a timeout */
	{ "strace: Process 7 attached\n"
	  "1796405741.659766 futex(0x10, FUTEX_WAIT_PRIVATE, 0, {tv_sec=4, tv_nsec=999}\n", 7, 7,
	  2, SYS_futex, 0x10, 128, true },
	/* --decode-pids=comm */
	{ "strace: Process 40 attached\n[pid    41<python3>] read(5,  <unfinished ...>\n", 40, 41,
	  2, SYS_read, 0, 0, false },
	/* -r and -n and -i */
	{ "strace: Process 50 attached\n     0.000123 [ 232] [00007f0be180cebf] epoll_wait(4,  "
	  "<unfinished ...>\n", 50, 50, 2, SYS_epoll_wait, 0, 0, false },
	/* a call cut by Ctrl-C on the terminal (strace 4.x) */
	{ "Process 10853 attached - interrupt to quit\nfutex(0x49e6b78, FUTEX_WAIT_PRIVATE, 2, "
	  "NULL^C <unfinished ...>\nProcess 10853 detached\n", 10853, 10853, 2, SYS_futex,
	  0x49e6b78, 128, false },
	/* restart_syscall of a futex: a timed wait */
	{ "strace: Process 60 attached\nrestart_syscall(<... resuming interrupted futex ...> "
	  "<unfinished ...>\n", 60, 60, 2, SYS_futex, 0, 0, true },
	/* right after attaching "read" is strace not knowing: unknown */
	{ "strace: Process 61 attached\nrestart_syscall(<... resuming interrupted read ...> "
	  "<unfinished ...>\n", 61, 61, 2, -2, 0, 0, false },
	/* a completed call: the thread is between calls, nothing known */
	{ "strace: Process 70 attached\nclose(3) = 0\n", 70, 70, 1, -2, 0, 0, false },
	/* -X raw: futex op as a number */
	{ "strace: Process 80 attached\nfutex(0x20, 0x80, 2, NULL <unfinished ...>\n", 80, 80, 2,
	  SYS_futex, 0x20, 128, false },
	/* the pid from the file name when nothing else names it */
	{ "accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>\n", 4242, 4242, 2, SYS_accept4, 0,
	  0, false },
};

static void test_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *lc = &line_cases[i];
		struct analysis *an = parse_str("strace", "strace-4242.txt", lc->text);
		const struct thread *t = test_thread(an, lc->pid, lc->tid);
		assert_int_equal(t->samples.n, (size_t)lc->samples);
		const struct stack_sample *s = last_sample(t);
		if (s->syscall_nr != lc->nr)
			fail_msg("case %zu: syscall %lld, want %lld", i, (long long)s->syscall_nr,
				 (long long)lc->nr);
		if (lc->nr == SYS_futex) {
			assert_int_equal(s->syscall_args[0], lc->addr);
			if (lc->op)
				assert_int_equal(s->syscall_args[1], lc->op);
			assert_int_equal(s->syscall_args[3] != 0, lc->timed);
		}
		assert_non_null(s->src.text);
		analysis_free(an);
	}
}

/* A thread stuck in a futex wait for the whole trace is two looks at the
 * same wait: classify.c calls it stuck; one entered at the end is one. */
static void test_pending_whole_or_late(void **state)
{
	(void)state;
	const char *text =
		"strace: Process 100 attached with 3 threads\n"
		"[pid   102] 10:00:00.000000 futex(0xa0, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n"
		"[pid   100] 10:00:00.000100 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5\n"
		"[pid   100] 10:00:00.100000 write(5, \"x\", 1) = 1\n"
		"[pid   101] 10:00:01.000000 read(6, \"a\", 1) = 1\n"
		"[pid   101] 10:00:01.500000 futex(0xb0, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n"
		"[pid   100] 10:00:09.900000 accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>\n"
		"[pid   101] 10:00:10.000000 <... futex resumed>) = 0\n"
		"[pid   101] 10:00:10.000001 futex(0xb0, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n";
	struct analysis *an = parse_str("strace", "t.txt", text);
	assert_int_equal(test_thread(an, 100, 102)->samples.n, 2);	/* since the attach */
	assert_int_equal(test_thread(an, 100, 101)->samples.n, 1);	/* entered at the end */
	assert_int_equal(test_thread(an, 100, 100)->samples.n, 1);
	/* the times: the entry and the end of the trace, 10 s apart */
	const struct thread *t = test_thread(an, 100, 102);
	analysis_diagnose(an);
	assert_int_equal(t->state, THR_STUCK);
	assert_int_equal(test_thread(an, 100, 100)->state, THR_WAITING_FOR_WORK);
	assert_int_equal(test_thread(an, 100, 101)->state, THR_SLEEPING);
	assert_int_equal(test_process(an, 100)->state, PST_HEALTHY);	/* still accepting */
	analysis_free(an);
}

/* Resumed pairs, strace's messages written into an open line, -T, a
 * result padded to column 40, the final " <detached ...>". */
static void test_resumed_and_messages(void **state)
{
	(void)state;
	const char *text =
		"strace: Process 10239 attached with 2 threads\n"
		"[pid 10248] futex(0x56, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n"
		"[pid 10239] accept4(3, NULL, NULL, SOCK_CLOEXEC <unfinished ...>\n"
		"[pid 10239] <... accept4 resumed>)      = 4 <0.576115>\n"
		"[pid 10248] <... futex resumed> )       = 0\n"
		"[pid 10248] read(4, \"GET / HTTP/1.0\\r\\n\\r\\n\", 2048) = 18\n"
		"[pid 10248] write(4, \"a = b) = c\", 10) = 10\n"
		"[pid 10239] accept4(3, NULL, NULL, SOCK_CLOEXECstrace: Process 10239 detached\n"
		" <detached ...>\n"
		"strace: Process 10248 detached\n";
	struct analysis *an = parse_str("strace", "t.txt", text);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	const struct stack_sample *s = last_sample(test_thread(an, 10239, 10239));
	assert_int_equal(s->syscall_nr, SYS_accept4);
	/* 10248's futex returned: between calls at the end */
	assert_int_equal(last_sample(test_thread(an, 10239, 10248))->syscall_nr, -2);
	analysis_free(an);
}

/* An EMFILE loop up to the end: a running thread and a failure fact; an
 * EAGAIN loop (a non-blocking accept with nothing queued) is no loop. */
static void test_failure_loops(void **state)
{
	(void)state;
	char text[8192];
	size_t off = (size_t)snprintf(text, sizeof(text), "strace: Process 300 attached\n");
	for (int i = 0; i < 12; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"epoll_wait(4, [{events=EPOLLIN, data={u32=3, u64=3}}], 16, -1) = 1\n"
					"accept4(3, NULL, NULL, SOCK_NONBLOCK) = -1 EMFILE (Too many open files)\n");
	off += (size_t)snprintf(text + off, sizeof(text) - off, "epoll_wait(4, ");
	struct analysis *an = parse_heap_copy("strace", "t.txt", text, off);
	const struct process *p = test_process(an, 300);
	const struct syscall_failure *f = failure(p, "accept4", "EMFILE");
	assert_non_null(f);
	assert_int_equal(f->failures, 12);
	assert_int_equal(f->calls, 12);
	assert_true(f->at_end);
	assert_int_equal(f->tid, 300);
	assert_int_equal(f->src.line, 3);
	const struct stack_sample *s = last_sample(test_thread(an, 300, 300));
	assert_int_equal(s->state, 'R');
	assert_int_equal(s->syscall_nr, -1);
	analysis_diagnose(an);
	assert_non_null(analysis_find(an, "fd-exhaustion", NULL));
	assert_int_equal(test_process(an, 300)->state, PST_BUSY);
	analysis_free(an);

	off = (size_t)snprintf(text, sizeof(text), "strace: Process 301 attached\n");
	for (int i = 0; i < 12; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"accept4(3, NULL, NULL, SOCK_NONBLOCK) = -1 EAGAIN (Resource "
					"temporarily unavailable)\n");
	an = parse_heap_copy("strace", "t.txt", text, off);
	f = failure(test_process(an, 301), "accept4", "EAGAIN");
	assert_non_null(f);
	assert_false(f->at_end);	/* ordinary, not a loop */
	analysis_diagnose(an);
	assert_null(analysis_find(an, "fd-exhaustion", NULL));
	analysis_free(an);

	/* fewer than the loop: a burst that passed */
	an = parse_str("strace", "t.txt",
		       "strace: Process 302 attached\n"
		       "accept(4, 0x7ff, [16]) = -1 EMFILE (Too many open files)\n"
		       "accept(4, 0x7ff, [16]) = 5\n");
	assert_non_null(failure(test_process(an, 302), "accept", "EMFILE"));
	assert_false(failure(test_process(an, 302), "accept", "EMFILE")->at_end);
	assert_int_equal(failure(test_process(an, 302), "accept", "EMFILE")->calls, 2);
	analysis_free(an);
}

/* clone()/fork(): threads of one process, children processes of their own */
static void test_clone_and_fork(void **state)
{
	(void)state;
	const char *text =
		"strace: Process 500 attached\n"
		"clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
		"CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
		"parent_tid=[501], tls=0x7f, child_tidptr=0x7f) = 501\n"
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		"child_tidptr=0x7f) = 600\n"
		"[pid   501] futex(0x1, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n"
		"[pid   600] accept(3, NULL, NULL <unfinished ...>\n"
		"[pid   500] wait4(-1,  <unfinished ...>\n";
	struct analysis *an = parse_str("strace", "t.txt", text);
	assert_non_null(test_thread(an, 500, 501));
	assert_non_null(test_thread(an, 600, 600));
	assert_int_equal(test_process(an, 600)->ppid, 500);
	analysis_free(an);
}

/* Several `strace -p` runs in one file are several processes. */
static void test_sessions(void **state)
{
	(void)state;
	const char *text =
		"# strace -p 11\n"
		"Process 11 attached - interrupt to quit\n"
		"futex(0x5, FUTEX_WAIT_PRIVATE, 2, NULL^C <unfinished ...>\n"
		"Process 11 detached\n"
		"# strace -p 12\n"
		"Process 12 attached - interrupt to quit\n"
		"read(10, ^C <unfinished ...>\n"
		"Process 12 detached\n"
		"$ strace -p 13\n"
		"strace: Process 13 attached\n"
		"select(0, NULL, NULL, NULL, {193, 283439}^C <unfinished ...>\n"
		"strace: Process 13 detached\n";
	struct analysis *an = parse_str("strace", "t.txt", text);
	assert_int_equal(last_sample(test_thread(an, 11, 11))->syscall_nr, SYS_futex);
	assert_int_equal(last_sample(test_thread(an, 12, 12))->syscall_nr, SYS_read);
	assert_int_equal(last_sample(test_thread(an, 13, 13))->syscall_nr, SYS_select);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	analysis_free(an);
}

/* strace -c: columns by the divider's extents, errors blank for 0 */
static void test_strace_c(void **state)
{
	(void)state;
	const char *text =
		"strace: Process 24380 attached with 3 threads\n"
		"strace: Process 24380 detached\n"
		"% time     seconds  usecs/call     calls    errors syscall\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		" 52.55    0.032445           1     29378           epoll_wait\n"
		" 47.45    0.029294           0     29378     29378 accept4\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		"100.00    0.061739           1     58756     29378 total\n";
	struct analysis *an = parse_str("strace-c", "t.txt", text);
	assert_int_equal(an->inputs.v[0].records, 2);
	const struct syscall_failure *f = failure(test_process(an, 24380), "accept4", NULL);
	assert_non_null(f);
	assert_int_equal(f->failures, 29378);
	assert_int_equal(f->calls, 29378);
	assert_null(failure(test_process(an, 24380), "epoll_wait", NULL));
	assert_int_equal(an->notes.n, 1);	/* every call failed, errno not named */
	/* alone it says nothing of EMFILE: no finding */
	analysis_diagnose(an);
	assert_null(analysis_find(an, "fd-exhaustion", NULL));
	analysis_free(an);

	/* no divider (a paste lost it), comma decimals, no pid: read, partial */
	an = parse_str("strace-c", "t.txt",
		       "% time     seconds  usecs/call     calls    errors syscall\n"
		       " 33,78    0,000229          28         8           mmap\n"
		       " 10,00    0,000010           1         5         5 access\n"
		       "100,00    0,000239           3        13         5 total\n");
	assert_int_equal(an->inputs.v[0].records, 2);
	assert_int_equal(an->inputs.v[0].status, INPUT_PARTIAL);
	assert_int_equal(an->inc.processes.n, 0);
	analysis_free(an);

	/* a bad number */
	an = parse_str("strace-c", "strace-c-77.txt",
		       "% time     seconds  usecs/call     calls    errors syscall\n"
		       "------ ----------- ----------- --------- --------- ----------------\n"
		       " 47.45    0.029294           0     29x78     29378 accept4\n");
	assert_int_equal(count_diags(an, DIAG_BAD_NUMBER), 1);
	analysis_free(an);
}

/* ---- ltrace */

static void test_ltrace(void **state)
{
	(void)state;
	const char *text =
		"# ltrace -f -p 20663\n"
		"[pid 20663] pthread_mutex_lock(0x5605b5d54520, 0, 0, 0) = 0\n"
		"[pid 20665] pthread_cond_wait(0xb5d545a0, 0xb5d54520, 0, 0 <unfinished ...>\n"
		"[pid 20664] exe->pthread_mutex_lock(0xb5d54520, 0, 0, 0 <unfinished ...>\n"
		"[pid 20663] accept4(3, 0, 0, 0x80000 <unfinished ...>\n"
		"[pid 20666] SYS_futex(0x55d4c8e0e520, 128, 2, 0 <unfinished ...>\n"
		"[pid 20667] malloc@libc.so.6(24) = 0x55d4\n"
		"[pid 20663] <... accept4 resumed> ) = 5\n"
		"[pid 20663] accept4(3, 0, 0, 0x80000";
	struct analysis *an = parse_str("ltrace", "t.txt", text);
	const struct stack_sample *s = last_sample(test_thread(an, 20663, 20665));
	assert_int_equal(s->n_frames, 1);
	assert_string_equal(s->frames[0].function, "pthread_cond_wait");
	assert_int_equal(test_thread(an, 20663, 20665)->samples.n, 2);
	s = last_sample(test_thread(an, 20663, 20664));
	assert_string_equal(s->frames[0].function, "pthread_mutex_lock");
	s = last_sample(test_thread(an, 20663, 20666));
	assert_int_equal(s->n_frames, 0);
	assert_int_equal(s->syscall_nr, SYS_futex);
	assert_int_equal(s->syscall_args[1], 128);
	s = last_sample(test_thread(an, 20663, 20663));
	assert_string_equal(s->frames[0].function, "accept4");	/* cut last line: pending */
	analysis_diagnose(an);
	assert_int_equal(test_thread(an, 20663, 20665)->blocked, BLK_CONDVAR);
	assert_int_equal(test_thread(an, 20663, 20664)->blocked, BLK_MUTEX);
	assert_int_equal(test_thread(an, 20663, 20663)->state, THR_WAITING_FOR_WORK);
	analysis_free(an);

	/* the program's output cut into a call; then ")" ends it */
	an = parse_str("ltrace", "ltrace-990.txt",
		       "__printf_chk(1, 0x55bffcd65480, 1, 1Active Internet connections\n"
		       ")                                                 = 80\n"
		       "fopen(\"/proc/net/tcp\", \"r\")                     = 0x55bffe70b390\n");
	assert_int_equal(last_sample(test_thread(an, 990, 990))->n_frames, 0);
	analysis_free(an);
}

/* ---- what a file is: strace, strace -c, ltrace, ltrace -c, not others */

static const struct sniff_case {
	const char *text, *kind;
} sniff_cases[] = {
	{ "strace: Process 1 attached\nfutex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n", "strace" },
	{ "read(3, \"x\", 1) = 1\nclose(3)                                = 0\n", "strace" },
	{ "1230  14:50:52 epoll_wait(0, {{EPOLLIN, {u32=5, u64=5}}}, 64, -1) = 1\n"
	  "1230  14:50:52 recvfrom(5, \"\", 4096, 0, NULL, NULL) = 0\n", "strace" },
	{ "strace: Process 24380 attached\n% time     seconds  usecs/call     calls    errors syscall\n"
	  "------ ----------- ----------- --------- --------- ----------------\n"
	  " 47.45    0.029294           0     29378     29378 accept4\n", "strace-c" },
	{ "[pid 1] pthread_mutex_lock(0x1, 0, 0, 0) = 0\n[pid 1] pthread_cond_wait(0x2, 0x1, 0, 0 "
	  "<unfinished ...>\n", "ltrace" },
	{ "06:49:18 node->uv_mutex_init(0x3921920, 0x7ffd, 0x7ffd, 0x386b) = 0\n"
	  "06:49:18 node->uv_hrtime(3, 0x7ffd, 0x7ffd, 0x386b) = 0x796\n", "ltrace" },
	{ "% time     seconds  usecs/call     calls      function\n"
	  "------ ----------- ----------- --------- --------------------\n"
	  " 24.80    0.015315         161        95 puts\n", "ltrace" },
	/* not traces */
	{ "#0  0x00007f in read () from /lib64/libc.so.6\n#1  0x00007f in main ()\n", "pstack" },
	{ "net.core.somaxconn = 4096\nnet.ipv4.tcp_syncookies = 1\n", "sysctl" },
};

static void test_sniff(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sniff_cases) / sizeof(sniff_cases[0]); i++) {
		const char *got = sniff_name(sniff_cases[i].text, strlen(sniff_cases[i].text));
		if (strcmp(got, sniff_cases[i].kind) != 0)
			fail_msg("sniff case %zu: %s, want %s", i, got, sniff_cases[i].kind);
	}
}

/* ---- real files */

static const struct file_case {
	const char *path, *kind;
	enum input_status status;
	size_t processes, threads;
	int32_t pid, tid;	/* a thread to look at, 0 none */
	int64_t nr;		/* its last sample's syscall */
} file_cases[] = {
	/* lab (public traces were read by hand when the reader was written, see
	 * tests/data/traces/README.md; material fetched from public repositories
	 * is not committed here) */
	{ "tests/data/traces/lab/strace-f-tt-T-o.txt", "strace", INPUT_OK, 1, 4, 19992, 19992,
	  SYS_accept4 },
	/* 5 threads attached; the spinning one makes no system call */
	{ "tests/data/traces/lab/strace-f-p-healthy-worker.txt", "strace", INPUT_OK, 1, 4, 19993,
	  19993, SYS_accept4 },
	{ "tests/data/traces/lab/strace-f-tt-o-emfile.txt", "strace", INPUT_OK, 1, 3, 6470, 6470, -1 },
	{ "tests/data/traces/lab/ltrace-f-tt-e.txt", "ltrace", INPUT_OK, 1, 4, 20667, 20668, -2 },
	{ "tests/field/lab-strace-prefork-stuck/strace-f-tt-p-W0.txt", "strace", INPUT_OK, 1, 4,
	  25318, 25318, SYS_accept4 },
	{ "tests/field/lab-ltrace-prefork-condvar/ltrace-f-tt-p-W0.txt", "ltrace", INPUT_OK, 1,
	  4, 20004, 20005, -2 },
	{ "tests/field/shaped-strace-celery-prefork/strace-p.txt", "strace", INPUT_OK, 4, 4, 22741,
	  22741, SYS_futex },
};

static void test_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		const struct file_case *fc = &file_cases[i];
		size_t n;
		char *text = read_file_whole(fc->path, &n);
		assert_string_equal(sniff_name(text, n), fc->kind);
		const char *base = strrchr(fc->path, '/') + 1;
		struct analysis *an = parse_heap_copy(fc->kind, base, text, n);
		free(text);
		if (an->inputs.v[0].status != fc->status)
			fail_msg("%s: status %d, want %d", fc->path, an->inputs.v[0].status, fc->status);
		assert_int_equal(an->inc.processes.n, fc->processes);
		size_t threads = 0;
		for (size_t k = 0; k < an->inc.processes.n; k++)
			threads += an->inc.processes.v[k]->threads.n;
		if (threads != fc->threads)
			fail_msg("%s: %zu threads, want %zu", fc->path, threads, fc->threads);
		if (fc->pid) {
			const struct stack_sample *s = last_sample(test_thread(an, fc->pid, fc->tid));
			if (s->syscall_nr != fc->nr)
				fail_msg("%s: tid %d syscall %lld, want %lld", fc->path, (int)fc->tid,
					 (long long)s->syscall_nr, (long long)fc->nr);
		}
		analysis_free(an);
	}
}

/* every lab and public file cut at many points, and damaged */
static void test_cut_and_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		if (strstr(file_cases[i].path, "asterisk"))
			continue;	/* 3.7 MB: once in test_files */
		size_t n;
		char *text = read_file_whole(file_cases[i].path, &n);
		size_t step = n / 97 + 1;
		for (size_t cut = 0; cut <= n; cut += step) {
			analysis_free(parse_heap_copy("strace", "c.txt", text, cut));
			analysis_free(parse_heap_copy("ltrace", "c.txt", text, cut));
			analysis_free(parse_heap_copy("strace-c", "c.txt", text, cut));
		}
		free(text);
	}
	static const char *const hostile[] = {
		"futex(",
		"[pid",
		"[pid 99999999999999999999] futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n",
		"[pid 1] futex(0xffffffffffffffffff, FUTEX_WAIT|FUTEX_WAIT|999999999999999999999, 0, "
		"NULL <unfinished ...>\n",
		"99:99:99.999 futex(0x1, 0, 0, NULL <unfinished ...>\n",
		"<... >\n<... x resumed\n<...  resumed>) = 0\n",
		"% time\n------\n 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n",
		"% time     seconds  usecs/call     calls    errors syscall\n-\n100 x\n",
		"restart_syscall(<... resuming interrupted \n",
		"clone() = 99999999999\nfork() = -1\nvfork() = 0\n",
		"+++ exited with 0 +++\n--- SIGINT ---\n",
		"strace: Process 1 attached\n[pid 1] )) = (( <unfinished ...>\n",
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		analysis_free(parse_str("strace", "h.txt", hostile[i]));
		analysis_free(parse_str("ltrace", "h.txt", hostile[i]));
	}
	/* NUL in a line: reported, the rest read */
	static const char nul[] = "strace: Process 5 attached\nread(3,\0 \"x\", 1) = 1\n"
				  "futex(0x1, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n";
	struct analysis *an = parse_heap_copy("strace", "n.txt", nul, sizeof(nul) - 1);
	assert_true(count_diags(an, DIAG_BAD_LINE) >= 1);
	assert_int_equal(last_sample(test_thread(an, 5, 5))->syscall_nr, SYS_futex);
	analysis_free(an);
	/* a 10 MB line */
	size_t big = 10u << 20;
	char *text = malloc(big + 64);
	assert_non_null(text);
	memcpy(text, "write(1, \"", 10);
	memset(text + 10, 'a', big);
	memcpy(text + 10 + big, "\", 9) = 9\n", 10);
	analysis_free(parse_heap_copy("strace", "big.txt", text, big + 20));
	free(text);
	/* thousands of threads: bounded, one message */
	size_t cap = 9000 * 64;
	text = malloc(cap);
	assert_non_null(text);
	size_t off = 0;
	for (int t = 1; t <= 9000; t++)
		off += (size_t)snprintf(text + off, cap - off,
					"[pid %d] futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n", t);
	an = parse_heap_copy("strace", "many-77.txt", text, off);
	assert_int_equal(count_diags(an, DIAG_LIMIT), 1);
	analysis_free(an);
	free(text);
	replay_crashers("strace", "strace");
	replay_crashers("ltrace", "ltrace");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_pending_whole_or_late),
		cmocka_unit_test(test_resumed_and_messages),
		cmocka_unit_test(test_failure_loops),
		cmocka_unit_test(test_clone_and_fork),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_strace_c),
		cmocka_unit_test(test_ltrace),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_cut_and_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
