/* test_parse_stacks.c — the offline stack readers: parse_stack_gdb.c (gdb,
 * pstack), parse_stack_eu.c (eu-stack), parse_stack_py.c (py-bt),
 * parse_proc_task.c (/proc/PID/task dumps) and stack_model.c (one sample per
 * thread per moment).
 *
 * Lines good and bad side by side (STYLE.md §11); every file of
 * ../shared/corpus/stacks/ and tests/data/stacks/ (recorded here by
 * tests/data/stacks/record.sh, see its README) with thread and frame counts
 * and frames checked by hand against the file; every file cut at many points
 * (no crash, no read past the buffer: buffers are exact-size heap copies). */
#include "testutil.h"

#include <math.h>

#include "input/stack_model.h"

/* Referencing the parsers links them: analysis.c only declares them weak. */
static int (*const parsers[])(struct analysis *, struct input *) = {
	gdb_parse, pstack_parse, eu_stack_parse, py_bt_parse, proc_task_parse,
};

/* Parse exactly `len` bytes of a heap copy: no NUL after the buffer, so an
 * overread shows under ASan/valgrind; freed before the checks, so whatever
 * the parser kept must have been copied. */
static struct analysis *parse_mem(const char *kind, const char *display, const char *text,
				  size_t n)
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

static struct analysis *parse_str(const char *kind, const char *text)
{
	return parse_mem(kind, "test.txt", text, strlen(text));
}

static char *slurp(const char *path, size_t *len)
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

/* "corpus/..." lives in ../shared, "tests/..." in the repository */
static const char *data_path(char *buf, size_t size, const char *rel)
{
	if (strncmp(rel, "corpus/", 7) == 0)
		return shared_path(buf, size, rel);
	snprintf(buf, size, "%s", rel);
	return buf;
}

static struct analysis *parse_data(const char *kind, const char *rel)
{
	char path[1024];
	size_t n;
	char *text = slurp(data_path(path, sizeof(path), rel), &n);
	const char *base = strrchr(rel, '/');
	struct analysis *an = parse_mem(kind, base ? base + 1 : rel, text, n);
	free(text);
	return an;
}

static const struct process *proc(const struct analysis *an, int32_t pid)
{
	for (size_t i = 0; i < an->inc.processes.n; i++)
		if (an->inc.processes.v[i]->pid == pid)
			return an->inc.processes.v[i];
	fail_msg("no process %d", (int)pid);
	return NULL;
}

static const struct thread *thr(const struct analysis *an, int32_t pid, int32_t tid)
{
	const struct process *p = proc(an, pid);
	for (size_t i = 0; i < p->threads.n; i++)
		if (p->threads.v[i].tid == tid)
			return &p->threads.v[i];
	fail_msg("no thread %d in process %d", (int)tid, (int)pid);
	return NULL;
}

static const struct stack_sample *only_sample(const struct analysis *an)
{
	assert_int_equal(an->inc.processes.n, 1);
	const struct process *p = an->inc.processes.v[0];
	assert_int_equal(p->threads.n, 1);
	assert_int_equal(p->threads.v[0].samples.n, 1);
	return &p->threads.v[0].samples.v[0];
}

static void assert_str(const char *got, const char *want)
{
	if ((!got || !want) ? got != want : strcmp(got, want) != 0)
		fail_msg("got '%s', want '%s'", got ? got : "(null)", want ? want : "(null)");
}

static void totals(const struct analysis *an, size_t *threads, size_t *frames, size_t *py)
{
	*threads = *frames = *py = 0;
	for (size_t i = 0; i < an->inc.processes.n; i++) {
		const struct process *p = an->inc.processes.v[i];
		*threads += p->threads.n;
		for (size_t t = 0; t < p->threads.n; t++)
			for (size_t s = 0; s < p->threads.v[t].samples.n; s++) {
				*frames += p->threads.v[t].samples.v[s].n_frames;
				*py += p->threads.v[t].samples.v[s].n_py_frames;
			}
	}
}

/* ---- one gdb frame line per case (a single thread without header) */

static const struct frame_case {
	const char *line;
	int frames;		/* frames kept */
	uint64_t pc;
	const char *function, *module, *file;
	uint32_t line_no;
} gdb_frame_cases[] = {
	{ "#0  0x00007f4e2723adf2 in __libc_pause () at ../sysdeps/unix/sysv/linux/pause.c:29", 1,
	  0x7f4e2723adf2, "__libc_pause", NULL, "../sysdeps/unix/sysv/linux/pause.c", 29 },
	{ "#0  0x000000803a321f24 in .pthread_cond_timedwait () from /usr/lib64/libpthread.so.0", 1,
	  0x803a321f24, ".pthread_cond_timedwait", "libpthread.so.0", NULL, 0 },
	{ "#0  0x00007f.. in pthread_cond_wait@@GLIBC_2.3.2 () from /lib64/libpthread.so.0", 1,
	  0, "pthread_cond_wait@@GLIBC_2.3.2", "libpthread.so.0", NULL, 0 },	/* bad pc: kept 0 */
	{ "#0  0x00007f0a in pthread_cond_wait@@GLIBC_2.3.2 () from /lib64/libpthread.so.0", 1,
	  0x7f0a, "pthread_cond_wait@@GLIBC_2.3.2", "libpthread.so.0", NULL, 0 },
	{ "#12 0xb6f97b98 in ?? () from /usr/lib/xorg/modules/drivers/nvidia_drv.so", 1,
	  0xb6f97b98, NULL, "nvidia_drv.so", NULL, 0 },
	{ "#0  0x0000557790ff44af in ?? ()", 1, 0x557790ff44af, NULL, NULL, NULL, 0 },
	{ "#9  <signal handler called>", 1, 0, "<signal handler called>", NULL, NULL, 0 },
	/* arguments holding parentheses, " at " and quotes */
	{ "#1  0x00007fafcc8607d6 in virNetSocketWriteWire (sock=0x7f, buf=0x7f \") at x.c:1 (\", "
	  "len=56) at rpc/virnetsocket.c:928", 1, 0x7fafcc8607d6, "virNetSocketWriteWire", NULL,
	  "rpc/virnetsocket.c", 928 },
	{ "#2  0x0000000000401a94 in f (c=41 ')', d='\\'') at a.c:7", 1, 0x401a94, "f", NULL, "a.c", 7 },
	/* C++ names */
	{ "#3  0x0000000000401a94 in std::function<void ()>::operator() (this=0x1) at std_function.h:591",
	  1, 0x401a94, "std::function<void ()>::operator()", NULL, "std_function.h", 591 },
	{ "#4  0x0000000000401a94 in (anonymous namespace)::run (n=1) at a.cc:3", 1, 0x401a94,
	  "(anonymous namespace)::run", NULL, "a.cc", 3 },
	{ "#5  0x0000000000401a94 in foo [clone .isra.0] (x=1) at a.c:9", 1, 0x401a94,
	  "foo [clone .isra.0]", NULL, "a.c", 9 },
	{ "#6  0x0000000000401a94 in nsThread::ProcessNextEvent (this=0x7f, mayWait=1, "
	  "result=0x7f) at nsThread.cpp:547", 1, 0x401a94, "nsThread::ProcessNextEvent", NULL,
	  "nsThread.cpp", 547 },
	/* no address */
	{ "#0  __GI___clock_nanosleep (clock_id=0, flags=0) at clock_nanosleep.c:71", 1, 0,
	  "__GI___clock_nanosleep", NULL, "clock_nanosleep.c", 71 },
	{ "#0  main () at t.c", 1, 0, "main", NULL, "t.c", 0 },
	/* cut lines and garbage */
	{ "#3  0x00007f908af9b980 in nsEventQueue::GetEvent (this=0x7f908af9b980, mayWait=1, ", 1,
	  0x7f908af9b980, "nsEventQueue::GetEvent", NULL, NULL, 0 },
	{ "#0  0x00007f4e2723adf2", 1, 0x7f4e2723adf2, NULL, NULL, NULL, 0 },
	{ "#0", 0, 0, NULL, NULL, NULL, 0 },
	{ "#0x12 in f ()", 0, 0, NULL, NULL, NULL, 0 },
	{ "#99999999999999999999 0x1 in f ()", 0, 0, NULL, NULL, NULL, 0 },
	{ "#include <stdio.h>", 0, 0, NULL, NULL, NULL, 0 },
	{ "#0  0x1 in f (", 1, 1, "f", NULL, NULL, 0 },
	{ "#0  0x1 in f () at :12", 1, 1, "f", NULL, ":12", 0 },
	{ "#0  0x1 in f () from /usr/lib/", 1, 1, "f", "/usr/lib/", NULL, 0 },
};

