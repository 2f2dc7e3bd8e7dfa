/* derive.c — join what the parsers added into the tables the rules read.
 *
 * Listeners come from LISTEN rows (and from captures, pcap_flows.c); the
 * accept-queue limit is LISTEN Send-Q where the source shows it (ss,
 * sock_diag: tcp_diag_get_info() in net/ipv4/tcp_diag.c reports
 * sk_max_ack_backlog there). Processes come from socket owners (ss -p,
 * netstat -p) and stack dumps; CLOSE_WAIT and unread bytes are counted per
 * owner from the last snapshot that shows owners. */
#include "derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static int cmp_sock_snap(const void *a, const void *b)
{
	const struct sock_snapshot *x = *(const struct sock_snapshot *const *)a;
	const struct sock_snapshot *y = *(const struct sock_snapshot *const *)b;
	if (x->at < y->at)
		return -1;
	if (x->at > y->at)
		return 1;
	return x->input - y->input;
}

static int cmp_cnt_snap(const void *a, const void *b)
{
	const struct counter_snapshot *x = *(const struct counter_snapshot *const *)a;
	const struct counter_snapshot *y = *(const struct counter_snapshot *const *)b;
	if (x->at < y->at)
		return -1;
	if (x->at > y->at)
		return 1;
	return x->input - y->input;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_proc(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_listener(const void *a, const void *b)
{
	const struct listener *x = *(const struct listener *const *)a;
	const struct listener *y = *(const struct listener *const *)b;
	if (x->addr.port != y->addr.port)
		return (x->addr.port > y->addr.port) - (x->addr.port < y->addr.port);
	return strcmp(x->name, y->name);
}

static void widen(struct incident *inc, double t)
{
	if (isnan(t))
		return;
	if (isnan(inc->t_first) || t < inc->t_first)
		inc->t_first = t;
	if (isnan(inc->t_last) || t > inc->t_last)
		inc->t_last = t;
}

/* Where a file's name puts it when names are all there is to order by:
 * "before"/"after" sort the wrong way round alphabetically. Whole words
 * only ("prefork" is no "pre"); 1 for a name without such a word. */
static int name_phase(const char *file)
{
	static const struct {
		const char *word;
		int phase;
	} words[] = {
		{ "before", 0 }, { "pre", 0 }, { "start", 0 }, { "begin", 0 }, { "first", 0 },
		{ "baseline", 0 }, { "during", 1 }, { "middle", 1 }, { "mid", 1 },
		{ "after", 2 }, { "post", 2 }, { "end", 2 }, { "last", 2 }, { "later", 2 },
	};
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	int phase = 1;
	for (const char *p = base; *p;) {
		while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			p++;
		const char *w = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			p++;
		size_t n = (size_t)(p - w);
		for (size_t i = 0; n && i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == n && strncasecmp(w, words[i].word, n) == 0)
				phase = words[i].phase;
	}
	return phase;
}

static int cmp_sock_phase(const void *a, const void *b)
{
	const struct sock_snapshot *x = *(const struct sock_snapshot *const *)a;
	const struct sock_snapshot *y = *(const struct sock_snapshot *const *)b;
	int px = name_phase(x->file), py = name_phase(y->file);
	return px != py ? px - py : x->input - y->input;
}

static int cmp_cnt_phase(const void *a, const void *b)
{
	const struct counter_snapshot *x = *(const struct counter_snapshot *const *)a;
	const struct counter_snapshot *y = *(const struct counter_snapshot *const *)b;
	int px = name_phase(x->file), py = name_phase(y->file);
	return px != py ? px - py : x->input - y->input;
}

/* Stamp each snapshot with its input's time; order them on one timeline.
 * Snapshots whose time is only the file's mtime are ordered by file name
 * when any of them lacks a real time: a checkout rewrites mtimes. Names
 * saying "before"/"after" (name_phase()) go first and last. */
static void order_snapshots(struct analysis *an)
{
	struct incident *inc = &an->inc;
	bool all_timed = true;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		struct sock_snapshot *s = inc->sock_snaps.v[i];
		s->listen_only = s->rows.n > 0;
		for (size_t r = 0; r < s->rows.n && s->listen_only; r++)
			if (s->rows.v[r].state != TCP_LISTEN)
				s->listen_only = false;
		const struct input *in = &an->inputs.v[s->input];
		if (isnan(s->at)) {
			s->at = in->at;
			s->at_src = in->at_src;
		}
		if (s->at_src != TIME_CONTENT && s->at_src != TIME_LABEL)
			all_timed = false;
		for (size_t r = 0; r < s->rows.n; r++)
			s->rows.v[r].src.at = s->at;
	}
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		struct counter_snapshot *s = inc->counter_snaps.v[i];
		const struct input *in = &an->inputs.v[s->input];
		if (isnan(s->at)) {
			s->at = in->at;
			s->at_src = in->at_src;
		}
		if (s->at_src != TIME_CONTENT && s->at_src != TIME_LABEL)
			all_timed = false;
		for (size_t r = 0; r < s->counters.n; r++)
			s->counters.v[r].src.at = s->at;
	}
	if (all_timed) {
		if (inc->sock_snaps.n > 1)
			qsort(inc->sock_snaps.v, inc->sock_snaps.n, sizeof(void *), cmp_sock_snap);
		if (inc->counter_snaps.n > 1)
			qsort(inc->counter_snaps.v, inc->counter_snaps.n, sizeof(void *),
			      cmp_cnt_snap);
	} else {
		if (inc->sock_snaps.n > 1)
			qsort(inc->sock_snaps.v, inc->sock_snaps.n, sizeof(void *), cmp_sock_phase);
		if (inc->counter_snaps.n > 1)
			qsort(inc->counter_snaps.v, inc->counter_snaps.n, sizeof(void *),
			      cmp_cnt_phase);
		if (inc->sock_snaps.n + inc->counter_snaps.n > 2)
			analysis_note(an, "some snapshots carry no timestamp: snapshots ordered by "
					  "file name (add a first line from `date -u +%%FT%%TZ`, or "
					  "--at LABEL=TIME)");
	}
	for (size_t i = 0; i < inc->sock_snaps.n; i++)
		if (inc->sock_snaps.v[i]->at_src == TIME_CONTENT ||
		    inc->sock_snaps.v[i]->at_src == TIME_LABEL)
			widen(inc, inc->sock_snaps.v[i]->at);
	for (size_t i = 0; i < inc->counter_snaps.n; i++)
		if (inc->counter_snaps.v[i]->at_src == TIME_CONTENT ||
		    inc->counter_snaps.v[i]->at_src == TIME_LABEL)
			widen(inc, inc->counter_snaps.v[i]->at);
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t t = 0; t < inc->processes.v[i]->threads.n; t++) {
			const struct thread *th = &inc->processes.v[i]->threads.v[t];
			for (size_t s = 0; s < th->samples.n; s++)
				widen(inc, th->samples.v[s].src.at);
		}
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->capture) {
			widen(inc, inc->listeners.v[i]->capture->first_ts);
			widen(inc, inc->listeners.v[i]->capture->last_ts);
		}
}

