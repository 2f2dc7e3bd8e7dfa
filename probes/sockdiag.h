/* sockdiag.h — TCP sockets of the current network namespace through netlink
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag_req_v2), the way `ss -tanpie`
 * gets them (iproute2 misc/ss.c: sockdiag_send(), inet_show_sock()), and
 * their `ss` text so the bundle is read by analyzer/parse_ss.c unchanged.
 * Run it inside the target's namespace with netns_run() (procfs.h). */
#ifndef STUCKSCOPE_SOCKDIAG_H
#define STUCKSCOPE_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/tcpstate.h"
#include "procfs.h"

/* idiag_states: one bit per state, 1 << TCP_* (TCPF_*, include/net/tcp_states.h). */
#define SOCKDIAG_ALL_STATES 0xffffffffu
#define SOCKDIAG_LISTEN_ONLY (1u << TCP_LISTEN)	/* TCPF_LISTEN */

struct sockdiag_sock {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint8_t state;		/* TCP_ESTABLISHED .. TCP_NEW_SYN_RECV */
	uint8_t timer, retrans;	/* idiag_timer, idiag_retrans */
	/* LISTEN: accept-queue length and limit (sk_ack_backlog,
	 * sk_max_ack_backlog: tcp_diag_get_info(), net/ipv4/tcp_diag.c);
	 * others: bytes unread, bytes unacknowledged */
	uint32_t rqueue, wqueue;
	uint8_t src[16], dst[16];	/* network order; IPv4 in the first 4 */
	uint16_t sport, dport;	/* host order */
	uint32_t uid;
	uint64_t inode;		/* 0: a request or TIME-WAIT socket, or not yet accepted */
	uint64_t cookie;
	uint32_t expires_ms;
	int8_t v6only;		/* -1 not reported */
	/* INET_DIAG_INFO (struct tcp_info), when present */
	bool have_info;
	uint8_t backoff;
	uint32_t rto_us, rtt_us, rttvar_us, snd_mss, rcv_mss, unacked, lost, retrans_now,
		 total_retrans, rcv_space, snd_cwnd;
	int64_t snd_wnd;	/* -1: kernel too old to report it */
	uint64_t bytes_received, bytes_acked;
};

struct sockdiag_table {
	struct sockdiag_sock *v;
	size_t n, cap;
	bool truncated;
};

/* Dump TCP sockets of `family` (AF_INET or AF_INET6) whose state bit is in
 * `states` (1 << TCP_*), appended to t. 0, or -1 with err set. */
int sockdiag_dump(struct sockdiag_table *t, int family, uint32_t states, char *err, size_t errsz);
/* Both families; a missing IPv6 stack is not an error. */
int sockdiag_dump_all(struct sockdiag_table *t, uint32_t states, char *err, size_t errsz);
void sockdiag_table_release(struct sockdiag_table *t);

/* The table as raw records into out, and back (to carry it out of a netns
 * helper child). */
void sockdiag_table_serialize(const struct sockdiag_table *t, struct strbuf *out);
int sockdiag_table_deserialize(struct sockdiag_table *t, const char *p, size_t n);

/* A netns_fn: dumps every TCP socket (arg: uint32_t *states or NULL) and
 * writes the serialized table. */
int sockdiag_netns_dump(void *arg, struct strbuf *out, char *err, size_t errsz);

/* "127.0.0.1:8000", "[::1]:8000", "0.0.0.0:*" (ss's spelling). */
void sockdiag_format_addr(uint8_t family, const uint8_t *addr, uint16_t port, bool any_port,
			  char *buf, size_t size);

/* Which rows to write: keep(s, arg) true. NULL keeps all. */
typedef bool (*sockdiag_filter)(const struct sockdiag_sock *s, void *arg);

/* The table as `ss -tanpie` prints it: header, then one row per socket with
 * users:(("comm",pid=N,fd=N),...) from `owners` (may be NULL), uid:, ino:,
 * sk:, and a continuation line with tcp_info (rto, rtt, ..., rcv_space,
 * snd_wnd). Comm is escaped (non-printable bytes as \xNN; a '"' as \x22 so
 * the row always parses). */
void sockdiag_write_ss(struct strbuf *out, const struct sockdiag_table *t,
		       const struct procfs_sockmap *owners, sockdiag_filter keep, void *arg);

#endif
