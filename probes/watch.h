/* watch.h — the cheap side of `stuckscope watch` (the flight recorder):
 * one poll per interval of what costs next to nothing to read, a ring of the
 * last ring_seconds of those polls in memory, and the triggers that decide
 * when the full (ptrace) collection of bundle.c is worth running.
 *
 * One poll reads, without stopping or signalling anything:
 *   - sock_diag of the target namespace (every TCP state but TIME-WAIT): the
 *     LISTEN rows of the watched ports (Recv-Q = accept queue, Send-Q = its
 *     limit), SYN-RECV request sockets, every socket on those ports and every
 *     socket a target holds;
 *   - /proc/PID/net/{netstat,snmp} of the namespace (ListenOverflows, ...);
 *   - /proc/PID/task/ * /stat of every target (thread state, CPU ticks).
 * Which process holds which connection comes from a cache of the targets'
 * fd tables (/proc/PID/fd), rescanned only when a CLOSE-WAIT socket, or one
 * with unread data, has an inode the cache does not know.
 *
 * The ring is written into a bundle as files the offline parsers read
 * (ring/ss-NNN.txt, ring/proc-net-netstat-NNN.txt, ring/proc-net-snmp-NNN.txt,
 * ring/proc-task-NNN.txt, each starting with its UTC time). */
#ifndef STUCKSCOPE_WATCH_H
#define STUCKSCOPE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bundle.h"
#include "procfs.h"
#include "sockdiag.h"

enum watch_trigger_id {
	WT_LISTEN_OVERFLOW,
	WT_ACCEPT_QUEUE_FULL,
	WT_CLOSE_WAIT_GROWING,
	WT_SYN_QUEUE_FULL,
	WT_WORKER_STUCK,
	WT_N
};

struct watch_trigger_info {
	const char *id;		/* "listen-overflow" */
	const char *option;	/* "--trigger-overflow N" */
	const char *title;	/* one line */
	const char *doc;	/* what it checks and why */
};
extern const struct watch_trigger_info watch_triggers[WT_N];

struct watch_config {
	uint16_t ports[BUNDLE_MAX_PORTS];
	size_t n_ports;
	pid_t pids[BUNDLE_MAX_TARGETS];
	size_t n_pids;
	double interval;	/* seconds between polls */
	double ring_seconds;	/* how much history the ring keeps */
	/* thresholds; 0 disables the trigger */
	long overflow_min;	/* ListenOverflows/ListenDrops increase in one poll */
	long queue_full_polls;	/* polls in a row with LISTEN Recv-Q >= Send-Q */
	long closewait_rises;	/* rises in a row of one owner's CLOSE-WAIT count */
	long synq_min;		/* TCPReqQFullDoCookies/TCPReqQFullDrop increase */
	double stuck_seconds;	/* a worker blocked, no CPU, work waiting */
};

struct watch_fired {
	enum watch_trigger_id id;
	char detail[512];
	pid_t pid;		/* the worker concerned, 0 none */
};

struct watch_snap;
struct watch_target;

struct watch {
	struct watch_config cfg;
	struct bundle *disc;	/* discovery (targets, listeners, netns) */
	bool discovered;
	double next_discovery;	/* monotonic */
	struct watch_target *targets;
	size_t n_targets;
	struct procfs_sockmap owners;	/* cache of the targets' sockets */
	double owners_at;
	struct watch_snap *ring;
	size_t ring_cap, ring_head, ring_n;	/* head: next slot to fill */
	long queue_full_run;
	/* statistics */
	uint64_t polls, rescans, discoveries;
	char last_error[512];
};

void watch_init(struct watch *w, const struct watch_config *cfg);
void watch_release(struct watch *w);
/* (Re)discover listeners and workers. 0, or -1 with err (nothing to watch
 * yet: the caller retries later). */
int watch_discover(struct watch *w, char *err, size_t errsz);
/* One poll into the ring; the triggers that fire go to fired (up to max).
 * Returns how many fired, -1 when the poll could not read the sockets
 * (w->last_error says why). */
int watch_poll(struct watch *w, struct watch_fired *fired, size_t max);
/* Write the ring (oldest first) into the bundle as ring/...-NNN.txt files;
 * the number of snapshots written. */
size_t watch_write_ring(struct watch *w, struct bundle *b);
/* Seconds of history in the ring. */
double watch_ring_span(const struct watch *w);
const struct watch_trigger_info *watch_trigger_by_id(const char *id);

double watch_mono_now(void);

#endif
