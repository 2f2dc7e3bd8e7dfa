/* test_sockdiag.c — probes/sockdiag.c against sockets this test creates on
 * 127.0.0.1 and ::1: a listener with a known backlog and connections left in
 * its accept queue, an accepted connection with unread bytes, one in
 * CLOSE_WAIT. What sock_diag reports must equal what the test made, what
 * `ss -tan` prints, and must come back unchanged through parse_ss.c. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probes/procfs.h"
#include "probes/sockdiag.h"

#define BACKLOG 3
#define QUEUED 2	/* connections left in the accept queue */
#define UNREAD 100	/* bytes sent to the accepted connection, never read */

struct fixture {
	int family;
	int lfd;		/* listener */
	uint16_t port;
	int clients[QUEUED + 2];
	int acc_data;		/* accepted, with UNREAD bytes waiting */
	int acc_closed;		/* accepted, its client closed: CLOSE_WAIT */
	uint64_t lino, data_ino, closed_ino;
};

static uint64_t inode_of(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static int make_addr(int family, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		*len = sizeof(*a);
	}
	return 0;
}

static int connect_to(struct fixture *fx)
{
	struct sockaddr_storage ss;
	socklen_t len;
	make_addr(fx->family, fx->port, &ss, &len);
	int c = socket(fx->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&ss, len), 0);
	return c;
}

static int accept_one(struct fixture *fx)
{
	struct pollfd pf = { fx->lfd, POLLIN, 0 };
	assert_int_equal(poll(&pf, 1, 2000), 1);
	int a = accept4(fx->lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(a >= 0);
	return a;
}

/* Wait until the kernel shows `n` bytes readable on fd (loopback is quick,
 * but not synchronous with send()). */
static void wait_readable(int fd)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	assert_int_equal(poll(&pf, 1, 2000), 1);
}

static int setup_family(void **state, int family)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->family = family;
	fx->lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss;
	socklen_t len;
	make_addr(family, 0, &ss, &len);
	if (fx->lfd < 0 || bind(fx->lfd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fx->lfd, BACKLOG) != 0) {
		if (fx->lfd >= 0)
			close(fx->lfd);
		free(fx);
		*state = NULL;
		return 0;	/* no such stack here: the tests skip */
	}
	len = sizeof(ss);
	getsockname(fx->lfd, (struct sockaddr *)&ss, &len);
	fx->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					   : ((struct sockaddr_in6 *)&ss)->sin6_port);
	fx->lino = inode_of(fx->lfd);
	/* two connections accepted: one gets unread data, one is closed by
	 * its client (CLOSE_WAIT); then QUEUED left in the accept queue */
	fx->clients[0] = connect_to(fx);
	fx->acc_data = accept_one(fx);
	fx->clients[1] = connect_to(fx);
	fx->acc_closed = accept_one(fx);
	char data[UNREAD];
	memset(data, 'x', sizeof(data));
	assert_int_equal(send(fx->clients[0], data, sizeof(data), 0), UNREAD);
	wait_readable(fx->acc_data);
	close(fx->clients[1]);
	fx->clients[1] = -1;
	wait_readable(fx->acc_closed);	/* the FIN arrived */
	for (int i = 0; i < QUEUED; i++)
		fx->clients[2 + i] = connect_to(fx);
	fx->data_ino = inode_of(fx->acc_data);
	fx->closed_ino = inode_of(fx->acc_closed);
	/* the last handshake completes in softirq: give it a moment */
	usleep(50000);
	*state = fx;
	return 0;
}

static int setup4(void **state)
{
	return setup_family(state, AF_INET);
}

static int setup6(void **state)
{
	return setup_family(state, AF_INET6);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	if (!fx)
		return 0;
	for (size_t i = 0; i < sizeof(fx->clients) / sizeof(fx->clients[0]); i++)
		if (fx->clients[i] > 0)
			close(fx->clients[i]);
	close(fx->acc_data);
	close(fx->acc_closed);
	close(fx->lfd);
	free(fx);
	return 0;
}

static bool our_port(const struct sockdiag_sock *s, void *arg)
{
	const struct fixture *fx = arg;
	return s->family == fx->family && (s->sport == fx->port || s->dport == fx->port);
}

static const struct sockdiag_sock *find_ino(const struct sockdiag_table *t, uint64_t ino)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].inode == ino)
			return &t->v[i];
	return NULL;
}

static void dump(struct fixture *fx, struct sockdiag_table *t)
{
	char err[256];
	memset(t, 0, sizeof(*t));
	int rc = sockdiag_dump(t, fx->family, SOCKDIAG_ALL_STATES, err, sizeof(err));
	if (rc != 0)
		fail_msg("sockdiag_dump: %s", err);
}

