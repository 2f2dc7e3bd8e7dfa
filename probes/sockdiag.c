/* sockdiag.c — TCP sockets through netlink sock_diag, as `ss -tanpie` gets
 * them (sockdiag.h).
 *
 * Request (iproute2 misc/ss.c sockdiag_send()): an nlmsghdr of type
 * SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, followed by a struct
 * inet_diag_req_v2 { family, IPPROTO_TCP, idiag_ext, idiag_states }. The
 * kernel answers one struct inet_diag_msg per socket
 * (inet_sk_diag_fill(), net/ipv4/inet_diag.c) with attributes; asking
 * idiag_ext bit INET_DIAG_INFO - 1 adds struct tcp_info (tcp_diag_get_info(),
 * net/ipv4/tcp_diag.c), whose length depends on the kernel: copy what came,
 * zero the rest, and trust a field only when the attribute reached it.
 *
 * What the queues mean (tcp_diag_get_info()):
 *   LISTEN: idiag_rqueue = sk_ack_backlog (accept queue now),
 *           idiag_wqueue = sk_max_ack_backlog (its limit, min(backlog, somaxconn))
 *   other:  idiag_rqueue = rcv_nxt - copied_seq (bytes not read by the application),
 *           idiag_wqueue = write_seq - snd_una (bytes not yet acknowledged)
 * Request sockets (the SYN queue) come from inet_req_diag_fill() with state
 * TCP_SYN_RECV and inode 0; TIME-WAIT ones from inet_twsk_diag_fill(), inode 0. */
#include "sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Bound: more sockets than this in one namespace are counted, not kept. */
#define SOCKDIAG_MAX_SOCKS 2000000

