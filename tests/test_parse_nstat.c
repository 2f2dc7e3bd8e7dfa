/* test_parse_nstat.c — iproute2 nstat text and --json output
 * (analyzer/parse_nstat.c). */
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
	const char *text;
	const char *name;
	int64_t value;
	size_t records;
	bool increments;
	enum counter_source source;
} good_cases[] = {
	{ "#kernel\nTcpExtListenOverflows           12                 0.0\n", "ListenOverflows",
	  12, 1, false, CNTSRC_NSTAT },
	{ "#kernel\nIpExtInOctets                   240                0.0\n", "IpExtInOctets", 240,
	  1, false, CNTSRC_NSTAT },
	{ "TcpExtTCPPureAcks               1                  0.0\n", "TCPPureAcks", 1, 1, false,
	  CNTSRC_NSTAT },
	{ "#kernel\nTcpExtTcpTimeoutRehash          12                 0.0\n", "TcpTimeoutRehash",
	  12, 1, false, CNTSRC_NSTAT },
	{ "#kernel\nTcpRetransSegs 1232 0.0\nTcpActiveOpens 4181 0.0\n", "TcpActiveOpens", 4181, 2,
	  false, CNTSRC_NSTAT },
	/* the daemon's header and a non-zero rate */
	{ "#31337.1804289383 sampling_interval=60 time_const=300\n"
	  "TcpExtListenDrops               9                  0.2\n", "ListenDrops", 9, 1, false,
	  CNTSRC_NSTAT },
	/* dump_incr_db() marks a counter that went backwards: increments */
	{ "#kernel\nTcpExtListenOverflows           3                  0.0 (overflow)\n",
	  "ListenOverflows", 3, 1, true, CNTSRC_NSTAT },
	/* the command line tells: plain nstat = increments, -a / -r = totals */
	{ "nstatuser@nstat-b:~$ nstat\n#kernel\nTcpExtListenOverflows 4 0.0\n", "ListenOverflows", 4,
	  1, true, CNTSRC_NSTAT },
	{ "$ nstat -s\n#kernel\nTcpExtListenOverflows 4 0.0\n", "ListenOverflows", 4, 1, true,
	  CNTSRC_NSTAT },
	{ "$ nstat | grep -i listen\nTcpExtListenOverflows 4 0.0\n", "ListenOverflows", 4, 1, true,
	  CNTSRC_NSTAT },
	{ "root@web1:~# nstat -az\n#kernel\nTcpExtListenOverflows 4 0.0\n", "ListenOverflows", 4, 1,
	  false, CNTSRC_NSTAT },
	{ "$ /usr/sbin/nstat --ignore --zeros\n#kernel\nTcpExtListenOverflows 4 0.0\n",
	  "ListenOverflows", 4, 1, false, CNTSRC_NSTAT },
	{ "$ nstat -r\n#kernel\nTcpExtListenOverflows 4 0.0\n", "ListenOverflows", 4, 1, false,
	  CNTSRC_NSTAT },
	/* "%-32s%-16llu": a 33-byte name runs into its value */
	{ "#kernel\nMPTcpExtMPCapableFallbackSYNACKXY7               0.0\n",
	  "MPTcpExtMPCapableFallbackSYNACKXY", 7, 1, false, CNTSRC_NSTAT },
	/* a name ending in digits, not glued */
	{ "#kernel\nIcmp6InType134                  111                0.0\n", "Icmp6InType134",
	  111, 1, false, CNTSRC_NSTAT },
	/* /proc/net/snmp6 layout ("%-32s\t%lu") */
	{ "Ip6InReceives                   \t92166\nIp6InDelivers                   \t92053\n",
	  "Ip6InReceives", 92166, 2, false, CNTSRC_PROC_SNMP },
	/* --json */
	{ "{\"kernel\":{\"TcpExtListenOverflows\":12,\"IpInReceives\":4}}\n", "ListenOverflows", 12,
	  2, false, CNTSRC_NSTAT },
	{ "$ nstat -az --json\n{\"kernel\":{\"TcpExtListenDrops\":3}}\n", "ListenDrops", 3, 1, false,
	  CNTSRC_NSTAT },
	{ "$ nstat --json\n{\"kernel\":{\"TcpExtListenDrops\":3}}\n", "ListenDrops", 3, 1, true,
	  CNTSRC_NSTAT },
	{ "{\n  \"kernel\": {\n    \"TcpExtSyncookiesSent\": 17\n  }\n}\n", "SyncookiesSent", 17, 1,
	  false, CNTSRC_NSTAT },
	{ "2026-11-25T18:40:01Z\n{\"kernel\":{\"TcpExtListenDrops\":5}}", "ListenDrops", 5, 1, false,
	  CNTSRC_NSTAT },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *gc = &good_cases[i];
		struct analysis *an = parse_text("nstat", gc->text);
		if (an->inputs.v[0].status != INPUT_OK)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		assert_int_equal(an->inputs.v[0].records, gc->records);
		assert_counter(an, gc->name, gc->value);
		if (only_snap(an)->increments != gc->increments)
			fail_msg("case %zu: increments %d", i, only_snap(an)->increments);
		assert_int_equal(only_snap(an)->source, gc->source);
		assert_non_null(counter_snapshot_find(only_snap(an), gc->name)->src.text);
		analysis_free(an);
	}
}

