/* test_parse_procps.c — parse_procps.c (ps, top), the ls -l /proc/PID/fd
 * and /proc/PID/limits readers of parse_proc_pid.c, and what classify.c
 * makes of ps/top samples (wchan, CPU time between snapshots).
 *
 * Rows good and bad side by side; recorded files: the lab recordings of
 * tests/data/traces/lab and tests/field/lab-* (public ps/top outputs were
 * read by hand when the reader was written; fetched material is not kept
 * here); every file cut at many points, hostile tables. */
#include "testutil.h"

#include <math.h>

#include "derive/classify.h"

static struct analysis *parse_str(const char *kind, const char *display, const char *text)
{
	return parse_heap_copy(kind, display, text, strlen(text));
}


static const struct stack_sample *sample(const struct analysis *an, int32_t pid, int32_t tid,
					 size_t k)
{
	const struct thread *t = test_thread(an, pid, tid);
	if (k >= t->samples.n)
		fail_msg("tid %d has %zu samples", (int)tid, t->samples.n);
	return &t->samples.v[k];
}

/* ---- the CPU time columns: TIME, TIME+ and their scales */

static const struct time_case {
	const char *header, *value;
	int64_t ticks;		/* -1 unknown, -2 the row is rejected */
} time_cases[] = {
	{ "TIME", "00:00:11", 1100 },		/* pr_time */
	{ "TIME", "1-02:03:04", (86400 + 7384) * 100LL },
	{ "TIME", "12:34", 754 * 100 },		/* pr_bsdtime: MMM:SS */
	{ "TIME", "432:11", (432 * 60 + 11) * 100LL },
	{ "TIME", "7", 700 },			/* pr_times: seconds */
	{ "TIME+", "0:11.58", 1158 },		/* scale_tics, hundredths */
	{ "TIME+", "412:07.31", (412 * 60 + 7) * 100LL + 31 },
	{ "TIME+", "7:53.61", (7 * 60 + 53) * 100LL + 61 },	/* macOS ps */
	{ "TIME+", "1234,05", -1 },		/* hours,minutes: too coarse */
	{ "TIME+", "3d+4h", -1 },
	{ "TIME+", "2w+1d", -1 },
	{ "TIME", "x1:00", -2 },
	{ "TIME", "1::00", -2 },
	{ "TIME", "0:11.5", -2 },
	{ "TIME", "99999999999999999999:00", -2 },
};

static void test_cputime(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *tc = &time_cases[i];
		char text[256];
		snprintf(text, sizeof(text), "  PID   LWP S %8s CMD\n 4242  4243 S %8s worker\n",
			 tc->header, tc->value);
		struct analysis *an = parse_str("ps", "t.txt", text);
		const struct process *p = test_process(an, 4242);
		if (tc->ticks == -2) {
			if (p && p->threads.n)
				fail_msg("case %zu '%s': read", i, tc->value);
			assert_true(count_diags(an, DIAG_BAD_LINE) >= 1);
		} else {
			const struct stack_sample *s = sample(an, 4242, 4243, 0);
			if (s->utime != tc->ticks)
				fail_msg("case %zu '%s': %lld ticks, want %lld", i, tc->value,
					 (long long)s->utime, (long long)tc->ticks);
			assert_int_equal(s->stime, tc->ticks >= 0 ? 0 : -1);
		}
		analysis_free(an);
	}
}

/* ---- ps tables in the shapes people run */

