/* test_parse_pyspy.c — parse_stack_pyspy.c (py-spy dump) and
 * parse_stack_faulthandler.c (CPython faulthandler), and what one look at
 * a dump must make the diagnosis say (classify.c one_look, workers-stuck).
 *
 * Lines good and bad side by side (STYLE.md §11): every header and frame
 * shape of py-spy's src/dump.rs and CPython's Python/traceback.c, the
 * field cases read through the sniffer, hostile input (cut lines, NUL,
 * huge numbers, a 10 MB line, every file cut at many points). Buffers are
 * exact-size heap copies freed before the checks, so an overread or a
 * kept pointer into the input shows under ASan. */
#include "testutil.h"

#include <math.h>

#include "derive/classify.h"
#include "model/rule.h"
#include "input/stack_model.h"

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

static void assert_str(const char *got, const char *want)
{
	if ((!got || !want) ? got != want : strcmp(got, want) != 0)
		fail_msg("got '%s', want '%s'", got ? got : "(null)", want ? want : "(null)");
}

/* ---- py-spy thread headers */

static const struct pyspy_header_case {
	const char *header;
	int ok;			/* read as a thread */
	int32_t tid;		/* 0: derived from the pthread_t (negative) */
	const char *comm;
	char state;		/* 'R' for "active" with an OS tid */
} pyspy_headers[] = {
	{ "Thread 1234 (idle): \"MainThread\"", 1, 1234, "MainThread", 0 },
	{ "Thread 1235 (active+gil): \"worker\"", 1, 1235, "worker", 'R' },
	{ "Thread 1236 (active): \"Thread-3 (run)\"", 1, 1236, "Thread-3 (run)", 'R' },
	{ "Thread 1237 (gil)", 1, 1237, NULL, 0 },
	{ "Thread 1238 (idle)", 1, 1238, NULL, 0 },
	{ "Thread 1239: \"no-activity\"", 1, 1239, "no-activity", 0 },
	{ "Thread 0x7F2B1C3D4740 (active): \"MainThread\"", 1, 0, "MainThread", 0 },	/* no OS tid: not R */
	{ "Thread 0x7F... (idle): \"cut\"", 1, 0, "cut", 0 },
	{ "Thread 1240 (sleeping): \"x\"", 0, 0, NULL, 0 },	/* not a py-spy status */
	{ "Thread 1241 (idle) \"x\"", 0, 0, NULL, 0 },
	{ "Thread 2 \"python3\" received signal SIGINT, Interrupt.", 0, 0, NULL, 0 },	/* gdb's */
	{ "Thread 99999999999 (idle): \"big\"", 1, 0, "big", 0 },	/* not an int32: pthread-like */
	{ "Thread (idle)", 0, 0, NULL, 0 },
};

static void test_pyspy_headers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pyspy_headers) / sizeof(pyspy_headers[0]); i++) {
		const struct pyspy_header_case *hc = &pyspy_headers[i];
		char buf[512];
		snprintf(buf, sizeof(buf), "Process 77: python3 x.py\nPython v3.11.2 (/usr/bin/python3)\n\n"
			 "%s\n    f (x.py:3)\n", hc->header);
		struct analysis *an = parse_str("py-spy", buf);
		size_t threads = an->inc.processes.n ? an->inc.processes.v[0]->threads.n : 0;
		if ((threads == 1) != (hc->ok == 1))
			fail_msg("case %zu '%s': %zu threads", i, hc->header, threads);
		if (hc->ok) {
			const struct thread *t = &proc(an, 77)->threads.v[0];
			if (hc->tid != t->tid && (hc->tid || t->tid >= 0))
				fail_msg("case %zu '%s': tid %d", i, hc->header, (int)t->tid);
			if (hc->tid)
				assert_int_equal(t->tid, hc->tid);
			else
				assert_true(t->tid < 0);
			assert_str(t->comm, hc->comm);
			assert_int_equal(t->samples.n, 1);
			assert_int_equal(t->samples.v[0].n_py_frames, 1);
			assert_int_equal(t->samples.v[0].state, hc->state);
			assert_int_equal(t->samples.v[0].src.line, 4);
		}
		analysis_free(an);
	}
}

/* ---- py-spy frames */

