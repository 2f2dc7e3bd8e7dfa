/* cmd_watch.c — `stuckscope watch`: a flight recorder (DESIGN.md job 2,
 * left running). argv[0] is "watch".
 *
 * Polls only cheap sources (probes/watch.h) once per --interval, keeps the
 * last 60 s of them in memory, and when a trigger fires (and the last bundle
 * is older than --cooldown):
 *   1. makes DIR/stuckscope-watch-YYYYmmdd-HHMMSS/ (UTC) and writes
 *      trigger.json into it first (what fired, when: also the mark that tells
 *      rotation this directory is a watch bundle);
 *   2. writes the ring there (ring/ss-NNN.txt, ...: the minute before);
 *   3. runs attach's collection into the same directory (bundle.c: snapshots,
 *      stack samples of every worker, --capture);
 *   4. analyzes it as `stuckscope analyze` would and writes report.txt,
 *      report.json and report.html beside the evidence, each naming the
 *      trigger;
 *   5. logs one line on stderr and to syslog (LOG_DAEMON) naming the bundle
 *      and the verdict;
 *   6. rotates: keeps the newest --keep watch bundles within --max-disk MB,
 *      deleting the oldest; only directories named like step 1 that hold a
 *      trigger.json are ever touched, never the one just written.
 *
 * SIGTERM/SIGINT end the run cleanly: a collection under way stops at its
 * next step (the sampler detaches every thread before it returns), what was
 * collected is analyzed and reported, then watch exits 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "model/analysis.h"
#include "cli.h"
#include "commands.h"
#include "probes/bundle.h"
#include "report/report.h"
#include "rules/rule.h"
#include "probes/watch.h"


#define BUNDLE_PREFIX "stuckscope-watch-"

static volatile sig_atomic_t watch_stop;

static void watch_on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct watch_opts {
	const char *dir;
	struct outdir out;	/* dir, opened once: ours, not writable by others */
	long keep;
	long max_disk_mb;
	double cooldown;
	double duration;
	int samples;
	bool capture;
	bool once;
	bool quiet;
};

static void watch_usage(FILE *f)
{
	fputs("usage: stuckscope watch --port PORT [--pid PID]... [--dir DIR] [--keep N] [--max-disk MB]\n"
	      "                        [--interval S] [--cooldown S] [--duration S] [--samples N]\n"
	      "                        [--capture] [--trigger-overflow N] [--trigger-queue-full N]\n"
	      "                        [--trigger-closewait N] [--trigger-synq N] [--trigger-stuck S]\n"
	      "                        [--once] [-q]\n"
	      "       stuckscope watch --list-triggers\n"
	      "\n"
	      "A flight recorder. Polls, every --interval seconds (default 1), only what is cheap\n"
	      "to read: sock_diag for the listener(s) of PORT and the workers' sockets (accept\n"
	      "queue, SYN-RECV, CLOSE-WAIT per owner), the namespace's /proc/net/{netstat,snmp}\n"
	      "counters and the workers' /proc thread states and CPU ticks; keeps the last 60 s\n"
	      "in memory. When a trigger fires, writes that minute and then a full attach\n"
	      "collection (stack samples of every worker, snapshots over --duration S, default 10,\n"
	      "--samples N, default 5, packets with --capture) into a new bundle\n"
	      "DIR/stuckscope-watch-YYYYmmdd-HHMMSS/ (UTC; DIR default ./stuckscope-watch), with\n"
	      "its analysis as report.txt, report.json and report.html, and logs one line on\n"
	      "stderr and to syslog (LOG_DAEMON) naming the bundle and the verdict.\n"
	      "\n"
	      "Triggers (a threshold of 0 turns one off; --list-triggers explains each):\n"
	      "  --trigger-overflow N    listen-overflow: ListenOverflows/ListenDrops rose by >= N\n"
	      "                          between two polls (default 1)\n"
	      "  --trigger-queue-full N  accept-queue-full: LISTEN Recv-Q >= Send-Q in N polls in a\n"
	      "                          row (default 1)\n"
	      "  --trigger-closewait N   close-wait-growing: one process's CLOSE-WAIT count rose N\n"
	      "                          times without falling (default 5)\n"
	      "  --trigger-synq N        syn-queue-full: TCPReqQFullDoCookies/TCPReqQFullDrop rose\n"
	      "                          by >= N between two polls (default 1)\n"
	      "  --trigger-stuck S       worker-stuck: a worker's threads all blocked (S/D), no CPU\n"
	      "                          for S seconds, with work waiting (default 5)\n"
	      "\n"
	      "  --cooldown S   at most one bundle per S seconds (default 600)\n"
	      "  --keep N       keep the newest N watch bundles in DIR (default 5)\n"
	      "  --max-disk MB  and at most MB megabytes of them (default 500); only directories\n"
	      "                 named stuckscope-watch-* holding a trigger.json are ever deleted\n"
	      "  --once         exit after the first bundle\n"
	      "  -q             only the trigger lines and errors on stderr\n"
	      "\n"
	      "Polling needs read access to the workers' /proc (same user, or CAP_SYS_PTRACE for\n"
	      "the owners of CLOSE-WAIT sockets); collecting needs CAP_SYS_PTRACE (stack samples)\n"
	      "and, for --capture, CAP_NET_RAW; a target in another network namespace needs\n"
	      "CAP_SYS_ADMIN (setns). SIGTERM or SIGINT stop it cleanly, also mid-collection.\n", f);
}

