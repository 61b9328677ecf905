/* SPDX-License-Identifier: ISC */
/*
 * tests/tools/mc-delayproxy.c - a UDP DNS proxy on loopback that holds
 * every reply back a fixed time
 *
 *   mc-delayproxy --listen PORT --upstream PORT [--delay-ms 20]
 *                 [--lifetime SECONDS] [--addr 127.0.0.1]
 *
 * A helper for benchmarks (bench/bulk.sh), not a test.  The kernel here has
 * no netem, so round-trip time is added by a proxy; the Python ones
 * (bench/delay_proxy.py, and bulk_proxy.py before it) top out at a few thousand
 * queries a second, below what bulk mode asks, so a benchmark through them
 * measured the proxy.  This one forwards every query at once over one
 * upstream socket with its ID rewritten (a table of 65536 slots), and sends
 * each reply back with the client's ID after --delay-ms: the delay is a
 * FIFO, since every reply waits the same time.  UDP only (a truncated reply
 * sends the client to TCP, which this proxy does not serve).  Loopback
 * only; prints "ready" when listening; exits after --lifetime seconds
 * (default 300).  Exit 3 on bad usage.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define MSG_MAX 65535
#define QUEUE_MAX 65536    /* replies waiting out their delay */

struct slot {
	int used;
	struct sockaddr_storage client;
	socklen_t clen;
	unsigned char id[2];    /* the client's */
	double sent;
};

struct held {
	double due;
	struct sockaddr_storage client;
	socklen_t clen;
	size_t len;
	unsigned char *msg;
};

static struct slot slots[65536];
static struct held queue[QUEUE_MAX];
static size_t qhead, qlen;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
port_arg(const char *s)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

static int
bind_udp(const char *addr, int port, int connect_to, struct sockaddr_in *sa)
{
	int fd, size = 8 * 1024 * 1024;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if ((connect_to ? connect(fd, (struct sockaddr *)sa, sizeof(*sa)) :
	    bind(fd, (struct sockaddr *)sa, sizeof(*sa))) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	unsigned char *buf;
	struct sockaddr_in sa;
	struct pollfd pfd[2];
	double delay = 0.020, lifetime = 300, end, t;
	unsigned next = 0, id;
	int i, listen_port = -1, up_port = -1, front, up, timeout;
	ssize_t n;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--listen") == 0)
			listen_port = port_arg(argv[i + 1]);
		else if (strcmp(argv[i], "--upstream") == 0)
			up_port = port_arg(argv[i + 1]);
		else if (strcmp(argv[i], "--delay-ms") == 0)
			delay = strtod(argv[i + 1], NULL) / 1000.0;
		else if (strcmp(argv[i], "--lifetime") == 0)
			lifetime = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--addr") == 0)
			addr = argv[i + 1];
		else
			break;
	}
	if (i != argc || listen_port == -1 || up_port == -1 || delay < 0 ||
	    lifetime <= 0) {
		fprintf(stderr, "usage: mc-delayproxy --listen PORT --upstream "
		    "PORT [--delay-ms MS] [--lifetime SECONDS] [--addr "
		    "127.0.0.1]\n");
		return 3;
	}
	if (strncmp(addr, "127.", 4) != 0) {
		fprintf(stderr, "mc-delayproxy: refusing non-loopback address "
		    "'%s'\n", addr);
		return 3;
	}
	if ((front = bind_udp(addr, listen_port, 0, &sa)) == -1 ||
	    (up = bind_udp(addr, up_port, 1, &sa)) == -1) {
		fprintf(stderr, "mc-delayproxy: %s\n", strerror(errno));
		return 1;
	}
	if ((buf = malloc(MSG_MAX)) == NULL)
		return 1;
	printf("ready\n");
	fflush(stdout);
	end = now() + lifetime;
	pfd[0] = (struct pollfd){ .fd = front, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = up, .events = POLLIN };
	while ((t = now()) < end) {
		/* send every reply whose delay is over */
		while (qlen > 0 && queue[qhead].due <= t) {
			struct held *h = &queue[qhead];

			(void)sendto(front, h->msg, h->len, 0,
			    (struct sockaddr *)&h->client, h->clen);
			free(h->msg);
			qhead = (qhead + 1) % QUEUE_MAX;
			qlen--;
		}
		timeout = qlen > 0 ? (int)((queue[qhead].due - t) * 1000) + 1 :
		    (int)((end - t) * 1000) + 1;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			break;
		/* queries: forward at once under an ID of ours */
		while (pfd[0].revents & POLLIN) {
			struct slot *s;
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);

			n = recvfrom(front, buf, MSG_MAX, MSG_DONTWAIT,
			    (struct sockaddr *)&from, &flen);
			if (n < 12)
				break;
			/* the next free slot; a full table drops the query */
			for (id = 0; id < 65536; id++)
				if (!slots[(next + id) & 0xffff].used ||
				    t - slots[(next + id) & 0xffff].sent > 10)
					break;
			if (id == 65536)
				continue;
			id = (next + id) & 0xffff;
			next = id + 1;
			s = &slots[id];
			s->used = 1;
			s->client = from;
			s->clen = flen;
			s->sent = t;
			memcpy(s->id, buf, 2);
			buf[0] = (unsigned char)(id >> 8);
			buf[1] = (unsigned char)id;
			(void)send(up, buf, (size_t)n, 0);
		}
		/* replies: back to the client's ID, held for the delay */
		while (pfd[1].revents & POLLIN) {
			struct held *h;
			struct slot *s;

			n = recv(up, buf, MSG_MAX, MSG_DONTWAIT);
			if (n < 12)
				break;
			s = &slots[(buf[0] << 8) | buf[1]];
			if (!s->used || qlen == QUEUE_MAX)
				continue;
			s->used = 0;
			h = &queue[(qhead + qlen) % QUEUE_MAX];
			if ((h->msg = malloc((size_t)n)) == NULL)
				continue;
			memcpy(h->msg, buf, (size_t)n);
			memcpy(h->msg, s->id, 2);
			h->len = (size_t)n;
			h->client = s->client;
			h->clen = s->clen;
			h->due = now() + delay;
			qlen++;
		}
	}
	return 0;
}
