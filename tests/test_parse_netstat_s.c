/* test_parse_netstat_s.c — net-tools `netstat -s` sentences back to kernel
 * counter names (analyzer/parse_netstat_s.c). */
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

/* One section, one line: the counter it must give. Old and new net-tools
 * wordings side by side (statistics.c history). */
static const struct line_case {
	const char *text;
	const char *name;
	int64_t value;
} line_cases[] = {
	{ "TcpExt:\n    9107 times the listen queue of a socket overflowed\n", "ListenOverflows", 9107 },
	{ "TcpExt:\n    9107 SYNs to LISTEN sockets dropped\n", "ListenDrops", 9107 },
	{ "TcpExt:\n    5 SYNs to LISTEN sockets ignored\n", "ListenDrops", 5 },	/* net-tools 1.60 */
	{ "TcpExt:\n    3 SYN cookies sent\n", "SyncookiesSent", 3 },
	{ "TcpExt:\n    4 SYN cookies received\n", "SyncookiesRecv", 4 },
	{ "TcpExt:\n    782602 invalid SYN cookies received\n", "SyncookiesFailed", 782602 },
	{ "TcpExt:\n    1742135 other TCP timeouts\n", "TCPTimeouts", 1742135 },
	{ "TcpExt:\n    TCPReqQFullDoCookies: 17\n", "TCPReqQFullDoCookies", 17 },
	{ "TcpExt:\n    TCPReqQFullDrop: 2\n", "TCPReqQFullDrop", 2 },
	{ "TcpExt:\n    TCPSynRetrans: 439\n", "TCPSynRetrans", 439 },
	{ "TcpExt:\n    TcpTimeoutRehash: 12\n", "TcpTimeoutRehash", 12 },	/* a TcpExt field, bare */
	{ "TcpExt:\n    Quick ack mode was activated 892 times\n", "DelayedACKLost", 892 },
	{ "TcpExt:\n    Detected reordering 24 times using FACK\n", "TCPFACKReorder", 24 },
	{ "TcpExt:\n    285 packets rejects in established connections because of timestamp\n",
	  "PAWSEstab", 285 },
	{ "TcpExt:\n    285 packets rejected in established connections because of timestamp\n",
	  "PAWSEstab", 285 },
	{ "TcpExt:\n    1489 packets directly queued to recvmsg prequeue.\n", "TCPPrequeued", 1489 },
	{ "Tcp:\n    60003367 active connections openings\n", "TcpActiveOpens", 60003367 },
	{ "Tcp:\n    54035 active connection openings\n", "TcpActiveOpens", 54035 },
	{ "Tcp:\n    354 passive connection openings\n", "TcpPassiveOpens", 354 },
	{ "Tcp:\n    53223 failed connection attempts\n", "TcpAttemptFails", 53223 },
	{ "Tcp:\n    21 connection resets received\n", "TcpEstabResets", 21 },
	{ "Tcp:\n    13 connections established\n", "TcpCurrEstab", 13 },	/* a gauge */
	{ "Tcp:\n    271654 segments received\n", "TcpInSegs", 271654 },
	{ "Tcp:\n    286045 segments sent out\n", "TcpOutSegs", 286045 },
	{ "Tcp:\n    1424047510 segments send out\n", "TcpOutSegs", 1424047510 },
	{ "Tcp:\n    441 segments retransmitted\n", "TcpRetransSegs", 441 },
	{ "Tcp:\n    4446484 segments retransmited\n", "TcpRetransSegs", 4446484 },
	{ "Tcp:\n    28 bad segments received.\n", "TcpInErrs", 28 },
	{ "Tcp:\n    0 bad segments received\n", "TcpInErrs", 0 },
	{ "Tcp:\n    2743 resets sent\n", "TcpOutRsts", 2743 },
	{ "Ip:\n    Forwarding: 1\n", "IpForwarding", 1 },
	{ "Ip:\n    328107 total packets received\n", "IpInReceives", 328107 },
	{ "Ip:\n    OutTransmits: 28\n", "IpOutTransmits", 28 },
	{ "Udp:\n    IgnoredMulti: 15\n", "UdpIgnoredMulti", 15 },
	{ "Udp:\n    36563515 packets to unknown port received.\n", "UdpNoPorts", 36563515 },
	{ "IpExt:\n    InOctets: 599836950972\n", "IpExtInOctets", 599836950972LL },
	{ "IcmpMsg:\n        InType3: 714\n", "IcmpMsgInType3", 714 },
	{ "MPTcpExt:\n    MPCapableSYNRX: 3\n", "MPTcpExtMPCapableSYNRX", 3 },
	{ "Icmp:\n    ICMP input histogram:\n        echo replies: 321\n", "IcmpInEchoReps", 321 },
	{ "Icmp:\n    ICMP output histogram:\n        echo replies: 8951025\n", "IcmpOutEchoReps",
	  8951025 },
	{ "Icmp:\n    ICMP output histogram:\n        echo request: 512\n", "IcmpOutEchos", 512 },
	/* netstat -s -6 (snmp6 names carry their MIB) */
	{ "Ip6:\n    92166 total packets received\n", "Ip6InReceives", 92166 },
	{ "Icmp6:\n    ICMP input histogram:\n        router advertisement: 111\n",
	  "Icmp6InRouterAdvertisements", 111 },
	{ "Udp6:\n    2016 packets received\n", "Udp6InDatagrams", 2016 },
	/* old net-tools printed some counters with %d */
	{ "Tcp:\n    -5 resets sent\n", "TcpOutRsts", -5 },
	/* CRLF, tabs */
	{ "TcpExt:\r\n\t9 times the listen queue of a socket overflowed\r\n", "ListenOverflows", 9 },
	/* a shell prompt before the output: skipped with an info diag */
	{ "root@web1:~# netstat -s\nTcpExt:\n    7 SYNs to LISTEN sockets dropped\n", "ListenDrops",
	  7 },
};

