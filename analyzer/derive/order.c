/* order.c — put the snapshots of each kind (socket tables, counters) in the
 * order they were taken, group the ones that are one observation, and say
 * which order was used and why (issue 14).
 *
 * When: a snapshot's own time (its first line, or --at) first; then the
 * file's mtime, but only when the mtimes carry an order (they differ: tar,
 * scp -p, cp -p keep them; a git checkout, an unpack or a plain copy writes
 * every file within a fraction of a second); then the file name (before <
 * during or 1..n < after, numbers in numeric order: ss-2 < ss-10). Kernel
 * counters (ListenOverflows, TcpPassiveOpens...) only grow until a reboot
 * (snmp_fold_field() sums per-cpu counters that are never decremented), so
 * they check an order taken from mtimes or names, and win when they
 * disagree.
 *
 * One observation: ss, netstat and /proc/net/tcp (and netstat -s, nstat and
 * /proc/net/netstat) run together read one kernel table at one moment;
 * counting them as several snapshots made "full in 78 of 17 snapshots". */
#include "derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Different tools within this many seconds read one moment. */
#define MOMENT_S 1.0
/* Files whose mtimes are closer than this were written back to back (a
 * checkout, an unpack, a copy): those mtimes say nothing of the order. */
#define MTIME_GAP_S 0.5
/* A file dated by its first line whose mtime is this close after that time
 * kept its mtime (the tool wrote it right after `date`). */
#define MTIME_KEPT_BEFORE_S 2.0
#define MTIME_KEPT_AFTER_S 600.0
/* Neighbours in the sorted order considered for one moment */
#define MOMENT_WINDOW 8
/* Moments the counters are compared pairwise across (more: neighbours only) */
#define COUNTER_CHECK_MAX 64
#define NUMS_MAX 6
#define LISTEN_ROWS_MAX 256

struct ref {
	void *snap;		/* struct sock_snapshot * or struct counter_snapshot * */
	const struct input *in;
	double own;		/* its own time (first line, --at), NAN */
	enum time_source own_src;
	double mtime;		/* NAN when unknown */
	double t;		/* the time the order uses, NAN */
	uint32_t seq;
	int input;
	unsigned table;		/* one bit per tool/table */
	/* the name key */
	const char *rel;	/* display path below the common directory */
	int phase;		/* -1 none, 0 before, 1 during, 2 after */
	uint64_t nums[NUMS_MAX];
	int n_nums;
	size_t parent;		/* union-find: the moment */
	size_t pos;
};

struct klass {
	struct analysis *an;
	bool counters;
	const char *what;	/* "socket tables", "counters" */
	struct ref *r;
	size_t n;
	struct snapshot_order *order;
	bool mtimes_refuted;	/* the counters showed the mtimes wrong */
	bool was_mtime;		/* the basis was the mtimes before the counters' check */
};

/* ---- names */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Words people put in the names of snapshots taken before, during and
 * after an incident. Whole words only: "prefork" is not "pre". */
static int word_phase(const char *p, size_t n)
{
	static const struct {
		const char *w;
		int phase;
	} words[] = {
		{ "before", 0 }, { "pre", 0 }, { "start", 0 }, { "begin", 0 }, { "first", 0 },
		{ "initial", 0 }, { "baseline", 0 }, { "during", 1 }, { "mid", 1 },
		{ "after", 2 }, { "post", 2 }, { "end", 2 }, { "final", 2 }, { "last", 2 },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t m = strlen(words[i].w);
		if (m != n)
			continue;
		size_t k = 0;
		while (k < n && lower(p[k]) == words[i].w[k])
			k++;
		if (k == n)
			return words[i].phase;
	}
	return -1;
}

static void name_key(struct ref *x, const char *rel)
{
	x->rel = rel;
	x->phase = -1;
	x->n_nums = 0;
	size_t n = strlen(rel);
	for (size_t i = 0; i < n;) {
		if (is_alpha(rel[i])) {
			size_t j = i;
			while (j < n && is_alpha(rel[j]))
				j++;
			int ph = word_phase(rel + i, j - i);
			if (x->phase < 0 && ph >= 0)
				x->phase = ph;
			i = j;
		} else if (is_digit(rel[i])) {
			size_t j = i;
			uint64_t v = 0;
			while (j < n && is_digit(rel[j])) {
				if (v < UINT64_MAX / 16)
					v = v * 10 + (uint64_t)(rel[j] - '0');
				j++;
			}
			/* a number of its own ("ss-10", "2026-11-25T19:07"), not
			 * the tail of a word ("tcp6", "snmp6") */
			bool own = i == 0 || !is_alpha(rel[i - 1]) ||
				   (rel[i - 1] == 'T' && i >= 2 && is_digit(rel[i - 2]));
			if (own && x->n_nums < NUMS_MAX)
				x->nums[x->n_nums++] = v;
			i = j;
		} else {
			i++;
		}
	}
}

