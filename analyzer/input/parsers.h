/* parsers.h — one parser per evidence format. Each reads `in->buf` (text,
 * via input_textcur) or `in->path` (captures), adds to an->inc, appends a
 * diagnostic for every record it cannot read, and returns 0 when at least
 * part of the input was understood, -1 when nothing was. */
#ifndef STUCKSCOPE_PARSERS_H
#define STUCKSCOPE_PARSERS_H

#include "model/analysis.h"

int ss_parse(struct analysis *an, struct input *in);		/* parse_ss.c */
int netstat_parse(struct analysis *an, struct input *in);	/* parse_netstat.c */
int proc_net_tcp_parse(struct analysis *an, struct input *in);	/* parse_proc_net_tcp.c */
int netstat_s_parse(struct analysis *an, struct input *in);	/* parse_netstat_s.c */
int nstat_parse(struct analysis *an, struct input *in);		/* parse_nstat.c */
int proc_net_netstat_parse(struct analysis *an, struct input *in);	/* parse_proc_net_snmp.c */
int proc_net_snmp_parse(struct analysis *an, struct input *in);	/* parse_proc_net_snmp.c */
int sysctl_parse(struct analysis *an, struct input *in);	/* parse_sysctl.c */
int pcap_parse(struct analysis *an, struct input *in);		/* pcap_flows.c */
int gdb_parse(struct analysis *an, struct input *in);		/* parse_stack_gdb.c */
int eu_stack_parse(struct analysis *an, struct input *in);	/* parse_stack_eu.c */
int pstack_parse(struct analysis *an, struct input *in);	/* parse_stack_gdb.c */
int py_bt_parse(struct analysis *an, struct input *in);		/* parse_stack_py.c */
int pyspy_parse(struct analysis *an, struct input *in);		/* parse_stack_pyspy.c */
int faulthandler_parse(struct analysis *an, struct input *in);	/* parse_stack_faulthandler.c */
int proc_task_parse(struct analysis *an, struct input *in);	/* parse_proc_task.c */
int bundle_parse(struct analysis *an, struct input *in);	/* bundle manifest */
int proc_limits_parse(struct analysis *an, struct input *in);	/* parse_proc_pid.c */
int proc_fd_parse(struct analysis *an, struct input *in);	/* parse_proc_pid.c */
int proc_status_parse(struct analysis *an, struct input *in);	/* parse_proc_pid.c */
int strace_parse(struct analysis *an, struct input *in);	/* parse_strace.c (and strace -c) */
int ltrace_parse(struct analysis *an, struct input *in);	/* parse_ltrace.c */
int procps_parse(struct analysis *an, struct input *in);	/* parse_procps.c: ps, top */
int kernlog_parse(struct analysis *an, struct input *in);	/* parse_kernlog.c */


#endif
