/* cursor.h — bounded reading of a buffer the parser does not own.
 *
 * `struct textcur` hands out one line at a time as a `struct span`
 * (pointer + length, never NUL-terminated, never read past `end`).
 * Lengths are compared as `end - p < n`, never `p + n > end`, which can
 * wrap. */
#ifndef STUCKSCOPE_CURSOR_H
#define STUCKSCOPE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct span {
	const char *p;
	size_t n;
};

static inline struct span span_make(const char *p, size_t n)
{
	struct span s = { p, n };
	return s;
}

static inline struct span span_cstr(const char *s)
{
	return span_make(s, strlen(s));
}

struct textcur {
	const char *base, *p, *end;
	const char *file;
	uint32_t line;		/* number of the line last returned, 1-based */
	size_t max_line;	/* lines longer than this are cut (and flagged) */
	bool cut;		/* the last line returned was cut */
	bool has_nul;		/* the last line returned contained a NUL byte */
};

static inline void textcur_init(struct textcur *c, const char *buf, size_t len, const char *file)
{
	c->base = c->p = buf;
	c->end = buf + len;
	c->file = file;
	c->line = 0;
	c->max_line = 1 << 20;
	c->cut = false;
	c->has_nul = false;
}

/* Next line without its "\n" or "\r\n". False at end of buffer. */
static inline bool textcur_next(struct textcur *c, struct span *out)
{
	if (c->p >= c->end)
		return false;
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	const char *stop = nl ? nl : c->end;
	size_t n = (size_t)(stop - c->p);
	out->p = c->p;
	c->p = nl ? nl + 1 : c->end;
	c->line++;
	if (n && out->p[n - 1] == '\r')
		n--;
	c->cut = n > c->max_line;
	if (c->cut)
		n = c->max_line;
	out->n = n;
	c->has_nul = memchr(out->p, '\0', n) != NULL;
	return true;
}

static inline int64_t textcur_offset(const struct textcur *c, const struct span *s)
{
	return (int64_t)(s->p - c->base);
}

static inline bool span_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static inline struct span span_trim(struct span s)
{
	while (s.n && span_is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && span_is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Split off the next whitespace-separated token from *rest. */
static inline bool span_token(struct span *rest, struct span *tok)
{
	size_t i = 0;
	while (i < rest->n && span_is_space(rest->p[i]))
		i++;
	if (i == rest->n) {
		rest->p += i;
		rest->n = 0;
		return false;
	}
	size_t j = i;
	while (j < rest->n && !span_is_space(rest->p[j]))
		j++;
	tok->p = rest->p + i;
	tok->n = j - i;
	rest->p += j;
	rest->n -= j;
	return true;
}

static inline bool span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

static inline bool span_starts(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static inline bool span_contains(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (n == 0)
		return true;
	for (size_t i = 0; i + n <= s.n; i++)
		if (s.p[i] == lit[0] && memcmp(s.p + i, lit, n) == 0)
			return true;
	return false;
}

/* Decimal unsigned, whole span, no sign, overflow-checked. */
static inline bool span_u64(struct span s, uint64_t *out)
{
	if (s.n == 0 || s.n > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';
		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static inline bool span_u32(struct span s, uint32_t *out)
{
	uint64_t v;
	if (!span_u64(s, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Decimal, optional leading '-' (nstat -s increments, deltas). */
static inline bool span_i64(struct span s, int64_t *out)
{
	bool neg = s.n && s.p[0] == '-';
	uint64_t v;
	if (neg) {
		s.p++;
		s.n--;
	}
	if (!span_u64(s, &v) || v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static inline bool span_hex_u64(struct span s, uint64_t *out)
{
	if (s.n >= 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
		s.p += 2;
		s.n -= 2;
	}
	if (s.n == 0 || s.n > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i];
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

#endif