void sockdiag_format_addr(uint8_t family, const uint8_t *addr, uint16_t port, bool any_port,
			  char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "*";
	char p[8] = "*";
	if (family == AF_INET6)
		inet_ntop(AF_INET6, addr, a, sizeof(a));
	else
		inet_ntop(AF_INET, addr, a, sizeof(a));
	if (!any_port)
		snprintf(p, sizeof(p), "%u", port);
	if (family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", a, p);
	else
		snprintf(buf, size, "%s:%s", a, p);
}

static struct sockdiag_sock *table_push(struct sockdiag_table *t)
{
	if (t->n >= SOCKDIAG_MAX_SOCKS) {
		t->truncated = true;
		return NULL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sockdiag_sock *v = realloc(t->v, cap * sizeof(*v));
		if (!v) {
			t->truncated = true;
			return NULL;
		}
		t->v = v;
		t->cap = cap;
	}
	struct sockdiag_sock *s = &t->v[t->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

void sockdiag_table_release(struct sockdiag_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* One struct inet_diag_msg and its attributes. */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sockdiag_table *t = data;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return MNL_CB_OK;	/* short: skip it, keep the dump going */
	const struct inet_diag_msg *r = mnl_nlmsg_get_payload(nlh);
	struct sockdiag_sock *s = table_push(t);
	if (!s)
		return MNL_CB_OK;
	s->family = r->idiag_family;
	s->state = r->idiag_state;
	s->timer = r->idiag_timer;
	s->retrans = r->idiag_retrans;
	s->rqueue = r->idiag_rqueue;
	s->wqueue = r->idiag_wqueue;
	s->sport = ntohs(r->id.idiag_sport);
	s->dport = ntohs(r->id.idiag_dport);
	memcpy(s->src, r->id.idiag_src, s->family == AF_INET6 ? 16 : 4);
	memcpy(s->dst, r->id.idiag_dst, s->family == AF_INET6 ? 16 : 4);
	s->uid = r->idiag_uid;
	s->inode = r->idiag_inode;
	s->cookie = (uint64_t)r->id.idiag_cookie[1] << 32 | r->id.idiag_cookie[0];
	s->expires_ms = r->idiag_expires;
	s->v6only = -1;
	s->snd_wnd = -1;

	const struct nlattr *attr;
	mnl_attr_for_each(attr, nlh, sizeof(*r)) {
		uint16_t type = mnl_attr_get_type(attr);
		uint16_t len = mnl_attr_get_payload_len(attr);
		if (type == INET_DIAG_INFO) {
			struct tcp_info ti;
			memset(&ti, 0, sizeof(ti));
			memcpy(&ti, mnl_attr_get_payload(attr), len < sizeof(ti) ? len : sizeof(ti));
			s->have_info = true;
			s->backoff = ti.tcpi_backoff;
			s->rto_us = ti.tcpi_rto;
			s->rtt_us = ti.tcpi_rtt;
			s->rttvar_us = ti.tcpi_rttvar;
			s->snd_mss = ti.tcpi_snd_mss;
			s->rcv_mss = ti.tcpi_rcv_mss;
			s->unacked = ti.tcpi_unacked;
			s->lost = ti.tcpi_lost;
			s->retrans_now = ti.tcpi_retrans;
			s->total_retrans = ti.tcpi_total_retrans;
			s->rcv_space = ti.tcpi_rcv_space;
			s->snd_cwnd = ti.tcpi_snd_cwnd;
			if (len >= offsetof(struct tcp_info, tcpi_bytes_received) + 8) {
				s->bytes_acked = ti.tcpi_bytes_acked;
				s->bytes_received = ti.tcpi_bytes_received;
			}
			/* tcpi_snd_wnd: Linux 6.2 (commit 8f7baad7f035) */
			if (len >= offsetof(struct tcp_info, tcpi_snd_wnd) + 4)
				s->snd_wnd = ti.tcpi_snd_wnd;
		} else if (type == INET_DIAG_SKV6ONLY && len >= 1) {
			s->v6only = (int8_t)mnl_attr_get_u8(attr);
		}
	}
	return MNL_CB_OK;
}

int sockdiag_dump(struct sockdiag_table *t, int family, uint32_t states, char *err, size_t errsz)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl) {
		snprintf(err, errsz, "netlink sock_diag socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errsz, "netlink bind: %s", strerror(errno));
		mnl_socket_close(nl);
		return -1;
	}
	char req_buf[256];
	memset(req_buf, 0, sizeof(req_buf));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req_buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	unsigned seq = (unsigned)time(NULL);
	nlh->nlmsg_seq = seq;
	struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = states;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errsz, "netlink send: %s", strerror(errno));
		mnl_socket_close(nl);
		return -1;
	}
	unsigned portid = mnl_socket_get_portid(nl);
	/* a dump arrives in datagrams of up to 32 KiB (ss uses 32768 too) */
	size_t bufsz = 65536;
	char *buf = malloc(bufsz);
	if (!buf) {
		snprintf(err, errsz, "out of memory");
		mnl_socket_close(nl);
		return -1;
	}
	int rc = 0;
	for (;;) {
		ssize_t k = mnl_socket_recvfrom(nl, buf, bufsz);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "netlink receive: %s", strerror(errno));
			rc = -1;
			break;
		}
		int r = mnl_cb_run(buf, (size_t)k, seq, portid, dump_cb, t);
		if (r == MNL_CB_STOP)
			break;	/* NLMSG_DONE */
		if (r < 0) {
			snprintf(err, errsz, "sock_diag dump (family %d): %s", family,
				 strerror(errno));
			rc = -1;
			break;
		}
	}
	free(buf);
	mnl_socket_close(nl);
	return rc;
}

int sockdiag_dump_all(struct sockdiag_table *t, uint32_t states, char *err, size_t errsz)
{
	if (sockdiag_dump(t, AF_INET, states, err, errsz) < 0)
		return -1;
	char err6[256];
	if (sockdiag_dump(t, AF_INET6, states, err6, sizeof(err6)) < 0 &&
	    errno != EAFNOSUPPORT && errno != ENOENT) {
		snprintf(err, errsz, "%s", err6);
		return -1;
	}
	return 0;
}

