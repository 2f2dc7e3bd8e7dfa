/* parse_kernlog.c — the kernel log as people save it, and the few messages
 * in it that explain why a server stopped answering.
 *
 * Shapes of a line (the message follows the prefix):
 *   dmesg                  "[12345.678901] TCP: ..."  (seconds since boot,
 *                          printk's local_clock(); CONFIG_PRINTK_CALLER adds
 *                          "[  T123]"); "<6>[...]" with dmesg -r / /dev/kmsg
 *   dmesg -x               "kern  :info  : [12345.678901] ..."
 *   dmesg -T               "[Wed Nov 25 09:14:02 2026] ..." (local time, any
 *                          locale: util-linux prints strftime's "%a %b %e")
 *   syslog, kern.log,      "Nov 25 09:14:02 host kernel: [12345.678] ..."
 *   journalctl -k          "Nov 25 09:14:02 host kernel: ..." (local time)
 *   journalctl -o short-precise "Nov 25 09:14:02.123456 host kernel: ..."
 *   rsyslog (ISO dates),   "2026-11-25T09:14:02.123456+00:00 host kernel: ..."
 *   journalctl -o short-iso[-precise] "2026-11-25T09:14:02+0000 host kernel: ..."
 *   journalctl -o short-full "Wed 2026-11-25 09:14:02 UTC host kernel: ..."
 *   journalctl -o short-monotonic "[12345.678901] host kernel: ..."
 *   journalctl -o short-unix "1764062042.123456 host kernel: ..."
 *   RFC 5424               "<6>1 2026-11-25T09:14:02.123456Z host kernel - - - ..."
 *   OpenWrt logread        "Wed Mar 27 02:55:10 2019 kern.info kernel: [240560.5] ..."
 *   Ubuntu /var/log/dmesg  "[    0.000000] kernel: Linux version ..." (journalctl --dmesg
 *                          -o short-monotonic --no-hostname)
 *   rsyslog repeats        "... kernel: message repeated 3 times: [ nf_conntrack: ...]"
 *   bare messages          "TCP: request_sock_TCP: Possible SYN flooding ..." (dmesg -t)
 * Lines of other programs (a whole /var/log/messages) are counted and left
 * alone; journalctl's "-- Boot ... --" lines are skipped. A time is kept as
 * UTC only when the line says its zone (ISO offset, "Z", epoch, "UTC"):
 * dmesg -T and syslog times are local and have no zone.
 *
 * The messages kept (struct kernel_event, model/incident.h), with the kernel
 * code that prints them:
 *   "Possible SYN flooding on port N. Sending cookies|Dropping request."
 *     tcp_syn_flood_action(), net/ipv4/tcp_input.c: the listener's SYN queue
 *     was full (inet_csk_reqsk_queue_is_full()). Printed once per listener
 *     (queue->synflood_warned) and rate-limited, so one line means "at least
 *     once since the listener was created", never a count. Spellings:
 *     2.6 "TCP: Possible SYN flooding on port 80. Sending cookies." (from
 *     syn_flood_warning(), net/ipv4/tcp_ipv4.c, net_ratelimit()ed); 3.x
 *     "TCP: TCP: Possible ... Check SNMP counters."; 4.x "TCP: request_sock_TCP:
 *     Possible ..." (rsk_ops->slab_name; "request_sock_TCPv6" for IPv6);
 *     6.1+ (commit d9282e48c608) the listener's address: "port 127.0.0.1:8000",
 *     "port [::]:8000", and no "Check SNMP counters"; 2.4 "possible SYN
 *     flooding on port 80. Sending cookies.".
 *   "nf_conntrack: table full, dropping packet" __nf_conntrack_alloc(),
 *     net/netfilter/nf_conntrack_core.c (net_warn_ratelimited, pr_fmt adds a
 *     second "nf_conntrack: "); older "... dropping packet." and
 *     "ip_conntrack: table full, dropping packet.".
 *   "TCP: too many orphaned sockets", "TCP: out of memory -- consider tuning
 *     tcp_mem": tcp_check_oom(), net/ipv4/tcp.c; before 3.1 both were "Out of
 *     socket memory" (tcp_out_of_resources(), net/ipv4/tcp_timer.c).
 *   "TCP: time wait bucket table overflow": tcp_time_wait(),
 *     net/ipv4/tcp_minisocks.c, before 4.x (now only TCPTimeWaitOverflow).
 *   "VFS: file-max limit N reached": alloc_empty_file(), fs/file_table.c.
 * "net_ratelimit: N callbacks suppressed" (older "__ratelimit: N callbacks
 * suppressed", "printk: N messages suppressed.") says rate-limited messages
 * were dropped from the log (which ones it does not say): counted for the
 * notes. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/timestamp.h"
#include "model/analysis.h"
#include "parsers.h"
#include "format.h"

/* Kernel events one input may add; beyond, lines of the same kind are
 * counted in the last event kept (a conntrack flood logs a line a packet). */