static void add_pid(struct incident *inc, struct listener *l, int32_t pid)
{
	for (size_t i = 0; i < l->pids.n; i++)
		if (l->pids.v[i] == pid)
			return;
	*VEC_PUSH(inc->arena, &l->pids) = pid;
}

static void derive_listeners(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		/* LISTEN sockets per address in this snapshot: several distinct
		 * sockets on one address are an SO_REUSEPORT group */
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_LISTEN)
				continue;
			struct listener *l = incident_listener(inc, &row->local, true);
			uint32_t same = 0;
			for (size_t k = 0; k < s->rows.n; k++)
				if (s->rows.v[k].state == TCP_LISTEN &&
				    endpoint_equal(&s->rows.v[k].local, &row->local))
					same++;
			if (same > l->n_sockets)
				l->n_sockets = same;
			if (same > 1)
				l->reuseport = true;
			for (uint32_t o = 0; o < row->n_owners; o++)
				add_pid(inc, l, row->owners[o].pid);
			if (!row->have_queues)
				continue;
			if (s->listen_send_q_is_limit) {
				/* the limit is min(backlog, somaxconn) as the kernel
				 * applied it at listen() time (__sys_listen) */
				if (l->backlog < 0 || (int64_t)row->send_q != l->backlog) {
					if (l->backlog >= 0 && (int64_t)row->send_q != l->backlog)
						analysis_note(an, "listener %s: accept-queue limit changed "
							      "between snapshots (%lld, then %u)",
							      l->name, (long long)l->backlog,
							      row->send_q);
					l->backlog = row->send_q;
					l->backlog_src = row->src;
				}
			}
			/* only the first of a reuseport group's rows counts once per
			 * snapshot for n_snapshots */
			bool first_row = true;
			for (size_t k = 0; k < r; k++)
				if (s->rows.v[k].state == TCP_LISTEN &&
				    endpoint_equal(&s->rows.v[k].local, &row->local))
					first_row = false;
			if (first_row)
				l->n_snapshots++;
			if ((int64_t)row->recv_q > l->max_recv_q) {
				l->max_recv_q = row->recv_q;
				l->max_src = row->src;
			}
			/* sk_acceptq_is_full() (include/net/sock.h) tests '>': the
			 * queue peaks at limit + 1, and from Recv-Q == Send-Q on the
			 * next SYN is dropped */
			if (s->listen_send_q_is_limit && row->recv_q >= row->send_q)
				l->n_full_snapshots++;
		}
	}
	for (size_t i = 0; i < inc->listeners.n; i++) {
		struct listener *l = inc->listeners.v[i];
		if (l->pids.n > 1)
			qsort(l->pids.v, l->pids.n, sizeof(int32_t), cmp_i32);
	}
	if (inc->listeners.n > 1)
		qsort(inc->listeners.v, inc->listeners.n, sizeof(void *), cmp_listener);
}