static const struct pyspy_frame_case {
	const char *line;
	int python;		/* 1 py frame, 0 native frame, -1 not a frame */
	const char *function, *file, *module;
	uint32_t line_no;
	uint64_t pc;
} pyspy_frames[] = {
	{ "    wait (threading.py:320)", 1, "wait", "threading.py", NULL, 320, 0 },
	{ "    <module> (gunicorn:8)", 0, "<module>", "gunicorn", NULL, 8, 0 },	/* no .py: a script */
	{ "    _run_code (<frozen runpy>:88)", 1, "_run_code", "<frozen runpy>", NULL, 88, 0 },
	{ "    handle (app/views.py)", 1, "handle", "app/views.py", NULL, 0, 0 },
	{ "    poll (libc.so.6)", 0, "poll", NULL, "libc.so.6", 0, 0 },
	{ "    pollForEvents (glfw/backend_utils.c:321)", 0, "pollForEvents", "glfw/backend_utils.c",
	  NULL, 321, 0 },
	{ "    0x7fc6d83a2f16 (libc.so.6)", 0, NULL, NULL, "libc.so.6", 0, 0x7fc6d83a2f16 },
	{ "    0x7f3a2c3e1b2d (?)", 0, NULL, NULL, NULL, 0, 0x7f3a2c3e1b2d },
	{ "    std::thread::_State_impl<f()>::_M_run() (libstdc++.so.6)", 0,
	  "std::thread::_State_impl<f()>::_M_run()", NULL, "libstdc++.so.6", 0, 0 },
	{ "    cython_fn (mod.pyx:12)", 1, "cython_fn", "mod.pyx", NULL, 12, 0 },
	{ "    f (x.py:99999999999)", 1, "f", "x.py", NULL, 0, 0 },	/* line unknown */
	{ "    no parenthesis", -1, NULL, NULL, NULL, 0, 0 },
	{ "    (x.py:3)", -1, NULL, NULL, NULL, 0, 0 },
	{ "    f (x.py:3", -1, NULL, NULL, NULL, 0, 0 },	/* cut */
};

static void test_pyspy_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pyspy_frames) / sizeof(pyspy_frames[0]); i++) {
		const struct pyspy_frame_case *fc = &pyspy_frames[i];
		char buf[512];
		snprintf(buf, sizeof(buf), "Process 5: p\nThread 5 (idle): \"MainThread\"\n%s\n", fc->line);
		struct analysis *an = parse_str("py-spy", buf);
		const struct stack_sample *s = &thr(an, 5, 5)->samples.v[0];
		if (fc->python < 0) {
			assert_int_equal(s->n_frames + s->n_py_frames, 0);
			assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
			analysis_free(an);
			continue;
		}
		if (fc->python ? s->n_py_frames != 1 || s->n_frames : s->n_frames != 1 || s->n_py_frames)
			fail_msg("case %zu '%s': %u native, %u py", i, fc->line, s->n_frames, s->n_py_frames);
		const struct frame *f = fc->python ? &s->py_frames[0] : &s->frames[0];
		assert_int_equal(f->python, fc->python);
		assert_str(f->function, fc->function);
		assert_str(f->file, fc->file);
		assert_str(f->module, fc->module);
		assert_int_equal(f->line, fc->line_no);
		assert_int_equal(f->pc, fc->pc);
		analysis_free(an);
	}
}

/* ---- a whole dump: --locals, --native, --subprocesses, the pid */

