/* test_ptrace_sample.c — the live sampler and symbolizer on a real child
 * process (no mocks): threads in pthread_cond_wait, a mutex held by one
 * thread and waited for by another, a spinning thread. Skips when ptrace is
 * not permitted. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probes/ptrace_sample.h"
#include "probes/symbolize.h"

/* ---- the child target */

static pthread_mutex_t tp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tp_cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t tp_big = PTHREAD_MUTEX_INITIALIZER;
static atomic_int tp_parked, tp_holder, tp_waiter;
static volatile unsigned long tp_sink;
static int tp_never;

__attribute__((noinline)) static void tp_wait_for_job(void)
{
	pthread_mutex_lock(&tp_mu);
	atomic_fetch_add(&tp_parked, 1);
	while (!tp_never)
		pthread_cond_wait(&tp_cv, &tp_mu);
	pthread_mutex_unlock(&tp_mu);
}

static void *tp_worker(void *a)
{
	(void)a;
	tp_wait_for_job();
	return NULL;
}

static void *tp_holder_fn(void *a)
{
	(void)a;
	pthread_mutex_lock(&tp_big);
	atomic_store(&tp_holder, (int)syscall(SYS_gettid));
	atomic_fetch_add(&tp_parked, 1);
	for (;;)
		pause();
	return NULL;
}

__attribute__((noinline)) static void tp_take_big(void)
{
	atomic_store(&tp_waiter, (int)syscall(SYS_gettid));
	atomic_fetch_add(&tp_parked, 1);
	pthread_mutex_lock(&tp_big);
	pthread_mutex_unlock(&tp_big);
}

static void *tp_waiter_fn(void *a)
{
	(void)a;
	while (!atomic_load(&tp_holder))
		usleep(1000);
	tp_take_big();
	return NULL;
}

static void *tp_spin(void *a)
{
	(void)a;
	atomic_fetch_add(&tp_parked, 1);
	for (unsigned long x = 1;; x = x * 6364136223846793005ul + 1)
		tp_sink = x;
	return NULL;
}

struct child {
	pid_t pid;
	int holder, waiter;
};

static int start_child(struct child *c)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		pthread_t t;
		for (int i = 0; i < 3; i++)
			pthread_create(&t, NULL, tp_worker, NULL);
		pthread_create(&t, NULL, tp_holder_fn, NULL);
		pthread_create(&t, NULL, tp_waiter_fn, NULL);
		pthread_create(&t, NULL, tp_spin, NULL);
		while (atomic_load(&tp_parked) < 6)
			usleep(1000);
		usleep(30000);
		int v[2] = { atomic_load(&tp_holder), atomic_load(&tp_waiter) };
		if (write(fds[1], v, sizeof(v)) != (ssize_t)sizeof(v))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	int v[2];
	ssize_t n = read(fds[0], v, sizeof(v));
	close(fds[0]);
	c->pid = pid;
	if (n != (ssize_t)sizeof(v))
		return -1;
	c->holder = v[0];
	c->waiter = v[1];
	return 0;
}

