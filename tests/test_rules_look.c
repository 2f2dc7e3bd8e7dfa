/* test_rules_look.c — what one look shows, rule by rule, on incidents built
 * in memory (issue 14): a netstat LISTEN row whose Recv-Q only a full queue
 * reaches; CLOSE-WAIT connections never accepted (an accept stall, not a
 * leak); clients here waiting in SYN-SENT; one counter snapshot (or two
 * tools at one moment) is no window; a reuseport group never made of two
 * tools' rows. Every one-look finding carries the fact looks = 1 and a
 * confidence below what several looks give. */
#include "testutil.h"

#include <math.h>

#include "rules/rule.h"

static struct analysis *fresh(void)
{
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	return an;
}

static void add(struct analysis *an, const char *name, const char *kind, const char *text)
{
	analysis_parse_buffer(an, name, kind, text, strlen(text));
}

static const struct finding *find(const struct analysis *an, const char *rule)
{
	for (size_t i = 0; i < an->findings.n; i++)
		if (strcmp(an->findings.v[i]->rule->id, rule) == 0)
			return an->findings.v[i];
	return NULL;
}

static int64_t fact(const struct finding *f, const char *name)
{
	const struct fact *x = finding_fact(f, name);
	assert_non_null(x);
	return x->kind == FACT_BOOL ? (int64_t)(x->i != 0) : x->i;
}

static const char NETSTAT_HDR[] =
	"Active Internet connections (servers and established)\n"
	"Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n";

/* ---- accept queue, one netstat look */

static void test_netstat_listen_129(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), "%s%s", NETSTAT_HDR,
				      "tcp      129      0 0.0.0.0:8080            0.0.0.0:*               LISTEN     \n");
	for (int i = 0; i < 20; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"tcp        0      0 10.1.2.3:8080           10.9.8.%-3d:5%04d       ESTABLISHED\n",
					i + 1, i);
	add(an, "one/netstat-ant.txt", "netstat", text);
	analysis_diagnose(an);
	const struct finding *f = find(an, "accept-queue-overflow");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_true(f->confidence <= 0.7);
	assert_int_equal(fact(f, "limit_inferred"), 128);
	assert_int_equal(fact(f, "looks"), 1);
	assert_non_null(strstr(f->detail, "129 = 128 + 1"));
	assert_non_null(strstr(f->detail, "one look"));
	/* 128 is a common limit, not a small one: no backlog finding */
	assert_null(find(an, "backlog-too-small"));
	assert_ptr_equal(an->root, f);
	assert_int_equal(an->verdict, VERDICT_DEGRADED);
	analysis_free(an);
}

static void test_netstat_listen_6_python(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", NETSTAT_HDR,
		 "tcp        6      0 0.0.0.0:8000            0.0.0.0:*               LISTEN     \n");
	add(an, "one/netstat-ant.txt", "netstat", text);
	add(an, "one/sysctl.txt", "sysctl", "net.core.somaxconn = 4096\n");
	analysis_diagnose(an);
	const struct finding *b = find(an, "backlog-too-small");
	assert_non_null(b);
	assert_int_equal(fact(b, "backlog"), 5);
	assert_int_equal(fact(b, "backlog_inferred"), 1);
	assert_int_equal(fact(b, "looks"), 1);
	assert_true(b->confidence <= 0.6);
	assert_non_null(strstr(b->detail, "socketserver"));
	assert_non_null(find(an, "accept-queue-overflow"));
	analysis_free(an);
}

/* somaxconn + 1 is certain; a queue of 100 says nothing */
static void test_netstat_listen_somaxconn(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", NETSTAT_HDR,
		 "tcp     1025      0 0.0.0.0:8000            0.0.0.0:*               LISTEN     \n");
	add(an, "one/netstat-ant.txt", "netstat", text);
	add(an, "one/sysctl.txt", "sysctl", "net.core.somaxconn = 1024\n");
	analysis_diagnose(an);
	const struct finding *f = find(an, "accept-queue-overflow");
	assert_non_null(f);
	assert_non_null(strstr(f->detail, "somaxconn is 1024"));
	analysis_free(an);

	an = fresh();
	snprintf(text, sizeof(text), "%s%s", NETSTAT_HDR,
		 "tcp      100      0 0.0.0.0:8000            0.0.0.0:*               LISTEN     \n");
	add(an, "one/netstat-ant.txt", "netstat", text);
	analysis_diagnose(an);
	assert_null(find(an, "accept-queue-overflow"));
	analysis_free(an);
}

