/* emfile.c - lab server: epoll loop with a small RLIMIT_NOFILE that leaks
 * the socket of every request for /leak (CLOSE-WAIT once the client gives
 * up). At the limit accept4() fails with EMFILE; the listening socket stays
 * readable, so epoll_wait returns at once and the loop spins. Two helper
 * threads wait on a condition variable with a 5 s timeout (idle). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *helper(void *arg)
{
	(void)arg;
	printf("helper tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	for (;;) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		pthread_mutex_lock(&mu);
		pthread_cond_timedwait(&cv, &mu, &ts);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nofile = argc > 1 ? atoi(argv[1]) : 32;
	struct rlimit rl = { nofile, nofile };
	setrlimit(RLIMIT_NOFILE, &rl);
	pthread_t t;
	pthread_create(&t, NULL, helper, NULL);
	pthread_create(&t, NULL, helper, NULL);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(8000) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16)) {
		perror("bind/listen");
		return 1;
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	printf("emfile pid=%d nofile=%d\n", getpid(), nofile);
	fflush(stdout);
	unsigned long emfile = 0;
	for (;;) {
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
				if (c < 0) {
					if (errno == EMFILE && (emfile++ % 100000) == 0) {
						printf("accept4: EMFILE #%lu\n", emfile);
						fflush(stdout);
					}
					continue;
				}
				struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				continue;
			}
			char buf[2048];
			ssize_t r = read(fd, buf, sizeof(buf) - 1);
			if (r <= 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				if (r < 0 && errno == EAGAIN)
					continue;
				/* the leak: a peer that closed is never closed here */
				continue;
			}
			buf[r] = 0;
			if (strstr(buf, "/leak")) {
				/* error path that forgets close(): keep fd, stop watching */
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				continue;
			}
			static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
			ssize_t w = write(fd, resp, sizeof(resp) - 1);
			(void)w;
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			close(fd);
		}
	}
}