static void test_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *lc = &line_cases[i];
		struct analysis *an = parse_text("netstat-s", lc->text);
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		assert_int_equal(an->inputs.v[0].records, 1);
		assert_counter(an, lc->name, lc->value);
		const struct counter *c = counter_snapshot_find(only_snap(an), lc->name);
		assert_int_equal(only_snap(an)->source, CNTSRC_NETSTAT_S);
		assert_false(only_snap(an)->increments);
		assert_non_null(c->src.text);
		assert_string_equal(c->src.file, "test.txt");
		assert_true(c->src.line >= 2);
		analysis_free(an);
	}
}

/* Bad input next to good: what must be reported, what must still be read. */
static const struct bad_case {
	const char *text;
	enum diag_code code;
	size_t n_diags;		/* of that code */
	uint32_t line;		/* of the first such diag */
	size_t records;
	enum input_status status;
} bad_cases[] = {
	/* a sentence no net-tools prints: reported once, never invented */
	{ "TcpExt:\n    12 frobnications of the widget\n    3 SYN cookies sent\n",
	  DIAG_UNKNOWN_FIELD, 1, 2, 1, INPUT_OK },
	{ "TcpExt:\n    12 frobnications\n    13 frobnications\n    3 SYN cookies sent\n",
	  DIAG_UNKNOWN_FIELD, 1, 2, 1, INPUT_OK },
	/* the histogram words mean nothing outside their histogram */
	{ "Icmp:\n        echo replies: 321\n    5 ICMP messages sent\n", DIAG_UNKNOWN_FIELD, 1, 2,
	  1, INPUT_OK },
	/* counter line before any section, with no sentence to name it */
	{ "    9 frobnications of the widget\nTcpExt:\n    3 SYN cookies sent\n",
	  DIAG_BAD_LINE, 1, 1, 1, INPUT_PARTIAL },
	/* without a section, a sentence two MIBs print names neither */
	{ "    12 packets received\n    9 times the listen queue of a socket overflowed\n",
	  DIAG_UNKNOWN_FIELD, 1, 1, 1, INPUT_OK },
	/* no number */
	{ "TcpExt:\n    many times the listen queue of a socket overflowed\n    3 SYN cookies sent\n",
	  DIAG_BAD_LINE, 1, 2, 1, INPUT_PARTIAL },
	/* beyond int64 */
	{ "TcpExt:\n    99999999999999999999 times the listen queue of a socket overflowed\n"
	  "    3 SYN cookies sent\n", DIAG_BAD_NUMBER, 1, 2, 1, INPUT_PARTIAL },
	/* text at column 0 that is not a section header */
	{ "Tcp:\n    8 active connection openings\nsomething else here\n", DIAG_BAD_LINE, 1, 3, 1,
	  INPUT_PARTIAL },
	/* nothing at all: the driver says so */
	{ "Tcp:\n", DIAG_UNKNOWN_FORMAT, 1, 0, 0, INPUT_ERROR },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct analysis *an = parse_text("netstat-s", bc->text);
		if (count_diags(an, bc->code) != bc->n_diags)
			fail_msg("case %zu: %zu diags of code %d, want %zu", i,
				 count_diags(an, bc->code), bc->code, bc->n_diags);
		for (size_t k = 0; k < an->diags.list.n; k++) {
			if (an->diags.list.v[k].code == bc->code) {
				assert_int_equal(an->diags.list.v[k].line, bc->line);
				break;
			}
		}
		assert_int_equal(an->inputs.v[0].records, bc->records);
		assert_int_equal(an->inputs.v[0].status, bc->status);
		analysis_free(an);
	}
}