static void test_gdb_frame_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(gdb_frame_cases) / sizeof(gdb_frame_cases[0]); i++) {
		const struct frame_case *fc = &gdb_frame_cases[i];
		struct analysis *an = parse_str("gdb", fc->line);
		size_t threads, frames, py;
		totals(an, &threads, &frames, &py);
		if (frames != (size_t)fc->frames)
			fail_msg("case %zu '%s': %zu frames, want %d", i, fc->line, frames, fc->frames);
		if (fc->frames) {
			const struct frame *f = &only_sample(an)->frames[0];
			assert_int_equal(f->pc, fc->pc);
			assert_str(f->function, fc->function);
			assert_str(f->module, fc->module);
			assert_str(f->file, fc->file);
			assert_int_equal(f->line, fc->line_no);
			assert_false(f->inlined);
			assert_false(f->python);
		} else {
			assert_true(count_diags(an, DIAG_UNKNOWN_FORMAT) + count_diags(an, DIAG_SKIPPED) > 0);
		}
		analysis_free(an);
	}
}

/* ---- thread headers */

static const struct header_case {
	const char *header;
	int32_t tid;
	const char *comm;
} header_cases[] = {
	{ "Thread 5 (Thread 0x3fffa0ebeed0 (LWP 2375)):", 2375, NULL },
	{ "Thread 5 (Thread 0x7f5c5d7e26c0 (LWP 5511) \"w-mutex\"):", 5511, "w-mutex" },
	{ "Thread 4 (Thread 0x7f5c5dfe36c0 (LWP 5510) \"w timed)x\"):", 5510, "w timed)x" },
	{ "Thread 3 (Thread 0x7f (LWP 9) \"a \"b\" c\"):", 9, "a \"b\" c" },
	{ "Thread 11 (Thread 19965):", 19965, NULL },	/* old gdb: the LWP itself */
	{ "Thread 1 (LWP 1234):", 1234, NULL },
	{ "Thread 1 (process 77):", 77, NULL },
	{ "Thread 1.2 (Thread 0x7f (LWP 88)):", 88, NULL },
	{ "Thread 2 (Thread 0x7f5c5d7e26c0):", -2, NULL },	/* no kernel id: -(gdb number) */
};

static void test_gdb_thread_headers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		char buf[512];
		snprintf(buf, sizeof(buf), "%s\n#0  0x1 in f () at a.c:1\n", header_cases[i].header);
		struct analysis *an = parse_str("gdb", buf);
		assert_int_equal(an->inc.processes.n, 1);
		const struct process *p = an->inc.processes.v[0];
		assert_int_equal(p->threads.n, 1);
		assert_int_equal(p->threads.v[0].tid, header_cases[i].tid);
		assert_str(p->threads.v[0].comm, header_cases[i].comm);
		assert_int_equal(p->threads.v[0].samples.v[0].n_frames, 1);
		assert_int_equal(p->threads.v[0].samples.v[0].src.line, 1);
		analysis_free(an);
	}
	/* not headers: gdb's other "Thread" lines */
	static const char *const not_headers[] = {
		"Thread 2 \"python3\" received signal SIGINT, Interrupt.",
		"Thread 0x7ffff7d8a740 (LWP 1234) exited",
		"Thread (LWP 1):",
		"Thread 1 LWP 1:",
	};
	for (size_t i = 0; i < sizeof(not_headers) / sizeof(not_headers[0]); i++) {
		struct analysis *an = parse_str("gdb", not_headers[i]);
		assert_int_equal(an->inc.processes.n, 0);
		analysis_free(an);
	}
}

/* ---- inlined frames: gdb prints no address for the caller an inlined
 * callee sits in (tests/data/stacks/gdb-condwait-bt.txt) */
static void test_gdb_inlined(void **state)
{
	(void)state;
	struct analysis *an = parse_str("gdb",
		"Thread 2 (Thread 0x7f (LWP 5508) \"w-inline\"):\n"
		"#0  __futex_abstimed_wait_common64 (private=0) at ./nptl/futex-internal.c:57\n"
		"#1  __futex_abstimed_wait_common (futex_word=0x5) at ./nptl/futex-internal.c:87\n"
		"#2  0x00007f5c5f06ef7b in __GI___futex_abstimed_wait_cancelable64 (x=0) at f.c:139\n"
		"#3  0x00007f5c5f0715d8 in __pthread_cond_wait_common (abstime=0x0) at c.c:503\n"
		"#4  ___pthread_cond_wait (cond=0x5) at ./nptl/pthread_cond_wait.c:618\n"
		"#5  0x000055ffd544320f in wait_for_job () at condwait.c:24\n"
		"#6  worker_inline (arg=0x0) at condwait.c:33\n"
		"#7  0x00007f4e271f01f5 in start_thread (arg=<optimized out>) at pthread_create.c:442\n"
		"#8  <signal handler called>\n"
		"#9  0x0000000000000001 in g ()\n");
	const struct stack_sample *s = only_sample(an);
	assert_int_equal(s->n_frames, 10);
	static const bool inl[] = { true, false, false, true, false, true, false, false, false, false };
	for (int i = 0; i < 10; i++)
		if (s->frames[i].inlined != inl[i])
			fail_msg("frame %d inlined=%d", i, s->frames[i].inlined);
	assert_int_equal(s->frames[4].pc, 0x7f5c5f0715d8);	/* shares its callee's pc */
	assert_int_equal(s->frames[6].pc, 0x55ffd544320f);
	assert_int_equal(s->frames[8].pc, 0);
	analysis_free(an);
}

/* ---- what gdb prints around the backtrace */
static void test_gdb_noise_and_sequence(void **state)
{
	(void)state;
	struct analysis *an = parse_str("gdb",
		"2026-11-25T18:49:20.312Z\n"
		"[New LWP 5508]\n"
		"[Thread debugging using libthread_db enabled]\n"
		"Using host libthread_db library \"/lib/x86_64-linux-gnu/libthread_db.so.1\".\n"
		"0x00007f4e2723adf2 in __libc_pause () at ../sysdeps/unix/sysv/linux/pause.c:29\n"
		"29\t../sysdeps/unix/sysv/linux/pause.c: No such file or directory.\n"
		"\n"
		"Thread 2 (Thread 0x7f (LWP 5508)):\n"
		"#0  0x1 in a ()\n"
		"warning: Could not find DWO CU\n"
		"#1  0x2 in b ()\n"
		"        x = <optimized out>\n"
		"No locals.\n"
		"#1  0x3 in dup ()\n"		/* out of sequence: dropped, flagged */
		"#2  0x4 in c ()\n"
		"Backtrace stopped: previous frame inner to this frame (corrupt stack?)\n"
		"\n"
		"Thread 1 (Thread 0x7f (LWP 5505)):\n"
		"[Current thread is 1 (Thread 0x7f (LWP 5505))]\n"
		"#0  0x5 in main ()\n"
		"[Inferior 1 (process 5505) detached]\n");
	const struct process *p = proc(an, 5505);
	assert_int_equal(p->threads.n, 2);
	const struct thread *t = thr(an, 5505, 5508);
	assert_int_equal(t->samples.n, 1);
	assert_int_equal(t->samples.v[0].n_frames, 3);
	assert_string_equal(t->samples.v[0].frames[2].function, "c");
	assert_int_equal(t->samples.v[0].src.line, 8);
	assert_string_equal(t->samples.v[0].src.text, "Thread 2 (Thread 0x7f (LWP 5508)):");
	assert_true(fabs(t->samples.v[0].src.at - 1795632560.312) < 0.001);
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 1);
	assert_int_equal(count_diags(an, DIAG_NOTE), 0);	/* the pid was named */
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 0);	/* all of it is gdb's */
	analysis_free(an);
}