static int list_triggers(void)
{
	for (size_t i = 0; i < WT_N; i++) {
		const struct watch_trigger_info *t = &watch_triggers[i];
		printf("%s\n  %s\n  option: %s\n", t->id, t->title, t->option);
		const char *p = t->doc;
		size_t col = 0;
		fputs("  ", stdout);
		while (*p) {
			const char *sp = strchr(p, ' ');
			size_t n = sp ? (size_t)(sp - p) : strlen(p);
			if (col && col + 1 + n > 94) {
				fputs("\n  ", stdout);
				col = 0;
			} else if (col) {
				fputc(' ', stdout);
				col++;
			}
			fwrite(p, 1, n, stdout);
			col += n;
			p += n;
			while (*p == ' ')
				p++;
		}
		fputs("\n\n", stdout);
	}
	return 0;
}

static bool parse_secs(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo) || v > hi)
		return false;
	*out = v;
	return true;
}

/* ---- rotation */

/* "stuckscope-watch-YYYYmmdd-HHMMSS" with an optional "-N" */
static bool is_bundle_name(const char *n)
{
	size_t pl = strlen(BUNDLE_PREFIX);
	if (strncmp(n, BUNDLE_PREFIX, pl) != 0)
		return false;
	const char *p = n + pl;
	for (int i = 0; i < 15; i++) {
		if (i == 8 ? p[i] != '-' : !(p[i] >= '0' && p[i] <= '9'))
			return false;
	}
	p += 15;
	if (!*p)
		return true;
	if (*p != '-' || !p[1])
		return false;
	for (p++; *p; p++)
		if (!(*p >= '0' && *p <= '9'))
			return false;
	return true;
}

static uint64_t walk_bytes;

static int walk_size(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	walk_bytes += (uint64_t)st->st_blocks * 512;
	return 0;
}

static int walk_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* FTW_PHYS: a symlink is removed, never followed; errors leave the
	 * entry in place and the walk goes on */
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

struct old_bundle {
	char name[256];
	uint64_t bytes;
};

static int cmp_old(const void *a, const void *b)
{
	return strcmp(((const struct old_bundle *)a)->name, ((const struct old_bundle *)b)->name);
}

/* Keep the newest `keep` watch bundles of dir within max_bytes; `current`
 * (a name in dir, or NULL) is never deleted. */
