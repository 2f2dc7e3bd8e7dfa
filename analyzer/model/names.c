/* names.c — the spelling of every enum of the model in reports (the JSON
 * contract's strings: DESIGN.md "Contracts"), one table each. */
#include "names.h"

const char *const report_counters[] = {
	"ListenOverflows", "ListenDrops", "TCPReqQFullDoCookies", "TCPReqQFullDrop",
	"SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed", "TCPSynRetrans", "TCPTimeouts",
	"TCPAbortOnData", "TCPAbortOnClose", "TCPAbortOnTimeout", "TcpRetransSegs",
	"TcpActiveOpens", "TcpPassiveOpens", "TcpAttemptFails", "TcpEstabResets",
	"TcpCurrEstab", "TcpOutRsts", NULL,
};

const char *verdict_name(enum verdict v)
{
	static const char *const n[] = { "healthy", "degraded", "outage", "inconclusive" };
	return (unsigned)v < 4 ? n[v] : "inconclusive";
}

const char *severity_name(enum severity s)
{
	static const char *const n[] = { "info", "warning", "critical" };
	return (unsigned)s < 3 ? n[s] : "info";
}

const char *role_name(enum proc_role r)
{
	static const char *const n[] = { "other", "parent", "worker" };
	return (unsigned)r < 3 ? n[r] : "other";
}

const char *order_basis_name(enum order_basis b)
{
	static const char *const n[] = { "none", "time", "time+mtime", "mtime", "name",
					 "counters" };
	return (unsigned)b < 6 ? n[b] : "none";
}

const char *order_check_name(enum order_check c)
{
	static const char *const n[] = { "none", "agree", "reordered", "reboot", "contradict" };
	return (unsigned)c < 5 ? n[c] : "none";
}

const char *proc_state_name(enum proc_state s)
{
	static const char *const n[] = { "unknown", "stuck", "healthy", "busy", "idle", "gone" };
	return (unsigned)s < 6 ? n[s] : "unknown";
}

const char *thread_state_name(enum thread_state s)
{
	static const char *const n[] = { "unknown", "stuck", "waiting-for-work", "running",
					 "sleeping" };
	return (unsigned)s < 5 ? n[s] : "unknown";
}

const char *blocked_on_name(enum blocked_on b)
{
	static const char *const n[] = { NULL, "condvar", "mutex", "semaphore", "futex", "accept",
					 "poll", "read", "write", "sleep" };
	return (unsigned)b < 10 ? n[b] : NULL;
}

const char *input_status_name(enum input_status s)
{
	static const char *const n[] = { "ok", "partial", "error" };
	return (unsigned)s < 3 ? n[s] : "error";
}

const char *input_kind_label(const struct input *in)
{
	/* a file read as nothing (documentation, our own report) is skipped */
	return in->summary && !in->fmt && in->cls == EV_NONE && in->status == INPUT_OK
		       ? "skipped" : in->kind;
}