/* ---- connections never accepted: an accept stall, not a leak */

static void test_ss_tan_close_wait_in_queue(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char text[8192];
	size_t off = (size_t)snprintf(text, sizeof(text),
				      "State      Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
				      "LISTEN     12     128    0.0.0.0:80         0.0.0.0:*\n");
	for (int i = 0; i < 7; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"CLOSE-WAIT 79     0      10.0.0.1:80        10.0.0.%d:4%04d\n",
					i + 20, i);
	for (int i = 0; i < 5; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"ESTAB      78     0      10.0.0.1:80        10.0.0.%d:5%04d\n",
					i + 40, i);
	add(an, "one/ss-tan.txt", "ss", text);
	analysis_diagnose(an);
	const struct finding *f = find(an, "accept-queue-overflow");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(fact(f, "never_accepted_close_wait"), 7);
	assert_int_equal(fact(f, "looks"), 1);
	assert_true(f->confidence <= 0.6);
	assert_non_null(strstr(f->detail, "not a descriptor leak"));
	assert_null(find(an, "close-wait-accumulation"));
	assert_null(find(an, "unread-receive-queue"));
	assert_ptr_equal(an->root, f);
	analysis_free(an);
}

/* the same rows with an empty accept queue: accepted and never closed */
static void test_ss_tan_close_wait_accepted(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char text[8192];
	size_t off = (size_t)snprintf(text, sizeof(text),
				      "State      Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
				      "LISTEN     0      128    0.0.0.0:80         0.0.0.0:*\n");
	for (int i = 0; i < 7; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"CLOSE-WAIT 1      0      10.0.0.1:80        10.0.0.%d:4%04d\n",
					i + 20, i);
	add(an, "one/ss-tan.txt", "ss", text);
	analysis_diagnose(an);
	const struct finding *f = find(an, "close-wait-accumulation");
	assert_non_null(f);
	assert_int_equal(fact(f, "looks"), 1);
	assert_true(f->confidence < 0.75);
	assert_null(find(an, "accept-queue-overflow"));
	analysis_free(an);
}

/* netstat -antp: "-" for the queued ones, a pid for the leaked ones */
static void test_netstat_p_mixed(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	char text[8192];
	size_t off = (size_t)snprintf(text, sizeof(text),
				      "Active Internet connections (servers and established)\n"
				      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
				      "tcp        3      0 0.0.0.0:80              0.0.0.0:*               LISTEN      310/java\n");
	for (int i = 0; i < 3; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"tcp       81      0 10.0.0.1:80             10.0.0.%d:4%04d        CLOSE_WAIT  -\n",
					i + 20, i);
	for (int i = 0; i < 6; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"tcp        1      0 10.0.0.1:80             10.0.0.%d:5%04d        CLOSE_WAIT  310/java\n",
					i + 40, i);
	add(an, "one/netstat-antp.txt", "netstat", text);
	analysis_diagnose(an);
	const struct finding *cw = find(an, "close-wait-accumulation");
	assert_non_null(cw);
	assert_int_equal(fact(cw, "close_wait"), 6);
	assert_non_null(strstr(cw->detail, "3 more sit in the accept queue"));
	const struct finding *aq = find(an, "accept-queue-overflow");
	assert_non_null(aq);
	assert_int_equal(fact(aq, "never_accepted"), 3);
	const struct process *p = an->inc.processes.v[0];
	assert_int_equal(p->pid, 310);
	assert_int_equal(p->close_wait, 6);
	analysis_free(an);
}

/* ---- clients here, waiting */

static void test_syn_sent_local(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "one/ss-tan.txt", "ss",
	    "State    Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN   9      8      127.0.0.1:8000     0.0.0.0:*\n"
	    "SYN-SENT 0      1      127.0.0.1:41000    127.0.0.1:8000\n"
	    "SYN-SENT 0      1      127.0.0.1:41001    127.0.0.1:8000\n"
	    "SYN-SENT 0      1      127.0.0.1:41002    127.0.0.1:8000\n"
	    "SYN-SENT 0      1      10.0.0.5:41003     192.0.2.80:8000\n");
	analysis_diagnose(an);
	const struct finding *s = find(an, "syn-unanswered");
	assert_non_null(s);
	assert_int_equal(fact(s, "syn_sent"), 3);
	assert_int_equal(fact(s, "looks"), 1);
	assert_true(s->confidence <= 0.6);
	const struct finding *aq = find(an, "accept-queue-overflow");
	assert_non_null(aq);
	assert_string_equal(aq->title, "accept queue of 127.0.0.1:8000 full (one snapshot)");
	/* the chain: the full queue dropped the SYNs */
	assert_int_equal(s->caused_by.n, 1);
	assert_ptr_equal(s->caused_by.v[0], aq);
	analysis_free(an);
}

