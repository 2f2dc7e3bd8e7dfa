/* test_futex.c — base/futex.h and the syscall numbers classify.c names:
 * futex operation words as the registers and /proc/PID/syscall show them,
 * flags and hostile bits beside plain ones, then what classify_sample()
 * makes of a thread blocked in each. */
#include "testutil.h"

#include <sys/syscall.h>

#include "base/futex.h"
#include "derive/classify.h"

static const struct op_case {
	uint64_t op;
	unsigned cmd;
	bool waits;
} op_cases[] = {
	{ FUTEX_WAIT, FUTEX_WAIT, true },
	{ FUTEX_WAIT_PRIVATE, FUTEX_WAIT, true },	/* 128: what glibc passes */
	{ FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, FUTEX_WAIT_BITSET, true },	/* 393 */
	{ FUTEX_LOCK_PI_PRIVATE, FUTEX_LOCK_PI, true },
	{ FUTEX_WAIT_REQUEUE_PI_PRIVATE, FUTEX_WAIT_REQUEUE_PI, true },
	{ FUTEX_WAKE_PRIVATE, FUTEX_WAKE, false },
	{ FUTEX_WAKE_OP_PRIVATE, FUTEX_WAKE_OP, false },
	{ FUTEX_UNLOCK_PI, FUTEX_UNLOCK_PI, false },
	{ FUTEX_TRYLOCK_PI, FUTEX_TRYLOCK_PI, false },	/* returns at once */
	{ FUTEX_CMP_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI, false },
	/* the kernel takes an int: the upper half of the register is not the op */
	{ 0xffffffff00000080ull, FUTEX_WAIT, true },
	{ 0x0000000100000006ull, FUTEX_LOCK_PI, true },
	/* bits do_futex() rejects with ENOSYS: not a wait */
	{ 0x200, 0x200, false },
	{ 0x280, 0x200, false },
	{ 0x7f, 0x7f, false },
	{ 0xffffffffffffffffull, ~(unsigned)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME), false },
};

static void test_ops(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(op_cases) / sizeof(op_cases[0]); i++) {
		const struct op_case *c = &op_cases[i];
		if (futex_op_cmd(c->op) != c->cmd || futex_op_waits(c->op) != c->waits)
			fail_msg("case %zu: op %#llx: cmd %#x waits %d", i, (unsigned long long)c->op,
				 futex_op_cmd(c->op), futex_op_waits(c->op));
	}
	/* the numbers classify.c reads are x86_64's (syscall_64.tbl) */
	assert_int_equal(SYS_futex, 202);
	assert_int_equal(SYS_accept4, 288);
	assert_int_equal(SYS_epoll_wait, 232);
	assert_int_equal(SYS_epoll_pwait2, 441);
}

/* A thread seen only through /proc/PID/syscall (no frames). */
static const struct site_case {
	int64_t nr;
	uint64_t arg1, arg3;
	enum blocked_on kind;
	bool idle, timed;
	uint64_t addr;
	const char *what;
} site_cases[] = {
	{ SYS_futex, FUTEX_WAIT_PRIVATE, 0, BLK_FUTEX, false, false, 0x7f00, "futex (syscall 202)" },
	{ SYS_futex, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0x7ffd, BLK_FUTEX, false,
	  true, 0x7f00, "futex (syscall 202)" },
	{ SYS_futex, FUTEX_LOCK_PI_PRIVATE, 0, BLK_MUTEX, false, false, 0x7f00,
	  "futex (syscall 202)" },
	{ SYS_futex, FUTEX_WAKE_PRIVATE, 0, BLK_FUTEX, false, false, 0, "futex (syscall 202)" },
	{ SYS_accept4, 0, 0, BLK_ACCEPT, true, false, 0, "accept (syscall 288)" },
	{ SYS_epoll_wait, 0, 0, BLK_POLL, true, false, 0, "epoll_wait (syscall 232)" },
	{ SYS_recvfrom, 0, 0, BLK_READ, false, false, 0, "read (syscall 45)" },
	{ SYS_clock_nanosleep, 0, 0, BLK_SLEEP, false, false, 0, "sleep (syscall 230)" },
	{ SYS_wait4, 0, 0, BLK_NONE, true, false, 0, "wait4 (syscall 61)" },
	{ SYS_getpid, 0, 0, BLK_NONE, false, false, 0, NULL },	/* not a blocking call */
};

static void test_sites(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(site_cases) / sizeof(site_cases[0]); i++) {
		const struct site_case *c = &site_cases[i];
		struct stack_sample s;
		memset(&s, 0, sizeof(s));
		s.state = 'S';
		s.utime = s.stime = -1;
		s.syscall_nr = c->nr;
		s.syscall_args[0] = 0x7f00;
		s.syscall_args[1] = c->arg1;
		s.syscall_args[3] = c->arg3;
		struct site site;
		char buf[256];
		classify_sample(&s, &site, buf, sizeof(buf));
		if (site.kind != c->kind || site.idle != c->idle || site.timed != c->timed ||
		    site.addr != c->addr)
			fail_msg("case %zu: kind %d idle %d timed %d addr %#llx", i, site.kind,
				 site.idle, site.timed, (unsigned long long)site.addr);
		if (c->what)
			assert_string_equal(site.what, c->what);
		else
			assert_null(site.what);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_sites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
