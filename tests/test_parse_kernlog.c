/* test_parse_kernlog.c — kernel logs (analyzer/input/parse_kernlog.c): every
 * shape people save them in, the messages that matter, what the rules make
 * of them. */
#include "testutil.h"

#include <math.h>

#include "rules/rule.h"

static const struct kernel_event *only_event(const struct analysis *an)
{
	if (an->inc.kernel_events.n != 1)
		fail_msg("%zu kernel events, want 1", an->inc.kernel_events.n);
	return &an->inc.kernel_events.v[0];
}

/* One line each: the kind, port, cookies, and whether a UTC time or an
 * uptime was read. The prefixes are those of the tools named. */
static const struct line_case {
	const char *text;
	enum kernel_event_kind kind;
	int32_t port;
	bool cookies;
	const char *addr;	/* the listener address 6.1+ prints, or NULL */
	double at;		/* UTC or NAN */
	double uptime;		/* or NAN */
} line_cases[] = {
	/* dmesg, 4.x-6.0 */
	{ "[ 3470.874093] TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending "
	  "cookies.  Check SNMP counters.", KEV_SYN_FLOOD, 80, true, NULL, NAN, 3470.874093 },
	/* dmesg 6.1+: the address (tcp_syn_flood_action() since d9282e48c608) */
	{ "[ 1645.600300] TCP: request_sock_TCP: Possible SYN flooding on port 127.0.0.1:8000. "
	  "Sending cookies.", KEV_SYN_FLOOD, 8000, true, "127.0.0.1:8000", NAN, 1645.6003 },
	{ "[   12.000001] TCP: request_sock_TCPv6: Possible SYN flooding on port [::]:8443. "
	  "Dropping request.", KEV_SYN_FLOOD, 8443, false, "[::]:8443", NAN, 12.000001 },
	/* 3.x: proto "TCP" under pr_fmt "TCP: " */
	{ "[123456.789012] TCP: TCP: Possible SYN flooding on port 8080. Sending cookies.  Check "
	  "SNMP counters.", KEV_SYN_FLOOD, 8080, true, NULL, NAN, 123456.789012 },
	/* 2.4: lower case */
	{ "possible SYN flooding on port 80. Sending cookies.", KEV_SYN_FLOOD, 80, true, NULL, NAN,
	  NAN },
	/* printk caller id (CONFIG_PRINTK_CALLER) */
	{ "[  412.216359][    C1] TCP: request_sock_TCPv6: Possible SYN flooding on port 20002. "
	  "Sending cookies.  Check SNMP counters.", KEV_SYN_FLOOD, 20002, true, NULL, NAN,
	  412.216359 },
	/* dmesg -r / /dev/kmsg */
	{ "<6>[  412.216359] TCP: request_sock_TCP: Possible SYN flooding on port 22. Sending "
	  "cookies.", KEV_SYN_FLOOD, 22, true, NULL, NAN, 412.216359 },
	/* dmesg -x */
	{ "kern  :info  : [  412.216359] TCP: request_sock_TCP: Possible SYN flooding on port 22. "
	  "Sending cookies.", KEV_SYN_FLOOD, 22, true, NULL, NAN, 412.216359 },
	/* dmesg -T, English and Russian locales: local time, no zone */
	{ "[Thu May 11 12:38:28 2023] nf_conntrack: nf_conntrack: table full, dropping packet",
	  KEV_CONNTRACK_FULL, -1, false, NULL, NAN, NAN },
	{ "[Ср мар 10 20:19:39 2021] TCP: request_sock_TCPv6: Possible SYN flooding on port 34391. "
	  "Dropping request.  Check SNMP counters.", KEV_SYN_FLOOD, 34391, false, NULL, NAN, NAN },
	/* syslog / kern.log with dmesg's time inside */
	{ "Jan 31 12:18:17 papajo-desktop kernel: [ 4525.185977] TCP: request_sock_TCP: Possible SYN "
	  "flooding on port 8999. Sending cookies.  Check SNMP counters.", KEV_SYN_FLOOD, 8999, true,
	  NULL, NAN, 4525.185977 },
	/* journalctl -k (short) */
	{ "Nov 25 09:14:02 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
	  KEV_CONNTRACK_FULL, -1, false, NULL, NAN, NAN },
	{ "Nov  5 09:14:02 web1 kernel: nf_conntrack: table full, dropping packet.",
	  KEV_CONNTRACK_FULL, -1, false, NULL, NAN, NAN },
	/* journalctl -o short-precise */
	{ "Nov 25 09:14:02.123456 web1 kernel: TCP: too many orphaned sockets", KEV_ORPHANS, -1,
	  false, NULL, NAN, NAN },
	/* rsyslog RSYSLOG_FileFormat, journalctl -o short-iso / short-iso-precise */
	{ "2026-11-25T09:14:02.123456+00:00 web1 kernel: TCP: out of memory -- consider tuning "
	  "tcp_mem", KEV_TCP_MEM, -1, false, NULL, 1795598042.123456, NAN },
	{ "2026-11-25T10:14:02+0100 web1 kernel: VFS: file-max limit 65536 reached", KEV_FILE_MAX,
	  -1, false, NULL, 1795598042, NAN },
	/* a time without its zone is not UTC */
	{ "2026-11-25T09:14:02.123456 web1 kernel: Out of socket memory", KEV_SOCKET_MEM, -1, false,
	  NULL, NAN, NAN },
	/* journalctl -o short-full, short-unix, short-monotonic */
	{ "Wed 2026-11-25 09:14:02 UTC web1 kernel: TCP: time wait bucket table overflow",
	  KEV_TW_OVERFLOW, -1, false, NULL, 1795598042, NAN },
	{ "1795598042.500000 web1 kernel: ip_conntrack: table full, dropping packet.",
	  KEV_CONNTRACK_FULL, -1, false, NULL, 1795598042.5, NAN },
	{ "[ 4525.185977] web1 kernel: TCP: request_sock_TCP: Possible SYN flooding on port 443. "
	  "Sending cookies.", KEV_SYN_FLOOD, 443, true, NULL, NAN, 4525.185977 },
	/* RFC 5424 */
	{ "<4>1 2026-11-25T09:14:02Z web1 kernel - - - nf_conntrack: nf_conntrack: table full, "
	  "dropping packet", KEV_CONNTRACK_FULL, -1, false, NULL, 1795598042, NAN },
	{ "<4>1 2026-11-25T09:14:02Z web1 kernel - - [meta seq=\"1\"] TCP: too many orphaned sockets",
	  KEV_ORPHANS, -1, false, NULL, 1795598042, NAN },
	/* the time and host cut away */
	{ "kernel: nf_conntrack: table full, dropping packet", KEV_CONNTRACK_FULL, -1, false, NULL,
	  NAN, NAN },
	/* OpenWrt logread (local time, facility.level) */
	{ "Wed Mar 27 02:55:10 2019 kern.info kernel: [240560.532035] VFS: file-max limit 65536 "
	  "reached", KEV_FILE_MAX, -1, false, NULL, NAN, 240560.532035 },
	/* Ubuntu's /var/log/dmesg (journalctl --dmesg -o short-monotonic --no-hostname) */
	{ "[ 7836248.709735] kernel: TCP: too many orphaned sockets", KEV_ORPHANS, -1, false, NULL,
	  NAN, 7836248.709735 },
	/* a relay's "kernel: :" */
	{ "Nov  3 23:30:27 db1 kernel: : [63500383.870591] nf_conntrack: table full, dropping "
	  "packet.", KEV_CONNTRACK_FULL, -1, false, NULL, NAN, 63500383.870591 },
	/* a syslog without a host field, and an OpenVZ container's suffix */
	{ "Mar 24 03:29:26 kernel: [1557411.244877] TCP: time wait bucket table overflow (CT0)",
	  KEV_TW_OVERFLOW, -1, false, NULL, NAN, 1557411.244877 },
	/* a netns-aware kernel's wording */
	{ "[ 10.5] nf_conntrack: table full in netns 4026531992, dropping packet",
	  KEV_CONNTRACK_FULL, -1, false, NULL, NAN, 10.5 },
};

