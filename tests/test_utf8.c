/* test_utf8.c — base/utf8.c: the one UTF-8 decoder and encoder. Rows of
 * sequences, hostile ones beside good ones (overlongs, surrogates, values
 * past U+10FFFF, sequences cut by the length); every 1- to 3-byte input
 * checked against the grammar of RFC 3629 section 4; every code point
 * through the encoder and back; and json_escape() over the bad rows. */
#include "testutil.h"

#include "base/json.h"
#include "base/utf8.h"

static const struct utf8_case {
	const char *bytes;
	size_t n;		/* bytes the decoder may read; 0: strlen */
	size_t len;		/* expected length, 0 invalid */
	uint32_t cp;
} cases[] = {
	{ "A", 0, 1, 'A' },
	{ "\x7f", 0, 1, 0x7f },
	{ "", 1, 1, 0 },			/* NUL is a sequence; C strings stop there */
	{ "\xc2\x80", 0, 2, 0x80 },		/* the smallest of each length */
	{ "\xe0\xa0\x80", 0, 3, 0x800 },
	{ "\xf0\x90\x80\x80", 0, 4, 0x10000 },
	{ "\xdf\xbf", 0, 2, 0x7ff },		/* the largest of each length */
	{ "\xef\xbf\xbf", 0, 3, 0xffff },
	{ "\xf4\x8f\xbf\xbf", 0, 4, 0x10ffff },
	{ "\xc3\xa9t\xc3\xa9", 0, 2, 0xe9 },	/* "été": only the first is read */
	{ "\xe2\x82\xac", 0, 3, 0x20ac },	/* EURO SIGN */
	{ "\xf0\x9f\x98\x80", 0, 4, 0x1f600 },
	{ "\xed\x9f\xbf", 0, 3, 0xd7ff },	/* either side of the surrogates */
	{ "\xee\x80\x80", 0, 3, 0xe000 },
	{ "\xef\xbf\xbd", 0, 3, 0xfffd },
	{ "\xe2\x80\xae", 0, 3, 0x202e },	/* RLO: valid UTF-8; hiding it is the writer's */

	/* overlong forms (RFC 3629 section 10) */
	{ "\xc0\x80", 0, 0, 0 },		/* "modified UTF-8" NUL */
	{ "\xc0\xaf", 0, 0, 0 },		/* '/' */
	{ "\xc1\xbf", 0, 0, 0 },
	{ "\xe0\x80\x80", 0, 0, 0 },
	{ "\xe0\x80\xaf", 0, 0, 0 },
	{ "\xe0\x9f\xbf", 0, 0, 0 },
	{ "\xf0\x80\x80\x80", 0, 0, 0 },
	{ "\xf0\x80\x80\xaf", 0, 0, 0 },
	{ "\xf0\x8f\xbf\xbf", 0, 0, 0 },
	/* surrogates (CESU-8, or a lone half) */
	{ "\xed\xa0\x80", 0, 0, 0 },
	{ "\xed\xad\xbf", 0, 0, 0 },
	{ "\xed\xb0\x80", 0, 0, 0 },
	{ "\xed\xbf\xbf", 0, 0, 0 },
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, 0, 0 },	/* U+1F600 as a surrogate pair */
	/* past U+10FFFF, and the 5- and 6-byte forms of RFC 2279 */
	{ "\xf4\x90\x80\x80", 0, 0, 0 },
	{ "\xf7\xbf\xbf\xbf", 0, 0, 0 },
	{ "\xf8\x88\x80\x80\x80", 0, 0, 0 },
	{ "\xfc\x84\x80\x80\x80\x80", 0, 0, 0 },
	{ "\xfe", 0, 0, 0 },
	{ "\xff", 0, 0, 0 },
	/* continuation bytes alone, and missing */
	{ "\x80", 0, 0, 0 },
	{ "\xbf", 0, 0, 0 },
	{ "\xc3" "A", 0, 0, 0 },
	{ "\xc3\xc3\xa9", 0, 0, 0 },
	{ "\xe2\x82" "A", 0, 0, 0 },
	{ "\xf0\x9f\x98" "A", 0, 0, 0 },
	{ "\xf0\x9f\x98\xc0", 0, 0, 0 },
	/* cut by the length: the bytes past n are never read */
	{ "\xf0\x9f\x98\x80", 3, 0, 0 },
	{ "\xf0\x9f\x98\x80", 2, 0, 0 },
	{ "\xf0\x9f\x98\x80", 1, 0, 0 },
	{ "\xe2\x82\xac", 2, 0, 0 },
	{ "\xc3\xa9", 1, 0, 0 },
	{ "", 0, 0, 0 },			/* n = strlen = 0: nothing to read */
};

static void test_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct utf8_case *c = &cases[i];
		size_t n = c->n ? c->n : strlen(c->bytes);
		/* exactly n bytes, so the sanitizer sees a read past them */
		unsigned char *buf = malloc(n + 1);
		assert_non_null(buf);
		memcpy(buf, c->bytes, n);
		uint32_t cp = 0xdeadbeef;
		size_t len = utf8_decode(buf, n, &cp);
		if (len != c->len || (len && cp != c->cp) || (!len && cp != 0xdeadbeef))
			fail_msg("case %zu: len %zu cp U+%04X, want %zu U+%04X", i, len, (unsigned)cp,
				 c->len, (unsigned)c->cp);
		free(buf);
	}
}

