/* classify.c — thread and worker states from stack samples and /proc.
 *
 * A thread waiting on a condition variable shows pthread_cond_wait -> futex
 * in its native stack; a Python Condition.wait() or Lock.acquire() shows
 * PyThread_acquire_lock_timed -> sem_clockwait -> futex, the same as an idle
 * thread in queue.get(): native frames cannot tell them apart, the Python
 * frames (py-bt) can. A thread idle in accept, epoll_wait, select or poll is
 * waiting for work. The same blocking site in every sample over the window,
 * with no CPU time used, is stuck. /proc/PID/task/TID/syscall gives the
 * blocking syscall and its arguments (futex address) when frames are absent.
 * Syscall numbers are x86_64's (arch/x86/entry/syscalls/syscall_64.tbl). */
#include "classify.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/futex.h"

/* Normalised function name: no symbol version, no GCC clone suffix, no
 * __GI_/__libc_ alias prefix. */
static void norm(const char *fn, char *out, size_t size)
{
	if (!fn) {
		out[0] = '\0';
		return;
	}
	static const char *const prefixes[] = { "__GI___", "__GI_", "__libc_", "___", "__", "_" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(fn, prefixes[i], strlen(prefixes[i])) == 0) {
			fn += strlen(prefixes[i]);
			break;
		}
	size_t n = 0;
	while (fn[n] && fn[n] != '@' && fn[n] != '.' && fn[n] != ' ' && fn[n] != '(' &&
	       n + 1 < size)
		n++;
	memcpy(out, fn, n);
	out[n] = '\0';
}

struct native_rule {
	const char *name;	/* normalised, exact */
	enum blocked_on kind;
	bool idle, timed, ambiguous;
};

static const struct native_rule native_rules[] = {
	{ "pthread_cond_wait", BLK_CONDVAR, false, false, false },
	{ "pthread_cond_timedwait", BLK_CONDVAR, false, true, false },
	{ "pthread_cond_clockwait", BLK_CONDVAR, false, true, false },
	{ "pthread_cond_timedwait64", BLK_CONDVAR, false, true, false },	/* glibc >= 2.34 */
	{ "pthread_cond_clockwait64", BLK_CONDVAR, false, true, false },
	{ "pthread_cond_wait_common", BLK_CONDVAR, false, false, false },
	{ "pthread_mutex_lock", BLK_MUTEX, false, false, false },
	{ "pthread_mutex_timedlock", BLK_MUTEX, false, true, false },
	{ "pthread_mutex_clocklock", BLK_MUTEX, false, true, false },
	{ "lll_lock_wait", BLK_MUTEX, false, false, false },
	{ "lll_lock_wait_private", BLK_MUTEX, false, false, false },
	{ "pthread_rwlock_rdlock", BLK_MUTEX, false, false, false },
	{ "pthread_rwlock_wrlock", BLK_MUTEX, false, false, false },
	{ "PyThread_acquire_lock_timed", BLK_SEMAPHORE, false, false, true },
	{ "sem_wait", BLK_SEMAPHORE, false, false, false },
	{ "sem_timedwait", BLK_SEMAPHORE, false, true, false },
	{ "sem_clockwait", BLK_SEMAPHORE, false, true, false },
	{ "new_sem_wait_slow", BLK_SEMAPHORE, false, false, false },
	{ "new_sem_wait_slow64", BLK_SEMAPHORE, false, false, false },
	{ "accept", BLK_ACCEPT, true, false, false },
	{ "accept4", BLK_ACCEPT, true, false, false },
	{ "epoll_wait", BLK_POLL, true, false, false },
	{ "epoll_pwait", BLK_POLL, true, false, false },
	{ "epoll_pwait2", BLK_POLL, true, false, false },
	{ "poll", BLK_POLL, true, false, false },
	{ "ppoll", BLK_POLL, true, false, false },
	{ "select", BLK_POLL, true, false, false },
	{ "pselect", BLK_POLL, true, false, false },
	{ "pselect6", BLK_POLL, true, false, false },
	{ "read", BLK_READ, false, false, false },
	{ "recv", BLK_READ, false, false, false },
	{ "recvfrom", BLK_READ, false, false, false },
	{ "recvmsg", BLK_READ, false, false, false },
	{ "write", BLK_WRITE, false, false, false },
	{ "send", BLK_WRITE, false, false, false },
	{ "sendto", BLK_WRITE, false, false, false },
	{ "sendmsg", BLK_WRITE, false, false, false },
	{ "nanosleep", BLK_SLEEP, false, true, false },
	{ "clock_nanosleep", BLK_SLEEP, false, true, false },
	{ "usleep", BLK_SLEEP, false, true, false },
	{ "sleep", BLK_SLEEP, false, true, false },
	{ "wait4", BLK_NONE, true, false, false },
	{ "waitpid", BLK_NONE, true, false, false },
	{ "waitid", BLK_NONE, true, false, false },
	{ "pause", BLK_NONE, true, false, false },
	{ "sigsuspend", BLK_NONE, true, false, false },
	{ "rt_sigsuspend", BLK_NONE, true, false, false },
	{ "sigwait", BLK_NONE, true, false, false },
	{ "io_getevents", BLK_POLL, true, false, false },
	{ "io_uring_enter", BLK_POLL, true, false, false },
	{ "sigtimedwait", BLK_NONE, true, true, false },
	{ "sigwaitinfo", BLK_NONE, true, false, false },
};

