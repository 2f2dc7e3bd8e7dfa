/* ptrace_sample.c — stop every thread of a process together, unwind raw PCs,
 * resume; see ptrace_sample.h for the sequence.
 *
 * The ptrace dance follows two references:
 *  - strace src/strace.c detach(): a tracee can only be detached while it is
 *    in a ptrace-stop; a running one is interrupted first and waited for, and
 *    a signal found pending in a signal-delivery-stop is handed back with
 *    PTRACE_DETACH's data argument so the target never loses a signal.
 *  - elfutils libdwfl/linux-pid-attach.c (__libdwfl_ptrace_attach,
 *    tid_was_stopped, __libdwfl_ptrace_detach): threads already stopped by
 *    job control must stay stopped after detach. With PTRACE_SEIZE the
 *    kernel keeps that state for us: __ptrace_unlink() re-arms
 *    JOBCTL_STOP_PENDING when SIGNAL_STOP_STOPPED is set, so a detached
 *    group-stopped thread goes back to its group stop.
 *
 * Why PTRACE_SEIZE and not PTRACE_ATTACH: ATTACH sends SIGSTOP, which is a
 * real signal the target could observe (and which would group-stop the
 * whole process if we died before consuming it). SEIZE attaches silently
 * and PTRACE_INTERRUPT stops one thread without any signal
 * (PTRACE_EVENT_STOP with SIGTRAP).
 *
 * If stuckscope dies (even SIGKILL), the kernel's exit_ptrace() runs
 * __ptrace_detach() on every tracee: a thread in a ptrace-stop is woken, a
 * pending PTRACE_INTERRUPT is cleared with JOBCTL_TRAP_MASK, so the target
 * runs on (tests/live/stacks.sh checks this 20 times).
 *
 * An execve() in the target (issue 16; tests/live/exec-churn.sh): it kills
 * every other thread and waits for them in de_thread() while holding the
 * target's cred_guard_mutex, which PTRACE_SEIZE needs too; threads we trace
 * wait as zombies for our wait(). The SIGALRM deadline (on_alarm) reaps
 * them and bounds the SEIZE; PTRACE_O_TRACEEXEC, the /proc/PID/mem pin of
 * the program image (image_pin) and the leader sweep (sweep_leader) notice
 * the exec and leave nothing traced; the sample is then PS_SAMPLE_EXEC. */
#include "ptrace_sample.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind-ptrace.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/procstat.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h: a kernel thread */
#define CAP_SYS_PTRACE_BIT 19	/* include/uapi/linux/capability.h */

uint64_t ps_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the registry of attached tids, walked by the signal handlers
 * (on_fatal_signal, on_alarm). Entries are > 0 while attached, 0 when free.
 * The array only grows with the handled signals blocked, so a handler never
 * sees a stale pointer. */

static pid_t *volatile reg_tids;
static volatile size_t reg_n;
static size_t reg_cap;

static void block_fatal(sigset_t *old)
{
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGQUIT);
	sigaddset(&ss, SIGALRM);	/* on_alarm walks the registry too */
	pthread_sigmask(SIG_BLOCK, &ss, old);
}

static int reg_add(pid_t tid)
{
	for (size_t i = 0; i < reg_n; i++)
		if (reg_tids[i] == 0) {
			reg_tids[i] = tid;
			return 0;
		}
	if (reg_n == reg_cap) {
		sigset_t old;
		block_fatal(&old);
		size_t cap = reg_cap ? reg_cap * 2 : 256;
		pid_t *v = calloc(cap, sizeof(*v));
		if (!v) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			return -1;
		}
		if (reg_n)
			memcpy(v, (pid_t *)reg_tids, reg_n * sizeof(*v));
		pid_t *prev = reg_tids;
		reg_tids = v;
		reg_cap = cap;
		free(prev);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	reg_tids[reg_n] = tid;
	reg_n = reg_n + 1;
	return 0;
}

static void reg_del(pid_t tid)
{
	for (size_t i = 0; i < reg_n; i++)
		if (reg_tids[i] == tid) {
			reg_tids[i] = 0;
			return;
		}
}

/* Async-signal-safe: raw ptrace/waitpid/nanosleep only. A thread that is
 * not in a ptrace-stop cannot be detached (ESRCH): interrupt it and wait a
 * little for the stop (strace detach()); whatever still cannot be detached
 * is released by the kernel's exit_ptrace() when we die just after. */
static void detach_all_from_handler(void)
{
	pid_t *v = reg_tids;
	size_t n = reg_n;
	for (size_t i = 0; i < n; i++) {
		pid_t tid = v[i];
		if (tid <= 0)
			continue;
		if (ptrace(PTRACE_DETACH, tid, 0, 0) == 0) {
			v[i] = 0;
			continue;
		}
		if (errno != ESRCH)
			continue;
		/* running (or gone): ask for a stop, wait up to ~50 ms */
		ptrace(PTRACE_INTERRUPT, tid, 0, 0);
		for (int k = 0; k < 50; k++) {
			int st;
			pid_t r = waitpid(tid, &st, __WALL | WNOHANG);
			if (r == tid && WIFSTOPPED(st)) {
				int sig = (st >> 16) == 0 ? WSTOPSIG(st) : 0;
				ptrace(PTRACE_DETACH, tid, 0, (void *)(long)sig);
				break;
			}
			if (r == tid || (r < 0 && errno == ECHILD))
				break;	/* exited */
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
		v[i] = 0;
	}
}

static void on_fatal_signal(int sig)
{
	int saved = errno;
	detach_all_from_handler();
	errno = saved;
	/* die of the signal, with its default action, so the exit status says so */
	signal(sig, SIG_DFL);
	raise(sig);
}

void ps_install_signal_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask);	/* one handler at a time */
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- procfs */

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	int saved = errno;
	close(fd);
	errno = saved;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

/* /proc/PID/status "Key:\tvalue" as a number, -1 absent */
static long status_field_path(const char *sub, const char *key);

static long status_field(pid_t pid, const char *key)
{
	char sub[32];
	snprintf(sub, sizeof(sub), "%d", pid);
	return status_field_path(sub, key);
}

/* A numeric field of /proc/SUB/status (SUB = "PID" or "PID/task/TID"). */
static long status_field_path(const char *sub, const char *key)
{
	char path[96], buf[4096];
	snprintf(path, sizeof(path), "/proc/%s/status", sub);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	size_t kl = strlen(key);
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ':')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

static void read_comm(pid_t pid, pid_t tid, char *out, size_t size)
{
	char path[64], buf[64];
	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	out[0] = '\0';
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
	copy_str(out, size, buf);
}

/* stat: "tid (comm) S ppid ... utime(14) stime(15)"; comm may hold ')' */
static int parse_stat(const char *buf, char *state, int64_t *utime, int64_t *stime, long *ppid)
{
	struct procstat ps;
	if (procstat_parse(&ps, buf, strlen(buf)) < 0)
		return -1;
	*state = ps.state;
	if (ppid)
		*ppid = ps.ppid;
	*utime = ps.utime;
	*stime = ps.stime;
	return 0;
}

