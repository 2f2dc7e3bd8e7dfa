/* test_parse_proc_net_snmp.c — /proc/net/netstat, /proc/net/snmp and
 * /proc/net/snmp6 (analyzer/parse_proc_net_snmp.c). */
#include "testutil.h"

#include <dirent.h>
#include <math.h>

static const struct counter_snapshot *only_snap(const struct analysis *an)
{
	assert_int_equal(an->inc.counter_snaps.n, 1);
	return an->inc.counter_snaps.v[0];
}

static void assert_counter(const struct analysis *an, const char *name, int64_t want)
{
	const struct counter *c = counter_snapshot_find(only_snap(an), name);
	if (!c)
		fail_msg("counter %s not found", name);
	if (c->value != want)
		fail_msg("counter %s = %lld, want %lld", name, (long long)c->value, (long long)want);
}

static const struct good_case {
	const char *kind;
	const char *text;
	const char *name;
	int64_t value;
	size_t records;
} good_cases[] = {
	{ "proc-net-netstat",
	  "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 1 12 13\n",
	  "ListenOverflows", 12, 3 },
	{ "proc-net-netstat", "IpExt: InOctets OutOctets\nIpExt: 6286396970 2786264347\n",
	  "IpExtInOctets", 6286396970LL, 2 },
	{ "proc-net-netstat", "MPTcpExt: MPCapableSYNRX\nMPTcpExt: 5\n",
	  "MPTcpExtMPCapableSYNRX", 5, 1 },
	/* TcpExt fields are bare even when they begin with "Tcp" */
	{ "proc-net-netstat", "TcpExt: TcpTimeoutRehash\nTcpExt: 12\n", "TcpTimeoutRehash", 12,
	  1 },
	/* Tcp MaxConn is signed: -1 */
	{ "proc-net-snmp",
	  "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens\nTcp: 1 200 120000 -1 3556\n",
	  "TcpMaxConn", -1, 5 },
	{ "proc-net-snmp", "IcmpMsg: InType3 OutType3\nIcmpMsg: 104 120\n", "IcmpMsgOutType3",
	  120, 2 },
	/* blank line inside, CRLF, extra spaces */
	{ "proc-net-snmp", "Udp:  InDatagrams   NoPorts\r\n\r\nUdp:  88542  120\r\n",
	  "UdpNoPorts", 120, 2 },
	/* snmp6 */
	{ "proc-net-snmp", "Ip6InReceives                   \t92166\n", "Ip6InReceives", 92166,
	  1 },
	/* the two files concatenated: both kinds read everything */
	{ "proc-net-snmp", "Tcp: RetransSegs\nTcp: 7\nTcpExt: ListenDrops\nTcpExt: 3\n",
	  "ListenDrops", 3, 2 },
	{ "proc-net-netstat", "Tcp: RetransSegs\nTcp: 7\nTcpExt: ListenDrops\nTcpExt: 3\n",
	  "TcpRetransSegs", 7, 2 },
	/* timestamp line first */
	{ "proc-net-netstat", "2026-11-25 18:40:01\nTcpExt: ListenDrops\nTcpExt: 3\n",
	  "ListenDrops", 3, 1 },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *gc = &good_cases[i];
		struct analysis *an = parse_text(gc->kind, gc->text);
		if (an->inputs.v[0].status != INPUT_OK)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		assert_int_equal(an->inputs.v[0].records, gc->records);
		assert_counter(an, gc->name, gc->value);
		const struct counter_snapshot *s = only_snap(an);
		assert_false(s->increments);
		assert_int_equal(s->source, strcmp(gc->kind, "proc-net-netstat") == 0 ? CNTSRC_PROC_NETSTAT
									: CNTSRC_PROC_SNMP);
		const struct counter *c = counter_snapshot_find(s, gc->name);
		assert_non_null(c->src.text);
		assert_true(c->src.line >= 1);
		analysis_free(an);
	}
	/* evidence text names the column, the line is the values line */
	struct analysis *an = parse_text("proc-net-netstat",
					 "TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 0 12\n");
	const struct counter *c = counter_snapshot_find(only_snap(an), "ListenOverflows");
	assert_string_equal(c->src.text, "TcpExt: ListenOverflows 12");
	assert_int_equal(c->src.line, 2);
	analysis_free(an);
	/* the timestamp line dates the snapshot */
	an = parse_text("proc-net-netstat", "2026-11-25T18:40:01Z\nTcpExt: ListenDrops\nTcpExt: 3\n");
	assert_false(isnan(only_snap(an)->at));
	assert_int_equal(only_snap(an)->at_src, TIME_CONTENT);
	analysis_free(an);
}