static void test_ps_shapes(void **state)
{
	(void)state;
	/* ps -eLo with a date line, the pipeline's awk row skipped */
	struct analysis *an = parse_str("ps", "t.txt",
		"2026-12-04T18:14:24.100Z\n"
		"  PID   LWP STAT %CPU     TIME WCHAN                            COMMAND\n"
		"16268 16268 Sl    0.0 00:00:00 inet_csk_accept                  stuckpool\n"
		"16268 16278 Sl    0.0 00:00:00 futex_do_wait                    stuckpool\n"
		"16269 16284 Rl   19.7 00:00:02 -                                stuckpool\n"
		"18982 18982 S     0.0 00:00:00 pipe_read                        awk\n");
	assert_int_equal(an->inputs.v[0].records, 3);
	const struct stack_sample *s = sample(an, 16268, 16278, 0);
	assert_int_equal(s->state, 'S');
	assert_string_equal(s->wchan, "futex_do_wait");
	assert_true(fabs(s->src.at - 1796408064.1) < 0.01);	/* its date line */
	assert_null(sample(an, 16269, 16284, 0)->wchan);	/* "-": running */
	assert_null(test_process(an, 18982));
	analysis_free(an);

	/* ps -eLf: CMD is the command line; PPID kept */
	an = parse_str("ps", "t.txt",
		"UID        PID  PPID   LWP  C NLWP STIME TTY          TIME CMD\n"
		"root     16986 16985 16986  0    4 17:40 ?        00:00:00 ./stuckpool --stuck\n"
		"root     16986 16985 16987  0    4 17:40 ?        00:00:00 ./stuckpool --stuck\n");
	assert_int_equal(test_process(an, 16986)->ppid, 16985);
	assert_string_equal(test_process(an, 16986)->comm, "stuckpool");
	assert_int_equal(test_process(an, 16986)->threads.n, 2);
	analysis_free(an);

	/* ps aux: process rows; single-threaded ones (no 'l') are their thread */
	an = parse_str("ps", "t.txt",
		"USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
		"root         1  0.0  0.1 244360 13796 ?        Ss   02:19   0:02 /usr/lib/systemd/systemd --switched-root\n"
		"app       3100 99.0  1.0 244360 13796 ?        Rl   02:19 432:11 /usr/bin/java -jar app.jar\n");
	assert_int_equal(test_process(an, 1)->threads.n, 1);
	assert_string_equal(test_process(an, 1)->comm, "systemd");
	assert_int_equal(test_process(an, 3100)->threads.n, 0);	/* multi-threaded: no sample */
	analysis_free(an);

	/* ps -o lstart: STARTED is five words */
	an = parse_str("ps", "t.txt",
		"F S   UID   PID  PPID CLS PRI WCHAN                   STARTED TT           TIME CMD\n"
		"4 S     0     1     0  TS  19 do_epo Wed Oct  2 02:19:25 2019 ?        00:00:02 /usr/lib/systemd/systemd\n");
	assert_string_equal(test_process(an, 1)->comm, "systemd");
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 0);
	analysis_free(an);

	/* ps m: thread rows without ids are skipped, not errors */
	an = parse_str("ps", "t.txt",
		"USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
		"root         1  0.0  0.1 244360 13796 ?        -    02:19   0:02 /usr/lib/systemd/systemd\n"
		"root         -  0.0    -      -     - -        Ss   02:19   0:02 -\n");
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(test_process(an, 1)->threads.n, 0);
	analysis_free(an);

	/* a row that fits no column */
	an = parse_str("ps", "t.txt",
		"  PID   LWP S     TIME CMD\n"
		"  12    13  S 00:00:00 a\n"
		"  1x    13  S 00:00:00 b\n");
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 1);
	assert_int_equal(an->inputs.v[0].records, 1);
	analysis_free(an);
}

/* procps-ng 4.0.0-4.0.3: the main thread's row carries the process's time */
static void test_leader_totals(void **state)
{
	(void)state;
	struct analysis *an = parse_str("ps", "t.txt",
		"  PID   LWP STAT     TIME WCHAN            COMMAND\n"
		"16990 16990 Sl   00:00:11 inet_csk_accept  stuckpool\n"
		"16990 16991 Sl   00:00:00 futex_do_wait    stuckpool\n"
		"16990 16994 Rl   00:00:11 -                stuckpool\n");
	assert_int_equal(sample(an, 16990, 16990, 0)->utime, -1);
	assert_int_equal(sample(an, 16990, 16994, 0)->utime, 1100);
	assert_int_equal(count_diags(an, DIAG_NOTE), 1);
	analysis_free(an);
	/* a leader that really used the time keeps it */
	an = parse_str("ps", "t.txt",
		"  PID   LWP STAT     TIME COMMAND\n"
		"  500   500 Rl   00:01:40 loop\n"
		"  500   501 Sl   00:00:01 loop\n");
	assert_int_equal(sample(an, 500, 500, 0)->utime, 10000);
	analysis_free(an);
}

/* ---- top */