/* Field `field` of a stat line (1-based, as proc(5) numbers them; 4 and
 * up are numbers) as an unsigned number: 9 flags, 28 startstack. */
static bool stat_field(const char *buf, int field, uint64_t *out)
{
	const char *p = strrchr(buf, ')');
	if (!p || field < 4)
		return false;
	p++;
	for (int f = 3; f <= field; f++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return false;
		if (f == field) {
			char *end;
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				return false;
			*out = v;
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* CapEff of stuckscope itself holds CAP_SYS_PTRACE */
static bool have_cap_sys_ptrace(void)
{
	char buf[4096];
	if (read_small("/proc/self/status", buf, sizeof(buf)) < 0)
		return geteuid() == 0;
	const char *p = strstr(buf, "\nCapEff:");
	if (!p)
		return geteuid() == 0;
	unsigned long long caps = strtoull(p + 8, NULL, 16);
	return (caps >> CAP_SYS_PTRACE_BIT) & 1;
}

static void read_thread_procfs(pid_t pid, struct ps_thread *t)
{
	char path[80], buf[1024];
	t->state = 0;
	t->utime = t->stime = -1;
	t->wchan[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, t->tid);
	if (read_small(path, buf, sizeof(buf)) > 0)
		parse_stat(buf, &t->state, &t->utime, &t->stime, NULL);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, t->tid);
	if (read_small(path, buf, sizeof(buf)) > 0 && strcmp(buf, "0") != 0)
		copy_str(t->wchan, sizeof(t->wchan), buf);
}

/* ---- the session */

struct memline {
	uint64_t page;		/* page number + 1, 0 empty */
	uint32_t gen;
	bool bad;		/* unreadable */
	uint8_t data[4096];
};
#define MEMCACHE_LINES 256

struct ps_session {
	pid_t pid;
	int timeout_ms;
	uint32_t samples;
	unw_addr_space_t as;
	void *upt;		/* _UPT_create(pid): used for find_proc_info only */
	struct ps_thread *t;
	size_t n, cap;
	struct memline *mem;
	uint32_t gen;
	sigset_t old_mask;	/* SIGALRM unblocked for the wait deadline */
	struct sigaction old_alarm;
	bool mask_saved;
	/* the vDSO: no file to open, so its .eh_frame_hdr is found in memory */
	unw_dyn_info_t vdso_di;
	bool have_vdso;
	/* the thread being unwound: the accessors below read it */
	struct user_regs_struct regs;
	pid_t cur_tid;
	/* the Python frame reader (pystack.h), NULL for a process without
	 * CPython 3.11, or after an exec (the reader of the old image is kept
	 * in py_retired: earlier samples' frame strings point into it) */
	struct py_reader *py, *py_retired;
	char py_note[320];
	/* The program image the samples are taken in (image_pin): an fd on
	 * /proc/PID/task/TID/mem of a live thread, which holds that mm_struct,
	 * and an address mapped in it; image_gen counts the execs seen. */
	int image_fd;
	uint64_t image_addr;
	pid_t image_tid;
	uint32_t image_gen;
	/* this sample met an execve(): why, in words (first reason found) */
	bool exec;
	char exec_why[128];
};

/* libunwind's accessor `arg` is the _UPT info (find_proc_info passes it on
 * to access_mem internally), so the accessors find the thread being unwound
 * here rather than through arg. One sampler per process at a time. */
static struct ps_session *cur_session;

int ps_read_mem(pid_t pid, uint64_t addr, void *buf, size_t size)
{
	struct iovec local = { buf, size }, remote = { (void *)(uintptr_t)addr, size };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)size ? 0 : -1;
}

int32_t ps_mutex_owner(pid_t pid, uint64_t futex_addr)
{
	int32_t w[3];
	if (!futex_addr || ps_read_mem(pid, futex_addr, w, sizeof(w)) < 0)
		return -1;
	/* __lock (w[0]) != 0 while held; __count (w[1]); __owner (w[2]) */
	return w[0] != 0 && w[2] > 0 ? w[2] : -1;
}

static int acc_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
			  void *arg)
{
	(void)as;
	(void)arg;
	struct ps_session *s = cur_session;
	if (write || !s)
		return -UNW_EINVAL;
	uint64_t page = addr >> 12, off = addr & 4095;
	if (off + sizeof(*val) > 4096) {
		/* straddles two pages: read directly */
		return ps_read_mem(s->pid, addr, val, sizeof(*val)) == 0 ? 0 : -UNW_EINVAL;
	}
	struct memline *l = &s->mem[(page * 2654435761u) % MEMCACHE_LINES];
	if (l->page != page + 1 || l->gen != s->gen) {
		l->page = page + 1;
		l->gen = s->gen;
		l->bad = ps_read_mem(s->pid, page << 12, l->data, sizeof(l->data)) < 0;
	}
	if (l->bad) {
		/* part of a mapping process_vm_readv refuses: one word by ptrace */
		errno = 0;
		long w = ptrace(PTRACE_PEEKDATA, s->cur_tid, (void *)(uintptr_t)addr, 0);
		if (w == -1 && errno)
			return -UNW_EINVAL;
		*val = (unw_word_t)w;
		return 0;
	}
	memcpy(val, l->data + off, sizeof(*val));
	return 0;
}

static int acc_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
			  void *arg)
{
	(void)as;
	(void)arg;
	struct ps_session *s = cur_session;
	if (write || !s)
		return -UNW_EINVAL;
	const struct user_regs_struct *r = &s->regs;
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; break;
	case UNW_X86_64_RDX: *val = r->rdx; break;
	case UNW_X86_64_RCX: *val = r->rcx; break;
	case UNW_X86_64_RBX: *val = r->rbx; break;
	case UNW_X86_64_RSI: *val = r->rsi; break;
	case UNW_X86_64_RDI: *val = r->rdi; break;
	case UNW_X86_64_RBP: *val = r->rbp; break;
	case UNW_X86_64_RSP: *val = r->rsp; break;
	case UNW_X86_64_R8: *val = r->r8; break;
	case UNW_X86_64_R9: *val = r->r9; break;
	case UNW_X86_64_R10: *val = r->r10; break;
	case UNW_X86_64_R11: *val = r->r11; break;
	case UNW_X86_64_R12: *val = r->r12; break;
	case UNW_X86_64_R13: *val = r->r13; break;
	case UNW_X86_64_R14: *val = r->r14; break;
	case UNW_X86_64_R15: *val = r->r15; break;
	case UNW_X86_64_RIP: *val = r->rip; break;
	default:
		return -UNW_EBADREG;
	}
	return 0;
}

static int acc_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
			    void *arg)
{
	(void)as; (void)reg; (void)val; (void)write; (void)arg;
	return -UNW_EBADREG;
}