static void stop_child(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
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

static char state_of(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	return rp && rp[1] ? rp[2] : 0;
}

static const struct ps_thread *find_tid(const struct ps_sample *s, pid_t tid)
{
	for (size_t i = 0; i < s->n_threads; i++)
		if (s->threads[i].tid == tid)
			return &s->threads[i];
	return NULL;
}

static bool stack_has(struct symbolizer *sym, const struct ps_thread *t, const char *fn,
		      const char *file_suffix)
{
	for (uint32_t k = 0; k < t->n_pcs; k++) {
		const struct sym_frame *f;
		size_t n = sym_lookup(sym, t->pcs[k], k > 0, &f);
		for (size_t j = 0; j < n; j++) {
			if (!f[j].function || !strstr(f[j].function, fn))
				continue;
			if (!file_suffix)
				return true;
			size_t fl = f[j].file ? strlen(f[j].file) : 0, sl = strlen(file_suffix);
			if (fl >= sl && strcmp(f[j].file + fl - sl, file_suffix) == 0 && f[j].line > 0)
				return true;
		}
	}
	return false;
}

static void test_sample_child(void **state)
{
	(void)state;
	if (!ptrace_allowed())
		skip();
	struct child c;
	assert_int_equal(start_child(&c), 0);
	char err[PS_ERR_SIZE];
	struct ps_session *ps = ps_open(c.pid, err, sizeof(err));
	assert_non_null(ps);
	struct symbolizer *sym = NULL;
	for (int round = 0; round < 2; round++) {
		struct ps_sample s;
		int rc = ps_sample(ps, &s, err, sizeof(err));
		if (rc != 0)
			print_error("ps_sample: %s\n", err);
		assert_int_equal(rc, 0);
		assert_int_equal(s.sample_no, round + 1);
		assert_int_equal(s.n_threads, 7);	/* main + 3 workers + holder + waiter + spin */
		assert_int_equal(s.n_stopped, 7);
		assert_true(s.window_ns > 0);
		if (!sym) {
			sym = sym_open(c.pid, err, sizeof(err));
			assert_non_null(sym);
		}
		size_t condvar = 0;
		for (size_t i = 0; i < s.n_threads; i++) {
			const struct ps_thread *t = &s.threads[i];
			assert_int_equal(t->status, PS_OK);
			assert_true(t->n_pcs >= 1);
			assert_true(t->stop_ns >= 0 && t->stop_ns <= s.window_ns);
			if (stack_has(sym, t, "pthread_cond_wait", NULL) &&
			    stack_has(sym, t, "tp_wait_for_job", "test_ptrace_sample.c"))
				condvar++;
		}
		assert_int_equal(condvar, 3);
		const struct ps_thread *w = find_tid(&s, c.waiter);
		assert_non_null(w);
		assert_true(stack_has(sym, w, "tp_take_big", "test_ptrace_sample.c"));
		assert_true(stack_has(sym, w, "lll_lock_wait", NULL));
		assert_int_equal(w->syscall_nr, SYS_futex);	/* from the registers */
		assert_int_equal(ps_mutex_owner(c.pid, w->syscall_args[0]), c.holder);
		/* every thread runs again, nothing traced */
		for (size_t i = 0; i < s.n_threads; i++) {
			char st = state_of(c.pid, s.threads[i].tid);
			assert_true(st != 't' && st != 'T');
		}
	}
	/* the symbol cache: the same PC gives the same cached frames */
	const struct sym_frame *a, *b;
	uint64_t pc = (uint64_t)(uintptr_t)&tp_wait_for_job;	/* same address in the fork */
	sym_lookup(sym, pc, false, &a);
	sym_lookup(sym, pc, false, &b);
	assert_ptr_equal(a, b);
	assert_non_null(a->function);
	assert_string_equal(a->function, "tp_wait_for_job");
	sym_close(sym);
	ps_close(ps);
	stop_child(c.pid);
}

static void test_errors(void **state)
{
	(void)state;
	if (!ptrace_allowed())
		skip();
	char err[PS_ERR_SIZE];
	/* nonexistent */
	pid_t np = 4000000;
	char path[64];
	for (;; np++) {
		snprintf(path, sizeof(path), "/proc/%d", np);
		if (access(path, F_OK) != 0)
			break;
	}
	assert_null(ps_open(np, err, sizeof(err)));
	assert_non_null(strstr(err, "no such process"));
	/* ourselves */
	assert_null(ps_open(getpid(), err, sizeof(err)));
	assert_non_null(strstr(err, "itself"));
	/* a zombie */
	pid_t z = fork();
	assert_true(z >= 0);
	if (z == 0)
		_exit(0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT), 0);
	assert_null(ps_open(z, err, sizeof(err)));
	assert_non_null(strstr(err, "zombie"));
	waitpid(z, NULL, 0);
	/* a stopped process: refused, and left stopped */
	pid_t sp = fork();
	assert_true(sp >= 0);
	if (sp == 0) {
		for (;;)
			pause();
	}
	kill(sp, SIGSTOP);
	int st;
	assert_int_equal(waitpid(sp, &st, WUNTRACED), sp);
	assert_true(WIFSTOPPED(st));
	assert_null(ps_open(sp, err, sizeof(err)));
	assert_non_null(strstr(err, "stopped"));
	assert_int_equal(state_of(sp, sp), 'T');
	stop_child(sp);
}

