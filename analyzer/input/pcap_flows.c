/* pcap_flows.c — capture analysis: read a pcap file with libpcap or a
 * pcapng file with our block reader (pcapng.c: each interface with its own
 * link type, each section in its own byte order; what cannot be used is
 * skipped and counted), decode link layer → IPv4/IPv6 → TCP, track every
 * connection in a 4-tuple hash table, and fold each finished connection
 * into per-listener counters and a per-second series (struct capture_stats,
 * DESIGN.md "Evidence sources", capture row, and the JSON "capture" object).
 *
 * Memory follows the number of concurrent connections, not the file: the
 * flow table is malloc'd and a connection is folded into its listener and
 * freed when it ends (RST, both FINs, idle) — only the per-listener
 * aggregates (a few per capture) and their per-second series stay. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"
#include "pcapng.h"

#define NS 1000000000LL

/* Flow-table tunables, in seconds of capture time. */
#define PF_IDLE_S	300	/* an established connection silent this long is folded */
#define PF_SYN_IDLE_S	130	/* a handshake silent this long (> TCP_RTO_MAX, 120 s) */
#define PF_CLOSE_S	2	/* grace after RST or both FINs, for stragglers */
#define PF_SWEEP_S	5	/* how often the table is swept for finished flows */
#define PF_JUMP_S	3600	/* a step in capture time this long is a jump, not time passing */
/* A server RST this soon after the client's handshake ACK, with no data from
 * the server, is the abort_on_overflow=1 answer: tcp_check_req()
 * (net/ipv4/tcp_minisocks.c) jumps from listen_overflow to embryonic_reset
 * and resets the connection in reply to the final ACK. */
#define PF_RST_AFTER_HS_NS (1 * NS)
/* At most this many listeners per capture go into the incident (a port scan
 * makes one candidate per port probed); the busiest are kept. */
#define PF_MAX_LISTENERS 64
#define PF_MAX_INTERVALS 1024	/* distinct SYN retransmit intervals kept */
#define PF_MAX_ZERO_RUN 4096	/* records of length 0 in a row: a zero-filled tail */
#define PF_PROGRESS_BYTES (100LL * 1000 * 1000)
#define PF_MAX_SEC (1LL << 33)	/* timestamps are clamped below this */
#define PF_SKIP_DIAGS 3		/* skipped records named one by one, per reason */
#define PF_SKIP_LINKTYPE PCAPNG_SKIP_N	/* ours: on an interface of a link type not read */

/* Link types: the DLT_ values libpcap maps the file's LINKTYPE_ to. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* ---- flow table ---------------------------------------------------- */

/* Direction-independent 4-tuple: (a, pa) is the smaller endpoint. IPv4
 * addresses sit in the first 4 bytes; the rest, and pad, stay zero so the
 * key compares with one memcmp. */
struct pf_key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint8_t fam;		/* 4 or 6 */
	uint8_t pad[3];
};

enum {
	FL_SYN = 1u << 0,	/* a SYN of this attempt was seen */
	FL_ISN = 1u << 1,	/* cli_isn known (from the SYN or the SYN-ACK's ack) */
	FL_PEND = 1u << 2,	/* the last SYN still waits for its SYN-ACK */
	FL_ANSWERED = 1u << 3,	/* some SYN of the attempt got a SYN-ACK (or RST) */
	FL_SYNACK = 1u << 4,	/* srv_isn valid */
	FL_HS = 1u << 5,	/* client ACKed the SYN-ACK */
	FL_CDATA = 1u << 6,	/* client sent data: a request */
	FL_SANSWER = 1u << 7,	/* server sent data or FIN */
	FL_CFIN = 1u << 8,
	FL_SFIN = 1u << 9,
	FL_RST = 1u << 10,	/* either side reset */
	FL_SRST = 1u << 11,	/* the server reset */
	FL_RSTHS = 1u << 12,	/* counted as rst_after_handshake */
	FL_WIN0_C = 1u << 13,	/* the client's last advertised window was 0 */
	FL_WIN0_S = 1u << 14,
	FL_NXT_C = 1u << 15,	/* nxt[0] valid */
	FL_NXT_S = 1u << 16,	/* nxt[1] valid */
	FL_MID = 1u << 17,	/* joined mid-stream: no SYN or SYN-ACK seen first */
	FL_IGNORE = 1u << 18,	/* not a connection to a listener the user named */
	FL_SPOSTHS = 1u << 19,	/* the server sent anything after the handshake */
	FL_SAAFTER = 1u << 20,	/* the server re-sent its SYN-ACK after the client's ACK */
};

struct pf_lis;

struct pf_flow {
	struct pf_key k;
	uint32_t hash;
	uint32_t flags;
	struct pf_lis *l;	/* the server side's aggregate; NULL = ignored */
	int64_t last_ns;	/* last packet */
	int64_t first_syn_ns;	/* first SYN of the attempt */
	int64_t pend_ns;	/* the SYN waiting for an answer */
	int64_t hs_ns;		/* the handshake-completing ACK */
	uint64_t pend_pkt;
	uint32_t cli_isn, srv_isn;
	uint32_t nxt[2];	/* next sequence number, [0] client, [1] server */
	uint8_t cli_is_a;	/* the client is key side a */
	uint8_t used;
	uint32_t next_free;
};

struct pf_slot {
	uint32_t hash;
	uint32_t idx;		/* index + 1 into the flow pool, 0 = empty */
};

struct pf_ivl {
	int64_t ds;		/* deciseconds after the attempt's first SYN */
	uint64_t count;
};

/* A listener candidate: every SYN destination, SYN-ACK source or (for
 * flows joined mid-stream) the likelier server side. Only those that look
 * like servers at the end become incident listeners. */
struct pf_lis {
	uint8_t fam;
	uint8_t addr[16];
	uint16_t port;
	uint32_t hash;
	struct capture_stats st;	/* counters; the VEC members stay empty */
	int64_t first_ns, last_ns;
	uint64_t mid_flows;
	/* the first unanswered SYN (decided late, so kept raw until the end) */
	uint64_t fu_pkt;
	int64_t fu_ns;
	uint8_t fu_cli[16];
	uint16_t fu_cport;
	uint32_t fu_isn;
	struct pf_ivl *ivl;
	size_t n_ivl, cap_ivl;
	struct capture_second *ser;
	size_t n_ser, cap_ser;
};

struct pf {
	struct analysis *an;
	struct input *in;
	pcap_t *pc;		/* a pcap file: libpcap reads it */
	struct pcapng_rd *ng;	/* a pcapng file: pcapng.c reads it */
	int dlt;		/* of the packet being decoded */
	/* the packet being decoded */
	uint64_t pkt;
	int64_t ts_ns;
	bool cut;		/* caplen < len: snaplen truncation */
	/* flow table: open addressing, linear probing, backward-shift delete */
	struct pf_slot *slots;
	size_t slot_mask, n_flows, peak_flows;
	struct pf_flow *pool;
	size_t pool_n, pool_cap;
	uint32_t free_head;	/* index + 1, 0 = none */
	/* listener candidates */
	struct pf_lis **lis;
	size_t n_lis, cap_lis;
	struct pf_lis **lis_idx;
	size_t lis_mask;
	uint8_t *port_set;	/* 65536 bits, NULL = every port */
	/* time */
	int64_t now_ns;		/* the last packet's time */
	int64_t next_sweep_s;
	bool have_now;
	/* totals */
	uint64_t n_tcp, n_nontcp, n_frag, n_cut, n_bad, n_filtered, n_conns, n_ooo;
	bool oom;
	uint64_t zero_run;	/* records of length 0 in a row */
	double first_at;	/* the first packet's time, NAN before */
	/* link types of the packets decoded (pcapng: one per interface) */
	int dlts[8];
	size_t n_dlts;
	/* pcapng records skipped, by reason; of them, packet blocks (numbered
	 * like the packets, so packet numbers stay tshark's frame numbers) */
	uint64_t n_skip[PF_SKIP_LINKTYPE + 1];
	uint64_t n_skip_pkts;
	uint64_t n_idb, n_idb_usable;	/* interfaces described, and of a link type read */
	int bad_dlt;			/* an interface's link type not read, -1 none */
	/* reading stopped before the end of the input */
	bool stopped;
	int64_t stop_off;	/* at this byte offset, -1 unknown */
	struct capture_second sink;
	/* progress */
	bool progress;
	off_t size;
	time_t last_progress;
};

