/* test_noise.c — input/noise.c: the lines around a saved tool output (issue
 * 14), as tables of lines people paste, good next to look-alikes that are
 * the tool's own rows and must not be taken for noise. */
#include "testutil.h"

#include <math.h>

#include "input/noise.h"

static const struct noise_case {
	const char *line;
	enum noise_kind kind;
	const char *cmd;	/* the command of a prompt, NULL: not checked */
} noise_cases[] = {
	{ "", NOISE_BLANK, NULL },
	{ "   \t ", NOISE_BLANK, NULL },
	/* prompts, as shells print them */
	{ "$ ss -lnt", NOISE_PROMPT, "ss -lnt" },
	{ "# netstat -s | grep -i listen", NOISE_PROMPT, "netstat -s | grep -i listen" },
	{ "[root@web1 ~]# ss -tanp", NOISE_PROMPT, "ss -tanp" },
	{ "root@host:~# ", NOISE_PROMPT, "" },
	{ "root@host:~#", NOISE_PROMPT, "" },
	{ "user@host:/srv/app$ sudo ss -ltn state listening", NOISE_PROMPT,
	  "sudo ss -ltn state listening" },
	{ "web1:~ # ss -tan", NOISE_PROMPT, "ss -tan" },
	{ "sh-5.1# ss -s", NOISE_PROMPT, "ss -s" },
	{ "bash-4.2$ netstat -antp", NOISE_PROMPT, "netstat -antp" },
	{ "(venv) dev@box:~/x$ cat /proc/net/tcp", NOISE_PROMPT, "cat /proc/net/tcp" },
	{ "$", NOISE_PROMPT, "" },
	{ "\033[01;32mroot@h\033[00m:~# ss -ltn", NOISE_PROMPT, NULL },
	/* command lines pasted without a prompt */
	{ "ss -tanpie", NOISE_PROMPT, "ss -tanpie" },
	{ "sudo netstat -ant", NOISE_PROMPT, "sudo netstat -ant" },
	{ "/usr/sbin/ss -ltn", NOISE_PROMPT, "/usr/sbin/ss -ltn" },
	{ "while sleep 1; do date; ss -tan; done > f", NOISE_PROMPT, NULL },
	/* fences and wrappers */
	{ "```", NOISE_FENCE, NULL },
	{ "```text", NOISE_FENCE, NULL },
	{ "~~~console", NOISE_FENCE, NULL },
	{ "<details>", NOISE_FENCE, NULL },
	{ "<summary>ss -tan</summary>", NOISE_FENCE, NULL },
	{ "</pre>", NOISE_FENCE, NULL },
	{ "----------------", NOISE_FENCE, NULL },
	/* what the tools print on stderr */
	{ "Failed to find cgroup2 mount", NOISE_MESSAGE, NULL },
	{ "Cannot open netlink socket: Protocol not supported", NOISE_MESSAGE, NULL },
	{ "(Not all processes could be identified, non-owned process info", NOISE_MESSAGE, NULL },
	{ " will not be shown, you would have to be root to see it all.)", NOISE_MESSAGE, NULL },
	{ "(No info could be read for \"-p\": geteuid()=1000 but you should be root.)",
	  NOISE_MESSAGE, NULL },
	{ "netstat: no support for `AF INET (tcp)' on this system.", NOISE_MESSAGE, NULL },
	{ "cat: /proc/net/tcp6: No such file or directory", NOISE_MESSAGE, NULL },
	{ "-bash: ss: command not found", NOISE_MESSAGE, NULL },
	{ "ss: no socket tables to show with such filter.", NOISE_MESSAGE, NULL },
	{ "warning, got bogus tcp line.", NOISE_MESSAGE, NULL },
	/* the tools' own lines: not noise */
	{ "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*", NOISE_NONE, NULL },
	{ "ESTAB 0 0 1.2.3.4:22 5.6.7.8:9 users:((\"a$ ss b\",pid=1,fd=2))", NOISE_NONE, NULL },
	{ "tcp        0      0 localhost:smtp          0.0.0.0:*   LISTEN", NOISE_NONE, NULL },
	{ "   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000", NOISE_NONE, NULL },
	{ "\t skmem:(r0,rb369280,t0,tb87040,f0,w0,o0,bl0,d0) ts sack cubic", NOISE_NONE, NULL },
	{ "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess", NOISE_NONE, NULL },
	{ "Active Internet connections (servers and established)", NOISE_NONE, NULL },
	{ "udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*", NOISE_NONE, NULL },
	{ "1      0      127.0.0.1:8000 127.0.0.1:5000", NOISE_NONE, NULL },
};

