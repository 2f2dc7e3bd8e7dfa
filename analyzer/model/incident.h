/* incident.h — the one model every stage agrees on (DESIGN.md, STYLE.md §3).
 *
 * Parsers and probes only add to it; rules only read it (and the derived
 * listener/process tables built by derive.c); writers only render it.
 * Every fact carries its provenance so a finding can cite its evidence.
 * All memory belongs to the analysis arena. */
#ifndef STUCKSCOPE_INCIDENT_H
#define STUCKSCOPE_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/cursor.h"
#include "base/tcpstate.h"	/* TCP_ESTABLISHED .. TCP_NEW_SYN_RECV, tcp_state_name() */

/* Where a fact came from. `file` is the input's display path. */
struct provenance {
	const char *file;
	uint32_t line;		/* 1-based, 0 = none */
	uint64_t packet;	/* 1-based, 0 = none */
	uint32_t sample;	/* 1-based stack sample, 0 = none */
	double at;		/* seconds since the epoch, NAN = unknown */
	const char *text;	/* the exact line, quoted as evidence (may be NULL) */
	/* which dump of a file that holds several in a row (a `py-spy dump`
	 * loop, faulthandler's repeated timeout dumps), 1-based; 0 = the file
	 * is one dump. Each dump is a sample of its own (stack_model.c). */
	uint32_t dump;
};

enum time_source { TIME_NONE, TIME_CONTENT, TIME_LABEL, TIME_MTIME };

struct endpoint {
	uint8_t family;		/* AF_INET, AF_INET6, 0 = wildcard "*" or unknown */
	bool any_port;		/* "*" port */
	uint16_t port;
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	const char *scope;	/* "%lo" interface scope, or NULL */
	/* What a table showed instead of numbers, kept as shown (issue 14):
	 * a host name (netstat without -n: "localhost", "web1.example.com")
	 * or an address the reporter masked ("********", "x.x.x.x"); family
	 * is then 0 and addr unused. */
	const char *host;
	bool masked;		/* host is a mask, not a name: the address is unknown */
	/* a service name with no built-in number ("netstat -a" on a host
	 * whose /etc/services names a port we do not know): port unknown */
	const char *service;
};

/* "127.0.0.1:8000", "[::1]:8000", "*:8000", "localhost:8080", "********:443"
 * into buf (>= 64 bytes; a longer host name is cut) */
const char *endpoint_format(const struct endpoint *e, char *buf, size_t size);
bool endpoint_equal(const struct endpoint *a, const struct endpoint *b);
bool endpoint_is_any(const struct endpoint *e);	/* 0.0.0.0, ::, or "*" */
/* Parse "1.2.3.4:80", "[::1]:80", "*:80", "[::ffff:1.2.3.4]:80", "0.0.0.0%lo:80",
 * "::1:80" (netstat), ":::80" (netstat). */
bool endpoint_parse(struct arena *a, const char *p, size_t n, struct endpoint *out);

struct sock_owner {
	int32_t pid;
	int32_t fd;		/* -1 unknown */
	const char *comm;	/* raw bytes from the input, may be hostile */
};

struct sock_row {
	int state;		/* TCP_*; TCP_STATE_UNKNOWN with state_raw set */
	const char *state_raw;
	bool have_queues;
	uint32_t recv_q, send_q;
	struct endpoint local, peer;
	bool have_inode;
	uint64_t inode;
	int64_t uid;		/* -1 unknown */
	struct sock_owner *owners;
	uint32_t n_owners;
	/* ss -i / -e / -m extras, when shown; -1 = not shown */
	int64_t rcv_space, snd_wnd, rcv_wnd, retrans, backoff;
	/* derived (derive.c): a connection its listener never accepted, still
	 * in the accept queue (no owner shown, or consistent with LISTEN Recv-Q) */
	bool in_accept_queue;
	struct provenance src;
};

