/* test_report_html.c — the HTML writer on small analyses: the wait-for graph
 * when mutex owners are known (a cycle drawn in red), hostile strings never
 * reaching the page raw, a page with nothing in it still whole, the same
 * analysis giving the same bytes. The real samples are checked by
 * tests/html/check.py and tests/html/browser.py. */
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "report/report.h"

static char dir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_dir(void)
{
	static const char *const names[] = { "gdb-500.txt", "ss-hostile.txt", NULL };
	char path[512];
	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static struct analysis *analyze_dir(void)
{
	struct analysis *an = read_file_input(dir);
	analysis_diagnose(an);
	return an;
}

/* noinline: gcc 12 otherwise takes the page for a pointer to the local
 * `buf` (-Wdangling-pointer false positive with open_memstream) */
__attribute__((noinline)) static char *render(const struct analysis *an, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	report_html_write(f, an);
	fclose(f);
	return buf;
}

static struct thread *find_thread(struct analysis *an, int32_t pid, int32_t tid)
{
	struct process *p = incident_process(&an->inc, pid, false);
	assert_non_null(p);
	for (size_t i = 0; i < p->threads.n; i++)
		if (p->threads.v[i].tid == tid)
			return &p->threads.v[i];
	fail_msg("no thread %d", tid);
	return NULL;
}

static const char gdb_dump[] =
	"2026-11-25T18:59:15.027Z\n"
	"Thread 3 (Thread 0x7f0000000300 (LWP 502) \"flusher\"):\n"
	"#0  __lll_lock_wait (futex=0x5555555550a0, private=0) at ./nptl/lowlevellock.c:49\n"
	"#1  0x00007f0000000100 in ___pthread_mutex_lock (mutex=0x5555555550a0) at "
	"./nptl/pthread_mutex_lock.c:93\n"
	"#2  0x0000555555554100 in flusher_main (arg=0x0) at srv.c:40\n"
	"\n"
	"Thread 2 (Thread 0x7f0000000200 (LWP 501) \"handler-1\"):\n"
	"#0  __lll_lock_wait (futex=0x5555555550a0, private=0) at ./nptl/lowlevellock.c:49\n"
	"#1  0x00007f0000000100 in ___pthread_mutex_lock (mutex=0x5555555550a0) at "
	"./nptl/pthread_mutex_lock.c:93\n"
	"#2  0x0000555555554200 in account_hit (n=1) at srv.c:80\n"
	"\n"
	"Thread 1 (Thread 0x7f0000000100 (LWP 500) \"handler-0\"):\n"
	"#0  __lll_lock_wait (futex=0x5555555550c8, private=0) at ./nptl/lowlevellock.c:49\n"
	"#1  0x00007f0000000100 in ___pthread_mutex_lock (mutex=0x5555555550c8) at "
	"./nptl/pthread_mutex_lock.c:93\n"
	"#2  0x0000555555554300 in stats_add (n=1) at srv.c:120\n";

static void test_waitfor_graph(void **state)
{
	(void)state;
	write_file("gdb-500.txt", gdb_dump);
	struct analysis *an = analyze_dir();
	size_t len;
	char *page = render(an, &len);
	assert_null(strstr(page, "id=\"waitfor\""));	/* no owner known: no graph */
	free(page);
	/* 500 and 501 wait on each other (a deadlock); 502 waits on 501 */
	find_thread(an, 500, 500)->lock_owner_tid = 501;
	find_thread(an, 500, 501)->lock_owner_tid = 500;
	find_thread(an, 500, 502)->lock_owner_tid = 501;
	page = render(an, &len);
	assert_non_null(strstr(page, "id=\"waitfor\""));
	assert_non_null(strstr(page, "data-chart=\"waitfor\""));
	assert_non_null(strstr(page, "<title>500 waits for 501</title>"));
	assert_non_null(strstr(page, "<title>501 waits for 500</title>"));
	assert_non_null(strstr(page, "<title>502 waits for 501</title>"));
	/* the cycle is red, the edge into it is not */
	const char *e = strstr(page, "<title>500 waits for 501</title>");
	const char *line = e;
	while (line > page && strncmp(line, "<path", 5) != 0)
		line--;
	assert_true(strstr(line, "wf-arrow-red") && strstr(line, "wf-arrow-red") < e);
	e = strstr(page, "<title>502 waits for 501</title>");
	line = e;
	while (line > page && strncmp(line, "<path", 5) != 0)
		line--;
	const char *red = strstr(line, "wf-arrow-red");
	assert_true(!red || red > e);
	/* stack frames with file:line */
	assert_non_null(strstr(page, "srv.c:80"));
	const char *dump = getenv("HTML_TEST_DUMP");	/* to look at it in a browser */
	if (dump && *dump) {
		FILE *out = fopen(dump, "w");
		if (out) {
			fwrite(page, 1, len, out);
			fclose(out);
		}
	}
	free(page);
	analysis_free(an);
	char path[512];
	snprintf(path, sizeof(path), "%s/gdb-500.txt", dir);
	unlink(path);
}

static void test_hostile_strings(void **state)
{
	(void)state;
	char big[12000];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *ss = NULL;
	size_t sslen = 0;
	FILE *f = open_memstream(&ss, &sslen);
	assert_non_null(f);
	fputs("State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n", f);
	fprintf(f, "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:* users:((\"<script>alert(1)</script>\","
		   "pid=10,fd=3),(\"a\\\"b'\x1b[31mred\",pid=11,fd=3),(\"bad\xff\xfe\xc0\xaf\","
		   "pid=12,fd=3),(\"%s\",pid=13,fd=3),(\"c1\xc2\x9b rlo\xe2\x80\xae\",pid=14,fd=3))\n",
		big);
	for (int i = 0; i < 4; i++)
		fprintf(f, "CLOSE-WAIT 1 0 127.0.0.1:8000 127.0.0.1:5000%d users:((\"<script>"
			   "alert(1)</script>\",pid=10,fd=%d))\n", i, i + 4);
	fclose(f);
	write_file("ss-hostile.txt", ss);
	free(ss);
	struct analysis *an = analyze_dir();
	/* names no line-based input can carry: newlines, CR, NUL-free markup */
	struct process *p11 = incident_process(&an->inc, 11, false);
	assert_non_null(p11);
	p11->comm = "two\nlines\r<i>x</i>";
	size_t len;
	char *page = render(an, &len);
	assert_null(strstr(page, "<i>x"));
	assert_non_null(strstr(page, "two\xef\xbf\xbdlines\xef\xbf\xbd&lt;i&gt;x&lt;/i&gt;"));
	assert_null(strstr(page, "<script>alert"));
	assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strchr(page, '\x1b'));
	assert_null(strstr(page, "\xff"));
	assert_null(strstr(page, "\xc2\x9b"));
	assert_null(strstr(page, "\xe2\x80\xae"));
	assert_null(strstr(page, "\"b'"));
	char run[201];
	memset(run, 'A', 200);
	run[200] = '\0';
	assert_null(strstr(page, run));
	/* no script element at all, and the policy that forbids them */
	assert_null(strstr(page, "<script"));
	assert_non_null(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" "
				     "content=\"default-src 'none'; style-src 'unsafe-inline'\">"));
	/* control bytes: only newlines */
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)page[i] >= 0x20 || page[i] == '\n');
	/* deterministic */
	size_t len2;
	char *again = render(an, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(page, again, len);
	free(again);
	free(page);
	analysis_free(an);
	char path[512];
	snprintf(path, sizeof(path), "%s/ss-hostile.txt", dir);
	unlink(path);
}

static void test_empty_analysis(void **state)
{
	(void)state;
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_read_inputs(an);
	analysis_diagnose(an);
	size_t len;
	char *page = render(an, &len);
	static const char *const ids[] = { "verdict", "chain", "timeline", "findings", "evidence",
					   "workers", "stacks", "inputs", "checked", NULL };
	for (size_t i = 0; ids[i]; i++) {
		char want[64];
		snprintf(want, sizeof(want), "id=\"%s\"", ids[i]);
		assert_non_null(strstr(page, want));
	}
	assert_non_null(strstr(page, "No time-stamped evidence"));
	assert_non_null(strstr(page, "</html>\n"));
	free(page);
	analysis_free(an);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/stk-test-html-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	remove_dir();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waitfor_graph),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_empty_analysis),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