static void test_top(void **state)
{
	(void)state;
	/* -H with -p on the command line, two frames 2 s apart */
	const char *two =
		"# top -H -b -n 2 -d 2 -p 6470\n"
		"top - 17:59:46 up  1:46,  0 user,  load average: 20.79, 17.98, 12.39\n"
		"Threads:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie\n"
		"%Cpu(s):  0.0 us,  0.0 sy,  0.0 ni,100.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st \n"
		"MiB Mem :  24105.3 total,  19344.3 free,   1337.4 used,   3738.7 buff/cache     \n"
		"MiB Swap:      0.0 total,      0.0 free,      0.0 used.  22767.8 avail Mem \n"
		"\n"
		"  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n"
		" 6470 root      20   0   18868   1608   1492 R  20.0   0.0   0:01.38 emfile\n"
		" 6472 root      20   0   18868   1608   1492 S   0.0   0.0   0:00.00 emfile\n"
		"\n"
		"top - 17:59:48 up  1:46,  0 user,  load average: 20.79, 17.98, 12.39\n"
		"Threads:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie\n"
		"\n"
		"  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n"
		" 6470 root      20   0   18868   1608   1492 R  17.5   0.0   0:03.38 emfile\n"
		" 6472 root      20   0   18868   1608   1492 S   0.0   0.0   0:00.00 emfile\n";
	struct analysis *an = parse_str("top", "t.txt", two);
	const struct thread *t = test_thread(an, 6470, 6470);
	assert_int_equal(t->samples.n, 2);
	assert_int_equal(t->samples.v[0].utime, 138);
	assert_int_equal(t->samples.v[1].utime, 338);
	analysis_diagnose(an);
	assert_int_equal(t->cpu_ticks_delta, 200);
	assert_int_equal(t->state, THR_RUNNING);
	analysis_free(an);

	/* -H without any pid: threads only, kept by no process */
	an = parse_str("top", "t.txt", strchr(two, '\n') + 1);
	assert_int_equal(an->inc.processes.n, 0);
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 1);
	analysis_free(an);

	/* WCHAN after COMMAND, names with blanks: read by position */
	an = parse_str("top", "top-H-8120.txt",
		"top - 03:58:11 up 41 days,  3:18,  2 users,  load average: 1.21, 1.09, 1.03\n"
		"Threads:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie\n"
		"\n"
		"  PID USER      PR  NI    VIRT    RES    SHR S %CPU %MEM     TIME+ COMMAND                WCHAN                          \n"
		" 8120 svc       20   0 1742316 286412  18264 R 99.7  1.8 412:07.31 api-gateway            -                              \n"
		" 8122 svc       20   0 1742316 286412  18264 S  0.0  1.8   0:02.17 pool worker 1          futex_wait_queue_me            \n");
	assert_string_equal(test_thread(an, 8120, 8122)->comm, "pool worker 1");
	assert_string_equal(sample(an, 8120, 8122, 0)->wchan, "futex_wait_queue_me");
	assert_int_equal(sample(an, 8120, 8120, 0)->state, 'R');
	analysis_free(an);
}

/* ---- what classify.c makes of a wchan */

static const struct wchan_case {
	const char *wchan;
	enum blocked_on kind;
	enum thread_state state;	/* over two snapshots without CPU */
} wchan_cases[] = {
	{ "futex_do_wait", BLK_FUTEX, THR_SLEEPING },	/* ambiguous: never stuck alone */
	{ "futex_wait_queue_me", BLK_FUTEX, THR_SLEEPING },
	{ "futex_", BLK_FUTEX, THR_SLEEPING },		/* cut by ps -l */
	{ "inet_csk_accept", BLK_ACCEPT, THR_WAITING_FOR_WORK },
	{ "inet_c", BLK_ACCEPT, THR_WAITING_FOR_WORK },
	{ "ep_poll", BLK_POLL, THR_WAITING_FOR_WORK },
	{ "do_sys", BLK_NONE, THR_UNKNOWN },	/* poll or pause: undecided */
	{ "hrtimer_nanosleep", BLK_SLEEP, THR_SLEEPING },
	{ "worker_thread", BLK_NONE, THR_UNKNOWN },
};

static void test_wchan(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wchan_cases) / sizeof(wchan_cases[0]); i++) {
		const struct wchan_case *wc = &wchan_cases[i];
		char text[512];
		snprintf(text, sizeof(text),
			 "2026-12-04T18:00:00Z\n  PID   LWP S     TIME WCHAN  CMD\n 700   701 S 00:00:00 %s w\n"
			 "2026-12-04T18:00:05Z\n  PID   LWP S     TIME WCHAN  CMD\n 700   701 S 00:00:00 %s w\n",
			 wc->wchan, wc->wchan);
		struct analysis *an = parse_str("ps", "t.txt", text);
		const struct thread *t = test_thread(an, 700, 701);
		assert_int_equal(t->samples.n, 2);
		analysis_diagnose(an);
		if (t->state != wc->state || (wc->state != THR_UNKNOWN && t->blocked != wc->kind))
			fail_msg("wchan '%s': state %d blocked %d, want %d %d", wc->wchan, t->state,
				 t->blocked, wc->state, wc->kind);
		analysis_free(an);
	}
}

/* ps snapshots + socket tables: a worker whose handlers sleep in futex
 * waits, no CPU, with accepted connections nobody reads, is stuck */