/* ---- counters in one look */

static const char NETSTAT_S[] =
	"TcpExt:\n"
	"    9107 times the listen queue of a socket overflowed\n"
	"    9107 SYNs to LISTEN sockets dropped\n";

static void test_one_counter_look(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "one/netstat-s.txt", "netstat-s", NETSTAT_S);
	analysis_diagnose(an);
	const struct finding *f = find(an, "accept-queue-overflow");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(fact(f, "looks"), 1);
	assert_non_null(strstr(f->title, "since boot"));
	assert_int_equal(an->verdict, VERDICT_INCONCLUSIVE);
	analysis_free(an);

	/* netstat -s and /proc/net/netstat of one moment: still one look, no
	 * "+0 over 2 snapshots" */
	an = fresh();
	add(an, "one/netstat-s.txt", "netstat-s", NETSTAT_S);
	add(an, "one/proc-net-netstat.txt", "proc-net-netstat",
	    "TcpExt: ListenOverflows ListenDrops\nTcpExt: 9107 9107\n");
	analysis_diagnose(an);
	assert_int_equal(an->inc.counter_order.moments, 1);
	f = find(an, "accept-queue-overflow");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	for (size_t i = 0; i < an->checked.n; i++)
		assert_null(strstr(an->checked.v[i], "ListenOverflows +0"));
	analysis_free(an);
}

/* a full queue in one ss look, and ListenOverflows in one counter look:
 * since boot, said beside the socket finding */
static void test_one_look_both(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "one/ss-ltn.txt", "ss",
	    "State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 129    128    0.0.0.0:80         0.0.0.0:*\n");
	add(an, "one/netstat-s.txt", "netstat-s", NETSTAT_S);
	analysis_diagnose(an);
	const struct finding *f = find(an, "accept-queue-overflow");
	assert_non_null(f);
	assert_int_equal(fact(f, "looks"), 1);
	assert_int_equal(fact(f, "ListenOverflows_total"), 9107);
	assert_non_null(strstr(f->detail, "not necessarily now"));
	analysis_free(an);
}

/* ---- reuseport: never from two tools */

static void test_reuseport_two_tools(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "two/ss-ltnp.txt", "ss",
	    "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
	    "LISTEN 9      8      0.0.0.0:80         0.0.0.0:*         users:((\"w\",pid=11,fd=3))\n");
	add(an, "two/ss-ltne.txt", "ss",
	    "State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 0      8      0.0.0.0:80         0.0.0.0:*         ino:777\n");
	add(an, "two/netstat-ant.txt", "netstat",
	    "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
	    "tcp        9      0 0.0.0.0:80              0.0.0.0:*               LISTEN\n");
	analysis_diagnose(an);
	assert_false(an->inc.listeners.v[0]->reuseport);
	assert_null(find(an, "reuseport-listener-stuck"));
	const struct listener *l = an->inc.listeners.v[0];
	assert_true(l->n_full_snapshots <= l->n_snapshots);
	analysis_free(an);
}

/* ---- healthy from one look says so */

static void test_healthy_one_look(void **state)
{
	(void)state;
	struct analysis *an = fresh();
	add(an, "one/ss-tan.txt", "ss",
	    "State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	    "LISTEN 0      128    0.0.0.0:80         0.0.0.0:*\n"
	    "ESTAB  0      0      10.0.0.1:80        10.0.0.9:40000\n");
	analysis_diagnose(an);
	const struct finding *f = find(an, "healthy");
	assert_non_null(f);
	assert_int_equal(fact(f, "looks"), 1);
	assert_true(f->confidence <= 0.5 + 1e-9);
	assert_non_null(strstr(f->detail, "one look"));
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netstat_listen_129),
		cmocka_unit_test(test_netstat_listen_6_python),
		cmocka_unit_test(test_netstat_listen_somaxconn),
		cmocka_unit_test(test_ss_tan_close_wait_in_queue),
		cmocka_unit_test(test_ss_tan_close_wait_accepted),
		cmocka_unit_test(test_netstat_p_mixed),
		cmocka_unit_test(test_syn_sent_local),
		cmocka_unit_test(test_one_counter_look),
		cmocka_unit_test(test_one_look_both),
		cmocka_unit_test(test_reuseport_two_tools),
		cmocka_unit_test(test_healthy_one_look),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
