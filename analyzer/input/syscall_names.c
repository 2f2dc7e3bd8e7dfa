/* syscall_names.c — system call names as strace prints them, and their
 * numbers. The numbers are the SYS_* constants of <sys/syscall.h>, which on
 * x86_64 are arch/x86/entry/syscalls/syscall_64.tbl: the numbering
 * classify.c reads /proc/PID/task/TID/syscall with (derive/classify.c
 * syscall_site). strace names a call by its entry in
 * src/linux/x86_64/syscallent.h, which is the same table; only the calls a
 * server blocks or spins in, or that show up around them, are listed (the
 * rest read as "not known", never as a wrong number). */
#include "syscall_names.h"

#include <string.h>
#include <sys/syscall.h>

/* One X() per name; kept sorted so the table can be searched by halves. */
#define SYSCALLS(X) \
	X(accept) X(accept4) X(access) X(alarm) X(arch_prctl) X(bind) X(brk) X(chdir) X(chmod) \
	X(chown) X(clock_gettime) X(clock_nanosleep) X(clone) X(clone3) X(close) X(close_range) \
	X(connect) X(dup) X(dup2) X(dup3) X(epoll_create) X(epoll_create1) X(epoll_ctl) \
	X(epoll_pwait) X(epoll_pwait2) X(epoll_wait) X(eventfd) X(eventfd2) X(execve) X(exit) \
	X(exit_group) X(faccessat) X(faccessat2) X(fadvise64) X(fallocate) X(fchmod) X(fchown) \
	X(fcntl) X(fdatasync) X(flock) X(fork) X(fstat) X(fstatfs) X(fsync) X(ftruncate) \
	X(futex) X(getcwd) X(getdents) X(getdents64) X(getegid) X(geteuid) X(getgid) \
	X(getitimer) X(getpeername) X(getpgrp) X(getpid) X(getppid) X(getrandom) X(getrlimit) \
	X(getrusage) X(getsockname) X(getsockopt) X(gettid) X(gettimeofday) X(getuid) \
	X(inotify_add_watch) X(inotify_init1) X(io_getevents) X(io_submit) X(io_uring_enter) \
	X(io_uring_setup) X(ioctl) X(kill) X(listen) X(lseek) X(lstat) X(madvise) \
	X(memfd_create) X(mkdir) X(mkdirat) X(mmap) X(mprotect) X(mremap) X(msync) X(munmap) \
	X(nanosleep) X(newfstatat) X(open) X(openat) X(openat2) X(pause) X(pipe) X(pipe2) \
	X(poll) X(ppoll) X(prctl) X(pread64) X(preadv) X(prlimit64) X(pselect6) X(pwrite64) \
	X(pwritev) X(read) X(readahead) X(readlink) X(readlinkat) X(readv) X(recvfrom) \
	X(recvmmsg) X(recvmsg) X(rename) X(renameat) X(restart_syscall) X(rmdir) X(rseq) \
	X(rt_sigaction) X(rt_sigpending) X(rt_sigprocmask) X(rt_sigreturn) X(rt_sigsuspend) \
	X(rt_sigtimedwait) X(sched_getaffinity) X(sched_setaffinity) X(sched_yield) X(select) \
	X(semop) X(semtimedop) X(sendfile) X(sendmmsg) X(sendmsg) X(sendto) X(set_tid_address) \
	X(setitimer) X(setpgid) X(setrlimit) X(setsid) X(setsockopt) X(shutdown) X(sigaltstack) \
	X(signalfd) X(signalfd4) X(socket) X(socketpair) X(splice) X(stat) X(statfs) X(statx) \
	X(sync) X(sysinfo) X(tgkill) X(time) X(timerfd_create) X(timerfd_settime) X(times) \
	X(tkill) X(truncate) X(umask) X(uname) X(unlink) X(unlinkat) X(vfork) X(wait4) X(waitid) \
	X(write) X(writev)

static const struct {
	const char *name;
	int64_t nr;
} table[] = {
#define X(n) { #n, SYS_##n },
	SYSCALLS(X)
#undef X
};

#if defined(__x86_64__)
/* the numbers classify.c spells out (its NR_* enum) must be these */
_Static_assert(SYS_futex == 202 && SYS_accept4 == 288 && SYS_epoll_wait == 232,
	       "x86_64 syscall numbering");
#endif

int64_t syscall_nr_by_name(const char *p, size_t n)
{
#if !defined(__x86_64__)
	/* another architecture numbers them otherwise; classify.c reads
	 * x86_64's: a number would be wrong, so none is given */
	(void)p;
	(void)n;
	(void)table;
	return -2;
#else
	size_t lo = 0, hi = sizeof(table) / sizeof(table[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(table[mid].name, p, n);
		if (c == 0 && table[mid].name[n] != '\0')
			c = 1;
		if (c == 0)
			return table[mid].nr;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -2;
#endif
}

bool syscall_name_known(const char *p, size_t n)
{
	size_t lo = 0, hi = sizeof(table) / sizeof(table[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(table[mid].name, p, n);
		if (c == 0 && table[mid].name[n] != '\0')
			c = 1;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