static void rotate(const char *dir, long keep, uint64_t max_bytes, const char *current, bool quiet)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct old_bundle *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!is_bundle_name(e->d_name) || strlen(e->d_name) >= sizeof(v->name))
			continue;
		struct stat st;
		/* a real directory (never a symlink) that watch wrote: it has
		 * our trigger.json */
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		char mark[600];
		snprintf(mark, sizeof(mark), "%s/trigger.json", e->d_name);
		if (fstatat(dirfd(d), mark, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct old_bundle *w = realloc(v, cap * sizeof(*w));
			if (!w)
				break;
			v = w;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", e->d_name);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		walk_bytes = 0;
		nftw(path, walk_size, 16, FTW_PHYS | FTW_MOUNT);
		v[n].bytes = walk_bytes;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_old);
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += v[i].bytes;
	size_t left = n;
	for (size_t i = 0; i < n; i++) {
		bool is_current = current && strcmp(v[i].name, current) == 0;
		if (is_current)
			continue;
		if (left <= (size_t)keep && total <= max_bytes)
			break;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
		nftw(path, walk_remove, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		if (!quiet)
			fprintf(stderr, "stuckscope: watch: rotated out %s (%.1f MB)\n", path,
				v[i].bytes / 1e6);
		left--;
		total -= v[i].bytes;
	}
	if (total > max_bytes && !quiet)
		fprintf(stderr, "stuckscope: watch: %s: the newest bundle alone is over --max-disk "
			"(%.1f MB): kept\n", dir, total / 1e6);
	free(v);
}

/* ---- one bundle */

struct trigger_set {
	struct watch_fired v[16];
	size_t n;
	double at;
};

/* What fired, in the model every report renders (analysis.h). */
static struct watch_trigger *trigger_model(struct arena *ar, const struct trigger_set *ts,
					   double ring_span, size_t ring_n, const char *bundle)
{
	struct watch_trigger *t = arena_calloc(ar, 1, sizeof(*t));
	t->bundle = arena_strdup(ar, bundle);
	t->at = ts->at;
	t->ring_snapshots = ring_n;
	t->ring_seconds = ring_span;
	for (size_t i = 0; i < ts->n; i++) {
		struct trigger_fired *f = VEC_PUSH(ar, &t->fired);
		f->trigger = watch_triggers[ts->v[i].id].id;
		f->title = watch_triggers[ts->v[i].id].title;
		f->detail = arena_strdup(ar, ts->v[i].detail);
		f->pid = (int32_t)ts->v[i].pid;
	}
	return t;
}

/* report.txt, report.json and report.html, each with what fired first,
 * created in the bundle's directory through its descriptor */
static int write_reports(struct outdir *dir, const struct analysis *an)
{
	static const struct {
		const char *name;
		enum report_format fmt;
	} out[] = { { "report.txt", FMT_TEXT }, { "report.json", FMT_JSON }, { "report.html", FMT_HTML } };
	int rc = 0;
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		FILE *f = outdir_fopen(dir, out[i].name);
		if (!f) {
			rc = -1;
			continue;
		}
		report_write(f, an, out[i].fmt, false);
		if (fclose(f) != 0)
			rc = -1;
	}
	return rc;
}

static double cpu_seconds(void)
{
	struct rusage ru, rc;
	getrusage(RUSAGE_SELF, &ru);
	getrusage(RUSAGE_CHILDREN, &rc);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6 + (double)rc.ru_utime.tv_sec + rc.ru_utime.tv_usec / 1e6 +
	       (double)rc.ru_stime.tv_sec + rc.ru_stime.tv_usec / 1e6;
}

/* Make the bundle directory DIR/stuckscope-watch-<UTC>[-N], 0700, through
 * DIR's descriptor: a name that exists (planted or not) is never used. */