#define KERNLOG_EVENTS_MAX 10000
/* Lines reported one by one as not log lines; beyond, one summary. */
#define KERNLOG_BAD_MAX 16

enum kl_kind {
	KL_NONE,	/* not a log line */
	KL_KERNEL,	/* a kernel message */
	KL_OTHER,	/* another program's line in a system log */
	KL_META,	/* journalctl's "-- Boot ... --" and the like */
};

struct kl_line {
	enum kl_kind kind;
	bool prefixed;		/* a log prefix was seen (not a bare message) */
	struct span msg;	/* the message after every prefix */
	double at;		/* UTC, when the line says its zone; NAN */
	double uptime;		/* seconds since boot; NAN */
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static void skip_spaces(struct span *s)
{
	while (s->n && span_is_space(s->p[0])) {
		s->p++;
		s->n--;
	}
}

static void advance(struct span *s, size_t k)
{
	s->p += k;
	s->n -= k;
}

/* Case-insensitive search (2.4 printed "possible SYN flooding"); the
 * offset of the match or -1. */
static ptrdiff_t find_ci(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; n && i + n <= s.n; i++) {
		size_t k = 0;
		while (k < n && tolower((unsigned char)s.p[i + k]) == tolower((unsigned char)lit[k]))
			k++;
		if (k == n)
			return (ptrdiff_t)i;
	}
	return -1;
}

/* "<6>" (dmesg -r, /dev/kmsg, RFC 5424's PRI) */
static bool take_priority(struct span *s)
{
	size_t i = 1;
	if (s->n < 3 || s->p[0] != '<')
		return false;
	while (i < s->n && i <= 4 && is_digit(s->p[i]))
		i++;
	if (i == 1 || i >= s->n || s->p[i] != '>')
		return false;
	advance(s, i + 1);
	return true;
}

/* "[12345.678901]" or "[    0.000000]", then an optional printk caller
 * "[  T123]" / "[ C1]" (CONFIG_PRINTK_CALLER). */
static bool take_uptime(struct span *s, double *uptime)
{
	size_t i = 1;
	if (s->n < 4 || s->p[0] != '[')
		return false;
	while (i < s->n && s->p[i] == ' ')
		i++;
	size_t d0 = i;
	while (i < s->n && is_digit(s->p[i]))
		i++;
	size_t d1 = i;
	if (d1 == d0 || d1 - d0 > 12 || i >= s->n || s->p[i] != '.')
		return false;
	i++;
	size_t f0 = i;
	while (i < s->n && is_digit(s->p[i]))
		i++;
	if (i == f0 || i - f0 > 9 || i >= s->n || s->p[i] != ']')
		return false;
	double v = 0, scale = 1;
	for (size_t k = d0; k < d1; k++)
		v = v * 10 + (s->p[k] - '0');
	for (size_t k = f0; k < i; k++) {
		scale /= 10;
		v += (s->p[k] - '0') * scale;
	}
	*uptime = v;
	advance(s, i + 1);
	/* the caller id: "[  T123]", "[ C1]" */
	if (s->n >= 4 && s->p[0] == '[') {
		size_t k = 1;
		while (k < s->n && s->p[k] == ' ')
			k++;
		if (k < s->n && (s->p[k] == 'T' || s->p[k] == 'C')) {
			size_t j = k + 1;
			while (j < s->n && is_digit(s->p[j]))
				j++;
			if (j > k + 1 && j < s->n && s->p[j] == ']')
				advance(s, j + 1);
		}
	}
	skip_spaces(s);
	return true;
}

/* dmesg -T: "[Wed Nov 25 09:14:02 2026]" in any locale ("[Ср мар 10
 * 20:19:39 2021]"): a bracket holding a time h:mm:ss and ending in a year. */