static const struct bad_case {
	const char *text;
	enum diag_code code;
	uint32_t line;
	size_t records;
	enum input_status status;
} bad_cases[] = {
	/* JSON cut short: one diag with line and column, nothing kept */
	{ "{\"kernel\":{\"TcpExtListenOverflows\":12,", DIAG_BAD_LINE, 1, 0, INPUT_ERROR },
	{ "$ nstat --json\n{\"kernel\":\n{\"TcpExtListenOverflows\":12 12}}", DIAG_BAD_LINE, 3, 0,
	  INPUT_ERROR },
	{ "{\"kernel\":{\"TcpExtListenOverflows\":\"x\",\"TcpExtListenDrops\":3}}",
	  DIAG_BAD_NUMBER, 1, 1, INPUT_PARTIAL },
	{ "{\"kernel\":{\"IpInReceives\":1}} and then some", DIAG_BAD_LINE, 0, 1, INPUT_PARTIAL },
	{ "#kernel\nTcpExtListenOverflows x 0.0\nTcpExtListenDrops 3 0.0\n", DIAG_BAD_NUMBER, 2, 1,
	  INPUT_PARTIAL },
	{ "#kernel\nTcpExtListenOverflows 99999999999999999999 0.0\nIpInReceives 1 0.0\n",
	  DIAG_BAD_NUMBER, 2, 1, INPUT_PARTIAL },
	{ "#kernel\nTcpExtListenOverflows 12 0.0 junk\nTcpExtListenDrops 3 0.0\n", DIAG_BAD_LINE, 2,
	  1, INPUT_PARTIAL },
	{ "#kernel\nhello world\nTcpExtListenDrops 3 0.0\n", DIAG_BAD_LINE, 2, 1, INPUT_PARTIAL },
	{ "#kernel\nTcpExtListenDrops\nIpInReceives 1 0.0\n", DIAG_BAD_LINE, 2, 1, INPUT_PARTIAL },
	{ "#kernel\nTcpExt 5 0.0\nIpInReceives 1 0.0\n", DIAG_BAD_LINE, 2, 1, INPUT_PARTIAL },
	/* two runs in one file: said so; the later value wins */
	{ "#kernel\nIpInReceives 1 0.0\n#kernel\nIpInReceives 2 0.0\n", DIAG_NOTE, 3, 2, INPUT_OK },
	{ "", DIAG_UNKNOWN_FORMAT, 0, 0, INPUT_ERROR },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct analysis *an = parse_text("nstat", bc->text);
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
	/* the JSON error names its column */
	struct analysis *an = parse_text("nstat", "{\"kernel\":{\"A\":1,}}");
	assert_int_equal(an->diags.list.n, 1);
	assert_non_null(strstr(an->diags.list.v[0].msg, "column"));
	analysis_free(an);
	/* the later of two runs wins */
	an = parse_text("nstat", "#kernel\nIpInReceives 1 0.0\n#kernel\nIpInReceives 2 0.0\n");
	assert_counter(an, "IpInReceives", 2);
	analysis_free(an);
}