static void test_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *lc = &line_cases[i];
		struct analysis *an = parse_text("kernel-log", lc->text);
		if (an->inputs.v[0].status != INPUT_OK)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		assert_int_equal(an->inputs.v[0].records, 1);
		const struct kernel_event *e = only_event(an);
		if (e->kind != lc->kind)
			fail_msg("case %zu: kind %s", i, kernel_event_name(e->kind));
		assert_int_equal(e->port, lc->port);
		assert_int_equal(e->cookies, lc->cookies);
		if (lc->addr) {
			char buf[80];
			assert_string_equal(endpoint_format(&e->addr, buf, sizeof(buf)), lc->addr);
		} else {
			assert_int_equal(e->addr.family, 0);
		}
		if (isnan(lc->at) != isnan(e->src.at) ||
		    (!isnan(lc->at) && fabs(lc->at - e->src.at) > 1e-3))
			fail_msg("case %zu: at %f, want %f", i, e->src.at, lc->at);
		if (isnan(lc->uptime) != isnan(e->uptime) ||
		    (!isnan(lc->uptime) && fabs(lc->uptime - e->uptime) > 1e-6))
			fail_msg("case %zu: uptime %f, want %f", i, e->uptime, lc->uptime);
		assert_int_equal(e->src.line, 1);
		assert_string_equal(e->src.file, "test.txt");
		assert_non_null(e->src.text);
		assert_non_null(e->text);
		assert_int_equal(e->count, 1);
		if (lc->kind == KEV_FILE_MAX)
			assert_int_equal(e->value, 65536);
		analysis_free(an);
	}
}