/* ---- where the pid comes from */

static const struct pid_case {
	const char *display;
	const char *text;
	int32_t pid;
	int notes;
} pid_cases[] = {
	{ "x.txt", "Attaching to process 4242\nThread 1 (Thread 0x1 (LWP 4243)):\n#0  0x1 in f ()\n",
	  4242, 0 },
	{ "x.txt", "Attaching to program: /usr/bin/python3, process 77\n#0  0x1 in f ()\n", 77, 0 },
	{ "x.txt", "Thread 2 (Thread 0x1 (LWP 12)):\n#0  0x1 in f ()\n"
		   "Thread 1 (Thread 0x1 (LWP 10)):\n#0  0x1 in f ()\n", 10, 1 },
	/* a core: the lowest thread id, not gdb's thread 1 (the crashing one) */
	{ "x.txt", "Core was generated by `a'.\nThread 2 (Thread 0x1 (LWP 9)):\n#0  0x1 in f ()\n"
		   "Thread 1 (Thread 0x1 (LWP 30)):\n#0  0x1 in f ()\n", 9, 1 },
	{ "x.txt", "[New LWP 31]\n[New LWP 30]\n#0  0x1 in f ()\n", 30, 1 },
	{ "gdb-1234.txt", "#0  0x1 in f ()\n", 1234, 1 },
	{ "dir/pstack.5678", "#0  0x1 in f ()\n", 5678, 1 },
	{ "stack-2024-01-05.txt", "#0  0x1 in f ()\n", 0, 1 },
	{ "py311.txt", "#0  0x1 in f ()\n", 0, 1 },
	{ "x.txt", "#0  0x1 in f ()\n", 0, 1 },
	/* the command line pasted above the frames */
	{ "x.txt", "$ pstack 1234\n#0  0x1 in f ()\n", 1234, 1 },
	{ "x.txt", "[root@db01 ~]# gstack 31337\nThread 2 (Thread 0x1 (LWP 31340)):\n#0  0x1 in f ()\n"
		   "Thread 1 (Thread 0x1 (LWP 31337)):\n#0  0x1 in f ()\n", 31337, 1 },
	{ "x.txt", "$ gdb -p 77 -batch -ex bt\nAttaching to process 78\n#0  0x1 in f ()\n", 78, 0 },
	{ "gdb-5.txt", "$ gdb -p $(pidof x)\n#0  0x1 in f ()\n", 0, 1 },
	/* info threads: gdb's thread 1 */
	{ "x.txt", "  2    Thread 0x7f (LWP 12) \"a\" 0x1 in f ()\n* 1    Thread 0x7e (LWP 10) \"a\" "
		   "0x2 in g ()\n", 10, 1 },
};

static void test_gdb_pid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pid_cases) / sizeof(pid_cases[0]); i++) {
		const struct pid_case *pc = &pid_cases[i];
		struct analysis *an = parse_mem("gdb", pc->display, pc->text, strlen(pc->text));
		assert_int_equal(an->inc.processes.n, 1);
		if (an->inc.processes.v[0]->pid != pc->pid)
			fail_msg("case %zu: pid %d, want %d", i, (int)an->inc.processes.v[0]->pid,
				 (int)pc->pid);
		assert_int_equal(count_diags(an, DIAG_NOTE), (size_t)pc->notes);
		analysis_free(an);
	}
}

static void test_pid_from_name(void **state)
{
	(void)state;
	static const struct { const char *name; int32_t pid; } rows[] = {
		{ "gdb-1234.txt", 1234 }, { "/a/b/stack_99.txt", 99 }, { "pstack.31337", 31337 },
		{ "2024-01-05T10:11:12-gdb.txt", 0 }, { "python3.11-bt.txt", 0 }, { "gdb.txt", 0 },
		{ "x-5.txt", 0 }, { "x-12345678.txt", 0 }, { "x-9999999.txt", 0 },
		{ "/1234/gdb.txt", 0 }, { NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (stack_pid_from_name(rows[i].name) != rows[i].pid)
			fail_msg("'%s': %d", rows[i].name ? rows[i].name : "(null)",
				 (int)stack_pid_from_name(rows[i].name));
}

/* ---- gdb `info threads` (print_thread_info_1(), gdb/thread.c) */

static const struct info_row_case {
	const char *row;
	int32_t tid;		/* 0: not a row */
	const char *comm, *function, *module;
	uint64_t pc;
} info_rows[] = {
	{ "* 1    Thread 0x7ffff7feb740 (LWP 11992) \"redis-server\"   0x00007ffff71e2603 in epoll_wait "
	  "() from /usr/lib64/libc.so.6", 11992, "redis-server", "epoll_wait", "libc.so.6",
	  0x7ffff71e2603 },
	{ "  2    Thread 0x7f (LWP 413) \"hang\" __futex_abstimed_wait_common64 (...)", 413, "hang",
	  "__futex_abstimed_wait_common64", NULL, 0 },
	{ "  3    Thread 0x7f9c1790c6c0 (LWP 24198) \"flusher\"   futex_wait (private=0, expected=2, "
	  "futex_word=0x55e1a58fd330 <W+272>) at ../sysdeps/nptl/futex-internal.h:146", 24198,
	  "flusher", "futex_wait", NULL, 0 },
	{ "* 1    LWP 2322          0x00010b50 in CoreTest ()", 2322, NULL, "CoreTest", NULL, 0x10b50 },
	{ "  2    LWP 4864 \"iou-mgr-4863\"    0x0000000000000000 in ?? ()", 4864, "iou-mgr-4863", NULL,
	  NULL, 0 },
	{ "* 1    process 12345 \"a.out\" main () at t.c:3", 12345, "a.out", "main", NULL, 0 },
	{ "  1.2  Thread 0x7f (LWP 88) 0x1 in f ()", 88, NULL, "f", NULL, 1 },
	{ "* 1    Thread 0x7f (LWP 9) \"a b\" 0x1 in f (s=0x2 \"x\" ) at a.c:1", 9, "a b", "f", NULL, 1 },
	/* the frame wraps onto the next line (uwsgi#2040's paste): cut, kept */
	{ "* 1    Thread 0x7f (LWP 23714) \"uwsgi\" 0x00007f32 in futex_abstimed_wait_cancelable "
	  "(private=<optimized out>,", 23714, "uwsgi", "futex_abstimed_wait_cancelable", NULL, 0x7f32 },
	/* no kernel id (a remote target): gdb's number, negated */
	{ "* 1    Thread 0x1       read_session_value () at s.cpp:9", -1, NULL, "read_session_value", NULL,
	  0 },
	{ "1 LWP", 0, NULL, NULL, NULL, 0 },
	{ "* x    LWP 5 f ()", 0, NULL, NULL, NULL, 0 },
	{ "  2    Thread 0xzz (LWP 5) f ()", 0, NULL, NULL, NULL, 0 },
	{ "  2    LWP 99999999999 f ()", 0, NULL, NULL, NULL, 0 },
	{ "  2    LWP 5 \"unterminated f ()", 0, NULL, NULL, NULL, 0 },
	{ "29\tsrc/main.c: No such file or directory.", 0, NULL, NULL, NULL, 0 },
};

static void test_gdb_info_threads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(info_rows) / sizeof(info_rows[0]); i++) {
		const struct info_row_case *rc = &info_rows[i];
		struct analysis *an = parse_mem("gdb", "x.txt", rc->row, strlen(rc->row));
		size_t threads, frames, py;
		totals(an, &threads, &frames, &py);
		if ((threads == 1) != (rc->tid != 0))
			fail_msg("case %zu '%s': %zu threads", i, rc->row, threads);
		if (rc->tid) {
			const struct thread *t = &an->inc.processes.v[0]->threads.v[0];
			assert_int_equal(t->tid, rc->tid);
			assert_str(t->comm, rc->comm);
			assert_int_equal(t->samples.v[0].n_frames, 1);
			const struct frame *f = &t->samples.v[0].frames[0];
			assert_str(f->function, rc->function);
			assert_str(f->module, rc->module);
			assert_int_equal(f->pc, rc->pc);
			assert_int_equal(t->samples.v[0].src.line, 1);
		}
		analysis_free(an);
	}
	/* with `thread apply all bt` in the same file, the backtraces win and
	 * the table adds only the threads they lack; `bt` of the current one */
	struct analysis *an = parse_str("gdb",
		"(gdb) bt\n"
		"#0  0x10 in cur_a ()\n"
		"#1  0x11 in cur_b ()\n"
		"(gdb) info threads\n"
		"  Id   Target Id                  Frame \n"
		"* 1    Thread 0x7f (LWP 40) \"s\" 0x10 in cur_a ()\n"
		"  2    Thread 0x7e (LWP 41) \"s\" 0x20 in pthread_cond_wait@@GLIBC_2.3.2 () from /lib64/libpthread.so.0\n"
		"  3    Thread 0x7d (LWP 42) \"s\" 0x30 in accept () from /lib64/libpthread.so.0\n");
	assert_int_equal(thr(an, 40, 40)->samples.n, 1);
	assert_int_equal(thr(an, 40, 40)->samples.v[0].n_frames, 2);	/* the bt, not the row */
	assert_int_equal(thr(an, 40, 41)->samples.v[0].n_frames, 1);
	assert_string_equal(thr(an, 40, 42)->samples.v[0].frames[0].function, "accept");
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 0);	/* prompts are gdb's */
	analysis_free(an);
	an = parse_str("gdb",
		"  Id   Target Id         Frame \n"
		"* 1    LWP 50          0x1 in a ()\n"
		"  2    LWP 51          0x2 in b ()\n"
		"Thread 2 (LWP 51):\n#0  0x2 in b ()\n#1  0x3 in c ()\n");
	assert_int_equal(thr(an, 50, 51)->samples.v[0].n_frames, 2);
	assert_int_equal(thr(an, 50, 50)->samples.v[0].n_frames, 1);
	analysis_free(an);
}