static void test_ps_with_sockets(void **state)
{
	(void)state;
	struct analysis *an = read_file_input("tests/field/lab-ps-eLo-prefork-stuck");
	analysis_diagnose(an);
	const struct process *p = test_process(an, 25318);
	assert_int_equal(p->state, PST_STUCK);
	assert_int_equal(test_process(an, 25322)->state, PST_HEALTHY);
	const struct finding *f = analysis_find(an, "workers-stuck", NULL);
	assert_non_null(f);
	assert_string_equal(finding_fact(f, "decided_by")->str, "close-wait-and-cpu");
	analysis_free(an);
}

/* ---- ls -l /proc/PID/fd and /proc/PID/limits */

static void test_proc_fd(void **state)
{
	(void)state;
	/* the prompt names the pid; quoted targets; ls -la's . and .. */
	struct analysis *an = parse_str("proc-fd", "fd.txt",
		"[root@api7 ~]# ls -la /proc/23306/fd\n"
		"total 0\n"
		"dr-x------ 2 app app  0 Nov 26 04:10 .\n"
		"dr-xr-xr-x 9 app app  0 Nov 26 04:10 ..\n"
		"lr-x------ 1 app app 64 Nov 26 04:10 0 -> /dev/null\n"
		"lrwx------ 1 app app 64 Nov 26 04:10 3 -> 'anon_inode:[eventpoll]'\n"
		"lrwx------ 1 app app 64 Nov 26 04:10 4 -> 'socket:[3371561]'\n"
		"lrwx------ 1 app app 64 2026-12-04 17:40:04.552684300 +0000 5 -> socket:[817348]\n"
		"ls: cannot read symbolic link '/proc/23306/fd/6': No such file or directory\n");
	const struct process *p = test_process(an, 23306);
	assert_int_equal(p->fds, 4);
	assert_int_equal(p->fd_sockets, 2);
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	analysis_free(an);

	/* two directories in one ls, each for its own pid */
	an = parse_str("proc-fd", "fd.txt",
		"/proc/100/fd:\ntotal 0\n"
		"lrwx------ 1 a a 64 Nov 26 04:10 3 -> socket:[1]\n"
		"lrwx------ 1 a a 64 Nov 26 04:10 4 -> socket:[2]\n"
		"\n/proc/200/fd:\ntotal 0\n"
		"lrwx------ 1 a a 64 Nov 26 04:10 3 -> pipe:[9]\n");
	assert_int_equal(test_process(an, 100)->fds, 2);
	assert_int_equal(test_process(an, 100)->fd_sockets, 2);
	assert_int_equal(test_process(an, 200)->fds, 1);
	assert_int_equal(test_process(an, 200)->fd_sockets, 0);
	analysis_free(an);

	/* no pid anywhere: the listing names nothing */
	an = parse_str("proc-fd", "fd.txt", "total 0\nlrwx------ 1 a a 64 Nov 26 04:10 3 -> socket:[1]\n");
	assert_int_equal(an->inc.processes.n, 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	analysis_free(an);

	/* the file name's pid */
	an = parse_str("proc-fd", "fd-4321.txt",
		       "lrwx------ 1 a a 64 Nov 26 04:10 3 -> socket:[1]\nnot a row\n");
	assert_int_equal(test_process(an, 4321)->fds, 1);
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 1);
	analysis_free(an);

	/* limits with its prompt */
	an = parse_str("proc-limits", "limits.txt",
		"[root@noc2 objects]# cat /proc/19653/limits\n"
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max open files            1024                 4096                 files     \n");
	assert_int_equal(test_process(an, 19653)->fd_limit, 1024);
	analysis_free(an);
}

/* ---- sniffing */

static const struct sniff_case {
	const char *text, *kind;
} sniff_cases[] = {
	{ "  PID   LWP STAT %CPU     TIME WCHAN COMMAND\n 1 1 S 0.0 00:00:00 - init\n", "ps" },
	{ "F S UID PID PPID LWP C NLWP PRI NI ADDR SZ WCHAN STIME TTY TIME CMD\n"
	  "4 S root 1 0 1 0 1 80 0 - 61090 do_epo 02:19 ? 00:00:02 /sbin/init\n", "ps" },
	{ "top - 17:40:31 up  1:27,  0 user,  load average: 8.50, 7.65, 5.00\n"
	  "Threads:   4 total,   0 running,   4 sleeping,   0 stopped,   0 zombie\n", "top" },
	{ "   PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND\n 1 root 20 0 1 1 1 S 0 0 0:01.22 systemd\n",
	  "top" },
	{ "total 0\nlrwx------ 1 a a 64 Nov 26 04:10 3 -> 'socket:[1]'\n"
	  "lrwx------ 1 a a 64 Nov 26 04:10 4 -> 'socket:[2]'\n", "proc-fd" },
	/* not ps: netstat -p's header, an lsof table */
	{ "Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name\n"
	  "tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN 1154/sshd\n", "netstat" },
	{ "COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME\nsshd 1 root cwd DIR 253,0 224 64 /\n",
	  "unknown" },
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
	size_t processes, threads;
} file_cases[] = {
	{ "tests/data/traces/lab/ps-eLl.txt", "ps", 3, 10 },
	{ "tests/data/traces/lab/ps-eLf.txt", "ps", 4, 11 },
	{ "tests/data/traces/lab/ps-H-o.txt", "ps", 2, 9 },
	{ "tests/data/traces/lab/ps-T-p.txt", "ps", 1, 5 },
	{ "tests/data/traces/lab/top-H-two-pids.txt", "top", 0, 0 },
	{ "tests/field/lab-top-H-prefork/top-H-n2.txt", "top", 2, 9 },
	{ "tests/data/traces/lab/ls-la-proc-fd.txt", "proc-fd", 0, 0 },
	{ "tests/data/traces/lab/ls-l-full-iso-proc-fd.txt", "proc-fd", 0, 0 },
};

static void test_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		const struct file_case *fc = &file_cases[i];
		size_t n;
		char *text = read_file_whole(fc->path, &n);
		const char *got = sniff_name(text, n);
		if (strcmp(got, fc->kind) != 0)
			fail_msg("%s: sniffed %s, want %s", fc->path, got, fc->kind);
		struct analysis *an = parse_heap_copy(fc->kind, strrchr(fc->path, '/') + 1, text, n);
		free(text);
		size_t threads = 0;
		for (size_t k = 0; k < an->inc.processes.n; k++)
			threads += an->inc.processes.v[k]->threads.n;
		if (an->inc.processes.n != fc->processes || threads != fc->threads)
			fail_msg("%s: %zu processes %zu threads, want %zu %zu", fc->path,
				 an->inc.processes.n, threads, fc->processes, fc->threads);
		analysis_free(an);
	}
}