/* Whole logs: unrelated lines counted, not kept; other programs skipped;
 * journal markers skipped; repeats and rate limits counted. */
static void test_logs(void **state)
{
	(void)state;
	struct analysis *an = parse_text("kernel-log",
		"-- Logs begin at Mon 2026-11-23 08:00:01 UTC, end at Wed 2026-11-25 09:20:01 UTC. --\n"
		"Nov 25 09:14:01 web1 sshd[812]: Accepted publickey for deploy from 10.0.0.9 port 50000\n"
		"Nov 25 09:14:02 web1 kernel: [1234.000001] e1000e: eth0 NIC Link is Up 1000 Mbps\n"
		"Nov 25 09:14:02 web1 kernel: [1234.000002] nf_conntrack: nf_conntrack: table full, "
		"dropping packet\n"
		"Nov 25 09:14:07 web1 kernel: [1239.100000] net_ratelimit: 3939 callbacks suppressed\n"
		"Nov 25 09:14:07 web1 kernel: message repeated 5 times: [ nf_conntrack: nf_conntrack: "
		"table full, dropping packet]\n"
		"-- Boot 3b4f0a1c2d5e4f6a7b8c9d0e1f2a3b4c --\n"
		"Nov 25 09:20:01 web1 CRON[9001]: (root) CMD (run-parts /etc/cron.hourly)\n"
		"Nov 25 09:20:02 web1 kernel: [1600.0] printk: 12 messages suppressed.\n");
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(an->inputs.v[0].records, 5);	/* kernel lines */
	assert_int_equal(an->inc.kernel_events.n, 2);
	assert_int_equal(an->inc.kernel_events.v[0].src.line, 4);
	assert_int_equal(an->inc.kernel_events.v[1].count, 5);
	assert_int_equal(an->inc.kernel_events.v[1].src.line, 6);
	const struct kernel_event *first;
	assert_int_equal(rule_kernel_events(&an->inc, KEV_CONNTRACK_FULL, &first), 6);
	assert_ptr_equal(first, &an->inc.kernel_events.v[0]);
	/* the suppressed messages are said (a note), not guessed */
	assert_int_equal(count_diags(an, DIAG_NOTE), 1);
	assert_non_null(strstr(an->diags.list.v[0].msg, "3951"));
	analysis_free(an);
}