static void test_pyspy_dump(void **state)
{
	(void)state;
	struct analysis *an = parse_str("py-spy",
		"Process 5301: gunicorn: master [api]\n"
		"Python v3.11.6 (/usr/local/bin/python3.11)\n"
		"\n"
		"Thread 5301 (idle): \"MainThread\"\n"
		"    sleep (gunicorn/arbiter.py:357)\n"
		"        Arguments:\n"
		"            self: <Arbiter at 0x7f3e>\n"
		"        Locals:\n"
		"            ready: []\n"
		"    run (gunicorn/arbiter.py:209)\n"
		"\n"
		"--------------------------------------------------------------------------------\n"
		"Process 5307: gunicorn: worker [api]\n"
		"Python v3.11.6 (/usr/local/bin/python3.11)\n"
		"Parent Process 5301: gunicorn: master [api]\n"
		"\n"
		"Thread 5307 (idle): \"MainThread\"\n"
		"    0x7fc6d83a2f16 (libc.so.6)\n"
		"    PyThread_acquire_lock_timed (python3.11)\n"
		"    wait (threading.py:320)\n"
		"    handle (app/views.py:41)\n"
		"Thread 5312 (active+gil): \"ThreadPoolExecutor-0_0\"\n"
		"    encode (json/encoder.py:199)\n");
	assert_int_equal(an->inc.processes.n, 2);
	const struct stack_sample *s = &thr(an, 5301, 5301)->samples.v[0];
	assert_int_equal(s->n_py_frames, 2);	/* the locals are no frames */
	assert_string_equal(s->py_frames[1].function, "run");
	assert_int_equal(proc(an, 5307)->ppid, 5301);
	s = &thr(an, 5307, 5307)->samples.v[0];
	assert_int_equal(s->n_frames, 2);
	assert_int_equal(s->n_py_frames, 2);
	assert_string_equal(s->frames[1].function, "PyThread_acquire_lock_timed");
	assert_string_equal(s->frames[1].module, "python3.11");
	assert_string_equal(s->py_frames[0].function, "wait");
	assert_int_equal(thr(an, 5307, 5312)->samples.v[0].state, 'R');
	assert_int_equal(an->inputs.v[0].records, 7);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 0);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	analysis_free(an);
}

static const struct pyspy_pid_case {
	const char *display, *text;
	int32_t pid;
} pyspy_pids[] = {
	{ "x.txt", "Process 42: a\nThread 43 (idle): \"MainThread\"\n    f (a.py:1)\n", 42 },
	{ "x.txt", "$ sudo py-spy dump --pid 4711\nThread 9 (idle): \"w\"\n    f (a.py:1)\n", 4711 },
	{ "x.txt", "# py-spy dump --pid=4712\nThread 9 (idle): \"w\"\n    f (a.py:1)\n", 4712 },
	{ "x.txt", "$ docker exec web py-spy dump -p 37\nThread 9 (idle): \"w\"\n    f (a.py:1)\n", 37 },
	{ "x.txt", "Thread 9 (idle): \"w\"\n    f (a.py:1)\nThread 8 (idle): \"MainThread\"\n"
		   "    g (a.py:2)\n", 8 },
	{ "dump-31337.txt", "Thread 0x7F00 (idle): \"MainThread\"\n    f (a.py:1)\n", 31337 },
	{ "x.txt", "Thread 0x7F00 (idle): \"MainThread\"\n    f (a.py:1)\n", 0 },
};

static void test_pyspy_pid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pyspy_pids) / sizeof(pyspy_pids[0]); i++) {
		const struct pyspy_pid_case *pc = &pyspy_pids[i];
		struct analysis *an = parse_mem("py-spy", pc->display, pc->text, strlen(pc->text));
		assert_int_equal(an->inc.processes.n, 1);
		if (an->inc.processes.v[0]->pid != pc->pid)
			fail_msg("case %zu: pid %d, want %d", i, (int)an->inc.processes.v[0]->pid,
				 (int)pc->pid);
		assert_int_equal(count_diags(an, DIAG_SKIPPED), 0);	/* the command is no junk */
		analysis_free(an);
	}
}

/* a py-spy dump loop into one file: one sample per dump, in order */
static void test_pyspy_loop(void **state)
{
	(void)state;
	static const char one[] = "Process 8: python3 s.py\nPython v3.9.18 (/usr/bin/python3.9)\n\n"
				  "Thread 8 (idle): \"MainThread\"\n    wait (threading.py:312)\n"
				  "    run (s.py:3)\nThread 0x7F2B117FA700 (idle): \"pool\"\n"
				  "    get (queue.py:171)\n\n";
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s%s%s", one, one, one);
	struct analysis *an = parse_str("py-spy", buf);
	const struct thread *t = thr(an, 8, 8);
	assert_int_equal(t->samples.n, 3);
	for (uint32_t k = 0; k < 3; k++) {
		assert_int_equal(t->samples.v[k].sample_no, k + 1);
		assert_int_equal(t->samples.v[k].src.dump, k + 1);
		assert_int_equal(t->samples.v[k].n_py_frames, 2);
	}
	assert_int_equal(t->samples.v[2].src.line, 2 * 9 + 4);
	/* the pthread-named thread is the same thread in every dump */
	const struct process *p = proc(an, 8);
	assert_int_equal(p->threads.n, 2);
	assert_int_equal(p->threads.v[1].samples.n, 3);
	assert_int_equal(p->threads.v[1].tid, stack_tid_from_pthread(0x7F2B117FA700ull));
	analysis_free(an);
}

