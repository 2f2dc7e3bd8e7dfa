/* rule.h — what a rule is, as the model sees it: a finding points to the
 * rule that stated it (its id is the contract's rule id). The rules
 * themselves, their registry and helpers are in rules/rule.h. */
#ifndef STUCKSCOPE_MODEL_RULE_H
#define STUCKSCOPE_MODEL_RULE_H

#include "analysis.h"

enum rule_needs {
	NEED_SOCKETS = 1 << 0,
	NEED_COUNTERS = 1 << 1,
	NEED_SYSCTLS = 1 << 2,
	NEED_CAPTURE = 1 << 3,
	NEED_STACKS = 1 << 4,
	NEED_KERNEL_LOG = 1 << 5,	/* dmesg, kern.log, journalctl -k */
};

struct rule {
	const char *id;		/* the contract's rule id */
	const char *title;	/* one line */
	const char *doc;	/* what it checks and why, for `stuckscope rules` */
	unsigned needs;		/* evidence it can use (any of) */
	int order;		/* run order: causes after their effects are known */
	void (*run)(struct analysis *an, const struct rule *self);
};

#endif