/* Natural order: digit runs compare as numbers, the rest without case. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (is_digit(*a) && is_digit(*b)) {
			while (*a == '0' && is_digit(a[1]))
				a++;
			while (*b == '0' && is_digit(b[1]))
				b++;
			size_t na = 0, nb = 0;
			while (is_digit(a[na]))
				na++;
			while (is_digit(b[nb]))
				nb++;
			if (na != nb)
				return na < nb ? -1 : 1;
			int c = strncmp(a, b, na);
			if (c)
				return c;
			a += na;
			b += nb;
			continue;
		}
		char ca = lower(*a), cb = lower(*b);
		if (ca != cb)
			return (unsigned char)ca < (unsigned char)cb ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int phase_rank(int phase)
{
	return phase < 0 ? 1 : phase;
}

static int cmp_name(const struct ref *x, const struct ref *y)
{
	int px = phase_rank(x->phase), py = phase_rank(y->phase);
	if (px != py)
		return px < py ? -1 : 1;
	for (int i = 0; i < x->n_nums && i < y->n_nums; i++)
		if (x->nums[i] != y->nums[i])
			return x->nums[i] < y->nums[i] ? -1 : 1;
	if (x->n_nums != y->n_nums)
		return x->n_nums < y->n_nums ? -1 : 1;
	return natural_cmp(x->rel, y->rel);
}

static int cmp_tail(const struct ref *x, const struct ref *y)
{
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = cmp_name(x, y);
	return c ? c : cmp_tail(x, y);
}

static int cmp_by_time(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (!isnan(x->t) && !isnan(y->t) && x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (isnan(x->t) != isnan(y->t))
		return isnan(x->t) ? 1 : -1;
	int c = cmp_name(x, y);
	return c ? c : cmp_tail(x, y);
}

static int cmp_by_pos(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* ---- the snapshots of one kind, behind one face */

static struct sock_snapshot *ss_of(const struct ref *x)
{
	return (struct sock_snapshot *)x->snap;
}

static struct counter_snapshot *cs_of(const struct ref *x)
{
	return (struct counter_snapshot *)x->snap;
}

static unsigned sock_table(const struct sock_snapshot *s)
{
	switch (s->source) {
	case SOCKSRC_SS:
		return 1u << 0;
	case SOCKSRC_NETSTAT:
		return 1u << 1;
	case SOCKSRC_SOCKDIAG:
		return 1u << 4;
	case SOCKSRC_PROC_NET_TCP:
		break;
	}
	/* /proc/net/tcp and /proc/net/tcp6 are two tables of one moment */
	bool v6 = s->rows.n > 0;
	for (size_t i = 0; i < s->rows.n && v6; i++)
		if (s->rows.v[i].local.family != AF_INET6)
			v6 = false;
	const char *base = strrchr(s->file ? s->file : "", '/');
	base = base ? base + 1 : s->file ? s->file : "";
	return v6 || strstr(base, "tcp6") ? 1u << 3 : 1u << 2;
}