/* `netstat -s | grep -i listen` and friends: no section header, the
 * sentences alone (the table of every net-tools wording) name the counters. */
static const struct frag_case {
	const char *text;
	const char *name;
	int64_t value;
	size_t records;
} frag_cases[] = {
	{ "    1234 times the listen queue of a socket overflowed\n"
	  "    1234 SYNs to LISTEN sockets dropped\n", "ListenOverflows", 1234, 2 },
	{ "    1234 times the listen queue of a socket overflowed\n"
	  "    1240 SYNs to LISTEN sockets dropped\n", "ListenDrops", 1240, 2 },
	/* pasted with the indentation lost */
	{ "1234 times the listen queue of a socket overflowed\n", "ListenOverflows", 1234, 1 },
	/* under the command line and a timestamp */
	{ "2026-11-25T09:14:00Z\n[root@web1 ~]# netstat -s | grep -i listen\n"
	  "    77 times the listen queue of a socket overflowed\n", "ListenOverflows", 77, 1 },
	/* egrep 'listen|overflow|drop': raw TcpExt names, and an Ip line that
	 * Ip6 prints too (reported, not stored) */
	{ "    3 outgoing packets dropped\n    TCPBacklogDrop: 7\n"
	  "    12 times the listen queue of a socket overflowed\n", "TCPBacklogDrop", 7, 2 },
	/* grep -A1: "--" between groups */
	{ "    5 SYN cookies sent\n--\n    6 SYN cookies received\n", "SyncookiesRecv", 6, 2 },
};

static void test_fragments(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(frag_cases) / sizeof(frag_cases[0]); i++) {
		const struct frag_case *fc = &frag_cases[i];
		if (strcmp(sniff_name(fc->text, strlen(fc->text)), "netstat-s") != 0)
			fail_msg("case %zu: sniffed %s", i, sniff_name(fc->text, strlen(fc->text)));
		struct analysis *an = parse_text("netstat-s", fc->text);
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		assert_int_equal(an->inputs.v[0].records, fc->records);
		assert_counter(an, fc->name, fc->value);
		assert_false(only_snap(an)->increments);
		/* the one note says how the lines were read */
		assert_int_equal(count_diags(an, DIAG_NOTE), 1);
		analysis_free(an);
	}
	/* lines that are not net-tools sentences are not netstat -s */
	static const char *const not_frag[] = {
		"    1234 frobnications\n",
		"    3 outgoing packets dropped\n    4 connections\n    5 things\n",
		"LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n",
	};
	for (size_t i = 0; i < sizeof(not_frag) / sizeof(not_frag[0]); i++)
		if (strcmp(sniff_name(not_frag[i], strlen(not_frag[i])), "netstat-s") == 0)
			fail_msg("not a fragment %zu sniffed as netstat-s", i);
}

/* Two fragments named before/after: a before/after pair of totals. */
static void test_fragment_pair(void **state)
{
	(void)state;
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	static const char before[] = "2026-11-25T09:14:00Z\n"
				     "    100 times the listen queue of a socket overflowed\n";
	static const char after[] = "2026-11-25T09:15:00Z\n"
				    "    412 times the listen queue of a socket overflowed\n";
	analysis_parse_buffer(an, "before.txt", "netstat-s", before, sizeof(before) - 1);
	analysis_parse_buffer(an, "after.txt", "netstat-s", after, sizeof(after) - 1);
	derive_incident(an);
	struct counter_span sp;
	assert_true(incident_counter_span(&an->inc, "ListenOverflows", &sp));
	assert_int_equal(sp.delta, 312);
	assert_int_equal(sp.n, 2);
	analysis_free(an);
}

static void test_timestamp_line(void **state)
{
	(void)state;
	struct analysis *an = parse_text("netstat-s", "2026-11-25T18:40:01Z\nTcpExt:\n"
				       "    9 times the listen queue of a socket overflowed\n");
	const struct counter_snapshot *s = only_snap(an);
	assert_false(isnan(s->at));
	assert_int_equal(s->at_src, TIME_CONTENT);
	assert_counter(an, "ListenOverflows", 9);
	assert_int_equal(counter_snapshot_find(s, "ListenOverflows")->src.line, 3);
	analysis_free(an);
}

