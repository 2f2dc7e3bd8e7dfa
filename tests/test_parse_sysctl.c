/* test_parse_sysctl.c — sysctl -a / sysctl NAME / grep -r . /proc/sys
 * output (analyzer/parse_sysctl.c). */
#include "testutil.h"

#include <dirent.h>
#include <math.h>

static void assert_sysctl(const struct analysis *an, const char *name, const char *want)
{
	const struct sysctl *s = incident_sysctl(&an->inc, name);
	if (!s)
		fail_msg("sysctl %s not found", name);
	if (strcmp(s->value, want) != 0)
		fail_msg("sysctl %s = '%s', want '%s'", name, s->value, want);
}

static const struct good_case {
	const char *text;
	const char *name;
	const char *value;
	size_t records;
} good_cases[] = {
	{ "net.core.somaxconn = 4096\n", "net.core.somaxconn", "4096", 1 },
	{ "net.core.somaxconn=4096\n", "net.core.somaxconn", "4096", 1 },
	{ "  net.ipv4.tcp_syncookies   =   1  \r\n", "net.ipv4.tcp_syncookies", "1", 1 },
	/* tabs inside the value are the value */
	{ "net.ipv4.tcp_rmem = 4096\t131072\t6291456\n", "net.ipv4.tcp_rmem",
	  "4096\t131072\t6291456", 1 },
	{ "net.ipv4.ip_local_port_range = 32768\t60999\n", "net.ipv4.ip_local_port_range",
	  "32768\t60999", 1 },
	/* empty value */
	{ "dev.cdrom.info = \n", "dev.cdrom.info", "", 1 },
	/* '=' inside the value */
	{ "kernel.core_pattern = |/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %e\n",
	  "kernel.core_pattern", "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %e", 1 },
	{ "fs.foo = a=b\n", "fs.foo", "a=b", 1 },
	/* grep -r . /proc/sys/net */
	{ "/proc/sys/net/core/somaxconn:4096\n", "net.core.somaxconn", "4096", 1 },
	{ "/proc/sys/net/ipv4/tcp_rmem:4096\t131072\t6291456\n", "net.ipv4.tcp_rmem",
	  "4096\t131072\t6291456", 1 },
	{ "/host/proc/sys/net/ipv4/tcp_abort_on_overflow:0\n", "net.ipv4.tcp_abort_on_overflow", "0",
	  1 },
	/* a dot in a path component is a '/' in the name (procps slashdot()) */
	{ "/proc/sys/net/ipv4/conf/eth0.100/rp_filter:1\n", "net.ipv4.conf.eth0/100.rp_filter", "1",
	  1 },
	{ "net.ipv4.conf.eth0/100.rp_filter = 1\n", "net.ipv4.conf.eth0/100.rp_filter", "1", 1 },
	/* the last of several lines wins (multi-line values print the key per line) */
	{ "dev.cdrom.info = CD-ROM information\ndev.cdrom.info = drive name:\t\tsr0\n",
	  "dev.cdrom.info", "drive name:\t\tsr0", 2 },
	/* sysctl.conf comments */
	{ "# tuned\n; also\nnet.core.somaxconn = 1024\n", "net.core.somaxconn", "1024", 1 },
	/* timestamp line first */
	{ "2026-11-25T18:40:01Z\nnet.core.somaxconn = 128\n", "net.core.somaxconn", "128", 1 },
	/* the tool's own complaints are skipped with an info diag */
	{ "sysctl: permission denied on key 'net.ipv4.tcp_fastopen_key'\nnet.core.somaxconn = 8\n",
	  "net.core.somaxconn", "8", 1 },
	{ "sysctl: unable to open directory \"/proc/sys/fs/binfmt_misc/\"\nnet.core.somaxconn = 8\n",
	  "net.core.somaxconn", "8", 1 },
	{ "grep: /proc/sys/net/ipv4/route/flush: Permission denied\n"
	  "/proc/sys/net/core/somaxconn:8\n", "net.core.somaxconn", "8", 1 },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *gc = &good_cases[i];
		struct analysis *an = parse_text("sysctl", gc->text);
		if (an->inputs.v[0].status != INPUT_OK)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		assert_int_equal(an->inputs.v[0].records, gc->records);
		assert_sysctl(an, gc->name, gc->value);
		const struct sysctl *s = incident_sysctl(&an->inc, gc->name);
		assert_non_null(s->src.text);
		assert_string_equal(s->src.file, "test.txt");
		analysis_free(an);
	}
	/* the error lines leave an info diag each */
	struct analysis *an = parse_text("sysctl",
					 "sysctl: permission denied on key 'kernel.cad_pid'\nkernel.x.y = 1\n");
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	assert_int_equal(an->diags.list.v[0].line, 1);
	analysis_free(an);
}

static void test_host(void **state)
{
	(void)state;
	struct analysis *an = parse_text("sysctl", "kernel.hostname = web1\n"
				       "kernel.osrelease = 5.15.0-91-generic\n");
	assert_string_equal(an->inc.hostname, "web1");
	assert_string_equal(an->inc.kernel, "5.15.0-91-generic");
	int64_t v;
	analysis_free(an);
	an = parse_text("sysctl", "net.core.somaxconn = 4096\n");
	assert_null(an->inc.hostname);
	assert_true(incident_sysctl_i64(&an->inc, "net.core.somaxconn", &v));
	assert_int_equal(v, 4096);
	analysis_free(an);
}