static const struct bad_case {
	const char *text;
	enum diag_code code;
	size_t n;		/* diags of that code */
	uint32_t line;		/* of the first */
	size_t records;
	size_t events;
	enum input_status status;
} bad_cases[] = {
	/* the prompt pasted above the output: skipped, said */
	{ "$ dmesg | grep -i syn\n[ 1.5] TCP: request_sock_TCP: Possible SYN flooding on port 80. "
	  "Sending cookies.\n", DIAG_SKIPPED, 1, 1, 1, 1, INPUT_OK },
	/* a line of no log at all between log lines */
	{ "[ 1.0] a\nhello there\n[ 2.0] TCP: too many orphaned sockets\n", DIAG_BAD_LINE, 1, 2, 2,
	  1, INPUT_PARTIAL },
	/* a cut uptime is not a prefix */
	{ "[ 1.0] a\n[ 12345.\n", DIAG_BAD_LINE, 1, 2, 1, 0, INPUT_PARTIAL },
	/* an address that is no address: the event is kept, without a port */
	{ "[ 1.0] TCP: request_sock_TCP: Possible SYN flooding on port 999.999.1.1:80. Sending "
	  "cookies.\n", DIAG_BAD_LINE, 0, 0, 1, 1, INPUT_OK },
	/* a port beyond 65535 */
	{ "[ 1.0] TCP: Possible SYN flooding on port 70000. Sending cookies.\n", DIAG_BAD_LINE, 0,
	  0, 1, 1, INPUT_OK },
	/* a syslog without any kernel line: nothing read, said */
	{ "Nov 25 09:14:01 web1 sshd[812]: Accepted publickey\n", DIAG_UNKNOWN_FORMAT, 1, 0, 0, 0,
	  INPUT_ERROR },
	/* NUL byte: the line is skipped, the rest read */
	{ "[ 1.0] TCP: too many\0 orphaned sockets\n[ 2.0] TCP: too many orphaned sockets\n",
	  DIAG_BAD_LINE, 1, 1, 1, 1, INPUT_PARTIAL },
	/* nothing */
	{ "", DIAG_UNKNOWN_FORMAT, 1, 0, 0, 0, INPUT_ERROR },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		size_t len = strlen(bc->text);
		if (i == 6)	/* the NUL case: strlen stops at it */
			len = sizeof("[ 1.0] TCP: too many\0 orphaned sockets\n[ 2.0] TCP: too many "
				     "orphaned sockets\n") - 1;
		struct analysis *an = malloc(sizeof(*an));
		assert_non_null(an);
		analysis_init(an);
		analysis_parse_buffer(an, "test.txt", "kernel-log", bc->text, len);
		if (count_diags(an, bc->code) != bc->n)
			fail_msg("case %zu: %zu diags of code %d, want %zu", i,
				 count_diags(an, bc->code), bc->code, bc->n);
		for (size_t k = 0; k < an->diags.list.n; k++)
			if (an->diags.list.v[k].code == bc->code) {
				assert_int_equal(an->diags.list.v[k].line, bc->line);
				break;
			}
		assert_int_equal(an->inputs.v[0].records, bc->records);
		assert_int_equal(an->inc.kernel_events.n, bc->events);
		if (an->inputs.v[0].status != bc->status)
			fail_msg("case %zu: status %d", i, an->inputs.v[0].status);
		analysis_free(an);
	}
}

/* Hostile input: a 10 MB line, a flood of lines that matter, huge numbers,
 * a buffer that ends inside a line. */
