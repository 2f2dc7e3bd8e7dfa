/* pcapng.h — a bounded, streaming pcapng block reader
 * (draft-ietf-opsawg-pcapng, "PCAP Next Generation (pcapng) Capture File
 * Format"): every section in its own byte order, every interface with its
 * own link type, snapshot length and timestamp resolution and offset.
 *
 * libpcap's reader stops at the first interface whose link type or snapshot
 * length differs from the first one's, at a section in the other byte order,
 * at a record longer than the snapshot length and at an undefined interface
 * id (pcap_ng_next_packet(), sf-pcapng.c, libpcap 1.10.3): `mergecap`'s
 * output is read only up to its first packet. This reader skips and counts
 * what it cannot use and goes on; it stops only where the block structure
 * itself is lost (a block length that cannot be right, the end of the file
 * inside a block).
 *
 * It knows nothing of packets' contents: pcap_flows.c decodes them. Memory:
 * one block at a time (at most PCAPNG_MAX_BLOCK bytes) and the interfaces of
 * the current section. */
#ifndef STUCKSCOPE_PCAPNG_H
#define STUCKSCOPE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libpcap's INITIAL_MAX_BLOCKSIZE (sf-pcapng.c): a larger block is skipped
 * without being held in memory. */
#define PCAPNG_MAX_BLOCK (16u << 20)
/* interfaces kept per section (a packet block's id is 32 bits) */
#define PCAPNG_MAX_IFACES 65536u

/* pcapng block types (draft-ietf-opsawg-pcapng, "Block Type Codes") */
#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_PB  0x00000002u	/* obsolete Packet Block (appendix) */
#define PCAPNG_BT_SPB 0x00000003u
#define PCAPNG_BT_EPB 0x00000006u

struct pcapng_if {
	uint16_t linktype;	/* LINKTYPE_ value, as in the file */
	uint32_t snaplen;	/* 0 = no limit */
	uint64_t units;		/* timestamp ticks per second (if_tsresol) */
	uint8_t exp;		/* 10^-exp or, when bin, 2^-exp seconds per tick */
	bool bin;
	int64_t tsoffset;	/* seconds added to every timestamp (if_tsoffset) */
	bool bad;		/* its description was not understood: packets skipped */
	uint64_t idb_offset;	/* where its Interface Description Block starts */
	uint32_t user;		/* free for the caller */
};

enum pcapng_event {
	PCAPNG_PACKET,		/* a packet to decode: struct pcapng_rec */
	PCAPNG_IDB,		/* an interface was described (bad when not understood) */
	PCAPNG_SKIPPED,		/* a record skipped: why in msg, reason in skip */
	PCAPNG_END,		/* the end of the input, at a block boundary */
	PCAPNG_TRUNCATED,	/* the input ends inside a block: the rest is lost */
	PCAPNG_BROKEN,		/* the block structure is lost: the rest is not read */
};

enum pcapng_skip {
	PCAPNG_SKIP_NO_IFACE,	/* names an interface the section does not describe */
	PCAPNG_SKIP_BAD_IFACE,	/* on an interface whose description was not understood */
	PCAPNG_SKIP_SNAPLEN,	/* captured length > its interface's snapshot length */
	PCAPNG_SKIP_SHORT,	/* its fields or data run past its block */
	PCAPNG_SKIP_HUGE,	/* a block larger than PCAPNG_MAX_BLOCK */
	PCAPNG_SKIP_SECTION,	/* in a section of a pcapng version not read */
	PCAPNG_SKIP_UNKNOWN,	/* a block of a type the format does not define */
	PCAPNG_SKIP_N
};

/* The packet of a PCAPNG_PACKET event; data stays valid until the next
 * pcapng_next(). */
struct pcapng_rec {
	uint32_t ifid;
	const struct pcapng_if *iface;
	bool have_ts;		/* false: a Simple Packet Block (no timestamp) */
	int64_t sec;		/* seconds since the epoch, saturated */
	uint32_t nsec;
	uint32_t caplen, len;
	const uint8_t *data;
};

struct pcapng_rd {
	/* the input: a buffer (tests, fuzzers) or a file descriptor read with
	 * read() through a window that holds one block */
	const uint8_t *mem;
	size_t mem_len;
	int fd;			/* -1 when reading mem */
	uint8_t *win;
	size_t win_cap, lo, hi;	/* bytes [lo, hi) of win are read, not used */
	bool eof;
	int err;		/* errno of a failed read(), 0 = none */
	uint64_t off;		/* offset of the next unread byte */
	/* the current section */
	bool be;		/* big-endian (its byte-order magic) */
	bool skip_section;	/* of a version not read */
	uint32_t section;	/* 1-based */
	struct pcapng_if *ifs;
	size_t n_if, cap_if;
	/* what the last event is about */
	uint64_t block_off;	/* offset of its block */
	uint32_t block_type, block_len;
	enum pcapng_skip skip;
	bool is_packet;		/* PCAPNG_SKIPPED: the record was a packet block */
	char msg[200];		/* PCAPNG_SKIPPED, PCAPNG_IDB (bad), stops: what and why */
	struct pcapng_rec rec;
	bool done;		/* ended or stopped: `last` is returned again */
	enum pcapng_event last;
};

/* Read from a buffer the caller owns, or from fd (not closed by the reader).
 * `head` (may be NULL) holds bytes already read from fd, which come first. */
void pcapng_init_mem(struct pcapng_rd *r, const void *buf, size_t len);
bool pcapng_init_fd(struct pcapng_rd *r, int fd, const void *head, size_t n_head);
void pcapng_release(struct pcapng_rd *r);

/* The next event. After PCAPNG_END, PCAPNG_TRUNCATED and PCAPNG_BROKEN
 * every call returns the same again. */
enum pcapng_event pcapng_next(struct pcapng_rd *r);

const char *pcapng_block_name(uint32_t type);

#endif