/* Real outputs (shared/corpus/netstat-s/, see SOURCES.md); every value
 * below was read off the file with grep. */
static const struct corpus_case {
	const char *file;
	size_t records;		/* every counter line of the file */
	const char *name;
	int64_t value;
} corpus_cases[] = {
	/* grep 'listen queue' -> "9107 times the listen queue of a socket overflowed" */
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "ListenOverflows", 9107 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "ListenDrops", 9107 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "TCPTimeouts", 1742135 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "TCPSynRetrans", 3335473 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "TcpRetransSegs", 4446484 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "SyncookiesFailed", 782602 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "TcpActiveOpens", 60003367 },
	{ "corpus/netstat-s/blog-yaoice-centos7-k8s-node-netstat-s.txt", 120, "IcmpOutEchos", 512 },
	{ "corpus/netstat-s/tcpmon-netstat-s-2c8d209d.txt", 113, "ListenOverflows", 379435 },
	{ "corpus/netstat-s/tcpmon-netstat-s-2c8d209d.txt", 113, "ListenDrops", 379436 },
	{ "corpus/netstat-s/tcpmon-netstat-s-2c8d209d.txt", 113, "TCPSynRetrans", 19293870 },
	{ "corpus/netstat-s/tcpmon-netstat-s-2c8d209d.txt", 113, "UdpIgnoredMulti", 368716 },
	{ "corpus/netstat-s/tcpmon-netstat-s-483056aa.txt", 125, "ListenOverflows", 981 },
	{ "corpus/netstat-s/tcpmon-netstat-s-483056aa.txt", 125, "UdpRcvbufErrors", 68957158 },
	{ "corpus/netstat-s/tcpmon-netstat-s-483056aa.txt", 125, "IpExtInOctets", 84129285172077LL },
	{ "corpus/netstat-s/tcpmon-netstat-s-d6011c33.txt", 93, "TcpRetransSegs", 2328 },
	{ "corpus/netstat-s/tcpmon-netstat-s-d6011c33.txt", 93, "TCPTimeouts", 209 },
	{ "corpus/netstat-s/sos-rhcos42-net-tools-2.0-netstat-s.txt", 63, "TCPTimeouts", 668 },
	{ "corpus/netstat-s/sos-rhcos42-net-tools-2.0-netstat-s.txt", 63, "TcpOutSegs", 286045 },
	{ "corpus/netstat-s/sos-rhcos42-net-tools-2.0-netstat-s.txt", 63, "IpForwarding", 1 },
	{ "corpus/netstat-s/sos-rhcos42-net-tools-2.0-netstat-s.txt", 63, "TcpCurrEstab", 13 },
};

static void test_corpus(void **state)
{
	(void)state;
	char path[4096];
	for (size_t i = 0; i < sizeof(corpus_cases) / sizeof(corpus_cases[0]); i++) {
		const struct corpus_case *cc = &corpus_cases[i];
		struct analysis *an =
			parse_file_as("netstat-s", shared_path(path, sizeof(path), cc->file));
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		assert_int_equal(an->inputs.v[0].records, cc->records);
		assert_int_equal(an->diags.list.n, 0);	/* every line understood */
		assert_counter(an, cc->name, cc->value);
		analysis_free(an);
	}
}

/* Content sniffing sends each corpus file to this parser. */
static void test_corpus_sniffed(void **state)
{
	(void)state;
	char path[4096];
	struct analysis *an = read_file_input(shared_path(path, sizeof(path), "corpus/netstat-s"));
	assert_int_equal(an->inputs.n, 5);
	for (size_t i = 0; i < an->inputs.n; i++) {
		assert_string_equal(an->inputs.v[i].kind, "netstat-s");
		assert_int_equal(an->inputs.v[i].status, INPUT_OK);
	}
	assert_int_equal(an->inc.counter_snaps.n, 5);
	analysis_free(an);
}

/* tests/data/counters/: recorded on this project's machine in a quiet
 * network namespace (record.sh): netstat -s, nstat -asz and /proc/net files at
 * the same moment. Each number is `nstat -asz | awk '$1 == "NAME" {print $2}'`
 * on nstat-asz.txt. */