/* Bytes received and not read by the application: Recv-Q, less the FIN's
 * sequence number in CLOSE-WAIT/LAST-ACK/CLOSING (the FIN advanced rcv_nxt,
 * tcp_fin(), net/ipv4/tcp_input.c). Not meaningful for LISTEN. */
static inline uint32_t sock_unread(const struct sock_row *r)
{
	if (!r->have_queues || r->state == TCP_LISTEN)
		return 0;
	if ((r->state == TCP_CLOSE_WAIT || r->state == TCP_LAST_ACK || r->state == TCP_CLOSING) &&
	    r->recv_q > 0)
		return r->recv_q - 1;
	return r->recv_q;
}

enum sock_source { SOCKSRC_SS, SOCKSRC_NETSTAT, SOCKSRC_PROC_NET_TCP, SOCKSRC_SOCKDIAG };

struct sock_snapshot {
	const char *file;
	int input;
	double at;
	enum time_source at_src;
	enum sock_source source;
	/* ss and sock_diag give the accept-queue limit as LISTEN Send-Q
	 * (tcp_diag_get_info(), net/ipv4/tcp_diag.c); netstat and /proc/net/tcp
	 * do not (get_tcp4_sock() prints 0 as tx_queue for listeners). */
	bool listen_send_q_is_limit;
	bool has_owners;	/* -p was given: an absent owner means "none seen" */
	bool listen_only;	/* only LISTEN rows (ss -l): says nothing of connections */
	/* derived (derive.c): snapshots with the same moment number show one
	 * socket table at one moment (ss, netstat and /proc/net/tcp run
	 * together): one observation. Numbered 1.. in order; snapshots of one
	 * moment are adjacent. */
	uint32_t moment;
	uint32_t seq;		/* the order the parsers added it in (appended outputs of one
				 * file in file order) */
	VEC(struct sock_row) rows;
};

/* A kernel counter, named as the kernel names it: TcpExt fields bare
 * ("ListenOverflows"), every other MIB prefixed the way nstat does
 * ("TcpRetransSegs", "IpExtInOctets"). */
struct counter {
	const char *name;
	int64_t value;
	struct provenance src;
};

enum counter_source { CNTSRC_NETSTAT_S, CNTSRC_NSTAT, CNTSRC_PROC_NETSTAT, CNTSRC_PROC_SNMP,
		      CNTSRC_LIVE };

struct counter_snapshot {
	const char *file;
	int input;
	double at;
	enum time_source at_src;
	enum counter_source source;
	bool increments;	/* values are increments (nstat without -a), not totals */
	uint32_t moment;	/* as in struct sock_snapshot */
	uint32_t seq;
	/* nstat output with no mark of its mode (no command line, no
	 * "(overflow)"): read as totals until derive.c compares it with the
	 * nstat run before it (nstat_modes()) */
	bool mode_guessed;
	VEC(struct counter) counters;
};

struct sysctl {
	const char *name;	/* dotted: net.core.somaxconn */
	const char *value;
	struct provenance src;
};

/* ---- processes, threads, stack samples (filled by stack parsers/probes) */

struct frame {
	uint64_t pc;		/* 0 = unknown */
	const char *function;	/* NULL = unknown ("??") */
	const char *module;
	const char *file;
	uint32_t line;		/* 0 = unknown */
	bool inlined;
	bool python;		/* a Python-level frame (py-bt, live interpreter walk) */
};

enum thread_state { THR_UNKNOWN, THR_STUCK, THR_WAITING_FOR_WORK, THR_RUNNING, THR_SLEEPING };
enum blocked_on { BLK_NONE, BLK_CONDVAR, BLK_MUTEX, BLK_SEMAPHORE, BLK_FUTEX, BLK_ACCEPT, BLK_POLL,
		  BLK_READ, BLK_WRITE, BLK_SLEEP };