/* Does a connection's local endpoint belong to this listener? */
static bool served_by(const struct listener *l, const struct endpoint *local)
{
	if (l->addr.any_port || local->any_port || l->addr.port != local->port)
		return false;
	if (endpoint_is_any(&l->addr))
		return true;
	if (l->addr.family == local->family)
		return endpoint_equal(&l->addr, local);
	return false;
}

const struct listener *derive_listener_of(const struct incident *inc, const struct endpoint *local)
{
	const struct listener *best = NULL;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		if (!served_by(l, local))
			continue;
		if (!best || !endpoint_is_any(&l->addr))
			best = l;
	}
	return best;
}

static void derive_processes(struct analysis *an)
{
	struct incident *inc = &an->inc;
	/* every socket owner is a process we know of */
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct process *p = incident_process(inc, row->owners[o].pid, true);
				if (!p->comm && row->owners[o].comm)
					p->comm = row->owners[o].comm;
				if (!p->src.file)
					p->src = row->src;
			}
		}
	}
	/* connections waiting on each owner, snapshot by snapshot: a worker that
	 * holds accepted connections nobody reads in several snapshots in a row
	 * has work queued that no thread takes (classify.c) */
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (!s->has_owners || s->listen_only)
			continue;
		for (size_t k = 0; k < inc->processes.n; k++)
			inc->processes.v[k]->waiting_conns = 0;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_CLOSE_WAIT &&
			    !(row->state == TCP_ESTABLISHED && sock_unread(row) > 0))
				continue;
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct process *p = incident_process(inc, row->owners[o].pid, false);
				if (p)
					p->waiting_conns++;
			}
		}
		for (size_t k = 0; k < inc->processes.n; k++) {
			struct process *p = inc->processes.v[k];
			p->waiting_runs = p->waiting_conns ? p->waiting_runs + 1 : 0;
		}
	}
	/* CLOSE_WAIT and unread bytes per owner, from the last snapshot with owners */
	const struct sock_snapshot *last = NULL;
	for (size_t i = inc->sock_snaps.n; i-- > 0;)
		if (inc->sock_snaps.v[i]->has_owners && !inc->sock_snaps.v[i]->listen_only) {
			last = inc->sock_snaps.v[i];
			break;
		}
	if (last) {
		for (size_t r = 0; r < last->rows.n; r++) {
			const struct sock_row *row = &last->rows.v[r];
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct process *p = incident_process(inc, row->owners[o].pid, false);
				if (!p)
					continue;
				if (row->state == TCP_CLOSE_WAIT)
					p->close_wait++;
				p->unread_bytes += sock_unread(row);
			}
		}
	}
	/* roles: the holders of a listening socket shared by several processes
	 * are pre-forked workers; their common parent (when ppid is known) is
	 * the parent */
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		for (size_t k = 0; k < l->pids.n; k++) {
			struct process *p = incident_process(inc, l->pids.v[k], false);
			if (p && p->role == ROLE_OTHER)
				p->role = ROLE_WORKER;
		}
	}
	for (size_t i = 0; i < inc->processes.n; i++) {
		struct process *p = inc->processes.v[i];
		if (p->role != ROLE_WORKER || p->ppid <= 0)
			continue;
		struct process *parent = incident_process(inc, p->ppid, false);
		if (parent)
			parent->role = ROLE_PARENT;
	}
	if (inc->processes.n > 1)
		qsort(inc->processes.v, inc->processes.n, sizeof(void *), cmp_proc);
}