/* ---- faulthandler */

static const struct fh_header_case {
	const char *line;
	int ok;
	bool named;
} fh_headers[] = {
	{ "Thread 0x00007f8b8c9f5700 (most recent call first):", 1, false },
	{ "Current thread 0x00007f8b8d3f4740 (most recent call first):", 1, false },
	{ "Thread 0x00007f8b8c9f5700 [worker-3] (most recent call first):", 1, true },	/* 3.14 */
	{ "Current thread 0x00007fff71106cc0:", 1, false },	/* 3.3 */
	{ "Stack (most recent call first):", 1, false },
	{ "Mar 04 02:10:41 host app[4242]: Thread 0x00007fa1c2ffd6c0 (most recent call first):", 1,
	  false },
	{ "31: Current thread 0x00007fe807665740 (most recent call first):", 1, false },
	{ "Thread 0x (most recent call first):", 0, false },
	{ "Thread 0x00007f8b8c9f5700 (most recent call last):", 0, false },
	{ "Thread 0x00007f8b8c9f5700 [unterminated (most recent call first):", 0, false },
	{ "Traceback (most recent call first):", 0, false },	/* py-bt's */
	{ "Thread 0x0000000000000000000000000007f (most recent call first):", 0, false },	/* > 64 bits */
};

static void test_faulthandler_headers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fh_headers) / sizeof(fh_headers[0]); i++) {
		const struct fh_header_case *hc = &fh_headers[i];
		char buf[512];
		snprintf(buf, sizeof(buf), "%s\n  File \"/srv/a.py\", line 7 in handle\n", hc->line);
		struct analysis *an = parse_mem("faulthandler", "fh.txt", buf, strlen(buf));
		size_t threads = an->inc.processes.n ? an->inc.processes.v[0]->threads.n : 0;
		if ((threads == 1) != (hc->ok == 1))
			fail_msg("case %zu '%s': %zu threads", i, hc->line, threads);
		if (hc->ok) {
			const struct thread *t = &an->inc.processes.v[0]->threads.v[0];
			assert_true(t->tid < 0);	/* a pthread_t, never a kernel tid */
			assert_int_equal(t->samples.v[0].n_py_frames, 1);
			assert_string_equal(t->samples.v[0].py_frames[0].function, "handle");
			if (hc->named)
				assert_string_equal(t->comm, "worker-3");
		}
		analysis_free(an);
	}
}

static const struct fh_frame_case {
	const char *line;
	int frames;
	const char *function, *file;
	uint32_t line_no;
} fh_frames[] = {
	{ "  File \"/usr/lib/python3.11/threading.py\", line 320 in wait", 1, "wait",
	  "/usr/lib/python3.11/threading.py", 320 },
	{ "  File \"/srv/a b\", line 9.py\", line 3 in f", 1, "f", "/srv/a b\", line 9.py", 3 },
	{ "  File \"x.py\", line ??? in f", 1, "f", "x.py", 0 },
	{ "  File ???, line 3 in ???", 1, NULL, NULL, 3 },
	{ "31:   File \"x.py\", line 3 in <module>", 1, "<module>", "x.py", 3 },
	{ "  File \"x.py\", line 3, in f", 0, NULL, NULL, 0 },	/* an exception's traceback */
	{ "  File \"x.py\", line 99999999999 in f", 0, NULL, NULL, 0 },
	{ "  File \"x.py\"", 0, NULL, NULL, 0 },
	{ "  File \"x.py, line 3 in f", 0, NULL, NULL, 0 },
	{ "  <no Python frame>", 0, NULL, NULL, 0 },
	{ "  Garbage-collecting", 1, "Garbage-collecting", NULL, 0 },
	{ "  ...", 0, NULL, NULL, 0 },
};

