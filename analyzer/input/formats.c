/* formats.c — the format table (format.h): one line per evidence format.
 * The order breaks ties between equal sniff scores (two unique marks on the
 * same line): the more specific format first. */
#include <string.h>

#include "format.h"

#define FORMATS(X) \
	X(bundle) \
	X(pcap) \
	X(py_bt) \
	X(py_spy) \
	X(faulthandler) \
	X(netstat) \
	X(ss) \
	X(proc_net_tcp) \
	X(nstat) \
	X(proc_net_netstat) \
	X(proc_net_snmp) \
	X(proc_task) \
	X(proc_limits) \
	X(eu_stack) \
	X(proc_status) \
	X(proc_fd) \
	X(strace) \
	X(strace_c) \
	X(ltrace) \
	X(top) \
	X(ps) \
	X(gdb) \
	X(pstack) \
	X(netstat_s) \
	X(sysctl) \
	X(kernel_log)

#define X(id) extern const struct format format_##id;
FORMATS(X)
#undef X

const struct format *const formats[] = {
#define X(id) &format_##id,
	FORMATS(X)
#undef X
	NULL,
};

const struct format *format_by_name(const char *name)
{
	for (size_t i = 0; formats[i]; i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}
