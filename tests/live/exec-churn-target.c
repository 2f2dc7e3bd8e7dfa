/* exec-churn-target.c — a target for tests/live/exec-churn.sh (issue 16):
 * a multi-threaded process that keeps exec'ing, the case that deadlocked the
 * sampler in PTRACE_SEIZE.
 *
 * usage: exec-churn-target [GENERATION]
 *
 * Every image runs four parked threads, a thread that fork()s a child which
 * execve()s /bin/true every 2 ms (and reaps it), and, after PERIOD_MS, calls
 * execve("/proc/self/exe", GENERATION + 1) on itself: even generations from
 * a non-leader thread, odd ones from the main thread. A multi-threaded
 * execve() is what runs de_thread() (fs/exec.c): every other thread is
 * killed and the exec waits, holding cred_guard_mutex, until they are all
 * released; a non-leader exec'ing thread then takes over the process id.
 * The process id stays the same across generations.
 *
 * Generation 0 prints "ready PID" once its threads run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_MS 25

static long generation;
static char self_path[] = "/proc/self/exe";
static atomic_int started;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void self_exec(void)
{
	char gen[32];
	snprintf(gen, sizeof(gen), "%ld", generation + 1);
	char *argv[] = { self_path, gen, NULL };
	execv(self_path, argv);
	perror("execv /proc/self/exe");
	_exit(1);
}

__attribute__((noinline)) static void *parked(void *a)
{
	(void)a;
	atomic_fetch_add(&started, 1);
	for (;;)
		sleep_ms(1000);
	return NULL;
}

/* fork + exec a short-lived child, and reap it, every 2 ms */
__attribute__((noinline)) static void *spawner(void *a)
{
	(void)a;
	atomic_fetch_add(&started, 1);
	for (;;) {
		pid_t c = fork();
		if (c == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (c > 0)
			while (waitpid(c, NULL, 0) < 0)
				;
		sleep_ms(2);
	}
	return NULL;
}

__attribute__((noinline)) static void *execer(void *a)
{
	(void)a;
	atomic_fetch_add(&started, 1);
	sleep_ms(PERIOD_MS);
	self_exec();
	return NULL;
}

int main(int argc, char **argv)
{
	generation = argc > 1 ? atol(argv[1]) : 0;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 128 * 1024);
	pthread_t t;
	int want = 5;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t, &at, parked, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
	if (pthread_create(&t, &at, spawner, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	if (generation % 2 == 0) {
		if (pthread_create(&t, &at, execer, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
		want++;
	}
	while (atomic_load(&started) < want)
		sleep_ms(1);
	if (generation == 0) {
		printf("ready %d\n", getpid());
		fflush(stdout);
	}
	if (generation % 2 == 0) {
		for (;;)
			pause();	/* the execer thread replaces the image */
	}
	sleep_ms(PERIOD_MS);
	self_exec();
	return 0;
}