/* libunwind's own table search, exported but not declared (perf's
 * util/unwind-libunwind-local.c declares it the same way). */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			      int need_unwind_info, void *arg)
{
	struct ps_session *s = cur_session;
	/* _UPT_find_proc_info opens the file named in /proc/PID/maps, and
	 * "[vdso]" is no file: a thread in clock_gettime() or gettimeofday()
	 * would end its stack at the vDSO */
	if (s && s->have_vdso && ip >= s->vdso_di.start_ip && ip < s->vdso_di.end_ip)
		return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &s->vdso_di, pi,
							 need_unwind_info, arg);
	return _UPT_find_proc_info(as, ip, pi, need_unwind_info, arg);
}

/* Find the vDSO in /proc/PID/maps and its .eh_frame_hdr search table in the
 * target's memory (the whole ELF image is mapped). Only the encodings every
 * Linux vDSO uses are accepted: eh_frame_ptr pcrel|sdata4, fde_count
 * udata4, table datarel|sdata4. */
static void find_vdso(struct ps_session *s)
{
	char path[64], line[512];
	/* a live thread's maps: a zombie leader (a non-leader thread in
	 * execve(), or one that called pthread_exit()) has no mm to show */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/maps", s->pid,
		 s->image_tid > 0 ? s->image_tid : s->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	unsigned long lo = 0, hi = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
		else
			lo = hi = 0;
	fclose(f);
	if (!lo || hi <= lo || hi - lo > (1u << 20))
		return;
	size_t size = hi - lo;
	unsigned char *img = malloc(size);
	if (!img)
		return;
	if (ps_read_mem(s->pid, lo, img, size) < 0 || memcmp(img, ELFMAG, SELFMAG) != 0)
		goto out;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	if (eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		goto out;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	uint64_t load_vaddr = UINT64_MAX, ehf_vaddr = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < load_vaddr)
			load_vaddr = ph[i].p_vaddr;
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			ehf_vaddr = ph[i].p_vaddr;
	}
	if (load_vaddr == UINT64_MAX || !ehf_vaddr)
		goto out;
	uint64_t hdr_off = ehf_vaddr - load_vaddr;
	if (hdr_off + 12 > size)
		goto out;
	const unsigned char *h = img + hdr_off;
	if (h[0] != 1 || h[1] != 0x1b || h[2] != 0x03 || h[3] != 0x3b)
		goto out;
	uint32_t fde_count;
	memcpy(&fde_count, h + 8, 4);
	uint64_t hdr_addr = lo + hdr_off;
	memset(&s->vdso_di, 0, sizeof(s->vdso_di));
	s->vdso_di.start_ip = lo;
	s->vdso_di.end_ip = hi;
	s->vdso_di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	s->vdso_di.gp = 0;
	s->vdso_di.u.rti.name_ptr = 0;
	s->vdso_di.u.rti.segbase = hdr_addr;
	s->vdso_di.u.rti.table_data = hdr_addr + 12;
	s->vdso_di.u.rti.table_len = (fde_count * 8) / sizeof(unw_word_t);
	s->have_vdso = true;
out:
	free(img);
}

static void acc_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	_UPT_put_unwind_info(as, pi, arg);
}

/* Dynamic unwind registration (_U_dyn_register) is used by almost no one;
 * _UPT's version scans every mapping's symbol table for it. */
static int acc_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as; (void)addr; (void)arg;
	return -UNW_ENOINFO;
}

static int acc_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as; (void)c; (void)arg;
	return -UNW_EINVAL;
}

static int acc_get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			     unw_word_t *offp, void *arg)
{
	(void)as; (void)addr; (void)buf; (void)len; (void)offp; (void)arg;
	return -UNW_ENOINFO;	/* symbolize.c names frames, after resuming */
}

static unw_accessors_t accessors = {
	.find_proc_info = acc_find_proc_info,
	.put_unwind_info = acc_put_unwind_info,
	.get_dyn_info_list_addr = acc_get_dyn_info_list_addr,
	.access_mem = acc_access_mem,
	.access_reg = acc_access_reg,
	.access_fpreg = acc_access_fpreg,
	.resume = acc_resume,
	.get_proc_name = acc_get_proc_name,
};

/* ---- deadlines: SIGALRM from ITIMER_REAL, caught by a handler installed
 * without SA_RESTART. The timer repeats every 2 ms (ALARM_TICK_NS), so a
 * tick that lands between arming and blocking only costs one more tick,
 * never a hang.
 *
 * A blocking waitpid() fails with EINTR on a tick (do_wait() returns
 * -ERESTARTSYS, not restarted without SA_RESTART). PTRACE_SEIZE does not:
 * ptrace_attach() (kernel/ptrace.c) takes the target's cred_guard_mutex
 * with mutex_lock_interruptible() and answers a signal with
 * -ERESTARTNOINTR, which handle_signal() (arch/x86/kernel/signal.c)
 * restarts whatever SA_RESTART says: the handler runs, then the SEIZE
 * sleeps again, and user space never sees EINTR (measured: a 2 ms tick
 * around the SEIZE still hung in ptrace_attach). So the handler itself
 * does what a blocked SEIZE needs:
 *
 * 1. It reaps our tracees that have exited. An execve() of a multi-threaded
 *    target holds cred_guard_mutex (prepare_bprm_creds() until
 *    setup_new_exec(), fs/exec.c) while de_thread() SIGKILLs every other
 *    thread (zap_other_threads()) and sleeps until each is released:
 *    __exit_signal() counts notify_count down from release_task(). A traced
 *    thread is not autoreaped: exit_notify() (kernel/exit.c) leaves it a
 *    zombie until its tracer's wait (wait_task_zombie() -> release_task()).
 *    So the exec waits for us while we wait in SEIZE for the exec — the
 *    hang of issue 16, and the one tools/testing/selftests/ptrace/vmaccess.c
 *    shows. Reaping them lets de_thread() finish; the exec drops the mutex
 *    and the SEIZE returns.
 * 2. Past the SEIZE's own deadline (the mutex held for a reason reaping
 *    cannot cure: an exec whose other thread sleeps uninterruptibly, on a
 *    dead NFS server say) it leaves the restarting syscall with
 *    siglongjmp(), the only way out of an ERESTARTNOINTR sleep short of
 *    dying. It is armed only around the ptrace() call itself, so nothing
 *    half-done (a lock, an allocation) is ever abandoned. */
#define ALARM_TICK_NS 2000000ull

static volatile sig_atomic_t alarm_reaped;	/* tracees on_alarm reaped */
static volatile sig_atomic_t seize_armed;	/* 1: on_alarm may leave the SEIZE */
static volatile uint64_t seize_deadline;	/* monotonic ns */
static volatile pid_t seize_thread;		/* the thread inside the SEIZE */
static sigjmp_buf seize_jmp;

/* Async-signal-safe: waitid() only. WNOWAIT first: for a tracee,
 * wait_task_stopped() (kernel/exit.c) reports ptrace-stops whatever the
 * options ask ("traditionally we see ptrace'd stopped tasks regardless of
 * options"), and a stop consumed here would never reach wait_stop(). Only
 * an exit is then reaped; wait_stop() later finds ECHILD, i.e. gone. */