static void test_queues_and_inodes(void **state)
{
	struct fixture *fx = *state;
	if (!fx)
		skip();
	struct sockdiag_table t;
	dump(fx, &t);
	const struct sockdiag_sock *l = find_ino(&t, fx->lino);
	assert_non_null(l);
	assert_int_equal(l->state, TCP_LISTEN);
	assert_int_equal(l->rqueue, QUEUED);	/* sk_ack_backlog */
	assert_int_equal(l->wqueue, BACKLOG);	/* sk_max_ack_backlog */
	assert_int_equal(l->sport, fx->port);
	assert_int_equal(l->uid, getuid());

	const struct sockdiag_sock *d = find_ino(&t, fx->data_ino);
	assert_non_null(d);
	assert_int_equal(d->state, TCP_ESTABLISHED);
	assert_int_equal(d->rqueue, UNREAD);
	assert_int_equal(d->wqueue, 0);
	assert_true(d->have_info);

	const struct sockdiag_sock *c = find_ino(&t, fx->closed_ino);
	assert_non_null(c);
	assert_int_equal(c->state, TCP_CLOSE_WAIT);

	/* the queued connections: server side ESTAB with no inode yet */
	size_t queued = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].sport == fx->port && t.v[i].state == TCP_ESTABLISHED && t.v[i].inode == 0)
			queued++;
	assert_int_equal(queued, QUEUED);
	sockdiag_table_release(&t);
}

/* The numbers `ss -tan` prints for our port, compared row by row. */
static void test_matches_ss(void **state)
{
	struct fixture *fx = *state;
	if (!fx)
		skip();
	if (system("ss -V >/dev/null 2>&1") != 0)
		skip();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ss -Htan%s 'sport = :%u' 2>/dev/null",
		 fx->family == AF_INET ? "4" : "6", fx->port);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct sockdiag_table t;
	dump(fx, &t);
	char line[1024];
	int rows = 0;
	while (fgets(line, sizeof(line), p)) {
		char st[32], local[128], peer[128];
		unsigned rq, sq;
		if (sscanf(line, "%31s %u %u %127s %127s", st, &rq, &sq, local, peer) != 5)
			continue;
		rows++;
		/* find the same socket in our dump by its addresses */
		bool found = false;
		for (size_t i = 0; i < t.n && !found; i++) {
			const struct sockdiag_sock *s = &t.v[i];
			if (!our_port(s, fx) || s->sport != fx->port)
				continue;
			char a[64], b[64];
			sockdiag_format_addr(s->family, s->src, s->sport, false, a, sizeof(a));
			sockdiag_format_addr(s->family, s->dst, s->dport, s->state == TCP_LISTEN, b,
					     sizeof(b));
			if (strcmp(a, local) != 0 || strcmp(b, peer) != 0)
				continue;
			found = true;
			assert_string_equal(tcp_state_name(s->state), st);
			assert_int_equal(s->rqueue, rq);
			assert_int_equal(s->wqueue, sq);
		}
		if (!found)
			fail_msg("ss row not in sock_diag dump: %s", line);
	}
	pclose(p);
	assert_int_equal(rows, 1 + QUEUED + 2);	/* listener, queued, data, close-wait */
	sockdiag_table_release(&t);
}

/* Our ss text read back by parse_ss.c (and sniffed as ss): same rows,
 * queues, inodes, owners. */
static void test_round_trip(void **state)
{
	struct fixture *fx = *state;
	if (!fx)
		skip();
	struct sockdiag_table t;
	dump(fx, &t);
	struct procfs_sockmap owners = { 0 };
	int32_t me = getpid();
	char err[256];
	assert_int_equal(procfs_sockmap_scan(&owners, &me, 1, err, sizeof(err)), 0);
	struct strbuf text = STRBUF_INIT;
	sockdiag_write_ss(&text, &t, &owners, our_port, fx);
	assert_string_equal(sniff_name(text.buf, text.len), "ss");

	struct analysis *an = parse_text("ss", text.buf);
	assert_int_equal(an->inc.sock_snaps.n, 1);
	const struct sock_snapshot *snap = an->inc.sock_snaps.v[0];
	assert_true(snap->listen_send_q_is_limit);
	assert_true(snap->has_owners);
	size_t kept = 0;
	for (size_t i = 0; i < t.n; i++)
		if (our_port(&t.v[i], fx))
			kept++;
	assert_int_equal(snap->rows.n, kept);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	bool saw_listen = false, saw_data = false;
	for (size_t i = 0; i < snap->rows.n; i++) {
		const struct sock_row *r = &snap->rows.v[i];
		if (r->have_inode && r->inode == fx->lino) {
			saw_listen = true;
			assert_int_equal(r->state, TCP_LISTEN);
			assert_int_equal(r->recv_q, QUEUED);
			assert_int_equal(r->send_q, BACKLOG);
			assert_int_equal(r->local.port, fx->port);
			assert_true(r->peer.any_port);
			assert_int_equal(r->n_owners, 1);
			assert_int_equal(r->owners[0].pid, me);
			assert_int_equal(r->owners[0].fd, fx->lfd);
		}
		if (r->have_inode && r->inode == fx->data_ino) {
			saw_data = true;
			assert_int_equal(r->state, TCP_ESTABLISHED);
			assert_int_equal(r->recv_q, UNREAD);
			assert_true(r->rcv_space >= 0);	/* the tcp_info line was read */
			assert_int_equal(r->owners[0].fd, fx->acc_data);
		}
	}
	assert_true(saw_listen);
	assert_true(saw_data);
	analysis_free(an);
	strbuf_release(&text);
	procfs_sockmap_release(&owners);
	sockdiag_table_release(&t);
}