struct stack_sample {
	uint32_t sample_no;	/* 1-based within the thread */
	struct provenance src;
	struct frame *frames;	/* innermost first */
	uint32_t n_frames;
	struct frame *py_frames;	/* Python-level, innermost first */
	uint32_t n_py_frames;
	char state;		/* /proc stat state R S D T t Z, 0 = unknown */
	int64_t utime, stime;	/* clock ticks, -1 unknown */
	int64_t syscall_nr;	/* -1 running (not in a syscall), -2 unknown */
	uint64_t syscall_args[6];
	const char *wchan;
	int64_t stop_ns;	/* how long the thread was stopped for this sample, -1 */
};

struct thread {
	int32_t tid;
	const char *comm;
	VEC(struct stack_sample) samples;
	/* derived by the diagnosis */
	enum thread_state state;
	enum blocked_on blocked;
	uint64_t wait_address;
	int32_t lock_owner_tid;	/* -1 unknown */
	int64_t cpu_ticks_delta;	/* -1 unknown */
};

/* A system call a tracer (strace) saw fail, per process and error: one
 * that fails over and over is a loop, e.g. accept4() returning EMFILE at the
 * descriptor limit while the listening socket stays readable. */
struct syscall_failure {
	const char *syscall;	/* "accept4" */
	const char *error;	/* "EMFILE"; NULL when the tool does not say (strace -c) */
	int32_t tid;		/* the thread that failed last, 0 = not known (strace -c) */
	uint64_t failures;	/* failed calls */
	uint64_t calls;		/* calls of it seen, failed or not (a trace counts
				 * from the first failure on) */
	bool at_end;		/* still failing when the trace ended */
	struct provenance src;	/* the first failure, or the strace -c row */
};

enum proc_role { ROLE_OTHER, ROLE_PARENT, ROLE_WORKER };
enum proc_state { PST_UNKNOWN, PST_STUCK, PST_HEALTHY, PST_BUSY, PST_IDLE, PST_GONE };

struct process {
	int32_t pid;
	int32_t ppid;		/* -1 unknown */
	const char *comm;
	enum proc_role role;
	enum proc_state state;
	bool undecided;		/* the evidence cannot tell stuck from idle */
	bool accepting;		/* a thread waits in accept()/poll() for connections */
	VEC(struct thread) threads;
	int64_t fds, fd_limit;	/* -1 unknown */
	VEC(struct syscall_failure) syscall_failures;	/* strace, strace -c */
	int64_t fd_sockets;	/* of fds, sockets; -1 unknown */
	struct provenance fds_src, limit_src;
	/* derived from the last socket snapshot with owners */
	uint32_t close_wait;
	uint64_t unread_bytes;
	/* connections it holds whose requests nobody reads (ESTAB with unread
	 * Recv-Q, or CLOSE-WAIT): in the last snapshot with owners, and in how
	 * many such snapshots in a row up to it */
	uint32_t waiting_conns;
	uint32_t waiting_runs;
	struct provenance src;
};

/* ---- capture statistics per listener (filled by pcap_flows.c) */

struct capture_second {
	int64_t t;		/* whole seconds since the epoch */
	uint32_t syn, syn_retrans, syn_unanswered, synack, handshakes, rst, fin_client;
};

struct capture_stats {
	uint64_t syn_packets, syn_attempts, syn_unanswered_packets, attempts_never_answered;
	uint64_t synack_packets, synack_retransmits, synack_retransmits_after_ack;
	uint64_t rst_after_handshake, rst_from_server, rst_from_client;
	uint64_t handshakes_completed, requests, requests_unanswered;
	uint64_t client_fin_no_server_fin, zero_window, window_probes;
	/* handshake done on the client's side, data sent, never a packet back:
	 * SYN-cookie connections dropped on a full accept queue */
	uint64_t requests_never_acked;
	/* distinct SYN retransmit intervals (seconds after the first SYN of the
	 * attempt, rounded to 0.1 s), ascending, with how often each was seen */
	VEC(double) syn_retransmit_intervals;
	VEC(uint64_t) syn_retransmit_interval_counts;
	double first_ts, last_ts, first_unanswered_ts;
	struct provenance first_unanswered;	/* packet of the first SYN never answered */
	struct provenance first_synack_after_ack;
	struct provenance first_rst_after_handshake;
	VEC(struct capture_second) series;
	/* the largest share not read of a capture these counts come from
	 * (struct input unread_share): 0 = every capture was read whole */
	double unread_share;
};