static void test_faulthandler_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fh_frames) / sizeof(fh_frames[0]); i++) {
		const struct fh_frame_case *fc = &fh_frames[i];
		char buf[512];
		snprintf(buf, sizeof(buf), "Thread 0x00007f0000001000 (most recent call first):\n%s\n",
			 fc->line);
		struct analysis *an = parse_mem("faulthandler", "fh.txt", buf, strlen(buf));
		const struct stack_sample *s = &an->inc.processes.v[0]->threads.v[0].samples.v[0];
		if (s->n_py_frames != (uint32_t)fc->frames)
			fail_msg("case %zu '%s': %u frames", i, fc->line, s->n_py_frames);
		if (fc->frames) {
			assert_true(s->py_frames[0].python);
			assert_str(s->py_frames[0].function, fc->function);
			assert_str(s->py_frames[0].file, fc->file);
			assert_int_equal(s->py_frames[0].line, fc->line_no);
		}
		analysis_free(an);
	}
}

static void test_faulthandler_log(void **state)
{
	(void)state;
	/* a gunicorn log: the worker's pid in the line before the dump, a
	 * Python exception traceback after it (not the dump's), 3.14's C
	 * stack for the current thread, two dumps of two workers */
	struct analysis *an = parse_str("faulthandler",
		"[2026-03-01 10:00:00 +0000] [40] [CRITICAL] WORKER TIMEOUT (pid:41)\n"
		"Fatal Python error: Aborted\n"
		"\n"
		"Thread 0x00007f0000002000 (most recent call first):\n"
		"  File \"/usr/lib/python3.11/threading.py\", line 320 in wait\n"
		"  File \"/srv/app.py\", line 12 in handle\n"
		"\n"
		"Current thread 0x00007f0000001000 (most recent call first):\n"
		"  File \"/srv/app.py\", line 30 in main\n"
		"\n"
		"Current thread's C stack trace (most recent call first):\n"
		"  Binary file \"/lib/x86_64-linux-gnu/libc.so.6\", at __lll_lock_wait+0x2c [0x7f00000a1b2c]\n"
		"  Binary file '<unknown>' [0x7f00000a1b2d]\n"
		"Traceback (most recent call last):\n"
		"  File \"/srv/other.py\", line 3, in <module>\n"
		"[2026-03-01 10:00:31 +0000] [40] [CRITICAL] WORKER TIMEOUT (pid:42)\n"
		"Fatal Python error: Aborted\n"
		"Current thread 0x00007f0000001000 (most recent call first):\n"
		"  <no Python frame>\n");
	assert_int_equal(an->inc.processes.n, 2);
	const struct process *p = proc(an, 41);
	assert_int_equal(p->threads.n, 2);
	const struct thread *t = thr(an, 41, stack_tid_from_pthread(0x00007f0000002000ull));
	assert_int_equal(t->samples.v[0].n_py_frames, 2);
	t = thr(an, 41, stack_tid_from_pthread(0x00007f0000001000ull));
	assert_int_equal(t->samples.n, 1);
	assert_int_equal(t->samples.v[0].n_py_frames, 1);
	assert_int_equal(t->samples.v[0].n_frames, 2);
	assert_string_equal(t->samples.v[0].frames[0].function, "__lll_lock_wait");
	assert_string_equal(t->samples.v[0].frames[0].module, "libc.so.6");
	assert_int_equal(t->samples.v[0].frames[1].pc, 0x7f00000a1b2d);
	assert_int_equal(thr(an, 42, stack_tid_from_pthread(0x00007f0000001000ull))->samples.n, 1);
	analysis_free(an);

	/* the repeat of dump_traceback_later: one sample per dump */
	an = parse_str("faulthandler",
		"Timeout (0:00:05)!\nThread 0x00007f0000003000 (most recent call first):\n"
		"  File \"/srv/a.py\", line 1 in f\n"
		"Timeout (0:00:05)!\nThread 0x00007f0000003000 (most recent call first):\n"
		"  File \"/srv/a.py\", line 1 in f\n"
		"Thread 0x00007f0000003000 (most recent call first):\n"	/* seen again: a third dump */
		"  File \"/srv/a.py\", line 1 in f\n");
	t = thr(an, 0, stack_tid_from_pthread(0x00007f0000003000ull));
	assert_int_equal(t->samples.n, 3);
	assert_int_equal(t->samples.v[2].src.dump, 3);
	analysis_free(an);
}