static void reap_exited_tracees(void)
{
	pid_t *v = reg_tids;
	size_t n = reg_n;
	for (size_t i = 0; i < n; i++) {
		pid_t tid = v[i];
		if (tid <= 0)
			continue;
		siginfo_t si;
		si.si_pid = 0;
		if (waitid(P_PID, (id_t)tid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) != 0 ||
		    si.si_pid != tid)
			continue;
		if (si.si_code != CLD_EXITED && si.si_code != CLD_KILLED && si.si_code != CLD_DUMPED)
			continue;	/* a ptrace-stop: wait_stop()'s to see */
		if (waitid(P_PID, (id_t)tid, &si, WEXITED | WNOHANG | __WALL) == 0 && si.si_pid == tid)
			alarm_reaped = alarm_reaped + 1;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	int saved = errno;
	reap_exited_tracees();
	if (seize_armed && ps_now_ns() >= seize_deadline &&
	    (pid_t)syscall(SYS_gettid) == seize_thread) {
		seize_armed = 0;
		siglongjmp(seize_jmp, 1);	/* back into seize_bounded() */
	}
	errno = saved;
}

/* First tick after `ns`, then every ALARM_TICK_NS. */
static void arm_alarm(uint64_t ns)
{
	struct itimerval it;
	if (ns < 1000)
		ns = 1000;
	it.it_value.tv_sec = (time_t)(ns / 1000000000ull);
	it.it_value.tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_usec = (suseconds_t)(ALARM_TICK_NS / 1000);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(void)
{
	struct itimerval it;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

enum seize_result { SEIZE_OK, SEIZE_FAILED, SEIZE_TIMEOUT };

/* PTRACE_SEIZE of one thread, left at `deadline` (monotonic ns) if the
 * target's cred_guard_mutex is still held then (on_alarm, point 2). The
 * caller has the ticks armed and seize_thread set. */
static enum seize_result seize_bounded(pid_t tid, uint64_t deadline, int *err)
{
	if (sigsetjmp(seize_jmp, 0)) {
		/* Left through on_alarm. No sigreturn ran, so SIGALRM is still
		 * blocked as inside its handler: unblock it. Whether the SEIZE
		 * took effect is unknown; the caller treats the thread as seized
		 * and detach_thread() sorts it out (ESRCH: it was not). */
		sigset_t ss;
		sigemptyset(&ss);
		sigaddset(&ss, SIGALRM);
		pthread_sigmask(SIG_UNBLOCK, &ss, NULL);
		*err = ETIMEDOUT;
		return SEIZE_TIMEOUT;
	}
	seize_deadline = deadline;
	seize_armed = 1;
	/* PTRACE_O_TRACEEXEC: a held thread that completes an execve() stops
	 * with PTRACE_EVENT_EXEC (ptrace_event() in exec_binprm(), fs/exec.c),
	 * so the sampler learns the image changed under it; a seized tracee
	 * gets no other word of it (the legacy SIGTRAP is for PTRACE_ATTACH
	 * only). No PTRACE_O_TRACECLONE: a clone event would stop the creating
	 * thread until we answer it; new threads are found by re-listing
	 * /proc/PID/task instead. */
	long r = ptrace(PTRACE_SEIZE, tid, 0, (void *)(long)PTRACE_O_TRACEEXEC);
	seize_armed = 0;
	*err = errno;
	return r == 0 ? SEIZE_OK : SEIZE_FAILED;
}

pid_t ps_pid(const struct ps_session *s)
{
	return s->pid;
}

const char *ps_python_note(const struct ps_session *s)
{
	return s->py_note;
}

void ps_set_timeout_ms(struct ps_session *s, int ms)
{
	s->timeout_ms = ms > 0 ? ms : 250;
}

static void tracer_desc(pid_t tracer, char *buf, size_t size)
{
	char comm[32];
	read_comm(tracer, 0, comm, sizeof(comm));
	if (comm[0])
		snprintf(buf, size, "pid %d (%s)", tracer, comm);
	else
		snprintf(buf, size, "pid %d", tracer);
}

/* ---- the program image. An execve() gives the process a new mm_struct
 * (exec_mmap(), fs/exec.c) and drops the old one's last user. An fd on
 * /proc/PID/task/TID/mem holds the mm it was opened on (proc_mem_open()
 * grabs it); once that mm has no users, mem_rw() (fs/proc/base.c) finds
 * mmget_not_zero() false and reads 0 bytes. So one byte read at an address
 * mapped in the pinned image says whether that image still runs, with no
 * lock of the target's held and nothing to go wrong with ASLR off (where a
 * re-exec of the same binary looks the same from every address). */

/* Pin the image a live thread of the process runs now; image_fd -1 when
 * none could be (the process is gone, or all its threads are zombies). */
static void image_pin(struct ps_session *s)
{
	if (s->image_fd >= 0)
		close(s->image_fd);
	s->image_fd = -1;
	s->image_addr = 0;
	s->image_tid = 0;
	char path[96], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/task", s->pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		pid_t tid = (pid_t)atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", s->pid, tid);
		if (read_small(path, buf, sizeof(buf)) <= 0)
			continue;
		const char *rp = strrchr(buf, ')');
		uint64_t start_stack = 0;
		if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X' ||
		    !stat_field(buf, 28, &start_stack) || !start_stack)
			continue;
		/* startstack (mm->start_stack: argc on the initial stack, set by
		 * the ELF loader) is mapped for as long as the image runs */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", s->pid, tid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		uint8_t b;
		if (pread(fd, &b, 1, (off_t)start_stack) == 1) {
			s->image_fd = fd;
			s->image_addr = start_stack;
			s->image_tid = tid;
			break;
		}
		close(fd);
	}
	closedir(d);
}

/* 1 the pinned image still runs; 0 it does not (an exec replaced it, or
 * the process is gone); -1 nothing pinned. */
static int image_same(const struct ps_session *s)
{
	if (s->image_fd < 0)
		return -1;
	uint8_t b;
	ssize_t n;
	do
		n = pread(s->image_fd, &b, 1, (off_t)s->image_addr);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

/* The process exec'd since the last sample: what the session learnt about
 * the old image (unwind rules cached by IP, the ELF _UPT last opened, the
 * vDSO, the Python interpreter's addresses) describes it no longer. */
static void image_changed(struct ps_session *s)
{
	s->image_gen++;
	image_pin(s);
	if (s->as)
		unw_flush_cache(s->as, 0, 0);
	void *upt = _UPT_create(s->pid);
	if (upt) {
		if (s->upt)
			_UPT_destroy(s->upt);
		s->upt = upt;
	}
	s->have_vdso = false;
	find_vdso(s);
	if (s->py) {
		s->py_retired = s->py;
		s->py = NULL;
		snprintf(s->py_note, sizeof(s->py_note), "Python frames: not read after the "
			 "process exec'd a new program");
	}
}

/* The process's state letter from /proc/PID/stat: the thread now holding
 * the process id. 0 when the process is gone. */
static char process_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	const char *rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp[2] : 0;
}