static bool pf_grow(void **v, size_t *cap, size_t elem, size_t min)
{
	size_t ncap = *cap ? *cap * 2 : min;
	void *nv = realloc(*v, ncap * elem);
	if (!nv)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t key_hash(const struct pf_key *k)
{
	uint64_t h = ((uint64_t)k->pa << 32 | (uint64_t)k->pb << 8 | k->fam) * 0x9e3779b97f4a7c15ULL;
	h ^= rd64(k->a) * 0xc2b2ae3d27d4eb4fULL;
	h ^= rd64(k->b) * 0x165667b19e3779f9ULL;
	if (k->fam == 6) {
		h ^= rd64(k->a + 8) * 0x27d4eb2f165667c5ULL;
		h ^= rd64(k->b + 8) * 0x94d049bb133111ebULL;
	}
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (uint32_t)h | 1;		/* never 0 */
}

static bool table_resize(struct pf *ps, size_t nslots)
{
	struct pf_slot *ns = calloc(nslots, sizeof(*ns));
	if (!ns)
		return false;
	size_t m = nslots - 1;
	if (ps->slots) {
		for (size_t i = 0; i <= ps->slot_mask; i++) {
			if (!ps->slots[i].idx)
				continue;
			size_t j = ps->slots[i].hash & m;
			while (ns[j].idx)
				j = (j + 1) & m;
			ns[j] = ps->slots[i];
		}
		free(ps->slots);
	}
	ps->slots = ns;
	ps->slot_mask = m;
	return true;
}

static struct pf_flow *flow_alloc(struct pf *ps)
{
	uint32_t idx;
	if (ps->free_head) {
		idx = ps->free_head - 1;
		ps->free_head = ps->pool[idx].next_free;
	} else {
		if (ps->pool_n == ps->pool_cap &&
		    !pf_grow((void **)&ps->pool, &ps->pool_cap, sizeof(*ps->pool), 4096))
			return NULL;
		idx = (uint32_t)ps->pool_n++;
	}
	struct pf_flow *f = &ps->pool[idx];
	memset(f, 0, sizeof(*f));
	f->used = 1;
	return f;
}

/* The flow of key k, created when absent. */
static struct pf_flow *flow_get(struct pf *ps, const struct pf_key *k, bool *created)
{
	uint32_t h = key_hash(k);
	size_t m = ps->slot_mask, i = h & m;
	for (;;) {
		struct pf_slot *s = &ps->slots[i];
		if (!s->idx)
			break;
		if (s->hash == h) {
			struct pf_flow *f = &ps->pool[s->idx - 1];
			if (memcmp(&f->k, k, sizeof(*k)) == 0) {
				*created = false;
				return f;
			}
		}
		i = (i + 1) & m;
	}
	if ((ps->n_flows + 1) * 2 > ps->slot_mask + 1) {
		if (!table_resize(ps, (ps->slot_mask + 1) * 2))
			return NULL;
		m = ps->slot_mask;
		i = h & m;
		while (ps->slots[i].idx)
			i = (i + 1) & m;
	}
	struct pf_flow *f = flow_alloc(ps);
	if (!f)
		return NULL;
	f->k = *k;
	f->hash = h;
	ps->slots[i].hash = h;
	ps->slots[i].idx = (uint32_t)(f - ps->pool) + 1;
	if (++ps->n_flows > ps->peak_flows)
		ps->peak_flows = ps->n_flows;
	*created = true;
	return f;
}

/* Remove f from the table and return it to the pool (Knuth's algorithm R:
 * shift later members of the probe run back into the hole). */
static void flow_remove(struct pf *ps, struct pf_flow *f)
{
	uint32_t idx = (uint32_t)(f - ps->pool) + 1;
	size_t m = ps->slot_mask, i = f->hash & m;
	while (ps->slots[i].idx != idx)
		i = (i + 1) & m;
	size_t j = i;
	for (;;) {
		j = (j + 1) & m;
		if (!ps->slots[j].idx)
			break;
		size_t home = ps->slots[j].hash & m;
		/* the entry at j may move to i unless its home lies in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			ps->slots[i] = ps->slots[j];
			i = j;
		}
	}
	ps->slots[i].idx = 0;
	ps->slots[i].hash = 0;
	f->used = 0;
	f->next_free = ps->free_head;
	ps->free_head = idx;
	ps->n_flows--;
}

/* ---- listener candidates -------------------------------------------- */

static uint32_t lis_hash(uint8_t fam, const uint8_t *addr, uint16_t port)
{
	uint64_t h = ((uint64_t)port << 8 | fam) * 0x9e3779b97f4a7c15ULL;
	h ^= rd64(addr) * 0xc2b2ae3d27d4eb4fULL;
	h ^= rd64(addr + 8) * 0x165667b19e3779f9ULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h ^ h >> 29);
}

static bool lis_index_put(struct pf_lis **idx, size_t mask, struct pf_lis *l)
{
	size_t i = l->hash & mask;
	while (idx[i])
		i = (i + 1) & mask;
	idx[i] = l;
	return true;
}

/* The candidate for (fam, addr[16 zero-padded], port); NULL when absent
 * and !create, or out of memory. */
static struct pf_lis *lis_get(struct pf *ps, uint8_t fam, const uint8_t *addr, uint16_t port,
			      bool create)
{
	uint32_t h = lis_hash(fam, addr, port);
	if (ps->lis_idx) {
		size_t i = h & ps->lis_mask;
		for (struct pf_lis *l; (l = ps->lis_idx[i]) != NULL; i = (i + 1) & ps->lis_mask)
			if (l->hash == h && l->port == port && l->fam == fam &&
			    memcmp(l->addr, addr, 16) == 0)
				return l;
	}
	if (!create)
		return NULL;
	if (!ps->lis_idx || (ps->n_lis + 1) * 2 > ps->lis_mask + 1) {
		size_t n = ps->lis_idx ? (ps->lis_mask + 1) * 2 : 64;
		struct pf_lis **ni = calloc(n, sizeof(*ni));
		if (!ni)
			return NULL;
		for (size_t i = 0; i < ps->n_lis; i++)
			lis_index_put(ni, n - 1, ps->lis[i]);
		free(ps->lis_idx);
		ps->lis_idx = ni;
		ps->lis_mask = n - 1;
	}
	if (ps->n_lis == ps->cap_lis &&
	    !pf_grow((void **)&ps->lis, &ps->cap_lis, sizeof(*ps->lis), 16))
		return NULL;
	struct pf_lis *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->fam = fam;
	memcpy(l->addr, addr, 16);
	l->port = port;
	l->hash = h;
	l->first_ns = INT64_MAX;
	l->last_ns = INT64_MIN;
	ps->lis[ps->n_lis++] = l;
	lis_index_put(ps->lis_idx, ps->lis_mask, l);
	return l;
}

static inline int64_t floor_sec(int64_t ns)
{
	return ns >= 0 ? ns / NS : -((-ns + NS - 1) / NS);
}

/* The per-second bucket of l for the second holding ns. Packets come
 * (nearly) in time order, so this is an append or a hit on the last one;
 * a late second is found by binary search and inserted. */
static struct capture_second *lis_sec(struct pf *ps, struct pf_lis *l, int64_t ns)
{
	int64_t t = floor_sec(ns);
	size_t n = l->n_ser;
	if (n && l->ser[n - 1].t == t)
		return &l->ser[n - 1];
	size_t pos = n;
	if (n && l->ser[n - 1].t > t) {
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (l->ser[mid].t < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && l->ser[lo].t == t)
			return &l->ser[lo];
		pos = lo;
	}
	if (n == l->cap_ser && !pf_grow((void **)&l->ser, &l->cap_ser, sizeof(*l->ser), 64)) {
		ps->oom = true;		/* count nowhere; the run stops */
		memset(&ps->sink, 0, sizeof(ps->sink));
		return &ps->sink;
	}
	memmove(&l->ser[pos + 1], &l->ser[pos], (n - pos) * sizeof(*l->ser));
	memset(&l->ser[pos], 0, sizeof(*l->ser));
	l->ser[pos].t = t;
	l->n_ser++;
	return &l->ser[pos];
}

static void lis_interval(struct pf *ps, struct pf_lis *l, int64_t dns)
{
	if (dns < 0)
		dns = 0;	/* timestamps out of order */
	int64_t ds = (dns + NS / 20) / (NS / 10);	/* rounded to 0.1 s */
	size_t lo = 0, hi = l->n_ivl;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->ivl[mid].ds < ds)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n_ivl && l->ivl[lo].ds == ds) {
		l->ivl[lo].count++;
		return;
	}
	if (l->n_ivl >= PF_MAX_INTERVALS)
		return;
	if (l->n_ivl == l->cap_ivl && !pf_grow((void **)&l->ivl, &l->cap_ivl, sizeof(*l->ivl), 16)) {
		ps->oom = true;
		return;
	}
	memmove(&l->ivl[lo + 1], &l->ivl[lo], (l->n_ivl - lo) * sizeof(*l->ivl));
	l->ivl[lo].ds = ds;
	l->ivl[lo].count = 1;
	l->n_ivl++;
}

static int pf_bad(struct pf *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pf_bad(struct pf *ps, const char *fmt, ...)
{
	ps->n_bad++;
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&ps->an->diags, DIAG_BAD_PACKET, diag_code_severity(DIAG_BAD_PACKET),
		  ps->in->display, 0, ps->pkt, -1, fmt, ap);
	va_end(ap);
	return 0;
}

/* A header runs past the captured bytes: snaplen cut it (not an error), or
 * the packet is malformed. */
static int pf_short(struct pf *ps, const char *what, size_t need, size_t have)
{
	if (!ps->cut)
		return pf_bad(ps, "%s truncated: %zu of %zu bytes", what, have, need);
	ps->n_cut++;
	return 0;
}

/* ---- connection events ----------------------------------------------- */

static inline const uint8_t *flow_cli_addr(const struct pf_flow *f)
{
	return f->cli_is_a ? f->k.a : f->k.b;
}

static inline uint16_t flow_cli_port(const struct pf_flow *f)
{
	return f->cli_is_a ? f->k.pa : f->k.pb;
}

/* The pending SYN of f got no SYN-ACK before the next SYN or the end. */
static void syn_unanswered(struct pf *ps, struct pf_flow *f)
{
	struct pf_lis *l = f->l;
	f->flags &= ~FL_PEND;
	l->st.syn_unanswered_packets++;
	lis_sec(ps, l, f->pend_ns)->syn_unanswered++;
	if (!l->fu_pkt || f->pend_pkt < l->fu_pkt) {
		l->fu_pkt = f->pend_pkt;
		l->fu_ns = f->pend_ns;
		memcpy(l->fu_cli, flow_cli_addr(f), 16);
		l->fu_cport = flow_cli_port(f);
		l->fu_isn = f->cli_isn;
	}
}

/* The connection in f has ended (or the capture has): account for what
 * never happened on it. */