static bool take_ctime(struct span *s)
{
	if (s->n < 12 || s->p[0] != '[')
		return false;
	const char *rb = memchr(s->p, ']', s->n < 64 ? s->n : 64);
	if (!rb)
		return false;
	struct span in = span_make(s->p + 1, (size_t)(rb - s->p) - 1);
	if (in.n < 12 || !is_digit(in.p[in.n - 1]) || !is_digit(in.p[in.n - 4]) ||
	    in.p[in.n - 5] != ' ')
		return false;
	bool clock = false;
	for (size_t i = 0; i + 8 <= in.n && !clock; i++)
		clock = is_digit(in.p[i]) && is_digit(in.p[i + 1]) && in.p[i + 2] == ':' &&
			is_digit(in.p[i + 3]) && is_digit(in.p[i + 4]) && in.p[i + 5] == ':' &&
			is_digit(in.p[i + 6]) && is_digit(in.p[i + 7]);
	if (!clock)
		return false;
	advance(s, (size_t)(rb - s->p) + 1);
	skip_spaces(s);
	return true;
}

/* "09:14:02" or "09:14:02.123456" as a whole token */
static bool is_clock(struct span t)
{
	if (t.n < 8 || !is_digit(t.p[0]) || !is_digit(t.p[1]) || t.p[2] != ':' ||
	    !is_digit(t.p[3]) || !is_digit(t.p[4]) || t.p[5] != ':' || !is_digit(t.p[6]) ||
	    !is_digit(t.p[7]))
		return false;
	if (t.n == 8)
		return true;
	if (t.p[8] != '.' || t.n == 9)
		return false;
	for (size_t i = 9; i < t.n; i++)
		if (!is_digit(t.p[i]))
			return false;
	return true;
}

/* BSD syslog / journalctl short: "Nov 25 09:14:02" ("Nov  5", "août 19"):
 * a word of letters (any script), a day, a clock. */
static bool take_bsd_time(struct span *s)
{
	struct span r = *s, mon, day, clk;
	if (!span_token(&r, &mon) || !span_token(&r, &day) || !span_token(&r, &clk))
		return false;
	if (mon.n < 3 || mon.n > 16 || is_digit(mon.p[0]) || mon.p[0] == '[' || mon.p[0] == '<')
		return false;
	for (size_t i = 0; i < mon.n; i++)
		if (is_digit(mon.p[i]) || mon.p[i] == ':' || mon.p[i] == '[')
			return false;
	if (day.n < 1 || day.n > 2 || !is_digit(day.p[0]) || (day.n == 2 && !is_digit(day.p[1])))
		return false;
	if (!is_clock(clk))
		return false;
	*s = r;
	skip_spaces(s);
	return true;
}

/* "2026-11-25T09:14:02.123456+00:00" (rsyslog, short-iso): UTC only when
 * the token carries a zone. */
static bool take_iso_time(struct span *s, double *at)
{
	struct span r = *s, t;
	if (!span_token(&r, &t) || t.n < 19 || !is_digit(t.p[0]) || t.p[4] != '-' ||
	    t.p[7] != '-' || (t.p[10] != 'T' && t.p[10] != ' ') || t.p[13] != ':')
		return false;
	struct span tail = span_make(t.p + 19, t.n - 19);
	while (tail.n && (tail.p[0] == '.' || tail.p[0] == ',' || is_digit(tail.p[0])))
		advance(&tail, 1);
	bool zoned = tail.n && (tail.p[0] == 'Z' || tail.p[0] == '+' || tail.p[0] == '-');
	double v = time_parse(t.p, t.n);
	if (isnan(v) && !zoned) {
		/* "2026-11-25T09:14:02.123456" without a zone: a time, not UTC */
		struct span head = span_make(t.p, 19);
		if (isnan(time_parse(head.p, head.n)))
			return false;
	} else if (isnan(v)) {
		return false;
	}
	*at = zoned ? v : NAN;
	*s = r;
	skip_spaces(s);
	return true;
}

/* journalctl -o short-full: "Wed 2026-11-25 09:14:02 UTC" */
static bool take_full_time(struct span *s, double *at)
{
	struct span r = *s, wd, date, clk, zone;
	if (!span_token(&r, &wd) || !span_token(&r, &date) || !span_token(&r, &clk) ||
	    !span_token(&r, &zone))
		return false;
	if (wd.n < 2 || wd.n > 12 || is_digit(wd.p[0]) || date.n != 10 || date.p[4] != '-' ||
	    date.p[7] != '-' || !is_clock(clk) || zone.n < 1 || zone.n > 8 || is_digit(zone.p[0]))
		return false;
	char buf[48];
	int k = snprintf(buf, sizeof(buf), "%.*sT%.*s", (int)date.n, date.p, (int)clk.n, clk.p);
	double v = k > 0 && (size_t)k < sizeof(buf) ? time_parse(buf, (size_t)k) : NAN;
	if (isnan(v))
		return false;
	*at = span_eq(zone, "UTC") || span_eq(zone, "GMT") ? v : NAN;
	*s = r;
	skip_spaces(s);
	return true;
}