/* PTRACE_SEIZE said EPERM and __ptrace_may_access() is the only reason
 * left (seize_eperm): in words, and not "run as root" to root. With
 * CAP_SYS_PTRACE only Yama's mode 3 (no attach at all,
 * yama_ptrace_access_check()) or a security module (SELinux, AppArmor)
 * refuses. */
static void explain_eperm(char *err, size_t errsz)
{
	char buf[16] = "";
	read_small("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	if (have_cap_sys_ptrace()) {
		if (strcmp(buf, "3") == 0)
			snprintf(err, errsz, "not permitted to ptrace it even with CAP_SYS_PTRACE: "
				 "kernel.yama.ptrace_scope=3 forbids every attach until reboot");
		else
			snprintf(err, errsz, "not permitted to ptrace it even with CAP_SYS_PTRACE: "
				 "a security module (SELinux, AppArmor) refused; see the audit log "
				 "(journalctl -k)");
		return;
	}
	snprintf(err, errsz, "not permitted to ptrace it (%s%s): run as its user or root "
		 "(CAP_SYS_PTRACE)", buf[0] ? "kernel.yama.ptrace_scope=" : "EPERM",
		 buf[0] ? buf : "");
}

struct ps_session *ps_open(pid_t pid, char *err, size_t errsz)
{
	char path[64], buf[1024];
	err[0] = '\0';
	if (pid <= 0) {
		snprintf(err, errsz, "not a process id");
		return NULL;
	}
	if (pid == getpid()) {
		snprintf(err, errsz, "is stuckscope itself");
		return NULL;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			snprintf(err, errsz, "no such process");
		else
			snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	long tgid = status_field(pid, "Tgid");
	if (tgid > 0 && tgid != pid) {
		snprintf(err, errsz, "is a thread of process %ld; sampling that process", tgid);
		pid = (pid_t)tgid;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (read_small(path, buf, sizeof(buf)) < 0) {
			snprintf(err, errsz, "no such process");
			return NULL;
		}
	}
	char state = 0;
	int64_t ut, st;
	long ppid = -1;
	if (parse_stat(buf, &state, &ut, &st, &ppid) < 0) {
		snprintf(err, errsz, "cannot parse /proc/%d/stat", pid);
		return NULL;
	}
	uint64_t flags = 0;
	if (stat_field(buf, 9, &flags) && (flags & PF_KTHREAD)) {
		/* ptrace_attach() refuses PF_KTHREAD with EPERM, root or not */
		snprintf(err, errsz, "is a kernel thread: kernel threads cannot be traced "
			 "(no user stack, no mm); its kernel stack is in /proc/%d/stack", pid);
		return NULL;
	}
	/* a zombie leader with live threads is still worth sampling */
	int live = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				char tb[512], tp[320];
				snprintf(tp, sizeof(tp), "/proc/%d/task/%s/stat", pid, e->d_name);
				char ts = 0;
				int64_t a, b;
				if (read_small(tp, tb, sizeof(tb)) > 0 &&
				    parse_stat(tb, &ts, &a, &b, NULL) == 0 && ts != 'Z' && ts != 'X')
					live++;
			}
		closedir(d);
	}
	if ((state == 'Z' || state == 'X') && live == 0) {
		snprintf(err, errsz, "is a zombie (it exited; its parent %ld has not reaped it): "
			 "no threads left to sample", ppid);
		return NULL;
	}
	long tracer = status_field(pid, "TracerPid");
	if (tracer > 0 && tracer != getpid()) {
		char who[64];
		tracer_desc((pid_t)tracer, who, sizeof(who));
		snprintf(err, errsz, "already traced by %s: a process has one tracer at a time; "
			 "detach it (quit gdb/strace) and retry", who);
		return NULL;
	}
	if (state == 'T' || state == 't') {
		snprintf(err, errsz, "is stopped (state %c: SIGSTOP or job control); sampling would "
			 "not show where it was stuck — resume it with `kill -CONT %d` first",
			 state, pid);
		return NULL;
	}
	struct ps_session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->pid = pid;
	s->timeout_ms = 250;
	s->image_fd = -1;
	image_pin(s);
	s->mem = calloc(MEMCACHE_LINES, sizeof(*s->mem));
	s->as = unw_create_addr_space(&accessors, 0);
	s->upt = _UPT_create(pid);
	if (!s->mem || !s->as || !s->upt) {
		snprintf(err, errsz, "cannot set up libunwind");
		ps_close(s);
		return NULL;
	}
	/* the rs cache maps an IP to its unwind rule: from the second sample on
	 * no .eh_frame is searched for an IP already seen */
	unw_set_caching_policy(s->as, UNW_CACHE_GLOBAL);
	find_vdso(s);
	/* before any thread is stopped: symbols and DWARF are read now, so a
	 * sample only follows pointers */
	if (!getenv("STUCKSCOPE_NO_PYTHON"))
		s->py = pyr_open(pid, s->py_note, sizeof(s->py_note));
	/* the waits' deadline (arm_alarm): SIGALRM caught, without SA_RESTART,
	 * and not blocked */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &s->old_alarm);
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &ss, &s->old_mask);
	s->mask_saved = true;
	return s;
}

/* ---- one sample */

static struct ps_thread *find_thread(struct ps_session *s, pid_t tid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return &s->t[i];
	return NULL;
}

/* List /proc/PID/task; add the tids not seen yet this sample. Returns the
 * number added, -1 when the process is gone. */
static int list_new(struct ps_session *s)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", s->pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int added = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		pid_t tid = (pid_t)atoi(e->d_name);
		if (find_thread(s, tid))
			continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 64;
			struct ps_thread *v = realloc(s->t, cap * sizeof(*v));
			if (!v)
				break;
			s->t = v;
			s->cap = cap;
		}
		struct ps_thread *t = &s->t[s->n++];
		memset(t, 0, sizeof(*t));
		t->tid = tid;
		t->syscall_nr = -2;
		t->stop_ns = -1;
		read_comm(s->pid, tid, t->comm, sizeof(t->comm));
		read_thread_procfs(s->pid, t);
		if (t->state == 'Z' || t->state == 'X')
			t->status = PS_ZOMBIE;
		added++;
	}
	closedir(d);
	return added;
}

enum wait_result { W_STOPPED, W_GONE, W_TIMEOUT };

/* Wait for `t` to reach the stop PTRACE_INTERRUPT asked for, until
 * `deadline` (monotonic ns). waitpid(tid) is only woken by that thread's
 * own state changes (child_wait_callback filters by pid), so the other
 * threads reaching their stops do not bounce the sampler awake. The first
 * tick comes after at most ALARM_TICK_NS, not at the deadline: a thread
 * in execve() does not stop until de_thread() has its other threads
 * released, and on_alarm reaps those of them we trace. */