static void load(struct klass *k)
{
	struct incident *inc = &k->an->inc;
	k->n = k->counters ? inc->counter_snaps.n : inc->sock_snaps.n;
	k->r = arena_calloc(&k->an->arena, k->n ? k->n : 1, sizeof(*k->r));
	for (size_t i = 0; i < k->n; i++) {
		struct ref *x = &k->r[i];
		double *at;
		enum time_source *src;
		int input;
		if (k->counters) {
			struct counter_snapshot *s = inc->counter_snaps.v[i];
			x->snap = s;
			at = &s->at;
			src = &s->at_src;
			input = s->input;
			x->seq = s->seq;
			x->table = 1u << s->source;
		} else {
			struct sock_snapshot *s = inc->sock_snaps.v[i];
			x->snap = s;
			at = &s->at;
			src = &s->at_src;
			input = s->input;
			x->seq = s->seq;
			x->table = sock_table(s);
		}
		x->input = input;
		x->in = input >= 0 && (size_t)input < k->an->inputs.n ? &k->an->inputs.v[input] : NULL;
		/* a time the parser read for this snapshot, else its input's */
		if (isnan(*at) && x->in) {
			*at = x->in->at;
			*src = x->in->at_src;
		}
		x->own = NAN;
		x->own_src = TIME_NONE;
		if (!isnan(*at) && (*src == TIME_CONTENT || *src == TIME_LABEL)) {
			x->own = *at;
			x->own_src = *src;
		}
		x->mtime = x->in && x->in->mtime > 0 ? x->in->mtime : NAN;
		x->t = NAN;
	}
	/* names below the directory they all share */
	size_t common = SIZE_MAX;
	const char *first = NULL;
	for (size_t i = 0; i < k->n; i++) {
		const char *d = k->r[i].in ? k->r[i].in->display : "";
		if (!first) {
			first = d;
			const char *sl = strrchr(d, '/');
			common = sl ? (size_t)(sl - d) + 1 : 0;
			continue;
		}
		size_t m = 0;
		while (m < common && d[m] && d[m] == first[m])
			m++;
		while (m > 0 && first[m - 1] != '/')
			m--;
		common = m;
	}
	for (size_t i = 0; i < k->n; i++) {
		const char *d = k->r[i].in ? k->r[i].in->display : "";
		name_key(&k->r[i], strlen(d) >= common ? d + common : d);
	}
}

/* ---- the basis */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

enum no_mtime { MT_USED, MT_EQUAL, MT_REWRITTEN, MT_MISSING, MT_REFUTED };

static enum no_mtime choose_basis(struct klass *k)
{
	struct snapshot_order *o = k->order;
	size_t timed = 0, untimed_mtimes = 0;
	bool all_mtimes = true;
	double *mt = arena_calloc(&k->an->arena, k->n ? k->n : 1, sizeof(double));
	bool rewritten = false;
	for (size_t i = 0; i < k->n; i++) {
		const struct ref *x = &k->r[i];
		if (!isnan(x->own)) {
			timed++;
			/* a kept mtime is the moment the tool finished writing, a
			 * little after the time on the first line */
			if (!isnan(x->mtime) && (x->mtime < x->own - MTIME_KEPT_BEFORE_S ||
						 x->mtime > x->own + MTIME_KEPT_AFTER_S))
				rewritten = true;
		} else if (isnan(x->mtime)) {
			all_mtimes = false;
		} else {
			mt[untimed_mtimes++] = x->mtime;
		}
	}
	o->untimed = (uint32_t)(k->n - timed);
	if (timed == k->n) {
		o->basis = ORDER_TIME;
		for (size_t i = 0; i < k->n; i++)
			k->r[i].t = k->r[i].own;
		return MT_USED;
	}
	/* the inputs' mtimes, in groups of files written back to back */
	if (untimed_mtimes > 1)
		qsort(mt, untimed_mtimes, sizeof(double), cmp_double);
	size_t groups = untimed_mtimes ? 1 : 0;
	for (size_t i = 1; i < untimed_mtimes; i++)
		if (mt[i] - mt[i - 1] > MTIME_GAP_S)
			groups++;
	/* with dated files beside them, kept mtimes put the others on the
	 * same timeline even when they are one group */
	bool use_mtime = all_mtimes && !rewritten && !k->mtimes_refuted &&
			 (timed ? true : groups >= 2);
	if (use_mtime) {
		o->basis = timed ? ORDER_TIME_MTIME : ORDER_MTIME;
		for (size_t i = 0; i < k->n; i++)
			k->r[i].t = isnan(k->r[i].own) ? k->r[i].mtime : k->r[i].own;
		return MT_USED;
	}
	o->basis = ORDER_NAME;
	for (size_t i = 0; i < k->n; i++)
		k->r[i].t = k->r[i].own;	/* the untimed ones have none */
	return !all_mtimes ? MT_MISSING : rewritten ? MT_REWRITTEN
	       : k->mtimes_refuted && groups >= 2 ? MT_REFUTED : MT_EQUAL;
}

/* ---- moments */

static size_t find(struct ref *r, size_t i)
{
	while (r[i].parent != i) {
		r[i].parent = r[r[i].parent].parent;
		i = r[i].parent;
	}
	return i;
}

