/* analysis.h — one analysis run: its arena, diagnostics, inputs, the
 * incident they fill, and the findings the rules draw from it. */
#ifndef STUCKSCOPE_ANALYSIS_H
#define STUCKSCOPE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arena.h"
#include "base/cursor.h"
#include "base/timestamp.h"
#include "diag.h"
#include "incident.h"

/* What an input adds to the incident: reports count inputs by class. The
 * formats themselves are a table in input/ (input/format.h). */
enum evidence_class {
	EV_NONE,	/* not (yet) recognised */
	EV_CAPTURE,
	EV_SOCKETS,
	EV_COUNTERS,
	EV_SETTINGS,
	EV_STACKS,
	EV_PROCESS,	/* /proc/PID/limits, fd, status */
	EV_BUNDLE,	/* a manifest: says what the other files are */
	EV_KERNEL_LOG,	/* dmesg, kern.log, journalctl -k */
	EV_N
};

struct format;

enum input_status { INPUT_OK, INPUT_PARTIAL, INPUT_ERROR };

struct input {
	const char *path;	/* as opened */
	const char *display;	/* as shown in reports and messages */
	int index;
	const struct format *fmt;	/* NULL: not recognised */
	const char *kind;		/* its name ("ss"), "unknown" */
	enum evidence_class cls;
	enum input_status status;
	off_t size;
	double mtime;
	dev_t dev;		/* the file read (an output must never be one of them) */
	ino_t ino;
	/* text inputs: the whole file, mapped read-only; NULL for captures */
	const char *buf;
	size_t len;
	/* a leading timestamp line (ISO-8601, `date` output, "# at ...") */
	double at;
	enum time_source at_src;
	uint32_t skip_lines;	/* lines before the tool output proper */
	uint64_t records;	/* rows, counters, frames, packets parsed */
	/* captures: records skipped and counted (pcapng blocks that could not
	 * be used), the share of the capture the analysis did not see
	 * (skipped, malformed, or after reading stopped; 0 = all of it), and
	 * that in words, NULL when all was read */
	uint64_t records_skipped;
	double unread_share;
	const char *unread;
	const char *summary;	/* one line for the text report, or NULL */
};

/* A cursor over a text input, past its timestamp line; line numbers stay
 * those of the file. */
void input_textcur(const struct input *in, struct textcur *c);

struct analysis;

/* Report what the cursor found wrong with the line it just returned: a
 * line cut at c->max_line (kept, flagged once per line) or one holding a
 * NUL byte (to be skipped). False when the caller must skip the line. */
bool input_line_ok(struct analysis *an, const struct input *in, const struct textcur *c,
		   struct span line);

/* Records (socket rows, sysctls) one text input may add: memory grows with
 * what is kept (~600 bytes a row), so a 1 GB file must not keep 27 million
 * rows. A million sockets is more than the busiest real host shows. */
#define INPUT_RECORDS_MAX 1000000

/* True when the input already holds INPUT_RECORDS_MAX records: reports
 * where reading stopped; the caller stops reading. */
bool input_records_full(struct analysis *an, const struct input *in, const struct textcur *c,
			struct span line, uint64_t records, const char *what);

/* The line as evidence: trimmed, at most EVIDENCE_TEXT_MAX bytes, never
 * cut inside a UTF-8 sequence, copied into the arena. */
#define EVIDENCE_TEXT_MAX 300
const char *evidence_text(struct arena *a, struct span line);

struct at_label {
	const char *label;	/* matched against the display path and basename */
	double at;
};

enum report_format { FMT_TEXT, FMT_JSON, FMT_HTML };

struct options {
	enum report_format format;
	const char *output;
	int verbose;
	bool quiet;
	int color;		/* 0 never, 1 always, -1 auto */
	VEC(struct at_label) at_labels;
	VEC(uint16_t) ports;	/* listeners named by the user */
};

/* ---- findings */

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

enum fact_kind { FACT_INT, FACT_NUM, FACT_STR, FACT_BOOL };

struct fact {
	const char *name;
	enum fact_kind kind;
	int64_t i;
	double num;
	const char *str;
};