struct listener {
	struct endpoint addr;
	const char *name;	/* "127.0.0.1:8000" */
	int64_t backlog;	/* accept-queue limit = min(listen backlog, somaxconn); -1 */
	struct provenance backlog_src;
	int64_t max_recv_q;	/* deepest accept queue seen in a snapshot; -1 */
	struct provenance max_src;
	/* moments (one observation each, however many tools listed it) showing
	 * it; of those, full: Recv-Q >= the limit ss shows as Send-Q, or a
	 * Recv-Q only a full queue reaches (below) */
	uint32_t n_snapshots, n_full_snapshots;
	/* of n_full_snapshots, moments full only by what netstat or
	 * /proc/net/tcp show (Send-Q 0 for listeners): Recv-Q = limit + 1 for
	 * a common limit (129 = 128 + 1) or for somaxconn; limit_inferred is
	 * that limit (-1 none), inferred_src the row */
	uint32_t n_full_inferred;
	int64_t limit_inferred;
	bool inferred_from_somaxconn;	/* Recv-Q = somaxconn + 1: certain */
	struct provenance inferred_src;
	VEC(int32_t) pids;	/* owners (sorted) */
	/* several distinct LISTEN sockets on one address in one snapshot (rows
	 * of one tool, inodes differing where shown): SO_REUSEPORT */
	bool reuseport;
	uint32_t n_sockets;
	struct capture_stats *capture;
};

/* How the snapshots of one kind (socket tables, counters) were put in
 * order, and why (derive.c); the report shows it. */
enum order_basis {
	ORDER_NONE,		/* fewer than two moments: nothing to order */
	ORDER_TIME,		/* each snapshot's own time (its first line, --at) */
	ORDER_TIME_MTIME,	/* own times; file mtimes (kept) for the rest */
	ORDER_MTIME,		/* file mtimes: they differ, so they were kept */
	ORDER_NAME,		/* file names: before < during, 1..n < after */
	ORDER_COUNTERS,		/* monotonic counters, against mtimes or names */
};

/* What the monotonic counters say of the order chosen (counter snapshots) */
enum order_check {
	OCHECK_NONE,		/* not checked (socket tables; one moment) */
	OCHECK_AGREE,		/* no counter goes down */
	OCHECK_REORDERED,	/* they went down in the chosen order: reordered */
	OCHECK_REBOOT,		/* every counter dropped: a reboot between */
	OCHECK_CONTRADICT,	/* some down, some up or against own times: kept */
};

struct snapshot_order {
	enum order_basis basis;
	enum order_check check;
	uint32_t snapshots, moments;
	uint32_t untimed;	/* snapshots without a time of their own */
	const char *why;	/* one sentence for the report, NULL when nothing
				 * was decided beyond the files' own times */
};
/* ---- kernel log lines that matter (dmesg, kern.log, journalctl -k;
 * input/parse_kernlog.c). Only messages a rule can use are kept, each
 * with the line it came from; the rest of the log is counted, not kept. */
enum kernel_event_kind {
	KEV_SYN_FLOOD,		/* "Possible SYN flooding on port N": tcp_syn_flood_action() */
	KEV_CONNTRACK_FULL,	/* "nf_conntrack: table full, dropping packet" */
	KEV_ORPHANS,		/* "TCP: too many orphaned sockets": tcp_check_oom() */
	KEV_TCP_MEM,		/* "TCP: out of memory -- consider tuning tcp_mem" */
	KEV_SOCKET_MEM,		/* "Out of socket memory" (before 3.1, either of the two) */
	KEV_TW_OVERFLOW,	/* "TCP: time wait bucket table overflow" (before 4.x) */
	KEV_FILE_MAX,		/* "VFS: file-max limit N reached": alloc_empty_file() */
	KEV_N
};