void sockdiag_table_serialize(const struct sockdiag_table *t, struct strbuf *out)
{
	uint64_t n = t->n, trunc = t->truncated;
	strbuf_add(out, &n, sizeof(n));
	strbuf_add(out, &trunc, sizeof(trunc));
	if (t->n)
		strbuf_add(out, t->v, t->n * sizeof(t->v[0]));
}

int sockdiag_table_deserialize(struct sockdiag_table *t, const char *p, size_t n)
{
	uint64_t count, trunc;
	if (n < 16)
		return -1;
	memcpy(&count, p, 8);
	memcpy(&trunc, p + 8, 8);
	if (count > SOCKDIAG_MAX_SOCKS || (n - 16) / sizeof(struct sockdiag_sock) < count)
		return -1;
	for (uint64_t i = 0; i < count; i++) {
		struct sockdiag_sock *s = table_push(t);
		if (!s)
			return -1;
		memcpy(s, p + 16 + i * sizeof(*s), sizeof(*s));
	}
	if (trunc)
		t->truncated = true;
	return 0;
}

int sockdiag_netns_dump(void *arg, struct strbuf *out, char *err, size_t errsz)
{
	uint32_t states = arg ? *(const uint32_t *)arg : SOCKDIAG_ALL_STATES;
	struct sockdiag_table t = { 0 };
	int rc = sockdiag_dump_all(&t, states, err, errsz);
	if (rc == 0)
		sockdiag_table_serialize(&t, out);
	sockdiag_table_release(&t);
	return rc;
}

/* ---- ss text */

/* A comm as ss would print it, but safe to parse back: printable ASCII kept,
 * everything else, '"' and '\\' as \xNN (STYLE.md §9). */
static void escape_comm(const char *in, char *out, size_t size)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < size; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

struct ss_row {
	char state[16], rq[16], sq[16], local[64], peer[64];
	char *rest;		/* users:, uid:, ino:, sk: (malloc) */
	char *info;		/* continuation line, or NULL (malloc) */
};

static bool is_any_addr(const struct sockdiag_sock *s, const uint8_t *a)
{
	static const uint8_t zero[16];
	return memcmp(a, zero, s->family == AF_INET6 ? 16 : 4) == 0;
}