/* OpenWrt logread: "Wed Mar 27 02:55:10 2019 kern.info kernel: ..." (local
 * time), the facility.level token skipped */
static bool take_logread_time(struct span *s)
{
	struct span r = *s, wd, mon, day, clk, year, fl;
	if (!span_token(&r, &wd) || !span_token(&r, &mon) || !span_token(&r, &day) ||
	    !span_token(&r, &clk) || !span_token(&r, &year))
		return false;
	if (wd.n < 2 || wd.n > 12 || is_digit(wd.p[0]) || mon.n < 3 || mon.n > 12 ||
	    is_digit(mon.p[0]) || day.n < 1 || day.n > 2 || !is_digit(day.p[0]) || !is_clock(clk) ||
	    year.n != 4 || !is_digit(year.p[0]) || !is_digit(year.p[3]))
		return false;
	struct span after = r;
	if (span_token(&after, &fl) && fl.n >= 5 && memchr(fl.p, '.', fl.n) &&
	    fl.p[fl.n - 1] != ':' && !is_digit(fl.p[0]))
		r = after;
	*s = r;
	skip_spaces(s);
	return true;
}

/* journalctl -o short-unix: "1764062042.123456" */
static bool take_epoch(struct span *s, double *at)
{
	struct span r = *s, t;
	if (!span_token(&r, &t) || t.n < 12 || t.n > 24)
		return false;
	size_t i = 0;
	while (i < t.n && is_digit(t.p[i]))
		i++;
	if (i < 9 || i > 11 || i >= t.n || t.p[i] != '.')
		return false;
	for (size_t k = i + 1; k < t.n; k++)
		if (!is_digit(t.p[k]))
			return false;
	char buf[32];
	snprintf(buf, sizeof(buf), "@%.*s", (int)t.n, t.p);
	double v = time_parse(buf, strlen(buf));
	if (isnan(v))
		return false;
	*at = v;
	*s = r;
	skip_spaces(s);
	return true;
}

/* "kernel:", "kernel[0]:", "vmunix:" — the program field of a system log */
static bool is_kernel_tag(struct span t)
{
	if (span_eq(t, "kernel:") || span_eq(t, "vmunix:"))
		return true;
	if (span_starts(t, "kernel[") && t.n >= 10 && t.p[t.n - 1] == ':' && t.p[t.n - 2] == ']')
		return true;
	return false;
}

/* "sshd[123]:", "systemd[1]:" */
static bool is_program_pid_tag(struct span t)
{
	if (t.n < 5 || t.p[t.n - 1] != ':' || t.p[t.n - 2] != ']')
		return false;
	size_t i = t.n - 2;
	while (i > 0 && is_digit(t.p[i - 1]))
		i--;
	return i >= 2 && i < t.n - 2 && t.p[i - 1] == '[';
}

/* "host kernel: msg" or "host sshd[12]: msg" after a syslog time. Strict
 * (after dmesg's own "[uptime]", for journalctl -o short-monotonic): only a
 * kernel or "name[pid]:" program, since a dmesg message itself often reads
 * "usb 1-1: ..." or "TCP: request_sock_TCP: ...". */
static bool take_host_program(struct span *s, struct kl_line *kl, bool strict)
{
	struct span r = *s, host, prog;
	if (!span_token(&r, &host) || !span_token(&r, &prog))
		return false;
	if (strict) {
		/* "[  0.000000] kernel: Linux version ..." (journalctl --dmesg -o
		 * short-monotonic --no-hostname, Ubuntu's /var/log/dmesg) */
		if (is_kernel_tag(host)) {
			kl->kind = KL_KERNEL;
			r = span_make(prog.p, (size_t)(s->p + s->n - prog.p));
			skip_spaces(&r);
			*s = r;
			return true;
		}
		if (host.p[host.n - 1] == ':' || (!is_kernel_tag(prog) && !is_program_pid_tag(prog)))
			return false;
	}
	if (is_kernel_tag(host)) {
		/* no host field ("Nov 25 09:14:02 kernel: ...", some relays) */
		kl->kind = KL_KERNEL;
		r = span_make(prog.p, (size_t)(s->p + s->n - prog.p));
	} else if (is_kernel_tag(prog)) {
		kl->kind = KL_KERNEL;
	} else if (host.n >= 2 && host.p[host.n - 1] == ':' && !strict) {
		kl->kind = KL_OTHER;	/* no host field: "dnsmasq[12]: ..." (logread) */
	} else if (prog.n >= 2 && prog.p[prog.n - 1] == ':') {
		kl->kind = KL_OTHER;
	} else if (span_contains(prog, "]:") || span_contains(prog, "):")) {
		kl->kind = KL_OTHER;	/* "sshd(pam_unix)[123]:" */
	} else {
		return false;
	}
	skip_spaces(&r);
	*s = r;
	return true;
}