static unsigned listen_families(const struct sock_snapshot *s)
{
	unsigned f = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		if (s->rows.v[i].state == TCP_LISTEN)
			f |= s->rows.v[i].local.family == AF_INET6 ? 2u : 1u;
	return f;
}

/* The same LISTEN rows (address, accept queue, inode where both show one)
 * in the address families both list (/proc/net/tcp holds only IPv4): two
 * tools read the same listeners. A stable server looks the same at two
 * moments too, so this only ever merges looks, never splits them. */
static bool same_listeners(const struct sock_snapshot *a, const struct sock_snapshot *b)
{
	unsigned fam = listen_families(a) & listen_families(b);
	if (!fam)
		return false;
	const struct sock_row *ra[LISTEN_ROWS_MAX];
	bool used[LISTEN_ROWS_MAX] = { false };
	size_t na = 0, nb = 0;
	for (size_t i = 0; i < a->rows.n; i++) {
		const struct sock_row *x = &a->rows.v[i];
		if (x->state != TCP_LISTEN || !(fam & (x->local.family == AF_INET6 ? 2u : 1u)))
			continue;
		if (na == LISTEN_ROWS_MAX)
			return false;
		ra[na++] = x;
	}
	for (size_t i = 0; i < b->rows.n; i++) {
		const struct sock_row *y = &b->rows.v[i];
		if (y->state != TCP_LISTEN || !(fam & (y->local.family == AF_INET6 ? 2u : 1u)))
			continue;
		nb++;
		bool hit = false;
		for (size_t j = 0; j < na && !hit; j++) {
			const struct sock_row *x = ra[j];
			if (used[j] || !endpoint_equal(&x->local, &y->local) ||
			    x->have_queues != y->have_queues || x->recv_q != y->recv_q)
				continue;
			if (x->have_inode && y->have_inode && x->inode != y->inode)
				continue;
			used[j] = true;
			hit = true;
		}
		if (!hit)
			return false;
	}
	return na > 0 && na == nb;
}

static bool same_tag(const struct ref *x, const struct ref *y)
{
	if (x->phase != y->phase || x->n_nums != y->n_nums)
		return false;
	for (int i = 0; i < x->n_nums; i++)
		if (x->nums[i] != y->nums[i])
			return false;
	return true;
}

/* How far apart two snapshots of different tools are, as one moment
 * (smaller first), or a negative number when they are not one moment. */
static double moment_distance(const struct klass *k, const struct ref *x, const struct ref *y)
{
	if (x->table & y->table)
		return -1;
	if (!isnan(x->t) && !isnan(y->t)) {
		double d = fabs(x->t - y->t);
		if (d > MOMENT_S)
			return -1;
		/* an empty table (/proc/net/tcp6 of an IPv4 server) joins last:
		 * through it, a snapshot would chain to a neighbour's moment */
		if (!k->counters && (!ss_of(x)->rows.n || !ss_of(y)->rows.n))
			d += 4 * MOMENT_S;
		return d;
	}
	/* no times to compare: the names say the same moment ("ss-before",
	 * "netstat-before"; "ss-3", "netstat-3"), or say nothing ("ss.txt" and
	 * "netstat.txt" saved together: one look, not two) */
	if (same_tag(x, y))
		return MOMENT_S + 1;
	/* or two tools list the very same listeners, and the names do not say
	 * two moments ("ss-1", "netstat-2") */
	bool tx = x->phase >= 0 || x->n_nums > 0, ty = y->phase >= 0 || y->n_nums > 0;
	if (!k->counters && (!tx || !ty) && same_listeners(ss_of(x), ss_of(y)))
		return MOMENT_S + 2;
	return -1;
}

struct pair {
	size_t a, b;
	double d;
};

static int cmp_pair(const void *p, const void *q)
{
	const struct pair *x = p, *y = q;
	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return (x->b > y->b) - (x->b < y->b);
}

