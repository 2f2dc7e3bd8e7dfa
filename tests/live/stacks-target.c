/* stacks-target.c — a target for tests/live/stacks.sh and
 * tests/test_ptrace_sample.c: threads parked in pthread_cond_wait, one
 * holding a mutex another waits for, one spinning, and a main thread that
 * answers every line on stdin with "pong" on stdout (so a test can check it
 * keeps serving while it is sampled).
 *
 * usage: stacks-target [WAITERS] [churn]
 * Prints "ready PID holder=TID waiter=TID" once all threads are parked. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t job_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static int job_ready;
static atomic_int parked, holder_tid, waiter_tid;
static volatile unsigned long sink;

__attribute__((noinline)) static void wait_for_job(void)
{
	pthread_mutex_lock(&job_mu);
	atomic_fetch_add(&parked, 1);
	while (!job_ready)
		pthread_cond_wait(&job_cv, &job_mu);
	pthread_mutex_unlock(&job_mu);
}

__attribute__((noinline)) static void *worker(void *a)
{
	(void)a;
	wait_for_job();
	return NULL;
}

/* takes big_lock and never lets go: parks on another condition variable */
__attribute__((noinline)) static void *holder(void *a)
{
	(void)a;
	pthread_mutex_lock(&big_lock);
	atomic_store(&holder_tid, (int)syscall(SYS_gettid));
	pthread_mutex_lock(&hold_mu);
	atomic_fetch_add(&parked, 1);
	for (;;)
		pthread_cond_wait(&hold_cv, &hold_mu);
	return NULL;
}

__attribute__((noinline)) static void take_big_lock(void)
{
	atomic_store(&waiter_tid, (int)syscall(SYS_gettid));
	atomic_fetch_add(&parked, 1);
	pthread_mutex_lock(&big_lock);
	pthread_mutex_unlock(&big_lock);
}

__attribute__((noinline)) static void *lock_waiter(void *a)
{
	(void)a;
	while (!atomic_load(&holder_tid))
		usleep(1000);
	take_big_lock();
	return NULL;
}

__attribute__((noinline)) static unsigned long crunch(unsigned long x)
{
	for (int i = 0; i < 1000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

__attribute__((noinline)) static void *spin(void *a)
{
	(void)a;
	unsigned long x = 1;
	atomic_fetch_add(&parked, 1);
	for (;;) {
		x = crunch(x);
		sink = x;
	}
	return NULL;
}

static void *short_lived(void *a)
{
	(void)a;
	usleep(100);
	return NULL;
}

/* creates and joins threads forever: threads appear and exit mid-sample */
__attribute__((noinline)) static void *churn(void *a)
{
	(void)a;
	atomic_fetch_add(&parked, 1);
	for (;;) {
		pthread_t t[4];
		for (int i = 0; i < 4; i++)
			pthread_create(&t[i], NULL, short_lived, NULL);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int waiters = argc > 1 ? atoi(argv[1]) : 4;
	int want_churn = argc > 2 && strcmp(argv[2], "churn") == 0;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 128 * 1024);
	pthread_t t;
	for (int i = 0; i < waiters; i++)
		if (pthread_create(&t, &at, worker, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
	pthread_create(&t, &at, holder, NULL);
	pthread_create(&t, &at, lock_waiter, NULL);
	pthread_create(&t, &at, spin, NULL);
	int want = waiters + 3;
	if (want_churn) {
		pthread_create(&t, &at, churn, NULL);
		want++;
	}
	while (atomic_load(&parked) < want)
		usleep(1000);
	usleep(20000);	/* let the lock waiter reach the futex */
	printf("ready %d holder=%d waiter=%d\n", getpid(), atomic_load(&holder_tid),
	       atomic_load(&waiter_tid));
	fflush(stdout);
	char buf[256];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n') {
				fputs("pong\n", stdout);
				fflush(stdout);
			}
	}
	return 0;
}