/* shared/corpus/nstat/: the kernel's snmp_counter.rst examples, each taken
 * right after an earlier nstat (the prompt line shows plain `nstat`). */
static const struct corpus_case {
	const char *file;
	size_t records;
	const char *name;
	int64_t value;
} corpus_cases[] = {
	/* grep ListenOverflows -> "TcpExtListenOverflows           4                  0.0" */
	{ "corpus/nstat/kerneldoc-nstat-listenoverflows.txt", 7, "ListenOverflows", 4 },
	{ "corpus/nstat/kerneldoc-nstat-listenoverflows.txt", 7, "ListenDrops", 4 },
	{ "corpus/nstat/kerneldoc-nstat-listenoverflows.txt", 7, "IpExtInOctets", 240 },
	{ "corpus/nstat/kerneldoc-nstat-grep-tcp-handshake.txt", 4, "TcpPassiveOpens", 1 },
	{ "corpus/nstat/kerneldoc-nstat-grep-tcp-handshake.txt", 4, "TCPPureAcks", 1 },
	{ "corpus/nstat/kerneldoc-nstat-rcvcoalesce.txt", 9, "TCPRcvCoalesce", 1 },
	{ "corpus/nstat/kerneldoc-nstat-rcvcoalesce.txt", 9, "IpExtOutOctets", 104 },
};

static void test_corpus(void **state)
{
	(void)state;
	char path[4096];
	for (size_t i = 0; i < sizeof(corpus_cases) / sizeof(corpus_cases[0]); i++) {
		const struct corpus_case *cc = &corpus_cases[i];
		struct analysis *an =
			parse_file_as("nstat", shared_path(path, sizeof(path), cc->file));
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		assert_int_equal(an->inputs.v[0].records, cc->records);
		assert_counter(an, cc->name, cc->value);
		assert_true(only_snap(an)->increments);
		/* the one diag: the note saying why these are increments */
		assert_int_equal(an->diags.list.n, 1);
		assert_int_equal(an->diags.list.v[0].code, DIAG_NOTE);
		assert_int_equal(an->diags.list.v[0].line, 1);
		analysis_free(an);
	}
}

static void test_corpus_sniffed(void **state)
{
	(void)state;
	char path[4096];
	struct analysis *an = read_file_input(shared_path(path, sizeof(path), "corpus/nstat"));
	assert_int_equal(an->inputs.n, 3);
	for (size_t i = 0; i < an->inputs.n; i++) {
		assert_string_equal(an->inputs.v[i].kind, "nstat");
		assert_int_equal(an->inputs.v[i].status, INPUT_OK);
	}
	analysis_free(an);
	an = read_file_input("tests/data/counters/nstat-asz.json");
	assert_string_equal(an->inputs.v[0].kind, "nstat");
	assert_int_equal(an->inputs.v[0].records, 390);
	analysis_free(an);
}

/* tests/data/counters/ (record.sh): `nstat -asz` and `nstat -asz --json`
 * at the same moment in a quiet namespace. Each number is
 * `awk '$1 == "NAME" {print $2}' nstat-asz.txt`. */