static void flow_fold(struct pf *ps, struct pf_flow *f)
{
	struct pf_lis *l = f->l;
	if (!l)
		return;
	uint32_t fl = f->flags;
	if (fl & FL_PEND)
		syn_unanswered(ps, f);
	if ((fl & (FL_SYN | FL_ANSWERED)) == FL_SYN)
		l->st.attempts_never_answered++;
	/* a request the server neither answered nor reset (a client that gave
	 * up with RST still waited in vain) */
	if ((fl & (FL_CDATA | FL_SANSWER | FL_SRST)) == FL_CDATA)
		l->st.requests_unanswered++;
	/* the wire side of CLOSE_WAIT: the peer closed, the application never
	 * called close() (a reset ends the socket either way) */
	if ((fl & (FL_CFIN | FL_SFIN | FL_RST)) == FL_CFIN)
		l->st.client_fin_no_server_fin++;
	/* The handshake completed on the client's side and it sent data, but the
	 * server never sent another packet (not even an ACK) for a second or
	 * more, nor re-sent its SYN-ACK: no socket exists for the connection.
	 * That is a SYN-cookie connection whose ACK found the accept queue full:
	 * cookie_v4_check() -> tcp_get_cookie_sock() fails and the ACK (and
	 * every retransmit of the data) is dropped silently, each counted in
	 * ListenOverflows. */
	if ((fl & (FL_HS | FL_CDATA | FL_SPOSTHS | FL_RST | FL_SAAFTER)) == (FL_HS | FL_CDATA) &&
	    f->last_ns - f->hs_ns >= NS)
		l->st.requests_never_acked++;
}

static void flow_reset_attempt(struct pf_flow *f)
{
	struct pf_key k = f->k;
	uint32_t h = f->hash;
	memset(f, 0, sizeof(*f));
	f->k = k;
	f->hash = h;
	f->used = 1;
}

static bool port_named(const struct pf *ps, uint16_t port)
{
	return ps->port_set && (ps->port_set[port >> 3] >> (port & 7) & 1);
}

/* Orient f with the server at (addr, port); false when out of memory. */
static bool flow_orient(struct pf *ps, struct pf_flow *f, bool server_is_a)
{
	const uint8_t *addr = server_is_a ? f->k.a : f->k.b;
	uint16_t port = server_is_a ? f->k.pa : f->k.pb;
	f->cli_is_a = !server_is_a;
	if (ps->port_set && !port_named(ps, port)) {
		f->flags |= FL_IGNORE;
		f->l = NULL;
		return true;
	}
	f->l = lis_get(ps, f->k.fam, addr, port, true);
	if (!f->l) {
		ps->oom = true;
		return false;
	}
	return true;
}

/* A flow joined mid-stream: the server is a known listener, a named port,
 * or else the side with the lower port. */
static bool flow_orient_mid(struct pf *ps, struct pf_flow *f)
{
	bool server_is_a;
	if (lis_get(ps, f->k.fam, f->k.a, f->k.pa, false))
		server_is_a = true;
	else if (lis_get(ps, f->k.fam, f->k.b, f->k.pb, false))
		server_is_a = false;
	else if (ps->port_set && port_named(ps, f->k.pa) != port_named(ps, f->k.pb))
		server_is_a = port_named(ps, f->k.pa);
	else
		server_is_a = f->k.pa <= f->k.pb;
	f->flags |= FL_MID;
	if (!flow_orient(ps, f, server_is_a))
		return false;
	if (f->l)
		f->l->mid_flows++;
	return true;
}

static const char *pf_endpoints(const struct pf_flow *f, bool from_client, char *buf,
				size_t size)
{
	struct endpoint s = { .family = f->k.fam == 4 ? AF_INET : AF_INET6 };
	struct endpoint d = s;
	bool src_is_a = from_client == (f->cli_is_a != 0);
	memcpy(s.addr, src_is_a ? f->k.a : f->k.b, 16);
	memcpy(d.addr, src_is_a ? f->k.b : f->k.a, 16);
	s.port = src_is_a ? f->k.pa : f->k.pb;
	d.port = src_is_a ? f->k.pb : f->k.pa;
	char sb[80], db[80];
	snprintf(buf, size, "%s > %s", endpoint_format(&s, sb, sizeof(sb)),
		 endpoint_format(&d, db, sizeof(db)));
	return buf;
}

static void pf_prov(struct pf *ps, struct provenance *p, const char *text)
{
	p->file = ps->in->display;
	p->packet = ps->pkt;
	p->at = (double)ps->ts_ns / 1e9;
	p->text = text;
}

static inline void lis_touch(struct pf_lis *l, int64_t now)
{
	if (now < l->first_ns)
		l->first_ns = now;
	if (now > l->last_ns)
		l->last_ns = now;
}

/* A SYN without ACK: a new attempt, or a retransmit (same 4-tuple and ISN). */
static void pf_syn(struct pf *ps, struct pf_flow *f, bool created, bool src_is_a, uint32_t seq,
		   size_t plen)
{
	int64_t now = ps->ts_ns;
	bool from_client = src_is_a == (f->cli_is_a != 0);
	if (!(f->flags & FL_ISN) || !from_client || seq != f->cli_isn) {
		/* a new attempt; on a known tuple the old connection ends
		 * (port reuse) */
		if (!created) {
			flow_fold(ps, f);
			flow_reset_attempt(f);
		}
		f->last_ns = now;
		if (!flow_orient(ps, f, !src_is_a))
			return;
		f->flags |= FL_ISN;
		f->cli_isn = seq;
		ps->n_conns++;
	}
	struct pf_lis *l = f->l;
	if (!l)
		return;
	lis_touch(l, now);
	struct capture_second *sec = lis_sec(ps, l, now);
	l->st.syn_packets++;
	sec->syn++;
	if (!(f->flags & FL_SYN)) {
		f->flags |= FL_SYN;
		f->first_syn_ns = now;
		l->st.syn_attempts++;
		if (!(f->flags & FL_ANSWERED)) {	/* else its SYN-ACK came first */
			f->flags |= FL_PEND;
			f->pend_ns = now;
			f->pend_pkt = ps->pkt;
		}
	} else {
		sec->syn_retrans++;
		if (f->flags & FL_PEND)
			syn_unanswered(ps, f);	/* the SYN before this one */
		lis_interval(ps, l, now - f->first_syn_ns);
		f->flags |= FL_PEND;
		f->pend_ns = now;
		f->pend_pkt = ps->pkt;
	}
	if (plen && !(f->flags & FL_CDATA)) {	/* TCP Fast Open: data in the SYN */
		f->flags |= FL_CDATA;
		l->st.requests++;
	}
	f->nxt[0] = seq + 1 + (uint32_t)plen;
	f->flags |= FL_NXT_C;
}

/* Does ack acknowledge the client's SYN (ISN + 1, or past data carried in
 * the SYN, TCP Fast Open)? */
static inline bool syn_acked(const struct pf_flow *f, uint32_t ack)
{
	uint32_t span = (f->flags & FL_NXT_C) ? f->nxt[0] - f->cli_isn - 1 : 0;
	return (f->flags & FL_ISN) && ack - f->cli_isn - 1 <= span;
}

static void pf_synack(struct pf *ps, struct pf_flow *f, struct pf_lis *l, uint32_t seq,
		      uint32_t ack, size_t plen)
{
	struct capture_second *sec = lis_sec(ps, l, ps->ts_ns);
	l->st.synack_packets++;
	sec->synack++;
	if ((f->flags & FL_SYNACK) && seq == f->srv_isn) {
		l->st.synack_retransmits++;
		if (f->flags & FL_HS)
			f->flags |= FL_SAAFTER;
		if ((f->flags & FL_HS) && !l->st.synack_retransmits_after_ack++) {
			/* The client ACKed this SYN-ACK already: the server dropped
			 * that ACK because the accept queue was full and
			 * abort_on_overflow=0 (tcp_check_req(),
			 * net/ipv4/tcp_minisocks.c, sets req->acked and returns NULL;
			 * the request timer re-sends the SYN-ACK). */
			char eb[200];
			pf_prov(ps, &l->st.first_synack_after_ack,
				arena_printf(&ps->an->arena, "SYN-ACK %s seq %" PRIu32 " ack %" PRIu32,
					     pf_endpoints(f, false, eb, sizeof(eb)), seq, ack));
		}
	} else {
		f->srv_isn = seq;
		f->flags |= FL_SYNACK;
	}
	if (syn_acked(f, ack))
		f->flags = (f->flags | FL_ANSWERED) & ~FL_PEND;
	f->nxt[1] = seq + 1 + (uint32_t)plen;
	f->flags |= FL_NXT_S;
}

static void pf_rst(struct pf *ps, struct pf_flow *f, struct pf_lis *l, bool from_client,
		   uint32_t seq, uint32_t ack)
{
	lis_sec(ps, l, ps->ts_ns)->rst++;
	f->flags |= FL_RST;
	if (from_client) {
		l->st.rst_from_client++;
		return;
	}
	l->st.rst_from_server++;
	/* a refused SYN (RST|ACK of ISN + 1, no listener) was answered: it is
	 * not one that the accept queue dropped silently */
	if ((f->flags & FL_PEND) && syn_acked(f, ack))
		f->flags = (f->flags | FL_ANSWERED) & ~FL_PEND;
	if ((f->flags & (FL_HS | FL_SANSWER | FL_RSTHS | FL_SRST)) == FL_HS &&
	    ps->ts_ns - f->hs_ns <= PF_RST_AFTER_HS_NS) {
		f->flags |= FL_RSTHS;
		if (!l->st.rst_after_handshake++) {
			char eb[200];
			pf_prov(ps, &l->st.first_rst_after_handshake,
				arena_printf(&ps->an->arena, "RST %s seq %" PRIu32,
					     pf_endpoints(f, false, eb, sizeof(eb)), seq));
		}
	}
	f->flags |= FL_SRST;
}

/* One TCP segment. t: the header (tcap bytes captured, >= 14); tlen: the
 * segment length the IP header claims. */
