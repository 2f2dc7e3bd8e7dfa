/* pcapng.c — the pcapng block reader (pcapng.h). Layouts and meanings from
 * draft-ietf-opsawg-pcapng: 3.1 General Block Structure, 3.5 Options,
 * 4.1 Section Header Block, 4.2 Interface Description Block, 4.3 Enhanced
 * Packet Block, 4.4 Simple Packet Block, Appendix A Packet Block
 * (obsolete), and the Block Type Codes registry.
 *
 * Every length is checked against the bytes of its block as `end - p < n`;
 * a block is held whole (one read() window) before its fields are looked at,
 * and its trailing length must repeat its leading one. */
#include "pcapng.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WIN_MIN (256u << 10)	/* read() this much at a time */
#define SHB_MIN 28		/* type, length, byte-order magic, versions, section length, trailer */
#define NS 1000000000ULL

enum { CONTINUE = -1 };

static inline uint16_t get16(const struct pcapng_rd *r, const uint8_t *p)
{
	return r->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t get32(const struct pcapng_rd *r, const uint8_t *p)
{
	if (r->be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* a 64-bit option value (if_tsoffset) is one integer in the section's order */
static inline uint64_t get64(const struct pcapng_rd *r, const uint8_t *p)
{
	uint64_t a = get32(r, p), b = get32(r, p + 4);
	return r->be ? a << 32 | b : b << 32 | a;
}

void pcapng_init_mem(struct pcapng_rd *r, const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->mem = buf;
	r->mem_len = len;
	r->fd = -1;
}

bool pcapng_init_fd(struct pcapng_rd *r, int fd, const void *head, size_t n_head)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->win_cap = n_head > WIN_MIN ? n_head : WIN_MIN;
	r->win = malloc(r->win_cap);
	if (!r->win)
		return false;
	if (n_head)
		memcpy(r->win, head, n_head);
	r->hi = n_head;
	return true;
}

void pcapng_release(struct pcapng_rd *r)
{
	free(r->win);
	free(r->ifs);
	r->win = NULL;
	r->ifs = NULL;
}

/* The next n bytes, or fewer at the end of the input: *have says how many
 * (never more than n). The pointer stays valid until the next peek. */
static const uint8_t *rd_peek(struct pcapng_rd *r, size_t n, size_t *have)
{
	if (r->fd < 0) {
		size_t left = r->mem_len - (size_t)r->off;
		*have = left < n ? left : n;
		return r->mem + r->off;
	}
	if (r->hi - r->lo < n && !r->eof && !r->err) {
		if (r->lo) {
			memmove(r->win, r->win + r->lo, r->hi - r->lo);
			r->hi -= r->lo;
			r->lo = 0;
		}
		if (n > r->win_cap) {
			uint8_t *w = realloc(r->win, n);
			if (w) {
				r->win = w;
				r->win_cap = n;
			} else {
				r->err = ENOMEM;
			}
		}
		while (r->hi < n && !r->err) {
			ssize_t got = read(r->fd, r->win + r->hi, r->win_cap - r->hi);
			if (got > 0) {
				r->hi += (size_t)got;
			} else if (got == 0) {
				r->eof = true;
				break;
			} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* standard input left non-blocking by whoever feeds it */
				struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					r->err = errno;
			} else if (errno != EINTR) {
				r->err = errno;
			}
		}
	}
	size_t avail = r->hi - r->lo;
	*have = avail < n ? avail : n;
	return r->win + r->lo;
}

static void rd_take(struct pcapng_rd *r, size_t n)
{
	r->off += n;
	if (r->fd >= 0)
		r->lo += n;
}

/* Pass over n bytes without holding them; false at the end of the input. */
static bool rd_skip(struct pcapng_rd *r, uint64_t n)
{
	while (n) {
		size_t have;
		rd_peek(r, n < WIN_MIN ? (size_t)n : WIN_MIN, &have);
		if (!have)
			return false;
		rd_take(r, have);
		n -= have;
	}
	return true;
}

const char *pcapng_block_name(uint32_t type)
{
	switch (type) {
	case PCAPNG_BT_SHB: return "Section Header Block";
	case PCAPNG_BT_IDB: return "Interface Description Block";
	case PCAPNG_BT_PB: return "Packet Block";
	case PCAPNG_BT_SPB: return "Simple Packet Block";
	case 0x00000004: return "Name Resolution Block";
	case 0x00000005: return "Interface Statistics Block";
	case PCAPNG_BT_EPB: return "Enhanced Packet Block";
	case 0x0000000A: return "Decryption Secrets Block";
	case 0x00000BAD:
	case 0x40000BAD: return "Custom Block";
	default: return "block";
	}
}

static bool is_packet_block(uint32_t type)
{
	return type == PCAPNG_BT_EPB || type == PCAPNG_BT_SPB || type == PCAPNG_BT_PB;
}

/* Blocks that hold no packet and that this reader does not need. */
static bool is_ignored_block(uint32_t type)
{
	switch (type) {
	case 0x00000004:	/* Name Resolution Block */
	case 0x00000005:	/* Interface Statistics Block */
	case 0x00000007:	/* IRIG Timestamp Block */
	case 0x00000008:	/* ARINC 429 in AFDX Encapsulation Information Block */
	case 0x00000009:	/* systemd Journal Export Block */
	case 0x0000000A:	/* Decryption Secrets Block */
	case 0x00000101:	/* Hone Project Machine Info Block */
	case 0x00000102:	/* Hone Project Connection Event Block */
	case 0x00000BAD:	/* Custom Block, copiable */
	case 0x40000BAD:	/* Custom Block, not to be copied */
	case 0x80000001:	/* Apple's Process Information Block (macOS tcpdump -k) */
		return true;
	default:
		/* Sysdig event blocks: system calls, not packets */
		return type >= 0x00000201 && type <= 0x00000213;
	}
}

static enum pcapng_event stop(struct pcapng_rd *r, enum pcapng_event ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum pcapng_event stop(struct pcapng_rd *r, enum pcapng_event ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->done = true;
	r->last = ev;
	return ev;
}

static int skipped(struct pcapng_rd *r, enum pcapng_skip why, bool packet, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int skipped(struct pcapng_rd *r, enum pcapng_skip why, bool packet, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->skip = why;
	r->is_packet = packet;
	return PCAPNG_SKIPPED;
}

static int idb_bad(struct pcapng_rd *r, struct pcapng_if *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int idb_bad(struct pcapng_rd *r, struct pcapng_if *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	f->bad = true;
	return PCAPNG_IDB;
}

/* 4.1: a new section: its own byte order (already set from the magic), its
 * own interfaces. libpcap reads versions 1.0 and 1.2 (pcap_ng_check_header(),
 * sf-pcapng.c: "1.2" was written by early writers for the same format). */
static int on_shb(struct pcapng_rd *r, const uint8_t *body)
{
	r->section++;
	r->n_if = 0;
	r->skip_section = false;
	uint16_t major = get16(r, body + 4), minor = get16(r, body + 6);
	if (major == 1 && (minor == 0 || minor == 2))
		return CONTINUE;
	r->skip_section = true;
	return skipped(r, PCAPNG_SKIP_SECTION, false,
		       "section %" PRIu32 " is pcapng version %u.%u, not 1.0: its blocks are skipped",
		       r->section, major, minor);
}

static struct pcapng_if *if_new(struct pcapng_rd *r)
{
	if (r->n_if == r->cap_if) {
		size_t cap = r->cap_if ? r->cap_if * 2 : 8;
		struct pcapng_if *v = realloc(r->ifs, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->ifs = v;
		r->cap_if = cap;
	}
	struct pcapng_if *f = &r->ifs[r->n_if++];
	memset(f, 0, sizeof(*f));
	f->idb_offset = r->block_off;
	f->units = 1000000;	/* 4.2 if_tsresol: 10^-6 when absent */
	f->exp = 6;
	r->rec.ifid = (uint32_t)(r->n_if - 1);
	r->rec.iface = f;
	r->msg[0] = '\0';
	return f;
}

/* 4.2 options if_tsresol (9) and if_tsoffset (14); the others are names
 * and descriptions. A timing option that cannot be right leaves the
 * interface's packets without a trustworthy time: they are skipped, as
 * libpcap refuses the whole file (process_idb_options()). */
static int idb_options(struct pcapng_rd *r, struct pcapng_if *f, const uint8_t *p,
		       const uint8_t *end)
{
	bool saw_res = false, saw_off = false;
	while (end - p >= 4) {
		uint16_t code = get16(r, p), olen = get16(r, p + 2);
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;
		p += 4;
		if ((size_t)(end - p) < padded)
			return idb_bad(r, f, "option %u of %u bytes runs past the block", code, olen);
		const uint8_t *v = p;
		p += padded;
		switch (code) {
		case 0:		/* opt_endofopt: nothing after it is read, whatever its length */
			return PCAPNG_IDB;
		case 9:		/* if_tsresol */
			if (olen != 1)
				return idb_bad(r, f, "if_tsresol option of %u bytes, not 1", olen);
			if (saw_res)
				return idb_bad(r, f, "two if_tsresol options");
			saw_res = true;
			if (v[0] & 0x80) {
				f->bin = true;
				f->exp = v[0] & 0x7f;
				if (f->exp > 63)
					return idb_bad(r, f, "if_tsresol 2^-%u s does not fit 64 bits",
						       f->exp);
				f->units = 1ULL << f->exp;
			} else {
				f->exp = v[0];
				if (f->exp > 19)
					return idb_bad(r, f, "if_tsresol 10^-%u s does not fit 64 bits",
						       f->exp);
				f->units = 1;
				for (unsigned i = 0; i < f->exp; i++)
					f->units *= 10;
			}
			break;
		case 14:	/* if_tsoffset: seconds, signed */
			if (olen != 8)
				return idb_bad(r, f, "if_tsoffset option of %u bytes, not 8", olen);
			if (saw_off)
				return idb_bad(r, f, "two if_tsoffset options");
			saw_off = true;
			f->tsoffset = (int64_t)get64(r, v);
			break;
		default:
			break;
		}
	}
	return PCAPNG_IDB;
}

static int on_idb(struct pcapng_rd *r, const uint8_t *body, size_t blen, bool whole)
{
	if (r->n_if >= PCAPNG_MAX_IFACES)
		return skipped(r, PCAPNG_SKIP_NO_IFACE, false,
			       "more than %u interfaces in section %" PRIu32 ": this one is not kept",
			       PCAPNG_MAX_IFACES, r->section);
	struct pcapng_if *f = if_new(r);
	if (!f)
		return stop(r, PCAPNG_BROKEN, "out of memory for interface %zu", r->n_if);
	if (blen < 8)
		return idb_bad(r, f, "%zu bytes, fewer than its fixed fields", blen);
	f->linktype = get16(r, body);
	f->snaplen = get32(r, body + 4);
	if (!whole)
		return idb_bad(r, f, "block of %" PRIu32 " bytes, more than %u", r->block_len,
			       PCAPNG_MAX_BLOCK);
	return idb_options(r, f, body + 8, body + blen);
}

static const uint64_t pow10_tab[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* 4.3: the timestamp counts units of if_tsresol since 1970 + if_tsoffset.
 * Nanoseconds without overflow: the fraction is < units, so for 10^-k with
 * k <= 9 times 10^(9-k) stays < 10^9; for 2^-k with k <= 34, fraction x 10^9
 * stays < 2^64; finer binary resolutions drop their lowest bits first. */
static void ts_convert(const struct pcapng_if *f, uint64_t t, int64_t *sec, uint32_t *nsec)
{
	uint64_t s = t / f->units, frac = t % f->units, ns;
	if (!f->bin)
		ns = f->exp <= 9 ? frac * pow10_tab[9 - f->exp] : frac / pow10_tab[f->exp - 9];
	else if (f->exp <= 34)
		ns = (frac * NS) >> f->exp;
	else
		ns = ((frac >> (f->exp - 34)) * NS) >> 34;
	const int64_t lim = INT64_MAX / 2;	/* the sum below cannot overflow */
	int64_t si = s > (uint64_t)lim ? lim : (int64_t)s;
	int64_t off = f->tsoffset > lim ? lim : f->tsoffset < -lim ? -lim : f->tsoffset;
	*sec = si + off;
	*nsec = (uint32_t)ns;
}

/* A packet on interface ifid; caplen of an SPB is derived (4.4: the
 * smaller of the original length and the snapshot length). */
static int packet(struct pcapng_rd *r, uint32_t ifid, bool have_ts, uint64_t t, uint32_t caplen,
		  uint32_t len, const uint8_t *data, size_t avail)
{
	const char *name = pcapng_block_name(r->block_type);
	if (ifid >= r->n_if)
		return skipped(r, PCAPNG_SKIP_NO_IFACE, true,
			       "%s on interface %" PRIu32 ", but section %" PRIu32 " describes %zu",
			       name, ifid, r->section, r->n_if);
	const struct pcapng_if *f = &r->ifs[ifid];
	if (f->bad)
		return skipped(r, PCAPNG_SKIP_BAD_IFACE, true,
			       "%s on interface %" PRIu32 ", whose description (byte offset %" PRIu64
			       ") was not understood", name, ifid, f->idb_offset);
	if (!have_ts) {
		caplen = len;
		if (f->snaplen && caplen > f->snaplen)
			caplen = f->snaplen;
	}
	if (caplen > avail)
		return skipped(r, PCAPNG_SKIP_SHORT, true,
			       "%s with captured length %" PRIu32 " holds %zu bytes of data", name,
			       caplen, avail);
	if (f->snaplen && caplen > f->snaplen)
		return skipped(r, PCAPNG_SKIP_SNAPLEN, true,
			       "captured length %" PRIu32 " > snapshot length %" PRIu32
			       " of interface %" PRIu32, caplen, f->snaplen, ifid);
	struct pcapng_rec *rec = &r->rec;
	rec->ifid = ifid;
	rec->iface = f;
	rec->have_ts = have_ts;
	rec->sec = 0;
	rec->nsec = 0;
	if (have_ts)
		ts_convert(f, t, &rec->sec, &rec->nsec);
	rec->caplen = caplen;
	rec->len = len;
	rec->data = data;
	return PCAPNG_PACKET;
}

static int on_block(struct pcapng_rd *r, const uint8_t *body, size_t blen)
{
	uint32_t type = r->block_type;
	const char *name = pcapng_block_name(type);
	switch (type) {
	case PCAPNG_BT_SHB:
		return on_shb(r, body);
	case PCAPNG_BT_IDB:
		return on_idb(r, body, blen, true);
	case PCAPNG_BT_EPB:	/* 4.3: interface id 32 bits */
	case PCAPNG_BT_PB: {	/* appendix A: interface id 16 bits, drops count 16 bits */
		if (blen < 20)
			return skipped(r, PCAPNG_SKIP_SHORT, true,
				       "%s of %zu bytes, fewer than its fixed fields", name, blen + 12);
		uint32_t ifid = type == PCAPNG_BT_EPB ? get32(r, body) : get16(r, body);
		uint64_t t = (uint64_t)get32(r, body + 4) << 32 | get32(r, body + 8);
		return packet(r, ifid, true, t, get32(r, body + 12), get32(r, body + 16), body + 20,
			      blen - 20);
	}
	case PCAPNG_BT_SPB:	/* 4.4: on the section's first interface, no timestamp */
		if (blen < 4)
			return skipped(r, PCAPNG_SKIP_SHORT, true,
				       "%s of %zu bytes, fewer than its fixed fields", name, blen + 12);
		return packet(r, 0, false, 0, 0, get32(r, body), body + 4, blen - 4);
	default:
		if (is_ignored_block(type))
			return CONTINUE;
		return skipped(r, PCAPNG_SKIP_UNKNOWN, false, "block type 0x%08" PRIx32
			       " (%" PRIu32 " bytes) is not a pcapng block type", type, r->block_len);
	}
}

/* A block over PCAPNG_MAX_BLOCK: its first bytes say what it was; the rest
 * is passed over, and its trailer must still match. */
static int on_huge(struct pcapng_rd *r)
{
	uint32_t type = r->block_type, len = r->block_len;
	const char *name = pcapng_block_name(type);
	if (type == PCAPNG_BT_SHB)
		return stop(r, PCAPNG_BROKEN, "%s of %" PRIu32 " bytes, more than %u", name, len,
			    PCAPNG_MAX_BLOCK);
	size_t have;
	const uint8_t *b = rd_peek(r, 16, &have);
	uint8_t fixed[16] = { 0 };
	memcpy(fixed, b, have);
	if (!rd_skip(r, (uint64_t)len - 4))
		return stop(r, PCAPNG_TRUNCATED, "the file ends inside a %" PRIu32 "-byte %s", len,
			    name);
	b = rd_peek(r, 4, &have);
	if (have < 4)
		return stop(r, PCAPNG_TRUNCATED, "the file ends inside a %" PRIu32 "-byte %s", len,
			    name);
	uint32_t trail = get32(r, b);
	rd_take(r, 4);
	if (trail != len)
		return stop(r, PCAPNG_BROKEN, "%s length %" PRIu32 " in its header, %" PRIu32
			    " in its trailer", name, len, trail);
	bool pkt = is_packet_block(type);
	if (r->skip_section)
		return pkt ? skipped(r, PCAPNG_SKIP_SECTION, true, "%s in a section not read", name)
			   : CONTINUE;
	if (type == PCAPNG_BT_IDB)
		return on_idb(r, fixed + 8, 8, false);
	if (!pkt && is_ignored_block(type))
		return CONTINUE;
	return skipped(r, pkt ? PCAPNG_SKIP_HUGE : PCAPNG_SKIP_UNKNOWN, pkt,
		       "%s of %" PRIu32 " bytes, more than %u", name, len, PCAPNG_MAX_BLOCK);
}

enum pcapng_event pcapng_next(struct pcapng_rd *r)
{
	if (r->done)
		return r->last;
	/* one block per turn: each consumes at least 12 bytes or returns */
	for (;;) {
		size_t have;
		const uint8_t *h = rd_peek(r, 12, &have);
		r->block_off = r->off;
		if (have == 0) {
			if (r->err)
				return stop(r, PCAPNG_TRUNCATED, "read: %s", strerror(r->err));
			if (!r->section)
				return stop(r, PCAPNG_BROKEN, "empty: no Section Header Block");
			r->done = true;
			r->last = PCAPNG_END;
			return PCAPNG_END;
		}
		if (have < 8)
			return stop(r, PCAPNG_TRUNCATED, "the file ends %zu bytes into a block header",
				    have);
		/* 0x0A0D0D0A reads the same in either byte order */
		uint32_t type = get32(r, h);
		if (type == PCAPNG_BT_SHB) {
			if (have < 12)
				return stop(r, PCAPNG_TRUNCATED,
					    "the file ends %zu bytes into a Section Header Block", have);
			uint32_t bom = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
				       (uint32_t)h[11] << 24;
			if (bom == 0x1A2B3C4Du)
				r->be = false;
			else if (bom == 0x4D3C2B1Au)
				r->be = true;
			else
				return stop(r, PCAPNG_BROKEN, "Section Header Block with byte-order "
					    "magic 0x%08" PRIx32 ", not 0x1a2b3c4d", bom);
		} else if (!r->section) {
			return stop(r, PCAPNG_BROKEN, "begins with block type 0x%08" PRIx32
				    ", not a Section Header Block", type);
		}
		uint32_t len = get32(r, h + 4);
		r->block_type = type;
		r->block_len = len;
		const char *name = pcapng_block_name(type);
		if (len < 12 || len % 4)
			return stop(r, PCAPNG_BROKEN, "%s of length %" PRIu32 " (%s)", name, len,
				    len < 12 ? "less than 12" : "not a multiple of 4");
		if (type == PCAPNG_BT_SHB && len < SHB_MIN)
			return stop(r, PCAPNG_BROKEN, "%s of length %" PRIu32 " (less than %d)", name,
				    len, SHB_MIN);
		if (len > PCAPNG_MAX_BLOCK) {
			int ev = on_huge(r);
			if (ev != CONTINUE)
				return (enum pcapng_event)ev;
			continue;
		}
		const uint8_t *b = rd_peek(r, len, &have);
		if (have < len) {
			if (r->err)
				return stop(r, PCAPNG_TRUNCATED, "read: %s", strerror(r->err));
			return stop(r, PCAPNG_TRUNCATED, "the file ends %zu bytes into a %" PRIu32
				    "-byte %s", have, len, name);
		}
		uint32_t trail = get32(r, b + len - 4);
		if (trail != len)
			return stop(r, PCAPNG_BROKEN, "%s length %" PRIu32 " in its header, %" PRIu32
				    " in its trailer", name, len, trail);
		rd_take(r, len);	/* b stays valid until the next peek */
		int ev;
		if (r->skip_section && type != PCAPNG_BT_SHB)
			ev = is_packet_block(type)
			     ? skipped(r, PCAPNG_SKIP_SECTION, true, "%s in a section not read", name)
			     : CONTINUE;
		else
			ev = on_block(r, b + 8, len - 12);
		if (ev != CONTINUE)
			return (enum pcapng_event)ev;
	}
}