/* ---- old gdb wraps frames at 80 columns (satyr-gdb-rhbz-621492.txt) */
static void test_gdb_wrapped(void **state)
{
	(void)state;
	struct analysis *an = parse_str("gdb",
		"Thread 11 (Thread 19965):\n"
		"#0  0x00000038484d7de3 in __poll (fds=<value optimized out>, \n"
		"    nfds=<value optimized out>, timeout=<value optimized out>)\n"
		"    at ../sysdeps/unix/sysv/linux/poll.c:87\n"
		"        __arg2 = 2\n"
		"#1  0x00007f90879d4ae6 in pa_mainloop_poll (m=0x7f9088088200)\n"
		"    at pulse/mainloop.c:879\n"
		"        mask = {__val = {18446744067267100671, \n"
		"            18446744073709551615 <repeats 15 times>}}\n");
	const struct stack_sample *s = only_sample(an);
	assert_int_equal(s->n_frames, 2);
	assert_string_equal(s->frames[0].function, "__poll");
	assert_string_equal(s->frames[0].file, "../sysdeps/unix/sysv/linux/poll.c");
	assert_int_equal(s->frames[0].line, 87);
	assert_string_equal(s->frames[1].file, "pulse/mainloop.c");
	assert_int_equal(s->frames[1].line, 879);
	analysis_free(an);
}

/* ---- eu-stack */

static const struct eu_case {
	const char *line;
	int frames;
	uint64_t pc;
	const char *function, *module, *file;
	uint32_t line_no;
	int diag;
} eu_cases[] = {
	{ "#0  0x00007f04a98adbd7 clock_nanosleep@GLIBC_2.2.5", 1, 0x7f04a98adbd7,
	  "clock_nanosleep@GLIBC_2.2.5", NULL, NULL, 0, -1 },
	{ "#1  0x0000557ae9690469 - 1 main - /tmp/tmp.B81T95g1Fi/condwait\n"
	  "    /work/src/condwait.c:90:3", 1, 0x557ae9690469, "main", "condwait", "/work/src/condwait.c",
	  90, -1 },
	{ "#0  0x00007f5c5f0bcdf2     __libc_pause - /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	  "    [93ac61ec5a8eb1396f9fbd350e3169a558528a40]@0x7f5c5efe9000+0xd3df2\n"
	  "    ../sysdeps/unix/sysv/linux/pause.c:29", 1, 0x7f5c5f0bcdf2, "__libc_pause",
	  "libc.so.6", "../sysdeps/unix/sysv/linux/pause.c", 29, -1 },
	{ "#1  0x0000558b44e97469 - /tmp/tmp.B81T95g1Fi/condwait-stripped", 1, 0x558b44e97469, NULL,
	  "condwait-stripped", NULL, 0, -1 },
	{ "#2  0x00007ffd1c3f8b45 __vdso_clock_gettime - [vdso: 5505]", 1, 0x7ffd1c3f8b45,
	  "__vdso_clock_gettime", "[vdso: 5505]", NULL, 0, -1 },
	{ "#3  0x0000000000401a94 operator-(A const&, A const&) - /a/b.so", 1, 0x401a94,
	  "operator-(A const&, A const&)", "b.so", NULL, 0, -1 },
	{ "#4  0x0000000000401a94", 1, 0x401a94, NULL, NULL, NULL, 0, -1 },
	{ "#4  0xzz main", 0, 0, NULL, NULL, NULL, 0, DIAG_BAD_ADDRESS },
	{ "#4  main", 0, 0, NULL, NULL, NULL, 0, DIAG_BAD_LINE },
	{ "#", 0, 0, NULL, NULL, NULL, 0, DIAG_BAD_LINE },
	{ "TID x:", 0, 0, NULL, NULL, NULL, 0, DIAG_BAD_LINE },
	{ "PID 12 process", 0, 0, NULL, NULL, NULL, 0, DIAG_BAD_LINE },
	{ "hello", 0, 0, NULL, NULL, NULL, 0, DIAG_BAD_LINE },
};

static void test_eu_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(eu_cases) / sizeof(eu_cases[0]); i++) {
		const struct eu_case *ec = &eu_cases[i];
		char buf[1024];
		snprintf(buf, sizeof(buf), "PID 5505 - process\nTID 5506:\n%s\n", ec->line);
		struct analysis *an = parse_str("eu-stack", buf);
		const struct thread *t = thr(an, 5505, 5506);
		assert_int_equal(t->samples.n, 1);
		const struct stack_sample *s = &t->samples.v[0];
		if (s->n_frames != (uint32_t)ec->frames)
			fail_msg("case %zu: %u frames", i, s->n_frames);
		if (ec->frames) {
			assert_int_equal(s->frames[0].pc, ec->pc);
			assert_str(s->frames[0].function, ec->function);
			assert_str(s->frames[0].module, ec->module);
			assert_str(s->frames[0].file, ec->file);
			assert_int_equal(s->frames[0].line, ec->line_no);
		}
		if (ec->diag >= 0)
			assert_true(count_diags(an, (enum diag_code)ec->diag) >= 1);
		else
			assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
		analysis_free(an);
	}
}

