/* correlate.c — link findings into one causal chain, pick the root cause,
 * decide the verdict, and number the findings in chain order.
 *
 * The chain of the motivating incident: stuck workers -> nobody calls
 * accept() -> accept queue full -> SYNs dropped -> clients see unanswered
 * SYNs and retransmits; the stuck workers also hold CLOSE_WAIT sockets. A
 * small backlog is a contributing factor, never the root, when stuck workers
 * explain the overflow. */
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "correlate.h"
#include "derive/classify.h"
#include "rules/rule.h"

struct link {
	const char *effect, *cause;
	bool contributing;		/* a factor, not the cause */
	const char *unless;		/* skip when a finding of one of these rules exists
					 * (comma-separated) */
};

static const struct link links[] = {
	{ "workers-stuck", "deadlock", false, NULL },
	{ "capacity-exhausted", "deadlock", false, NULL },
	{ "capacity-exhausted", "workers-stuck", false, NULL },
	{ "capacity-exhausted", "fd-exhaustion", false, NULL },
	{ "reuseport-listener-stuck", "workers-stuck", false, NULL },
	{ "close-wait-accumulation", "workers-stuck", false, NULL },
	{ "close-wait-accumulation", "deadlock", false, "workers-stuck" },
	{ "unread-receive-queue", "workers-stuck", false, NULL },
	{ "fd-exhaustion", "close-wait-accumulation", false, NULL },
	{ "accept-queue-overflow", "capacity-exhausted", false, NULL },
	{ "accept-queue-overflow", "workers-stuck", false, "capacity-exhausted" },
	{ "accept-queue-overflow", "deadlock", false, "workers-stuck" },
	{ "accept-queue-overflow", "fd-exhaustion", false, "capacity-exhausted" },
	{ "accept-queue-overflow", "reuseport-listener-stuck", false, NULL },
	{ "accept-queue-overflow", "close-wait-accumulation", false,
	  "workers-stuck,fd-exhaustion,deadlock" },
	{ "accept-queue-overflow", "backlog-too-small", true, NULL },
	{ "syn-unanswered", "accept-queue-overflow", false, NULL },
	{ "syn-unanswered", "syn-flood", false, NULL },
	{ "synack-retransmit-after-ack", "accept-queue-overflow", false, NULL },
	{ "rst-after-handshake", "accept-queue-overflow", false, NULL },
};

/* Root-cause preference: the deepest explanation first. */
static const char *const priority[] = {
	"deadlock", "workers-stuck", "fd-exhaustion", "capacity-exhausted",
	"reuseport-listener-stuck", "close-wait-accumulation", "syn-flood", "backlog-too-small",
	"accept-queue-overflow", "unread-receive-queue", "syn-unanswered",
	"synack-retransmit-after-ack", "rst-after-handshake", "healthy",
};

static int prio(const struct finding *f)
{
	/* CLOSE-WAIT seen only on the wire (no owning process) is a symptom
	 * to report, not an explanation: it ranks after the capture rules */
	if (strcmp(f->rule->id, "close-wait-accumulation") == 0 && !f->pids.n)
		return (int)(sizeof(priority) / sizeof(priority[0]));
	for (size_t i = 0; i < sizeof(priority) / sizeof(priority[0]); i++)
		if (strcmp(priority[i], f->rule->id) == 0)
			return (int)i;
	return (int)(sizeof(priority) / sizeof(priority[0]));
}

static bool same_listener(const struct finding *a, const struct finding *b)
{
	if (!a->listener || !b->listener)
		return true;
	return strcmp(a->listener, b->listener) == 0;
}

static bool has_rule(const struct analysis *an, const char *ids)
{
	char one[64];
	while (*ids) {
		size_t n = strcspn(ids, ",");
		snprintf(one, sizeof(one), "%.*s", (int)n, ids);
		if (analysis_find(an, one, NULL))
			return true;
		ids += n + (ids[n] == ',');
	}
	return false;
}

/* Lower is earlier in the report: severity first, then priority. */
static int order_key(const struct finding *f)
{
	return (2 - (int)f->severity) * 100 + prio(f);
}

static void link_findings(struct analysis *an)
{
	for (size_t e = 0; e < an->findings.n; e++) {
		struct finding *eff = an->findings.v[e];
		for (size_t k = 0; k < sizeof(links) / sizeof(links[0]); k++) {
			const struct link *lk = &links[k];
			if (strcmp(lk->effect, eff->rule->id) != 0)
				continue;
			if (lk->unless && has_rule(an, lk->unless))
				continue;
			/* SYNs that netfilter dropped (the kernel log's conntrack
			 * "table full", no capture: rules/syn_unanswered.c) never
			 * reached a listener's queues */
			const struct fact *why = finding_fact(eff, "cause");
			if (why && why->str && strcmp(why->str, "conntrack-table-full") == 0 &&
			    !finding_fact(eff, "syn_packets"))
				continue;
			for (size_t c = 0; c < an->findings.n; c++) {
				struct finding *cause = an->findings.v[c];
				if (cause == eff || strcmp(cause->rule->id, lk->cause) != 0)
					continue;
				if (cause->severity < SEV_WARNING || !same_listener(eff, cause))
					continue;
				/* CLOSE-WAIT explains an overflow only through the workers
				 * that hold it (they stopped accepting): a capture alone
				 * does not name them */
				if (strcmp(cause->rule->id, "close-wait-accumulation") == 0 &&
				    strcmp(eff->rule->id, "accept-queue-overflow") == 0 && !cause->pids.n)
					continue;
				finding_caused_by(an, eff, cause);
				if (lk->contributing)
					cause->contributing = true;
			}
		}
	}
}