static const struct {
	const char *name;
	int64_t value;
} recorded[] = {
	{ "ListenOverflows", 18 },	/* TcpExtListenOverflows 18 */
	{ "ListenDrops", 18 },		/* TcpExtListenDrops 18 */
	{ "TCPSynRetrans", 12 },	/* TcpExtTCPSynRetrans 12 */
	{ "TCPTimeouts", 12 },		/* TcpExtTCPTimeouts 12 */
	{ "SyncookiesSent", 0 },	/* TcpExtSyncookiesSent 0 */
	{ "TCPReqQFullDoCookies", 0 },	/* TcpExtTCPReqQFullDoCookies 0 */
	{ "TCPReqQFullDrop", 0 },	/* TcpExtTCPReqQFullDrop 0 */
	{ "TcpActiveOpens", 8 },	/* TcpActiveOpens 8 */
	{ "TcpPassiveOpens", 2 },	/* TcpPassiveOpens 2 */
	{ "TcpRetransSegs", 12 },	/* TcpRetransSegs 12 */
	{ "IpInReceives", 28 },		/* IpInReceives 28 */
	{ "IpExtInOctets", 1632 },	/* IpExtInOctets 1632 */
};

static void test_recorded(void **state)
{
	(void)state;
	struct analysis *txt = parse_file_as("nstat", "tests/data/counters/nstat-asz.txt");
	struct analysis *js = parse_file_as("nstat", "tests/data/counters/nstat-asz.json");
	assert_int_equal(txt->inputs.v[0].status, INPUT_OK);
	assert_int_equal(js->inputs.v[0].status, INPUT_OK);
	assert_int_equal(txt->diags.list.n, 0);
	assert_int_equal(js->diags.list.n, 0);
	assert_int_equal(txt->inputs.v[0].records, 390);	/* wc -l nstat-asz.txt = 391 */
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		assert_counter(txt, recorded[i].name, recorded[i].value);
		assert_counter(js, recorded[i].name, recorded[i].value);
	}
	assert_false(only_snap(txt)->increments);
	/* text and JSON: the same counters, the same values */
	const struct counter_snapshot *a = only_snap(txt), *b = only_snap(js);
	assert_int_equal(a->counters.n, b->counters.n);
	for (size_t i = 0; i < a->counters.n; i++) {
		const struct counter *c = counter_snapshot_find(b, a->counters.v[i].name);
		assert_non_null(c);
		assert_int_equal(c->value, a->counters.v[i].value);
	}
	analysis_free(txt);
	analysis_free(js);
}

/* nstat reads /proc/net/netstat, snmp and snmp6 (load_netstat(),
 * load_snmp(), load_snmp6()): every counter it printed is in those files,
 * read at the same moment, with the same value. */
static void test_recorded_agrees_with_proc(void **state)
{
	(void)state;
	struct analysis *nt = parse_file_as("nstat", "tests/data/counters/nstat-asz.txt");
	struct analysis *p[3] = {
		parse_file_as("proc-net-netstat", "tests/data/counters/proc-net-netstat.txt"),
		parse_file_as("proc-net-snmp", "tests/data/counters/proc-net-snmp.txt"),
		parse_file_as("proc-net-snmp", "tests/data/counters/proc-net-snmp6.txt"),
	};
	const struct counter_snapshot *s = only_snap(nt);
	for (size_t i = 0; i < s->counters.n; i++) {
		const struct counter *c = &s->counters.v[i], *q = NULL;
		for (int k = 0; k < 3 && !q; k++)
			q = counter_snapshot_find(only_snap(p[k]), c->name);
		if (!q)
			fail_msg("%s: in nstat, not in /proc/net", c->name);
		if (q->value != c->value)
			fail_msg("%s: nstat %lld, /proc/net %lld", c->name, (long long)c->value,
				 (long long)q->value);
	}
	analysis_free(nt);
	for (int k = 0; k < 3; k++)
		analysis_free(p[k]);
}