static void test_noise_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(noise_cases) / sizeof(noise_cases[0]); i++) {
		const struct noise_case *tc = &noise_cases[i];
		struct span cmd;
		enum noise_kind k = noise_line(span_cstr(tc->line), &cmd);
		if (k != tc->kind)
			fail_msg("case %zu '%s': kind %d, want %d", i, tc->line, k, tc->kind);
		if (tc->cmd && (cmd.n != strlen(tc->cmd) || memcmp(cmd.p, tc->cmd, cmd.n) != 0))
			fail_msg("case %zu '%s': command '%.*s', want '%s'", i, tc->line, (int)cmd.n,
				 cmd.p, tc->cmd);
	}
}

static const struct args_case {
	const char *cmd, *tool, *args;	/* args NULL: the tool is not run */
} args_cases[] = {
	{ "ss -tanp", "ss", " -tanp" },
	{ "sudo ss -ltn state listening | grep 8000", "ss", " -ltn state listening " },
	{ "watch -n1 'ss -ltn'", "ss", " -ltn" },
	{ "ip netns exec app ss -tanpie 2>&1 | tee x", "ss", " -tanpie 2" },
	{ "while :; do date; ss -tn state close-wait; sleep 1; done", "ss",
	  " -tn state close-wait" },
	{ "/usr/sbin/netstat -antp", "netstat", " -antp" },
	{ "grep 8000 ss.txt", "ss", NULL },
	{ "sysctl net.core.somaxconn", "ss", NULL },
	{ "", "ss", NULL },
};

static void test_command_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(args_cases) / sizeof(args_cases[0]); i++) {
		const struct args_case *tc = &args_cases[i];
		struct span args;
		bool ok = noise_command_args(span_cstr(tc->cmd), tc->tool, &args);
		if (ok != (tc->args != NULL))
			fail_msg("case %zu '%s': %s", i, tc->cmd, ok ? "found" : "not found");
		if (ok && (args.n != strlen(tc->args) || memcmp(args.p, tc->args, args.n) != 0))
			fail_msg("case %zu '%s': args '%.*s', want '%s'", i, tc->cmd, (int)args.n,
				 args.p, tc->args);
	}
}

/* 2026-11-25T09:14:02Z */
#define T0 1795598042.0