static void test_eu_structure(void **state)
{
	(void)state;
	/* -i: same pc, other function = inlined; recursion (same function) is not */
	struct analysis *an = parse_str("eu-stack",
		"PID 7 - process module memory map\n"
		"0x0000557ae968f000-0x0000557ae9694030 condwait\n"
		"  [e5578635985f3bdf598c8fe7cd4c62b726a29985]\n"
		"  /tmp/condwait\n"
		"PID 7 - process\n"
		"TID 7:\n"
		"#0  0x0000000000000010 wait_for_job - /tmp/condwait\n"
		"#1  0x0000000000000010 worker_inline - /tmp/condwait\n"
		"#2  0x0000000000000020 rec\n"
		"#3  0x0000000000000020 rec\n"
		"eu-stack: dwfl_thread_getframes tid 7 at 0x20 in condwait: No DWARF information found\n"
		"TID 8:\n");
	const struct stack_sample *s = &thr(an, 7, 7)->samples.v[0];
	assert_int_equal(s->n_frames, 4);
	assert_true(s->frames[0].inlined);
	assert_false(s->frames[1].inlined);
	assert_false(s->frames[2].inlined);
	assert_int_equal(thr(an, 7, 8)->samples.v[0].n_frames, 0);
	assert_int_equal(count_diags(an, DIAG_NOTE), 1);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	analysis_free(an);

	/* eu-stack -1: no PID line, the thread is the process */
	an = parse_str("eu-stack", "TID 99:\n#0  0x0000000000000010 main\n");
	assert_int_equal(thr(an, 99, 99)->samples.v[0].n_frames, 1);
	analysis_free(an);

	an = parse_str("eu-stack", "nothing here\n");
	assert_int_equal(an->inc.processes.n, 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	analysis_free(an);
}

/* ---- py-bt */

static void test_py_bt(void **state)
{
	(void)state;
	struct analysis *an = parse_str("py-bt",
		"Thread 5 (Thread 0x7f8e330bd6c0 (LWP 21775) \"python3\"):\n"
		"Traceback (most recent call first):\n"
		"  <built-in method __enter__ of _thread.lock object at remote 0x7f8e348fd200>\n"
		"  File \"/work/src/pyworkers.py\", line 34, in lock_worker\n"
		"    with big:\n"
		"  Waiting for the GIL\n"
		"  (frame information optimized out)\n"
		"  File \"/usr/lib/python3.11/threading.py\", line ?, in run\n"
		"  File \"bad\n"
		"\n"
		"Thread 1 (Thread 0x7f8e34b8d2c0 (LWP 21770) \"python3\"):\n"
		"Unable to locate python frame\n"
		"Thread 2 (Thread 0x7f (LWP 21772)):\n"
		"#5 Frame 0x7f890547c258, for file /usr/lib/python3.11/threading.py, line 320, in wait "
		"(self=<Condition(_lock=<_thread.RLock at remote 0x7f>) at remote 0x7f>, timeout=None)\n"
		"#8 <built-in method acquire of _thread.lock object at remote 0x7f890652b100>\n"
		"#9\n"
		"#12 Frame 0x7f8904472188, for file /x.py, line 7, in <module> ()\n"
		"[Inferior 1 (process 21770) detached]\n");
	const struct stack_sample *s = &thr(an, 21770, 21775)->samples.v[0];
	assert_int_equal(s->n_frames, 0);
	assert_int_equal(s->n_py_frames, 6);
	static const struct { const char *fn, *file; uint32_t line; } want[] = {
		{ "built-in method __enter__ of _thread.lock object", NULL, 0 },
		{ "lock_worker", "/work/src/pyworkers.py", 34 },
		{ "Waiting for the GIL", NULL, 0 },
		{ NULL, NULL, 0 },
		{ "run", "/usr/lib/python3.11/threading.py", 0 },
		{ "File \"bad", NULL, 0 },	/* not understood: kept as printed */
	};
	for (int i = 0; i < 6; i++) {
		assert_true(s->py_frames[i].python);
		assert_str(s->py_frames[i].function, want[i].fn);
		assert_str(s->py_frames[i].file, want[i].file);
		assert_int_equal(s->py_frames[i].line, want[i].line);
	}
	assert_int_equal(thr(an, 21770, 21770)->samples.v[0].n_py_frames, 0);
	s = &thr(an, 21770, 21772)->samples.v[0];
	assert_int_equal(s->n_py_frames, 3);
	assert_string_equal(s->py_frames[0].function, "wait");
	assert_int_equal(s->py_frames[0].line, 320);
	assert_string_equal(s->py_frames[1].function, "built-in method acquire of _thread.lock object");
	assert_string_equal(s->py_frames[2].function, "<module>");
	assert_string_equal(s->py_frames[2].file, "/x.py");
	analysis_free(an);

	/* py-bt of the current thread only: no header */
	static const char cur[] = "Traceback (most recent call first):\n  File \"a.py\", line 1, in f\n";
	an = parse_mem("py-bt", "py-bt-4321.txt", cur, sizeof(cur) - 1);
	s = only_sample(an);
	assert_int_equal(an->inc.processes.v[0]->pid, 4321);
	assert_int_equal(s->n_py_frames, 1);
	analysis_free(an);
}

/* ---- /proc/PID/task dumps */

static const struct task_case {
	const char *line;
	int samples;
	char state;
	int64_t utime, stime, sys;
	const char *comm, *wchan;
	int diag;
} task_cases[] = {
	{ "/proc/1/task/2/stat:2 (w timed)x) S 1 1 1 0 -1 4194368 3 0 0 0 7 9 0 0 20 0 5 0", 1, 'S',
	  7, 9, -2, "w timed)x", NULL, -1 },
	{ "/proc/1/task/2/stat:2 (a) (b)) R 1 1 1 0 -1 0 0 0 0 0 123456789012 1", 1, 'R',
	  123456789012, 1, -2, "a) (b)", NULL, -1 },
	{ "/proc/1/task/2/stat:2 () D 1 1 1 0 -1 0 0 0 0 0 1 2", 1, 'D', 1, 2, -2, "", NULL, -1 },
	{ "/proc/1/task/2/stat:2 (x) S 1 1 1", 1, 'S', -1, -1, -2, "x", NULL, DIAG_TRUNCATED },
	{ "/proc/1/task/2/stat:2 (x) S 1 1 1 0 -1 0 0 0 0 0 -5 2", 1, 'S', -1, -1, -2, "x", NULL,
	  DIAG_BAD_NUMBER },
	{ "/proc/1/task/2/stat:2 (x S 1", 1, 0, -1, -1, -2, NULL, NULL, DIAG_BAD_LINE },
	{ "/proc/1/task/2/stat:x (x) S", 1, 0, -1, -1, -2, NULL, NULL, DIAG_BAD_LINE },
	{ "/proc/1/task/2/stat:2 (x) SS 1", 1, 0, -1, -1, -2, "x", NULL, DIAG_BAD_LINE },
	{ "/proc/1/task/2/syscall:202 0x7f5c 0x80 0x2 0x0 0x0 0x0 0x7ffd 0x7f5c", 1, 0, -1, -1, 202,
	  NULL, NULL, -1 },
	{ "/proc/1/task/2/syscall:running", 1, 0, -1, -1, -1, NULL, NULL, -1 },
	{ "/proc/1/task/2/syscall:-1 0x7ffd 0x7f5c", 1, 0, -1, -1, -1, NULL, NULL, -1 },
	{ "/proc/1/task/2/syscall:202 0x7f5c", 1, 0, -1, -1, -2, NULL, NULL, DIAG_BAD_LINE },
	{ "/proc/1/task/2/syscall:abc", 1, 0, -1, -1, -2, NULL, NULL, DIAG_BAD_LINE },
	{ "/proc/1/task/2/wchan:futex_wait_queue", 1, 0, -1, -1, -2, NULL, "futex_wait_queue", -1 },
	{ "/proc/1/task/2/wchan:0", 1, 0, -1, -1, -2, NULL, NULL, -1 },
	{ "/proc/1/task/2/comm:my: comm", 1, 0, -1, -1, -2, "my: comm", NULL, -1 },
	{ "/proc/1/task/2/status:Name:\tx", 1, 0, -1, -1, -2, NULL, NULL, DIAG_SKIPPED },
	{ "2 (cat) S 1 1 1 0 -1 0 0 0 0 0 3 4", 1, 'S', 3, 4, -2, "cat", NULL, DIAG_NOTE },
	{ "grep: /proc/1/task/3/stat: No such file or directory", 0, 0, 0, 0, 0, NULL, NULL, DIAG_NOTE },
	{ "/proc/x/task/2/stat:2 (x) S", 0, 0, 0, 0, 0, NULL, NULL, DIAG_BAD_LINE },
	{ "/proc/1/task/2", 0, 0, 0, 0, 0, NULL, NULL, DIAG_BAD_LINE },
};

static void test_proc_task_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(task_cases) / sizeof(task_cases[0]); i++) {
		const struct task_case *tc = &task_cases[i];
		struct analysis *an = parse_str("proc-task", tc->line);
		size_t threads, frames, py;
		totals(an, &threads, &frames, &py);
		if (threads != (size_t)tc->samples)
			fail_msg("case %zu: %zu threads", i, threads);
		if (tc->samples) {
			int32_t pid = strncmp(tc->line, "/proc/", 6) == 0 ? 1 : 2;
			const struct thread *t = thr(an, pid, 2);
			const struct stack_sample *s = &t->samples.v[0];
			if (s->state != tc->state || s->utime != tc->utime || s->stime != tc->stime ||
			    s->syscall_nr != tc->sys)
				fail_msg("case %zu: state %c utime %lld stime %lld sys %lld", i,
					 s->state ? s->state : '-', (long long)s->utime,
					 (long long)s->stime, (long long)s->syscall_nr);
			assert_str(t->comm, tc->comm);
			assert_str(s->wchan, tc->wchan);
			assert_int_equal(s->src.line, 1);
		}
		if (tc->diag >= 0)
			assert_true(count_diags(an, (enum diag_code)tc->diag) >= 1);
		else
			assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
		analysis_free(an);
	}
	struct analysis *an = parse_str("proc-task",
		"/proc/1/task/2/syscall:202 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8\n"
		"/proc/1/stat:1 (init) S 0 1 1 0 -1\n"
		"/proc/1/comm:systemd\n");
	const struct stack_sample *s = &thr(an, 1, 2)->samples.v[0];
	for (int k = 0; k < 6; k++)
		assert_int_equal(s->syscall_args[k], (uint64_t)k + 1);
	assert_int_equal(proc(an, 1)->ppid, 0);
	assert_string_equal(proc(an, 1)->comm, "systemd");
	analysis_free(an);
}