static void test_hostile(void **state)
{
	(void)state;
	size_t big = 10u << 20;
	char *buf = malloc(big + 200);
	assert_non_null(buf);
	memcpy(buf, "[ 1.0] ", 7);
	memset(buf + 7, 'x', big);
	const char tail[] = "\n[ 2.0] TCP: too many orphaned sockets\n";
	memcpy(buf + 7 + big, tail, sizeof(tail));
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "big.txt", "kernel-log", buf, 7 + big + sizeof(tail) - 1);
	assert_int_equal(an->inc.kernel_events.n, 1);
	assert_int_equal(an->inputs.v[0].records, 2);
	assert_true(count_diags(an, DIAG_LONG_LINE) == 1);
	analysis_free(an);
	free(buf);

	/* 20 000 conntrack lines: 10 000 kept, the rest counted on the last */
	const char line[] = "[ 1.0] nf_conntrack: nf_conntrack: table full, dropping packet\n";
	size_t n = 20000, ll = sizeof(line) - 1;
	buf = malloc(n * ll + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * ll, line, ll);
	an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "flood.txt", "kernel-log", buf, n * ll);
	assert_int_equal(an->inc.kernel_events.n, 10000);
	const struct kernel_event *first;
	assert_int_equal(rule_kernel_events(&an->inc, KEV_CONNTRACK_FULL, &first), 20000);
	assert_int_equal(count_diags(an, DIAG_LIMIT), 1);
	analysis_free(an);
	free(buf);

	/* huge numbers stay unknown, never wrap */
	an = parse_text("kernel-log",
			"[99999999999999999999.1] TCP: too many orphaned sockets\n"
			"[ 1.0] VFS: file-max limit 99999999999999999999999 reached\n"
			"[ 1.0] TCP: Possible SYN flooding on port 99999999999. Sending cookies.\n"
			"[ 1.0] kernel: message repeated 99999999999 times: [ TCP: too many "
			"orphaned sockets]\n");
	/* the first line's time is no prefix: its message alone is known */
	assert_int_equal(an->inc.kernel_events.n, 4);
	assert_true(isnan(an->inc.kernel_events.v[0].uptime));
	assert_int_equal(an->inc.kernel_events.v[1].value, -1);
	assert_int_equal(an->inc.kernel_events.v[2].port, -1);
	assert_int_equal(an->inc.kernel_events.v[3].count, 1);
	analysis_free(an);

	/* not NUL-terminated: the buffer ends inside the message */
	static const char cut[] = "[ 1.0] TCP: too many orphaned sockets";
	struct analysis an2;
	analysis_init(&an2);
	struct input in = { .path = "c", .display = "c", .buf = cut, .len = sizeof(cut) - 5,
			    .at = NAN };
	assert_int_equal(kernlog_parse(&an2, &in), 0);
	assert_int_equal(an2.inc.kernel_events.n, 0);	/* "orphaned sock" is not the message */
	analysis_release(&an2);
}

/* What content sniffing reads as a kernel log, and what it leaves alone. */
static void test_sniff(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *kind;
	} cases[] = {
		{ "[ 1645.600300] TCP: request_sock_TCP: Possible SYN flooding on port "
		  "127.0.0.1:8000. Sending cookies.\n", "kernel-log" },
		/* one bare message, as grep leaves it */
		{ "TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.\n",
		  "kernel-log" },
		{ "2026-11-25T19:04:02.780Z\n[ 1645.600300] TCP: too many orphaned sockets\n",
		  "kernel-log" },
		/* journalctl -o short-iso, whose first line is no snapshot time */
		{ "2026-11-25T09:14:02+0000 h kernel: TCP: too many orphaned sockets\n", "kernel-log" },
		{ "Nov 25 09:14:01 web1 kernel: e1000e: eth0 NIC Link is Up\n"
		  "Nov 25 09:14:02 web1 kernel: EXT4-fs (sda1): mounted filesystem\n", "kernel-log" },
		/* a syslog whose first lines are other programs': its kernel
		 * lines may come later */
		{ "Nov 25 09:14:01 web1 CRON[1]: (root) CMD (true)\n"
		  "Nov 25 09:14:02 web1 sshd[2]: Accepted publickey for deploy\n", "kernel-log" },
		/* not kernel logs */
		{ "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		  "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n", "ss" },
		{ "#kernel\nTcpExtListenOverflows 1 0.0\n", "nstat" },
		{ "stuckscope 0.1 — 1 input read\n\nVERDICT  inconclusive\n  [1] x:1 [ 1.0] TCP: "
		  "Possible SYN flooding on port 80. Sending cookies.\n", "unknown" },
		{ "hello\nworld\n", "unknown" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = sniff_name(cases[i].text, strlen(cases[i].text));
		if (strcmp(got, cases[i].kind) != 0)
			fail_msg("case %zu: sniffed %s, want %s", i, got, cases[i].kind);
	}
	/* the short-iso line is read, not taken as the snapshot's time */
	assert_true(isnan(time_parse("2026-11-25T09:14:02+0000 h kernel: x", 36)));
	assert_false(isnan(time_parse("2026-11-25T09:14:02+0000", 24)));
	assert_false(isnan(time_parse("2026-11-25T09:14:02.780Z", 24)));
}

/* A buffer through the whole pipeline: parse each, derive, rules. */
static struct analysis *diagnose(const char *const *kinds, const char *const *texts, size_t n)
{
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "in%zu.txt", i);
		analysis_parse_buffer(an, arena_strdup(&an->arena, name), kinds[i], texts[i],
				      strlen(texts[i]));
	}
	analysis_diagnose(an);
	return an;
}