const struct sock_snapshot *derive_last_conn_snapshot(const struct incident *inc, size_t *idx)
{
	for (size_t i = inc->sock_snaps.n; i-- > 0;)
		if (!inc->sock_snaps.v[i]->listen_only) {
			if (idx)
				*idx = i;
			return inc->sock_snaps.v[i];
		}
	return NULL;
}

/* netstat -s prints most counters only when they are not zero (net-tools
 * statistics.c skips zero values for the TcpExt/IpExt tables): a counter
 * another netstat -s snapshot shows but this one does not was 0. */
static void netstat_s_zeros(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *a = inc->counter_snaps.v[i];
		if (a->source != CNTSRC_NETSTAT_S)
			continue;
		for (size_t k = 0; k < a->counters.n; k++) {
			const char *name = a->counters.v[k].name;
			for (size_t j = 0; j < inc->counter_snaps.n; j++) {
				struct counter_snapshot *b = inc->counter_snaps.v[j];
				if (b->source != CNTSRC_NETSTAT_S || counter_snapshot_find(b, name))
					continue;
				struct provenance src = { .file = b->file, .at = b->at,
							  .text = "(not printed: netstat -s omits counters "
								  "that are 0)" };
				counter_snapshot_set(inc, b, name, 0, &src);
			}
		}
	}
}

/* nstat prints increments since its previous run unless -a is given
 * (misc/nstat.c: dump_incr_db() subtracts the history file every run
 * rewrites; dump_kern_db() prints totals), and both look alike: "#kernel",
 * then "Name value rate". Output that does not say which (no command line,
 * no " (overflow)": parse_nstat.c mode_guessed) is read as totals; here it is
 * compared with the snapshot before it. Totals never go down, so an nstat
 * run lower than the snapshot before on most of the counters both show
 * printed increments, and so did every other unmarked nstat run (the same
 * command; its first run may print totals since boot, which the chain
 * below does not use). A reboot in between also lowers them: then no delta
 * can be taken either. */
static void nstat_modes(struct analysis *an)
{
	struct incident *inc = &an->inc;
	const struct counter_snapshot *low = NULL, *high = NULL;
	size_t low_down = 0, low_common = 0;
	for (size_t i = 1; i < inc->counter_snaps.n && !low; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->source != CNTSRC_NSTAT || !s->mode_guessed || s->increments)
			continue;
		const struct counter_snapshot *p = NULL;
		for (size_t k = i; k-- > 0 && !p;)
			if (!inc->counter_snaps.v[k]->increments)
				p = inc->counter_snaps.v[k];
		if (!p)
			continue;
		size_t down = 0, common = 0;
		for (size_t c = 0; c < s->counters.n; c++) {
			const struct counter *pc = counter_snapshot_find(p, s->counters.v[c].name);
			if (!pc)
				continue;
			common++;
			if (s->counters.v[c].value < pc->value)
				down++;
		}
		if (down && down * 2 > common) {
			low = s;
			high = p;
			low_down = down;
			low_common = common;
		}
	}
	if (!low)
		return;
	size_t n = 0;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->source == CNTSRC_NSTAT && s->mode_guessed && !s->increments) {
			s->increments = true;
			n++;
		}
	}
	analysis_note(an, "%s: %zu of %zu counters lower than in %s: %s read as nstat's default "
			  "mode (increments since the previous nstat run), not totals; each run's "
			  "values are the change since the run before it (nstat keeps one history "
			  "file per user: another run in between shortens the window), or the host "
			  "rebooted in between, or the files come from different hosts",
		      low->file, low_down, low_common, high->file,
		      n > 1 ? arena_printf(&an->arena, "the %zu nstat outputs without -a are", n)
			    : "it is");
}

/* nstat leaves out counters whose value (for increments: whose increment)
 * is 0 unless -z is given (dump_incr_db(): !dump_zeros && !val): in a chain of
 * runs printing increments, a counter another run of the chain shows but
 * this one does not moved by 0. incident_counter_span() sums the chain. */