static int bundle_name(struct outdir *dir, double at, char *name, size_t size,
		       struct outdir *bdir, char *err, size_t errsz)
{
	time_t sec = (time_t)at;
	struct tm tm;
	gmtime_r(&sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int k = 1; k < 100; k++) {
		if (k == 1)
			snprintf(name, size, BUNDLE_PREFIX "%s", stamp);
		else
			snprintf(name, size, BUNDLE_PREFIX "%s-%d", stamp, k);
		if (outdir_sub(dir, name, OUTDIR_NEW, bdir, err, errsz) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	snprintf(err, errsz, "%.900s: 99 bundles named for this second already", dir->path);
	return -1;
}

static int collect(struct watch *w, const struct watch_opts *o, const struct trigger_set *ts,
		   char *logline, size_t logsize)
{
	char name[256], err[1024];
	struct outdir bdir;
	if (bundle_name((struct outdir *)&o->out, ts->at, name, sizeof(name), &bdir, err,
			sizeof(err)) != 0) {
		snprintf(logline, logsize, "watch: trigger %s (%s): cannot make a bundle: %s",
			 watch_triggers[ts->v[0].id].id, ts->v[0].detail, err);
		return -1;
	}
	const char *path = bdir.path;
	/* 1. what fired, first: it also marks the directory as ours */
	struct arena ar;
	arena_init(&ar);
	const struct watch_trigger *trig = trigger_model(&ar, ts, watch_ring_span(w), w->ring_n, name);
	FILE *tf = outdir_fopen(&bdir, "trigger.json");
	if (tf) {
		report_json_write_trigger(tf, trig);
		fclose(tf);
	}

	struct bundle_opts bo;
	memset(&bo, 0, sizeof(bo));
	memcpy(bo.ports, w->cfg.ports, sizeof(bo.ports));
	bo.n_ports = w->cfg.n_ports;
	memcpy(bo.pids, w->cfg.pids, sizeof(bo.pids));
	bo.n_pids = w->cfg.n_pids;
	bo.duration = o->duration;
	bo.samples = o->samples;
	bo.capture = o->capture;
	bo.dir = path;
	bo.use_dirfd = true;
	bo.dirfd = bdir.fd;
	struct bundle *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(logline, logsize, "watch: %.1000s: out of memory", path);
		arena_release(&ar);
		outdir_close(&bdir);
		return -1;
	}
	if (bundle_init(b, &bo, err, sizeof(err)) != 0) {
		/* the directory exists and holds only trigger.json: fine for
		 * bundle_init; anything else is a real error */
		snprintf(logline, logsize, "watch: %.1000s: %.1000s", path, err);
		free(b);
		arena_release(&ar);
		outdir_close(&bdir);
		return -1;
	}
	/* 2. the minute before */
	size_t ring = watch_write_ring(w, b);
	/* 3. the full collection */
	if (bundle_discover(b, err, sizeof(err)) != 0)
		bundle_fail(b, "discovery", "%s", err);
	bundle_write_manifest(b);
	if (b->n_targets && !watch_stop)
		bundle_collect(b, &watch_stop);
	else
		bundle_write_manifest(b);

	/* 4. the same analysis as `stuckscope analyze BUNDLE` */
	struct analysis an;
	analysis_init(&an);
	for (size_t i = 0; i < b->n_ports; i++)
		*VEC_PUSH(&an.arena, &an.opt.ports) = b->ports[i];
	analysis_add_path(&an, b->dir);
	analysis_read_inputs(&an);
	analysis_diagnose(&an);
	const char *verdict = verdict_name(an.verdict);
	const char *root = an.root && an.root->rule ? an.root->rule->id : "none";
	struct watch_trigger *done = arena_calloc(&an.arena, 1, sizeof(*done));
	*done = *trig;
	done->ring_files = ring;
	an.trigger = done;
	int wr = write_reports(&bdir, &an);
	snprintf(logline, logsize,
		 "watch: trigger %s (%s): bundle %.1000s: verdict %s, root cause %s%s%.300s%s",
		 watch_triggers[ts->v[0].id].id, ts->v[0].detail, path, verdict, root,
		 an.root ? " (" : "", an.root && an.root->title ? an.root->title : "",
		 an.root ? ")" : "");
	if (wr != 0)
		fprintf(stderr, "stuckscope: watch: %s: could not write every report\n", path);
	analysis_release(&an);
	bundle_release(b);
	free(b);
	arena_release(&ar);
	outdir_close(&bdir);
	rotate(o->dir, o->keep, (uint64_t)o->max_disk_mb << 20, name, o->quiet);
	return 0;
}

static void log_line(const char *line, int prio)
{
	char clean[2048];
	size_t k = 0;
	for (const char *p = line; *p && k + 1 < sizeof(clean); p++)
		clean[k++] = (unsigned char)*p < 0x20 ? '?' : *p;
	clean[k] = '\0';
	fprintf(stderr, "stuckscope: %s\n", clean);
	syslog(prio, "%s", clean);
}

static void sleep_until(double mono_deadline)
{
	while (!watch_stop) {
		double left = mono_deadline - watch_mono_now();
		if (left <= 0)
			return;
		struct timespec ts = { (time_t)left, (long)((left - floor(left)) * 1e9) };
		if (nanosleep(&ts, NULL) == 0)
			return;
	}
}

int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'P' },
		{ "dir", required_argument, NULL, 'D' },
		{ "keep", required_argument, NULL, 'k' },
		{ "max-disk", required_argument, NULL, 'M' },
		{ "interval", required_argument, NULL, 'i' },
		{ "cooldown", required_argument, NULL, 'C' },
		{ "duration", required_argument, NULL, 'd' },
		{ "samples", required_argument, NULL, 'n' },
		{ "capture", no_argument, NULL, 'c' },
		{ "trigger-overflow", required_argument, NULL, 1 },
		{ "trigger-queue-full", required_argument, NULL, 2 },
		{ "trigger-closewait", required_argument, NULL, 3 },
		{ "trigger-synq", required_argument, NULL, 4 },
		{ "trigger-stuck", required_argument, NULL, 5 },
		{ "once", no_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list-triggers", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.interval = 1;
	cfg.ring_seconds = 60;
	cfg.overflow_min = 1;
	cfg.queue_full_polls = 1;
	cfg.closewait_rises = 5;
	cfg.synq_min = 1;
	cfg.stuck_seconds = 5;
	struct watch_opts o = {
		.dir = "stuckscope-watch", .out = { .fd = -1 }, .keep = 5, .max_disk_mb = 500,
		.cooldown = 600, .duration = 10, .samples = 5,
	};
	int c;
	long v;
	double d;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!cli_parse_long(optarg, 1, 65535, &v)) {
				fprintf(stderr, "stuckscope: --port: not a port number: '%s'\n", optarg);
				return 1;
			}
			if (cfg.n_ports < BUNDLE_MAX_PORTS)
				cfg.ports[cfg.n_ports++] = (uint16_t)v;
			break;
		case 'P':
			if (!cli_parse_long(optarg, 1, 0x3fffffff, &v) || v == getpid()) {
				fprintf(stderr, "stuckscope: --pid: not a process id to watch: '%s'\n",
					optarg);
				return 1;
			}
			if (cfg.n_pids < BUNDLE_MAX_TARGETS)
				cfg.pids[cfg.n_pids++] = (pid_t)v;
			break;
		case 'D':
			o.dir = optarg;
			break;
		case 'k':
			if (!cli_parse_long(optarg, 1, 10000, &o.keep)) {
				fprintf(stderr, "stuckscope: --keep: expected 1 to 10000, not '%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'M':
			if (!cli_parse_long(optarg, 1, 1L << 30, &o.max_disk_mb)) {
				fprintf(stderr, "stuckscope: --max-disk: expected megabytes (>= 1), "
						"not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'i':
			if (!parse_secs(optarg, 0.1, 3600, &cfg.interval)) {
				fprintf(stderr, "stuckscope: --interval: expected seconds (0.1 to 3600), "
						"not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'C':
			if (!parse_secs(optarg, 0, 86400 * 30, &o.cooldown)) {
				fprintf(stderr, "stuckscope: --cooldown: expected seconds, not '%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'd':
			if (!parse_secs(optarg, 0, 3600, &o.duration)) {
				fprintf(stderr, "stuckscope: --duration: expected seconds (0 to 3600), "
						"not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'n':
			if (!cli_parse_long(optarg, 1, 1000, &v)) {
				fprintf(stderr, "stuckscope: --samples: expected 1 to 1000, not '%s'\n",
					optarg);
				return 1;
			}
			o.samples = (int)v;
			break;
		case 'c':
			o.capture = true;
			break;
		case 1: case 2: case 3: case 4:
			if (!cli_parse_long(optarg, 0, 1L << 40, &v)) {
				fprintf(stderr, "stuckscope: %s: expected a count (0 turns it off), "
						"not '%s'\n", argv[optind - 1], optarg);
				return 1;
			}
			if (c == 1)
				cfg.overflow_min = v;
			else if (c == 2)
				cfg.queue_full_polls = v;
			else if (c == 3)
				cfg.closewait_rises = v;
			else
				cfg.synq_min = v;
			break;
		case 5:
			if (!parse_secs(optarg, 0, 86400, &d)) {
				fprintf(stderr, "stuckscope: --trigger-stuck: expected seconds (0 turns "
						"it off), not '%s'\n", optarg);
				return 1;
			}
			cfg.stuck_seconds = d;
			break;
		case 'o':
			o.once = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'L':
			return list_triggers();
		case 'h':
			watch_usage(stdout);
			return 0;
		default:
			watch_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stuckscope: watch: unexpected argument '%s'\n", argv[optind]);
		watch_usage(stderr);
		return 1;
	}
	if (!cfg.n_ports && !cfg.n_pids) {
		fprintf(stderr, "stuckscope: watch: give --port PORT (or --pid PID)\n");
		watch_usage(stderr);
		return 1;
	}
	/* --dir: made 0700, or an existing directory we own that nobody else
	 * can write (base/outfile.h): bundles of root's processes never land
	 * where another user can swap them */
	char derr[1024];
	if (outdir_open(&o.out, o.dir, OUTDIR_TRUSTED, derr, sizeof(derr)) != 0) {
		fprintf(stderr, "stuckscope: watch: %s\n", derr);
		return 1;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;	/* no SA_RESTART: sleeps end early */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	openlog("stuckscope", LOG_PID, LOG_DAEMON);

	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return 2;
	watch_init(w, &cfg);
	double t_start = watch_mono_now(), cpu_start = cpu_seconds();
	double collect_cpu = 0, collect_wall = 0;
	double next_bundle = 0;		/* monotonic: cooldown */
	bool suppressed[WT_N] = { false };
	unsigned bundles = 0;
	char last_err[512] = "";
	bool announced = false;
	double next_poll = watch_mono_now();
	while (!watch_stop) {
		struct trigger_set ts;
		memset(&ts, 0, sizeof(ts));
		int k = watch_poll(w, ts.v, sizeof(ts.v) / sizeof(ts.v[0]));
		if (k < 0) {
			if (strcmp(last_err, w->last_error) != 0) {
				fprintf(stderr, "stuckscope: watch: %s (retrying)\n", w->last_error);
				snprintf(last_err, sizeof(last_err), "%s", w->last_error);
			}
		} else {
			last_err[0] = '\0';
			if (!announced && !o.quiet) {
				fprintf(stderr, "stuckscope: watch: watching port");
				for (size_t i = 0; i < w->disc->n_ports; i++)
					fprintf(stderr, "%s%u", i ? "," : " ", w->disc->ports[i]);
				fprintf(stderr, " (pids");
				for (size_t i = 0; i < w->disc->n_targets; i++)
					fprintf(stderr, " %d", (int)w->disc->targets[i].pid);
				fprintf(stderr, "%s) every %g s; bundles go to %s/\n",
					w->disc->netns_foreign ? ", in their network namespace" : "",
					cfg.interval, o.dir);
			}
			announced = true;
		}
		if (k > 0) {
			ts.n = (size_t)k;
			ts.at = bundle_now();
			double now = watch_mono_now();
			if (now >= next_bundle) {
				char line[2048];
				double c0 = cpu_seconds();
				int rc = collect(w, &o, &ts, line, sizeof(line));
				collect_cpu += cpu_seconds() - c0;
				collect_wall += watch_mono_now() - now;
				log_line(line, rc == 0 ? LOG_WARNING : LOG_ERR);
				if (rc == 0)
					bundles++;
				next_bundle = watch_mono_now() + o.cooldown;
				memset(suppressed, 0, sizeof(suppressed));
				if (o.once)
					break;
				next_poll = watch_mono_now();
			} else {
				for (size_t i = 0; i < ts.n; i++) {
					if (suppressed[ts.v[i].id])
						continue;
					suppressed[ts.v[i].id] = true;
					if (!o.quiet)
						fprintf(stderr, "stuckscope: watch: trigger %s (%s) during "
							"the cooldown: next bundle possible in %.0f s\n",
							watch_triggers[ts.v[i].id].id, ts.v[i].detail,
							next_bundle - now);
				}
			}
		}
		next_poll += cfg.interval;
		double now = watch_mono_now();
		if (next_poll < now)
			next_poll = now;	/* late (a collection ran): no catch-up burst */
		sleep_until(next_poll);
	}
	double wall = watch_mono_now() - t_start;
	double cpu = cpu_seconds() - cpu_start - collect_cpu;
	double poll_wall = wall - collect_wall;
	if (!o.quiet)
		fprintf(stderr, "stuckscope: watch: stopped after %llu polls, %u bundle%s; polling used "
			"%.3f s CPU in %.1f s (%.3f%% of one core)\n",
			(unsigned long long)w->polls, bundles, bundles == 1 ? "" : "s", cpu,
			poll_wall, poll_wall > 0 ? 100.0 * cpu / poll_wall : 0.0);
	watch_release(w);
	free(w);
	closelog();
	outdir_close(&o.out);
	return 0;
}