struct evidence {
	const char *file;
	const char *where;	/* "line 12", "packet 4609", "sample 3" */
	const char *text;
	double at;
};

struct rule;

struct finding {
	const char *id;		/* "F1" ... assigned in report order */
	const struct rule *rule;
	enum severity severity;
	double confidence;
	const char *title;
	const char *detail;	/* one or two sentences: what was seen */
	const char *listener;
	VEC(int32_t) pids;
	VEC(int32_t) tids;
	VEC(struct fact) facts;
	VEC(struct evidence) evidence;
	VEC(struct finding *) caused_by;
	const char *advice;
	double since;		/* when it began, NAN unknown */
	int rank;		/* order in the causal chain, set by correlate */
	bool contributing;	/* a factor, not a consequence */
};

/* What made `stuckscope watch` collect this bundle (cli/cmd_watch.c): every
 * report shows it first, so what fired and what was concluded are read
 * together. */
struct trigger_fired {
	const char *trigger, *title, *detail;
	int32_t pid;		/* the worker concerned, 0 none */
};

struct watch_trigger {
	const char *bundle;	/* the bundle directory's name */
	double at;		/* when the first trigger fired */
	VEC(struct trigger_fired) fired;	/* the first is the one that fired first */
	uint64_t ring_snapshots, ring_files;
	double ring_seconds;
};

enum verdict { VERDICT_HEALTHY, VERDICT_DEGRADED, VERDICT_OUTAGE, VERDICT_INCONCLUSIVE };

struct analysis {
	struct arena arena;
	struct diags diags;
	struct incident inc;
	struct options opt;
	VEC(struct input) inputs;
	VEC(struct finding *) findings;
	enum verdict verdict;
	struct finding *root;
	const char *verdict_line;	/* one-line summary */
	/* what the verdict must be read with: captures read only in part */
	VEC(const char *) verdict_notes;
	VEC(const char *) checked;	/* "checked and fine" items */
	VEC(const char *) notes;	/* cross-checks: where sources agree or not */
	void *classify_notes;		/* classify.c's per-thread notes */
	const struct watch_trigger *trigger;	/* NULL unless collected by watch */
};

void analysis_init(struct analysis *an);
void analysis_release(struct analysis *an);
/* Add a path (file or directory, recursively) to the inputs. */
int analysis_add_path(struct analysis *an, const char *path);
/* Sniff and parse every input; derive listeners and processes. */
void analysis_read_inputs(struct analysis *an);
/* Run every rule, correlate, decide the verdict. */
void analysis_diagnose(struct analysis *an);

/* Parse a buffer as one input of the named format ("ss", "gdb"...; tests,
 * fuzzers); -1 also for an unknown name. */
int analysis_parse_buffer(struct analysis *an, const char *display, const char *kind,
			  const char *buf, size_t len);

/* findings API for rules */
struct finding *finding_new(struct analysis *an, const struct rule *r, enum severity sev,
			    double confidence, const char *title_fmt, ...)
	__attribute__((format(printf, 5, 6)));
void finding_pid(struct analysis *an, struct finding *f, int32_t pid);
void finding_tid(struct analysis *an, struct finding *f, int32_t tid);
void finding_fact_int(struct analysis *an, struct finding *f, const char *name, int64_t v);
void finding_fact_num(struct analysis *an, struct finding *f, const char *name, double v);
void finding_fact_str(struct analysis *an, struct finding *f, const char *name, const char *v);
void finding_fact_bool(struct analysis *an, struct finding *f, const char *name, bool v);
const struct fact *finding_fact(const struct finding *f, const char *name);
void finding_evidence(struct analysis *an, struct finding *f, const struct provenance *src,
		      const char *text_fmt, ...) __attribute__((format(printf, 4, 5)));
void finding_advice(struct analysis *an, struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void finding_detail(struct analysis *an, struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void finding_caused_by(struct analysis *an, struct finding *f, struct finding *cause);
struct finding *analysis_find(const struct analysis *an, const char *rule_id,
			      const char *listener);
void analysis_checked(struct analysis *an, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void analysis_note(struct analysis *an, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));


#endif