static void group_moments(struct klass *k)
{
	struct ref *r = k->r;
	size_t n = k->n;
	/* only the pairs that can be one moment: memory follows them, not
	 * n * MOMENT_WINDOW */
	VEC(struct pair) pv = { 0 };
	for (size_t i = 0; i < n; i++) {
		r[i].parent = i;
		for (size_t j = i + 1; j < n && j <= i + MOMENT_WINDOW; j++) {
			double d = moment_distance(k, &r[i], &r[j]);
			if (d >= 0)
				*VEC_PUSH(&k->an->arena, &pv) = (struct pair){ i, j, d };
		}
	}
	struct pair *pairs = pv.v;
	size_t np = pv.n;
	if (np > 1)
		qsort(pairs, np, sizeof(*pairs), cmp_pair);
	/* per root: the tables it holds and the span of its times */
	unsigned *tables = arena_calloc(&k->an->arena, n ? n : 1, sizeof(unsigned));
	double *lo = arena_calloc(&k->an->arena, n ? n : 1, sizeof(double));
	double *hi = arena_calloc(&k->an->arena, n ? n : 1, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		tables[i] = r[i].table;
		lo[i] = hi[i] = r[i].t;
	}
	for (size_t p = 0; p < np; p++) {
		size_t a = find(r, pairs[p].a), b = find(r, pairs[p].b);
		if (a == b || (tables[a] & tables[b]))
			continue;
		double l = fmin(lo[a], lo[b]), h = fmax(hi[a], hi[b]);
		if (!isnan(l) && !isnan(h) && h - l > MOMENT_S)
			continue;
		r[b].parent = a;
		tables[a] |= tables[b];
		lo[a] = l;
		hi[a] = h;
	}
	/* the snapshots of one moment side by side, where its first one is */
	size_t *first = arena_calloc(&k->an->arena, n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		first[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t root = find(r, i);
		if (first[root] == SIZE_MAX)
			first[root] = i;
	}
	for (size_t i = 0; i < n; i++)
		r[i].pos = first[find(r, i)] * (n + 1) + i;
	if (n > 1)
		qsort(r, n, sizeof(*r), cmp_by_pos);
}

/* Moment numbers 1.. in order; returns how many. r[].pos holds them. */
static uint32_t number_moments(struct klass *k)
{
	uint32_t m = 0;
	size_t prev = SIZE_MAX;
	for (size_t i = 0; i < k->n; i++) {
		size_t group = k->r[i].pos / (k->n + 1);
		if (group != prev)
			m++;
		prev = group;
		k->r[i].pos = m;
	}
	return m;
}

/* ---- the counters' word on the order */

/* Values that go up and down (gauges) or never change (settings) say
 * nothing of the order. */
static bool monotonic(const char *name)
{
	static const char *const gauges[] = {
		"CurrEstab", "MaxConn", "RtoAlgorithm", "RtoMin", "RtoMax", "Forwarding",
		"DefaultTTL",
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
		size_t m = strlen(gauges[i]);
		if (n >= m && strcmp(name + n - m, gauges[i]) == 0)
			return false;
	}
	return true;
}

struct moment_values {
	const struct counter **c;	/* sorted by name, monotonic totals only */
	size_t n;
	const struct counter_snapshot *snap;
	const char *rel;	/* its name below the common directory */
};

static int cmp_counter_name(const void *a, const void *b)
{
	const struct counter *x = *(const struct counter *const *)a;
	const struct counter *y = *(const struct counter *const *)b;
	return strcmp(x->name, y->name);
}

enum rel { REL_EQUAL, REL_AGREE, REL_REVERSED, REL_REBOOT, REL_MIXED, REL_NONE };

struct relation {
	enum rel rel;
	uint32_t up, down, same;
	const struct counter *down_a, *down_b;	/* a counter that went down */
};

/* Which counters grew, fell or stayed (non-zero) from a to b. */
static struct relation relate(const struct moment_values *a, const struct moment_values *b)
{
	struct relation r = { REL_NONE, 0, 0, 0, NULL, NULL };
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		int c = strcmp(a->c[i]->name, b->c[j]->name);
		if (c < 0) {
			i++;
			continue;
		}
		if (c > 0) {
			j++;
			continue;
		}
		int64_t x = a->c[i]->value, y = b->c[j]->value;
		if (y > x) {
			r.up++;
		} else if (y < x) {
			/* the counter the report names: the accept queue's first */
			if (!r.down_a || strcmp(a->c[i]->name, "ListenOverflows") == 0 ||
			    (strcmp(r.down_a->name, "ListenOverflows") != 0 &&
			     strcmp(a->c[i]->name, "TcpPassiveOpens") == 0)) {
				r.down_a = a->c[i];
				r.down_b = b->c[j];
			}
			r.down++;
		} else if (x != 0) {
			r.same++;
		}
		i++;
		j++;
	}
	if (!r.up && !r.down)
		r.rel = r.same ? REL_EQUAL : REL_NONE;
	else if (!r.down)
		r.rel = REL_AGREE;
	else if (!r.up)
		/* a reboot zeroes every counter: one that kept its non-zero
		 * value did not live through one; the files are just reversed */
		r.rel = r.same ? REL_REVERSED : REL_REBOOT;
	else
		r.rel = REL_MIXED;
	return r;
}