static int pf_tcp(struct pf *ps, const struct pf_key *k, bool src_is_a, const uint8_t *t,
		  size_t tcap, size_t tlen)
{
	uint8_t th = t[13];
	size_t doff = (size_t)(t[12] >> 4) * 4;
	if (doff < 20)
		return pf_bad(ps, "TCP header length %zu < 20", doff);
	if (tlen < doff) {
		if (!ps->cut)
			return pf_bad(ps, "TCP header length %zu > segment length %zu", doff,
				      tlen);
		tlen = doff;
	}
	ps->n_tcp++;
	if (ps->port_set && !port_named(ps, k->pa) && !port_named(ps, k->pb)) {
		ps->n_filtered++;
		return 0;
	}
	bool created;
	struct pf_flow *f = flow_get(ps, k, &created);
	if (!f) {
		ps->oom = true;
		return 0;
	}
	uint32_t seq = be32(t + 4), ack = be32(t + 8);
	size_t plen = tlen - doff;
	int64_t now = ps->ts_ns;
	bool syn = th & 0x02, ackf = th & 0x10, fin = th & 0x01, rst = th & 0x04;
	if (now > f->last_ns)	/* a packet dated in the past does not age the flow */
		f->last_ns = now;

	if (syn && !ackf) {
		pf_syn(ps, f, created, src_is_a, seq, plen);
		return 0;
	}
	if (created || !(f->flags & (FL_ISN | FL_MID | FL_IGNORE))) {
		if (syn) {	/* a SYN-ACK first: its source is the server */
			if (!flow_orient(ps, f, src_is_a))
				return 0;
			f->flags |= FL_ISN;
			f->cli_isn = ack - 1;
			ps->n_conns++;
		} else if (!flow_orient_mid(ps, f)) {
			return 0;
		}
	}
	struct pf_lis *l = f->l;
	if (!l)
		return 0;
	lis_touch(l, now);
	bool from_client = src_is_a == (f->cli_is_a != 0);
	int side = from_client ? 0 : 1;

	if (syn) {
		if (!from_client)	/* else a simultaneous open: no listener */
			pf_synack(ps, f, l, seq, ack, plen);
		return 0;
	}
	if (rst) {
		pf_rst(ps, f, l, from_client, seq, ack);
		return 0;
	}
	if (ackf && from_client && (f->flags & (FL_SYNACK | FL_HS)) == FL_SYNACK &&
	    (int32_t)(ack - (f->srv_isn + 1)) >= 0) {
		f->flags |= FL_HS;
		f->hs_ns = now;
		l->st.handshakes_completed++;
		lis_sec(ps, l, now)->handshakes++;
	}
	if (!from_client && (f->flags & FL_HS))
		f->flags |= FL_SPOSTHS;
	if (plen) {
		if (!from_client) {
			f->flags |= FL_SANSWER;
		} else if (!(f->flags & FL_CDATA)) {
			f->flags |= FL_CDATA;
			l->st.requests++;
		}
	}
	if (fin) {
		if (from_client) {
			f->flags |= FL_CFIN;
			lis_sec(ps, l, now)->fin_client++;
		} else {
			f->flags |= FL_SFIN | FL_SANSWER;
		}
	}
	uint32_t nxtf = side ? FL_NXT_S : FL_NXT_C;
	if (tcap >= 16) {
		/* tshark's tcp.analysis.zero_window: window 0 on a segment
		 * without SYN, FIN or RST */
		uint16_t win = be16(t + 14);
		uint32_t mine = side ? FL_WIN0_S : FL_WIN0_C;
		uint32_t peer = side ? FL_WIN0_C : FL_WIN0_S;
		if (win == 0 && !fin) {
			l->st.zero_window++;
			f->flags |= mine;
		} else {
			f->flags &= ~mine;
		}
		/* A probe into the peer's zero window: one byte at the next
		 * sequence number (RFC 9293 3.8.6.1), or Linux's empty segment
		 * at snd_una - 1 (tcp_xmit_probe_skb(), net/ipv4/tcp_output.c). */
		if ((f->flags & (peer | nxtf)) == (peer | nxtf) && !fin &&
		    ((plen == 1 && seq == f->nxt[side]) || (plen == 0 && seq == f->nxt[side] - 1)))
			l->st.window_probes++;
	}
	uint32_t end = seq + (uint32_t)plen + (fin ? 1 : 0);
	if (!(f->flags & nxtf) || (int32_t)(end - f->nxt[side]) > 0) {
		f->nxt[side] = end;
		f->flags |= nxtf;
	}
	return 0;
}

/* ---- decoding ------------------------------------------------------- */

static void pf_key_make(struct pf_key *k, int fam, const uint8_t *src, const uint8_t *dst,
			const uint8_t *t, bool *src_is_a)
{
	size_t alen = fam == 4 ? 4 : 16;
	uint16_t sp = be16(t), dp = be16(t + 2);
	int c = memcmp(src, dst, alen);
	bool a = c < 0 || (c == 0 && sp <= dp);
	memset(k, 0, sizeof(*k));
	memcpy(k->a, a ? src : dst, alen);
	memcpy(k->b, a ? dst : src, alen);
	k->pa = a ? sp : dp;
	k->pb = a ? dp : sp;
	k->fam = (uint8_t)fam;
	*src_is_a = a;
}

static int pf_l4(struct pf *ps, int fam, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *t, size_t tcap, size_t tlen)
{
	if (tcap < 14)	/* no flags: nothing to count */
		return pf_short(ps, "TCP header", 20, tcap);
	struct pf_key k;
	bool src_is_a;
	pf_key_make(&k, fam, src, dst, t, &src_is_a);
	return pf_tcp(ps, &k, src_is_a, t, tcap, tlen);
}

static int pf_ipv4(struct pf *ps, const uint8_t *p, size_t cap)
{
	if (cap < 20)
		return pf_short(ps, "IPv4 header", 20, cap);
	if (p[0] >> 4 != 4)
		return pf_bad(ps, "IPv4 packet with IP version %u", p[0] >> 4);
	size_t ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20)
		return pf_bad(ps, "IPv4 header length %zu < 20", ihl);
	if (cap < ihl)
		return pf_short(ps, "IPv4 header", ihl, cap);
	size_t tot = be16(p + 2);
	if (tot == 0)
		tot = cap;	/* TSO/GSO or BIG TCP: the length field is not set */
	else if (tot < ihl)
		return pf_bad(ps, "IPv4 total length %zu < header length %zu", tot, ihl);
	if (be16(p + 6) & 0x3fff) {	/* MF or a fragment offset */
		ps->n_frag++;
		return 0;
	}
	if (p[9] != 6) {
		ps->n_nontcp++;
		return 0;
	}
	size_t end = tot < cap ? tot : cap;	/* Ethernet padding beyond tot */
	return pf_l4(ps, 4, p + 12, p + 16, p + ihl, end - ihl, tot - ihl);
}

static int pf_ipv6(struct pf *ps, const uint8_t *p, size_t cap)
{
	if (cap < 40)
		return pf_short(ps, "IPv6 header", 40, cap);
	if (p[0] >> 4 != 6)
		return pf_bad(ps, "IPv6 packet with IP version %u", p[0] >> 4);
	size_t tot = 40 + (size_t)be16(p + 4);
	if (tot == 40)
		tot = cap;	/* jumbogram or GSO: no length */
	size_t end = tot < cap ? tot : cap;
	uint8_t nh = p[6];
	size_t off = 40;
	/* RFC 8200 4.1: extension headers in a chain */
	for (int i = 0; i < 16; i++) {
		switch (nh) {
		case 6:
			if (off > tot)
				return pf_bad(ps, "IPv6 extension headers run past the payload");
			return pf_l4(ps, 6, p + 8, p + 24, p + off, end - off, tot - off);
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (end - off < 2)
				return pf_short(ps, "IPv6 extension header", off + 2, end);
			nh = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
			break;
		case 51:	/* AH (RFC 4302): length in 4-byte units minus 2 */
			if (end - off < 2)
				return pf_short(ps, "IPv6 extension header", off + 2, end);
			nh = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
			break;
		case 44:	/* fragment */
			if (end - off < 8)
				return pf_short(ps, "IPv6 fragment header", off + 8, end);
			if (be16(p + off + 2) & 0xfff9) {	/* offset or M set */
				ps->n_frag++;
				return 0;
			}
			nh = p[off];	/* an atomic fragment (RFC 6946): go on */
			off += 8;
			break;
		default:
			ps->n_nontcp++;
			return 0;
		}
		if (off > end)
			return pf_short(ps, "IPv6 extension header", off, end);
	}
	return pf_bad(ps, "more than 16 IPv6 extension headers");
}

static int pf_ip_any(struct pf *ps, const uint8_t *p, size_t cap)
{
	if (cap < 1)
		return pf_short(ps, "IP header", 20, cap);
	switch (p[0] >> 4) {
	case 4: return pf_ipv4(ps, p, cap);
	case 6: return pf_ipv6(ps, p, cap);
	default: return pf_bad(ps, "IP version %u", p[0] >> 4);
	}
}

/* After an EtherType: IPv4, IPv6, VLAN tags (802.1Q, 802.1ad QinQ and the
 * old 0x9100), MPLS label stacks and PPPoE sessions. */
