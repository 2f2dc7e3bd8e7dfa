/* incident.c — the incident model: constructors and look-ups. */
#include "incident.h"
#include "base/cursor.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *endpoint_format(const struct endpoint *e, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN] = "*";
	char port[24] = "*";
	if (e->host)
		snprintf(addr, sizeof(addr), "%s", e->host);
	else if (e->family == AF_INET)
		inet_ntop(AF_INET, e->addr, addr, sizeof(addr));
	else if (e->family == AF_INET6)
		inet_ntop(AF_INET6, e->addr, addr, sizeof(addr));
	if (e->service && !e->port)
		snprintf(port, sizeof(port), "%s", e->service);
	else if (!e->any_port)
		snprintf(port, sizeof(port), "%u", e->port);
	if (e->family == AF_INET6 || (e->host && strchr(e->host, ':')))
		snprintf(buf, size, "[%s]:%s", addr, port);
	else
		snprintf(buf, size, "%s:%s", addr, port);
	return buf;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	if (a->family != b->family || a->any_port != b->any_port || a->port != b->port)
		return false;
	/* shown as names: the same name (a mask is never a name) */
	if (!str_eq(a->host, b->host) || a->masked != b->masked ||
	    (!a->port && !str_eq(a->service, b->service)))
		return false;
	size_t n = a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
	return memcmp(a->addr, b->addr, n) == 0;
}

bool endpoint_is_any(const struct endpoint *e)
{
	static const uint8_t zero[16];
	if (e->host)
		return false;	/* a name or a mask: some address, not the wildcard */
	if (e->family == 0)
		return true;
	return memcmp(e->addr, zero, e->family == AF_INET ? 4 : 16) == 0;
}

bool endpoint_parse(struct arena *a, const char *p, size_t n, struct endpoint *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0 || n > 200)
		return false;
	/* the port follows the last ':' */
	size_t colon = n;
	while (colon > 0 && p[colon - 1] != ':')
		colon--;
	if (colon == 0)
		return false;
	const char *port = p + colon;
	size_t port_n = n - colon;
	size_t addr_n = colon - 1;
	if (port_n == 1 && port[0] == '*') {
		out->any_port = true;
	} else {
		uint32_t v = 0;
		if (port_n == 0 || port_n > 5)
			return false;
		for (size_t i = 0; i < port_n; i++) {
			if (port[i] < '0' || port[i] > '9')
				return false;
			v = v * 10 + (uint32_t)(port[i] - '0');
		}
		if (v > 65535)
			return false;
		out->port = (uint16_t)v;
	}
	char buf[128];
	const char *ap = p;
	if (addr_n >= 2 && ap[0] == '[' && ap[addr_n - 1] == ']') {
		ap++;
		addr_n -= 2;
	} else if (addr_n >= 2 && ap[0] == '[') {
		/* "[::1]%lo" — scope after the bracket */
		const char *rb = memchr(ap, ']', addr_n);
		if (!rb)
			return false;
		const char *scope = rb + 1;
		size_t scope_n = addr_n - (size_t)(scope - ap);
		if (scope_n && scope[0] == '%' && a)
			out->scope = arena_strndup(a, scope, scope_n);
		addr_n = (size_t)(rb - ap) - 1;
		ap++;
	}
	/* "%iface" scope */
	const char *pct = memchr(ap, '%', addr_n);
	if (pct) {
		if (a && !out->scope)
			out->scope = arena_strndup(a, pct, addr_n - (size_t)(pct - ap));
		addr_n = (size_t)(pct - ap);
	}
	if (addr_n == 0)
		return false;	/* ":::80" handled by the netstat case below */
	if (addr_n == 1 && ap[0] == '*') {
		out->family = 0;
		return true;
	}
	if (addr_n >= sizeof(buf))
		return false;
	memcpy(buf, ap, addr_n);
	buf[addr_n] = '\0';
	if (memchr(buf, ':', addr_n)) {
		if (inet_pton(AF_INET6, buf, out->addr) != 1)
			return false;
		out->family = AF_INET6;
		/* "::ffff:1.2.3.4" is an IPv4 peer on a dual-stack socket: keep it
		 * IPv6, as the kernel does, but nothing else special is needed. */
	} else {
		if (inet_pton(AF_INET, buf, out->addr) != 1)
			return false;
		out->family = AF_INET;
	}
	return true;
}

void incident_init(struct incident *inc, struct arena *a)
{
	memset(inc, 0, sizeof(*inc));
	inc->arena = a;
	inc->t_first = NAN;
	inc->t_last = NAN;
}