/* futex-only frames: a wait, but we do not know on what */
static bool is_futex_frame(const char *n)
{
	return strcmp(n, "futex_abstimed_wait_common") == 0 ||
	       strcmp(n, "futex_abstimed_wait_common64") == 0 ||
	       strcmp(n, "futex_wait") == 0 || strcmp(n, "lll_futex_wait") == 0 ||
	       strcmp(n, "futex_wait_cancelable") == 0;
}

/* A frame inside glibc's own lock code, not the application's: gdb shows
 * no module for frames with debug info, only glibc's source paths
 * ("./nptl/pthread_mutex_lock.c", "../sysdeps/nptl/futex-internal.h";
 * tests/data/stacks/pstack-condwait.txt), and inlined helpers such as
 * lll_mutex_lock_optimized. */
static bool is_libc_frame(const struct frame *f, const char *normalised)
{
	if (f->module && (strstr(f->module, "libc.so") || strstr(f->module, "libc-2.") ||
			  strstr(f->module, "libpthread")))
		return true;
	/* the interpreter's own frames (py-spy --native names the module
	 * "python3.11"): lock_PyThread_acquire_lock is CPython, not the
	 * application; its Python frames say where */
	if (f->module && (strncmp(f->module, "python", 6) == 0 ||
			  strncmp(f->module, "libpython", 9) == 0))
		return true;
	if (f->file && (strncmp(f->file, "./nptl/", 7) == 0 || strncmp(f->file, "../nptl/", 8) == 0 ||
			strstr(f->file, "/sysdeps/") || strncmp(f->file, "../sysdeps/", 11) == 0))
		return true;
	return strncmp(normalised, "lll_", 4) == 0 || strncmp(normalised, "futex", 5) == 0;
}

/* py-spy prints file names shortened to their package path
 * (shorten_filename(), py-spy src/python_spy.rs): the standard library's
 * "threading.py" or "concurrent/futures/thread.py" has no /lib/python in
 * it. These are the standard modules a thread waits in, by that name. */
static bool is_short_stdlib(const char *file)
{
	static const char *const modules[] = {
		"threading.py", "queue.py", "socket.py", "selectors.py", "socketserver.py",
		"ssl.py", "subprocess.py", "selectors.py", "asyncio/", "concurrent/futures/",
		"multiprocessing/", "http/", "urllib/", "logging/", "wsgiref/", "importlib/",
	};
	if (file[0] == '/' || file[0] == '.' || strstr(file, "-packages/"))
		return false;
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		size_t n = strlen(modules[i]);
		if (modules[i][n - 1] == '/' ? strncmp(file, modules[i], n) == 0
					     : strcmp(file, modules[i]) == 0)
			return true;
	}
	return false;
}

static bool is_stdlib(const char *file)
{
	if (!file)
		return true;
	return strstr(file, "/lib/python") != NULL || strstr(file, "/lib64/python") != NULL ||
	       strncmp(file, "<", 1) == 0 || is_short_stdlib(file);
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "?";
}

static bool py_is(const struct frame *f, const char *file, const char *fn)
{
	return f->function && strcmp(f->function, fn) == 0 && f->file &&
	       strcmp(base(f->file), file) == 0;
}

/* Python frames decide when present: the innermost stdlib call says how it
 * waits, the innermost application frame says where. */
