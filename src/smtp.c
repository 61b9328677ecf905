/* SPDX-License-Identifier: ISC */
/*
 * src/smtp.c - the SMTP client: STARTTLS probes, many at once (OpenSSL)
 *
 * The only file with SMTP sockets and OpenSSL's TLS.  One call of
 * mc_smtp_probe() drives all its connections through one poll() loop: each
 * connection is a small state machine (connect, greeting, EHLO, STARTTLS,
 * handshake), with non-blocking sockets and a non-blocking SSL_connect(),
 * so that N hosts cost the slowest host's time, not the sum.
 *
 * Server lines are hostile input: a reply line is at most MC_SMTP_LINE_MAX
 * bytes, a reply MC_SMTP_REPLY_LINES lines, and all plain-text replies
 * together MC_SMTP_READ_MAX bytes; anything beyond ends the probe as
 * MC_SMTP_OVERSIZE before it is buffered.  A line that is not "DDD", "DDD "
 * or "DDD-" followed by text ends it as MC_SMTP_MALFORMED.
 *
 * The handshake does not verify (SSL_VERIFY_NONE): the probe must finish
 * to show what the server offers, and x509_check.c and tlsa.c judge the
 * chain afterwards.  Protocol versions down to TLS 1.0 and every cipher
 * (security level 0) are allowed for the same reason: an old server is
 * graded, not skipped.
 *
 * Every connect passes the loopback guard and --connect-to mapping of
 * src/connect.c first.
 *
 * The cache is a plain array searched linearly under one mutex (tens of
 * MX hosts per run); an entry is claimed by the first caller, which runs
 * it; later callers wait on the condition variable until it is published.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "mailcheck/connect.h"
#include "mailcheck/dns.h"
#include "mailcheck/smtp.h"
#include "banned.h"

struct entry {
	struct mc_smtp_probe p;
	unsigned port;
	int done;
};

struct mc_smtp {
	SSL_CTX *ssl;
	char helo[256];
	unsigned port;
	const char *const *connect_to; /* the caller's, valid (connect.h) */
	size_t nconnect_to;
	int offline;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct entry **e;
	size_t ne, cap;
	/* shared handles (mc_smtp_shared_get) */
	const void *key;
	size_t refs;
	struct mc_smtp *next;
};

enum state {
	ST_CONNECT, ST_GREETING, ST_EHLO, ST_STARTTLS, ST_HANDSHAKE, ST_DONE,
};

struct conn {
	struct entry *e;
	int fd;
	SSL *ssl;
	enum state st;
	double start, deadline, connect_deadline;
	char line[MC_SMTP_LINE_MAX + 1];
	size_t linelen;
	size_t nlines;      /* lines of the reply being read */
	int code;           /* its reply code */
	size_t readtotal;
	char out[300];
	size_t outlen, outoff;
	short want;         /* poll events */
	char **ext;
};

const char *
mc_smtp_result_str(enum mc_smtp_result r)
{
	static const char *const s[] = {
		[MC_SMTP_TLS_OK] = "tls-ok",
		[MC_SMTP_SKIPPED] = "skipped",
		[MC_SMTP_REFUSED] = "refused",
		[MC_SMTP_CONNECT_TIMEOUT] = "connect-timeout",
		[MC_SMTP_UNREACHABLE] = "unreachable",
		[MC_SMTP_CONNECT_FAILED] = "connect-failed",
		[MC_SMTP_TIMEOUT] = "timeout",
		[MC_SMTP_CLOSED] = "closed",
		[MC_SMTP_GREETING_REJECTED] = "greeting-rejected",
		[MC_SMTP_EHLO_REJECTED] = "ehlo-rejected",
		[MC_SMTP_NO_STARTTLS] = "no-starttls",
		[MC_SMTP_STARTTLS_REJECTED] = "starttls-rejected",
		[MC_SMTP_TLS_FAILED] = "tls-failed",
		[MC_SMTP_OVERSIZE] = "oversize",
		[MC_SMTP_MALFORMED] = "malformed",
		[MC_SMTP_ERROR] = "error",
	};

	return (unsigned)r < sizeof(s) / sizeof(s[0]) ? s[r] : "?";
}