/* The table survives the trip out of a netns helper child. */
static void test_serialize(void **state)
{
	struct fixture *fx = *state;
	if (!fx)
		skip();
	struct sockdiag_table t, back = { 0 };
	dump(fx, &t);
	struct strbuf b = STRBUF_INIT;
	sockdiag_table_serialize(&t, &b);
	assert_int_equal(sockdiag_table_deserialize(&back, b.buf, b.len), 0);
	assert_int_equal(back.n, t.n);
	if (t.n)
		assert_memory_equal(back.v, t.v, t.n * sizeof(t.v[0]));
	assert_int_equal(sockdiag_table_deserialize(&back, b.buf, 5), -1);	/* short */
	strbuf_release(&b);
	sockdiag_table_release(&t);
	sockdiag_table_release(&back);
}

/* netns_run in our own namespace runs the function in-process. */
static void test_netns_run_self(void **state)
{
	struct fixture *fx = *state;
	if (!fx)
		skip();
	struct strbuf out = STRBUF_INIT;
	char err[256];
	assert_int_equal(netns_run(getpid(), sockdiag_netns_dump, NULL, &out, 5000, err,
				   sizeof(err)), 0);
	struct sockdiag_table t = { 0 };
	assert_int_equal(sockdiag_table_deserialize(&t, out.buf, out.len), 0);
	assert_non_null(find_ino(&t, fx->lino));
	sockdiag_table_release(&t);
	strbuf_release(&out);
	struct strbuf sys = STRBUF_INIT;
	assert_int_equal(netns_run(0, procfs_netns_sysctls, NULL, &sys, 5000, err, sizeof(err)),
			 0);
	assert_true(sys.len > 0);
	assert_non_null(strstr(sys.buf, "net.core.somaxconn = "));
	assert_string_equal(sniff_name(sys.buf, sys.len), "sysctl");
	strbuf_release(&sys);
}

static void test_procfs_self(void **state)
{
	(void)state;
	struct procfs_stat st;
	assert_int_equal(procfs_read_stat(getpid(), 0, &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_true(procfs_count_fds(getpid()) >= 3);
	assert_true(procfs_fd_limit(getpid()) > 0);
	struct strbuf b = STRBUF_INIT;
	assert_true(procfs_task_dump(getpid(), &b) >= 1);
	assert_string_equal(sniff_name(b.buf, b.len), "proc-task");
	struct analysis *an = parse_text("proc-task", b.buf);
	struct process *p = incident_process(&an->inc, getpid(), false);
	assert_non_null(p);
	assert_int_equal(p->ppid, getppid());
	assert_true(p->threads.n >= 1);
	analysis_free(an);
	strbuf_release(&b);
	/* a process that does not exist is "gone", not a crash */
	assert_int_equal(procfs_read_stat(0x3fffffff, 0, &st), -1);
	assert_int_equal(procfs_task_dump(0x3fffffff, &b), -1);
	strbuf_release(&b);
}

/* the same checks on ::1 (named apart in the TAP output) */
static void test_queues_and_inodes_ipv6(void **state)
{
	test_queues_and_inodes(state);
}

static void test_matches_ss_ipv6(void **state)
{
	test_matches_ss(state);
}

static void test_round_trip_ipv6(void **state)
{
	test_round_trip(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queues_and_inodes, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_matches_ss, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_serialize, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_netns_run_self, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_queues_and_inodes_ipv6, setup6, teardown),
		cmocka_unit_test_setup_teardown(test_matches_ss_ipv6, setup6, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_ipv6, setup6, teardown),
		cmocka_unit_test(test_procfs_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
