// netperf-style request/response load for bench/datapath.ts (compiled by it with clang):
//   rr serve PORT               echo server (one thread, epoll)
//   rr rr HOST PORT SECONDS     one connection, 1-byte ping-pong: transactions/s
//   rr crr HOST PORT SECONDS    connect, 1-byte ping-pong, close, repeat: transactions/s
// A compiled tool, not Node: the point is to load the datapath, not the interpreter.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	struct linger l = { 1, 0 };

	inet_pton(AF_INET, host, &a.sin_addr);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* RST on close: no TIME_WAIT pile-up exhausting ports during connect/close runs. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int ping(int fd)
{
	char b = 'x';
	return write(fd, &b, 1) == 1 && read(fd, &b, 1) == 1;
}

static int serve(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, evs[256];

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4096) < 0) {
		perror("listen");
		return 1;
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("listening\n");
	fflush(stdout);
	/* One thread, epoll: connection set-up costs no fork, so connect/close rates
	 * measure the network path. */
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };

					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				}
				continue;
			}
			char buf[256];
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r <= 0 || write(fd, buf, r) != r)
				close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]));
	if (argc != 5 || (strcmp(argv[1], "rr") && strcmp(argv[1], "crr"))) {
		fprintf(stderr, "usage: rr serve PORT | rr {rr|crr} HOST PORT SECONDS\n");
		return 2;
	}
	const char *host = argv[2];
	int port = atoi(argv[3]);
	double end = now() + atof(argv[4]), start = now();
	long n = 0, failed = 0;

	if (!strcmp(argv[1], "rr")) {
		int fd = dial(host, port);
		if (fd < 0) {
			perror("connect");
			return 1;
		}
		while (now() < end && ping(fd))
			n++;
		close(fd);
	} else {
		while (now() < end) {
			int fd = dial(host, port);
			if (fd < 0 || !ping(fd))
				failed++;
			else
				n++;
			if (fd >= 0)
				close(fd);
		}
	}
	printf("{\"transactions\":%ld,\"failed\":%ld,\"seconds\":%.3f}\n", n, failed, now() - start);
	return 0;
}