static void test_process_exits_between_samples(void **state)
{
	(void)state;
	if (!ptrace_allowed())
		skip();
	struct child c;
	assert_int_equal(start_child(&c), 0);
	char err[PS_ERR_SIZE];
	struct ps_session *ps = ps_open(c.pid, err, sizeof(err));
	assert_non_null(ps);
	struct ps_sample s;
	assert_int_equal(ps_sample(ps, &s, err, sizeof(err)), 0);
	stop_child(c.pid);
	assert_int_equal(ps_sample(ps, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such process"));
	ps_close(ps);
}

/* A kernel thread is refused for what it is, not with "run as root"
 * (issue 16): kthreadd, pid 2, when this pid namespace has it. */
static void test_kernel_thread(void **state)
{
	(void)state;
	if (!ptrace_allowed())
		skip();
	char buf[512];
	FILE *f = fopen("/proc/2/stat", "r");
	if (!f)
		skip();
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	unsigned long flags = 0;
	if (!rp || sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1 ||
	    !(flags & 0x00200000ul))
		skip();		/* pid 2 is no kernel thread here */
	char err[PS_ERR_SIZE];
	assert_null(ps_open(2, err, sizeof(err)));
	assert_non_null(strstr(err, "kernel thread"));
	assert_null(strstr(err, "root"));
}

static long tracer_of(pid_t pid, pid_t tid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	FILE *f = fopen(path, "r");
	long v = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* no thread of pid traced by us, none in a ptrace-stop */
static void assert_left_alone(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		pid_t tid = atoi(e->d_name);
		long tr = tracer_of(pid, tid);
		assert_true(tr != (long)getpid());
		char st = state_of(pid, tid);
		assert_true(st != 't' && st != 'T');
	}
	closedir(d);
}

/* An execve() that cannot finish: another tracer (a helper that never
 * waits) holds one of the target's threads, so once the exec kills it,
 * de_thread() waits for that tracer's wait forever, cred_guard_mutex held.
 * PTRACE_SEIZE cannot take the mutex and is never told EINTR
 * (ERESTARTNOINTR); the sample must still end at its deadline, as
 * PS_SAMPLE_EXEC, leaving nothing traced. Once the helper dies the exec
 * completes, and the next sample is taken in the new program (image_gen). */
static void test_exec_wedged_by_other_tracer(void **state)
{
	(void)state;
	if (!ptrace_allowed() || access("/bin/sleep", X_OK) != 0)
		skip();
	int to_child[2], from_child[2], from_helper[2];
	assert_int_equal(pipe(to_child), 0);
	assert_int_equal(pipe(from_child), 0);
	assert_int_equal(pipe(from_helper), 0);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_t t;
		pthread_create(&t, NULL, tp_worker, NULL);
		pthread_create(&t, NULL, tp_holder_fn, NULL);
		while (atomic_load(&tp_parked) < 2)
			usleep(1000);
		int v = atomic_load(&tp_holder);
		char go;
		if (write(from_child[1], &v, sizeof(v)) != (ssize_t)sizeof(v) ||
		    read(to_child[0], &go, 1) != 1)
			_exit(1);
		execl("/bin/sleep", "sleep", "100", (char *)NULL);
		_exit(127);
	}
	int victim = 0;
	assert_int_equal(read(from_child[0], &victim, sizeof(victim)), (ssize_t)sizeof(victim));
	pid_t h = fork();
	assert_true(h >= 0);
	if (h == 0) {
		/* the other tracer: seizes one thread, never waits for it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char ok = ptrace(PTRACE_SEIZE, victim, 0, 0) == 0 ? 'y' : 'n';
		if (write(from_helper[1], &ok, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char ok = 0;
	assert_int_equal(read(from_helper[0], &ok, 1), 1);
	assert_int_equal(ok, 'y');
	assert_int_equal(write(to_child[1], "x", 1), 1);
	/* wait until the exec sits in de_thread(): the leader in D, the
	 * victim a zombie */
	bool wedged = false;
	for (int i = 0; i < 400 && !wedged; i++) {
		wedged = state_of(c, c) == 'D' && state_of(c, victim) == 'Z';
		if (!wedged)
			usleep(5000);
	}
	assert_true(wedged);

	char err[PS_ERR_SIZE];
	struct ps_session *ps = ps_open(c, err, sizeof(err));
	assert_non_null(ps);
	ps_set_timeout_ms(ps, 100);
	struct ps_sample s;
	uint64_t t0 = ps_now_ns();
	int rc = ps_sample(ps, &s, err, sizeof(err));
	uint64_t took_ms = (ps_now_ns() - t0) / 1000000;
	print_message("wedged exec: rc %d in %llu ms: %s\n", rc, (unsigned long long)took_ms, err);
	assert_int_equal(rc, PS_SAMPLE_EXEC);
	assert_non_null(strstr(err, "target is exec'ing; retry"));
	assert_true(took_ms < 2000);
	assert_left_alone(c);
	assert_int_equal(state_of(c, c), 'D');	/* the exec still waits, as before */

	/* the other tracer goes: exit_ptrace() releases its zombie, the exec
	 * completes, and the next sample sees the new program */
	kill(h, SIGKILL);
	waitpid(h, NULL, 0);
	bool execd = false;
	for (int i = 0; i < 400 && !execd; i++) {
		char path[64], comm[32] = "";
		snprintf(path, sizeof(path), "/proc/%d/comm", c);
		FILE *f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		execd = strncmp(comm, "sleep", 5) == 0 && state_of(c, c) == 'S';
		if (!execd)
			usleep(5000);
	}
	assert_true(execd);
	rc = ps_sample(ps, &s, err, sizeof(err));
	if (rc != 0)
		print_error("ps_sample after the exec: %s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(s.image_gen, 1);
	assert_int_equal(s.n_stopped, 1);
	assert_left_alone(c);
	ps_close(ps);
	stop_child(c);
	close(to_child[0]);
	close(to_child[1]);
	close(from_child[0]);
	close(from_child[1]);
	close(from_helper[0]);
	close(from_helper[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_child),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_process_exits_between_samples),
		cmocka_unit_test(test_kernel_thread),
		cmocka_unit_test(test_exec_wedged_by_other_tracer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