/* RFC 5424 after its PRI: "1 TIMESTAMP HOST APP PROCID MSGID SD MSG" */
static bool take_rfc5424(struct span *s, struct kl_line *kl)
{
	struct span r = *s, ver, ts, host, app, procid, msgid;
	if (!span_token(&r, &ver) || !span_eq(ver, "1") || !span_token(&r, &ts) ||
	    !span_token(&r, &host) || !span_token(&r, &app) || !span_token(&r, &procid) ||
	    !span_token(&r, &msgid))
		return false;
	double at = NAN;
	struct span tsr = ts;
	if (!span_eq(ts, "-") && !take_iso_time(&tsr, &at))
		return false;
	skip_spaces(&r);
	/* structured data: "-" or "[id k="v"]..." */
	if (r.n && r.p[0] == '-') {
		advance(&r, 1);
	} else {
		while (r.n && r.p[0] == '[') {
			bool quoted = false;
			size_t i = 1;
			for (; i < r.n; i++) {
				if (r.p[i] == '\\' && i + 1 < r.n)
					i++;
				else if (r.p[i] == '"')
					quoted = !quoted;
				else if (r.p[i] == ']' && !quoted)
					break;
			}
			if (i >= r.n)
				return false;
			advance(&r, i + 1);
		}
	}
	skip_spaces(&r);
	if (r.n >= 3 && (unsigned char)r.p[0] == 0xEF && (unsigned char)r.p[1] == 0xBB &&
	    (unsigned char)r.p[2] == 0xBF)
		advance(&r, 3);	/* the BOM RFC 5424 allows before MSG */
	kl->kind = span_eq(app, "kernel") ? KL_KERNEL : KL_OTHER;
	kl->at = at;
	*s = r;
	return true;
}

/* dmesg -x: "kern  :info  : " */
static bool take_facility_level(struct span *s, bool *kern)
{
	struct span r = *s;
	size_t i = 0;
	while (i < r.n && isalpha((unsigned char)r.p[i]))
		i++;
	if (i < 3 || i > 8)
		return false;
	bool k = i == 4 && memcmp(r.p, "kern", 4) == 0;
	while (i < r.n && r.p[i] == ' ')
		i++;
	if (i >= r.n || r.p[i] != ':')
		return false;
	i++;
	size_t l0 = i;
	while (i < r.n && isalpha((unsigned char)r.p[i]))
		i++;
	if (i - l0 < 3 || i - l0 > 7)
		return false;
	while (i < r.n && r.p[i] == ' ')
		i++;
	if (i >= r.n || r.p[i] != ':')
		return false;
	advance(&r, i + 1);
	skip_spaces(&r);
	*kern = k;
	*s = r;
	return true;
}

