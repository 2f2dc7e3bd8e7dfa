/* strbuf.h — one growable string (git's strbuf.h, cut down): malloc-based
 * so the probes can use it as well as the analyzer, never truncating.
 *
 *   struct strbuf sb = STRBUF_INIT;
 *   strbuf_addf(&sb, "pid %d: %u sockets", pid, n);
 *   finding_detail(an, f, "%s", sb.buf);      (copied into the arena)
 *   strbuf_release(&sb);
 *
 * buf is always a NUL-terminated string of len bytes (it may hold NULs
 * of its own when strbuf_add() put them there); before anything is added
 * it is a shared empty string, never NULL (a zeroed struct strbuf is empty
 * too, with buf NULL until the first add). The caller owns what
 * strbuf_detach() returns. Out of memory prints a message and aborts, as
 * arena_alloc() does: no caller could report it usefully. */
#ifndef STUCKSCOPE_BASE_STRBUF_H
#define STUCKSCOPE_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;		/* bytes allocated for buf; 0: buf is not ours */
	size_t len;		/* bytes used, not counting the NUL after them */
	char *buf;
};

extern const char strbuf_empty[1];
#define STRBUF_INIT { 0, 0, (char *)strbuf_empty }

/* Empty, with room for hint bytes (0: allocate nothing yet). */
void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the contents; sb is empty and usable again. */
void strbuf_release(struct strbuf *sb);
/* The string, for the caller to free() (never NULL); sb is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Room for `extra` more bytes (and the NUL) without another allocation. */
void strbuf_grow(struct strbuf *sb, size_t extra);
/* Cut to len (<= sb->len) bytes, keeping the allocation. */
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
