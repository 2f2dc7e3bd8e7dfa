/* test_tcpstate.c — base/tcpstate.c: one table of TCP states, every
 * spelling. Rows of spellings, hostile ones beside good ones, then the
 * state words of the real ss and netstat outputs in ../shared/corpus. */
#include "testutil.h"

#include "base/tcpstate.h"

static const struct name_case {
	const char *word;
	unsigned families;
	int state;
} name_cases[] = {
	/* ss (misc/ss.c sstate_name[]) */
	{ "ESTAB", TCPSTATE_SS, TCP_ESTABLISHED },
	{ "SYN-SENT", TCPSTATE_SS, TCP_SYN_SENT },
	{ "SYN-RECV", TCPSTATE_SS, TCP_SYN_RECV },
	{ "FIN-WAIT-1", TCPSTATE_SS, TCP_FIN_WAIT1 },
	{ "FIN-WAIT-2", TCPSTATE_SS, TCP_FIN_WAIT2 },
	{ "TIME-WAIT", TCPSTATE_SS, TCP_TIME_WAIT },
	{ "UNCONN", TCPSTATE_SS, TCP_CLOSE },
	{ "CLOSE-WAIT", TCPSTATE_SS, TCP_CLOSE_WAIT },
	{ "LAST-ACK", TCPSTATE_SS, TCP_LAST_ACK },
	{ "LISTEN", TCPSTATE_SS, TCP_LISTEN },
	{ "CLOSING", TCPSTATE_SS, TCP_CLOSING },
	{ "NEW-SYN-RECV", TCPSTATE_SS, TCP_NEW_SYN_RECV },
	/* netstat (net-tools tcp_state[]) */
	{ "ESTABLISHED", TCPSTATE_NETSTAT, TCP_ESTABLISHED },
	{ "SYN_SENT", TCPSTATE_NETSTAT, TCP_SYN_SENT },
	{ "SYN_RECV", TCPSTATE_NETSTAT, TCP_SYN_RECV },
	{ "FIN_WAIT1", TCPSTATE_NETSTAT, TCP_FIN_WAIT1 },
	{ "FIN_WAIT2", TCPSTATE_NETSTAT, TCP_FIN_WAIT2 },
	{ "TIME_WAIT", TCPSTATE_NETSTAT, TCP_TIME_WAIT },
	{ "CLOSE", TCPSTATE_NETSTAT, TCP_CLOSE },
	{ "CLOSE_WAIT", TCPSTATE_NETSTAT, TCP_CLOSE_WAIT },
	{ "LAST_ACK", TCPSTATE_NETSTAT, TCP_LAST_ACK },
	{ "LISTEN", TCPSTATE_NETSTAT, TCP_LISTEN },
	{ "CLOSING", TCPSTATE_NETSTAT, TCP_CLOSING },
	/* no tool's */
	{ "CLOSED", TCPSTATE_OTHER, TCP_CLOSE },
	{ "NEW_SYN_RECV", TCPSTATE_OTHER, TCP_NEW_SYN_RECV },
	/* one family only: the sniffer tells ss from netstat by these */
	{ "ESTAB", TCPSTATE_NETSTAT, TCP_STATE_UNKNOWN },
	{ "ESTABLISHED", TCPSTATE_SS, TCP_STATE_UNKNOWN },
	{ "CLOSE", TCPSTATE_SS, TCP_STATE_UNKNOWN },
	{ "UNCONN", TCPSTATE_NETSTAT, TCP_STATE_UNKNOWN },
	{ "CLOSED", TCPSTATE_SS | TCPSTATE_NETSTAT, TCP_STATE_UNKNOWN },
	{ "NEW-SYN-RECV", TCPSTATE_NETSTAT, TCP_STATE_UNKNOWN },
	{ "ESTAB", 0, TCP_STATE_UNKNOWN },
	/* unknown stays unknown */
	{ "UNKNOWN", TCPSTATE_ANY, TCP_STATE_UNKNOWN },
	{ "BOUND-INACTIVE", TCPSTATE_ANY, TCP_STATE_UNKNOWN },	/* a newer kernel's: no row yet */
	{ "", TCPSTATE_ANY, TCP_STATE_UNKNOWN },
	{ "estab", TCPSTATE_ANY, TCP_STATE_UNKNOWN },		/* the tools print upper case */
	{ "ESTA", TCPSTATE_ANY, TCP_STATE_UNKNOWN },
	{ "ESTABB", TCPSTATE_ANY, TCP_STATE_UNKNOWN },
	{ "LISTEN ", TCPSTATE_ANY, TCP_STATE_UNKNOWN },
	{ "established", TCPSTATE_ANY, TCP_STATE_UNKNOWN },	/* a filter word, not a column */
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		int got = tcp_state_parse(c->word, strlen(c->word), c->families);
		if (got != c->state)
			fail_msg("case %zu '%s' families %#x: %d, want %d", i, c->word, c->families,
				 got, c->state);
		if (c->families && c->state != TCP_STATE_UNKNOWN &&
		    tcp_state_from_name(c->word, strlen(c->word)) != c->state)
			fail_msg("case %zu '%s': tcp_state_from_name disagrees", i, c->word);
	}
}

/* Bounded: the bytes after n are never looked at. */
static void test_parse_bounded(void **state)
{
	(void)state;
	const char *line = "LISTENING 0 128";
	assert_int_equal(tcp_state_from_name(line, 6), TCP_LISTEN);
	assert_int_equal(tcp_state_from_name(line, 9), TCP_STATE_UNKNOWN);
	char nul[] = { 'E', 'S', 'T', 'A', 'B', '\0', 'X' };
	assert_int_equal(tcp_state_from_name(nul, 5), TCP_ESTABLISHED);
	assert_int_equal(tcp_state_from_name(nul, 6), TCP_STATE_UNKNOWN);
	assert_int_equal(tcp_state_from_name(nul, 0), TCP_STATE_UNKNOWN);
}