static const struct bad_case {
	const char *text;
	enum diag_code code;
	uint32_t line;
	size_t records;
	enum input_status status;
} bad_cases[] = {
	/* sysctl -n: values nobody can name */
	{ "4096\nnet.core.somaxconn = 1\n", DIAG_BAD_LINE, 1, 1, INPUT_PARTIAL },
	{ "4096\n", DIAG_BAD_LINE, 1, 0, INPUT_ERROR },
	{ "net.core.somaxconn = 1\n= 5\n", DIAG_BAD_LINE, 2, 1, INPUT_PARTIAL },
	{ "net core somaxconn = 1\nnet.core.somaxconn = 1\n", DIAG_BAD_LINE, 1, 1, INPUT_PARTIAL },
	{ "somaxconn = 1\nnet.core.somaxconn = 1\n", DIAG_BAD_LINE, 1, 1, INPUT_PARTIAL },
	{ "/proc/sys/:1\nnet.core.somaxconn = 1\n", DIAG_BAD_LINE, 1, 1, INPUT_PARTIAL },
	{ "sysctl: permission denied on key 'a.b'\n", DIAG_SKIPPED, 1, 0, INPUT_ERROR },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct analysis *an = parse_text("sysctl", bc->text);
		if (count_diags(an, bc->code) != 1)
			fail_msg("case %zu: %zu diags of code %d", i, count_diags(an, bc->code),
				 bc->code);
		for (size_t k = 0; k < an->diags.list.n; k++)
			if (an->diags.list.v[k].code == bc->code &&
			    an->diags.list.v[k].line != bc->line)
				fail_msg("case %zu: diag on line %u, want %u", i,
					 an->diags.list.v[k].line, bc->line);
		assert_int_equal(an->inputs.v[0].records, bc->records);
		if (an->inputs.v[0].status != bc->status)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		analysis_free(an);
	}
}

/* shared/corpus/sysctl/sos-rhcos42-kernel-4.18-sysctl-a.txt: 1003 lines,
 * one of them "sysctl: unable to open directory ..." (line 43); values
 * checked with grep. */
static void test_corpus(void **state)
{
	(void)state;
	char path[4096];
	struct analysis *an = parse_file_as(
		"sysctl",
		shared_path(path, sizeof(path), "corpus/sysctl/sos-rhcos42-kernel-4.18-sysctl-a.txt"));
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(an->inputs.v[0].records, 1002);
	assert_int_equal(an->diags.list.n, 1);
	assert_int_equal(an->diags.list.v[0].code, DIAG_SKIPPED);
	assert_int_equal(an->diags.list.v[0].line, 43);
	assert_sysctl(an, "net.core.somaxconn", "128");
	assert_sysctl(an, "net.ipv4.tcp_max_syn_backlog", "256");
	assert_sysctl(an, "net.ipv4.tcp_syncookies", "1");
	assert_sysctl(an, "net.ipv4.tcp_abort_on_overflow", "0");
	assert_sysctl(an, "net.ipv4.tcp_rmem", "4096\t87380\t6291456");
	assert_sysctl(an, "dev.cdrom.info", "");	/* its last line is empty */
	assert_string_equal(an->inc.hostname, "localhost.localdomain");
	assert_string_equal(an->inc.kernel, "4.18.0-80.11.2.el8_0.x86_64");
	const struct sysctl *s = incident_sysctl(&an->inc, "net.core.somaxconn");
	assert_int_equal(s->src.line, 273);	/* grep -n somaxconn */
	assert_string_equal(s->src.text, "net.core.somaxconn = 128");
	analysis_free(an);

	an = read_file_input(
		shared_path(path, sizeof(path), "corpus/sysctl/sos-rhcos42-kernel-4.18-sysctl-a.txt"));
	assert_string_equal(an->inputs.v[0].kind, "sysctl");
	assert_int_equal(an->inputs.v[0].records, 1002);
	analysis_free(an);
}

/* tests/data/counters/sysctl-a.txt: `sysctl -a` inside the recording
 * namespace (record.sh); values from grep. */
static void test_recorded(void **state)
{
	(void)state;
	struct analysis *an = parse_file_as("sysctl", "tests/data/counters/sysctl-a.txt");
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(an->diags.list.n, 0);
	assert_sysctl(an, "net.core.somaxconn", "4096");
	assert_sysctl(an, "net.ipv4.tcp_syncookies", "1");
	assert_sysctl(an, "net.ipv4.tcp_abort_on_overflow", "0");
	assert_sysctl(an, "net.ipv4.tcp_max_syn_backlog", "2048");
	assert_sysctl(an, "net.ipv4.tcp_rmem", "4096\t131072\t33554432");
	assert_non_null(an->inc.kernel);
	analysis_free(an);
}

static void test_direct(void **state)
{
	(void)state;
	struct analysis an;
	analysis_init(&an);
	static const char text[] = "net.core.somaxconn = 4096";
	/* not NUL-terminated: the buffer ends inside the value */
	struct input in = { .path = "x", .display = "x", .buf = text, .len = sizeof(text) - 3,
			    .at = NAN };
	assert_int_equal(sysctl_parse(&an, &in), 0);
	assert_int_equal(in.records, 1);
	assert_string_equal(incident_sysctl(&an.inc, "net.core.somaxconn")->value, "40");
	analysis_release(&an);
}

/* Inputs the fuzz harness (tests/fuzz/fuzz_parse_*.c) once crashed on,
 * kept as tests/fuzz/crashers/sysctl-*: parsed without a crash. */
static void test_crashers(void **state)
{
	(void)state;
	replay_crashers("sysctl-", "sysctl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_crashers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