static const struct bad_case {
	const char *kind;
	const char *text;
	enum diag_code code;
	uint32_t line;
	size_t records;
	enum input_status status;
} bad_cases[] = {
	/* more names than values: what matches is kept, the diag names the line */
	{ "proc-net-netstat", "TcpExt: A B C\nTcpExt: 1 2\n", DIAG_BAD_LINE, 2, 2, INPUT_PARTIAL },
	{ "proc-net-netstat", "TcpExt: A B\nTcpExt: 1 2 3\n", DIAG_BAD_LINE, 2, 2, INPUT_PARTIAL },
	/* a bad value: the others in the line are kept */
	{ "proc-net-netstat", "TcpExt: A B C\nTcpExt: 1 x 3\n", DIAG_BAD_NUMBER, 2, 2,
	  INPUT_PARTIAL },
	{ "proc-net-netstat", "TcpExt: A B\nTcpExt: 1 -\n", DIAG_BAD_NUMBER, 2, 1, INPUT_PARTIAL },
	/* a names line without values (file cut), then a good pair */
	{ "proc-net-netstat", "TcpExt: A B\nIpExt: C\nIpExt: 4\n", DIAG_TRUNCATED, 1, 1,
	  INPUT_PARTIAL },
	{ "proc-net-netstat", "IpExt: C\nIpExt: 4\nTcpExt: A B\n", DIAG_TRUNCATED, 3, 1,
	  INPUT_PARTIAL },
	/* values without names */
	{ "proc-net-netstat", "TcpExt: 1 2\nIpExt: C\nIpExt: 4\n", DIAG_BAD_LINE, 1, 1,
	  INPUT_PARTIAL },
	/* a values line for another MIB than the names before it */
	{ "proc-net-snmp", "Tcp: A\nUdp: 1\nUdp: B\nUdp: 2\n", DIAG_TRUNCATED, 1, 1,
	  INPUT_PARTIAL },
	/* ttar metadata left in procfs-proc-net-snmp6.txt ("Mode: 644") */
	{ "proc-net-snmp", "Ip6InReceives 5\nMode: 644\n", DIAG_BAD_LINE, 2, 1, INPUT_PARTIAL },
	{ "proc-net-snmp", "hello\nIp6InReceives 5\n", DIAG_BAD_LINE, 1, 1, INPUT_PARTIAL },
	{ "proc-net-snmp", "Tcp:\n", DIAG_BAD_LINE, 1, 0, INPUT_ERROR },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct analysis *an = parse_text(bc->kind, bc->text);
		if (count_diags(an, bc->code) != 1)
			fail_msg("case %zu: %zu diags of code %d", i, count_diags(an, bc->code),
				 bc->code);
		for (size_t k = 0; k < an->diags.list.n; k++)
			if (an->diags.list.v[k].code == bc->code &&
			    an->diags.list.v[k].line != bc->line)
				fail_msg("case %zu: diag on line %u, want %u", i,
					 an->diags.list.v[k].line, bc->line);
		if (an->inputs.v[0].records != bc->records)
			fail_msg("case %zu: %llu records", i,
				 (unsigned long long)an->inputs.v[0].records);
		if (an->inputs.v[0].status != bc->status)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		analysis_free(an);
	}
	/* the mismatch keeps the columns that line up */
	struct analysis *an = parse_text("proc-net-netstat", "TcpExt: A B C\nTcpExt: 1 2\n");
	assert_counter(an, "A", 1);
	assert_counter(an, "B", 2);
	assert_null(counter_snapshot_find(only_snap(an), "C"));
	analysis_free(an);
}

/* shared/corpus/proc/: values read with
 * awk 'NR%2==1{split($0,n)} NR%2==0{for(i=2;i<=NF;i++) print n[i], $i}' FILE */