const char *
mc_smtp_stage_str(enum mc_smtp_stage st)
{
	static const char *const s[] = {
		[MC_SMTP_STAGE_CONNECT] = "connect",
		[MC_SMTP_STAGE_GREETING] = "greeting",
		[MC_SMTP_STAGE_EHLO] = "EHLO",
		[MC_SMTP_STAGE_STARTTLS] = "STARTTLS",
		[MC_SMTP_STAGE_HANDSHAKE] = "TLS handshake",
		[MC_SMTP_STAGE_DONE] = "done",
	};

	return (unsigned)st < sizeof(s) / sizeof(s[0]) ? s[st] : "?";
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static char *
xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return xstrdup(buf);
}

struct mc_smtp *
mc_smtp_new(const struct mc_smtp_config *cfg, char *err, size_t errsize)
{
	struct mc_connect_to ct;
	struct mc_smtp *s;
	size_t i;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->port = cfg->port != 0 ? cfg->port : MC_SMTP_PORT;
	s->offline = cfg->offline;
	s->connect_to = cfg->connect_to;
	s->nconnect_to = cfg->nconnect_to;
	if (cfg->helo_name != NULL)
		snprintf(s->helo, sizeof(s->helo), "%s", cfg->helo_name);
	else if (gethostname(s->helo, sizeof(s->helo) - 1) != 0 ||
	    s->helo[0] == '\0')
		snprintf(s->helo, sizeof(s->helo), "localhost");
	s->helo[sizeof(s->helo) - 1] = '\0';
	for (i = 0; s->helo[i] != '\0'; i++)
		if ((unsigned char)s->helo[i] <= ' ' ||
		    (unsigned char)s->helo[i] >= 0x7f) {
			snprintf(err, errsize, "cannot use '%s' as EHLO name: "
			    "it holds a space or control character",
			    cfg->helo_name != NULL ? "--helo-name" : "host name");
			goto fail;
		}
	for (i = 0; i < cfg->nconnect_to; i++)
		if (mc_connect_to_parse(cfg->connect_to[i], &ct, err,
		    errsize) == -1)
			goto fail;
	s->ssl = SSL_CTX_new(TLS_client_method());
	if (s->ssl == NULL) {
		snprintf(err, errsize, "cannot create a TLS context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(s->ssl, TLS1_VERSION);
	SSL_CTX_set_security_level(s->ssl, 0);
	SSL_CTX_set_cipher_list(s->ssl, "ALL:@SECLEVEL=0");
	SSL_CTX_set_verify(s->ssl, SSL_VERIFY_NONE, NULL);
	/* room for hostile chains of 100 certificates, to grade them */
	SSL_CTX_set_max_cert_list(s->ssl, MC_SMTP_MAX_CERT_LIST);
	return s;
fail:
	mc_smtp_free(s);
	return NULL;
}

static void
probe_release(struct mc_smtp_probe *p)
{
	size_t i;

	free(p->host);
	free(p->addr);
	free(p->peer);
	free(p->why);
	free(p->greeting);
	free(p->reply);
	for (i = 0; i < p->next; i++)
		free(p->ext[i]);
	free(p->ext);
	free(p->tls_version);
	free(p->cipher);
	for (i = 0; i < p->nchain; i++)
		free(p->chain[i]);
	free(p->chain);
	free(p->chainlen);
}

void
mc_smtp_free(struct mc_smtp *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ne; i++) {
		probe_release(&s->e[i]->p);
		free(s->e[i]);
	}
	free(s->e);
	SSL_CTX_free(s->ssl);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* End a connection with a result; the first end wins. */
static void
conn_end(struct conn *c, enum mc_smtp_result r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
conn_end(struct conn *c, enum mc_smtp_result r, const char *fmt, ...)
{
	struct mc_smtp_probe *p = &c->e->p;
	char buf[400];
	va_list ap;

	if (c->st == ST_DONE)
		return;
	p->result = r;
	p->stage = (enum mc_smtp_stage)c->st;
	if (r == MC_SMTP_TLS_OK)
		p->stage = MC_SMTP_STAGE_DONE;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		p->why = xstrdup(buf);
	}
	/* QUIT politely, best effort, and never wait for the answer */
	if (c->ssl != NULL && r == MC_SMTP_TLS_OK) {
		(void)SSL_write(c->ssl, "QUIT\r\n", 6);
		(void)SSL_shutdown(c->ssl);
	} else if (c->fd >= 0 && c->st >= ST_EHLO && c->ssl == NULL &&
	    r != MC_SMTP_CLOSED) {
		(void)send(c->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	p->seconds = mc_now() - c->start;
	c->st = ST_DONE;
}

static int
sockaddr_of(const char *addr, unsigned port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return 0;
	}
	return -1;
}

static void
queue(struct conn *c, const char *cmd)
{
	c->outlen = (size_t)snprintf(c->out, sizeof(c->out), "%s\r\n", cmd);
	c->outoff = 0;
}

/* Start the connection; on failure it is ended at once. */
static void
conn_start(struct mc_smtp *s, struct conn *c, double deadline)
{
	struct mc_smtp_probe *p = &c->e->p;
	struct sockaddr_storage ss;
	const char *addr = p->addr;
	unsigned port = s->port;
	socklen_t len;
	char err[256], mapped[64];
	int fl, mport, m;

	c->fd = -1;
	c->start = mc_now();
	c->deadline = c->start + MC_SMTP_PROBE_SECONDS;
	if (deadline > 0 && deadline < c->deadline)
		c->deadline = deadline;
	c->connect_deadline = c->start + MC_SMTP_CONNECT_SECONDS;
	if (c->connect_deadline > c->deadline)
		c->connect_deadline = c->deadline;
	c->st = ST_CONNECT;
	m = mc_connect_to_map(s->connect_to, s->nconnect_to, p->host,
	    (int)s->port, mapped, sizeof(mapped), &mport);
	if (m == 0 && s->offline) {
		conn_end(c, MC_SMTP_SKIPPED, "an offline "
		    "(--zone-file) run connects only to hosts --connect-to names");
		return;
	}
	if (m == 1) {
		addr = mapped;
		port = (unsigned)mport;
	}
	if (sockaddr_of(addr, port, &ss, &len) == -1) {
		conn_end(c, MC_SMTP_CONNECT_FAILED, "'%s' is not an IP address",
		    addr);
		return;
	}
	p->peer = ss.ss_family == AF_INET6 ? xprintf("[%s]:%u", addr, port) :
	    xprintf("%s:%u", addr, port);
	if (mc_net_guard_check((const struct sockaddr *)&ss, err,
	    sizeof(err)) == -1) {
		conn_end(c, MC_SMTP_CONNECT_FAILED, "%s", err);
		return;
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_end(c, MC_SMTP_ERROR, "cannot create a socket: %s",
		    strerror(errno));
		return;
	}
	fl = fcntl(c->fd, F_GETFL);
	if (fl == -1 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		conn_end(c, MC_SMTP_ERROR, "cannot make a socket non-blocking");
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&ss, len) == 0 ||
	    errno == EINPROGRESS) {
		c->want = POLLOUT;
		return;
	}
	fl = errno;
	conn_end(c, fl == ECONNREFUSED ? MC_SMTP_REFUSED :
	    fl == ENETUNREACH || fl == EHOSTUNREACH ? MC_SMTP_UNREACHABLE :
	    MC_SMTP_CONNECT_FAILED, "%s", strerror(fl));
}

static int
add_ext(struct conn *c, const char *kw)
{
	struct mc_smtp_probe *p = &c->e->p;
	char **ext, *k;
	size_t i;

	if (p->next == MC_SMTP_REPLY_LINES)
		return 0;
	if (p->ext == NULL) {
		ext = calloc(MC_SMTP_REPLY_LINES, sizeof(*ext));
		if (ext == NULL)
			return -1;
		p->ext = ext;
	}
	k = xstrdup(kw);
	if (k == NULL)
		return -1;
	for (i = 0; k[i] != '\0'; i++)
		if (k[i] >= 'a' && k[i] <= 'z')
			k[i] = (char)(k[i] - 'a' + 'A');
	p->ext[p->next++] = k;
	if (strcmp(k, "STARTTLS") == 0)
		p->starttls = 1;
	return 0;
}

/*
 * One complete reply line (NUL-terminated, without CR LF).  Returns 1 when
 * the reply is complete (code in *code), 0 for more lines, -1 when the
 * connection was ended.
 */
static int
reply_line(struct conn *c, const char *l, size_t len, int *code)
{
	struct mc_smtp_probe *p = &c->e->p;
	char kw[64];
	size_t i, k;
	int last, v;

	for (i = 0; i < len; i++)
		if ((unsigned char)l[i] < 0x20 && l[i] != '\t') {
			conn_end(c, MC_SMTP_MALFORMED, "the server's reply "
			    "holds binary data (byte 0x%02x)",
			    (unsigned char)l[i]);
			return -1;
		}
	if (len < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '9' ||
	    l[2] < '0' || l[2] > '9' || (len > 3 && l[3] != ' ' &&
	    l[3] != '-')) {
		conn_end(c, MC_SMTP_MALFORMED, "the server sent a line that is "
		    "not an SMTP reply");
		return -1;
	}
	v = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (c->nlines > 0 && v != *code) {
		conn_end(c, MC_SMTP_MALFORMED, "a multi-line reply changed its "
		    "code from %d to %d", *code, v);
		return -1;
	}
	*code = v;
	last = len == 3 || l[3] == ' ';
	if (c->nlines == 0) {
		if (c->st == ST_GREETING) {
			p->greeting_code = v;
			p->greeting = xstrdup(len > 4 ? l + 4 : "");
		} else {
			free(p->reply);
			p->reply = xstrdup(len > 4 ? l + 4 : "");
		}
	} else if (c->st == ST_EHLO && v == 250 && len > 4) {
		for (k = 0; k + 4 < len && k < sizeof(kw) - 1 &&
		    l[4 + k] != ' '; k++)
			kw[k] = l[4 + k];
		kw[k] = '\0';
		if (k > 0 && add_ext(c, kw) == -1) {
			conn_end(c, MC_SMTP_ERROR, "out of memory");
			return -1;
		}
	}
	c->nlines++;
	if (!last && c->nlines >= MC_SMTP_REPLY_LINES) {
		conn_end(c, MC_SMTP_OVERSIZE, "the server sent a reply of more "
		    "than %d lines", MC_SMTP_REPLY_LINES);
		return -1;
	}
	if (last)
		c->nlines = 0;
	return last;
}

static void
start_tls(struct mc_smtp *s, struct conn *c)
{
	c->ssl = SSL_new(s->ssl);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_end(c, MC_SMTP_ERROR, "cannot start TLS");
		return;
	}
	SSL_set_connect_state(c->ssl);
	(void)SSL_set_tlsext_host_name(c->ssl, c->e->p.host);
	c->st = ST_HANDSHAKE;
}

/* A complete reply with this code arrived: the next step. */
static void
on_reply(struct mc_smtp *s, struct conn *c, int code)
{
	struct mc_smtp_probe *p = &c->e->p;
	char cmd[300];

	switch (c->st) {
	case ST_GREETING:
		if (code != 220) {
			p->reply_code = code;
			conn_end(c, MC_SMTP_GREETING_REJECTED, "the greeting "
			    "is %d, not 220", code);
			return;
		}
		snprintf(cmd, sizeof(cmd), "EHLO %s", s->helo);
		queue(c, cmd);
		c->st = ST_EHLO;
		break;
	case ST_EHLO:
		if (code != 250) {
			p->reply_code = code;
			conn_end(c, MC_SMTP_EHLO_REJECTED, "EHLO was answered "
			    "%d", code);
			return;
		}
		if (!p->starttls) {
			conn_end(c, MC_SMTP_NO_STARTTLS, "EHLO did not offer "
			    "STARTTLS");
			return;
		}
		queue(c, "STARTTLS");
		c->st = ST_STARTTLS;
		break;
	case ST_STARTTLS:
		if (code != 220) {
			p->reply_code = code;
			conn_end(c, MC_SMTP_STARTTLS_REJECTED, "STARTTLS was "
			    "answered %d", code);
			return;
		}
		start_tls(s, c);
		break;
	default:
		break;
	}
}

/* Read what the server sent in plain text and act on whole replies. */
static void
conn_read(struct mc_smtp *s, struct conn *c)
{
	char buf[2048];
	ssize_t n;
	size_t i;
	int rc;

	n = recv(c->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		conn_end(c, MC_SMTP_CLOSED, "the server closed the connection "
		    "during the %s%s%s", mc_smtp_stage_str(
		    (enum mc_smtp_stage)c->st), n < 0 ? ": " : "",
		    n < 0 ? strerror(errno) : "");
		return;
	}
	c->readtotal += (size_t)n;
	if (c->readtotal > MC_SMTP_READ_MAX) {
		conn_end(c, MC_SMTP_OVERSIZE, "the server sent more than %d "
		    "bytes before TLS", MC_SMTP_READ_MAX);
		return;
	}
	for (i = 0; i < (size_t)n && c->st != ST_DONE; i++) {
		if (buf[i] != '\n') {
			if (c->linelen == MC_SMTP_LINE_MAX) {
				conn_end(c, MC_SMTP_OVERSIZE, "the server sent "
				    "a line longer than %d bytes",
				    MC_SMTP_LINE_MAX);
				return;
			}
			c->line[c->linelen++] = buf[i];
			continue;
		}
		if (c->linelen > 0 && c->line[c->linelen - 1] == '\r')
			c->linelen--;
		else
			c->e->p.bare_lf = 1;
		c->line[c->linelen] = '\0';
		rc = reply_line(c, c->line, c->linelen, &c->code);
		c->linelen = 0;
		if (rc == 1) {
			if (i + 1 < (size_t)n && c->st == ST_STARTTLS) {
				/* bytes after the 220 would be read as TLS:
				   RFC 3207 5 says discard, we stop */
				conn_end(c, MC_SMTP_MALFORMED, "the server "
				    "sent data after its reply to STARTTLS");
				return;
			}
			on_reply(s, c, c->code);
		}
		if (rc == -1)
			return;
	}
}

static void
record_tls(struct conn *c)
{
	struct mc_smtp_probe *p = &c->e->p;
	STACK_OF(X509) *chain;
	unsigned char *q;
	size_t i, n;
	int len;

	p->tls_version = xstrdup(SSL_get_version(c->ssl));
	p->tls_version_num = SSL_version(c->ssl);
	p->cipher = xstrdup(SSL_get_cipher_name(c->ssl));
	chain = SSL_get_peer_cert_chain(c->ssl);
	n = chain != NULL ? (size_t)sk_X509_num(chain) : 0;
	p->nchain_total = n;
	if (n > MC_SMTP_MAX_CHAIN)
		n = MC_SMTP_MAX_CHAIN;
	if (n == 0)
		return;
	p->chain = calloc(n, sizeof(*p->chain));
	p->chainlen = calloc(n, sizeof(*p->chainlen));
	if (p->chain == NULL || p->chainlen == NULL)
		return;
	for (i = 0; i < n; i++) {
		len = i2d_X509(sk_X509_value(chain, (int)i), NULL);
		if (len <= 0)
			break;
		p->chain[i] = malloc((size_t)len);
		if (p->chain[i] == NULL)
			break;
		q = p->chain[i];
		i2d_X509(sk_X509_value(chain, (int)i), &q);
		p->chainlen[i] = (size_t)len;
		p->nchain++;
	}
}

static void
conn_handshake(struct conn *c)
{
	unsigned long e;
	char buf[256];
	int rc, err;

	ERR_clear_error();
	rc = SSL_connect(c->ssl);
	if (rc == 1) {
		record_tls(c);
		conn_end(c, MC_SMTP_TLS_OK, NULL);
		return;
	}
	err = SSL_get_error(c->ssl, rc);
	if (err == SSL_ERROR_WANT_READ) {
		c->want = POLLIN;
		return;
	}
	if (err == SSL_ERROR_WANT_WRITE) {
		c->want = POLLOUT;
		return;
	}
	e = ERR_peek_last_error();
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%s", err == SSL_ERROR_SYSCALL ||
		    err == SSL_ERROR_ZERO_RETURN ? "the server closed the "
		    "connection" : "unknown error");
	ERR_clear_error();
	conn_end(c, MC_SMTP_TLS_FAILED, "TLS handshake failed: %s", buf);
}