static const struct time_case {
	const char *line;
	bool is_time;
	double at;		/* NAN: a time line whose zone cannot be placed */
	double tod;		/* NAN: not a time of day alone */
} time_cases[] = {
	{ "Wed Nov 25 09:14:02 UTC 2026", true, T0, NAN },
	{ "Wed Nov 25 09:14:02 AM UTC 2026", true, T0, NAN },	/* en_US.UTF-8 */
	{ "Wed Nov 25 09:14:02 PM UTC 2026", true, T0 + 12 * 3600, NAN },
	{ "Wed 25 Nov 09:14:02 GMT 2026", true, T0, NAN },	/* en_GB */
	{ "Wed Nov 25 09:14:02 CET 2026", true, NAN, NAN },	/* a zone we cannot place */
	{ "Wed Nov 25 09:14:02 2026", true, NAN, NAN },	/* ctime(), no zone */
	{ "2026-11-25T09:14:02Z", true, T0, NAN },
	{ "2026-11-25T10:14:02+01:00", true, T0, NAN },
	{ "@1795598042", true, T0, NAN },
	{ "1795598042", true, T0, NAN },			/* date +%s */
	{ "1795598042.250", true, T0 + 0.25, NAN },		/* date +%s.%N */
	{ "# epoch 1795598042", true, T0, NAN },
	{ "# at: 2026-11-25T09:14:02Z", true, T0, NAN },
	{ "timestamp=1795598042", true, T0, NAN },
	{ "=== 2026-11-25T09:14:02Z ===", true, T0, NAN },
	{ "--- Wed Nov 25 09:14:02 UTC 2026 ---", true, T0, NAN },
	{ "=== 09:14:02 ===", true, NAN, 9 * 3600 + 14 * 60 + 2 },
	{ "[09:14:02]", true, NAN, 9 * 3600 + 14 * 60 + 2 },
	{ "09:14:02.5", true, NAN, 9 * 3600 + 14 * 60 + 2.5 },
	{ "Every 1.0s: ss -ltn                      web1: Wed Nov 25 09:14:02 2026", true, NAN,
	  NAN },
	{ "\033[H\033[JEvery 2.0s: ss -tan    2026-11-25 09:14:02", true, NAN, NAN },
	/* not time lines */
	{ "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*", false, NAN, NAN },
	{ "ESTAB 0 0 1.2.3.4:22 5.6.7.8:9", false, NAN, NAN },
	{ "   0: 0100007F:1F40 00000000:0000 0A", false, NAN, NAN },
	{ "#kernel", false, NAN, NAN },
	{ "TcpExtListenOverflows 5 0.0", false, NAN, NAN },
	{ "128", false, NAN, NAN },
	{ "12345678901", false, NAN, NAN },			/* 11 digits: not an epoch */
	{ "99999999", false, NAN, NAN },
	{ "Wed Nov 25 UTC 2026", false, NAN, NAN },		/* no clock */
	{ "Nov 25 09:14:02 web1 kernel: TCP: request_sock_TCP: Possible SYN flooding", false,
	  NAN, NAN },
	{ "25:14:02", false, NAN, NAN },
	{ "", false, NAN, NAN },
};

static void test_time_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *tc = &time_cases[i];
		struct time_mark m;
		bool is = noise_time_line(span_cstr(tc->line), &m);
		if (is != tc->is_time)
			fail_msg("case %zu '%s': %s a time line", i, tc->line, is ? "is" : "is not");
		if (!is)
			continue;
		if (isnan(tc->at) != isnan(m.at) || (!isnan(m.at) && fabs(m.at - tc->at) > 1e-6))
			fail_msg("case %zu '%s': at %.3f, want %.3f", i, tc->line, m.at, tc->at);
		if (isnan(tc->tod) != isnan(m.tod) ||
		    (!isnan(m.tod) && fabs(m.tod - tc->tod) > 1e-6))
			fail_msg("case %zu '%s': time of day %.3f, want %.3f", i, tc->line, m.tod,
				 tc->tod);
	}
	/* watch's title names its command */
	struct time_mark m;
	assert_true(noise_time_line(span_cstr("Every 1.0s: ss -ltnp    web1: Wed Nov 25 09:14:02 2026"),
				    &m));
	assert_int_equal(m.cmd.n, strlen("ss -ltnp"));
	assert_memory_equal(m.cmd.p, "ss -ltnp", m.cmd.n);
}

/* Cut anywhere, a line is never read past its end. */
static void test_cut(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"Every 1.0s: ss -ltn                      web1: Wed Nov 25 09:14:02 2026",
		"\033[01;32mroot@h\033[00m:~# ss -ltn", "\033]0;title\aroot@h:~# ss",
		"Wed Nov 25 09:14:02 AM UTC 2026", "=== 09:14:02 ===", "1795598042.250",
		"<summary>ss -tan</summary>",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);
		for (size_t cut = 0; cut <= n; cut++) {
			char *copy = malloc(cut ? cut : 1);
			memcpy(copy, lines[i], cut);
			struct span cmd, args;
			struct time_mark m;
			noise_line(span_make(copy, cut), &cmd);
			noise_command_args(span_make(copy, cut), "ss", &args);
			noise_time_line(span_make(copy, cut), &m);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noise_line),
		cmocka_unit_test(test_command_args),
		cmocka_unit_test(test_time_line),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests_name("noise", tests, NULL, NULL);
}
