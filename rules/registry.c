/* registry.c — every rule, in the order they run. */
#include "rule.h"

extern const struct rule rule_accept_queue_overflow;
extern const struct rule rule_backlog_too_small;
extern const struct rule rule_close_wait_accumulation;
extern const struct rule rule_unread_receive_queue;
extern const struct rule rule_syn_flood;
extern const struct rule rule_workers_stuck;
extern const struct rule rule_capacity_exhausted;
extern const struct rule rule_syn_unanswered;
extern const struct rule rule_synack_retransmit_after_ack;
extern const struct rule rule_rst_after_handshake;
extern const struct rule rule_fd_exhaustion;
extern const struct rule rule_deadlock;
extern const struct rule rule_reuseport_listener_stuck;
extern const struct rule rule_healthy;

const struct rule *const rules[] = {
	&rule_deadlock,
	&rule_workers_stuck,
	&rule_capacity_exhausted,
	&rule_fd_exhaustion,
	&rule_reuseport_listener_stuck,
	&rule_accept_queue_overflow,
	&rule_backlog_too_small,
	&rule_syn_flood,
	&rule_close_wait_accumulation,
	&rule_unread_receive_queue,
	&rule_syn_unanswered,
	&rule_synack_retransmit_after_ack,
	&rule_rst_after_handshake,
	&rule_healthy,		/* last: it reads what the others found */
	NULL,
};