struct sock_snapshot *incident_add_sock_snapshot(struct incident *inc, const char *file, int input,
						 enum sock_source source)
{
	struct sock_snapshot *s = arena_alloc(inc->arena, sizeof(*s));
	s->file = file;
	s->input = input;
	s->at = NAN;
	s->source = source;
	s->listen_send_q_is_limit = source == SOCKSRC_SS || source == SOCKSRC_SOCKDIAG;
	s->seq = (uint32_t)inc->sock_snaps.n;
	*VEC_PUSH(inc->arena, &inc->sock_snaps) = s;
	return s;
}

struct sock_row *sock_snapshot_add_row(struct incident *inc, struct sock_snapshot *s)
{
	struct sock_row *r = VEC_PUSH(inc->arena, &s->rows);
	memset(r, 0, sizeof(*r));
	r->uid = -1;
	r->rcv_space = r->snd_wnd = r->rcv_wnd = r->retrans = r->backoff = -1;
	r->src.file = s->file;
	r->src.at = s->at;
	return r;
}

struct counter_snapshot *incident_add_counter_snapshot(struct incident *inc, const char *file,
						       int input, enum counter_source source)
{
	struct counter_snapshot *s = arena_alloc(inc->arena, sizeof(*s));
	s->file = file;
	s->input = input;
	s->at = NAN;
	s->source = source;
	s->seq = (uint32_t)inc->counter_snaps.n;
	*VEC_PUSH(inc->arena, &inc->counter_snaps) = s;
	return s;
}

void counter_snapshot_set(struct incident *inc, struct counter_snapshot *s, const char *name,
			  int64_t value, const struct provenance *src)
{
	for (size_t i = 0; i < s->counters.n; i++) {
		if (strcmp(s->counters.v[i].name, name) == 0) {
			s->counters.v[i].value = value;
			if (src)
				s->counters.v[i].src = *src;
			return;
		}
	}
	struct counter *c = VEC_PUSH(inc->arena, &s->counters);
	c->name = arena_strdup(inc->arena, name);
	c->value = value;
	if (src)
		c->src = *src;
	else
		c->src.file = s->file;
}

const struct counter *counter_snapshot_find(const struct counter_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->counters.n; i++)
		if (strcmp(s->counters.v[i].name, name) == 0)
			return &s->counters.v[i];
	return NULL;
}

void incident_add_sysctl(struct incident *inc, const char *name, const char *value,
			 const struct provenance *src)
{
	struct sysctl *s = VEC_PUSH(inc->arena, &inc->sysctls);
	s->name = arena_strdup(inc->arena, name);
	s->value = arena_strdup(inc->arena, value);
	if (src)
		s->src = *src;
}

const struct sysctl *incident_sysctl(const struct incident *inc, const char *name)
{
	for (size_t i = inc->sysctls.n; i-- > 0;)
		if (strcmp(inc->sysctls.v[i].name, name) == 0)
			return &inc->sysctls.v[i];
	return NULL;
}

bool incident_sysctl_i64(const struct incident *inc, const char *name, int64_t *out)
{
	const struct sysctl *s = incident_sysctl(inc, name);
	if (!s || !s->value)
		return false;
	struct span v = span_trim(span_cstr(s->value));
	return span_i64(v, out);
}

struct process *incident_process(struct incident *inc, int32_t pid, bool create)
{
	for (size_t i = 0; i < inc->processes.n; i++)
		if (inc->processes.v[i]->pid == pid)
			return inc->processes.v[i];
	if (!create)
		return NULL;
	struct process *p = arena_alloc(inc->arena, sizeof(*p));
	p->pid = pid;
	p->ppid = -1;
	p->fds = p->fd_limit = p->fd_sockets = -1;
	p->src.at = NAN;
	*VEC_PUSH(inc->arena, &inc->processes) = p;
	return p;
}

struct thread *process_thread(struct incident *inc, struct process *p, int32_t tid, bool create)
{
	for (size_t i = 0; i < p->threads.n; i++)
		if (p->threads.v[i].tid == tid)
			return &p->threads.v[i];
	if (!create)
		return NULL;
	struct thread *t = VEC_PUSH(inc->arena, &p->threads);
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->lock_owner_tid = -1;
	t->cpu_ticks_delta = -1;
	return t;
}

struct stack_sample *thread_add_sample(struct incident *inc, struct thread *t)
{
	struct stack_sample *s = VEC_PUSH(inc->arena, &t->samples);
	memset(s, 0, sizeof(*s));
	s->sample_no = (uint32_t)t->samples.n;
	s->src.at = NAN;
	s->utime = s->stime = -1;
	s->syscall_nr = -2;
	s->stop_ns = -1;
	return s;
}