static bool rel_ok(enum rel r)
{
	return r == REL_EQUAL || r == REL_AGREE || r == REL_NONE;
}

/* Check the order against the counters; reorder the moments when the order
 * came from mtimes or names and the counters give another. Appends what it
 * found to *why. */
static void check_counters(struct klass *k, uint32_t moments, const char **why)
{
	struct snapshot_order *o = k->order;
	struct arena *ar = &k->an->arena;
	if (moments < 2)
		return;
	struct moment_values *mv = arena_calloc(ar, moments, sizeof(*mv));
	/* per moment: the snapshot of totals with the most counters */
	for (size_t i = 0; i < k->n; i++) {
		const struct counter_snapshot *s = cs_of(&k->r[i]);
		struct moment_values *m = &mv[k->r[i].pos - 1];
		if (s->increments)
			continue;
		if (!m->snap || s->counters.n > m->snap->counters.n) {
			m->snap = s;
			m->rel = k->r[i].rel;
		}
	}
	size_t usable = 0;
	for (uint32_t m = 0; m < moments; m++) {
		const struct counter_snapshot *s = mv[m].snap;
		if (!s)
			continue;
		usable++;
		mv[m].c = arena_calloc(ar, s->counters.n ? s->counters.n : 1, sizeof(void *));
		for (size_t c = 0; c < s->counters.n; c++)
			if (monotonic(s->counters.v[c].name))
				mv[m].c[mv[m].n++] = &s->counters.v[c];
		if (mv[m].n > 1)
			qsort(mv[m].c, mv[m].n, sizeof(void *), cmp_counter_name);
	}
	if (usable < 2)
		return;
	/* the chosen order, moment after moment (those with totals) */
	uint32_t *seq = arena_calloc(ar, moments, sizeof(uint32_t));
	size_t ns = 0;
	for (uint32_t m = 0; m < moments; m++)
		if (mv[m].snap)
			seq[ns++] = m;
	/* the first pair against the order; one that is not a reboot first */
	struct relation bad = { REL_NONE, 0, 0, 0, NULL, NULL };
	size_t bad_at = 0;
	for (size_t i = 0; i + 1 < ns; i++) {
		struct relation r = relate(&mv[seq[i]], &mv[seq[i + 1]]);
		if (rel_ok(r.rel))
			continue;
		if (bad.rel == REL_NONE || (bad.rel == REL_REBOOT && r.rel != REL_REBOOT)) {
			bad = r;
			bad_at = i;
		}
	}
	if (bad.rel == REL_NONE) {
		o->check = OCHECK_AGREE;
		if (*why)
			*why = arena_printf(ar, "%s; the counters agree (none goes down from one "
					    "snapshot to the next)", *why);
		return;
	}
	const char *fa = mv[seq[bad_at]].rel;
	const char *fb = mv[seq[bad_at + 1]].rel;
	bool weak = o->basis == ORDER_MTIME || o->basis == ORDER_NAME;
	uint32_t *by = NULL;
	const char *how = NULL;
	if (weak && ns <= COUNTER_CHECK_MAX) {
		by = arena_calloc(ar, ns, sizeof(uint32_t));
		if (bad.rel == REL_REVERSED) {
			/* the order the counters give: insertion sort on the
			 * relation (counters that kept their non-zero values
			 * rule a reboot out) */
			for (size_t i = 0; i < ns; i++) {
				size_t j = i;
				while (j > 0 &&
				       relate(&mv[by[j - 1]], &mv[seq[i]]).rel == REL_REVERSED) {
					by[j] = by[j - 1];
					j--;
				}
				by[j] = seq[i];
			}
			how = "while %u other counters kept their values (not a reboot, which "
			      "zeroes them all): counters only grow, so they were put in the order "
			      "the counters give";
		} else if (bad.rel == REL_REBOOT && o->basis == ORDER_MTIME) {
			/* every counter dropped: a reboot, or the mtimes are wrong.
			 * The names are a second witness: when every counter
			 * grows in their order, two sources beat one */
			const struct ref **rep = arena_calloc(ar, moments, sizeof(void *));
			for (size_t i = 0; i < k->n; i++)
				if (!rep[k->r[i].pos - 1])
					rep[k->r[i].pos - 1] = &k->r[i];
			for (size_t i = 0; i < ns; i++) {
				size_t j = i;
				while (j > 0 && cmp_name(rep[by[j - 1]], rep[seq[i]]) > 0) {
					by[j] = by[j - 1];
					j--;
				}
				by[j] = seq[i];
			}
			how = "and every other counter with it, while in the "
			      "order of the file names every counter grows: the names and the "
			      "counters agree against the mtimes, so they were put in the names' "
			      "order";
		}
	}
	bool consistent = how != NULL;
	for (size_t i = 0; i + 1 < ns && consistent; i++)
		consistent = rel_ok(relate(&mv[by[i]], &mv[by[i + 1]]).rel);
	if (consistent) {
		/* moments without totals keep their place after the one
		 * before them: rank = position in the counters' order */
		uint32_t *rank = arena_calloc(ar, moments, sizeof(uint32_t));
		for (size_t i = 0; i < ns; i++)
			rank[by[i]] = (uint32_t)(i * (moments + 1u));
		uint32_t last = 0;
		for (uint32_t m = 0; m < moments; m++) {
			if (mv[m].snap)
				last = rank[m];
			else
				rank[m] = last + m + 1;
		}
		for (size_t i = 0; i < k->n; i++)
			k->r[i].pos = (size_t)rank[k->r[i].pos - 1] * (k->n + 1) + i;
		qsort(k->r, k->n, sizeof(*k->r), cmp_by_pos);
		number_moments(k);
		o->check = OCHECK_REORDERED;
		o->basis = ORDER_COUNTERS;
		const char *said = bad.rel == REL_REVERSED ? arena_printf(ar, how, bad.same) : how;
		*why = arena_printf(ar, "%s%sbut in that order %s went down from %lld (%s) to %lld "
				    "(%s) %s, %s before %s", *why ? *why : "", *why ? "; " : "",
				    bad.down_a->name, (long long)bad.down_a->value, fa,
				    (long long)bad.down_b->value, fb, said, fb, fa);
		return;
	}
	if (bad.rel == REL_REBOOT) {
		o->check = OCHECK_REBOOT;
		*why = arena_printf(ar, "%s%severy counter dropped from %s to %s (%s %lld, then "
				    "%lld): a reboot or a counter reset in between%s; no delta is "
				    "taken across it", *why ? *why : "", *why ? "; " : "", fa, fb,
				    bad.down_a->name, (long long)bad.down_a->value,
				    (long long)bad.down_b->value,
				    weak ? ", or the files are the other way round (nothing here "
					   "tells which)" : "");
		return;
	}
	o->check = OCHECK_CONTRADICT;
	*why = arena_printf(ar, "%s%s%s goes down from %lld (%s) to %lld (%s) while %s: %s; "
			    "the order was kept and no delta is taken across it",
			    *why ? *why : "", *why ? "; " : "", bad.down_a->name,
			    (long long)bad.down_a->value, fa, (long long)bad.down_b->value, fb,
			    bad.rel == REL_MIXED ? "others grow" : "others keep their values",
			    weak ? "the counters give no consistent order (another host or "
				   "network namespace?)"
				 : "their own times say this order (another host or network "
				   "namespace, or a wrong --at?)");
}

