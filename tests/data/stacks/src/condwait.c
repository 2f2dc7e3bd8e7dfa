/* condwait.c — a process whose threads block the way stuck server workers
 * do, for recording stack dumps (tests/data/stacks/record.sh):
 *   2 workers in pthread_cond_wait on a condition variable nobody signals,
 *     one of them through an always_inline helper (an inlined frame),
 *   1 worker in pthread_cond_timedwait (1 hour),
 *   1 worker in pthread_mutex_lock on a mutex the main thread holds,
 *   main in pause().
 * Build: cc -g -O0 -pthread -o condwait condwait.c  (plus a stripped copy). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_ready = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static int jobs;

static inline __attribute__((always_inline)) void wait_for_job(void)
{
	pthread_mutex_lock(&job_lock);
	while (jobs == 0)
		pthread_cond_wait(&job_ready, &job_lock);
	jobs--;
	pthread_mutex_unlock(&job_lock);
}

static void *worker_inline(void *arg)
{
	(void)arg;
	for (;;)
		wait_for_job();
	return NULL;
}

static void __attribute__((noinline)) handle_request(void)
{
	pthread_mutex_lock(&job_lock);
	while (jobs == 0)
		pthread_cond_wait(&job_ready, &job_lock);
	pthread_mutex_unlock(&job_lock);
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;)
		handle_request();
	return NULL;
}

static void *worker_timed(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3600;
	pthread_mutex_lock(&job_lock);
	while (jobs == 0)
		if (pthread_cond_timedwait(&job_ready, &job_lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&job_lock);
	return NULL;
}

static void *worker_mutex(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&big_lock);	/* main holds it forever */
	pthread_mutex_unlock(&big_lock);
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	pthread_mutex_lock(&big_lock);
	pthread_create(&t[0], NULL, worker_inline, NULL);
	pthread_create(&t[1], NULL, worker, NULL);
	pthread_create(&t[2], NULL, worker_timed, NULL);
	pthread_create(&t[3], NULL, worker_mutex, NULL);
	pthread_setname_np(t[0], "w-inline");
	pthread_setname_np(t[1], "w-cond");
	pthread_setname_np(t[2], "w timed)x");	/* space and ')' in comm */
	pthread_setname_np(t[3], "w-mutex");
	printf("%d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
