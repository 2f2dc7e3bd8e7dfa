/* test_derive.c — derive.c and order.c on incidents built in memory:
 * snapshots with times, mtimes and names -> the order chosen and the note
 * that says why; counters that contradict names or mtimes; the same moment
 * seen by ss, netstat and /proc/net/tcp -> one observation; SO_REUSEPORT
 * groups only from distinct sockets; a full queue where netstat hides the
 * limit; connections never accepted (issue 14). */
#include "testutil.h"

#include <math.h>

/* Parse `text` as one input of `kind` named `name`, as if its file's mtime
 * were `mtime` (0: no mtime, a buffer) and, when `at` is not NAN, as if
 * --at had dated it. */
static struct input *add(struct analysis *an, const char *name, const char *kind,
			 const char *text, double mtime, double at)
{
	analysis_parse_buffer(an, name, kind, text, strlen(text));
	struct input *in = &an->inputs.v[an->inputs.n - 1];
	in->mtime = mtime;
	if (!isnan(at)) {
		in->at = at;
		in->at_src = TIME_LABEL;
	} else if (in->at_src == TIME_NONE && mtime > 0) {
		in->at = mtime;
		in->at_src = TIME_MTIME;
	}
	return in;
}

static struct analysis *fresh(void)
{
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	return an;
}

/* /proc/net/netstat with these ListenOverflows, TCPTimeouts and two
 * counters that never change on this host (non-zero: a reboot would zero
 * them) */