/* ---- sniffing: each format read as itself, no other format stolen */

static const struct sniff_case {
	const char *text, *kind;
} sniff_cases[] = {
	{ "Process 1: a\nPython v3.11.2 (/usr/bin/python3)\n\nThread 1 (idle): \"MainThread\"\n"
	  "    f (a.py:1)\n", "py-spy" },
	{ "Thread 12 (idle): \"MainThread\"\n    wait (threading.py:320)\n", "py-spy" },
	{ "Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f0000001000 (most recent "
	  "call first):\n  File \"a.py\", line 3 in f\n", "faulthandler" },
	{ "app log line\nThread 0x00007f0000001000 (most recent call first):\n"
	  "  File \"a.py\", line 3 in f\n", "faulthandler" },
	{ "  Id   Target Id         Frame \n* 1    LWP 2322          0x00010b50 in CoreTest ()\n", "gdb" },
	{ "* 1    Thread 0x7f (LWP 5) \"a\" 0x1 in epoll_wait () from /lib/libc.so.6\n"
	  "  2    Thread 0x7e (LWP 6) \"a\" 0x2 in poll () from /lib/libc.so.6\n", "gdb" },
	{ "$ pstack 1234\n#0  0x1 in __lll_lock_wait () from /lib64/libpthread.so.0\n", "pstack" },
	{ "Thread 2 (Thread 0x7f (LWP 5)):\n#0  0x1 in f ()\n", "gdb" },
	{ "Traceback (most recent call first):\n  File \"a.py\", line 1, in f\n", "py-bt" },
	{ "Thread 12 (idle)\n", "unknown" },	/* a header alone: nothing to read */
};

static void test_sniff(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sniff_cases) / sizeof(sniff_cases[0]); i++) {
		const char *got = sniff_name(sniff_cases[i].text, strlen(sniff_cases[i].text));
		if (strcmp(got, sniff_cases[i].kind) != 0)
			fail_msg("case %zu: sniffed %s, want %s", i, got, sniff_cases[i].kind);
	}
}

/* ---- one look: the diagnosis of a lone dump */

static struct analysis *diagnose_str(const char *kind, const char *display, const char *text)
{
	struct analysis *an = parse_mem(kind, display, text, strlen(text));
	analysis_diagnose(an);
	return an;
}

static const struct finding *find(const struct analysis *an, const char *rule)
{
	for (size_t i = 0; i < an->findings.n; i++)
		if (strcmp(an->findings.v[i]->rule->id, rule) == 0)
			return an->findings.v[i];
	return NULL;
}

static bool said(const struct analysis *an, const char *what)
{
	for (size_t i = 0; i < an->checked.n; i++)
		if (strstr(an->checked.v[i], what))
			return true;
	for (size_t i = 0; i < an->notes.n; i++)
		if (strstr(an->notes.v[i], what))
			return true;
	return false;
}