static int pf_ethertype(struct pf *ps, uint16_t et, const uint8_t *p, size_t cap)
{
	for (int depth = 0; depth < 8; depth++) {
		switch (et) {
		case 0x0800:
			return pf_ipv4(ps, p, cap);
		case 0x86dd:
			return pf_ipv6(ps, p, cap);
		case 0x8100:
		case 0x88a8:
		case 0x9100:
			if (cap < 4)
				return pf_short(ps, "VLAN tag", 4, cap);
			et = be16(p + 2);
			p += 4;
			cap -= 4;
			break;
		case 0x8847:
		case 0x8848:	/* MPLS: labels until bottom of stack, then IP */
			for (;;) {
				if (cap < 4)
					return pf_short(ps, "MPLS label", 4, cap);
				bool bos = p[2] & 1;
				p += 4;
				cap -= 4;
				if (bos)
					break;
			}
			if (cap && (p[0] >> 4 == 4 || p[0] >> 4 == 6))
				return pf_ip_any(ps, p, cap);
			ps->n_nontcp++;
			return 0;
		case 0x8864:	/* PPPoE session: 6 bytes, then the PPP protocol */
			if (cap < 8)
				return pf_short(ps, "PPPoE header", 8, cap);
			{
				uint16_t proto = be16(p + 6);
				p += 8;
				cap -= 8;
				if (proto == 0x0021)
					return pf_ipv4(ps, p, cap);
				if (proto == 0x0057)
					return pf_ipv6(ps, p, cap);
			}
			ps->n_nontcp++;
			return 0;
		default:
			ps->n_nontcp++;
			return 0;
		}
	}
	return pf_bad(ps, "more than 8 VLAN tags");
}

static int pf_packet(struct pf *ps, const uint8_t *p, size_t cap)
{
	switch (ps->dlt) {
	case DLT_EN10MB:
		if (cap < 14)
			return pf_short(ps, "Ethernet header", 14, cap);
		return pf_ethertype(ps, be16(p + 12), p + 14, cap - 14);
	case DLT_LINUX_SLL:	/* 16 bytes, protocol last */
		if (cap < 16)
			return pf_short(ps, "Linux cooked (SLL) header", 16, cap);
		return pf_ethertype(ps, be16(p + 14), p + 16, cap - 16);
	case DLT_LINUX_SLL2:	/* tcpdump -i any: 20 bytes, protocol first */
		if (cap < 20)
			return pf_short(ps, "Linux cooked (SLL2) header", 20, cap);
		return pf_ethertype(ps, be16(p), p + 20, cap - 20);
	case DLT_NULL:
	case DLT_LOOP: {
		/* BSD loopback: the AF_ value in the writer's byte order (NULL)
		 * or network order (LOOP); either way one of the two readings
		 * is small. AF_INET6 differs by OS: 10 Linux, 24 NetBSD/OpenBSD,
		 * 28 FreeBSD, 30 macOS. */
		if (cap < 4)
			return pf_short(ps, "loopback header", 4, cap);
		uint32_t af = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			      (uint32_t)p[3] << 24;
		if (af > 0xffff)
			af = be32(p);
		if (af == 2)
			return pf_ipv4(ps, p + 4, cap - 4);
		if (af == 10 || af == 24 || af == 28 || af == 30)
			return pf_ipv6(ps, p + 4, cap - 4);
		ps->n_nontcp++;
		return 0;
	}
	case DLT_RAW:
		return pf_ip_any(ps, p, cap);
	case DLT_IPV4:
		if (cap && p[0] >> 4 != 4)
			return pf_bad(ps, "IPv4 link type but IP version %u", p[0] >> 4);
		return pf_ipv4(ps, p, cap);
	case DLT_IPV6:
		if (cap && p[0] >> 4 != 6)
			return pf_bad(ps, "IPv6 link type but IP version %u", p[0] >> 4);
		return pf_ipv6(ps, p, cap);
	}
	return 0;
}

