/* utf8.h — one UTF-8 decoder and one encoder (RFC 3629), for every writer
 * that validates what it prints (JSON, text and HTML reports) and every
 * probe that builds text from code points (Python str objects). */
#ifndef STUCKSCOPE_BASE_UTF8_H
#define STUCKSCOPE_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_MAX 4		/* bytes of the longest sequence */
#define UTF8_REPLACEMENT_CHAR 0xfffdu

/* Length (1 to 4) of the valid UTF-8 sequence that starts at p, reading at
 * most n bytes, and its code point in *cp; 0 when there is none: n is 0, a
 * bad lead or continuation byte, a sequence cut by n, an overlong form, a
 * surrogate (U+D800..U+DFFF) or a value past U+10FFFF (RFC 3629 section 3).
 * A NUL byte is a valid 1-byte sequence: a caller with a C string stops
 * there itself. *cp is left alone when 0 is returned. */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/* The UTF-8 of cp into out (room for UTF8_MAX bytes); the number of bytes
 * written. What is not a Unicode scalar value (a surrogate, past U+10FFFF)
 * is written as U+FFFD, so the output is always valid UTF-8. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
