/* socktable.h — what the three socket-table readers (parse_ss.c,
 * parse_netstat.c, parse_proc_net_tcp.c) share (issue 14):
 *
 *  - the snapshots one file holds: appended outputs (`watch -n1 'ss -ltn'
 *    >> f`, `while sleep 1; do date; ss -tan; done > f`) are split at each
 *    time line, repeated header or command line, each with its own time;
 *    a table none of whose rows could be read is left out, not kept as an
 *    empty table that would read as "no sockets";
 *  - the lines that are not the table (noise.h), counted per file;
 *  - addresses and ports shown as names (netstat and ss without -n) or
 *    masked by whoever pasted them: the row is kept, the unknown field is
 *    marked, and one diagnostic per file says which fields were unknown.
 */
#ifndef STUCKSCOPE_INPUT_SOCKTABLE_H
#define STUCKSCOPE_INPUT_SOCKTABLE_H

#include "model/analysis.h"
#include "noise.h"

/* Fields of one kind a table showed as something other than numbers. */
struct field_tally {
	uint64_t n;
	uint32_t first_line;
	const char *first;
};

struct socktable {
	struct analysis *an;
	struct input *in;
	const char *what;		/* "ss", "netstat", "/proc/net/tcp" in messages */
	enum sock_source source;
	struct sock_snapshot *snap;	/* the table being read; NULL before its header or first row */
	/* the table being read */
	bool header;			/* its header line was seen */
	uint64_t table_rows, table_lost;	/* rows kept; rows rejected or not tcp */
	double at;			/* its time */
	enum time_source at_src;
	bool own_time;			/* from a time line of its own */
	bool local_clock;		/* its time line named a zone we cannot place */
	/* after a prompt that runs another command: its output follows, up
	 * to the next header, time line, prompt or row of this table's shape */
	bool foreign;
	/* the file */
	uint32_t made, dropped, timed, untimed, local;
	uint64_t rows, rejected;
	struct noise_tally noise;
	struct field_tally masked, names, services, unknown_services;
};

void socktable_init(struct socktable *t, struct analysis *an, struct input *in, const char *what,
		    enum sock_source source);

/* A time line (noise_time_line()) begins the next table. */
void socktable_time(struct socktable *t, const struct time_mark *m);
/* A header line: begins a new table when the current one already has a
 * header or rows; the table exists from here on (an empty table is
 * evidence: no socket in that state). */
void socktable_header(struct socktable *t);
/* A command line of the tool: what follows is a new output. */
void socktable_boundary(struct socktable *t);

/* The snapshot of the table being read, made on first use. */
struct sock_snapshot *socktable_snapshot(struct socktable *t);
/* Keep a row (copied) in the current table; returns where it now lives. */
struct sock_row *socktable_add_row(struct socktable *t, const struct sock_row *row);
/* A row that could not be read (after its diagnostic) / a row that is not
 * TCP (udp, unix: counted by the reader). */
void socktable_reject(struct socktable *t);
void socktable_other(struct socktable *t);

/* Is this line (as read) noise? Counted when it is. *cmd: a prompt's command. */
enum noise_kind socktable_noise(struct socktable *t, struct span line, uint32_t lineno,
				struct span *cmd);
/* A prompt whose command does not run this table's tool: the lines after
 * it are that command's output, unless they have a row's shape. */
void socktable_foreign(struct socktable *t, struct span cmd);
/* Inside another command's output: is this line (not of a row's shape)
 * part of it? Counted when it is. */
bool socktable_foreign_line(struct socktable *t, struct span line, uint32_t lineno,
			    bool row_shaped);

/* "1.2.3.4:80", "[::1]:80", "*:*", and what tables show instead of
 * numbers: "localhost:http-alt", "web1.example.com:https", "[::]:http"
 * (service names from a built-in table, never the host's /etc/services:
 * the analysis must not depend on the machine it runs on), "********:443",
 * "x.x.x.x:8000", "<redacted>:8000" (masked). False when the field is not
 * an address at all. */
bool socktable_endpoint(struct socktable *t, struct span f, uint32_t lineno, struct endpoint *ep);

/* The port a service name stands for (Debian netbase and IANA names, as
 * /etc/services spells them), 0 when not in the table. */
uint16_t socktable_service_port(struct span name);

/* End of the file: close the last table, add the file's diagnostics
 * (noise, unknown fields, how many snapshots). Returns -1 when rows were
 * there but none could be read (the file counts as not read), else 0. */
int socktable_finish(struct socktable *t);

#endif