static bool python_site(const struct stack_sample *s, struct site *out, char *buf, size_t size)
{
	if (!s->n_py_frames)
		return false;
	const struct frame *app = NULL;
	for (uint32_t i = 0; i < s->n_py_frames; i++)
		if (!is_stdlib(s->py_frames[i].file)) {
			app = &s->py_frames[i];
			break;
		}
	const char *how = NULL;
	for (uint32_t i = 0; i < s->n_py_frames; i++) {
		const struct frame *f = &s->py_frames[i];
		if (f == app)
			break;
		if (py_is(f, "queue.py", "get")) {
			out->kind = BLK_CONDVAR;
			out->idle = true;
			how = "queue.get()";
			break;
		}
		if (py_is(f, "queue.py", "put")) {
			out->kind = BLK_CONDVAR;
			how = "queue.put() on a full queue";
			break;
		}
		if (py_is(f, "socket.py", "accept")) {
			out->kind = BLK_ACCEPT;
			out->idle = true;
			how = "socket.accept()";
			break;
		}
		if (py_is(f, "selectors.py", "select") || py_is(f, "selectors.py", "poll")) {
			out->kind = BLK_POLL;
			out->idle = true;
			how = "selector.select()";
			break;
		}
		if (py_is(f, "threading.py", "wait")) {
			out->kind = BLK_CONDVAR;
			/* Event.wait() is threading.py's wait() calling Condition's */
			how = how && strcmp(how, "Condition.wait()") == 0 ? "Event.wait()"
			      : "Condition.wait()";
			/* keep looking: queue.get/put call it */
			continue;
		}
		if (py_is(f, "threading.py", "acquire") || py_is(f, "threading.py", "__enter__")) {
			if (!how) {
				out->kind = BLK_MUTEX;
				how = "Lock.acquire()";
			}
			continue;
		}
		if (py_is(f, "threading.py", "join")) {
			out->idle = true;
			how = "Thread.join()";
			break;
		}
	}
	if (!how) {
		/* application code calls a blocking builtin (time.sleep, os.wait):
		 * the native frames say how, this frame says where */
		out->frame = app;
		return false;
	}
	out->ambiguous = false;
	out->known = true;
	out->frame = app;
	if (app)
		snprintf(buf, size, "%s in %s:%u (%s)", how, base(app->file), app->line,
			 app->function ? app->function : "?");
	else
		snprintf(buf, size, "%s", how);
	out->what = buf;
	return true;
}

static void native_site(const struct stack_sample *s, struct site *out, char *buf, size_t size)
{
	char n[128];
	const struct frame *futex = NULL;
	for (uint32_t i = 0; i < s->n_frames; i++) {
		const struct frame *f = &s->frames[i];
		norm(f->function, n, sizeof(n));
		if (!n[0])
			continue;
		for (size_t k = 0; k < sizeof(native_rules) / sizeof(native_rules[0]); k++) {
			const struct native_rule *r = &native_rules[k];
			if (strcmp(n, r->name) != 0)
				continue;
			out->kind = r->kind;
			out->idle = r->idle;
			out->timed = r->timed;
			out->ambiguous = r->ambiguous;
			out->known = true;
			/* a semaphore wait under PyThread_acquire_lock_timed is a Python
			 * lock: Condition.wait, Lock.acquire and queue.get all look so */
			for (uint32_t j = i + 1; j < s->n_frames && !out->ambiguous; j++) {
				char m[128];
				norm(s->frames[j].function, m, sizeof(m));
				if (strcmp(m, "PyThread_acquire_lock_timed") == 0) {
					out->ambiguous = true;
					out->timed = false;	/* timeout -1: forever */
				}
			}
			/* glibc >= 2.34 waits in __pthread_cond_wait_common for
			 * both: its caller says whether the wait has a timeout
			 * (___pthread_cond_timedwait64, pstack-condwait.txt) */
			for (uint32_t j = i + 1; j < s->n_frames && j <= i + 2 && !out->timed; j++) {
				char m[128];
				norm(s->frames[j].function, m, sizeof(m));
				for (size_t q = 0; q < sizeof(native_rules) / sizeof(native_rules[0]); q++)
					if (strcmp(m, native_rules[q].name) == 0 &&
					    native_rules[q].kind == r->kind && native_rules[q].timed)
						out->timed = true;
			}
			/* the caller of the libc wait is where the application waits */
			const struct frame *caller = NULL;
			for (uint32_t j = i + 1; j < s->n_frames && !caller; j++) {
				char m[128];
				norm(s->frames[j].function, m, sizeof(m));
				if (m[0] && !is_libc_frame(&s->frames[j], m) && strcmp(m, r->name) != 0 &&
				    strncmp(m, "pthread_cond", 12) != 0 &&
				    strncmp(m, "pthread_mutex", 13) != 0)
					caller = &s->frames[j];
			}
			out->frame = caller ? caller : f;
			/* shown without the symbol version: pthread_cond_wait, not
			 * pthread_cond_wait@@GLIBC_2.3.2 */
			int fn_len = (int)strcspn(f->function, "@");
			if (caller && caller->file)
				snprintf(buf, size, "%.*s in %s (%s:%u)", fn_len, f->function,
					 caller->function, base(caller->file), caller->line);
			else if (caller)
				snprintf(buf, size, "%.*s in %s", fn_len, f->function,
					 caller->function ? caller->function : "??");
			else
				snprintf(buf, size, "%.*s", fn_len, f->function);
			out->what = buf;
			return;
		}
		if (!futex && is_futex_frame(n))
			futex = f;
	}
	if (futex) {
		out->kind = BLK_FUTEX;
		out->known = true;
		out->frame = futex;
		snprintf(buf, size, "%s", futex->function);
		out->what = buf;
	}
}