static const struct corpus_case {
	const char *file;
	const char *kind;
	size_t records;
	size_t diags;
	const char *name;
	int64_t value;
} corpus_cases[] = {
	{ "corpus/proc/procfs-proc-net-netstat.txt", "proc-net-netstat", 131, 0, "TCPSynRetrans", 16 },
	{ "corpus/proc/procfs-proc-net-netstat.txt", "proc-net-netstat", 131, 0, "ListenOverflows", 0 },
	{ "corpus/proc/procfs-proc-net-netstat.txt", "proc-net-netstat", 131, 0, "IpExtInOctets",
	  190585481 },
	{ "corpus/proc/node_exporter-proc-net-netstat-old-kernel.txt", "proc-net-netstat", 95, 0,
	  "TCPTimeouts", 115 },
	{ "corpus/proc/node_exporter-proc-net-netstat-old-kernel.txt", "proc-net-netstat", 95, 0,
	  "TCPPrequeued", 80568 },
	{ "corpus/proc/node_exporter-proc-net-netstat-old-kernel.txt", "proc-net-netstat", 95, 0,
	  "IpExtInOctets", 6286396970LL },
	{ "corpus/proc/tcpmon-proc-net-netstat-mptcp.txt", "proc-net-netstat", 201, 0,
	  "TCPSynRetrans", 1031 },
	{ "corpus/proc/tcpmon-proc-net-netstat-mptcp.txt", "proc-net-netstat", 201, 0,
	  "TCPTimeouts", 1173 },
	{ "corpus/proc/tcpmon-proc-net-netstat-mptcp.txt", "proc-net-netstat", 201, 0,
	  "MPTcpExtRcvWndConflict", 0 },
	{ "corpus/proc/node_exporter-proc-net-snmp.txt", "proc-net-snmp", 77, 0, "TcpMaxConn", -1 },
	{ "corpus/proc/node_exporter-proc-net-snmp.txt", "proc-net-snmp", 77, 0, "TcpRetransSegs",
	  227 },
	{ "corpus/proc/procfs-proc-net-snmp.txt", "proc-net-snmp", 79, 0, "TcpCurrEstab", 15 },
	{ "corpus/proc/procfs-proc-net-snmp.txt", "proc-net-snmp", 79, 0, "UdpIgnoredMulti", 58 },
	{ "corpus/proc/tcpmon-proc-net-snmp.txt", "proc-net-snmp", 83, 0, "TcpRetransSegs", 1232 },
	{ "corpus/proc/tcpmon-proc-net-snmp.txt", "proc-net-snmp", 83, 0, "IcmpOutRateLimitHost", 0 },
	{ "corpus/proc/tcpmon-proc-net-snmp.txt", "proc-net-snmp", 83, 0, "UdpMemErrors", 0 },
	/* the last line is ttar's "Mode: 644" */
	{ "corpus/proc/procfs-proc-net-snmp6.txt", "proc-net-snmp", 91, 1, "Ip6InReceives", 92166 },
	{ "corpus/proc/procfs-proc-net-snmp6.txt", "proc-net-snmp", 91, 1, "Icmp6InType134", 111 },
	{ "corpus/proc/procfs-proc-net-snmp6.txt", "proc-net-snmp", 91, 1, "Udp6IgnoredMulti", 12 },
};

static void test_corpus(void **state)
{
	(void)state;
	char path[4096];
	for (size_t i = 0; i < sizeof(corpus_cases) / sizeof(corpus_cases[0]); i++) {
		const struct corpus_case *cc = &corpus_cases[i];
		struct analysis *an = parse_file_as(cc->kind, shared_path(path, sizeof(path), cc->file));
		if (an->inputs.v[0].records != cc->records)
			fail_msg("%s: %llu records", cc->file,
				 (unsigned long long)an->inputs.v[0].records);
		assert_int_equal(an->diags.list.n, cc->diags);
		assert_counter(an, cc->name, cc->value);
		analysis_free(an);
	}
}

/* Content sniffing sends each to one of these two parsers. */
static void test_corpus_sniffed(void **state)
{
	(void)state;
	static const char *const files[] = {
		"corpus/proc/procfs-proc-net-netstat.txt",
		"corpus/proc/node_exporter-proc-net-netstat-old-kernel.txt",
		"corpus/proc/tcpmon-proc-net-netstat-mptcp.txt",
		"corpus/proc/node_exporter-proc-net-snmp.txt",
		"corpus/proc/procfs-proc-net-snmp.txt",
		"corpus/proc/tcpmon-proc-net-snmp.txt",
	};
	char path[4096];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct analysis *an = read_file_input(shared_path(path, sizeof(path), files[i]));
		assert_int_equal(an->inputs.n, 1);
		assert_true(strcmp(an->inputs.v[0].kind, "proc-net-netstat") == 0 ||
			    strcmp(an->inputs.v[0].kind, "proc-net-snmp") == 0);
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		analysis_free(an);
	}
}

