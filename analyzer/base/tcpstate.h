/* tcpstate.h — TCP socket states: the kernel's numbers, and every way the
 * evidence spells them, in one table (tcpstate.c).
 *
 * The numbers are the kernel's (include/net/tcp_states.h): sock_diag
 * returns them in idiag_state, /proc/net/tcp prints them in hex ("0A").
 * They are named here rather than taken from <netinet/tcp.h> (glibc's copy,
 * which stops at TCP_CLOSING) because that header cannot be included next
 * to <linux/tcp.h>, which probes/sockdiag.c needs for the kernel's struct
 * tcp_info. A file that includes this one must not include <netinet/tcp.h>. */
#ifndef STUCKSCOPE_BASE_TCPSTATE_H
#define STUCKSCOPE_BASE_TCPSTATE_H

#include <stddef.h>

enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_NEW_SYN_RECV,	/* 12: a request socket (half-open, in the SYN queue) */
};
#define TCP_STATE_UNKNOWN 0	/* not a kernel state: a spelling we do not know */
#define TCP_STATE_MAX 13	/* states are 0 .. TCP_STATE_MAX - 1 */

/* The spelling families tcp_state_parse() accepts (any of). */
#define TCPSTATE_SS 0x1u	/* "ESTAB", "CLOSE-WAIT", "UNCONN": misc/ss.c sstate_name[] */
#define TCPSTATE_NETSTAT 0x2u	/* "ESTABLISHED", "CLOSE_WAIT", "CLOSE": net-tools tcp_state[] */
#define TCPSTATE_OTHER 0x4u	/* "CLOSED", "NEW_SYN_RECV": no tool's, seen in evidence */
#define TCPSTATE_ANY (TCPSTATE_SS | TCPSTATE_NETSTAT | TCPSTATE_OTHER)

/* The state as ss prints it ("ESTAB", "CLOSE-WAIT"); "UNKNOWN" for
 * TCP_STATE_UNKNOWN or a number out of range. */
const char *tcp_state_name(int state);

/* The state whose spelling in one of the `families` is exactly the n bytes
 * at p (case matters: the tools print upper case); TCP_STATE_UNKNOWN when
 * none is. */
int tcp_state_parse(const char *p, size_t n, unsigned families);

/* Any spelling: ss, netstat or other. */
int tcp_state_from_name(const char *p, size_t n);

/* A state keyword of an ss filter (`ss state close-wait`): misc/ss.c
 * scan_state(), which takes sstate_namel[] and a few aliases, ignoring case;
 * TCP_STATE_UNKNOWN for anything else, including the keywords that name
 * several states ("connected", "bucket", "all"). */
int tcp_state_from_filter(const char *p, size_t n);

#endif
