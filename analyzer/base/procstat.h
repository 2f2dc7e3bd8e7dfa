/* procstat.h — one reader of a /proc/PID/stat or /proc/PID/task/TID/stat
 * line, for the offline parser and the live probes alike.
 *
 * do_task_stat() (fs/proc/array.c) prints "%d (%s) %c %d ..." with the comm
 * raw: it may hold blanks, ')', "(", newlines and bytes that are not UTF-8
 * (prctl(PR_SET_NAME) takes any 15 bytes), so the comm runs from the first
 * '(' to the LAST ')' of the line, and fields after it are split on blanks.
 * Fields are numbered from 1 as in proc(5). The line is read over
 * (pointer, length): no NUL needed, nothing past the length is touched. */
#ifndef STUCKSCOPE_BASE_PROCSTAT_H
#define STUCKSCOPE_BASE_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

enum procstat_error {
	PROCSTAT_OK,
	PROCSTAT_BAD_FORMAT,	/* no "pid (comm) S" at the start */
	PROCSTAT_BAD_NUMBER,	/* a field read is not a number, or out of range */
	PROCSTAT_TRUNCATED,	/* the line ends before field 15 (stime) */
};

struct procstat {
	int32_t pid;		/* 1; -1 not read */
	const char *comm;	/* 2: in the caller's buffer, not NUL-terminated; NULL not read */
	size_t comm_len;
	char state;		/* 3: 'R', 'S', 'D', 'Z', 'T', 't', 'X', 'I'...; 0 not read */
	int32_t ppid;		/* 4; -1 not read */
	int64_t utime, stime;	/* 14, 15: clock ticks (sysconf(_SC_CLK_TCK)); -1 not read */
	int64_t num_threads;	/* 20; -1 not read (the line ends earlier) */
	int64_t starttime;	/* 22: ticks after boot; -1 not read */
	enum procstat_error error;
	int err_field;		/* the field `err` is about, 1-based; 0 none */
	char err[96];		/* what is wrong ("" when nothing is): lowercase, no full stop */
};

/* Parse the n bytes at p (a trailing newline is fine). Fields 1 to 15 must
 * be there; 20 and 22 are read when the line reaches them. Returns 0, or
 * -1 with st->error, st->err_field and st->err saying what is wrong; the
 * fields before the one in error are filled in either way, the others keep
 * their "not read" value. */
int procstat_parse(struct procstat *st, const char *p, size_t n);

#endif