static void test_cut_and_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		size_t n;
		char *text = read_file_whole(file_cases[i].path, &n);
		size_t step = n / 61 + 1;
		for (size_t cut = 0; cut <= n; cut += step) {
			analysis_free(parse_heap_copy("ps", "c.txt", text, cut));
			analysis_free(parse_heap_copy("top", "c.txt", text, cut));
			analysis_free(parse_heap_copy("proc-fd", "c-77.txt", text, cut));
		}
		free(text);
	}
	static const char *const hostile[] = {
		"PID\n1\n",
		"PID LWP\n-1 -1\n99999999999 99999999999\n",
		"  PID   LWP S     TIME CMD\n  1 2 \x01 00:00:00 x\n",
		"  PID   LWP S     TIME CMD\n  1 2 S 1-2-3-4:5:6:7 x\n",
		"top - 99:99:99 up\nThreads: 1 total, 1 running,\n  PID S TIME+ COMMAND\n 1 R 0:00.00 x\n",
		"top - \n  PID USER S TIME+ COMMAND WCHAN\n",
		"  PID STARTED CMD\n 1 Wed\n 2 Wed Oct\n",
		"total 0\nl -> \nl\n -> socket:[\n/proc/:\n/proc/x/fd:\n",
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		analysis_free(parse_str("ps", "h-1234.txt", hostile[i]));
		analysis_free(parse_str("top", "h-1234.txt", hostile[i]));
		analysis_free(parse_str("proc-fd", "h-1234.txt", hostile[i]));
	}
	/* a table with 100 columns, and a 10 MB row */
	char hdr[2048];
	size_t off = 0;
	for (int i = 0; i < 100; i++)
		off += (size_t)snprintf(hdr + off, sizeof(hdr) - off, "%s ", i ? "RSS" : "PID");
	analysis_free(parse_heap_copy("ps", "w.txt", hdr, off));
	size_t big = 10u << 20;
	char *text = malloc(big + 64);
	assert_non_null(text);
	memcpy(text, "  PID   LWP CMD\n 1 2 ", 21);
	memset(text + 21, 'a', big);
	analysis_free(parse_heap_copy("ps", "big.txt", text, big + 21));
	free(text);
	replay_crashers("procps", "ps");
	replay_crashers("procps", "top");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cputime),
		cmocka_unit_test(test_ps_shapes),
		cmocka_unit_test(test_leader_totals),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_wchan),
		cmocka_unit_test(test_ps_with_sockets),
		cmocka_unit_test(test_proc_fd),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_cut_and_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