/* ---- every real file: counts, and frames checked by hand */

static const struct file_case {
	const char *path;
	const char *kind;
	int32_t pid;
	size_t threads, frames, py_frames;
	bool pid_noted;		/* the pid was guessed (info diag) */
} file_cases[] = {
	{ "corpus/stacks/elfutils-eu-stack-p-sleep.txt", "eu-stack", 169385, 1, 6, 0, false },
	{ "corpus/stacks/satyr-gdb-no-crash-frame-found.txt", "gdb", 11113, 8, 76, 0, true },
	{ "corpus/stacks/satyr-gdb-no-thread-header.txt", "gdb", 3575, 1, 6, 0, true },
	{ "corpus/stacks/satyr-gdb-rhbz-1032472.txt", "gdb", 5445, 20, 199, 0, true },
	{ "corpus/stacks/satyr-gdb-rhbz-1119072.txt", "gdb", 2271, 5, 47, 0, true },
	{ "corpus/stacks/satyr-gdb-rhbz-1239318.txt", "gdb", 2845, 6, 46, 0, true },
	{ "corpus/stacks/satyr-gdb-rhbz-621492.txt", "gdb", 19947, 11, 201, 0, true },
	{ "corpus/stacks/satyr-gdb-rhbz-955617.txt", "gdb", 1073, 1, 13, 0, true },
	{ "tests/data/stacks/gdb-condwait-bt.txt", "gdb", 5505, 5, 35, 0, false },
	{ "tests/data/stacks/gdb-condwait-bt-full.txt", "gdb", 5505, 5, 35, 0, false },
	{ "tests/data/stacks/gdb-condwait-stripped-bt.txt", "gdb", 5709, 5, 37, 0, false },
	{ "tests/data/stacks/pstack-condwait.txt", "pstack", 5505, 5, 35, 0, true },
	{ "tests/data/stacks/pstack-sleep-single.txt", "pstack", 0, 1, 8, 0, true },
	{ "tests/data/stacks/eu-stack-condwait.txt", "eu-stack", 5505, 5, 26, 0, false },
	{ "tests/data/stacks/eu-stack-condwait-smi.txt", "eu-stack", 5505, 5, 35, 0, false },
	{ "tests/data/stacks/eu-stack-condwait-v.txt", "eu-stack", 5505, 5, 35, 0, false },
	{ "tests/data/stacks/eu-stack-condwait-bmsa.txt", "eu-stack", 5505, 5, 26, 0, false },
	{ "tests/data/stacks/eu-stack-condwait-stripped.txt", "eu-stack", 5709, 5, 26, 0, false },
	{ "tests/data/stacks/eu-stack-pyworkers.txt", "eu-stack", 5770, 5, 78, 0, false },
	{ "tests/data/stacks/gdb-pyworkers-bt-py-bt.txt", "gdb", 5770, 5, 138, 26, false },
	{ "tests/data/stacks/gdb-pyworkers-py-bt.txt", "py-bt", 5770, 5, 0, 26, false },
	{ "tests/data/stacks/gdb-pyworkers-py-bt-full.txt", "py-bt", 5770, 5, 0, 26, false },
	{ "tests/data/stacks/proc-task-condwait.txt", "proc-task", 5505, 5, 0, 0, false },
	{ "tests/data/stacks/proc-task-pyworkers.txt", "proc-task", 5770, 5, 0, 0, false },
};

static void test_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		const struct file_case *fc = &file_cases[i];
		struct analysis *an = parse_data(fc->kind, fc->path);
		size_t threads, frames, py;
		totals(an, &threads, &frames, &py);
		if (an->inc.processes.n != 1 || an->inc.processes.v[0]->pid != fc->pid ||
		    threads != fc->threads || frames != fc->frames || py != fc->py_frames)
			fail_msg("%s: %zu processes, pid %d, %zu threads, %zu frames, %zu py frames",
				 fc->path, an->inc.processes.n,
				 an->inc.processes.n ? (int)an->inc.processes.v[0]->pid : -1, threads,
				 frames, py);
		assert_int_equal(an->inputs.v[0].records, frames + py + (strcmp(fc->kind, "proc-task") == 0 ? threads : 0));
		assert_int_equal(an->inputs.v[0].status == INPUT_ERROR, false);
		/* every recorded dump is read without a warning */
		if (strncmp(fc->path, "tests/", 6) == 0)
			assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
		bool noted = false;
		for (size_t d = 0; d < an->diags.list.n; d++)
			if (an->diags.list.v[d].code == DIAG_NOTE && strstr(an->diags.list.v[d].msg, "pid"))
				noted = true;
		assert_int_equal(noted, fc->pid_noted);
		analysis_free(an);
	}
}