static enum wait_result wait_stop(struct ps_thread *t, uint64_t deadline)
{
	for (;;) {
		int st;
		pid_t r = waitpid(t->tid, &st, __WALL | WNOHANG);
		if (r == 0) {
			uint64_t now = ps_now_ns();
			if (now >= deadline)
				return W_TIMEOUT;
			uint64_t left = deadline - now;
			arm_alarm(left < ALARM_TICK_NS ? left : ALARM_TICK_NS);
			r = waitpid(t->tid, &st, __WALL);
			int e = errno;
			disarm_alarm();
			errno = e;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;	/* the deadline tick, or another signal */
			return W_GONE;	/* ECHILD: no longer our tracee (exited, reaped) */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return W_GONE;	/* exited while attached: we reaped its tracee zombie */
		if (!WIFSTOPPED(st))
			continue;
		int event = st >> 16, sig = WSTOPSIG(st);
		if (event == PTRACE_EVENT_STOP) {
			/* SIGTRAP: our PTRACE_INTERRUPT. SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU: a
			 * group-stop (job control) reported to a seizing tracer; the
			 * thread is stopped either way and PTRACE_DETACH will leave it
			 * in its group stop (__ptrace_unlink). */
			if (sig != SIGTRAP)
				t->pending_sig = -1;	/* marker: group-stop */
			return W_STOPPED;
		}
		if (event == PTRACE_EVENT_EXEC) {
			/* PTRACE_O_TRACEEXEC: this thread completed an execve()
			 * while we held it (reported under the process id, which
			 * de_thread() gave it). It is in a ptrace-stop, in the new
			 * program: detachable, and the sample is void. */
			t->exec_stop = true;
			return W_STOPPED;
		}
		if (event == 0) {
			/* signal-delivery-stop: a real signal for the target arrived
			 * while we held it. Hand it back now (PTRACE_CONT with the
			 * signal) so it is delivered; the interrupt is still pending
			 * and the thread stops again right after. */
			if (ptrace(PTRACE_CONT, t->tid, 0, (void *)(long)sig) < 0 && errno == ESRCH)
				return W_GONE;
			continue;
		}
		/* another event (none requested): resume without a signal */
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0 && errno == ESRCH)
			return W_GONE;
	}
}

/* strace detach(): detach a stopped tracee; a running one (it never reached
 * the stop) is waited for briefly, then detached; a signal seen in a
 * signal-delivery-stop is passed back. Returns 0 when no longer attached. */
static int detach_thread(struct ps_thread *t)
{
	if (!t->seized)
		return 0;
	int saved = errno;
	int rc = 0;
	if (!t->stopped) {
		if (!t->interrupted) {
			if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) == 0) {
				t->interrupted = true;
			} else if (errno == ESRCH) {
				/* not our tracee: ptrace_check_attach() finds no link
				 * (a SEIZE left at its deadline never took, or the tid
				 * went with de_thread()). A zombie of ours still answers
				 * INTERRUPT (its sighand lives until release_task()), so
				 * nothing of ours waits here. */
				t->seized = false;
				reg_del(t->tid);
				errno = saved;
				return 0;
			}
		}
		enum wait_result w = wait_stop(t, ps_now_ns() + 100000000ull);
		if (w == W_GONE) {
			t->seized = false;
			reg_del(t->tid);
			errno = saved;
			return 0;
		}
		if (w == W_STOPPED)
			t->stopped = true;
	}
	int sig = t->pending_sig > 0 ? t->pending_sig : 0;
	bool was_stopped = t->stopped;
	if (ptrace(PTRACE_DETACH, t->tid, 0, (void *)(long)sig) == 0) {
		t->seized = false;
		reg_del(t->tid);
	} else if (errno == ESRCH && was_stopped) {
		/* ESRCH after a stop: ptrace_check_attach() found it no longer
		 * in a ptrace-stop, because it was SIGKILLed meanwhile (by an
		 * execve()'s zap_other_threads(), say). Dead is not detached: a
		 * traced thread stays a zombie until its tracer reaps it
		 * (exit_notify(), kernel/exit.c), and de_thread() waits for that
		 * release. Reap it (a dying thread exits within microseconds). */
		enum wait_result w = wait_stop(t, ps_now_ns() + 100000000ull);
		if (w == W_STOPPED)	/* the tid is a live tracee again: de_thread() gave it away */
			rc = ptrace(PTRACE_DETACH, t->tid, 0, 0) == 0 || errno == ESRCH ? 0 : -1;
		else if (w == W_TIMEOUT)
			rc = -1;
		if (rc == 0) {
			t->seized = false;
			reg_del(t->tid);
		}
	} else if (errno == ESRCH) {
		/* never stopped (wait_stop timed out above): as before, left to
		 * the kernel's exit_ptrace() when stuckscope exits */
		t->seized = false;
		reg_del(t->tid);
	} else {
		rc = -1;
	}
	t->t_res_ns = ps_now_ns();
	t->stopped = false;
	errno = saved;
	return rc;
}

static int detach_all(struct ps_session *s)
{
	int failed = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].seized && detach_thread(&s->t[i]) < 0)
			failed++;
	return failed;
}

static void exec_mark(struct ps_session *s, const char *why)
{
	if (!s->exec)
		copy_str(s->exec_why, sizeof(s->exec_why), why);
	s->exec = true;
}

/* PTRACE_SEIZE of one thread said EPERM. ptrace_attach() (kernel/ptrace.c)
 * refuses, in this order: a kernel thread (PF_KTHREAD); a thread of our own
 * group; __ptrace_may_access() (credentials, Yama, a security module); a
 * task that has exited (task->exit_state: a zombie, or a thread an
 * execve()'s de_thread() just killed); a task already traced (task->ptrace:
 * by us, when a churning target's listing met the same tid twice, or by
 * another tracer). The thread's own procfs tells which. 0: no refusal (the
 * thread is ours, or gone); -1 with err. */
static int seize_eperm(struct ps_session *s, struct ps_thread *t, char *err, size_t errsz)
{
	char sub[48], path[96], buf[1024];
	snprintf(sub, sizeof(sub), "%d/task/%d", s->pid, t->tid);
	snprintf(path, sizeof(path), "/proc/%s/stat", sub);
	long tracer = status_field_path(sub, "TracerPid");
	if (read_small(path, buf, sizeof(buf)) <= 0 || tracer < 0) {
		t->status = PS_GONE;	/* exited, and released since */
		return 0;
	}
	const char *rp = strrchr(buf, ')');
	char state = rp && rp[1] == ' ' ? rp[2] : 0;
	uint64_t flags = 0;
	if (state == 'Z' || state == 'X') {
		t->status = PS_GONE;	/* exited (exit_state set): not an error */
		return 0;
	}
	if (stat_field(buf, 9, &flags) && (flags & PF_KTHREAD)) {
		snprintf(err, errsz, "thread %d is a kernel thread: kernel threads cannot be "
			 "traced", t->tid);
		return -1;
	}
	if (tracer == (long)getpid()) {
		/* ours already: it will be interrupted with the others */
		if (reg_add(t->tid) < 0) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		t->seized = true;
		return 0;
	}
	if (tracer > 0) {
		char who[64];
		tracer_desc((pid_t)tracer, who, sizeof(who));
		snprintf(err, errsz, "thread %d is already traced by %s: a thread has one tracer "
			 "at a time; detach it (quit gdb/strace) and retry", t->tid, who);
		return -1;
	}
	explain_eperm(err, errsz);
	return -1;
}

