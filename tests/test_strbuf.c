/* test_strbuf.c — base/strbuf.c: the one growable string. Rows of appends
 * against what snprintf() makes of them; growth past 1 MB; ownership
 * (detach, release, a zeroed struct); and the reason it exists: a
 * finding's text longer than the fixed buffers it used to be cut to. */
#include "testutil.h"

#include "base/strbuf.h"
#include "rules/rule.h"

static void test_empty(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	strbuf_reset(&sb);		/* nothing allocated: nothing written */
	strbuf_setlen(&sb, 5);		/* never longer than it is */
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	strbuf_release(&sb);		/* twice is fine */
	assert_string_equal(sb.buf, "");

	struct strbuf z;		/* zeroed, as in a calloc'd ring slot */
	memset(&z, 0, sizeof(z));
	strbuf_reset(&z);
	strbuf_addstr(&z, "ok");
	assert_string_equal(z.buf, "ok");
	strbuf_release(&z);
	memset(&z, 0, sizeof(z));
	strbuf_release(&z);

	strbuf_init(&sb, 1000);
	assert_true(sb.alloc > 1000);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

/* Each row appended to what the rows before left: the result is what one
 * snprintf() of all of them gives. */
static const struct add_case {
	const char *fmt;
	const char *s;
	long long n;
	const char *want;	/* the whole string after this row */
} add_cases[] = {
	{ "stuck:", NULL, 0, "stuck:" },
	{ " pid %lld", NULL, 4242, "stuck: pid 4242" },
	{ " (%s)", "python3", 0, "stuck: pid 4242 (python3)" },
	{ "%s", "", 0, "stuck: pid 4242 (python3)" },
	{ "", NULL, 0, "stuck: pid 4242 (python3)" },
	{ "; %5lld|%-4s|", "ab", 7, "stuck: pid 4242 (python3);     7|ab  |" },
	{ "%s", "\xc3\xa9\xff", 0, "stuck: pid 4242 (python3);     7|ab  |\xc3\xa9\xff" },
	{ " 100%%", NULL, 0, "stuck: pid 4242 (python3);     7|ab  |\xc3\xa9\xff 100%" },
};

static void test_addf(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(add_cases) / sizeof(add_cases[0]); i++) {
		const struct add_case *c = &add_cases[i];
		if (c->s && strstr(c->fmt, "lld"))
			strbuf_addf(&sb, c->fmt, c->n, c->s);
		else if (c->s)
			strbuf_addf(&sb, c->fmt, c->s);
		else if (strstr(c->fmt, "lld"))
			strbuf_addf(&sb, c->fmt, c->n);
		else
			strbuf_addf(&sb, c->fmt, 0);
		if (strcmp(sb.buf, c->want) != 0 || sb.len != strlen(c->want))
			fail_msg("row %zu: '%s' (%zu bytes)", i, sb.buf, sb.len);
		assert_true(sb.alloc > sb.len);
	}
	strbuf_release(&sb);
}

static void test_add_bytes(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "a\0b", 3);	/* NULs inside are kept, len says how many */
	strbuf_addch(&sb, '\0');
	strbuf_addch(&sb, 'c');
	strbuf_add(&sb, NULL, 0);
	assert_int_equal(sb.len, 5);
	assert_memory_equal(sb.buf, "a\0b\0c", 6);	/* and the NUL after them */
	strbuf_setlen(&sb, 1);
	assert_string_equal(sb.buf, "a");
	size_t alloc = sb.alloc;
	strbuf_reset(&sb);
	assert_int_equal(sb.alloc, alloc);	/* reuse keeps the block */
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s = strbuf_detach(&sb, &len);	/* empty: still the caller's to free */
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	strbuf_addf(&sb, "ino:%d sk:%x", 12, 0xab);
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "ino:12 sk:ab");
	assert_int_equal(len, 12);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "again");	/* usable after */
	assert_string_equal(sb.buf, "again");
	strbuf_release(&sb);
	free(s);
}

/* Growth past 1 MB, by small appends and by one big one. */
static void test_growth(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	size_t want = 0;
	for (int i = 0; want < (3u << 20); i++) {
		strbuf_addf(&sb, "%d,", i);
		char tmp[16];
		want += (size_t)snprintf(tmp, sizeof(tmp), "%d,", i);
		assert_int_equal(sb.len, want);
	}
	assert_int_equal(strlen(sb.buf), sb.len);
	assert_memory_equal(sb.buf, "0,1,2,3,", 8);
	const char *tail = strrchr(sb.buf, ',');
	assert_true(tail == sb.buf + sb.len - 1);
	strbuf_release(&sb);

	size_t big = (5u << 20) + 3;
	char *blob = malloc(big + 1);
	assert_non_null(blob);
	memset(blob, 'x', big);
	blob[big] = '\0';
	strbuf_addch(&sb, '<');
	strbuf_addf(&sb, "%s", blob);	/* one format longer than any buffer so far */
	strbuf_add(&sb, blob, big);
	strbuf_addch(&sb, '>');
	assert_int_equal(sb.len, 2 * big + 2);
	assert_int_equal(sb.buf[0], '<');
	assert_int_equal(sb.buf[big], 'x');
	assert_int_equal(sb.buf[2 * big + 1], '>');
	assert_int_equal(sb.buf[2 * big + 2], '\0');
	strbuf_release(&sb);
	free(blob);
}

/* The healthy rule's detail on a real `ss` output with 100+ listeners is
 * 4 KB: it used to stop at the 1023 bytes of a fixed buffer. */
static void test_finding_not_cut(void **state)
{
	(void)state;
	char path[512];
	struct analysis *an = read_file_input(
		shared_path(path, sizeof(path),
			    "corpus/ss/tcpmon-ss-tanpmi-envoy-reuseport-old-iproute2.txt"));
	analysis_diagnose(an);
	const struct finding *h = NULL;
	for (size_t i = 0; i < an->findings.n; i++)
		if (strcmp(an->findings.v[i]->rule->id, "healthy") == 0)
			h = an->findings.v[i];
	assert_non_null(h);
	assert_true(strlen(h->detail) > 2048);
	/* it ends with the last item checked, whole */
	const char *end = "in the last snapshot)";
	assert_string_equal(h->detail + strlen(h->detail) - strlen(end), end);
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_add_bytes),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_finding_not_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
