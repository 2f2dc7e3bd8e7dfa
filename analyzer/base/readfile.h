/* readfile.h — a whole file into memory with read(), never mmap: a file
 * truncated or rewritten while stuckscope reads it (an incident directory
 * still being written, a log rotated) gives a shorter buffer and a flag,
 * never SIGBUS (issue 16). */
#ifndef STUCKSCOPE_BASE_READFILE_H
#define STUCKSCOPE_BASE_READFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct filebuf {
	char *p;		/* malloc'd, NUL-terminated (not counted in len) */
	size_t len;
	off_t size;		/* st_size when opened */
	bool cut;		/* stopped at `max` bytes */
	bool shrank;		/* EOF before st_size: truncated while being read */
};

/* Read fd (a regular file, or a pipe when size is unknown) from its
 * current offset to EOF or `max` bytes. 0 or -1 with errno set; on -1
 * nothing is allocated. */
int readfile_fd(int fd, size_t max, struct filebuf *out);
void filebuf_release(struct filebuf *b);

#endif