static const struct hand_case {
	const char *path;
	const char *kind;
	int32_t pid, tid;
	uint32_t index;		/* frame number in the dump */
	bool python;
	uint64_t pc;
	const char *function, *module, *file;
	uint32_t line;
	bool inlined;
	uint32_t n_frames;	/* the sample's frames */
	uint32_t header_line;
} hand_cases[] = {
	{ "corpus/stacks/elfutils-eu-stack-p-sleep.txt", "eu-stack", 169385, 169385, 4, false,
	  0x7f04a97f414b, "__libc_start_main@@GLIBC_2.34", NULL, NULL, 0, false, 6, 2 },
	{ "corpus/stacks/satyr-gdb-rhbz-1119072.txt", "gdb", 2271, 2375, 0, false,
	  0x803a321f24, ".pthread_cond_timedwait", "libpthread.so.0", NULL, 0, false, 7, 12 },
	{ "corpus/stacks/satyr-gdb-rhbz-1119072.txt", "gdb", 2271, 2271, 15, false,
	  0x10051054, ".main", NULL, NULL, 0, false, 16, 51 },
	{ "corpus/stacks/satyr-gdb-rhbz-955617.txt", "gdb", 1073, 1073, 9, false,
	  0, "<signal handler called>", NULL, NULL, 0, false, 13, 8 },
	{ "corpus/stacks/satyr-gdb-rhbz-955617.txt", "gdb", 1073, 1073, 12, false,
	  0xb6f97b98, NULL, "nvidia_drv.so", NULL, 0, false, 13, 8 },
	{ "corpus/stacks/satyr-gdb-no-thread-header.txt", "gdb", 3575, 3575, 4, false,
	  0x7fafcc85dfc1, "virNetClientIOHandleOutput", NULL, "rpc/virnetclient.c", 747, true, 6, 9 },
	{ "corpus/stacks/satyr-gdb-rhbz-621492.txt", "gdb", 19947, 19965, 0, false,
	  0x38484d7de3, "__poll", NULL, "../sysdeps/unix/sysv/linux/poll.c", 87, false, 9, 19 },
	{ "corpus/stacks/satyr-gdb-rhbz-621492.txt", "gdb", 19947, 19947, 110, false,
	  0x401a94, "main", NULL, "/usr/src/debug/thunderbird-3.1.1/comm-1.9.2/mail/app/nsMailApp.cpp",
	  101, false, 111, 594 },	/* "at ..." wrapped onto the next line */
	{ "tests/data/stacks/gdb-condwait-bt.txt", "gdb", 5505, 5508, 5, false,
	  0x557ae969020f, "wait_for_job", NULL, "/work/main/tests/data/stacks/src/condwait.c", 24,
	  true, 9, 41 },
	{ "tests/data/stacks/gdb-condwait-bt.txt", "gdb", 5505, 5511, 3, false,
	  0x7f5c5f075482, "___pthread_mutex_lock", NULL, "./nptl/pthread_mutex_lock.c", 93, false,
	  7, 11 },
	{ "tests/data/stacks/gdb-condwait-stripped-bt.txt", "gdb", 5709, 5712, 5, false,
	  0x558b44e97268, NULL, NULL, NULL, 0, false, 9, 30 },
	{ "tests/data/stacks/pstack-condwait.txt", "pstack", 5505, 5510, 4, false,
	  0x7f5c5f0718bc, "___pthread_cond_timedwait64", NULL, "./nptl/pthread_cond_wait.c", 643,
	  false, 8, 10 },
	{ "tests/data/stacks/pstack-sleep-single.txt", "pstack", 0, 0, 1, false,
	  0x7f09ff1e9e53, "__GI___nanosleep", NULL, "../sysdeps/unix/sysv/linux/nanosleep.c", 25,
	  false, 8, 2 },
	{ "tests/data/stacks/eu-stack-condwait-smi.txt", "eu-stack", 5505, 5508, 4, false,
	  0x557ae969020f, "wait_for_job", "condwait", "/work/main/tests/data/stacks/src/condwait.c",
	  24, true, 8, 13 },
	{ "tests/data/stacks/eu-stack-condwait-v.txt", "eu-stack", 5505, 5511, 3, false,
	  0x7f5c5f075482, "___pthread_mutex_lock", "libc.so.6", "./nptl/pthread_mutex_lock.c", 93,
	  false, 7, 62 },
	{ "tests/data/stacks/eu-stack-condwait-bmsa.txt", "eu-stack", 5505, 5509, 1, false,
	  0x7f5c5f0715d8, "pthread_cond_wait@@GLIBC_2.3.2", "libc.so.6",
	  "./nptl/pthread_cond_wait.c", 503, false, 6, 34 },
	{ "tests/data/stacks/eu-stack-condwait-stripped.txt", "eu-stack", 5709, 5709, 1, false,
	  0x558b44e97469, NULL, "condwait-stripped", NULL, 0, false, 5, 3 },
	{ "tests/data/stacks/gdb-pyworkers-bt-py-bt.txt", "gdb", 5770, 5776, 6, false,
	  0x4ce7c3, "PyThread_acquire_lock_timed", NULL, "../Python/thread_pthread.h", 509, false,
	  28, 11 },
	{ "tests/data/stacks/gdb-pyworkers-bt-py-bt.txt", "gdb", 5770, 5774, 1, true,
	  0, "handle_request", NULL, "/work/main/tests/data/stacks/src/pyworkers.py", 20, false,
	  6, 70 },
	{ "tests/data/stacks/gdb-pyworkers-py-bt.txt", "py-bt", 5770, 5775, 1, true,
	  0, "get", NULL, "/usr/lib/python3.11/queue.py", 171, false, 6, 23 },
	{ "tests/data/stacks/gdb-pyworkers-py-bt.txt", "py-bt", 5770, 5770, 2, true,
	  0, "<module>", NULL, "/work/main/tests/data/stacks/src/pyworkers.py", 47, false, 3, 68 },
	{ "tests/data/stacks/gdb-pyworkers-py-bt-full.txt", "py-bt", 5770, 5776, 0, true,
	  0, "built-in method __enter__ of _thread.lock object", NULL, NULL, 0, false, 5, 11 },
};

static void test_hand_checked_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hand_cases) / sizeof(hand_cases[0]); i++) {
		const struct hand_case *hc = &hand_cases[i];
		struct analysis *an = parse_data(hc->kind, hc->path);
		const struct thread *t = thr(an, hc->pid, hc->tid);
		assert_int_equal(t->samples.n, 1);
		const struct stack_sample *s = &t->samples.v[0];
		uint32_t n = hc->python ? s->n_py_frames : s->n_frames;
		if (n != hc->n_frames || s->src.line != hc->header_line)
			fail_msg("%s tid %d: %u frames, line %u", hc->path, (int)hc->tid, n, s->src.line);
		assert_true(hc->index < n);
		const struct frame *f = hc->python ? &s->py_frames[hc->index] : &s->frames[hc->index];
		if (f->pc != hc->pc)
			fail_msg("%s tid %d #%u: pc %#llx", hc->path, (int)hc->tid, hc->index,
				 (unsigned long long)f->pc);
		if (!f->function != !hc->function || f->line != hc->line || f->inlined != hc->inlined)
			fail_msg("%s tid %d #%u: %s line %u inlined %d", hc->path, (int)hc->tid,
				 hc->index, f->function ? f->function : "??", f->line, f->inlined);
		assert_str(f->function, hc->function);
		assert_str(f->module, hc->module);
		assert_str(f->file, hc->file);
		assert_int_equal(f->python, hc->python);
		assert_int_equal(s->sample_no, 1);
		assert_int_equal(s->src.sample, 1);
		analysis_free(an);
	}
}