/* Split a line into its log prefix and the message. */
static void kl_split(struct span line, struct kl_line *kl)
{
	memset(kl, 0, sizeof(*kl));
	kl->at = NAN;
	kl->uptime = NAN;
	struct span s = span_trim(line);
	if (s.n >= 5 && span_starts(s, "-- ") && s.p[s.n - 1] == '-' && s.p[s.n - 2] == '-') {
		kl->kind = KL_META;	/* "-- Boot 3f2a... --", "-- Logs begin at ... --" */
		return;
	}
	if (span_eq(s, "-- No entries --") || span_eq(s, "-- Reboot --")) {
		kl->kind = KL_META;
		return;
	}
	bool pri = take_priority(&s);
	if (pri && take_rfc5424(&s, kl)) {
		kl->prefixed = true;
		kl->msg = s;
		goto inner;
	}
	bool kern = true, fl_kern;
	struct span fl = s;
	if (take_facility_level(&fl, &fl_kern) && fl.n && fl.p[0] == '[') {
		s = fl;	/* dmesg -x; another facility is a user message */
		kern = fl_kern;
	}
	double up;
	if (take_uptime(&s, &up)) {
		kl->prefixed = true;
		kl->uptime = up;
		/* journalctl -o short-monotonic: "[  123.456] host kernel: msg" */
		struct span r = s;
		struct kl_line sub = { 0 };
		if (take_host_program(&r, &sub, true)) {
			kl->kind = sub.kind;
			kl->msg = r;
		} else {
			kl->kind = kern ? KL_KERNEL : KL_OTHER;
			kl->msg = s;
		}
		goto inner;
	}
	if (take_ctime(&s)) {
		kl->prefixed = true;
		kl->kind = KL_KERNEL;
		kl->msg = s;
		goto inner;
	}
	double at = NAN;
	struct span t = s;
	if (take_iso_time(&t, &at) || take_epoch(&t, &at) || take_full_time(&t, &at) ||
	    take_logread_time(&t) || take_bsd_time(&t)) {
		if (take_host_program(&t, kl, false)) {
			kl->prefixed = true;
			kl->at = at;
			kl->msg = t;
			goto inner;
		}
		memset(kl, 0, sizeof(*kl));
		kl->at = NAN;
		kl->uptime = NAN;
	}
	/* "kernel: msg" with the time and host cut away (grep -h ... | cut) */
	struct span tag, r = s;
	if (span_token(&r, &tag) && is_kernel_tag(tag)) {
		skip_spaces(&r);
		kl->kind = KL_KERNEL;
		kl->prefixed = true;
		kl->msg = r;
		goto inner;
	}
	/* a bare message (dmesg -t): only a message we know makes it a line */
	kl->kind = KL_NONE;
	kl->msg = s;
	return;
inner:
	if (kl->kind == KL_KERNEL) {
		/* kern.log keeps dmesg's own time: "kernel: [12345.678] msg";
		 * some relays write "kernel: : [12345.678] msg" */
		double in_up;
		struct span m = kl->msg;
		if (m.n >= 2 && m.p[0] == ':' && m.p[1] == ' ') {
			advance(&m, 2);
			kl->msg = m;
		}
		if (take_uptime(&m, &in_up)) {
			kl->msg = m;
			if (isnan(kl->uptime))
				kl->uptime = in_up;
		}
	}
	kl->msg = span_trim(kl->msg);
}

/* "8000", "127.0.0.1:8000", "[::]:8000" (the token after "on port ") */
static bool kl_port(struct analysis *an, struct span tok, struct kernel_event *ev)
{
	while (tok.n && (tok.p[tok.n - 1] == '.' || tok.p[tok.n - 1] == ','))
		tok.n--;
	uint32_t port;
	if (span_u32(tok, &port) && port <= 65535) {
		ev->port = (int32_t)port;
		return true;
	}
	struct endpoint e;
	if (memchr(tok.p, ':', tok.n) && endpoint_parse(&an->arena, tok.p, tok.n, &e) &&
	    !e.any_port) {
		ev->addr = e;
		ev->addr.scope = NULL;
		ev->port = e.port;
		return true;
	}
	return false;
}

/* Which message this is; false for every other kernel line. */
static bool kl_match(struct analysis *an, struct span msg, struct kernel_event *ev)
{
	ptrdiff_t at;
	if ((at = find_ci(msg, "possible SYN flooding on port ")) >= 0) {
		struct span rest = span_make(msg.p + at + 30, msg.n - (size_t)at - 30), tok;
		ev->kind = KEV_SYN_FLOOD;
		if (span_token(&rest, &tok))
			kl_port(an, tok, ev);
		ev->cookies = find_ci(rest, "Sending cookies") >= 0;
		return true;
	}
	if (find_ci(msg, "conntrack") >= 0 && find_ci(msg, "table full") >= 0 &&
	    find_ci(msg, "dropping packet") >= 0) {
		ev->kind = KEV_CONNTRACK_FULL;
		return true;
	}
	if (span_contains(msg, "too many orphaned sockets")) {
		ev->kind = KEV_ORPHANS;
		return true;
	}
	if (span_contains(msg, "out of memory -- consider tuning tcp_mem")) {
		ev->kind = KEV_TCP_MEM;
		return true;
	}
	if (span_contains(msg, "Out of socket memory")) {
		ev->kind = KEV_SOCKET_MEM;
		return true;
	}
	if (span_contains(msg, "time wait bucket table overflow")) {
		ev->kind = KEV_TW_OVERFLOW;
		return true;
	}
	if ((at = find_ci(msg, "file-max limit ")) >= 0 && span_contains(msg, " reached")) {
		struct span rest = span_make(msg.p + at + 15, msg.n - (size_t)at - 15), tok;
		uint64_t v;
		ev->kind = KEV_FILE_MAX;
		if (span_token(&rest, &tok) && span_u64(tok, &v) && v <= INT64_MAX)
			ev->value = (int64_t)v;
		return true;
	}
	return false;
}