/* RFC 3629 section 4, written as the grammar says it. */
static size_t rfc3629_len(const unsigned char *s, size_t n)
{
#define IN(b, lo, hi) ((b) >= (lo) && (b) <= (hi))
#define TAIL(b) IN(b, 0x80, 0xbf)
	if (n >= 1 && s[0] <= 0x7f)
		return 1;
	if (n >= 2 && IN(s[0], 0xc2, 0xdf) && TAIL(s[1]))
		return 2;
	if (n >= 3 && ((s[0] == 0xe0 && IN(s[1], 0xa0, 0xbf) && TAIL(s[2])) ||
		       (IN(s[0], 0xe1, 0xec) && TAIL(s[1]) && TAIL(s[2])) ||
		       (s[0] == 0xed && IN(s[1], 0x80, 0x9f) && TAIL(s[2])) ||
		       (IN(s[0], 0xee, 0xef) && TAIL(s[1]) && TAIL(s[2]))))
		return 3;
	if (n >= 4 && ((s[0] == 0xf0 && IN(s[1], 0x90, 0xbf) && TAIL(s[2]) && TAIL(s[3])) ||
		       (IN(s[0], 0xf1, 0xf3) && TAIL(s[1]) && TAIL(s[2]) && TAIL(s[3])) ||
		       (s[0] == 0xf4 && IN(s[1], 0x80, 0x8f) && TAIL(s[2]) && TAIL(s[3]))))
		return 4;
	return 0;
#undef TAIL
#undef IN
}

/* Every 3-byte input, read as 1, 2 and 3 bytes; 4-byte ones over every
 * lead and second byte with the edges of the last two. */
static void test_grammar(void **state)
{
	(void)state;
	unsigned char b[4];
	uint32_t cp;
	for (unsigned x = 0; x < 256; x++)
		for (unsigned y = 0; y < 256; y++)
			for (unsigned z = 0; z < 256; z++) {
				b[0] = (unsigned char)x;
				b[1] = (unsigned char)y;
				b[2] = (unsigned char)z;
				for (size_t n = 1; n <= 3; n++)
					if (utf8_decode(b, n, &cp) != rfc3629_len(b, n))
						fail_msg("%02x %02x %02x n %zu", x, y, z, n);
			}
	static const unsigned char edge[] = { 0x00, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0, 0xff };
	for (unsigned x = 0xc0; x < 256; x++)
		for (unsigned y = 0; y < 256; y++)
			for (size_t i = 0; i < sizeof(edge); i++)
				for (size_t j = 0; j < sizeof(edge); j++) {
					b[0] = (unsigned char)x;
					b[1] = (unsigned char)y;
					b[2] = edge[i];
					b[3] = edge[j];
					if (utf8_decode(b, 4, &cp) != rfc3629_len(b, 4))
						fail_msg("%02x %02x %02x %02x", x, y, b[2], b[3]);
				}
}

/* Every scalar value encodes to the shortest form and decodes back; what
 * is not a scalar value becomes U+FFFD. */
static void test_encode(void **state)
{
	(void)state;
	char out[UTF8_MAX];
	uint32_t cp;
	for (uint32_t v = 0; v <= 0x10ffff; v++) {
		if (v >= 0xd800 && v <= 0xdfff)
			continue;
		size_t n = utf8_encode(v, out);
		size_t want = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
		if (n != want || utf8_decode((const unsigned char *)out, n, &cp) != n || cp != v)
			fail_msg("U+%04X: %zu bytes", (unsigned)v, n);
	}
	static const uint32_t bad[] = { 0xd800, 0xdbff, 0xdc00, 0xdfff, 0x110000, 0x7fffffff,
					0xffffffff };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(utf8_encode(bad[i], out), 3);
		assert_memory_equal(out, "\xef\xbf\xbd", 3);
	}
}

/* The JSON writer keeps valid sequences and writes every byte of an
 * invalid one as \u00NN, so its output is always valid JSON. */
static const struct json_case {
	const char *in, *out;
} json_cases[] = {
	{ "plain", "plain" },
	{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
	{ "\xc0\xaf", "\\u00c0\\u00af" },
	{ "\xed\xa0\x80", "\\u00ed\\u00a0\\u0080" },
	{ "\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080" },
	{ "\xf0\x9f\x98", "\\u00f0\\u009f\\u0098" },	/* cut at the end of the string */
	{ "a\xffz", "a\\u00ffz" },
	{ "q\"\\\n\t\x01\x7f", "q\\\"\\\\\\n\\t\\u0001\\u007f" },
};

static void test_json_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		json_escape(f, json_cases[i].in);
		fclose(f);
		if (strcmp(buf, json_cases[i].out) != 0)
			fail_msg("json case %zu: '%s'", i, buf);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_json_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