/* ---- the note */

static const char *basis_why(struct klass *k, enum no_mtime why_not, bool names_differ)
{
	struct arena *ar = &k->an->arena;
	const struct snapshot_order *o = k->order;
	const char *advice = "(a first line from `date -u +%FT%T.%3NZ` in each file, or "
			     "--at FILE=TIME, dates them)";
	switch (o->basis) {
	case ORDER_NONE:
	case ORDER_TIME:
	case ORDER_COUNTERS:
		return NULL;
	case ORDER_TIME_MTIME:
		return arena_printf(ar, "by the time in each file, and by file mtime for the %u "
				    "without one: the mtimes of the dated files match their times, "
				    "so the mtimes were kept", o->untimed);
	case ORDER_MTIME:
		return arena_printf(ar, "by file mtime: no file says when it was taken, and their "
				    "mtimes differ (kept by tar, scp -p or cp -p)%s %s",
				    names_differ ? "; the file names alone would give another order"
						 : ", in the order the names give too",
				    advice);
	case ORDER_NAME:
		return arena_printf(ar, "by file name (before < during or 1..n < after, numbers "
				    "in numeric order): %s %s",
				    why_not == MT_REWRITTEN
				    ? "the file mtimes are not the times the snapshots were taken "
				      "(they disagree with the times written in the files)"
				    : why_not == MT_MISSING
				    ? "some files have no time of their own and no mtime (stdin)"
				    : why_not == MT_REFUTED
				    ? "the file mtimes differ, but the counters show them wrong (see "
				      "counters)"
				    : o->untimed == o->snapshots
				    ? "no file says when it was taken, and their mtimes are equal "
				      "(a checkout, an unpack or a copy), so they tell no order"
				    : "not every file says when it was taken, and the mtimes of those "
				      "that do not are equal, so they tell no order",
				    advice);
	}
	return NULL;
}