static void
conn_write(struct conn *c)
{
	ssize_t n;

	n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
	    MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_end(c, MC_SMTP_CLOSED, "cannot send to the server: %s",
		    strerror(errno));
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->outlen)
		c->outlen = c->outoff = 0;
}

static void
conn_connected(struct conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		c->st = ST_GREETING;
		return;
	}
	conn_end(c, err == ECONNREFUSED ? MC_SMTP_REFUSED :
	    err == ENETUNREACH || err == EHOSTUNREACH ? MC_SMTP_UNREACHABLE :
	    err == ETIMEDOUT ? MC_SMTP_CONNECT_TIMEOUT :
	    MC_SMTP_CONNECT_FAILED, "%s", strerror(err));
}

static void
conn_step(struct mc_smtp *s, struct conn *c, short revents)
{
	if (c->st == ST_CONNECT) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			conn_connected(c);
		return;
	}
	if (c->st == ST_HANDSHAKE) {
		conn_handshake(c);
		return;
	}
	if ((revents & POLLOUT) && c->outlen > 0)
		conn_write(c);
	if (c->st != ST_DONE && (revents & (POLLIN | POLLERR | POLLHUP)))
		conn_read(s, c);
	if (c->st == ST_HANDSHAKE)
		conn_handshake(c);
}