static void test_name(void **state)
{
	(void)state;
	static const char *const want[TCP_STATE_MAX] = {
		"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
		"UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV",
	};
	for (int st = 0; st < TCP_STATE_MAX; st++) {
		assert_string_equal(tcp_state_name(st), want[st]);
		if (st != TCP_STATE_UNKNOWN)	/* every name parses back to its state */
			assert_int_equal(tcp_state_parse(want[st], strlen(want[st]), TCPSTATE_SS), st);
	}
	assert_string_equal(tcp_state_name(-1), "UNKNOWN");
	assert_string_equal(tcp_state_name(TCP_STATE_MAX), "UNKNOWN");
	assert_string_equal(tcp_state_name(0x7fffffff), "UNKNOWN");
	/* the kernel's numbers (include/net/tcp_states.h) */
	assert_int_equal(TCP_ESTABLISHED, 1);
	assert_int_equal(TCP_CLOSE_WAIT, 8);
	assert_int_equal(TCP_LISTEN, 10);
	assert_int_equal(TCP_NEW_SYN_RECV, 12);
}

static const struct filter_case {
	const char *word;
	int state;
} filter_cases[] = {
	/* misc/ss.c sstate_namel[] */
	{ "established", TCP_ESTABLISHED }, { "syn-sent", TCP_SYN_SENT },
	{ "syn-recv", TCP_SYN_RECV }, { "fin-wait-1", TCP_FIN_WAIT1 },
	{ "fin-wait-2", TCP_FIN_WAIT2 }, { "time-wait", TCP_TIME_WAIT },
	{ "unconnected", TCP_CLOSE }, { "close-wait", TCP_CLOSE_WAIT },
	{ "last-ack", TCP_LAST_ACK }, { "listening", TCP_LISTEN },
	{ "closing", TCP_CLOSING },
	/* scan_state()'s aliases, and its strcasecmp() */
	{ "close", TCP_CLOSE }, { "closed", TCP_CLOSE }, { "syn-rcv", TCP_SYN_RECV },
	{ "Established", TCP_ESTABLISHED }, { "CLOSE-WAIT", TCP_CLOSE_WAIT },
	{ "listen", TCP_LISTEN },
	/* several states, or none: not one state */
	{ "connected", TCP_STATE_UNKNOWN }, { "synchronized", TCP_STATE_UNKNOWN },
	{ "bucket", TCP_STATE_UNKNOWN }, { "big", TCP_STATE_UNKNOWN }, { "all", TCP_STATE_UNKNOWN },
	{ "ESTAB", TCP_STATE_UNKNOWN }, { "close_wait", TCP_STATE_UNKNOWN },
	{ "", TCP_STATE_UNKNOWN }, { "established)", TCP_STATE_UNKNOWN },
};

static void test_filter(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(filter_cases) / sizeof(filter_cases[0]); i++) {
		const struct filter_case *c = &filter_cases[i];
		int got = tcp_state_from_filter(c->word, strlen(c->word));
		if (got != c->state)
			fail_msg("filter case %zu '%s': %d, want %d", i, c->word, got, c->state);
	}
}

/* Every state word of a real file: `column` 0 = the first word of a row
 * after a "State" header, 1 = the word after a tcp/udp netid, 5 = netstat's
 * sixth column of a tcp row. */
static size_t corpus_words(const char *rel, unsigned families, int column)
{
	char path[512];
	FILE *f = fopen(shared_path(path, sizeof(path), rel), "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char line[4096];
	size_t n = 0;
	bool rows = false;
	while (fgets(line, sizeof(line), f)) {
		char w[6][128];
		int k = sscanf(line, "%127s %127s %127s %127s %127s %127s", w[0], w[1], w[2], w[3],
			       w[4], w[5]);
		if (k < 1)
			continue;
		if (!strcmp(w[0], "State") || !strcmp(w[0], "Netid") || !strcmp(w[0], "Proto")) {
			rows = true;
			continue;
		}
		if (!rows || k <= column || line[0] == '\t' || line[0] == ' ')
			continue;
		const char *word;
		if (column == 0)
			word = w[0];
		else if (column == 1 && (!strcmp(w[0], "tcp") || !strcmp(w[0], "udp")))
			word = w[1];
		else if (column == 5 && (!strcmp(w[0], "tcp") || !strcmp(w[0], "tcp6")))
			word = w[5];
		else
			continue;
		int st = tcp_state_parse(word, strlen(word), families);
		if (st == TCP_STATE_UNKNOWN)
			fail_msg("%s: state '%s' not read", rel, word);
		if ((families & TCPSTATE_SS) && strcmp(tcp_state_name(st), word) != 0)
			fail_msg("%s: '%s' named back as '%s'", rel, word, tcp_state_name(st));
		n++;
	}
	fclose(f);
	return n;
}

static void test_corpus(void **state)
{
	(void)state;
	assert_true(corpus_words("corpus/ss/tcpmon-ss-tanpmi-envoy-reuseport-old-iproute2.txt",
				 TCPSTATE_SS, 0) > 4000);
	assert_true(corpus_words("corpus/ss/kerneldoc-ss-ta-filter.txt", TCPSTATE_SS, 0) >= 2);
	assert_true(corpus_words("corpus/ss/sos-rhcos42-iproute-4.18.0-ss-peaonmi.txt", TCPSTATE_SS,
				 1) >= 20);
	assert_true(corpus_words("corpus/netstat/sos-rhcos42-net-tools-2.0-netstat-W-neopa.txt",
				 TCPSTATE_NETSTAT, 5) >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bounded),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