/* ---- one moment, several tools: one sample; several moments: samples in time order */

static void add_file(struct analysis *an, const char *kind, const char *rel)
{
	char path[1024];
	size_t n;
	char *text = slurp(data_path(path, sizeof(path), rel), &n);
	analysis_parse_buffer(an, strrchr(rel, '/') + 1, kind, text, n);
	free(text);
}

static void test_merge_same_moment(void **state)
{
	(void)state;
	struct analysis an;
	analysis_init(&an);
	/* recorded by one step of record.sh: same timestamp line */
	add_file(&an, "proc-task", "tests/data/stacks/proc-task-condwait.txt");
	add_file(&an, "gdb", "tests/data/stacks/gdb-condwait-bt.txt");
	const struct process *p = proc(&an, 5505);
	assert_string_equal(p->comm, "condwait");
	assert_int_equal(p->threads.n, 5);
	for (size_t i = 0; i < p->threads.n; i++) {
		const struct thread *t = &p->threads.v[i];
		assert_int_equal(t->samples.n, 1);
		const struct stack_sample *s = &t->samples.v[0];
		assert_true(s->n_frames > 0);
		assert_int_equal(s->state, 'S');
		assert_true(s->syscall_nr == 202 || (t->tid == 5505 && s->syscall_nr == 34));
		assert_non_null(s->wchan);
		/* the native stack is the evidence cited */
		assert_string_equal(s->src.file, "gdb-condwait-bt.txt");
	}
	assert_string_equal(thr(&an, 5505, 5510)->comm, "w timed)x");
	/* a later moment of the same process: a second sample, in time order */
	add_file(&an, "eu-stack", "tests/data/stacks/eu-stack-condwait-smi.txt");
	add_file(&an, "gdb", "tests/data/stacks/gdb-condwait-bt-full.txt");	/* earlier */
	const struct thread *t = thr(&an, 5505, 5509);
	assert_int_equal(t->samples.n, 3);
	for (uint32_t k = 0; k < 3; k++) {
		assert_int_equal(t->samples.v[k].sample_no, k + 1);
		assert_int_equal(t->samples.v[k].src.sample, k + 1);
		if (k)
			assert_true(t->samples.v[k].src.at > t->samples.v[k - 1].src.at);
	}
	assert_string_equal(t->samples.v[1].src.file, "gdb-condwait-bt-full.txt");
	assert_string_equal(t->samples.v[2].src.file, "eu-stack-condwait-smi.txt");
	analysis_release(&an);

	/* native + Python + procfs of one moment of the Python workers */
	analysis_init(&an);
	add_file(&an, "gdb", "tests/data/stacks/gdb-pyworkers-bt-py-bt.txt");
	add_file(&an, "proc-task", "tests/data/stacks/proc-task-pyworkers.txt");
	p = proc(&an, 5770);
	assert_int_equal(p->threads.n, 5);
	for (size_t i = 0; i < p->threads.n; i++) {
		const struct stack_sample *s = &p->threads.v[i].samples.v[0];
		assert_int_equal(p->threads.v[i].samples.n, 1);
		assert_true(s->n_frames > 0 && s->n_py_frames > 0 && s->state == 'S');
	}
	analysis_release(&an);
}

/* unknown times never merge across files; the same file twice is one sample */
static void test_merge_unknown_time(void **state)
{
	(void)state;
	static const char gdb[] = "Thread 1 (LWP 10):\n#0  0x1 in f ()\n";
	struct analysis an;
	analysis_init(&an);
	analysis_parse_buffer(&an, "a.txt", "gdb", gdb, sizeof(gdb) - 1);
	analysis_parse_buffer(&an, "b.txt", "gdb", gdb, sizeof(gdb) - 1);
	assert_int_equal(thr(&an, 10, 10)->samples.n, 2);
	assert_int_equal(thr(&an, 10, 10)->samples.v[1].sample_no, 2);
	analysis_release(&an);

	/* `thread apply all bt` then `bt full` in one file: one sample */
	static const char twice[] = "Thread 1 (LWP 10):\n#0  0x1 in f ()\n#1  0x2 in g ()\n"
				    "Thread 1 (LWP 10):\n#0  0x1 in f ()\n        x = 1\n";
	analysis_init(&an);
	analysis_parse_buffer(&an, "a.txt", "gdb", twice, sizeof(twice) - 1);
	assert_int_equal(thr(&an, 10, 10)->samples.n, 1);
	assert_int_equal(thr(&an, 10, 10)->samples.v[0].n_frames, 2);
	analysis_release(&an);
}

/* ---- nothing crashes on cut or damaged input */

static void run_all(const char *text, size_t n)
{
	for (size_t k = 0; k < sizeof(parsers) / sizeof(parsers[0]); k++) {
		static const char *const kinds[] = { "gdb", "pstack", "eu-stack",
							 "py-bt", "proc-task" };
		struct analysis *an = parse_mem(kinds[k], "cut.txt", text, n);
		analysis_free(an);
	}
}

static void test_truncated_and_garbage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		char path[1024];
		size_t n;
		char *text = slurp(data_path(path, sizeof(path), file_cases[i].path), &n);
		size_t step = n / 40 + 1;
		for (size_t cut = 0; cut <= n; cut += step)
			run_all(text, cut);
		/* damage: bytes flipped every 37 bytes, NULs included */
		for (size_t j = 0; j < n; j += 37)
			text[j] = (char)(text[j] ^ (j & 1 ? 0x20 : 0xff));
		run_all(text, n);
		free(text);
	}
	static const char *const odd[] = {
		"", "\n", "#", "#0", "#0 ", "Thread ", "Thread 1 (", "Thread 1 ():", "TID :", "PID ",
		"/proc/", "/proc/1/task/", "/proc/1/task/1/stat:", "/proc/1/task/1/stat:1 (",
		"/proc/1/task/1/stat:1 ()", "Traceback (most recent call first):\n  File \"",
		"#0  0x1 in f (\"\\", "#0  0x1 in f ('", "#1 Frame 0x1, for file ",
		"#1 Frame 0x1, for file a, line ", "    at x.c:1", "#0  0x1 in f ()\n    at",
		"Thread 1 (LWP 2147483648):", "Thread 99999999999 (LWP 1):",
		"#0  0x1 in f () at x.c:99999999999",
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		run_all(odd[i], strlen(odd[i]));
	/* a long wrapped frame and a huge number of threads stay linear */
	static const char wrapped[] = "#0  0x1 in f (a=1,\n    b=2)\n";
	size_t big = 1 << 20;
	char *text = malloc(big);
	assert_non_null(text);
	for (size_t i = 0; i < big; i++)
		text[i] = wrapped[i % (sizeof(wrapped) - 1)];
	run_all(text, big);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gdb_frame_lines),
		cmocka_unit_test(test_gdb_thread_headers),
		cmocka_unit_test(test_gdb_inlined),
		cmocka_unit_test(test_gdb_noise_and_sequence),
		cmocka_unit_test(test_gdb_pid),
		cmocka_unit_test(test_gdb_info_threads),
		cmocka_unit_test(test_pid_from_name),
		cmocka_unit_test(test_gdb_wrapped),
		cmocka_unit_test(test_eu_lines),
		cmocka_unit_test(test_eu_structure),
		cmocka_unit_test(test_py_bt),
		cmocka_unit_test(test_proc_task_lines),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_hand_checked_frames),
		cmocka_unit_test(test_merge_same_moment),
		cmocka_unit_test(test_merge_unknown_time),
		cmocka_unit_test(test_truncated_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