static void order_class(struct klass *k)
{
	struct snapshot_order *o = k->order;
	memset(o, 0, sizeof(*o));
	load(k);
	o->snapshots = (uint32_t)k->n;
	if (k->n == 0)
		return;
	enum no_mtime why_not = choose_basis(k);
	k->was_mtime = o->basis == ORDER_MTIME;
	/* would the names alone give the same order? (said when mtimes decide) */
	bool names_differ = false;
	if (o->basis == ORDER_MTIME) {
		qsort(k->r, k->n, sizeof(*k->r), cmp_by_name);
		for (size_t i = 0; i < k->n; i++)
			k->r[i].pos = i;
	}
	qsort(k->r, k->n, sizeof(*k->r), o->basis == ORDER_NAME ? cmp_by_name : cmp_by_time);
	if (o->basis == ORDER_MTIME)
		for (size_t i = 0; i + 1 < k->n; i++)
			if (k->r[i].pos > k->r[i + 1].pos && k->r[i].t != k->r[i + 1].t)
				names_differ = true;
	group_moments(k);
	uint32_t moments = number_moments(k);
	o->moments = moments;
	const char *why = moments >= 2 ? basis_why(k, why_not, names_differ) : NULL;
	if (k->counters)
		check_counters(k, moments, &why);
	if (moments < 2 && o->basis != ORDER_TIME)
		o->basis = ORDER_NONE;
	/* several tools at one moment: say it is one look, not several
	 * (snapshots dated by their own lines say it with their times) */
	if (o->moments < o->snapshots && (why || o->basis != ORDER_TIME))
		why = arena_printf(&k->an->arena, "%s%s%u snapshots are %u moment%s (tools run at "
				   "the same moment count once)", why ? why : "", why ? "; " : "",
				   o->snapshots, o->moments, o->moments == 1 ? "" : "s");
	o->why = why ? arena_printf(&k->an->arena, "%s: %s", k->what, why) : NULL;

	/* write back: the order, the moments, the times */
	struct incident *inc = &k->an->inc;
	for (size_t i = 0; i < k->n; i++) {
		const struct ref *x = &k->r[i];
		/* a time that decided nothing is not a time: an mtime that
		 * tells no order is when the file was copied, not taken */
		double at = !isnan(x->own) ? x->own
			    : o->basis == ORDER_MTIME || o->basis == ORDER_TIME_MTIME ? x->t : NAN;
		enum time_source src = !isnan(x->own) ? x->own_src : isnan(at) ? TIME_NONE : TIME_MTIME;
		if (k->counters) {
			struct counter_snapshot *s = cs_of(x);
			s->at = at;
			s->at_src = src;
			s->moment = (uint32_t)x->pos;
			for (size_t c = 0; c < s->counters.n; c++)
				s->counters.v[c].src.at = at;
			inc->counter_snaps.v[i] = s;
		} else {
			struct sock_snapshot *s = ss_of(x);
			s->at = at;
			s->at_src = src;
			s->moment = (uint32_t)x->pos;
			for (size_t r = 0; r < s->rows.n; r++)
				s->rows.v[r].src.at = at;
			inc->sock_snaps.v[i] = s;
		}
	}
}

void derive_order(struct analysis *an)
{
	struct klass socks = { an, false, "socket tables", NULL, 0, &an->inc.sock_order, false,
			       false };
	struct klass cnts = { an, true, "counters", NULL, 0, &an->inc.counter_order, false,
			      false };
	/* counters first: when they refute the mtimes, the socket tables'
	 * mtimes (copied the same way) are not used either */
	order_class(&cnts);
	socks.mtimes_refuted = cnts.was_mtime && cnts.order->check == OCHECK_REORDERED;
	order_class(&socks);
}