/* tests/data/counters/ (record.sh): /proc/net files read at the same moment
 * as nstat -asz in a quiet namespace; each number is
 * `awk '$1 == "NAME" {print $2}' nstat-asz.txt` (nstat names). */
static const struct {
	const char *file;
	const char *kind;
	const char *name;
	int64_t value;
} recorded[] = {
#define NETSTAT "proc-net-netstat"
#define SNMP "proc-net-snmp"
	{ "proc-net-netstat.txt", NETSTAT, "ListenOverflows", 18 },	/* TcpExtListenOverflows 18 */
	{ "proc-net-netstat.txt", NETSTAT, "ListenDrops", 18 },	/* TcpExtListenDrops 18 */
	{ "proc-net-netstat.txt", NETSTAT, "TCPSynRetrans", 12 },	/* TcpExtTCPSynRetrans 12 */
	{ "proc-net-netstat.txt", NETSTAT, "TCPReqQFullDrop", 0 },	/* TcpExtTCPReqQFullDrop 0 */
	{ "proc-net-netstat.txt", NETSTAT, "IpExtInOctets", 1632 },	/* IpExtInOctets 1632 */
	{ "proc-net-snmp.txt", SNMP, "TcpActiveOpens", 8 },	/* TcpActiveOpens 8 */
	{ "proc-net-snmp.txt", SNMP, "TcpRetransSegs", 12 },	/* TcpRetransSegs 12 */
	{ "proc-net-snmp.txt", SNMP, "IpInReceives", 28 },	/* IpInReceives 28 */
	{ "proc-net-snmp.txt", SNMP, "TcpMaxConn", -1 },	/* not in nstat (useless_number()) */
	{ "proc-net-snmp6.txt", SNMP, "Ip6InReceives", 0 },	/* Ip6InReceives 0 */
#undef NETSTAT
#undef SNMP
};

static void test_recorded(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "tests/data/counters/%s", recorded[i].file);
		struct analysis *an = parse_file_as(recorded[i].kind, path);
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		assert_int_equal(an->diags.list.n, 0);
		assert_counter(an, recorded[i].name, recorded[i].value);
		analysis_free(an);
	}
}

/* A "snapshot" with more counters than any kernel has is cut, and said so. */
static void test_limit(void **state)
{
	(void)state;
	size_t n = 5000, size = n * 16 + 64, k = 0;
	char *text = malloc(size);
	assert_non_null(text);
	k += (size_t)snprintf(text + k, size - k, "TcpExt:");
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(text + k, size - k, " C%zu", i);
	k += (size_t)snprintf(text + k, size - k, "\nTcpExt:");
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(text + k, size - k, " %zu", i);
	snprintf(text + k, size - k, "\n");
	struct analysis *an = parse_text("proc-net-netstat", text);
	assert_int_equal(count_diags(an, DIAG_LIMIT), 1);
	assert_int_equal(only_snap(an)->counters.n, 4096);
	assert_counter(an, "C4095", 4095);
	analysis_free(an);
	free(text);
}

static void test_direct(void **state)
{
	(void)state;
	struct analysis an;
	analysis_init(&an);
	static const char text[] = "TcpExt: ListenOverflows\nTcpExt: 12";
	struct input in = { .path = "x", .display = "x", .buf = text, .len = sizeof(text) - 1,
			    .at = NAN };
	assert_int_equal(proc_net_netstat_parse(&an, &in), 0);
	assert_int_equal(in.records, 1);
	/* not NUL-terminated: the buffer ends inside the value */
	struct input in2 = { .path = "y", .display = "y", .buf = text, .len = sizeof(text) - 2,
			     .at = NAN };
	assert_int_equal(proc_net_snmp_parse(&an, &in2), 0);
	assert_int_equal(counter_snapshot_find(an.inc.counter_snaps.v[1], "ListenOverflows")->value, 1);
	analysis_release(&an);
}

/* Inputs the fuzz harness (tests/fuzz/fuzz_parse_*.c) once crashed on,
 * kept as tests/fuzz/crashers/proc-net-snmp-*: parsed without a crash. */
static void test_crashers(void **state)
{
	(void)state;
	replay_crashers("proc-net-snmp-", "proc-net-snmp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_sniffed),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_crashers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