struct listener *incident_listener(struct incident *inc, const struct endpoint *addr, bool create)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (endpoint_equal(&inc->listeners.v[i]->addr, addr))
			return inc->listeners.v[i];
	if (!create)
		return NULL;
	struct listener *l = arena_alloc(inc->arena, sizeof(*l));
	l->addr = *addr;
	l->addr.scope = NULL;
	char buf[80];
	l->name = arena_strdup(inc->arena, endpoint_format(addr, buf, sizeof(buf)));
	l->backlog = -1;
	l->max_recv_q = -1;
	l->limit_inferred = -1;
	l->backlog_src.at = l->max_src.at = l->inferred_src.at = NAN;
	*VEC_PUSH(inc->arena, &inc->listeners) = l;
	return l;
}

/* The nstat runs after the last one that printed totals (or after the
 * first), when every later run printed increments since the run before it
 * (misc/nstat.c: dump_incr_db() subtracts the history file that every run
 * rewrites): their sum is what the counter did between the chain's first
 * and last run. */
static bool nstat_chain_span(const struct incident *inc, const char *name,
			     struct counter_span *out)
{
	const struct counter_snapshot *start = NULL;
	const struct counter *start_c = NULL, *last_c = NULL;
	int64_t sum = 0;
	uint32_t runs = 0;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->source != CNTSRC_NSTAT)
			continue;
		if (!start || !s->increments) {
			/* a run that printed totals starts the chain again */
			start = s;
			start_c = counter_snapshot_find(s, name);
			last_c = NULL;
			sum = 0;
			runs = 0;
			continue;
		}
		const struct counter *c = counter_snapshot_find(s, name);
		if (!c)
			return false;	/* left out: derive.c fills nstat's omitted zeros */
		if (c->value < 0 || sum > INT64_MAX - c->value)
			return false;
		sum += c->value;
		last_c = c;
		runs++;
	}
	if (!runs || !start_c || !last_c)
		return false;
	memset(out, 0, sizeof(*out));
	out->from_increments = true;
	out->first = start->increments ? 0 : start_c->value;
	if (out->first > INT64_MAX - sum)
		return false;
	out->last = out->first + sum;
	out->delta = sum;
	out->n = runs + 1;
	out->moments = out->n;	/* each nstat run is a moment of its own */
	out->first_c = start_c;
	out->last_c = last_c;
	return true;
}

bool incident_counter_span(const struct incident *inc, const char *name, struct counter_span *out)
{
	memset(out, 0, sizeof(*out));
	/* counter_snaps are kept in time order by derive_incident(), the
	 * snapshots of one moment next to each other (derive.c) */
	uint32_t last_moment = 0;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->increments)
			continue;
		const struct counter *c = counter_snapshot_find(s, name);
		if (!c)
			continue;
		if (out->n == 0) {
			out->first = c->value;
			out->first_c = c;
		} else if (c->value < out->last) {
			out->went_backwards = true;
		} else if (c->value == out->first && !out->first_c->src.line && c->src.line) {
			/* the same value, but a line to quote (netstat -s omits zeros) */
			out->first_c = c;
		}
		out->last = c->value;
		out->last_c = c;
		out->n++;
		/* moment 0: not numbered (derive not run): each its own */
		if (!s->moment || s->moment != last_moment)
			out->moments++;
		last_moment = s->moment;
	}
	out->delta = out->last - out->first;
	if (out->n < 2) {
		/* no two totals: nstat runs in default mode may still show it */
		struct counter_span ch;
		if (nstat_chain_span(inc, name, &ch)) {
			*out = ch;
			return true;
		}
	}
	return out->n > 0;
}

const char *kernel_event_name(enum kernel_event_kind k)
{
	static const char *const names[KEV_N] = {
		[KEV_SYN_FLOOD] = "syn-flood", [KEV_CONNTRACK_FULL] = "conntrack-full",
		[KEV_ORPHANS] = "orphans", [KEV_TCP_MEM] = "tcp-mem",
		[KEV_SOCKET_MEM] = "socket-mem", [KEV_TW_OVERFLOW] = "tw-overflow",
		[KEV_FILE_MAX] = "file-max",
	};
	return k >= 0 && k < KEV_N ? names[k] : "unknown";
}

struct kernel_event *incident_add_kernel_event(struct incident *inc, enum kernel_event_kind kind)
{
	struct kernel_event *e = VEC_PUSH(inc->arena, &inc->kernel_events);
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->port = -1;
	e->value = -1;
	e->count = 1;
	e->uptime = NAN;
	e->src.at = NAN;
	return e;
}