/* PTRACE_SEIZE every listed thread not yet seized, each bounded by the
 * sample's timeout (seize_bounded). -1 with err on a refusal; s->exec set
 * (and the loop left) when the SEIZE met an execve(). */
static int seize_new(struct ps_session *s, char *err, size_t errsz)
{
	bool armed = false;
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0 && !s->exec; i++) {
		struct ps_thread *t = &s->t[i];
		if (t->seized || t->status != PS_OK)
			continue;
		if (reg_add(t->tid) < 0) {
			snprintf(err, errsz, "out of memory");
			rc = -1;
			break;
		}
		if (!armed) {
			/* a SEIZE takes microseconds: a tick after 1 ms means it
			 * sleeps on cred_guard_mutex, and on_alarm reaps */
			seize_thread = (pid_t)syscall(SYS_gettid);
			arm_alarm(1000000);
			armed = true;
		}
		sig_atomic_t reaped = alarm_reaped;
		uint64_t t0 = ps_now_ns();
		int e = 0;
		enum seize_result r =
			seize_bounded(t->tid, t0 + (uint64_t)s->timeout_ms * 1000000ull, &e);
		if (r == SEIZE_TIMEOUT) {
			t->seized = true;	/* perhaps: detach_thread() finds out */
			char why[96];
			snprintf(why, sizeof(why), "PTRACE_SEIZE waited %d ms for its "
				 "cred_guard_mutex", s->timeout_ms);
			exec_mark(s, why);
			break;
		}
		/* tracees of ours exited and were reaped while this SEIZE slept:
		 * de_thread() was waiting for them, cred_guard_mutex held */
		if (alarm_reaped != reaped)
			exec_mark(s, "execve() killed its threads while PTRACE_SEIZE waited");
		if (r == SEIZE_OK) {
			t->seized = true;
			continue;
		}
		reg_del(t->tid);
		if (e == ESRCH) {		/* exited since the listing */
			t->status = PS_GONE;
			continue;
		}
		if (e == EPERM) {
			if (seize_eperm(s, t, err, errsz) < 0)
				rc = -1;
			continue;
		}
		snprintf(err, errsz, "PTRACE_SEIZE tid %d: %s", t->tid, strerror(e));
		rc = -1;
	}
	if (armed) {
		int saved = errno;
		disarm_alarm();
		errno = saved;
	}
	return rc;
}

/* After a non-leader thread's execve(), de_thread() gives it the process id
 * (exchange_tids(), fs/exec.c) and releases the old leader itself. If we
 * had seized the exec'ing thread under its own tid, we still trace it, now
 * numbered PID, and no tid we know reaches it: our PTRACE_INTERRUPT and
 * waitpid() of the old tid say ESRCH/ECHILD. So after detaching, the
 * thread holding the process id is checked (its TracerPid) and, if it is
 * ours, stopped and detached too. Returns the threads left attached (0/1). */
static int sweep_leader(struct ps_session *s)
{
	const struct ps_thread *known = find_thread(s, s->pid);
	if (known && known->seized)
		return 0;	/* the leader we know, left attached: already counted */
	char sub[48];
	snprintf(sub, sizeof(sub), "%d/task/%d", s->pid, s->pid);
	if (status_field_path(sub, "TracerPid") != (long)getpid())
		return 0;
	struct ps_thread t;
	memset(&t, 0, sizeof(t));
	t.tid = s->pid;
	t.seized = true;
	/* registered so that a fatal signal meanwhile detaches it as well; if
	 * that allocation fails it is detached here all the same */
	(void)reg_add(t.tid);
	int rc = detach_thread(&t) < 0 ? 1 : 0;
	exec_mark(s, t.exec_stop ? "PTRACE_EVENT_EXEC"
				 : "a thread it traced took over the process id (de_thread())");
	return rc;
}

static void interrupt_new(struct ps_session *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct ps_thread *t = &s->t[i];
		if (!t->seized || t->interrupted)
			continue;
		t->t_int_ns = ps_now_ns();
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) == 0) {
			t->interrupted = true;
			continue;
		}
		if (errno == ESRCH) {	/* exited between listing and stopping: not an error */
			t->status = PS_GONE;
			t->seized = false;
			reg_del(t->tid);
		}
	}
}

/* Waited for in reverse order of interruption: by the time the last one
 * interrupted has stopped, most others have too and their waitpid returns
 * at once, so the sampler sleeps once or twice rather than per thread. */
static void wait_new(struct ps_session *s, uint64_t deadline)
{
	for (size_t i = s->n; i-- > 0;) {
		struct ps_thread *t = &s->t[i];
		if (!t->seized || !t->interrupted || t->stopped || t->status != PS_OK)
			continue;
		switch (wait_stop(t, deadline)) {
		case W_STOPPED:
			t->stopped = true;
			break;
		case W_GONE:
			t->status = PS_GONE;
			t->seized = false;
			reg_del(t->tid);
			break;
		case W_TIMEOUT:
			t->status = PS_NOSTOP;
			break;
		}
	}
}

static void unwind_thread(struct ps_session *s, struct ps_thread *t)
{
	t->n_pcs = 0;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &s->regs) < 0) {
		t->unwind_err = -UNW_EINVAL;
		return;
	}
	t->sp = s->regs.rsp;
	/* orig_rax >= 0: stopped on the way out of (or restarting) a syscall;
	 * its arguments are still in the registers (x86_64 syscall ABI) */
	if ((int64_t)s->regs.orig_rax >= 0) {
		t->syscall_nr = (int64_t)s->regs.orig_rax;
		t->syscall_args[0] = s->regs.rdi;
		t->syscall_args[1] = s->regs.rsi;
		t->syscall_args[2] = s->regs.rdx;
		t->syscall_args[3] = s->regs.r10;
		t->syscall_args[4] = s->regs.r8;
		t->syscall_args[5] = s->regs.r9;
	} else {
		t->syscall_nr = -1;
	}
	s->cur_tid = t->tid;
	unw_cursor_t c;
	int rc = unw_init_remote(&c, s->as, s->upt);
	if (rc < 0) {
		t->pcs[t->n_pcs++] = s->regs.rip;
		t->unwind_err = rc;
		return;
	}
	do {
		unw_word_t ip;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		t->pcs[t->n_pcs++] = ip;
		if (t->n_pcs == PS_MAX_FRAMES)
			break;
		rc = unw_step(&c);
	} while (rc > 0);
	if (rc < 0)
		t->unwind_err = rc;
}