/* The syscall numbers in /proc/PID/syscall and in orig_rax are the
 * target's, and every bundle and sample is x86_64's
 * (arch/x86/entry/syscalls/syscall_64.tbl). On x86_64 <sys/syscall.h>
 * names exactly those numbers; built for another architecture it would
 * name that one's, and the stuck threads of an x86_64 bundle would go
 * unrecognised. */
#if !defined(__x86_64__)
#error "classify.c reads x86_64 syscall numbers: name the target's here"
#endif

static void syscall_site(const struct stack_sample *s, struct site *out, char *buf, size_t size)
{
	if (s->state == 'R' || s->syscall_nr == -1) {
		out->running = true;
		out->known = true;
		if (!out->what) {
			snprintf(buf, size, "running");
			out->what = buf;
		}
		return;
	}
	if (s->syscall_nr < 0)
		return;
	enum blocked_on kind = BLK_NONE;
	bool idle = false;
	const char *name = NULL;
	switch (s->syscall_nr) {
	case SYS_futex:
		/* futex(uaddr, op, val, timeout, ...) (base/futex.h) */
		if (futex_op_waits(s->syscall_args[1])) {
			out->addr = s->syscall_args[0];
			if (s->syscall_args[3])
				out->timed = true;
		}
		kind = futex_op_cmd(s->syscall_args[1]) == FUTEX_LOCK_PI ? BLK_MUTEX : BLK_FUTEX;
		name = "futex";
		break;
	case SYS_accept: case SYS_accept4: kind = BLK_ACCEPT; idle = true; name = "accept"; break;
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
		kind = BLK_POLL; idle = true; name = "epoll_wait"; break;
	case SYS_poll: case SYS_ppoll: kind = BLK_POLL; idle = true; name = "poll"; break;
	case SYS_select: case SYS_pselect6: kind = BLK_POLL; idle = true; name = "select"; break;
	case SYS_read: case SYS_recvfrom: case SYS_recvmsg: kind = BLK_READ; name = "read"; break;
	case SYS_write: case SYS_sendto: case SYS_sendmsg: kind = BLK_WRITE; name = "write"; break;
	case SYS_nanosleep: case SYS_clock_nanosleep: kind = BLK_SLEEP; name = "sleep"; break;
	case SYS_wait4: case SYS_waitid: idle = true; name = "wait4"; break;
	case SYS_pause: case SYS_rt_sigsuspend: idle = true; name = "sigsuspend"; break;
	default:
		break;
	}
	if (!name)
		return;
	if (!out->known) {
		out->kind = kind;
		out->idle = idle;
		out->known = true;
		snprintf(buf, size, "%s (syscall %lld)", name, (long long)s->syscall_nr);
		out->what = buf;
	}
}

/* The kernel function a sleeping thread waits in (/proc/PID/task/TID/wchan,
 * ps -o wchan, top's WCHAN), for samples that show nothing else: ps and top
 * tables. ps cuts it to its column ("futex_" in ps -l): a cut name matches
 * the start of the full one. A futex wait's timeout is not in the wchan, so
 * it is ambiguous: idle pool thread or stuck, the connections decide. */