struct kl_state {
	struct analysis *an;
	struct input *in;
	uint64_t kernel_lines, other_lines, bad_lines, events, stored;
	uint64_t suppressed;	/* "net_ratelimit: N callbacks suppressed" */
	bool limit_noted;
	struct kernel_event *last_of[KEV_N];
};

/* A shell prompt or a command pasted above the output */
static bool looks_like_command(struct span t)
{
	return span_contains(t, "dmesg") || span_contains(t, "journalctl") ||
	       span_contains(t, "grep ") || span_contains(t, "kern.log") ||
	       span_contains(t, "/var/log/") || (t.n && (t.p[0] == '$' || t.p[0] == '#'));
}

static void kl_event(struct kl_state *st, const struct textcur *c, struct span line,
		     const struct kl_line *kl, struct span msg, uint32_t count)
{
	struct kernel_event tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.port = -1;
	tmp.value = -1;
	if (!kl_match(st->an, msg, &tmp))
		return;
	st->events += count;
	struct kernel_event *prev = st->last_of[tmp.kind];
	if (st->stored >= KERNLOG_EVENTS_MAX) {
		if (!st->limit_noted)
			diag_add(&st->an->diags, DIAG_LIMIT, st->in->display, c->line,
				 textcur_offset(c, &line),
				 "more than %d kernel messages that matter: later ones are counted "
				 "with the last of their kind", KERNLOG_EVENTS_MAX);
		st->limit_noted = true;
		if (prev && prev->count <= UINT32_MAX - count)
			prev->count += count;
		return;
	}
	st->stored++;
	struct kernel_event *ev = incident_add_kernel_event(&st->an->inc, tmp.kind);
	ev->port = tmp.port;
	ev->addr = tmp.addr;
	ev->cookies = tmp.cookies;
	ev->value = tmp.value;
	ev->count = count;
	ev->uptime = kl->uptime;
	ev->text = evidence_text(&st->an->arena, msg);
	ev->src.file = st->in->display;
	ev->src.line = c->line;
	ev->src.at = kl->at;
	ev->src.text = evidence_text(&st->an->arena, line);
	st->last_of[tmp.kind] = ev;
}

static void kl_line(struct kl_state *st, const struct textcur *c, struct span line)
{
	struct analysis *an = st->an;
	struct span t = span_trim(line);
	struct kl_line kl;
	kl_split(line, &kl);
	if (kl.kind == KL_META)
		return;
	if (kl.kind == KL_OTHER) {
		st->other_lines++;
		return;
	}
	if (kl.kind == KL_NONE) {
		/* a bare message counts only when it is one we know */
		struct kernel_event probe;
		memset(&probe, 0, sizeof(probe));
		if (!kl_match(an, kl.msg, &probe)) {
			st->bad_lines++;
			if (st->bad_lines > KERNLOG_BAD_MAX)
				return;
			int tn = (int)(t.n < 120 ? t.n : 120);
			if (looks_like_command(t))
				diag_add(&an->diags, DIAG_SKIPPED, st->in->display, c->line,
					 textcur_offset(c, &line),
					 "not kernel log output (command line?): '%.*s'", tn, t.p);
			else
				diag_add(&an->diags, DIAG_BAD_LINE, st->in->display, c->line,
					 textcur_offset(c, &line),
					 "not a kernel log line (no dmesg, syslog or journal prefix): "
					 "'%.*s'", tn, t.p);
			return;
		}
		kl.kind = KL_KERNEL;
	}
	st->kernel_lines++;
	struct span msg = kl.msg;
	uint32_t count = 1;
	/* rsyslog: "message repeated 3 times: [ nf_conntrack: table full...]" */
	if (span_starts(msg, "message repeated ")) {
		struct span r = span_make(msg.p + 17, msg.n - 17), num;
		uint32_t n;
		const char *lb = memchr(msg.p, '[', msg.n);
		if (span_token(&r, &num) && span_u32(num, &n) && n > 0 && lb) {
			msg = span_trim(span_make(lb + 1, (size_t)(msg.p + msg.n - lb - 1)));
			if (msg.n && msg.p[msg.n - 1] == ']')
				msg.n--;
			count = n;
		}
	}
	/* "net_ratelimit: N callbacks suppressed" (older: "__ratelimit: N
	 * callbacks suppressed", "printk: N messages suppressed.") */
	if (span_starts(msg, "net_ratelimit: ") || span_starts(msg, "__ratelimit: ") ||
	    span_starts(msg, "printk: ")) {
		struct span r = msg, word, num;
		uint64_t n;
		if (span_token(&r, &word) && span_token(&r, &num) && span_u64(num, &n) &&
		    span_contains(r, "suppressed")) {
			if (st->suppressed <= UINT64_MAX - n)
				st->suppressed += n;
			return;
		}
	}
	kl_event(st, c, line, &kl, msg, count);
}