static void test_direct(void **state)
{
	(void)state;
	struct analysis an;
	analysis_init(&an);
	static const char text[] = "#kernel\nTcpExtListenOverflows 1 0.0\n";
	struct input in = { .path = "x", .display = "x", .buf = text, .len = sizeof(text) - 1,
			    .at = NAN };
	assert_int_equal(nstat_parse(&an, &in), 0);
	assert_int_equal(in.records, 1);
	/* not NUL-terminated: the buffer ends inside a number */
	static const char cut[] = "#kernel\nTcpExtListenOverflows 12345";
	struct input in2 = { .path = "y", .display = "y", .buf = cut, .len = sizeof(cut) - 3,
			     .at = NAN };
	assert_int_equal(nstat_parse(&an, &in2), 0);
	assert_int_equal(counter_snapshot_find(an.inc.counter_snaps.v[1], "ListenOverflows")->value,
			 123);
	analysis_release(&an);
}

/* Fragments as people paste them: one row of `nstat -az | grep ...` under
 * its command line is still nstat; syslog lines ("Nov 25 09:14:02 ...")
 * are not nstat rows. */
static void test_fragments_sniffed(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *kind;
	} cases[] = {
		{ "TcpExtListenOverflows           1234               0.0\n", "nstat" },
		{ "$ nstat -az | grep -i listenoverflows\n"
		  "TcpExtListenOverflows           1234               0.0\n", "nstat" },
		{ "2026-11-25T09:14:00Z\nTcpExtListenOverflows 1234 0.0\nTcpExtListenDrops 1234 0.0\n",
		  "nstat" },
		/* a syslog: read as a system log, not as nstat rows */
		{ "Nov 25 09:14:01 web1 CRON[1]: x\nNov 25 09:14:02 web1 CRON[2]: y\n", "kernel-log" },
		/* a name and a number alone: too little to call nstat */
		{ "ListenOverflows 1234\n", "unknown" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = sniff_name(cases[i].text, strlen(cases[i].text));
		if (strcmp(got, cases[i].kind) != 0)
			fail_msg("case %zu: sniffed %s, want %s", i, got, cases[i].kind);
	}
}

/* Which mode nstat ran in: known from the file (command line, "(overflow)",
 * stderr saying the history was dropped) or guessed. */
static void test_mode_marks(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool increments, guessed;
	} cases[] = {
		{ "#kernel\nTcpExtListenOverflows 4 0.0\n", false, true },
		{ "$ nstat\n#kernel\nTcpExtListenOverflows 4 0.0\n", true, false },
		{ "$ nstat -az\n#kernel\nTcpExtListenOverflows 4 0.0\n", false, false },
		{ "#kernel\nTcpExtListenOverflows 4 0.0 (overflow)\n", true, false },
		/* stderr kept: no history, so totals since boot (misc/nstat.c) */
		{ "nstat: history is aged out, resetting\n#kernel\nTcpExtListenOverflows 4 0.0\n",
		  false, false },
		{ "$ nstat\nnstat: history is stale, ignoring it.\n#kernel\n"
		  "TcpExtListenOverflows 4 0.0\n", false, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct analysis *an = parse_text("nstat", cases[i].text);
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		if (only_snap(an)->increments != cases[i].increments ||
		    only_snap(an)->mode_guessed != cases[i].guessed)
			fail_msg("case %zu: increments %d guessed %d", i, only_snap(an)->increments,
				 only_snap(an)->mode_guessed);
		analysis_free(an);
	}
}

static struct analysis *read_pair(const char *kind_a, const char *a, const char *kind_b,
				  const char *b)
{
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "nstat-1.txt", kind_a, a, strlen(a));
	analysis_parse_buffer(an, "nstat-2.txt", kind_b, b, strlen(b));
	derive_incident(an);
	return an;
}

/* Two nstat runs in default mode are two increments, not a before/after
 * pair: the change between them is the second run's values (its history
 * is the first run). Absolute runs stay totals. */
