/* readfile.c — see readfile.h. */
#include "readfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int readfile_fd(int fd, size_t max, struct filebuf *out)
{
	memset(out, 0, sizeof(*out));
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	bool regular = S_ISREG(st.st_mode);
	out->size = regular ? st.st_size : -1;
	/* a regular file: its size, plus one byte to see that it grew; a pipe:
	 * start small and double */
	size_t cap = regular ? (size_t)st.st_size + 1 : 64 * 1024;
	if (cap > max + 1)
		cap = max + 1;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -1;
	size_t len = 0;
	for (;;) {
		if (len == cap) {
			if (len > max)
				break;
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN && !regular) {
			/* a non-blocking pipe with nothing yet: wait for it */
			usleep(1000);
			continue;
		}
		if (r < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max) {
		len = max;
		out->cut = true;
	}
	if (regular && (off_t)len < st.st_size && !out->cut)
		out->shrank = true;
	buf[len] = '\0';
	out->p = buf;
	out->len = len;
	return 0;
}

void filebuf_release(struct filebuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
