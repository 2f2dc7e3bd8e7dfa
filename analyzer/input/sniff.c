/* sniff.c — what kind of evidence a file holds, from its content alone
 * (DESIGN.md job 1: no naming convention required). Looks at the magic
 * number for captures, then at the first lines of text for the marks each
 * tool leaves: headers, section names, the way it spells socket states. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "parsers.h"

#define SNIFF_HEAD (16 * 1024)
#define SNIFF_LINES 60

static bool is_ss_state(struct span t)
{
	return tcp_state_parse(t.p, t.n, TCPSTATE_SS) != TCP_STATE_UNKNOWN;
}

static bool is_netstat_state(struct span t)
{
	return tcp_state_parse(t.p, t.n, TCPSTATE_NETSTAT) != TCP_STATE_UNKNOWN;
}

static bool all_hex(struct span t)
{
	if (!t.n)
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!isxdigit((unsigned char)t.p[i]))
			return false;
	return true;
}

/* "0100007F:1F40" */
static bool is_proc_addr(struct span t)
{
	const char *colon = memchr(t.p, ':', t.n);
	if (!colon)
		return false;
	struct span a = span_make(t.p, (size_t)(colon - t.p));
	struct span b = span_make(colon + 1, t.n - a.n - 1);
	return (a.n == 8 || a.n == 32) && b.n == 4 && all_hex(a) && all_hex(b);
}

static bool is_counter_name(struct span t)
{
	if (t.n < 3 || !isupper((unsigned char)t.p[0]))
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!isalnum((unsigned char)t.p[i]) && t.p[i] != '_')
			return false;
	return true;
}

static bool is_sysctl_name(struct span t)
{
	/* the roots of /proc/sys: "self.x = 1" in a Python file is no sysctl */
	static const char *const roots[] = { "net.", "kernel.", "vm.", "fs.", "dev.", "user.",
					     "abi.", "debug.", "sunrpc.", "crypto." };
	bool rooted = false;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (span_starts(t, roots[i]))
			rooted = true;
	if (!rooted)
		return false;
	size_t dots = 0;
	for (size_t i = 0; i < t.n; i++) {
		char ch = t.p[i];
		if (ch == '.' || ch == '/')
			dots++;
		else if (!isalnum((unsigned char)ch) && ch != '_' && ch != '-')
			return false;
	}
	return dots >= 1;
}

enum input_kind sniff_kind(const char *buf, size_t len)
{
	if (len >= 4) {
		const uint8_t *m = (const uint8_t *)buf;
		uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
		if (be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
		    be == 0x0a0d0d0a)
			return KIND_PCAP;
	}
	/* the first SNIFF_LINES lines, each looked at up to SNIFF_HEAD bytes: a
	 * 10 MB line near the top must not hide the lines after it */
	size_t head = len < SNIFF_HEAD ? len : SNIFF_HEAD;
	struct textcur c;
	struct span line;
	textcur_init(&c, buf, len, NULL);
	c.max_line = SNIFF_HEAD;
	int nul_lines = 0;
	int ss_rows = 0, netstat_rows = 0, proc_rows = 0, nstat_rows = 0, sysctl_rows = 0;
	int gdb_frames = 0, gdb_threads = 0, eu_tid = 0, eu_pid = 0, indented_sentences = 0;
	int section_alone = 0, frames_any = 0, snmp6_rows = 0, fd_rows = 0, status_rows = 0;
	bool first = true;