static void test_one_look(void **state)
{
	(void)state;
	/* two threads on a mutex, main joining: a warning, one look */
	struct analysis *an = diagnose_str("pstack", "x.txt",
		"[root@db ~]# pstack 300\n"
		"Thread 2 (Thread 0x7f (LWP 302)):\n"
		"#0  0x1 in __lll_lock_wait () from /lib64/libpthread.so.0\n"
		"#1  0x2 in pthread_mutex_lock () from /lib64/libpthread.so.0\n"
		"#2  0x3 in post (a=1) at ledger.c:61\n"
		"Thread 1 (Thread 0x7e (LWP 300)):\n"
		"#0  0x4 in pthread_join () from /lib64/libpthread.so.0\n"
		"#1  0x5 in main () at ledger.c:139\n");
	const struct finding *f = find(an, "workers-stuck");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(f->confidence <= 0.6);
	assert_int_equal(f->pids.n, 1);
	assert_int_equal(f->pids.v[0], 300);
	assert_int_equal(f->tids.n, 1);
	assert_int_equal(f->tids.v[0], 302);
	assert_int_equal(finding_fact(f, "samples")->i, 1);
	assert_non_null(strstr(f->advice, "second look"));
	assert_int_equal(an->verdict, VERDICT_DEGRADED);
	assert_false(said(an, "nothing wrong"));
	assert_false(said(an, "no stuck workers"));
	analysis_free(an);

	/* a timed condition wait, an idle poller: nothing to report, and not
	 * "nothing wrong" either without connections */
	an = diagnose_str("gdb", "x.txt",
		"Thread 2 (Thread 0x7f (LWP 12)):\n"
		"#0  0x1 in __pthread_cond_wait_common () at ./nptl/pthread_cond_wait.c:503\n"
		"#1  0x2 in ___pthread_cond_timedwait64 () at ./nptl/pthread_cond_wait.c:643\n"
		"#2  0x3 in tick () at t.c:9\n"
		"Thread 1 (Thread 0x7e (LWP 10)):\n"
		"#0  0x4 in epoll_wait () from /lib/libc.so.6\n");
	assert_null(find(an, "workers-stuck"));
	assert_null(find(an, "healthy"));
	assert_int_equal(an->verdict, VERDICT_INCONCLUSIVE);
	analysis_free(an);

	/* a condition wait in a process whose other thread polls: no finding,
	 * and the note says what was seen instead of "nothing wrong" */
	an = diagnose_str("py-spy", "x.txt",
		"Process 9: p\nThread 9 (idle): \"MainThread\"\n    wait (threading.py:320)\n"
		"    run (app.py:3)\nThread 10 (idle): \"events\"\n    select (selectors.py:469)\n"
		"    loop (app.py:9)\n");
	assert_null(find(an, "workers-stuck"));
	assert_true(said(an, "blocked on a lock in the only stack sample"));
	assert_false(said(an, "nothing wrong"));
	analysis_free(an);

	/* the same dump twice: the second look makes it stuck (critical) */
	static const char dump[] = "Process 9: p\nThread 9 (idle): \"MainThread\"\n"
				   "    wait (threading.py:320)\n    run (app.py:3)\n";
	char two[256];
	snprintf(two, sizeof(two), "%s%s", dump, dump);
	an = diagnose_str("py-spy", "x.txt", two);
	f = find(an, "workers-stuck");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(finding_fact(f, "samples")->i, 2);
	analysis_free(an);

	/* thread headers with nothing under them: no stacks to call fine */
	an = diagnose_str("py-spy", "x.txt", "Process 9: p\nThread 9 (idle): \"MainThread\"\n"
			  "Thread 10 (idle): \"x\"\n");
	assert_false(said(an, "nothing wrong"));
	assert_null(find(an, "healthy"));
	analysis_free(an);
}

/* ---- the command line before a paste */