int ps_sample(struct ps_session *s, struct ps_sample *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	s->n = 0;
	s->gen++;
	s->exec = false;
	s->exec_why[0] = '\0';
	/* 0. an execve() since the last sample: the caches are of the old image */
	if (image_same(s) == 0)
		image_changed(s);
	else if (s->image_fd < 0)
		image_pin(s);
	out->image_gen = s->image_gen;
	cur_session = s;
	int rc = 0;
	uint64_t t0 = ps_now_ns();
	uint64_t t_int = 0;	/* the first PTRACE_INTERRUPT; 0 before */

	/* 1. list and seize until no new thread appears: a thread can be
	 * created between a listing and the seizes */
	int added = list_new(s);
	if (added < 0 || s->n == 0) {
		snprintf(err, errsz, "no such process (it exited)");
		cur_session = NULL;
		return -1;
	}
	out->relists = 1;
	uint64_t t_procfs = ps_now_ns() - t0;
	uint64_t t_seize0 = ps_now_ns();
	for (;;) {
		if (seize_new(s, err, errsz) < 0) {
			rc = -1;
			goto out;
		}
		if (s->exec)
			goto out;
		added = list_new(s);
		out->relists++;
		if (added <= 0 || out->relists > 50)
			break;
	}
	out->seize_ns = (int64_t)(ps_now_ns() - t_seize0);
	out->procfs_ns = (int64_t)t_procfs;

	/* Threads that were on a CPU (state R) go last: they are interrupted
	 * last and resumed last, so a spinning thread sharing the sampler's CPU
	 * does not compete with the detach loop. Stable: the rest keep /proc
	 * order. */
	{
		size_t k = 0;
		for (size_t i = 0; i < s->n; i++)
			if (s->t[i].state != 'R') {
				struct ps_thread tmp = s->t[i];
				memmove(&s->t[k + 1], &s->t[k], (i - k) * sizeof(tmp));
				s->t[k++] = tmp;
			}
	}
	/* 2. stop them all: INTERRUPT every thread first, then wait for each, so
	 * they stop together rather than one after the other */
	t_int = ps_now_ns();
	uint64_t deadline = t_int + (uint64_t)s->timeout_ms * 1000000ull;
	out->at = wall_now();
	interrupt_new(s);
	wait_new(s, deadline);
	/* threads created before their creator stopped: seize, stop, re-list
	 * until the set is stable (every known thread is stopped now, so a
	 * second empty listing settles it) */
	for (int round = 0; round < 50; round++) {
		added = list_new(s);
		out->relists++;
		if (added <= 0)
			break;
		if (seize_new(s, err, errsz) < 0) {
			rc = -1;
			goto out;
		}
		if (s->exec)
			goto out;
		interrupt_new(s);
		wait_new(s, deadline);
	}
	uint64_t t_stopped = ps_now_ns();
	out->wait_ns = (int64_t)(t_stopped - t_int);
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].exec_stop) {
			/* one thread is in the new program, the others died: nothing
			 * worth unwinding */
			exec_mark(s, "PTRACE_EVENT_EXEC");
			goto out;
		}

	/* 3. registers and raw PCs, all threads stopped */
	for (size_t i = 0; i < s->n; i++) {
		struct ps_thread *t = &s->t[i];
		if (t->stopped && t->status == PS_OK) {
			if (t->pending_sig == -1) {
				out->group_stopped = true;
				t->pending_sig = 0;
			}
			unwind_thread(s, t);
		}
	}
	uint64_t t_unw = ps_now_ns();
	out->unwind_ns = (int64_t)(t_unw - t_stopped);
	out->python_ns = -1;
	if (s->py) {
		/* 3b. the Python frames, still all stopped: one consistent view of
		 * the interpreter's thread list and frame chains */
		if (pyr_snapshot(s->py, out->py_err, sizeof(out->py_err)) == 0) {
			for (size_t i = 0; i < s->n; i++) {
				struct ps_thread *t = &s->t[i];
				if (!t->stopped || t->status != PS_OK)
					continue;
				uint32_t nr = 0;
				int n = pyr_frames(s->py, t->tid, t->py, PS_MAX_PY_FRAMES, &nr,
						   t->py_err, sizeof(t->py_err));
				t->n_py = n < 0 ? nr : (uint32_t)n;
				t->py_status = n < 0 ? -1 : n > 0 ? 1 : 0;
			}
		}
		out->python_ns = (int64_t)(ps_now_ns() - t_unw);
	}

out:
	/* 4. resume: detach every thread, on success and on error alike */
	{
		int saved = errno;
		uint64_t t_det = ps_now_ns();
		int failed = detach_all(s);
		failed += sweep_leader(s);
		uint64_t t_end = ps_now_ns();
		out->detach_ns = (int64_t)(t_end - t_det);
		out->window_ns = rc == 0 && !s->exec && t_int ? (int64_t)(t_end - t_int) : -1;
		for (size_t i = 0; i < s->n; i++)
			if (s->t[i].exec_stop)
				exec_mark(s, "PTRACE_EVENT_EXEC");
		/* an exec that went past exec_mmap() during the sample, with no
		 * thread of ours in its way (the process still runs: a gone one
		 * also fails the read) */
		if (!s->exec && image_same(s) == 0) {
			char st = process_state(s->pid);
			if (st && st != 'Z' && st != 'X')
				exec_mark(s, "a new program image replaced the old one meanwhile");
		}
		if (failed) {
			snprintf(err, errsz, "%d thread(s) could not be detached; they are released "
				 "when stuckscope exits%s", failed,
				 s->exec ? " (the target was exec'ing)" : "");
			rc = -1;
		} else if (s->exec) {
			/* nothing attached, nothing stopped: a clean outcome of its own */
			snprintf(err, errsz, "target is exec'ing; retry (%s)", s->exec_why);
			rc = PS_SAMPLE_EXEC;
		}
		errno = saved;
	}
	cur_session = NULL;
	s->samples++;
	out->sample_no = s->samples;
	out->threads = s->t;
	out->n_threads = s->n;
	for (size_t i = 0; i < s->n; i++) {
		struct ps_thread *t = &s->t[i];
		if (t->interrupted && t->t_res_ns >= t->t_int_ns && t->status == PS_OK)
			t->stop_ns = (int64_t)(t->t_res_ns - t->t_int_ns);
		t->interrupted = false;
		t->exec_stop = false;
		switch (t->status) {
		case PS_OK: out->n_stopped++; break;
		case PS_GONE: out->n_gone++; break;
		case PS_NOSTOP: out->n_nostop++; break;
		case PS_ZOMBIE: break;
		}
	}
	if (rc == 0 && out->n_stopped == 0 && out->n_gone == s->n) {
		snprintf(err, errsz, "no such process (it exited during sampling)");
		rc = -1;
	}
	return rc;
}

void ps_close(struct ps_session *s)
{
	if (!s)
		return;
	int saved = errno;
	detach_all(s);
	if (s->mask_saved) {
		disarm_alarm();
		sigaction(SIGALRM, &s->old_alarm, NULL);
		pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
	}
	pyr_close(s->py);
	pyr_close(s->py_retired);
	if (s->image_fd >= 0)
		close(s->image_fd);
	if (s->upt)
		_UPT_destroy(s->upt);
	if (s->as)
		unw_destroy_addr_space(s->as);
	free(s->mem);
	free(s->t);
	free(s);
	errno = saved;
}