static bool pf_linktype_ok(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

/* ---- sweeping and the end -------------------------------------------- */

/* How long f may stay silent before it is folded. */
static int64_t flow_idle_limit(const struct pf_flow *f)
{
	uint32_t fl = f->flags;
	if ((fl & (FL_RST | FL_IGNORE)) || (fl & (FL_CFIN | FL_SFIN)) == (FL_CFIN | FL_SFIN))
		return PF_CLOSE_S * NS;
	if ((fl & (FL_SYN | FL_SYNACK | FL_HS | FL_MID)) == FL_SYN) {
		/* SYNs only: the client's next retransmit comes at most twice the
		 * time since its first SYN later (the RTO doubles,
		 * tcp_retransmit_timer(), net/ipv4/tcp_timer.c; linear retries
		 * come sooner), or one initial RTO after the first SYN (1 s,
		 * 3 s before Linux 3.1): beyond that, the client gave up */
		int64_t waited = f->pend_ns - f->first_syn_ns;	/* >= 0 or out of order */
		if (waited > PF_SYN_IDLE_S * NS / 2)
			return PF_SYN_IDLE_S * NS;
		int64_t limit = 2 * waited;
		return (limit < 3 * NS ? 3 * NS : limit) + 5 * NS;
	}
	return (fl & (FL_HS | FL_MID)) ? PF_IDLE_S * NS : PF_SYN_IDLE_S * NS;
}

static void pf_sweep(struct pf *ps, bool all)
{
	int64_t now = ps->now_ns;
	for (size_t i = 0; i < ps->pool_n; i++) {
		struct pf_flow *f = &ps->pool[i];
		if (!f->used || (!all && now - f->last_ns < flow_idle_limit(f)))
			continue;
		flow_fold(ps, f);
		flow_remove(ps, f);
	}
}

/* Where reading is in the input, -1 unknown. */
static int64_t pf_offset(const struct pf *ps)
{
	if (ps->ng)
		return (int64_t)ps->ng->off;
	FILE *fp = ps->pc ? pcap_file(ps->pc) : NULL;
	return fp ? (int64_t)ftello(fp) : -1;
}

static void pf_progress(struct pf *ps, bool done)
{
	if (done) {
		fputs("\r\033[K", stderr);
		return;
	}
	time_t t = time(NULL);
	if (t == ps->last_progress)
		return;
	ps->last_progress = t;
	long long pos = pf_offset(ps);
	if (pos >= 0 && ps->size > 0)
		fprintf(stderr, "\rstuckscope: %s: %3d%% %" PRIu64 " packets, %zu open connections",
			ps->in->display, (int)(pos * 100 / ps->size), ps->pkt, ps->n_flows);
	else
		fprintf(stderr, "\rstuckscope: %s: %" PRIu64 " packets", ps->in->display, ps->pkt);
	fflush(stderr);
}

/* A candidate is a listener when it looks like a server: it answered a
 * SYN, clients retried it or came more than once, or it is the likelier
 * server end of a connection joined mid-stream; or the user named its port.
 * A port that only refused (RST) or saw one lone SYN is not (port scans). */
static bool lis_qualifies(const struct pf *ps, const struct pf_lis *l)
{
	if (l->first_ns > l->last_ns)
		return false;	/* no packet at all */
	if (ps->port_set)
		return true;
	return l->st.synack_packets > 0 || l->st.syn_packets >= 2 || l->mid_flows > 0;
}

static int lis_cmp_busy(const void *a, const void *b)
{
	const struct pf_lis *x = *(const struct pf_lis *const *)a;
	const struct pf_lis *y = *(const struct pf_lis *const *)b;
	uint64_t wx = x->st.syn_packets + x->st.synack_packets + x->mid_flows;
	uint64_t wy = y->st.syn_packets + y->st.synack_packets + y->mid_flows;
	if (wx != wy)
		return wx > wy ? -1 : 1;
	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	int c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c;
	return x->port < y->port ? -1 : x->port > y->port;
}

static void prov_earlier(struct provenance *dst, const struct provenance *src)
{
	if (!src->packet)
		return;
	if (!dst->packet || (!isnan(src->at) && (isnan(dst->at) || src->at < dst->at)))
		*dst = *src;
}

/* Add one capture's aggregate into the incident listener's capture stats
 * (several captures of one listener add up). Two captures that cover the
 * same time are two views of the same traffic (tcpdump -i lo and -i any
 * side by side): adding them would count every connection twice, so the
 * one with more SYNs is kept and the report says so. */
static void lis_emit(struct pf *ps, struct pf_lis *l)
{
	struct arena *ar = &ps->an->arena;
	struct endpoint ep = { .family = l->fam == 4 ? AF_INET : AF_INET6, .port = l->port };
	memcpy(ep.addr, l->addr, 16);
	struct listener *L = incident_listener(&ps->an->inc, &ep, true);
	struct capture_stats *st = &l->st;
	st->unread_share = ps->in->unread_share;
	st->first_ts = (double)l->first_ns / 1e9;
	st->last_ts = (double)l->last_ns / 1e9;
	st->first_unanswered_ts = NAN;
	if (!st->first_synack_after_ack.packet)
		st->first_synack_after_ack.at = NAN;
	if (!st->first_rst_after_handshake.packet)
		st->first_rst_after_handshake.at = NAN;
	st->first_unanswered.at = NAN;
	if (l->fu_pkt) {
		struct endpoint c = { .family = ep.family, .port = l->fu_cport };
		memcpy(c.addr, l->fu_cli, 16);
		char cb[80], sb[80];
		st->first_unanswered_ts = (double)l->fu_ns / 1e9;
		st->first_unanswered.file = ps->in->display;
		st->first_unanswered.packet = l->fu_pkt;
		st->first_unanswered.at = st->first_unanswered_ts;
		st->first_unanswered.text = arena_printf(ar, "SYN %s > %s seq %" PRIu32,
							 endpoint_format(&c, cb, sizeof(cb)),
							 endpoint_format(&ep, sb, sizeof(sb)),
							 l->fu_isn);
	}
	struct capture_stats *out = L->capture;
	if (out) {
		double ov = fmin(out->last_ts, st->last_ts) - fmax(out->first_ts, st->first_ts);
		double shorter = fmin(out->last_ts - out->first_ts, st->last_ts - st->first_ts);
		if (ov > 0 && ov >= 0.5 * shorter) {
			analysis_note(ps->an, "%s overlaps in time with another capture of %s: the same "
					      "traffic seen twice (e.g. -i lo and -i any); its counts are "
					      "not added, the capture with more SYNs (%llu vs %llu) is used",
				      ps->in->display, L->name,
				      (unsigned long long)(st->syn_packets > out->syn_packets
							   ? st->syn_packets : out->syn_packets),
				      (unsigned long long)(st->syn_packets > out->syn_packets
							   ? out->syn_packets : st->syn_packets));
			if (st->syn_packets <= out->syn_packets)
				return;
			out = NULL;	/* replace the earlier view */
		}
	}
	if (!out) {
		out = L->capture = arena_alloc(ar, sizeof(*out));
		*out = *st;
		memset(&out->syn_retransmit_intervals, 0, sizeof(out->syn_retransmit_intervals));
		memset(&out->syn_retransmit_interval_counts, 0,
		       sizeof(out->syn_retransmit_interval_counts));
		memset(&out->series, 0, sizeof(out->series));
	} else {
		out->syn_packets += st->syn_packets;
		out->syn_attempts += st->syn_attempts;
		out->syn_unanswered_packets += st->syn_unanswered_packets;
		out->attempts_never_answered += st->attempts_never_answered;
		out->synack_packets += st->synack_packets;
		out->synack_retransmits += st->synack_retransmits;
		out->synack_retransmits_after_ack += st->synack_retransmits_after_ack;
		out->rst_after_handshake += st->rst_after_handshake;
		out->rst_from_server += st->rst_from_server;
		out->rst_from_client += st->rst_from_client;
		out->handshakes_completed += st->handshakes_completed;
		out->requests += st->requests;
		out->requests_unanswered += st->requests_unanswered;
		out->client_fin_no_server_fin += st->client_fin_no_server_fin;
		out->requests_never_acked += st->requests_never_acked;
		out->zero_window += st->zero_window;
		out->window_probes += st->window_probes;
		out->first_ts = fmin(out->first_ts, st->first_ts);
		out->last_ts = fmax(out->last_ts, st->last_ts);
		out->unread_share = fmax(out->unread_share, st->unread_share);
		if (!isnan(st->first_unanswered_ts) &&
		    (isnan(out->first_unanswered_ts) ||
		     st->first_unanswered_ts < out->first_unanswered_ts))
			out->first_unanswered_ts = st->first_unanswered_ts;
		prov_earlier(&out->first_unanswered, &st->first_unanswered);
		prov_earlier(&out->first_synack_after_ack, &st->first_synack_after_ack);
		prov_earlier(&out->first_rst_after_handshake, &st->first_rst_after_handshake);
	}
	/* intervals: merge two ascending lists */
	{
		size_t na = out->syn_retransmit_intervals.n, nb = l->n_ivl, n = 0;
		double *v = arena_calloc(ar, na + nb + 1, sizeof(*v));
		uint64_t *c = arena_calloc(ar, na + nb + 1, sizeof(*c));
		size_t i = 0, j = 0;
		while (i < na || j < nb) {
			double bv = j < nb ? (double)l->ivl[j].ds / 10.0 : INFINITY;
			double av = i < na ? out->syn_retransmit_intervals.v[i] : INFINITY;
			if (i < na && j < nb && fabs(av - bv) < 0.01) {
				v[n] = av;
				c[n++] = out->syn_retransmit_interval_counts.v[i++] + l->ivl[j++].count;
			} else if (av < bv) {
				v[n] = av;
				c[n++] = out->syn_retransmit_interval_counts.v[i++];
			} else {
				v[n] = bv;
				c[n++] = l->ivl[j++].count;
			}
		}
		out->syn_retransmit_intervals.v = v;
		out->syn_retransmit_intervals.n = out->syn_retransmit_intervals.cap = n;
		out->syn_retransmit_interval_counts.v = c;
		out->syn_retransmit_interval_counts.n = out->syn_retransmit_interval_counts.cap = n;
	}
	/* series: merge two lists ascending by second */
	{
		size_t na = out->series.n, nb = l->n_ser, n = 0, i = 0, j = 0;
		struct capture_second *v = arena_calloc(ar, na + nb + 1, sizeof(*v));
		const struct capture_second *a = out->series.v, *b = l->ser;
		while (i < na || j < nb) {
			if (j >= nb || (i < na && a[i].t < b[j].t)) {
				v[n++] = a[i++];
			} else if (i >= na || b[j].t < a[i].t) {
				v[n++] = b[j++];
			} else {
				struct capture_second s = a[i++];
				const struct capture_second *o = &b[j++];
				s.syn += o->syn;
				s.syn_retrans += o->syn_retrans;
				s.syn_unanswered += o->syn_unanswered;
				s.synack += o->synack;
				s.handshakes += o->handshakes;
				s.rst += o->rst;
				s.fin_client += o->fin_client;
				v[n++] = s;
			}
		}
		out->series.v = v;
		out->series.n = out->series.cap = n;
	}
	struct incident *inc = &ps->an->inc;
	if (isnan(inc->t_first) || st->first_ts < inc->t_first)
		inc->t_first = st->first_ts;
	if (isnan(inc->t_last) || st->last_ts > inc->t_last)
		inc->t_last = st->last_ts;
}

static void pf_release(struct pf *ps)
{
	free(ps->slots);
	free(ps->pool);
	for (size_t i = 0; i < ps->n_lis; i++) {
		free(ps->lis[i]->ivl);
		free(ps->lis[i]->ser);
		free(ps->lis[i]);
	}
	free(ps->lis);
	free(ps->lis_idx);
	free(ps->port_set);
}

static const char *dlt_label(int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	const char *desc = pcap_datalink_val_to_description(dlt);
	return name ? name : desc ? desc : "unknown";
}

static const char *const skip_text[PF_SKIP_LINKTYPE + 1] = {
	[PCAPNG_SKIP_NO_IFACE] = "on an undefined interface",
	[PCAPNG_SKIP_BAD_IFACE] = "on an interface not understood",
	[PCAPNG_SKIP_SNAPLEN] = "longer than the snapshot length",
	[PCAPNG_SKIP_SHORT] = "longer than their block",
	[PCAPNG_SKIP_HUGE] = "in blocks over 16 MiB",
	[PCAPNG_SKIP_SECTION] = "in a section of another pcapng version",
	[PCAPNG_SKIP_UNKNOWN] = "of an unknown block type",
	[PF_SKIP_LINKTYPE] = "of a link type not read",
};

/* Records skipped, with the reasons: "3 of 410 records skipped (2 on an
 * undefined interface, 1 longer than the snapshot length)"; of: the records
 * in all, 0 to leave out. */
static void pf_skip_phrase(const struct pf *ps, uint64_t of, char *buf, size_t size)
{
	size_t n = 0;
	uint64_t all = 0;
	int kinds = 0;
	buf[0] = '\0';
	for (int i = 0; i <= PF_SKIP_LINKTYPE; i++) {
		all += ps->n_skip[i];
		kinds += ps->n_skip[i] > 0;
	}
	if (!all)
		return;
	int r = of ? snprintf(buf, size, "%" PRIu64 " of %" PRIu64 " records skipped", all, of)
		   : snprintf(buf, size, "%" PRIu64 " record%s skipped", all, all == 1 ? "" : "s");
	n = r > 0 && (size_t)r < size ? (size_t)r : size - 1;
	for (int i = 0, k = 0; i <= PF_SKIP_LINKTYPE && n < size - 1; i++) {
		if (!ps->n_skip[i])
			continue;
		const char *lead = k ? ", " : " (";
		k++;
		if (kinds == 1)
			r = snprintf(buf + n, size - n, " (%s)", skip_text[i]);
		else
			r = snprintf(buf + n, size - n, "%s%" PRIu64 " %s%s", lead, ps->n_skip[i],
				     skip_text[i], k == kinds ? ")" : "");
		n = r > 0 && (size_t)r < size - n ? n + (size_t)r : size - 1;
	}
}

static void pf_summary(struct pf *ps, size_t n_listeners, size_t n_dropped)
{
	char buf[768];
	size_t n = 0;
#define ADD(...) do { \
		int r_ = snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__); \
		if (r_ > 0) \
			n = (size_t)r_ < sizeof(buf) - n ? n + (size_t)r_ : sizeof(buf) - 1; \
	} while (0)
	ADD("%" PRIu64 " packets (", ps->pkt - ps->n_skip_pkts);
	for (size_t i = 0; i < ps->n_dlts; i++)
		ADD("%s%s", i ? ", " : "", dlt_label(ps->dlts[i]));
	if (!ps->n_dlts)
		ADD("%s", ps->pc ? dlt_label(ps->dlt) : "pcapng");
	ADD("), %" PRIu64 " TCP, %" PRIu64 " connections, %zu listener%s", ps->n_tcp, ps->n_conns,
	    n_listeners, n_listeners == 1 ? "" : "s");
	if (n_dropped)
		ADD(" (%zu more left out)", n_dropped);
	if (ps->n_nontcp)
		ADD("; %" PRIu64 " non-TCP", ps->n_nontcp);
	if (ps->n_frag)
		ADD("; %" PRIu64 " IP fragments skipped", ps->n_frag);
	if (ps->n_cut)
		ADD("; %" PRIu64 " cut by snaplen before the TCP flags", ps->n_cut);
	if (ps->n_bad)
		ADD("; %" PRIu64 " malformed", ps->n_bad);
	if (ps->n_filtered)
		ADD("; %" PRIu64 " TCP not on the named ports", ps->n_filtered);
	char skip[300];
	pf_skip_phrase(ps, 0, skip, sizeof(skip));
	if (skip[0])
		ADD("; %s", skip);
	ADD("; at most %zu connections open at once", ps->peak_flows);
#undef ADD
	ps->in->summary = arena_strdup(&ps->an->arena, buf);
}

/* What of the capture the analysis did not see, for the report and the
 * confidence of what rests on it: records skipped, packets not understood,
 * and everything after the point where reading stopped. */