static const struct {
	const char *name;
	enum blocked_on kind;
	bool idle;
} wchan_rules[] = {
	/* kernel/futex/waitwake.c: futex_do_wait() (seen on 6.18), called
	 * futex_wait_queue() from 5.16, futex_wait_queue_me() before */
	{ "futex_do_wait", BLK_FUTEX, false },
	{ "futex_wait_queue", BLK_FUTEX, false },
	{ "futex_wait_queue_me", BLK_FUTEX, false },
	{ "futex_wait", BLK_FUTEX, false },
	{ "inet_csk_accept", BLK_ACCEPT, true },	/* net/ipv4/inet_connection_sock.c */
	{ "ep_poll", BLK_POLL, true },			/* fs/eventpoll.c */
	{ "do_epoll_wait", BLK_POLL, true },
	{ "do_select", BLK_POLL, true },		/* fs/select.c */
	{ "core_sys_select", BLK_POLL, true },
	{ "do_sys_poll", BLK_POLL, true },
	{ "do_poll", BLK_POLL, true },
	{ "sk_wait_data", BLK_READ, false },		/* net/core/sock.c */
	{ "unix_stream_read_generic", BLK_READ, false },
	{ "pipe_read", BLK_READ, false },
	{ "pipe_wait", BLK_READ, false },
	{ "sk_stream_wait_memory", BLK_WRITE, false },
	{ "pipe_write", BLK_WRITE, false },
	{ "hrtimer_nanosleep", BLK_SLEEP, false },
	{ "do_nanosleep", BLK_SLEEP, false },
	{ "do_wait", BLK_NONE, true },			/* wait4, waitid */
	{ "do_sys_pause", BLK_NONE, true },
	{ "sigsuspend", BLK_NONE, true },
	{ "do_sigtimedwait", BLK_NONE, true },
};

static void wchan_site(const struct stack_sample *s, struct site *out, char *buf, size_t size)
{
	size_t n = strlen(s->wchan);
	int hit = -1;
	for (size_t k = 0; k < sizeof(wchan_rules) / sizeof(wchan_rules[0]); k++) {
		const char *name = wchan_rules[k].name;
		if (strcmp(s->wchan, name) == 0) {
			hit = (int)k;
			break;
		}
		/* cut by ps to at least 5 characters: only when every name it
		 * may be says the same ("futex_" yes, "do_sys" no: poll or pause) */
		if (n >= 5 && strncmp(name, s->wchan, n) == 0) {
			if (hit >= 0 && (wchan_rules[hit].kind != wchan_rules[k].kind ||
					 wchan_rules[hit].idle != wchan_rules[k].idle))
				return;
			if (hit < 0)
				hit = (int)k;
		}
	}
	if (hit < 0)
		return;
	out->kind = wchan_rules[hit].kind;
	out->idle = wchan_rules[hit].idle;
	out->ambiguous = out->kind == BLK_FUTEX;
	out->weak = true;
	out->known = true;
	snprintf(buf, size, "%s (wchan)", s->wchan);
	out->what = buf;
}

void classify_sample(const struct stack_sample *s, struct site *out, char *buf, size_t size)
{
	memset(out, 0, sizeof(*out));
	if (!python_site(s, out, buf, size)) {
		const struct frame *app = out->frame;
		memset(out, 0, sizeof(*out));
		native_site(s, out, buf, size);
		if (app && out->known) {
			char tmp[256];
			snprintf(tmp, sizeof(tmp), "%s in %s:%u (%s)", out->what ? out->what : "?",
				 base(app->file), app->line, app->function ? app->function : "?");
			snprintf(buf, size, "%s", tmp);
			out->what = buf;
			out->frame = app;
			out->ambiguous = false;	/* the Python frame says where */
		}
	}
	/* the syscall adds the wait address, or decides when frames are absent */
	char sbuf[96];
	struct site sys = { 0 };
	syscall_site(s, &sys, sbuf, sizeof(sbuf));
	if (sys.addr)
		out->addr = sys.addr;
	if (sys.timed)
		out->timed = true;
	if (sys.running && s->state == 'R')
		out->running = true;
	if (!out->known && sys.known) {
		*out = sys;
		snprintf(buf, size, "%s", sys.what ? sys.what : "");
		out->what = buf;
	}
	if (!out->known && s->syscall_nr == -2 && s->wchan && s->state != 'R')
		wchan_site(s, out, buf, size);
}

struct note_table {
	const struct thread *t;
	struct thread_note note;
};

typedef VEC(struct note_table) note_vec;

static note_vec *notes_of(const struct analysis *an)
{
	return an->classify_notes;
}

