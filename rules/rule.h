/* rule.h — the rule interface. A rule reads the incident (and the derived
 * listener and process tables) and states findings with their evidence. One
 * file per rule under rules/; registry.c lists them (STYLE.md §7). */
#ifndef STUCKSCOPE_RULE_H
#define STUCKSCOPE_RULE_H

#include "base/strbuf.h"	/* a finding's text is built in one, never cut */
#include "model/analysis.h"
#include "model/rule.h"

extern const struct rule *const rules[];

/* rules/util.c: shared look-ups */
bool incident_has_sockets(const struct incident *inc);
bool incident_has_capture(const struct incident *inc);
bool incident_has_stacks(const struct incident *inc);
/* The share of its confidence a finding drawn from capture counts keeps
 * when a capture they come from was read only in part (records skipped,
 * packets malformed, reading stopped): 1 for a capture read whole, else at
 * most 0.9 and less the more was not read. captures_keep(): the same for a
 * finding that rests on every capture (healthy). */
double unread_keep(double unread_share);
double capture_keep(const struct capture_stats *c);
double captures_keep(const struct analysis *an);
/* Kernel log "Possible SYN flooding" lines on this listener's port (and
 * address, when the line names one; any listener's when l is NULL): how
 * many lines, and the first (tcp_syn_flood_action() prints one per
 * listener's life, so a count is of listeners and restarts, not floods). */
uint32_t rule_syn_flood_lines(const struct incident *inc, const struct listener *l,
			      const struct kernel_event **first);
/* Kernel log lines of one kind: how many (counting "repeated N times"),
 * and the first. */
uint64_t rule_kernel_events(const struct incident *inc, enum kernel_event_kind kind,
			    const struct kernel_event **first);
/* A kernel log line whose time is known and more than 10 minutes away from
 * the evidence window says nothing about the incident (a kern.log keeps
 * weeks); an unknown time (dmesg uptime, local syslog times) may. */
bool rule_kernel_event_in_window(const struct incident *inc, const struct kernel_event *e);

#endif