static void nstat_increment_zeros(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		struct counter_snapshot *b = inc->counter_snaps.v[i];
		if (b->source != CNTSRC_NSTAT || !b->increments)
			continue;
		for (size_t j = 0; j < inc->counter_snaps.n; j++) {
			const struct counter_snapshot *a = inc->counter_snaps.v[j];
			if (a == b || a->source != CNTSRC_NSTAT)
				continue;
			for (size_t k = 0; k < a->counters.n; k++) {
				const char *name = a->counters.v[k].name;
				if (counter_snapshot_find(b, name))
					continue;
				struct provenance src = { .file = b->file, .at = b->at,
							  .text = "(not printed: nstat leaves out "
								  "counters whose increment is 0)" };
				counter_snapshot_set(inc, b, name, 0, &src);
			}
		}
	}
}

/* Kernel log messages no rule reads, as notes; and what a kernel log that
 * says nothing of interest rules out. */
static void kernel_log_notes(struct analysis *an)
{
	const struct incident *inc = &an->inc;
	uint64_t n[KEV_N] = { 0 };
	const struct kernel_event *first[KEV_N] = { 0 };
	for (size_t i = 0; i < inc->kernel_events.n; i++) {
		const struct kernel_event *e = &inc->kernel_events.v[i];
		if (!first[e->kind])
			first[e->kind] = e;
		n[e->kind] += e->count;
	}
	static const char *const why[KEV_N] = {
		[KEV_ORPHANS] = "more closed-but-unfinished connections than "
				"net.ipv4.tcp_max_orphans: the kernel reset them (tcp_check_oom(), "
				"TCPAbortOnMemory), so clients see resets or cut responses",
		[KEV_TCP_MEM] = "TCP used more memory than net.ipv4.tcp_mem allows: the kernel "
				"drops incoming segments and resets orphaned connections "
				"(tcp_check_oom()); receive queues nobody reads hold that memory",
		[KEV_SOCKET_MEM] = "before Linux 3.1 this meant too many orphaned sockets or "
				   "tcp_mem exceeded: connections were reset (tcp_out_of_resources())",
		[KEV_TW_OVERFLOW] = "more TIME-WAIT sockets than net.ipv4.tcp_max_tw_buckets: "
				    "closing connections skipped TIME-WAIT (tcp_time_wait()); this "
				    "does not stop a listener from accepting",
	};
	for (int k = 0; k < KEV_N; k++)
		if (n[k] && why[k] && first[k])
			analysis_note(an, "%s:%u: the kernel logged \"%s\" (%llu line%s): %s",
				      first[k]->src.file, first[k]->src.line,
				      first[k]->text ? first[k]->text : kernel_event_name(k),
				      (unsigned long long)n[k], n[k] == 1 ? "" : "s", why[k]);
	uint64_t lines = 0;
	size_t logs = 0;
	for (size_t i = 0; i < an->inputs.n; i++)
		if (an->inputs.v[i].cls == EV_KERNEL_LOG && an->inputs.v[i].status != INPUT_ERROR) {
			lines += an->inputs.v[i].records;
			logs++;
		}
	if (logs && !inc->kernel_events.n)
		analysis_checked(an, "kernel log: %llu kernel line%s, no SYN flooding, conntrack "
				 "table full, orphaned sockets, tcp_mem or file-max message",
				 (unsigned long long)lines, lines == 1 ? "" : "s");
}

/* Evidence from two machines joined into one incident would mix their
 * counters and sockets: say so when the sysctl dumps name different hosts
 * (kernel.hostname), citing the first file of each. */
static void check_one_host(struct analysis *an)
{
	const struct sysctl *first = NULL;
	const struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->sysctls.n; i++) {
		const struct sysctl *s = &inc->sysctls.v[i];
		if (strcmp(s->name, "kernel.hostname") != 0 || !s->value || !s->value[0])
			continue;
		if (!first) {
			first = s;
		} else if (strcmp(first->value, s->value) != 0) {
			analysis_note(an, "inputs come from different hosts: '%.64s' (%s) and '%.64s' "
					  "(%s); their evidence is joined as if it were one machine",
				      first->value, first->src.file ? first->src.file : "?",
				      s->value, s->src.file ? s->src.file : "?");
			return;
		}
	}
}

void derive_incident(struct analysis *an)
{
	check_one_host(an);
	netstat_s_zeros(an);
	order_snapshots(an);
	nstat_modes(an);
	nstat_increment_zeros(an);
	kernel_log_notes(an);
	derive_listeners(an);
	derive_processes(an);
}