static const struct finding *find_rule(const struct analysis *an, const char *id)
{
	for (size_t i = 0; i < an->findings.n; i++)
		if (strcmp(an->findings.v[i]->rule->id, id) == 0)
			return an->findings.v[i];
	return NULL;
}

static bool cites(const struct finding *f, const char *file)
{
	for (size_t i = 0; i < f->evidence.n; i++)
		if (f->evidence.v[i].file && strcmp(f->evidence.v[i].file, file) == 0)
			return true;
	return false;
}

static const char syn_line[] =
	"[ 9001.000001] TCP: request_sock_TCP: Possible SYN flooding on port 8000. Sending cookies.  "
	"Check SNMP counters.\n";

/* The line alone: the SYN queue was full once, a flood or a burst; never a
 * warning, never the root cause. */
static void test_rule_syn_line_alone(void **state)
{
	(void)state;
	const char *kinds[] = { "kernel-log" };
	const char *texts[] = { syn_line };
	struct analysis *an = diagnose(kinds, texts, 1);
	const struct finding *f = find_rule(an, "syn-flood");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_true(f->confidence <= 0.3);
	assert_int_equal(finding_fact(f, "port")->i, 8000);
	assert_true(cites(f, "in0.txt"));
	assert_null(an->root);
	assert_int_equal(an->verdict, VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(f->advice, "SyncookiesRecv"));
	analysis_free(an);
}

/* The line with an overflowing accept queue (netstat -s | grep -i listen
 * before and after) and a small backlog (ss -ltn): a burst, not a flood;
 * the accept-queue and backlog findings cite the line. */
static void test_rule_syn_line_with_overflow(void **state)
{
	(void)state;
	const char *kinds[] = { "kernel-log", "netstat-s", "netstat-s", "ss" };
	const char *texts[] = {
		syn_line,
		"2026-11-25T09:14:00Z\n    1200 times the listen queue of a socket overflowed\n"
		"    1200 SYNs to LISTEN sockets dropped\n",
		"2026-11-25T09:15:00Z\n    4812 times the listen queue of a socket overflowed\n"
		"    4812 SYNs to LISTEN sockets dropped\n",
		"2026-11-25T09:14:30Z\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 129    128    0.0.0.0:8000       0.0.0.0:*\n",
	};
	struct analysis *an = diagnose(kinds, texts, 4);
	const struct finding *ov = find_rule(an, "accept-queue-overflow");
	assert_non_null(ov);
	assert_int_equal(ov->severity, SEV_CRITICAL);
	assert_int_equal(finding_fact(ov, "ListenOverflows")->i, 3612);
	assert_int_equal(finding_fact(ov, "kernel_syn_flood_lines")->i, 1);
	assert_true(cites(ov, "in0.txt"));
	assert_null(find_rule(an, "syn-flood"));
	/* said: not an attack */
	bool noted = false;
	for (size_t i = 0; i < an->notes.n; i++)
		noted |= strstr(an->notes.v[i], "not an attack") != NULL;
	assert_true(noted);
	assert_non_null(an->root);
	analysis_free(an);
}