struct kernel_event {
	enum kernel_event_kind kind;
	int32_t port;		/* KEV_SYN_FLOOD: the listener's port; -1 */
	struct endpoint addr;	/* KEV_SYN_FLOOD, 6.1+: its address (family 0: not printed) */
	bool cookies;		/* KEV_SYN_FLOOD: "Sending cookies" (else "Dropping request") */
	int64_t value;		/* KEV_FILE_MAX: fs.file-max; -1 */
	uint32_t count;		/* lines it stands for ("message repeated N times"); >= 1 */
	double uptime;		/* "[12345.678901]": seconds since boot; NAN */
	const char *text;	/* the kernel's message, without the log's prefix */
	struct provenance src;	/* the line; src.at is UTC only when the log says the zone */
};

const char *kernel_event_name(enum kernel_event_kind k);	/* "syn-flood", ... */

struct incident {
	struct arena *arena;
	const char *hostname, *kernel;
	VEC(struct sysctl) sysctls;
	VEC(struct sock_snapshot *) sock_snaps;
	VEC(struct counter_snapshot *) counter_snaps;
	VEC(struct kernel_event) kernel_events;	/* in the order read */
	VEC(struct process *) processes;
	VEC(struct listener *) listeners;
	double t_first, t_last;	/* the evidence window, NAN when unknown */
	struct snapshot_order sock_order, counter_order;
};

void incident_init(struct incident *inc, struct arena *a);
struct sock_snapshot *incident_add_sock_snapshot(struct incident *inc, const char *file, int input,
						 enum sock_source source);
struct sock_row *sock_snapshot_add_row(struct incident *inc, struct sock_snapshot *s);
struct counter_snapshot *incident_add_counter_snapshot(struct incident *inc, const char *file,
						       int input, enum counter_source source);
void counter_snapshot_set(struct incident *inc, struct counter_snapshot *s, const char *name,
			  int64_t value, const struct provenance *src);
const struct counter *counter_snapshot_find(const struct counter_snapshot *s, const char *name);
void incident_add_sysctl(struct incident *inc, const char *name, const char *value,
			 const struct provenance *src);
/* The last value seen for a sysctl (dotted name), NULL when absent. */
const struct sysctl *incident_sysctl(const struct incident *inc, const char *name);
bool incident_sysctl_i64(const struct incident *inc, const char *name, int64_t *out);
struct process *incident_process(struct incident *inc, int32_t pid, bool create);
struct thread *process_thread(struct incident *inc, struct process *p, int32_t tid, bool create);
struct stack_sample *thread_add_sample(struct incident *inc, struct thread *t);
struct listener *incident_listener(struct incident *inc, const struct endpoint *addr, bool create);

/* Counter values across the ordered snapshots (only totals, not increments):
 * first/last value and where each was read. False when fewer than one. */
struct counter_span {
	int64_t first, last, delta;
	uint32_t n;		/* snapshots that had it */
	uint32_t moments;	/* distinct moments among them (looks) */
	const struct counter *first_c, *last_c;
	bool went_backwards;	/* a reboot or counter reset in between */
	/* no two totals: the span is a chain of nstat runs whose later ones
	 * print increments since the run before (nstat's history file), so
	 * first = 0, last = delta = the sum of those increments, and first_c
	 * is the first run's line (its value is not used) */
	bool from_increments;
};
bool incident_counter_span(const struct incident *inc, const char *name, struct counter_span *out);

struct kernel_event *incident_add_kernel_event(struct incident *inc, enum kernel_event_kind kind);

#endif
