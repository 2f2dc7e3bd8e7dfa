/* names.h — how reports spell the model's enums (names.c). */
#ifndef STUCKSCOPE_MODEL_NAMES_H
#define STUCKSCOPE_MODEL_NAMES_H

#include "analysis.h"

const char *verdict_name(enum verdict v);
const char *severity_name(enum severity s);
const char *role_name(enum proc_role r);
const char *proc_state_name(enum proc_state s);
const char *thread_state_name(enum thread_state s);
const char *blocked_on_name(enum blocked_on b);	/* NULL for BLK_NONE */
#define blocked_on_str(b) (blocked_on_name(b) ? blocked_on_name(b) : "none")
const char *input_status_name(enum input_status s);
/* "ss", "pcap", "archive", "skipped", "unknown" */
const char *input_kind_label(const struct input *in);
/* "time", "time+mtime", "mtime", "name", "counters", "none" */
const char *order_basis_name(enum order_basis b);
/* "agree", "reordered", "reboot", "contradict", "none" */
const char *order_check_name(enum order_check c);
/* Counters the report shows, in this order. */
extern const char *const report_counters[];

#endif