const struct thread_note *classify_note(const struct analysis *an, const struct thread *t)
{
	note_vec *v = notes_of(an);
	if (!v)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].t == t)
			return &v->v[i].note;
	return NULL;
}

/* The thread's state over its samples. The decisive sample is the latest
 * one that says most (Python frames beat native ones, which beat /proc
 * alone); the thread is stuck when the trailing samples all show that same
 * lock-like wait, with no timeout, and no CPU time was used across them. */
static void classify_thread(struct analysis *an, struct thread *t, struct thread_note *note)
{
	size_t n = t->samples.n;
	if (!n) {
		t->state = THR_UNKNOWN;
		return;
	}
	struct site *sites = arena_calloc(&an->arena, n, sizeof(*sites));
	char (*bufs)[256] = arena_calloc(&an->arena, n, sizeof(*bufs));
	size_t dec = n, known = 0;
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		const struct stack_sample *s = &t->samples.v[i];
		classify_sample(s, &sites[i], bufs[i], sizeof(bufs[i]));
		if (!sites[i].known)
			continue;
		known++;
		/* the wchan alone (ps, top) says least: it never decides over a
		 * look that names the call */
		int score = s->n_py_frames && !sites[i].ambiguous ? 3 : s->n_frames ? 2
			    : sites[i].weak ? 0 : 1;
		if (score >= best) {
			best = score;
			dec = i;
		}
	}
	if (!known) {
		t->state = THR_UNKNOWN;
		return;
	}
	const struct site *d = &sites[dec];
	/* trailing samples compatible with the decisive site: same kind, and
	 * the same place when both name one */
	size_t first_same = n, same = 0;
	bool running = false;
	uint64_t addr = d->addr;
	for (size_t i = n; i-- > 0;) {
		if (!sites[i].known)
			continue;
		/* a less specific view of the same wait (a Python lock wait seen
		 * only natively, a bare futex seen only in /proc) is compatible */
		bool vague = sites[i].ambiguous || sites[i].kind == BLK_FUTEX ||
			     (!t->samples.v[i].n_frames && !t->samples.v[i].n_py_frames);
		bool lockish = d->kind == BLK_CONDVAR || d->kind == BLK_MUTEX ||
			       d->kind == BLK_SEMAPHORE || d->kind == BLK_FUTEX;
		bool kind_ok = (sites[i].kind == d->kind && sites[i].idle == d->idle) ||
			       (vague && lockish && !sites[i].idle &&
				(sites[i].kind == BLK_SEMAPHORE || sites[i].kind == BLK_FUTEX ||
				 sites[i].kind == BLK_MUTEX || sites[i].kind == BLK_CONDVAR)) ||
			       (vague && d->idle && !sites[i].running);
		bool compatible = kind_ok && !sites[i].running &&
				  (!sites[i].addr || !addr || sites[i].addr == addr) &&
				  (!t->samples.v[i].n_py_frames || i == dec ||
				   (sites[i].what && d->what && strcmp(sites[i].what, d->what) == 0));
		if (!compatible) {
			if (sites[i].running && i > dec)
				running = true;
			break;
		}
		first_same = i;
		same++;
		if (!addr && sites[i].addr)
			addr = sites[i].addr;
	}
	if (sites[n - 1].running || (sites[n - 1].known && sites[n - 1].running))
		running = true;
	/* CPU across the trailing window, and across all samples */
	int64_t c0 = -1, c1 = -1, a0 = -1, a1 = -1;
	for (size_t i = 0; i < n; i++) {
		const struct stack_sample *s = &t->samples.v[i];
		if (s->utime < 0 || s->stime < 0)
			continue;
		if (a0 < 0)
			a0 = s->utime + s->stime;
		a1 = s->utime + s->stime;
		if (i >= first_same) {
			if (c0 < 0)
				c0 = s->utime + s->stime;
			c1 = s->utime + s->stime;
		}
	}
	t->cpu_ticks_delta = a0 >= 0 && a1 >= a0 ? a1 - a0 : -1;
	int64_t window_cpu = c0 >= 0 && c1 >= c0 ? c1 - c0 : -1;
	double t0 = first_same < n ? t->samples.v[first_same].src.at : NAN;
	double t1 = t->samples.v[n - 1].src.at;
	note->samples_same = (uint32_t)same;
	note->window_s = !isnan(t0) && !isnan(t1) ? t1 - t0 : 0;
	note->sample = &t->samples.v[dec];
	note->what = d->what ? arena_strdup(&an->arena, d->what) : NULL;
	note->frame = d->frame;
	note->ambiguous = d->ambiguous;
	note->weak = d->weak;
	t->blocked = d->kind;
	t->wait_address = addr;
	/* USER_HZ is 100 (clock ticks in /proc/PID/stat): a thread "idle" in
	 * poll/accept that burns over half a CPU across the window is a busy
	 * loop (an accept() retrying EMFILE), not waiting for work */
	bool spinning = window_cpu > 0 && note->window_s > 0 &&
			(double)window_cpu > 0.5 * 100.0 * note->window_s;
	/* the same over all samples: a thread seen running at the end that used
	 * over half a CPU since the first sample is busy, whatever it was doing
	 * when a stack was taken */
	double all_s = t->samples.v[n - 1].src.at - t->samples.v[0].src.at;
	bool last_running = false;
	for (size_t i = n; i-- > 0;)
		if (sites[i].known) {
			last_running = sites[i].running;
			break;
		}
	if (t->cpu_ticks_delta > 0 && all_s > 0 && last_running &&
	    (double)t->cpu_ticks_delta > 0.5 * 100.0 * all_s)
		spinning = true;
	if ((running && !d->idle) || (spinning && last_running))
		t->state = THR_RUNNING;
	else if (d->idle && spinning)
		t->state = THR_RUNNING;
	else if (d->idle)
		t->state = THR_WAITING_FOR_WORK;
	else if (window_cpu > 0)
		t->state = THR_RUNNING;	/* woke up between samples: making progress */
	else if (same >= 2 && !d->timed && !d->ambiguous &&
		 (d->kind == BLK_CONDVAR || d->kind == BLK_MUTEX || d->kind == BLK_SEMAPHORE ||
		  d->kind == BLK_FUTEX))
		t->state = THR_STUCK;
	else
		t->state = THR_SLEEPING;
	/* One sample that shows a lock wait cannot say whether it lasts (a
	 * mutex handed over a microsecond later looks the same), but it is
	 * what a lone pstack pasted in a bug report shows: keep it for
	 * workers-stuck to report with the confidence of one look. Two
	 * samples that differ are not this: the thread moved. */
	note->one_look = t->state == THR_SLEEPING && known == 1 && !d->timed && !d->ambiguous &&
			 !d->idle && (d->kind == BLK_CONDVAR || d->kind == BLK_MUTEX ||
				      d->kind == BLK_SEMAPHORE || d->kind == BLK_FUTEX);
}