static void pf_unread(struct pf *ps)
{
	struct input *in = ps->in;
	uint64_t non_pkt = 0;
	for (int i = 0; i <= PF_SKIP_LINKTYPE; i++)
		non_pkt += ps->n_skip[i];
	non_pkt -= ps->n_skip_pkts;
	in->records_skipped = ps->n_skip_pkts + non_pkt;
	uint64_t lost = ps->n_skip_pkts + non_pkt + ps->n_bad, seen = ps->pkt + non_pkt;
	double read = seen ? 1.0 - (double)lost / (double)seen : 1.0;
	if (ps->stopped && ps->stop_off >= 0 && ps->size > 0 && ps->stop_off < ps->size)
		read *= (double)ps->stop_off / (double)ps->size;
	in->unread_share = lost || ps->stopped ? fmin(1.0, fmax(1.0 - read, 1e-9)) : 0;
	if (!in->unread_share)
		return;
	char buf[600];
	size_t n = 0;
#define ADD(...) do { \
		int r_ = snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__); \
		if (r_ > 0) \
			n = (size_t)r_ < sizeof(buf) - n ? n + (size_t)r_ : sizeof(buf) - 1; \
	} while (0)
	char skip[300];
	pf_skip_phrase(ps, seen, skip, sizeof(skip));
	if (skip[0])
		ADD("%s", skip);
	if (ps->n_bad)
		ADD("%s%" PRIu64 " of %" PRIu64 " packets malformed", n ? "; " : "", ps->n_bad,
		    ps->pkt);
	if (ps->stopped) {
		ADD("%sreading stopped after packet %" PRIu64, n ? "; " : "", ps->pkt);
		if (ps->stop_off >= 0 && ps->size > 0)
			ADD(" (byte %lld of %lld)", (long long)ps->stop_off, (long long)ps->size);
	}
#undef ADD
	in->unread = arena_strdup(&ps->an->arena, buf);
}

static int pf_setup(struct pf *ps)
{
	struct analysis *an = ps->an;
	if (an->opt.ports.n) {
		ps->port_set = calloc(65536 / 8, 1);
		if (!ps->port_set)
			return diag_add(&an->diags, DIAG_SYSTEM, ps->in->display, 0, -1,
					"out of memory");
		for (size_t i = 0; i < an->opt.ports.n; i++)
			ps->port_set[an->opt.ports.v[i] >> 3] |=
				(uint8_t)(1u << (an->opt.ports.v[i] & 7));
	}
	if (!table_resize(ps, 1 << 12))
		return diag_add(&an->diags, DIAG_SYSTEM, ps->in->display, 0, -1, "out of memory");
	ps->first_at = NAN;
	ps->bad_dlt = -1;
	return 0;
}

/* One packet record (ps->pkt is its number): time, then decoding. False
 * when reading must stop. */
static bool pf_record(struct pf *ps, int64_t sec, int64_t nsec, uint32_t caplen, uint32_t len,
		      const uint8_t *data)
{
	struct analysis *an = ps->an;
	const char *file = ps->in->display;
	/* A record of length 0 on the wire is no packet: a run of them is
	 * the zero-filled tail of a preallocated, sparse or crashed file
	 * (16 bytes per "packet": 134 million of them in 2 GB). */
	if (len == 0 && caplen == 0) {
		if (++ps->zero_run == 1)
			pf_bad(ps, "record of length 0");
		if (ps->zero_run == PF_MAX_ZERO_RUN) {
			diag_add_packet(&an->diags, DIAG_TRUNCATED, file, ps->pkt - ps->zero_run + 1,
					"zero-filled from packet %" PRIu64 " on (a preallocated "
					"or sparse file): the rest is not read",
					ps->pkt - ps->zero_run + 1);
			return false;
		}
		return true;
	}
	ps->zero_run = 0;
	/* Keep seconds within [0, 2^33) (year 2242) so that nanoseconds and
	 * their differences fit in 64 bits: a pcapng timestamp can be
	 * anything. */
	sec = sec < 0 ? 0 : sec >= PF_MAX_SEC ? PF_MAX_SEC - 1 : sec;
	ps->ts_ns = sec * NS + nsec % NS;
	if (!ps->have_now) {
		ps->have_now = true;
		ps->next_sweep_s = sec + PF_SWEEP_S;
		ps->first_at = (double)ps->ts_ns / 1e9;
	} else if (sec >= ps->next_sweep_s || sec < ps->next_sweep_s - 2 * PF_SWEEP_S) {
		/* Sweep as capture time goes by; a jump (one packet with a
		 * bogus timestamp, a clock step) only moves the schedule,
		 * or it would fold every open connection as idle. */
		int64_t step = ps->ts_ns - ps->now_ns;
		ps->now_ns = ps->ts_ns;
		if (step >= 0 && step <= PF_JUMP_S * NS)
			pf_sweep(ps, false);
		ps->next_sweep_s = sec + PF_SWEEP_S;
	}
	ps->now_ns = ps->ts_ns;
	ps->cut = caplen < len;
	pf_packet(ps, data, caplen);
	if (ps->oom) {
		diag_add_packet(&an->diags, DIAG_SYSTEM, file, ps->pkt,
				"out of memory: stopped reading at packet %" PRIu64, ps->pkt);
		ps->stopped = true;
		ps->stop_off = pf_offset(ps);
		return false;
	}
	if (ps->progress && !(ps->pkt & 0xffff))
		pf_progress(ps, false);
	return true;
}

static void pf_note_dlt(struct pf *ps, int dlt)
{
	if (ps->n_dlts && ps->dlts[ps->n_dlts - 1] == dlt)
		return;
	for (size_t i = 0; i < ps->n_dlts; i++)
		if (ps->dlts[i] == dlt)
			return;
	if (ps->n_dlts < sizeof(ps->dlts) / sizeof(ps->dlts[0]))
		ps->dlts[ps->n_dlts++] = dlt;
}

static void pf_read_pcap(struct pf *ps)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(ps->pc, &h, &data)) == 1) {
		ps->pkt++;
		/* opened with nanosecond precision: tv_usec holds nanoseconds */
		if (!pf_record(ps, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data))
			return;
	}
	if (rc == PCAP_ERROR) {
		ps->stopped = true;
		ps->stop_off = pf_offset(ps);
		diag_add_packet(&ps->an->diags, DIAG_TRUNCATED, ps->in->display, ps->pkt + 1,
				"stopped at packet %" PRIu64 ": %s", ps->pkt + 1,
				pcap_geterr(ps->pc));
	}
}

/* LINKTYPE_ (the file's numbers) to DLT_ (libpcap's, which pf_packet()
 * switches on): equal but for LINKTYPE_RAW (101), which is DLT_RAW (12 on
 * Linux), and LINKTYPE_LOOP, which is 108 here (linktype_to_dlt(),
 * pcap-common.c). */
static int linktype_dlt(uint16_t lt)
{
	return lt == 101 ? DLT_RAW : (int)lt;
}

