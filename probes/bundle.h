/* bundle.h — live collection into a bundle directory (DESIGN.md job 2:
 * attach = collect a bundle, then analyze it).
 *
 * A bundle is a directory of plain evidence files in the formats the offline
 * parsers read, each starting with its UTC capture time, plus manifest.json
 * ({"stuckscope_bundle": 1, ...}: targets, ports, every snapshot file, what
 * failed and why). Files are written as they are collected and the manifest
 * is rewritten after every snapshot, so whatever stops the run (SIGINT, an
 * error, SIGKILL) leaves what was collected readable. */
#ifndef STUCKSCOPE_BUNDLE_H
#define STUCKSCOPE_BUNDLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/outfile.h"

#define BUNDLE_MAX_TARGETS 256
#define BUNDLE_MAX_PORTS 32
#define BUNDLE_MAX_LISTENERS 256

struct ps_session;
struct symbolizer;

enum bundle_role { BROLE_OTHER, BROLE_WORKER, BROLE_PARENT };

struct bundle_target {
	pid_t pid, ppid;
	char comm[64];
	enum bundle_role role;
	bool named;		/* given with --pid */
	bool gone;		/* exited during the run */
	int64_t fds, fd_limit;	/* last seen, -1 unknown */
	int64_t threads;	/* last proc-task dump */
	double gone_at;
	struct ps_session *ps;	/* sampler session, kept across samples */
	struct symbolizer *sym;	/* its symbolizer (cache kept across samples) */
	uint32_t image_gen;	/* the program image sym describes (ps_sample.image_gen) */
};

struct bundle_listener {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint64_t inode;
	uint32_t backlog;	/* sk_max_ack_backlog at discovery */
};

struct bundle_file {
	char *file;		/* relative to the bundle directory */
	double at;
	const char *kind;	/* "ss", "proc-net-netstat", ... (input kind names) */
};

struct bundle_failure {
	char *what, *why;
};

struct bundle_opts {
	pid_t pids[BUNDLE_MAX_TARGETS];
	size_t n_pids;
	uint16_t ports[BUNDLE_MAX_PORTS];
	size_t n_ports;
	bool use_dirfd;		/* write into dirfd, an open directory watch made, named dir */
	int dirfd;
	double duration;	/* seconds */
	int samples;		/* snapshots, >= 1 */
	bool capture;
	bool progress;		/* a progress line on stderr */
	const char *dir;
};

struct bundle {
	struct bundle_opts opt;
	char *dir;
	struct outdir out;	/* every file is written through it (base/outfile.h) */
	struct outdir sub;	/* the one subdirectory in use (watch's ring/) */
	char sub_name[32];
	pid_t netns_pid;	/* whose network namespace; 0 = ours */
	bool netns_foreign;	/* not ours */
	struct bundle_target targets[BUNDLE_MAX_TARGETS];
	size_t n_targets;
	uint16_t ports[BUNDLE_MAX_PORTS];
	size_t n_ports;
	struct bundle_listener listeners[BUNDLE_MAX_LISTENERS];
	size_t n_listeners;
	struct bundle_file *files;
	size_t n_files, cap_files;
	struct bundle_failure *failed;
	size_t n_failed, cap_failed;
	double started, ended;
	int snapshots_done;
	bool interrupted;
	bool sampler;		/* the ptrace stack sampler is in this build */
	uint32_t stack_samples, stack_nostop;
	int64_t stack_max_window_ns;	/* longest time a target was stopped */
	pid_t capture_pid;	/* libpcap child, 0 none */
	int capture_status_fd;
	char host[256], kernel[128];
};

/* Fill b from opts; create the directory 0700 (an existing one must be
 * empty, ours and not writable by others: base/outfile.h), or adopt
 * opts->dirfd. */
int bundle_init(struct bundle *b, const struct bundle_opts *opts, char *err, size_t errsz);
/* Find the listening sockets, the workers holding them, their parents.
 * -1 (err says why) when there is nothing to attach to. */
int bundle_discover(struct bundle *b, char *err, size_t errsz);
/* Snapshots at start, at intervals and at the end, until *stop is set.
 * Never fails: what could not be collected is recorded in b->failed. */
void bundle_collect(struct bundle *b, volatile sig_atomic_t *stop);
/* manifest.json, written atomically (tmp + rename). */
int bundle_write_manifest(struct bundle *b);
void bundle_release(struct bundle *b);

/* Record a failure ("what", "why"); also printed on stderr. */
void bundle_fail(struct bundle *b, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

double bundle_now(void);	/* wall clock, seconds since the epoch */

/* Write "<UTC time of at>\n<content>" to DIR/name (name may hold a
 * subdirectory that exists) and list it in the manifest as `kind`: evidence
 * collected outside bundle_collect() (watch's pre-trigger ring). */
struct strbuf;
int bundle_write_evidence(struct bundle *b, const char *name, const char *kind, double at,
			  const struct strbuf *content);

#endif