static void
conn_timeout(struct conn *c, double now)
{
	if (c->st == ST_CONNECT && now >= c->connect_deadline)
		conn_end(c, MC_SMTP_CONNECT_TIMEOUT, "no connection within "
		    "%.1f s", c->connect_deadline - c->start);
	else if (now >= c->deadline)
		conn_end(c, MC_SMTP_TIMEOUT, "no answer during the %s within "
		    "%.1f s", mc_smtp_stage_str((enum mc_smtp_stage)c->st),
		    c->deadline - c->start);
}

/* Drive the connections until every one has ended. */
static void
run_all(struct mc_smtp *s, struct conn *c, size_t n, double deadline)
{
	struct pollfd *pfd;
	size_t *idx, i, k;
	double now, next;
	int ms, rc;

	pfd = calloc(n, sizeof(*pfd));
	idx = calloc(n, sizeof(*idx));
	if (pfd == NULL || idx == NULL) {
		for (i = 0; i < n; i++)
			conn_end(&c[i], MC_SMTP_ERROR, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		conn_start(s, &c[i], deadline);
	for (;;) {
		now = mc_now();
		next = 0;
		for (i = k = 0; i < n; i++) {
			conn_timeout(&c[i], now);
			if (c[i].st == ST_DONE)
				continue;
			if (c[i].st != ST_CONNECT && c[i].st != ST_HANDSHAKE)
				c[i].want = c[i].outlen > 0 ? POLLOUT | POLLIN :
				    POLLIN;
			pfd[k] = (struct pollfd){ .fd = c[i].fd,
			    .events = c[i].want };
			idx[k++] = i;
			if (next == 0 || c[i].deadline < next)
				next = c[i].deadline;
			if (c[i].st == ST_CONNECT && c[i].connect_deadline < next)
				next = c[i].connect_deadline;
		}
		if (k == 0)
			break;
		ms = (int)((next - now) * 1000.0) + 1;
		if (ms < 0)
			ms = 0;
		rc = poll(pfd, k, ms);
		if (rc < 0 && errno != EINTR) {
			for (i = 0; i < n; i++)
				conn_end(&c[i], MC_SMTP_ERROR, "poll: %s",
				    strerror(errno));
			break;
		}
		for (i = 0; rc > 0 && i < k; i++)
			if (pfd[i].revents != 0)
				conn_step(s, &c[idx[i]], pfd[i].revents);
		/* publish finished probes at once: waiters need not wait for
		   the slowest host of this batch */
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < n; i++)
			if (c[i].st == ST_DONE && !c[i].e->done) {
				c[i].e->done = 1;
				pthread_cond_broadcast(&s->cond);
			}
		pthread_mutex_unlock(&s->lock);
	}
out:
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++)
		c[i].e->done = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	free(pfd);
	free(idx);
}