static void pf_skip(struct pf *ps, int why, bool packet, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void pf_skip(struct pf *ps, int why, bool packet, uint64_t off, const char *fmt, ...)
{
	ps->n_skip[why]++;
	if (packet)
		ps->n_skip_pkts++;
	if (ps->n_skip[why] > PF_SKIP_DIAGS)
		return;		/* the rest are counted, and totalled at the end */
	char what[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (packet)
		diag_add_packet(&ps->an->diags, DIAG_SKIPPED_RECORD, ps->in->display, ps->pkt,
				"%s (byte offset %" PRIu64 ")", what, off);
	else
		diag_add(&ps->an->diags, DIAG_SKIPPED_RECORD, ps->in->display, 0, (int64_t)off,
			 "%s", what);
}

static void pf_read_pcapng(struct pf *ps, struct pcapng_rd *r)
{
	struct analysis *an = ps->an;
	const char *file = ps->in->display;
	for (;;) {
		enum pcapng_event ev = pcapng_next(r);
		switch (ev) {
		case PCAPNG_PACKET: {
			const struct pcapng_rec *rec = &r->rec;
			ps->pkt++;
			int dlt = linktype_dlt(rec->iface->linktype);
			if (!pf_linktype_ok(dlt)) {
				pf_skip(ps, PF_SKIP_LINKTYPE, true, r->block_off,
					"interface %" PRIu32 " is %s (%d): only Ethernet, Linux cooked "
					"(SLL, SLL2), BSD loopback and raw IP are read", rec->ifid,
					dlt_label(dlt), dlt);
				break;
			}
			ps->dlt = dlt;
			pf_note_dlt(ps, dlt);
			/* a Simple Packet Block has no time: it is taken as
			 * arriving with the packet before it */
			int64_t sec = rec->sec, nsec = rec->nsec;
			if (!rec->have_ts) {
				sec = ps->have_now ? ps->now_ns / NS : 0;
				nsec = ps->have_now ? ps->now_ns % NS : 0;
			}
			if (!pf_record(ps, sec, nsec, rec->caplen, rec->len, rec->data))
				return;
			break;
		}
		case PCAPNG_IDB:
			ps->n_idb++;
			if (r->rec.iface->bad)
				diag_add(&an->diags, DIAG_SKIPPED_RECORD, file, 0, (int64_t)r->block_off,
					 "Interface Description Block of interface %" PRIu32 " in section %"
					 PRIu32 ": %s: its packets are skipped", r->rec.ifid, r->section,
					 r->msg);
			else if (pf_linktype_ok(linktype_dlt(r->rec.iface->linktype)))
				ps->n_idb_usable++;
			else if (ps->bad_dlt < 0)
				ps->bad_dlt = linktype_dlt(r->rec.iface->linktype);
			break;
		case PCAPNG_SKIPPED:
			if (r->is_packet) {
				ps->pkt++;
			} else if (r->skip == PCAPNG_SKIP_SECTION) {
				/* the section's header: its packets are counted */
				diag_add(&an->diags, DIAG_SKIPPED_RECORD, file, 0,
					 (int64_t)r->block_off, "%s", r->msg);
				break;
			}
			pf_skip(ps, (int)r->skip, r->is_packet, r->block_off, "%s", r->msg);
			break;
		case PCAPNG_END:
			return;
		case PCAPNG_TRUNCATED:
		case PCAPNG_BROKEN:
			ps->stopped = true;
			ps->stop_off = (int64_t)r->block_off;
			if (!ps->n_idb && !ps->pkt) {
				/* as libpcap's pcap_ng_check_header() refuses it */
				diag_add(&an->diags, DIAG_UNREADABLE, file, 0, (int64_t)r->block_off,
					 "not a pcapng capture stuckscope can read: %s", r->msg);
			} else if (ev == PCAPNG_TRUNCATED) {
				diag_add(&an->diags, DIAG_TRUNCATED, file, 0, (int64_t)r->block_off,
					 "%s, after packet %" PRIu64 ": the rest is lost", r->msg,
					 ps->pkt);
			} else {
				diag_add(&an->diags, DIAG_BAD_BLOCK, file, 0, (int64_t)r->block_off,
					 "%s, after packet %" PRIu64 ": the rest of the file is not read",
					 r->msg, ps->pkt);
			}
			return;
		}
	}
}

static int pf_finish(struct pf *ps)
{
	struct analysis *an = ps->an;
	struct input *in = ps->in;
	if (ps->progress)
		pf_progress(ps, true);
	for (int i = 0; i <= PF_SKIP_LINKTYPE; i++)
		if (ps->n_skip[i] > PF_SKIP_DIAGS)
			diag_add(&an->diags, DIAG_SKIPPED_RECORD, in->display, 0, -1,
				 "%" PRIu64 " more records %s (%" PRIu64 " in all)",
				 ps->n_skip[i] - PF_SKIP_DIAGS, skip_text[i], ps->n_skip[i]);
	pf_sweep(ps, true);
	pf_unread(ps);

	/* the listeners, busiest first, at most PF_MAX_LISTENERS */
	size_t nq = 0;
	for (size_t i = 0; i < ps->n_lis; i++) {
		if (lis_qualifies(ps, ps->lis[i])) {	/* partition: qualified first */
			struct pf_lis *tmp = ps->lis[nq];
			ps->lis[nq++] = ps->lis[i];
			ps->lis[i] = tmp;
		}
	}
	size_t n_emit = nq < PF_MAX_LISTENERS ? nq : PF_MAX_LISTENERS;
	if (nq > n_emit)
		qsort(ps->lis, nq, sizeof(*ps->lis), lis_cmp_busy);
	for (size_t i = 0; i < n_emit; i++)
		lis_emit(ps, ps->lis[i]);
	uint64_t decoded = ps->pkt - ps->n_skip_pkts;
	in->records = decoded;
	if (!isnan(ps->first_at) && (in->at_src == TIME_NONE || in->at_src == TIME_MTIME)) {
		in->at = ps->first_at;
		in->at_src = TIME_CONTENT;
	}
	pf_summary(ps, n_emit, nq - n_emit);
	if (ps->ng && !decoded && ps->n_idb && !ps->n_idb_usable && ps->bad_dlt >= 0) {
		/* every interface of a link type not read, as a pcap file's
		 * would be refused */
		diag_add(&an->diags, DIAG_LINKTYPE, in->display, 0, -1,
			 "%s (%d): only Ethernet, Linux cooked (SLL, SLL2), BSD loopback and raw "
			 "IP captures are read", dlt_label(ps->bad_dlt), ps->bad_dlt);
		return -1;
	}
	/* nothing decoded, and something was there that could not be */
	if (!decoded && (ps->stopped || ps->n_skip_pkts || (ps->n_idb && !ps->n_idb_usable)))
		return -1;
	return 0;
}

/* Standard input, its first bytes already read to tell pcap from pcapng:
 * libpcap gets a stream that gives them back first, then reads on. */
struct replay {
	uint8_t head[4];
	size_t n, pos;
	int fd;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
	struct replay *rp = cookie;
	if (rp->pos < rp->n) {
		size_t k = rp->n - rp->pos < size ? rp->n - rp->pos : size;
		memcpy(buf, rp->head + rp->pos, k);
		rp->pos += k;
		return (ssize_t)k;
	}
	for (;;) {
		ssize_t got = read(rp->fd, buf, size);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

static int replay_close(void *cookie)
{
	free(cookie);
	return 0;
}

static bool is_pcapng_magic(const uint8_t *m, size_t n)
{
	return n >= 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

/* Open in with libpcap (a pcap file) or the pcapng reader; -1 with a
 * diagnostic when neither can. *fd_out: a descriptor to close, or -1. */
static int pf_open(struct pf *ps, struct pcapng_rd *ng, int *fd_out)
{
	struct analysis *an = ps->an;
	struct input *in = ps->in;
	char err[PCAP_ERRBUF_SIZE] = "";
	*fd_out = -1;
	if (in->buf) {
		/* a buffer (tests, fuzzers) */
		if (is_pcapng_magic((const uint8_t *)in->buf, in->len)) {
			pcapng_init_mem(ng, in->buf, in->len);
			ps->ng = ng;
			return 0;
		}
		FILE *mem = fmemopen((void *)(uintptr_t)in->buf, in->len, "rb");
		if (!mem)
			return diag_add(&an->diags, DIAG_SYSTEM, in->display, 0, -1, "fmemopen: %s",
					strerror(errno));
		ps->pc = pcap_fopen_offline_with_tstamp_precision(mem, PCAP_TSTAMP_PRECISION_NANO,
								  err);
		if (!ps->pc)
			fclose(mem);
	} else {
		bool is_stdin = strcmp(in->path, "-") == 0;
		int fd = is_stdin ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return diag_add(&an->diags, DIAG_UNREADABLE, in->display, 0, -1, "%s",
					strerror(errno));
		uint8_t head[4];
		size_t n = 0;
		while (n < sizeof(head)) {
			ssize_t got = read(fd, head + n, sizeof(head) - n);
			if (got > 0)
				n += (size_t)got;
			else if (got == 0 || errno != EINTR)
				break;
		}
		if (is_pcapng_magic(head, n)) {
			if (!pcapng_init_fd(ng, fd, head, n)) {
				if (!is_stdin)
					close(fd);
				return diag_add(&an->diags, DIAG_SYSTEM, in->display, 0, -1,
						"out of memory");
			}
			ps->ng = ng;
			*fd_out = is_stdin ? -1 : fd;
			return 0;
		}
		if (!is_stdin) {
			close(fd);
			ps->pc = pcap_open_offline_with_tstamp_precision(in->path,
									 PCAP_TSTAMP_PRECISION_NANO, err);
		} else {
			struct replay *rp = calloc(1, sizeof(*rp));
			cookie_io_functions_t io = { .read = replay_read, .close = replay_close };
			FILE *fp = rp ? fopencookie(rp, "rb", io) : NULL;
			if (!fp) {
				free(rp);
				return diag_add(&an->diags, DIAG_SYSTEM, in->display, 0, -1,
						"out of memory");
			}
			memcpy(rp->head, head, n);
			rp->n = n;
			rp->fd = fd;
			ps->pc = pcap_fopen_offline_with_tstamp_precision(fp,
									  PCAP_TSTAMP_PRECISION_NANO, err);
			if (!ps->pc)
				fclose(fp);
		}
	}
	if (!ps->pc)
		return diag_add(&an->diags, DIAG_UNREADABLE, in->display, 0, -1,
				"not a capture libpcap can read: %s", err);
	return 0;
}

int pcap_parse(struct analysis *an, struct input *in)
{
	struct pf ps;
	memset(&ps, 0, sizeof(ps));
	ps.an = an;
	ps.in = in;
	bool is_stdin = !in->buf && strcmp(in->path, "-") == 0;
	ps.size = in->buf ? (off_t)in->len : in->size;
	if (!in->buf && !is_stdin && ps.size == 0) {
		struct stat st;
		if (stat(in->path, &st) == 0)
			ps.size = st.st_size;
	}
	if (!is_stdin && ps.size == 0)
		return diag_add(&an->diags, DIAG_EMPTY, in->display, 0, -1, NULL);
	struct pcapng_rd ng;
	int fd;
	if (pf_open(&ps, &ng, &fd) < 0)
		return -1;
	int rc;
	if (ps.pc) {
		ps.dlt = pcap_datalink(ps.pc);
		if (!pf_linktype_ok(ps.dlt)) {
			rc = diag_add(&an->diags, DIAG_LINKTYPE, in->display, 0, -1,
				      "%s (%d): only Ethernet, Linux cooked (SLL, SLL2), BSD loopback "
				      "and raw IP captures are read", dlt_label(ps.dlt), ps.dlt);
			goto out;
		}
		pf_note_dlt(&ps, ps.dlt);
	}
	if (pf_setup(&ps) < 0) {
		rc = -1;
		goto out;
	}
	ps.progress = ps.size > PF_PROGRESS_BYTES && isatty(STDERR_FILENO);
	if (ps.pc)
		pf_read_pcap(&ps);
	else
		pf_read_pcapng(&ps, &ng);
	rc = pf_finish(&ps);
out:
	if (ps.pc)
		pcap_close(ps.pc);	/* closes a memory FILE too */
	if (ps.ng)
		pcapng_release(ps.ng);
	if (fd >= 0)
		close(fd);
	pf_release(&ps);
	return rc;
}

/* pcap (either byte order, micro- or nanosecond) and pcapng (the Section
 * Header Block's type) by their first four bytes */
static int pcap_sniff(const struct sniff_view *v)
{
	if (v->len < 4)
		return 0;
	const uint8_t *m = (const uint8_t *)v->buf;
	uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	return be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
	       be == 0x0a0d0d0a ? SNIFF_MAGIC : 0;
}

const struct format format_pcap = {
	.name = "pcap", .cls = EV_CAPTURE, .streamed = true, .sniff = pcap_sniff,
	.parse = pcap_parse,
};