void sockdiag_write_ss(struct strbuf *out, const struct sockdiag_table *t,
		       const struct procfs_sockmap *owners, sockdiag_filter keep, void *arg)
{
	struct ss_row *rows = calloc(t->n ? t->n : 1, sizeof(*rows));
	if (!rows) {
		fputs("stuckscope: out of memory\n", stderr);	/* as strbuf_grow() */
		abort();
	}
	size_t n = 0;
	size_t w_state = 5, w_rq = 6, w_sq = 6, w_local = 17, w_peer = 17;
	for (size_t i = 0; i < t->n; i++) {
		const struct sockdiag_sock *s = &t->v[i];
		if (keep && !keep(s, arg))
			continue;
		struct ss_row *r = &rows[n++];
		/* a request socket is SYN-RECV to ss; the kernel reports it so
		 * anyway (inet_req_diag_fill()), never as TCP_NEW_SYN_RECV */
		snprintf(r->state, sizeof(r->state), "%s",
			 tcp_state_name(s->state == TCP_NEW_SYN_RECV ? TCP_SYN_RECV : s->state));
		snprintf(r->rq, sizeof(r->rq), "%u", s->rqueue);
		snprintf(r->sq, sizeof(r->sq), "%u", s->wqueue);
		sockdiag_format_addr(s->family, s->src, s->sport, false, r->local, sizeof(r->local));
		/* a listener's peer is the wildcard "0.0.0.0:*" / "[::]:*" */
		sockdiag_format_addr(s->family, s->dst, s->dport,
				     s->state == TCP_LISTEN && s->dport == 0 && is_any_addr(s, s->dst),
				     r->peer, sizeof(r->peer));
		struct strbuf rest = STRBUF_INIT;
		size_t cnt = 0;
		const struct procfs_fdref *o =
			owners && s->inode ? procfs_sockmap_find(owners, s->inode, &cnt) : NULL;
		if (o && cnt) {
			strbuf_addstr(&rest, "users:(");
			for (size_t k = 0; k < cnt; k++) {
				char comm[300];
				escape_comm(procfs_sockmap_comm(owners, o[k].pid), comm, sizeof(comm));
				strbuf_addf(&rest, "%s(\"%s\",pid=%d,fd=%d)", k ? "," : "", comm,
					      (int)o[k].pid, (int)o[k].fd);
			}
			strbuf_addstr(&rest, ") ");
		}
		/* -e: uid only when non-zero (inet_stats_print()), then ino and sk */
		if (s->uid)
			strbuf_addf(&rest, "uid:%u ", s->uid);
		strbuf_addf(&rest, "ino:%llu sk:%llx", (unsigned long long)s->inode,
			      (unsigned long long)s->cookie);
		if (s->v6only == 1)
			strbuf_addstr(&rest, " v6only:1");
		r->rest = strbuf_detach(&rest, NULL);
		if (s->have_info && s->state != TCP_TIME_WAIT && s->state != TCP_LISTEN &&
		    s->state != TCP_NEW_SYN_RECV) {
			struct strbuf info = STRBUF_INIT;
			/* tcp_show_info() spelling: rto and rtt in ms */
			strbuf_addf(&info, "\t rto:%g rtt:%g/%g mss:%u rcvmss:%u cwnd:%u",
				      s->rto_us / 1000.0, s->rtt_us / 1000.0, s->rttvar_us / 1000.0,
				      s->snd_mss, s->rcv_mss, s->snd_cwnd);
			if (s->backoff)
				strbuf_addf(&info, " backoff:%u", s->backoff);
			if (s->bytes_acked)
				strbuf_addf(&info, " bytes_acked:%llu",
					      (unsigned long long)s->bytes_acked);
			if (s->bytes_received)
				strbuf_addf(&info, " bytes_received:%llu",
					      (unsigned long long)s->bytes_received);
			if (s->unacked)
				strbuf_addf(&info, " unacked:%u", s->unacked);
			if (s->retrans_now || s->total_retrans)
				strbuf_addf(&info, " retrans:%u/%u", s->retrans_now,
					      s->total_retrans);
			if (s->lost)
				strbuf_addf(&info, " lost:%u", s->lost);
			strbuf_addf(&info, " rcv_space:%u", s->rcv_space);
			if (s->snd_wnd >= 0)
				strbuf_addf(&info, " snd_wnd:%lld", (long long)s->snd_wnd);
			r->info = strbuf_detach(&info, NULL);
		}
#define WIDEN(w, s) do { size_t l_ = strlen(s); if (l_ > (w)) (w) = l_; } while (0)
		WIDEN(w_state, r->state);
		WIDEN(w_rq, r->rq);
		WIDEN(w_sq, r->sq);
		WIDEN(w_local, r->local);
		WIDEN(w_peer, r->peer);
#undef WIDEN
	}
	/* misc/ss.c columns: State left, queues right, addresses right-aligned
	 * before the port (we keep "addr:port" whole, right-aligned) */
	strbuf_addf(out, "%-*s %*s %*s %*s %*s Process\n", (int)w_state, "State", (int)w_rq,
		      "Recv-Q", (int)w_sq, "Send-Q", (int)w_local, "Local Address:Port",
		      (int)w_peer, "Peer Address:Port");
	for (size_t i = 0; i < n; i++) {
		struct ss_row *r = &rows[i];
		strbuf_addf(out, "%-*s %*s %*s %*s %*s %s\n", (int)w_state, r->state, (int)w_rq,
			      r->rq, (int)w_sq, r->sq, (int)w_local, r->local, (int)w_peer,
			      r->peer, r->rest ? r->rest : "");
		if (r->info)
			strbuf_addf(out, "%s\n", r->info);
		free(r->rest);
		free(r->info);
	}
	free(rows);
}