	while (textcur_next(&c, &line) && c.line <= SNIFF_LINES) {
		if (c.has_nul) {
			/* a stray NUL makes one damaged line (the parser names
			 * it); NULs on several lines are binary data */
			if (++nul_lines > 2)
				return KIND_UNKNOWN;
			continue;
		}
		struct span t = span_trim(line);
		if (t.n == 0)
			continue;
		if (first) {
			if (!isnan(time_parse(t.p, t.n)))
				continue;	/* the snapshot's timestamp line */
			first = false;
			if (t.p[0] == '{' || (t.n == 1 && t.p[0] == '[') || span_starts(t, "[{") ||
			    span_starts(t, "[\"")) {
				/* JSON: nstat --json has {"kernel": {...}}; a bundle
				 * manifest names itself */
				struct span all = span_make(buf, head);
				if (span_contains(all, "\"stuckscope_bundle\""))
					return KIND_BUNDLE;
				if (span_contains(all, "\"schema_version\""))
					return KIND_UNKNOWN;	/* our own report */
				if (span_contains(all, "\"kernel\""))
					return KIND_NSTAT;
				return KIND_UNKNOWN;
			}
		}
		/* strong, unique marks first */
		if (span_starts(t, "Traceback (most recent call first)"))
			return KIND_PY_BT;
		if (span_starts(t, "Active Internet connections") ||
		    (span_starts(t, "Proto") && span_contains(t, "Recv-Q") &&
		     span_contains(t, "Foreign Address")))
			return KIND_NETSTAT;
		if ((span_starts(t, "State") || span_starts(t, "Netid")) &&
		    span_contains(t, "Recv-Q") && span_contains(t, "Send-Q"))
			return KIND_SS;
		/* /proc/net/tcp says "rem_address", /proc/net/tcp6 "remote_address" */
		if (span_starts(t, "sl") && span_contains(t, "local_address") &&
		    (span_contains(t, "rem_address") || span_contains(t, "remote_address")))
			return KIND_PROC_NET_TCP;
		/* `ss -s`: the ss parser says it is a summary, not a socket table */
		if (span_starts(t, "Total:") && span_contains(t, "(kernel"))
			return KIND_SS;
		if (span_starts(t, "#kernel"))
			return KIND_NSTAT;
		if (span_starts(t, "TcpExt: ") || span_starts(t, "IpExt: ") ||
		    span_starts(t, "MPTcpExt: "))
			return KIND_PROC_NET_NETSTAT;
		if (span_starts(t, "Ip: Forwarding") || span_starts(t, "Tcp: RtoAlgorithm") ||
		    span_starts(t, "Icmp: InMsgs") || span_starts(t, "Udp: InDatagrams"))
			return KIND_PROC_NET_SNMP;
		if (span_starts(t, "/proc/") && span_contains(t, "/task/") &&
		    (span_contains(t, "/stat:") || span_contains(t, "/syscall:") ||
		     span_contains(t, "/wchan:") || span_contains(t, "/comm:")))
			return KIND_PROC_TASK;
		/* cat /proc/PID/limits; ls -l /proc/PID/fd; cat /proc/PID/status */
		if (span_starts(t, "Limit") && span_contains(t, "Soft Limit") &&
		    span_contains(t, "Hard Limit"))
			return KIND_PROC_LIMITS;
		if (span_contains(t, "/limits:Max open files") ||
		    span_contains(t, "/limits:Limit "))
			return KIND_PROC_LIMITS;
		if ((t.p[0] == 'l' && span_contains(t, " -> ") &&
		     (span_contains(t, "socket:[") || span_contains(t, "/dev/") ||
		      span_contains(t, "pipe:[") || span_contains(t, "anon_inode:"))))
			fd_rows++;
		if (span_starts(t, "Name:\t") || span_starts(t, "Tgid:\t") || span_starts(t, "PPid:\t") ||
		    span_starts(t, "FDSize:\t"))
			status_rows++;
		if (span_starts(t, "PID ") && span_contains(t, " - process"))
			eu_pid++;

		struct span rest = t, tok1 = { 0 }, tok2 = { 0 }, tok3 = { 0 };
		bool have1 = span_token(&rest, &tok1);
		bool have2 = have1 && span_token(&rest, &tok2);
		bool have3 = have2 && span_token(&rest, &tok3);
		if (!have1)
			continue;
		if (span_eq(tok1, "TID") && have2 && tok2.n > 1 && tok2.p[tok2.n - 1] == ':')
			eu_tid++;
		if (span_eq(tok1, "Thread") && have2 && span_contains(t, "(LWP"))
			gdb_threads++;
		if (tok1.n >= 2 && tok1.p[0] == '#' && isdigit((unsigned char)tok1.p[1])) {
			frames_any++;
			if (span_contains(t, " in ") || span_contains(t, " from ") ||
			    span_contains(t, " at "))
				gdb_frames++;
		}
		/* ss rows: state first, or netid then state */
		if (is_ss_state(tok1) || (have2 && (span_eq(tok1, "tcp") || span_eq(tok1, "udp") ||
						    span_eq(tok1, "u_str") || span_eq(tok1, "u_dgr")) &&
					  is_ss_state(tok2)))
			ss_rows++;
		if ((span_eq(tok1, "tcp") || span_eq(tok1, "tcp6")) && have3) {
			/* netstat: tcp RecvQ SendQ local foreign STATE */
			struct span r2 = rest, a, b, st;
			if (span_token(&r2, &a) && span_token(&r2, &b) && span_token(&r2, &st) &&
			    is_netstat_state(st))
				netstat_rows++;
		}
		if (have2 && tok1.n >= 2 && tok1.p[tok1.n - 1] == ':' && is_proc_addr(tok2))
			proc_rows++;
		/* /proc/net/snmp6: "Ip6InReceives   1234", two columns */
		if (have2 && !have3 && (span_starts(tok1, "Ip6") || span_starts(tok1, "Icmp6") ||
					span_starts(tok1, "Udp6") || span_starts(tok1, "UdpLite6")))
			snmp6_rows++;
		if (have2 && is_counter_name(tok1)) {
			int64_t v;
			if (span_i64(tok2, &v) && (!have3 || tok3.p[0] == '0' || isdigit((unsigned char)tok3.p[0])))
				nstat_rows++;
		}
		if (is_sysctl_name(tok1) && have2 && span_eq(tok2, "="))
			sysctl_rows++;
		if (span_starts(t, "/proc/sys/") && memchr(t.p, ':', t.n))
			sysctl_rows++;
		/* netstat -s: "Tcp:" alone, then indented English sentences */
		if (t.n > 1 && t.p[t.n - 1] == ':' && !have2 && is_counter_name(span_make(t.p, t.n - 1)))
			section_alone++;
		if (line.n && (line.p[0] == ' ' || line.p[0] == '\t') && have2) {
			int64_t v;
			if (span_i64(tok1, &v) || span_contains(t, ": "))
				indented_sentences++;
		}
	}
	if (eu_pid || eu_tid >= 1)
		return KIND_EU_STACK;
	if (status_rows >= 3)
		return KIND_PROC_STATUS;
	if (fd_rows >= 2)
		return KIND_PROC_FD;
	if (gdb_threads && (gdb_frames || frames_any))
		return KIND_GDB;
	if (gdb_frames >= 1)
		return KIND_PSTACK;
	if (section_alone >= 1 && indented_sentences >= 2)
		return KIND_NETSTAT_S;
	if (proc_rows >= 1)
		return KIND_PROC_NET_TCP;
	if (netstat_rows >= 1)
		return KIND_NETSTAT;
	if (ss_rows >= 1)
		return KIND_SS;
	if (sysctl_rows >= 1)
		return KIND_SYSCTL;
	if (snmp6_rows >= 2 && snmp6_rows == nstat_rows)
		return KIND_PROC_NET_SNMP;
	if (nstat_rows >= 2)
		return KIND_NSTAT;
	return KIND_UNKNOWN;
}