/* The entry for (host, addr, port), made if new (*fresh set); locked. */
static struct entry *
lookup(struct mc_smtp *s, const struct mc_smtp_target *t, int *fresh)
{
	struct entry *e, **ne;
	size_t i;

	*fresh = 0;
	for (i = 0; i < s->ne; i++)
		if (s->e[i]->port == s->port &&
		    strcasecmp(s->e[i]->p.host, t->host) == 0 &&
		    strcmp(s->e[i]->p.addr, t->addr) == 0)
			return s->e[i];
	if (s->ne == s->cap) {
		ne = realloc(s->e, (s->cap ? 2 * s->cap : 16) * sizeof(*ne));
		if (ne == NULL)
			return NULL;
		s->e = ne;
		s->cap = s->cap ? 2 * s->cap : 16;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->p.host = xstrdup(t->host);
	e->p.addr = xstrdup(t->addr);
	e->port = s->port;
	if (e->p.host == NULL || e->p.addr == NULL) {
		probe_release(&e->p);
		free(e);
		return NULL;
	}
	s->e[s->ne++] = e;
	*fresh = 1;
	return e;
}

int
mc_smtp_probe(struct mc_smtp *s, const struct mc_smtp_target *t, size_t n,
    double deadline, const struct mc_smtp_probe **out)
{
	struct entry **mine = NULL, **all = NULL, *e;
	struct conn *c = NULL;
	size_t i, nmine = 0;
	int fresh, rc = -1;

	if (n == 0)
		return 0;
	mine = calloc(n, sizeof(*mine));
	all = calloc(n, sizeof(*all));
	c = calloc(n, sizeof(*c));
	if (mine == NULL || all == NULL || c == NULL)
		goto out;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++) {
		e = lookup(s, &t[i], &fresh);
		if (e == NULL) {
			/* no memory: what this call claimed must still end,
			   or other threads would wait for it forever */
			for (i = 0; i < nmine; i++) {
				mine[i]->p.result = MC_SMTP_ERROR;
				mine[i]->done = 1;
			}
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
			goto out;
		}
		all[i] = e;
		out[i] = &e->p;
		if (fresh)
			mine[nmine++] = e;
	}
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < nmine; i++) {
		c[i].e = mine[i];
		c[i].fd = -1;
	}
	run_all(s, c, nmine, deadline);
	/* wait for the probes other threads run */
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++)
		while (!all[i]->done)
			pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	rc = 0;
out:
	free(mine);
	free(all);
	free(c);
	return rc;
}

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mc_smtp *shared_list;

struct mc_smtp *
mc_smtp_shared_get(const void *key, const struct mc_smtp_config *cfg,
    char *err, size_t errsize)
{
	struct mc_smtp *s;

	pthread_mutex_lock(&shared_lock);
	for (s = shared_list; s != NULL; s = s->next)
		if (s->key == key)
			break;
	if (s == NULL) {
		s = mc_smtp_new(cfg, err, errsize);
		if (s != NULL) {
			s->key = key;
			s->next = shared_list;
			shared_list = s;
		}
	}
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&shared_lock);
	return s;
}

void
mc_smtp_shared_put(struct mc_smtp *s)
{
	struct mc_smtp **pp;

	if (s == NULL)
		return;
	pthread_mutex_lock(&shared_lock);
	if (--s->refs > 0) {
		pthread_mutex_unlock(&shared_lock);
		return;
	}
	for (pp = &shared_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&shared_lock);
	mc_smtp_free(s);
}