int kernlog_parse(struct analysis *an, struct input *in)
{
	struct kl_state st = { .an = an, .in = in };
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (!input_line_ok(an, in, &c, line))
			continue;
		if (span_trim(line).n == 0)
			continue;
		kl_line(&st, &c, line);
	}
	if (st.bad_lines > KERNLOG_BAD_MAX)
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, 0, -1,
			 "%llu more lines that are not kernel log lines",
			 (unsigned long long)(st.bad_lines - KERNLOG_BAD_MAX));
	if (st.suppressed)
		diag_add(&an->diags, DIAG_NOTE, in->display, 0, -1,
			 "the kernel suppressed %llu rate-limited messages (net_ratelimit): lines "
			 "that matter may be missing from the log",
			 (unsigned long long)st.suppressed);
	in->records = st.kernel_lines;
	if (!st.kernel_lines) {
		if (st.other_lines)
			diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				 "a system log without kernel lines (%llu lines of other programs)",
				 (unsigned long long)st.other_lines);
		return -1;
	}
	if (st.events)
		in->summary = arena_printf(&an->arena, "%llu kernel lines, %llu that matter",
					   (unsigned long long)st.kernel_lines,
					   (unsigned long long)st.events);
	return 0;
}

/* Lines of a kernel log: most of the first lines carry a log prefix; a
 * message we know (the SYN flooding line) is a mark of its own, even
 * alone in a file. */
static int kernlog_sniff(const struct sniff_view *v)
{
	/* our own text report quotes kernel lines as evidence */
	if (span_starts(v->head, "stuckscope ") && span_contains(v->head, "\nVERDICT "))
		return 0;
	size_t logged = 0, events = 0;
	for (size_t i = 0; i < v->n; i++) {
		struct kl_line kl;
		kl_split(v->lines[i].raw, &kl);
		if (kl.kind == KL_META) {
			logged++;
			continue;
		}
		if (kl.kind == KL_KERNEL || kl.kind == KL_OTHER)
			logged++;
		if (kl.kind == KL_KERNEL || kl.kind == KL_NONE) {
			/* the message alone, without an address to parse */
			struct span m = kl.msg;
			if (find_ci(m, "possible SYN flooding on port ") >= 0 ||
			    (find_ci(m, "conntrack") >= 0 && find_ci(m, "table full") >= 0) ||
			    span_contains(m, "too many orphaned sockets") ||
			    span_contains(m, "consider tuning tcp_mem") ||
			    span_contains(m, "Out of socket memory") ||
			    span_contains(m, "time wait bucket table overflow") ||
			    (span_contains(m, "VFS: file-max limit ") && span_contains(m, " reached")))
				events++;
		}
	}
	if (!v->n)
		return 0;
	/* a known message on lines that are mostly log lines (or alone) */
	if (events && (logged + events) * 2 >= v->n)
		return 88;	/* above every rows tier but eu-stack's "TID n:" (90) */
	/* log lines alone: the lowest tier, any other reading wins. A syslog
	 * whose first lines are other programs' is still read: its kernel
	 * lines may come later (the parser says when there are none) */
	if (logged >= 2 && logged * 4 >= v->n * 3)
		return 30;
	return 0;
}

const struct format format_kernel_log = {
	.name = "kernel-log", .cls = EV_KERNEL_LOG, .sniff = kernlog_sniff,
	.parse = kernlog_parse,
};