static void test_default_mode_pair(void **state)
{
	(void)state;
	/* default mode, no mark: the second run is lower on every counter */
	struct analysis *an = read_pair(
		"nstat", "2026-11-25T09:14:00Z\n#kernel\nTcpExtListenOverflows 5000 0.0\n"
		"TcpExtListenDrops 5010 0.0\nTcpExtTCPTimeouts 800 0.0\n",
		"nstat", "2026-11-25T09:15:00Z\n#kernel\nTcpExtListenOverflows 312 0.0\n"
		"TcpExtListenDrops 312 0.0\n");
	struct counter_span sp;
	assert_true(incident_counter_span(&an->inc, "ListenOverflows", &sp));
	assert_true(sp.from_increments);
	assert_int_equal(sp.delta, 312);
	assert_int_equal(sp.n, 2);
	assert_false(sp.went_backwards);
	assert_string_equal(sp.first_c->src.file, "nstat-1.txt");
	assert_string_equal(sp.last_c->src.file, "nstat-2.txt");
	/* left out of the second run: its increment was 0 */
	assert_true(incident_counter_span(&an->inc, "TCPTimeouts", &sp));
	assert_int_equal(sp.delta, 0);
	assert_int_equal(an->notes.n, 1);
	assert_non_null(strstr(an->notes.v[0], "default mode"));
	analysis_free(an);

	/* absolute values, higher the second time: a before/after pair */
	an = read_pair("nstat", "2026-11-25T09:14:00Z\n#kernel\nTcpExtListenOverflows 5000 0.0\n",
		       "nstat", "2026-11-25T09:15:00Z\n#kernel\nTcpExtListenOverflows 5312 0.0\n");
	assert_true(incident_counter_span(&an->inc, "ListenOverflows", &sp));
	assert_false(sp.from_increments);
	assert_int_equal(sp.delta, 312);
	assert_int_equal(an->notes.n, 0);
	analysis_free(an);

	/* the mix: nstat -a, then plain nstat (increments since the
	 * -a run, which rewrote the history) */
	an = read_pair("nstat", "2026-11-25T09:14:00Z\n$ nstat -az\n#kernel\n"
		       "TcpExtListenOverflows 5000 0.0\n",
		       "nstat", "2026-11-25T09:15:00Z\n#kernel\nTcpExtListenOverflows 312 0.0\n");
	assert_true(incident_counter_span(&an->inc, "ListenOverflows", &sp));
	assert_true(sp.from_increments);
	assert_int_equal(sp.first, 5000);
	assert_int_equal(sp.last, 5312);
	assert_int_equal(sp.delta, 312);
	analysis_free(an);

	/* netstat -s totals, then a default-mode nstat: no window between
	 * them (nstat's previous run is not among the inputs) */
	an = read_pair("netstat-s", "2026-11-25T09:14:00Z\nTcpExt:\n"
		       "    5000 times the listen queue of a socket overflowed\n",
		       "nstat", "2026-11-25T09:15:00Z\n#kernel\nTcpExtListenOverflows 312 0.0\n");
	assert_true(an->inc.counter_snaps.v[1]->increments);
	assert_true(incident_counter_span(&an->inc, "ListenOverflows", &sp));
	assert_int_equal(sp.n, 1);
	assert_false(sp.went_backwards);
	analysis_free(an);
}

/* Inputs the fuzz harness (tests/fuzz/fuzz_parse_*.c) once crashed on,
 * kept as tests/fuzz/crashers/nstat-*: parsed without a crash. */
static void test_crashers(void **state)
{
	(void)state;
	replay_crashers("nstat-", "nstat");
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
		cmocka_unit_test(test_recorded_agrees_with_proc),
		cmocka_unit_test(test_fragments_sniffed),
		cmocka_unit_test(test_mode_marks),
		cmocka_unit_test(test_default_mode_pair),
		cmocka_unit_test(test_crashers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