static void test_pid_from_command(void **state)
{
	(void)state;
	static const struct { const char *line; int32_t pid; } rows[] = {
		{ "$ pstack 1234", 1234 }, { "# gstack 1234", 1234 }, { "[root@host ~]# pstack 1234", 1234 },
		{ "celery]# pstack 8401", 8401 }, { "user@h:~$ sudo /usr/bin/gstack 77", 77 },
		{ "pstack 55", 55 }, { "sudo pstack 56", 56 },
		{ "$ gdb -p 1234 -batch -ex 'thread apply all bt'", 1234 },
		{ "$ gdb -batch -ex 'thread apply all bt' -p 4321", 4321 },
		{ "$ gdb -batch -ex \"info threads\" --pid=99", 99 },
		{ "$ gdb /usr/sbin/app 2211", 2211 }, { "(gdb) attach 515", 0 },
		{ "$ py-spy dump --pid 8", 8 }, { "$ py-spy dump --native -p 9", 9 },
		{ "$ docker exec web py-spy dump --pid 37", 37 }, { "$ eu-stack -p 12", 12 },
		{ "$ gdb -p $(pidof hang)", 0 }, { "$ pstack", 0 }, { "$ pstack x", 0 },
		{ "the pstack 1234 output", 0 }, { "$ pstack 99999999", 0 }, { "$ pstack 0", 0 },
		{ "$ cat pstack.txt", 0 }, { "", 0 }, { "$", 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int32_t got = stack_pid_from_command(span_cstr(rows[i].line));
		if (got != rows[i].pid)
			fail_msg("'%s': %d, want %d", rows[i].line, (int)got, (int)rows[i].pid);
	}
	assert_int_equal(stack_tid_from_pthread(0), -1);
	assert_true(stack_tid_from_pthread(0x7f5c5d7e26c0ull) < 0);
	assert_true(stack_tid_from_pthread(0x7f5c5d7e26c0ull) != stack_tid_from_pthread(0x7f5c5cfe16c0ull));
	assert_true(stack_tid_from_pthread(0x80000000ull) < 0);
}

/* ---- hostile input */

static void run_all(const char *text, size_t n)
{
	static const char *const kinds[] = { "py-spy", "faulthandler", "gdb" };
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct analysis *an = parse_mem(kinds[k], "cut-1234.txt", text, n);
		analysis_diagnose(an);
		analysis_free(an);
	}
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

static const char *const field_files[] = {
	"tests/field/pyspy-gunicorn-condition-wait/py-spy-dump-18342.txt",
	"tests/field/pyspy-native-logging-lock/worker-pyspy-native.txt",
	"tests/field/pyspy-subprocesses/pyspy-subprocesses.txt",
	"tests/field/pyspy-loop-two-dumps/dumps.txt",
	"tests/field/faulthandler-uwsgi-timeout/uwsgi.log",
	"tests/field/faulthandler-journald-two-dumps/journal-billing.txt",
	"tests/field/gdb-info-threads-then-bt/gdb-session.txt",
};

static void test_truncated_and_garbage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(field_files) / sizeof(field_files[0]); i++) {
		size_t n;
		char *text = slurp(field_files[i], &n);
		size_t step = n / 30 + 1;
		for (size_t cut = 0; cut <= n; cut += step)
			run_all(text, cut);
		for (size_t j = 0; j < n; j += 29)
			text[j] = (char)(text[j] ^ (j & 1 ? 0x20 : 0xff));
		run_all(text, n);
		free(text);
	}
	static const char *const odd[] = {
		"", "\n", "Thread ", "Thread 1 (", "Thread 1 (idle): \"", "Process :",
		"Process 99999999999: x\nThread 1 (idle)\n    f (a.py:1)\n",
		"Thread 1 (idle)\n    )\n", "Thread 1 (idle)\n     (\n", "Thread 1 (idle)\n    f ()\n",
		"Thread 0x (most recent call first):", "Current thread 0x",
		"Thread 0x1 (most recent call first):\n  File \"", "Thread 0x1 [",
		"Thread 0x1 (most recent call first):\n  File \"a\", line ",
		"Current thread's C stack trace (most recent call first):\n  Binary file \"",
		"Current thread 0x1 (most recent call first):\nCurrent thread's C stack trace (most "
		"recent call first):\n  Binary file \"x\", at f+0x1 [0x",
		"* 1", "* 1    Thread 0x", "* 1    Thread 0x7f (LWP ", "  2    LWP 5 \"", "  2    process",
		"Process 1: a\nThread 1 (idle): \"a\"\n    f (a.py:1)\nThread 1\0 (idle)\n",
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		run_all(odd[i], strlen(odd[i]));
	/* NUL inside a header line, a 10 MB line, thousands of threads */
	static const char nul[] = "Process 1: a\nThread 1 (idle): \"a\0b\"\n    f (a.py:1)\n";
	run_all(nul, sizeof(nul) - 1);
	size_t big = 10u << 20;
	char *text = malloc(big);
	assert_non_null(text);
	memcpy(text, "Thread 1 (idle): \"", 18);
	memset(text + 18, 'x', big - 18);
	run_all(text, big);
	static const char block[] = "Thread 0x00007f0000001000 (most recent call first):\n"
				    "  File \"a.py\", line 1 in f\nThread 77 (idle): \"t\"\n"
				    "    f (a.py:1)\n";
	for (size_t i = 0; i < big; i++)
		text[i] = block[i % (sizeof(block) - 1)];
	run_all(text, 1u << 20);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pyspy_headers),
		cmocka_unit_test(test_pyspy_frames),
		cmocka_unit_test(test_pyspy_dump),
		cmocka_unit_test(test_pyspy_pid),
		cmocka_unit_test(test_pyspy_loop),
		cmocka_unit_test(test_faulthandler_headers),
		cmocka_unit_test(test_faulthandler_frames),
		cmocka_unit_test(test_faulthandler_log),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_one_look),
		cmocka_unit_test(test_pid_from_command),
		cmocka_unit_test(test_truncated_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