/* journalctl -k with conntrack full, counters showing no listener drop:
 * the SYNs were dropped before TCP. */
static void test_rule_conntrack(void **state)
{
	(void)state;
	const char *kinds[] = { "kernel-log", "nstat", "nstat" };
	const char *texts[] = {
		"Nov 25 09:14:02 web1 kernel: nf_conntrack: nf_conntrack: table full, dropping "
		"packet\n",
		"2026-11-25T09:14:00Z\n$ nstat -az TcpExtListen*\n#kernel\n"
		"TcpExtListenOverflows 10 0.0\nTcpExtListenDrops 10 0.0\n",
		"2026-11-25T09:15:00Z\n$ nstat -az TcpExtListen*\n#kernel\n"
		"TcpExtListenOverflows 10 0.0\nTcpExtListenDrops 10 0.0\n",
	};
	struct analysis *an = diagnose(kinds, texts, 3);
	const struct finding *f = find_rule(an, "syn-unanswered");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_string_equal(finding_fact(f, "cause")->str, "conntrack-table-full");
	assert_int_equal(finding_fact(f, "ListenDrops")->i, 0);
	assert_true(f->confidence >= 0.75);
	assert_ptr_equal(an->root, f);
	assert_null(find_rule(an, "accept-queue-overflow"));
	analysis_free(an);
}

/* file-max reached: the system-wide descriptor limit. */
static void test_rule_file_max(void **state)
{
	(void)state;
	const char *kinds[] = { "kernel-log" };
	const char *texts[] = { "[ 77.0] VFS: file-max limit 810000 reached\n" };
	struct analysis *an = diagnose(kinds, texts, 1);
	const struct finding *f = find_rule(an, "fd-exhaustion");
	assert_non_null(f);
	assert_int_equal(finding_fact(f, "file_max")->i, 810000);
	assert_int_equal(f->severity, SEV_CRITICAL);
	analysis_free(an);
	/* known to be a day before the evidence: history, not the incident */
	const char *k2[] = { "kernel-log", "nstat", "nstat" };
	const char *t2[] = {
		"2026-11-24T09:00:00+00:00 web1 kernel: VFS: file-max limit 810000 reached\n",
		"2026-11-25T09:14:00Z\n$ nstat -az\n#kernel\nTcpExtListenOverflows 10 0.0\n",
		"2026-11-25T09:15:00Z\n$ nstat -az\n#kernel\nTcpExtListenOverflows 10 0.0\n",
	};
	an = diagnose(k2, t2, 3);
	f = find_rule(an, "fd-exhaustion");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	analysis_free(an);
}

/* Orphans and tcp_mem: notes, no finding; an empty kernel log: checked. */
static void test_rule_notes(void **state)
{
	(void)state;
	const char *kinds[] = { "kernel-log" };
	const char *texts[] = { "[ 5.0] TCP: too many orphaned sockets\n"
				"[ 6.0] TCP: out of memory -- consider tuning tcp_mem\n" };
	struct analysis *an = diagnose(kinds, texts, 1);
	assert_int_equal(an->findings.n, 0);
	assert_int_equal(an->notes.n, 2);
	assert_non_null(strstr(an->notes.v[0], "tcp_max_orphans"));
	assert_non_null(strstr(an->notes.v[1], "tcp_mem"));
	analysis_free(an);
	const char *t2[] = { "[ 5.0] e1000e: eth0 NIC Link is Up\n[ 6.0] EXT4-fs: mounted\n" };
	an = diagnose(kinds, t2, 1);
	assert_int_equal(an->checked.n, 1);
	assert_non_null(strstr(an->checked.v[0], "2 kernel lines"));
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_rule_syn_line_alone),
		cmocka_unit_test(test_rule_syn_line_with_overflow),
		cmocka_unit_test(test_rule_conntrack),
		cmocka_unit_test(test_rule_file_max),
		cmocka_unit_test(test_rule_notes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