static const struct {
	const char *name;
	int64_t value;
} recorded[] = {
	{ "ListenOverflows", 18 },	/* TcpExtListenOverflows 18 */
	{ "ListenDrops", 18 },		/* TcpExtListenDrops 18 */
	{ "TCPSynRetrans", 12 },	/* TcpExtTCPSynRetrans 12 */
	{ "TCPTimeouts", 12 },		/* TcpExtTCPTimeouts 12 */
	{ "TcpActiveOpens", 8 },	/* TcpActiveOpens 8 */
	{ "TcpPassiveOpens", 2 },	/* TcpPassiveOpens 2 */
	{ "TcpRetransSegs", 12 },	/* TcpRetransSegs 12 */
	{ "TcpOutRsts", 2 },		/* TcpOutRsts 2 */
	{ "TcpEstabResets", 2 },	/* TcpEstabResets 2 */
	{ "IpExtInOctets", 1632 },	/* IpExtInOctets 1632 */
	{ "TcpTimeoutRehash", 12 },	/* TcpExtTcpTimeoutRehash 12 */
};

static void test_recorded(void **state)
{
	(void)state;
	struct analysis *an = parse_file_as("netstat-s", "tests/data/counters/netstat-s.txt");
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(an->diags.list.n, 0);
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++)
		assert_counter(an, recorded[i].name, recorded[i].value);
	analysis_free(an);
}

/* The same counters read from netstat -s, nstat and /proc/net at the
 * same moment must agree: every counter netstat -s showed. nstat leaves out
 * the non-counters (nstat.c useless_number(): Forwarding, DefaultTTL,
 * RtoAlgorithm/Min/Max, MaxConn, CurrEstab), /proc/net has them all. */
static void test_recorded_agrees(void **state)
{
	(void)state;
	struct analysis *ns = parse_file_as("netstat-s", "tests/data/counters/netstat-s.txt");
	struct analysis *nt = parse_file_as("nstat", "tests/data/counters/nstat-asz.txt");
	struct analysis *pn = parse_file_as("proc-net-netstat",
					    "tests/data/counters/proc-net-netstat.txt");
	struct analysis *ps = parse_file_as("proc-net-snmp", "tests/data/counters/proc-net-snmp.txt");
	const struct counter_snapshot *s = only_snap(ns);
	assert_true(s->counters.n >= 30);
	size_t in_nstat = 0;
	for (size_t i = 0; i < s->counters.n; i++) {
		const struct counter *c = &s->counters.v[i];
		const struct counter *a = counter_snapshot_find(only_snap(nt), c->name);
		const struct counter *b = counter_snapshot_find(only_snap(pn), c->name);
		if (!b)
			b = counter_snapshot_find(only_snap(ps), c->name);
		if (!b)
			fail_msg("%s: in netstat -s, not in /proc/net", c->name);
		if (b->value != c->value)
			fail_msg("%s: netstat -s %lld, /proc/net %lld", c->name, (long long)c->value,
				 (long long)b->value);
		if (a) {
			in_nstat++;
			if (a->value != c->value)
				fail_msg("%s: netstat -s %lld, nstat %lld", c->name,
					 (long long)c->value, (long long)a->value);
		} else if (strcmp(c->name, "IpForwarding") != 0 &&
			   strcmp(c->name, "TcpCurrEstab") != 0) {
			fail_msg("%s: in netstat -s, not in nstat", c->name);
		}
	}
	assert_int_equal(in_nstat, s->counters.n - 2);
	analysis_free(ns);
	analysis_free(nt);
	analysis_free(pn);
	analysis_free(ps);
}

/* Direct call: the parser must link in even though analysis.c references
 * it weakly; and nothing at all is -1. */
static void test_direct(void **state)
{
	(void)state;
	struct analysis an;
	analysis_init(&an);
	static const char text[] = "Tcp:\n    8 active connection openings\n";
	struct input in = { .path = "x", .display = "x", .buf = text, .len = sizeof(text) - 1,
			    .at = NAN };
	assert_int_equal(netstat_s_parse(&an, &in), 0);
	assert_int_equal(in.records, 1);
	struct input empty = { .path = "y", .display = "y", .buf = "", .len = 0, .at = NAN };
	assert_int_equal(netstat_s_parse(&an, &empty), -1);
	analysis_release(&an);
}

/* Inputs the fuzz harness (tests/fuzz/fuzz_parse_*.c) once crashed on,
 * kept as tests/fuzz/crashers/netstat-s-*: parsed without a crash. */
static void test_crashers(void **state)
{
	(void)state;
	replay_crashers("netstat-s-", "netstat-s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_fragment_pair),
		cmocka_unit_test(test_timestamp_line),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_sniffed),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_recorded_agrees),
		cmocka_unit_test(test_crashers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