static bool caused_by_real(const struct finding *f)
{
	for (size_t i = 0; i < f->caused_by.n; i++)
		if (!f->caused_by.v[i]->contributing)
			return true;
	return false;
}

static struct finding *pick_root(struct analysis *an)
{
	struct finding *best = NULL;
	bool any_real = false;
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *f = an->findings.v[i];
		if (f->severity >= SEV_WARNING && !f->contributing && !caused_by_real(f) &&
		    f->caused_by.n == 0)
			any_real = true;
	}
	for (size_t i = 0; i < an->findings.n; i++) {
		struct finding *f = an->findings.v[i];
		if (f->severity < SEV_WARNING || f->caused_by.n)
			continue;
		if (any_real && f->contributing)
			continue;
		if (!best || prio(f) < prio(best) ||
		    (prio(f) == prio(best) && f->severity > best->severity))
			best = f;
	}
	return best;
}

/* Order: the root, then what it caused (breadth first), then the rest. */
static void number_findings(struct analysis *an)
{
	size_t n = an->findings.n;
	if (!n)
		return;
	struct finding **out = arena_calloc(&an->arena, n, sizeof(*out));
	bool *placed = arena_calloc(&an->arena, n, sizeof(*placed));
	size_t k = 0;
	if (an->root) {
		for (size_t i = 0; i < n; i++)
			if (an->findings.v[i] == an->root) {
				out[k++] = an->root;
				placed[i] = true;
			}
		for (size_t head = 0; head < k; head++) {
			/* effects of out[head], best first */
			for (;;) {
				size_t pick = n;
				for (size_t i = 0; i < n; i++) {
					if (placed[i])
						continue;
					const struct finding *f = an->findings.v[i];
					bool child = false;
					for (size_t c = 0; c < f->caused_by.n; c++)
						if (f->caused_by.v[c] == out[head])
							child = true;
					if (!child)
						continue;
					if (pick == n || order_key(f) < order_key(an->findings.v[pick]))
						pick = i;
				}
				if (pick == n)
					break;
				placed[pick] = true;
				out[k++] = an->findings.v[pick];
			}
		}
	}
	while (k < n) {
		size_t pick = n;
		for (size_t i = 0; i < n; i++)
			if (!placed[i] && (pick == n || order_key(an->findings.v[i]) <
							order_key(an->findings.v[pick])))
				pick = i;
		placed[pick] = true;
		out[k++] = an->findings.v[pick];
	}
	for (size_t i = 0; i < n; i++) {
		an->findings.v[i] = out[i];
		out[i]->id = arena_printf(&an->arena, "F%zu", i + 1);
		out[i]->rank = (int)i;
	}
}

static void decide_verdict(struct analysis *an)
{
	bool warn = false, healthy = false, outage = false;
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *f = an->findings.v[i];
		if (f->severity >= SEV_WARNING)
			warn = true;
		if (strcmp(f->rule->id, "healthy") == 0)
			healthy = true;
		if (strcmp(f->rule->id, "capacity-exhausted") == 0)
			outage = true;
		if (strcmp(f->rule->id, "syn-unanswered") == 0) {
			const struct fact *a = finding_fact(f, "syn_attempts");
			const struct fact *u = finding_fact(f, "attempts_never_answered");
			if (a && u && a->i > 0 && a->i == u->i)
				outage = true;	/* no attempt was ever answered */
		}
	}
	if (outage)
		an->verdict = VERDICT_OUTAGE;
	else if (warn)
		an->verdict = VERDICT_DEGRADED;
	else if (healthy)
		an->verdict = VERDICT_HEALTHY;
	else
		an->verdict = VERDICT_INCONCLUSIVE;
}


/* A capture read only in part (pcap_flows.c: records skipped, packets
 * malformed, reading stopped) is named next to the verdict, not only in the
 * inputs at the bottom: the verdict, even "healthy", rests on what was read.
 * The rules lowered the confidence of what they drew from it
 * (rules/util.c, capture_keep()). */
static void note_partial_captures(struct analysis *an)
{
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->cls != EV_CAPTURE || in->status == INPUT_ERROR || !(in->unread_share > 0))
			continue;
		*VEC_PUSH(&an->arena, &an->verdict_notes) =
			arena_printf(&an->arena, "%s was read only in part: %s; the confidence of "
						 "what rests on it is multiplied by %.2f",
				     in->display, in->unread ? in->unread : "not every record was read",
				     unread_keep(in->unread_share));
	}
}

void correlate(struct analysis *an)
{
	link_findings(an);
	an->root = pick_root(an);
	number_findings(an);
	decide_verdict(an);
	note_partial_captures(an);
}