static bool holds_listener(const struct incident *inc, int32_t pid)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		for (size_t k = 0; k < inc->listeners.v[i]->pids.n; k++)
			if (inc->listeners.v[i]->pids.v[k] == pid)
				return true;
	return false;
}

void classify_processes(struct analysis *an)
{
	struct incident *inc = &an->inc;
	note_vec *notes = arena_alloc(&an->arena, sizeof(*notes));
	an->classify_notes = notes;
	uint32_t conn_snaps = 0;
	for (size_t i = 0; i < inc->sock_snaps.n; i++)
		if (inc->sock_snaps.v[i]->has_owners && !inc->sock_snaps.v[i]->listen_only)
			conn_snaps++;
	/* parents: processes that other known processes name as ppid */
	for (size_t i = 0; i < inc->processes.n; i++) {
		struct process *p = inc->processes.v[i];
		if (p->ppid <= 0)
			continue;
		struct process *parent = incident_process(inc, p->ppid, false);
		if (parent && holds_listener(inc, parent->pid) && holds_listener(inc, p->pid))
			parent->role = ROLE_PARENT;
	}
	for (size_t i = 0; i < inc->processes.n; i++) {
		struct process *p = inc->processes.v[i];
		uint32_t stuck = 0, idle = 0, running = 0, known = 0, ambiguous_waits = 0, once = 0,
			 once_mutex = 0, stuck_sure = 0, weak_waits = 0;
		bool accepting = false;
		for (size_t k = 0; k < p->threads.n; k++) {
			struct thread *t = &p->threads.v[k];
			struct note_table *nt = VEC_PUSH(&an->arena, notes);
			nt->t = t;
			memset(&nt->note, 0, sizeof(nt->note));
			classify_thread(an, t, &nt->note);
			if (t->state == THR_UNKNOWN)
				continue;
			known++;
			if (t->state == THR_STUCK)
				stuck++;
			/* stuck where no thread waits for work: on a mutex (held for
			 * a moment, never a place to idle), or in application code
			 * the Python frames name (queue.get and friends are idle,
			 * not stuck: python_site()) */
			if (t->state == THR_STUCK && !nt->note.ambiguous &&
			    (t->blocked == BLK_MUTEX ||
			     (nt->note.sample && nt->note.sample->n_py_frames)))
				stuck_sure++;
			if (t->state == THR_RUNNING)
				running++;
			if (t->state == THR_WAITING_FOR_WORK) {
				idle++;
				if (t->blocked == BLK_ACCEPT || t->blocked == BLK_POLL)
					accepting = true;
			}
			if (nt->note.ambiguous)
				ambiguous_waits++;
			if (nt->note.one_look)
				once++;
			if (nt->note.one_look && t->blocked == BLK_MUTEX)
				once_mutex++;
			if (nt->note.ambiguous && nt->note.weak)
				weak_waits++;
		}
		if (!known) {
			p->state = PST_UNKNOWN;
			continue;
		}
		bool progress = false;
		for (size_t k = 0; k < p->threads.n; k++)
			if (p->threads.v[k].cpu_ticks_delta > 0)
				progress = true;
		/* Work queued that nobody takes: connections this worker accepted
		 * whose requests no thread reads, in every one of the last two
		 * socket snapshots (or the only one). With stuck threads and no
		 * thread running, the worker cannot complete requests even while
		 * its acceptor still accepts: it accepts into a queue nobody
		 * drains, which is worse than not accepting at all. */
		p->accepting = accepting;
		bool undrained = p->waiting_conns > 0 &&
				 (p->waiting_runs >= 2 || conn_snaps == 1);
		if (p->role == ROLE_PARENT)
			p->state = stuck ? PST_STUCK : PST_HEALTHY;
		else if (stuck && undrained && !running)
			p->state = PST_STUCK;
		else if (stuck && !accepting && !progress && !running)
			p->state = PST_STUCK;
		else if (ambiguous_waits && undrained && !running && !progress &&
			 p->role == ROLE_WORKER)
			/* every other thread in a wait that may be idle or stuck,
			 * no CPU used, and accepted connections nobody reads in
			 * the last snapshots: it accepts into a queue no thread
			 * drains (the waits seen only as futex in ps/top's wchan,
			 * or as Python lock waits without Python frames) */
			p->state = PST_STUCK;
		else if (stuck_sure && !progress)
			/* a thread-per-request server whose handlers are stuck
			 * still accepts: every request it takes hangs */
			p->state = PST_STUCK;
		else if (once && !stuck && (!accepting || undrained || once_mutex) && !progress) {
			/* threads blocked on locks in the only sample, nobody
			 * accepting: stuck or passing, one look cannot tell; never
			 * idle or healthy (workers-stuck reports it as one look).
			 * A mutex is never where a thread waits for work (it is
			 * held for a moment), so threads caught waiting on one
			 * count even while another thread accepts. */
			p->state = PST_UNKNOWN;
			p->undecided = true;
		} else if (running && !accepting)
			p->state = PST_BUSY;
		else if (accepting || progress)
			p->state = PST_HEALTHY;
		else if (ambiguous_waits && p->close_wait > 0 && p->role == ROLE_WORKER)
			/* Python threads all in lock waits, no acceptor seen in accept(),
			 * no CPU used, and clients' connections left in CLOSE_WAIT: not
			 * idle. Less sure than with Python frames (classify_note). */
			p->state = PST_STUCK;
		else if (ambiguous_waits && !stuck && !an->inc.sock_snaps.n) {
			/* native frames only, no sockets to look at: a Python worker
			 * whose threads all sit in lock waits may be idle or stuck */
			p->state = PST_UNKNOWN;
			p->undecided = true;
			if (weak_waits == ambiguous_waits)
				analysis_note(an, "pid %d: its threads sleep in a futex wait (the wchan ps "
						  "or top show), which looks the same whether they are "
						  "idle or stuck; add stacks (eu-stack -p, gdb), an `strace "
						  "-f -p` or an `ss -tanp` snapshot to decide", p->pid);
			else
				analysis_note(an, "pid %d: its Python threads wait in "
						  "PyThread_acquire_lock_timed, which looks the same whether "
						  "they are idle or stuck; add py-bt dumps (gdb -ex 'thread "
						  "apply all py-bt') or an `ss -tanp` snapshot to decide",
					      p->pid);
		} else if (idle && !stuck)
			p->state = PST_IDLE;
		else
			p->state = stuck ? PST_STUCK : PST_UNKNOWN;
	}
}
