/* tcpstate.c — one table of TCP states and their spellings (tcpstate.h). */
#include "tcpstate.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct tcpstate_row {
	const char *ss;		/* misc/ss.c sstate_name[] */
	const char *netstat;	/* net-tools netstat.c tcp_state[] */
	const char *filter;	/* misc/ss.c sstate_namel[]: `ss state KEYWORD` */
	const char *other;	/* a spelling no tool prints but evidence shows */
} tcpstate_rows[TCP_STATE_MAX] = {
	[TCP_STATE_UNKNOWN] = { "UNKNOWN", NULL, NULL, NULL },
	[TCP_ESTABLISHED] = { "ESTAB", "ESTABLISHED", "established", NULL },
	[TCP_SYN_SENT] = { "SYN-SENT", "SYN_SENT", "syn-sent", NULL },
	[TCP_SYN_RECV] = { "SYN-RECV", "SYN_RECV", "syn-recv", NULL },
	[TCP_FIN_WAIT1] = { "FIN-WAIT-1", "FIN_WAIT1", "fin-wait-1", NULL },
	[TCP_FIN_WAIT2] = { "FIN-WAIT-2", "FIN_WAIT2", "fin-wait-2", NULL },
	[TCP_TIME_WAIT] = { "TIME-WAIT", "TIME_WAIT", "time-wait", NULL },
	[TCP_CLOSE] = { "UNCONN", "CLOSE", "unconnected", "CLOSED" },
	[TCP_CLOSE_WAIT] = { "CLOSE-WAIT", "CLOSE_WAIT", "close-wait", NULL },
	[TCP_LAST_ACK] = { "LAST-ACK", "LAST_ACK", "last-ack", NULL },
	[TCP_LISTEN] = { "LISTEN", "LISTEN", "listening", NULL },
	[TCP_CLOSING] = { "CLOSING", "CLOSING", "closing", NULL },
	/* Neither tool prints it: the kernel reports a request socket as
	 * TCP_SYN_RECV (inet_req_diag_fill(), net/ipv4/inet_diag.c;
	 * get_openreq4(), net/ipv4/tcp_ipv4.c). The ss-style spelling is ours. */
	[TCP_NEW_SYN_RECV] = { "NEW-SYN-RECV", NULL, NULL, "NEW_SYN_RECV" },
};

/* Keywords misc/ss.c scan_state() takes besides sstate_namel[] */
static const struct {
	const char *name;
	int state;
} tcpstate_filter_aliases[] = {
	{ "close", TCP_CLOSE },
	{ "closed", TCP_CLOSE },
	{ "syn-rcv", TCP_SYN_RECV },
	/* not ss's (scan_state() rejects it) but its usage text offers it */
	{ "listen", TCP_LISTEN },
};

const char *tcp_state_name(int state)
{
	if (state < 0 || state >= TCP_STATE_MAX)
		state = TCP_STATE_UNKNOWN;
	return tcpstate_rows[state].ss;
}

static bool tcpstate_eq(const char *name, const char *p, size_t n)
{
	return name && strlen(name) == n && memcmp(name, p, n) == 0;
}

int tcp_state_parse(const char *p, size_t n, unsigned families)
{
	for (int st = TCP_ESTABLISHED; st < TCP_STATE_MAX; st++) {
		const struct tcpstate_row *r = &tcpstate_rows[st];
		if (((families & TCPSTATE_SS) && tcpstate_eq(r->ss, p, n)) ||
		    ((families & TCPSTATE_NETSTAT) && tcpstate_eq(r->netstat, p, n)) ||
		    ((families & TCPSTATE_OTHER) && tcpstate_eq(r->other, p, n)))
			return st;
	}
	return TCP_STATE_UNKNOWN;
}

int tcp_state_from_name(const char *p, size_t n)
{
	return tcp_state_parse(p, n, TCPSTATE_ANY);
}

static bool tcpstate_caseeq(const char *name, const char *p, size_t n)
{
	return name && strlen(name) == n && strncasecmp(name, p, n) == 0;
}

int tcp_state_from_filter(const char *p, size_t n)
{
	for (int st = TCP_ESTABLISHED; st < TCP_STATE_MAX; st++)
		if (tcpstate_caseeq(tcpstate_rows[st].filter, p, n))
			return st;
	for (size_t i = 0; i < sizeof(tcpstate_filter_aliases) / sizeof(tcpstate_filter_aliases[0]);
	     i++)
		if (tcpstate_caseeq(tcpstate_filter_aliases[i].name, p, n))
			return tcpstate_filter_aliases[i].state;
	return TCP_STATE_UNKNOWN;
}
