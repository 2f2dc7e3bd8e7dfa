/* rule.h — the rule interface. A rule reads the incident (and the derived
 * listener and process tables) and states findings with their evidence. One
 * file per rule under rules/; registry.c lists them (STYLE.md §7). */
#ifndef STUCKSCOPE_RULE_H
#define STUCKSCOPE_RULE_H

#include "base/strbuf.h"	/* a finding's text is built in one, never cut */
#include "model/analysis.h"

enum rule_needs {
	NEED_SOCKETS = 1 << 0,
	NEED_COUNTERS = 1 << 1,
	NEED_SYSCTLS = 1 << 2,
	NEED_CAPTURE = 1 << 3,
	NEED_STACKS = 1 << 4,
};

struct rule {
	const char *id;		/* the contract's rule id */
	const char *title;	/* one line */
	const char *doc;	/* what it checks and why, for `stuckscope rules` */
	unsigned needs;		/* evidence it can use (any of) */
	int order;		/* run order: causes after their effects are known */
	void (*run)(struct analysis *an, const struct rule *self);
};

extern const struct rule *const rules[];

/* rules/util.c: shared look-ups */
bool incident_has_sockets(const struct incident *inc);
bool incident_has_capture(const struct incident *inc);
bool incident_has_stacks(const struct incident *inc);

#endif