static const char *netstat_text(char *buf, size_t n, long ovf, long timeouts, long still)
{
	snprintf(buf, n,
		 "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPTimeouts TW PAWSEstab\n"
		 "TcpExt: 0 %ld %ld %ld %ld %ld\n", ovf, ovf, timeouts, still, still + 3);
	return buf;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static const char *cnt_file(const struct analysis *an, size_t i)
{
	return base(an->inc.counter_snaps.v[i]->file);
}

static const char *sock_file(const struct analysis *an, size_t i)
{
	return base(an->inc.sock_snaps.v[i]->file);
}

/* ---- order by names: phases, natural numbers */

static void test_order_names_natural(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	/* added in strcmp order, as a directory walk adds them; one mtime for
	 * all, as a git checkout leaves them */
	add(an, "case/nstat-10.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 30, 300, 7), 5e8, NAN);
	add(an, "case/nstat-2.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 20, 200, 7), 5e8, NAN);
	add(an, "case/nstat-after.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 40, 400, 7), 5e8, NAN);
	add(an, "case/nstat-before.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 10, 100, 7), 5e8, NAN);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->counter_snaps.n, 4);
	assert_string_equal(cnt_file(an, 0), "nstat-before.txt");
	assert_string_equal(cnt_file(an, 1), "nstat-2.txt");
	assert_string_equal(cnt_file(an, 2), "nstat-10.txt");
	assert_string_equal(cnt_file(an, 3), "nstat-after.txt");
	assert_int_equal(inc->counter_order.basis, ORDER_NAME);
	assert_int_equal(inc->counter_order.check, OCHECK_AGREE);
	assert_int_equal(inc->counter_order.moments, 4);
	assert_non_null(inc->counter_order.why);
	assert_non_null(strstr(inc->counter_order.why, "by file name"));
	assert_non_null(strstr(inc->counter_order.why, "mtimes are equal"));
	/* an mtime that orders nothing is no time */
	assert_true(isnan(inc->counter_snaps.v[0]->at));
	struct counter_span sp;
	assert_true(incident_counter_span(inc, "ListenOverflows", &sp));
	assert_int_equal(sp.delta, 30);
	assert_false(sp.went_backwards);
	assert_int_equal(sp.moments, 4);
	analysis_free(an);
}

/* ---- mtimes that differ beat names: logrotate's nstat.log.2 is older */

static void test_order_mtime_beats_names(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	add(an, "rot/nstat.log", "proc-net-netstat", netstat_text(b, sizeof(b), 30, 300, 7), 1.7e9 + 120, NAN);
	add(an, "rot/nstat.log.1", "proc-net-netstat", netstat_text(b, sizeof(b), 20, 200, 7), 1.7e9 + 60, NAN);
	add(an, "rot/nstat.log.2", "proc-net-netstat", netstat_text(b, sizeof(b), 10, 100, 7), 1.7e9, NAN);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_string_equal(cnt_file(an, 0), "nstat.log.2");
	assert_string_equal(cnt_file(an, 1), "nstat.log.1");
	assert_string_equal(cnt_file(an, 2), "nstat.log");
	assert_int_equal(inc->counter_order.basis, ORDER_MTIME);
	assert_int_equal(inc->counter_order.check, OCHECK_AGREE);
	assert_non_null(strstr(inc->counter_order.why, "by file mtime"));
	assert_non_null(strstr(inc->counter_order.why, "names alone would give another order"));
	assert_true(inc->counter_snaps.v[0]->at == 1.7e9);
	assert_int_equal(inc->counter_snaps.v[0]->at_src, TIME_MTIME);
	analysis_free(an);
}

/* mtimes within half a second of each other (a copy) carry no order */
static void test_order_close_mtimes_are_equal(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	add(an, "cp/netstat-after.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 30, 300, 7), 1.7e9, NAN);
	add(an, "cp/netstat-before.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 10, 100, 7), 1.7e9 + 0.004, NAN);
	derive_incident(an);
	assert_int_equal(an->inc.counter_order.basis, ORDER_NAME);
	assert_string_equal(cnt_file(an, 0), "netstat-before.txt");
	analysis_free(an);
}

/* ---- the counters contradict the names: the counters win */

static void test_order_counters_beat_names(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	/* the files were labelled the wrong way round: "before" holds the
	 * larger ListenOverflows, while TW and PAWSEstab kept their values */
	add(an, "x/netstat-after.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 100, 50, 7), 5e8, NAN);
	add(an, "x/netstat-before.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 350, 90, 7), 5e8, NAN);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->counter_order.basis, ORDER_COUNTERS);
	assert_int_equal(inc->counter_order.check, OCHECK_REORDERED);
	assert_string_equal(cnt_file(an, 0), "netstat-after.txt");
	assert_string_equal(cnt_file(an, 1), "netstat-before.txt");
	assert_non_null(strstr(inc->counter_order.why, "ListenOverflows went down from 350"));
	assert_non_null(strstr(inc->counter_order.why, "not a reboot"));
	struct counter_span sp;
	assert_true(incident_counter_span(inc, "ListenOverflows", &sp));
	assert_int_equal(sp.delta, 250);
	assert_false(sp.went_backwards);
	analysis_free(an);
}

/* every counter dropped and the times were given: a reboot, order kept */
static void test_order_reboot_keeps_given_times(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	add(an, "r/n1.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 500, 900, 7000), 0, 1.7e9);
	add(an, "r/n2.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 3, 5, 2), 0, 1.7e9 + 60);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->counter_order.basis, ORDER_TIME);
	assert_int_equal(inc->counter_order.check, OCHECK_REBOOT);
	assert_string_equal(cnt_file(an, 0), "n1.txt");
	assert_non_null(strstr(inc->counter_order.why, "a reboot"));
	struct counter_span sp;
	assert_true(incident_counter_span(inc, "ListenOverflows", &sp));
	assert_true(sp.went_backwards);
	analysis_free(an);
}

/* own times that the counters contradict (not a reboot: counters kept
 * their values) are kept and said */
static void test_order_own_times_kept_against_counters(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	add(an, "t/a.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 500, 900, 7), 0, 1.7e9);
	add(an, "t/b.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 3, 5, 7), 0, 1.7e9 + 60);
	derive_incident(an);
	assert_int_equal(an->inc.counter_order.basis, ORDER_TIME);
	assert_int_equal(an->inc.counter_order.check, OCHECK_CONTRADICT);
	assert_string_equal(cnt_file(an, 0), "a.txt");
	assert_non_null(strstr(an->inc.counter_order.why, "the order was kept"));
	analysis_free(an);
}

/* mtimes that contradict the names, every counter lower in mtime order:
 * reboot or wrong mtimes? The names are a second witness: in their order
 * every counter grows, so the names win, and the socket tables (copied
 * the same way) do not use their mtimes either */
static void test_order_names_and_counters_beat_mtimes(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	add(an, "m/netstat-s-after.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 280, 90, 30), 1.7e9, NAN);
	add(an, "m/netstat-s-before.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 0, 2, 1), 1.7e9 + 30, NAN);
	add(an, "m/ss-after.txt", "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 6 5 127.0.0.1:8000 0.0.0.0:*\n", 1.7e9, NAN);
	add(an, "m/ss-before.txt", "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*\n", 1.7e9 + 30, NAN);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->counter_order.check, OCHECK_REORDERED);
	assert_string_equal(cnt_file(an, 0), "netstat-s-before.txt");
	assert_non_null(strstr(inc->counter_order.why, "names and the counters agree"));
	assert_int_equal(inc->sock_order.basis, ORDER_NAME);
	assert_string_equal(sock_file(an, 0), "ss-before.txt");
	assert_non_null(strstr(inc->sock_order.why, "counters show them wrong"));
	analysis_free(an);
}

/* ---- own times, and kept mtimes beside them */

static void test_order_own_times(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "d/ss-b.txt", "ss",
	    "2026-11-25T09:14:05Z\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*\n", 1.7e9, NAN);
	add(an, "d/ss-a.txt", "ss",
	    "2026-11-25T09:14:09Z\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 6 5 127.0.0.1:8000 0.0.0.0:*\n", 1.7e9, NAN);
	derive_incident(an);
	assert_int_equal(an->inc.sock_order.basis, ORDER_TIME);
	assert_null(an->inc.sock_order.why);	/* nothing decided: nothing to say */
	assert_string_equal(sock_file(an, 0), "ss-b.txt");
	analysis_free(an);
}

static void test_order_own_times_and_kept_mtimes(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	struct input *a = add(an, "k/nstat-1.txt", "proc-net-netstat",
			       netstat_text(b, sizeof(b), 1, 10, 7), 0, NAN);
	a->at = 1.7e9;
	a->at_src = TIME_CONTENT;
	a->mtime = 1.7e9 + 0.05;	/* written right after its `date` line */
	add(an, "k/nstat-0.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 5, 20, 7), 1.7e9 + 40, NAN);
	derive_incident(an);
	assert_int_equal(an->inc.counter_order.basis, ORDER_TIME_MTIME);
	assert_string_equal(cnt_file(an, 0), "nstat-1.txt");
	assert_non_null(strstr(an->inc.counter_order.why, "mtimes were kept"));
	analysis_free(an);
}

/* ---- one observation per moment */

static const char SS_FULL[] =
	"State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
	"LISTEN 9 8 127.0.0.1:8000 0.0.0.0:* users:((\"python3\",pid=70,fd=3)) ino:4242\n"
	"ESTAB 0 0 127.0.0.1:8000 127.0.0.1:50000 users:((\"python3\",pid=70,fd=5))\n";
static const char NETSTAT_FULL[] =
	"Active Internet connections (servers and established)\n"
	"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
	"tcp        9      0 127.0.0.1:8000          0.0.0.0:*               LISTEN      70/python3\n"
	"tcp        0      0 127.0.0.1:8000          127.0.0.1:50000         ESTABLISHED 70/python3\n";
static const char PROC_FULL[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 0100007F:1F40 00000000:0000 0A 00000000:00000009 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n";

static void test_moment_three_tools_untimed(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "s/netstat-antp.txt", "netstat", NETSTAT_FULL, 5e8, NAN);
	add(an, "s/proc-net-tcp.txt", "proc-net-tcp", PROC_FULL, 5e8, NAN);
	add(an, "s/ss-tanpe.txt", "ss", SS_FULL, 5e8, NAN);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->sock_snaps.n, 3);
	assert_int_equal(inc->sock_order.moments, 1);
	assert_int_equal(inc->listeners.n, 1);
	const struct listener *l = inc->listeners.v[0];
	assert_int_equal(l->n_snapshots, 1);
	assert_int_equal(l->n_full_snapshots, 1);
	assert_false(l->reuseport);
	assert_int_equal(l->n_sockets, 1);
	analysis_free(an);
}

static void test_moment_by_time(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	/* ss at t, netstat 20 ms later, ss again 300 ms later: two looks, the
	 * netstat one belongs to the first */
	add(an, "t/a-ss.txt", "ss", SS_FULL, 0, 1.7e9);
	add(an, "t/b-netstat.txt", "netstat", NETSTAT_FULL, 0, 1.7e9 + 0.02);
	add(an, "t/c-ss.txt", "ss", SS_FULL, 0, 1.7e9 + 0.3);
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->sock_order.moments, 2);
	assert_int_equal(inc->sock_snaps.v[0]->moment, inc->sock_snaps.v[1]->moment);
	assert_string_equal(sock_file(an, 2), "c-ss.txt");
	assert_int_equal(inc->listeners.v[0]->n_snapshots, 2);
	assert_int_equal(inc->listeners.v[0]->n_full_snapshots, 2);
	analysis_free(an);
}

/* two runs of one tool are two looks, however close */
static void test_moment_same_tool_twice(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "u/ss-1.txt", "ss", SS_FULL, 0, 1.7e9);
	add(an, "u/ss-2.txt", "ss", SS_FULL, 0, 1.7e9 + 0.01);
	derive_incident(an);
	assert_int_equal(an->inc.sock_order.moments, 2);
	analysis_free(an);
}

/* names that say two moments keep them apart; counters of two tools under
 * one name phase are one look */
static void test_moment_tags(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char b[256];
	add(an, "g/netstat-s-before.txt", "proc-net-netstat", netstat_text(b, sizeof(b), 1, 2, 7), 5e8, NAN);
	add(an, "g/nstat-before.txt", "proc-net-snmp",
	    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens\n"
	    "Tcp: 1 200 120000 -1 5 9\n", 5e8, NAN);
	add(an, "g/nstat-after.txt", "proc-net-snmp",
	    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens\n"
	    "Tcp: 1 200 120000 -1 5 19\n", 5e8, NAN);
	derive_incident(an);
	assert_int_equal(an->inc.counter_order.moments, 2);
	assert_string_equal(cnt_file(an, 2), "nstat-after.txt");
	analysis_free(an);
}

/* ---- SO_REUSEPORT: distinct sockets in one snapshot only */

static void test_reuseport_groups(void **state)
{
	(void)state;
	static const struct {
		const char *kind, *text;
		bool reuseport;
		uint32_t sockets;
	} cases[] = {
		/* nginx with reuseport in ss -ltn: identical rows, one per socket */
		{ "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
			"LISTEN 0 511 0.0.0.0:80 0.0.0.0:*\nLISTEN 0 511 0.0.0.0:80 0.0.0.0:*\n",
		  true, 2 },
		/* two inodes */
		{ "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
			"LISTEN 0 8 0.0.0.0:80 0.0.0.0:* ino:11\nLISTEN 9 8 0.0.0.0:80 0.0.0.0:* ino:12\n",
		  true, 2 },
		/* one socket listed twice (two outputs in one file): one inode */
		{ "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
			"LISTEN 0 8 0.0.0.0:80 0.0.0.0:* ino:11\nLISTEN 0 8 0.0.0.0:80 0.0.0.0:* ino:11\n",
		  false, 1 },
		{ "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
			"LISTEN 0 8 0.0.0.0:80 0.0.0.0:*\n",
		  false, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct analysis *an = fresh();
		add(an, "r/ss.txt", cases[i].kind, cases[i].text, 0, NAN);
		derive_incident(an);
		assert_int_equal(an->inc.listeners.n, 1);
		assert_int_equal(an->inc.listeners.v[0]->reuseport, cases[i].reuseport);
		assert_int_equal(an->inc.listeners.v[0]->n_sockets, cases[i].sockets);
		analysis_free(an);
	}
	/* two tools listing one socket at one moment: no group */
	struct analysis *an = fresh();
	add(an, "r/ss.txt", "ss", SS_FULL, 0, NAN);
	add(an, "r/netstat.txt", "netstat", NETSTAT_FULL, 0, NAN);
	derive_incident(an);
	assert_false(an->inc.listeners.v[0]->reuseport);
	analysis_free(an);
}

/* a full reuseport group seen by ss and netstat at one moment: full in 1
 * of 1, never more full snapshots than snapshots */
static void test_full_never_above_snapshots(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "f/ss.txt", "ss",
	    "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 9 8 0.0.0.0:80 0.0.0.0:* ino:11\nLISTEN 9 8 0.0.0.0:80 0.0.0.0:* ino:12\n"
	    "LISTEN 9 8 0.0.0.0:80 0.0.0.0:* ino:13\n", 0, NAN);
	add(an, "f/netstat.txt", "netstat",
	    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
	    "tcp        9      0 0.0.0.0:80              0.0.0.0:*               LISTEN\n"
	    "tcp        9      0 0.0.0.0:80              0.0.0.0:*               LISTEN\n"
	    "tcp        9      0 0.0.0.0:80              0.0.0.0:*               LISTEN\n", 0, NAN);
	derive_incident(an);
	const struct listener *l = an->inc.listeners.v[0];
	assert_int_equal(l->n_snapshots, 1);
	assert_int_equal(l->n_full_snapshots, 1);
	assert_true(l->reuseport);
	assert_int_equal(l->n_sockets, 3);
	analysis_free(an);
}

/* ---- a full queue where the limit is not shown */

static void test_inferred_full(void **state)
{
	(void)state;
	static const struct {
		unsigned recv_q;
		const char *somaxconn;	/* NULL: no sysctl */
		int64_t limit;		/* -1: not full */
		bool certain;
	} cases[] = {
		{ 129, NULL, 128, false },	/* the old default, full */
		{ 4097, NULL, 4096, false },
		{ 512, NULL, 511, false },	/* nginx, Redis */
		{ 6, NULL, 5, false },		/* Python socketserver */
		{ 9, NULL, 8, false },
		{ 129, "128", 128, true },	/* = somaxconn + 1: certain */
		{ 101, "4096", 100, false },
		{ 100, NULL, -1, false },	/* a queue, not a full one we can tell */
		{ 0, NULL, -1, false },
		{ 1, NULL, -1, false },
		{ 4097, "128", -1, false },	/* above what somaxconn allows: another netns */
		{ 130, NULL, -1, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct analysis *an = fresh();
		char text[512];
		snprintf(text, sizeof(text),
			 "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
			 "tcp     %5u      0 0.0.0.0:80              0.0.0.0:*               LISTEN\n",
			 cases[i].recv_q);
		add(an, "i/netstat-ant.txt", "netstat", text, 0, NAN);
		if (cases[i].somaxconn) {
			char s[64];
			snprintf(s, sizeof(s), "net.core.somaxconn = %s\n", cases[i].somaxconn);
			add(an, "i/sysctl.txt", "sysctl", s, 0, NAN);
		}
		derive_incident(an);
		const struct listener *l = an->inc.listeners.v[0];
		assert_int_equal(l->n_snapshots, 1);
		assert_int_equal(l->n_full_snapshots, cases[i].limit >= 0 ? 1 : 0);
		assert_int_equal(l->n_full_inferred, cases[i].limit >= 0 ? 1 : 0);
		assert_int_equal(l->limit_inferred, cases[i].limit);
		assert_int_equal(l->inferred_from_somaxconn, cases[i].certain);
		assert_int_equal(l->backlog, -1);
		analysis_free(an);
	}
	/* a limit ss showed at another moment judges netstat's rows: not inferred */
	struct analysis *an = fresh();
	add(an, "j/ss-1.txt", "ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 0 100 0.0.0.0:80 0.0.0.0:*\n", 0, 1.7e9);
	add(an, "j/netstat-2.txt", "netstat",
	    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
	    "tcp      101      0 0.0.0.0:80              0.0.0.0:*               LISTEN\n", 0, 1.7e9 + 5);
	derive_incident(an);
	assert_int_equal(an->inc.listeners.v[0]->n_full_snapshots, 1);
	assert_int_equal(an->inc.listeners.v[0]->n_full_inferred, 0);
	analysis_free(an);
}

/* ---- connections never accepted */

static size_t queued(const struct sock_snapshot *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		n += s->rows.v[i].in_accept_queue;
	return n;
}

static void test_accept_queue_rows(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t queued;
	} cases[] = {
		/* ss -tan (no owners): 3 CLOSE-WAIT holding requests, LISTEN Recv-Q 3 */
		{ "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		  "LISTEN 3 128 0.0.0.0:80 0.0.0.0:*\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40001\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40002\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40003\n", 3 },
		/* the listener's queue is empty: they were accepted (a leak) */
		{ "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		  "LISTEN 0 128 0.0.0.0:80 0.0.0.0:*\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40001\n", 0 },
		/* more than the queue holds: not ours to tell which */
		{ "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		  "LISTEN 1 128 0.0.0.0:80 0.0.0.0:*\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40001\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40002\n", 0 },
		/* CLOSE-WAIT with nothing unread (Recv-Q 1 is the FIN): read, then left */
		{ "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		  "LISTEN 3 128 0.0.0.0:80 0.0.0.0:*\n"
		  "CLOSE-WAIT 1 0 10.0.0.1:80 10.0.0.9:40001\n", 0 },
		/* ss -tanp: the ownerless ones are queued, the owned one is not */
		{ "State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		  "LISTEN 2 128 0.0.0.0:80 0.0.0.0:* users:((\"srv\",pid=9,fd=3))\n"
		  "ESTAB 78 0 10.0.0.1:80 10.0.0.9:40001\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40002\n"
		  "CLOSE-WAIT 79 0 10.0.0.1:80 10.0.0.9:40003 users:((\"srv\",pid=9,fd=7))\n", 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct analysis *an = fresh();
		add(an, "q/ss.txt", "ss", cases[i].text, 0, NAN);
		derive_incident(an);
		assert_int_equal(queued(an->inc.sock_snaps.v[0]), cases[i].queued);
		analysis_free(an);
	}
}

/* a client here connecting to a listener here, and the two ends of one
 * connection */
static void test_client_side(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "c/ss.txt", "ss",
	    "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 0 128 0.0.0.0:80 0.0.0.0:*\n"
	    "SYN-SENT 0 1 127.0.0.1:40001 127.0.0.1:80\n"
	    "SYN-SENT 0 1 10.0.0.1:40002 10.0.0.1:80\n"
	    "SYN-SENT 0 1 10.0.0.1:40003 192.0.2.7:80\n"
	    "FIN-WAIT-2 0 0 127.0.0.1:40004 127.0.0.1:80\n"
	    "CLOSE-WAIT 1 0 127.0.0.1:80 127.0.0.1:40004\n", 0, NAN);
	derive_incident(an);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	const struct listener *l = an->inc.listeners.v[0];
	assert_ptr_equal(derive_listener_of_peer(&an->inc, &s->rows.v[1]), l);
	assert_ptr_equal(derive_listener_of_peer(&an->inc, &s->rows.v[2]), l);
	assert_null(derive_listener_of_peer(&an->inc, &s->rows.v[3]));	/* a remote server */
	assert_true(derive_mirror(&s->rows.v[4], &s->rows.v[5]));
	assert_false(derive_mirror(&s->rows.v[5], &s->rows.v[4]) &&
		     !derive_mirror(&s->rows.v[4], &s->rows.v[5]));
	assert_false(derive_mirror(&s->rows.v[1], &s->rows.v[5]));
	analysis_free(an);
}

/* many snapshots: bounded work, every one numbered, moments adjacent */
static void test_many_snapshots(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char name[64];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "many/%s-%d.txt", i % 2 ? "netstat" : "ss", i / 2);
		add(an, name, i % 2 ? "netstat" : "ss", i % 2 ? NETSTAT_FULL : SS_FULL, 5e8, NAN);
	}
	derive_incident(an);
	const struct incident *inc = &an->inc;
	assert_int_equal(inc->sock_order.moments, 1500);
	for (size_t i = 1; i < inc->sock_snaps.n; i++)
		assert_true(inc->sock_snaps.v[i]->moment >= inc->sock_snaps.v[i - 1]->moment);
	assert_int_equal(inc->listeners.v[0]->n_snapshots, 1500);
	assert_true(inc->listeners.v[0]->n_full_snapshots <= inc->listeners.v[0]->n_snapshots);
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_names_natural),
		cmocka_unit_test(test_order_mtime_beats_names),
		cmocka_unit_test(test_order_close_mtimes_are_equal),
		cmocka_unit_test(test_order_counters_beat_names),
		cmocka_unit_test(test_order_reboot_keeps_given_times),
		cmocka_unit_test(test_order_own_times_kept_against_counters),
		cmocka_unit_test(test_order_names_and_counters_beat_mtimes),
		cmocka_unit_test(test_order_own_times),
		cmocka_unit_test(test_order_own_times_and_kept_mtimes),
		cmocka_unit_test(test_moment_three_tools_untimed),
		cmocka_unit_test(test_moment_by_time),
		cmocka_unit_test(test_moment_same_tool_twice),
		cmocka_unit_test(test_moment_tags),
		cmocka_unit_test(test_reuseport_groups),
		cmocka_unit_test(test_full_never_above_snapshots),
		cmocka_unit_test(test_inferred_full),
		cmocka_unit_test(test_accept_queue_rows),
		cmocka_unit_test(test_client_side),
		cmocka_unit_test(test_many_snapshots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
