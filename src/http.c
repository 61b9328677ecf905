/* SPDX-License-Identifier: ISC */
/*
 * src/http.c - the HTTP layer over libcurl: the one file that includes it
 *
 * A batch is served in three steps.  Under the handle's lock, each request
 * is looked up in the cache: an answer is copied out, an entry in flight
 * is waited for later, and a miss becomes a new in-flight entry owned by
 * this batch.  Then the batch's own misses are answered: from --http-root
 * files, as SKIPPED in offline runs, or over the network, where the hosts'
 * addresses are asked of the DNS layer all at once (handed to curl with
 * CURLOPT_RESOLVE, so curl never uses the system resolver) and every
 * transfer runs at once in one curl multi handle driven by this thread
 * until all end or the deadline passes.  Last, answers are published to
 * the cache (TEMPFAIL answers are dropped, so a later run asks again),
 * waiters woken, and the entries other batches fetched are waited for.
 *
 * curl's rules kept here: CURLOPT_NOSIGNAL in threads; no redirects
 * (FOLLOWLOCATION off, and the protocols limited to https); the body is
 * cut in the write callback (returning short aborts the transfer with
 * CURLE_WRITE_ERROR, which is then our own "truncated", not a failure);
 * every socket is opened by our callback, which asks the loopback guard.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mailcheck/check.h"
#include "mailcheck/http.h"
#include "mailcheck/connect.h"
#include "mailcheck/limits.h"
#include "banned.h"

struct entry {
	char *key;              /* "<cap> <url>" */
	int done;
	struct mc_http_response resp; /* heap copies, once done */
	struct entry *next;
};

struct mc_http {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	char **connect_to;
	size_t nconnect_to;
	char *ca_file;
	char *http_root;
	int offline;
	struct entry *entries;  /* newest first */
	size_t nentries;
	size_t transfers;
	size_t max_parallel;
};

/* One transfer of a batch. */
struct xfer {
	struct mc_http_request *req;
	struct entry *e;        /* the cache entry this batch owns, or NULL */
	char host[MC_DNS_NAME_MAX + 1];
	long port;
	const char *path;
	int direct;             /* a --connect-to entry names host:port (its
	                           ADDR is an IP literal: nothing to resolve) */
	int net;                /* this batch fetches it over the network */
	int copied;             /* resp already lives in the arena */
	CURL *easy;
	struct curl_slist *resolve;
	unsigned char *buf;
	size_t len;
	int truncated;
	char errbuf[CURL_ERROR_SIZE];
	char guard[256];        /* the guard's refusal, or "" */
};

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mc_http *global;

const char *
mc_http_status_str(enum mc_http_status s)
{
	static const char *const names[] = { "ok", "notfound", "tempfail",
		"permfail", "skipped" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int
mc_http_failed(const struct mc_http_response *r)
{
	return r->status == MC_HTTP_TEMPFAIL || r->status == MC_HTTP_PERMFAIL;
}

const char *
mc_http_media_type(const char *ct, char *buf, size_t size)
{
	size_t i = 0;

	if (size == 0)
		return "";
	if (ct != NULL) {
		while (*ct == ' ' || *ct == '\t')
			ct++;
		for (; ct[i] != '\0' && ct[i] != ';' && ct[i] != ' ' &&
		    ct[i] != '\t' && i + 1 < size; i++)
			buf[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ?
			    ct[i] + 32 : ct[i]);
	}
	buf[i] = '\0';
	return buf;
}

void
mc_http_stats(struct mc_http *h, size_t *transfers, size_t *max_parallel)
{
	pthread_mutex_lock(&h->lock);
	*transfers = h->transfers;
	*max_parallel = h->max_parallel;
	pthread_mutex_unlock(&h->lock);
}

static void
resp_free(struct mc_http_response *r)
{
	free(r->content_type);
	free(r->location);
	free(r->why);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void
entry_free(struct entry *e)
{
	resp_free(&e->resp);
	free(e->key);
	free(e);
}

static void
handle_free(struct mc_http *h)
{
	struct entry *e, *next;
	size_t i;

	for (e = h->entries; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	for (i = 0; i < h->nconnect_to; i++)
		free(h->connect_to[i]);
	free(h->connect_to);
	free(h->ca_file);
	free(h->http_root);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h);
}

struct mc_http *
mc_http_acquire(const struct mc_http_config *cfg, char *err, size_t errsize)
{
	struct mc_http *h = NULL;
	size_t i;

	pthread_mutex_lock(&global_lock);
	if (global != NULL) {
		global->refs++;
		h = global;
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsize, "cannot initialise libcurl");
		goto out;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		goto nomem;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->refs = 1;
	h->offline = cfg->offline;
	if (cfg->nconnect_to > 0) {
		h->connect_to = calloc(cfg->nconnect_to, sizeof(char *));
		if (h->connect_to == NULL)
			goto nomem;
		for (i = 0; i < cfg->nconnect_to; i++) {
			h->connect_to[i] = strdup(cfg->connect_to[i]);
			if (h->connect_to[i] == NULL)
				goto nomem;
			h->nconnect_to++;
		}
	}
	if ((cfg->ca_file != NULL &&
	    (h->ca_file = strdup(cfg->ca_file)) == NULL) ||
	    (cfg->http_root != NULL &&
	    (h->http_root = strdup(cfg->http_root)) == NULL))
		goto nomem;
	global = h;
	goto out;
nomem:
	if (h != NULL)
		handle_free(h);
	h = NULL;
	curl_global_cleanup();
	snprintf(err, errsize, "out of memory");
out:
	pthread_mutex_unlock(&global_lock);
	return h;
}

void
mc_http_release(struct mc_http *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&global_lock);
	if (--h->refs == 0) {
		handle_free(h);
		global = NULL;
		curl_global_cleanup();
	}
	pthread_mutex_unlock(&global_lock);
}

static void
fail(struct mc_http_response *r, enum mc_http_status st,
    enum mc_http_error e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
fail(struct mc_http_response *r, enum mc_http_status st,
    enum mc_http_error e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->status = st;
	r->error = e;
	free(r->why);
	r->why = strdup(msg);
}

/*
 * Split https://HOST[:PORT]/PATH.  The host is lower-cased LDH (and "_");
 * userinfo, IP literals, fragments and non-https schemes are refused.
 */
static int
parse_url(struct xfer *x)
{
	const char *u = x->req->url, *p, *end;
	size_t len;
	char *e;

	if (strlen(u) > MC_HTTP_URL_MAX || strncasecmp(u, "https://", 8) != 0)
		return -1;
	p = u + 8;
	end = p + strcspn(p, "/:?#");
	len = (size_t)(end - p);
	if (len == 0 || len > MC_DNS_NAME_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_'))
			return -1;
		x->host[i] = c;
	}
	x->host[len] = '\0';
	x->port = 443;
	if (*end == ':') {
		errno = 0;
		x->port = strtol(end + 1, &e, 10);
		if (e == end + 1 || errno != 0 || x->port < 1 ||
		    x->port > 65535)
			return -1;
		end = e;
	}
	if (*end != '/' && *end != '\0')
		return -1;
	x->path = *end == '\0' ? "/" : end;
	if (strchr(x->path, '#') != NULL)
		return -1;
	return 0;
}

int
mc_http_url_valid(const char *url)
{
	struct mc_http_request req = { .url = url };
	struct xfer x = { .req = &req };

	return parse_url(&x) == 0;
}

/* Does a --connect-to entry name the URL's host and port? */
static int
connect_target(const struct mc_http *h, const struct xfer *x)
{
	char addr[64];
	int aport;

	return mc_connect_to_map((const char *const *)h->connect_to,
	    h->nconnect_to, x->host, (int)x->port, addr, sizeof(addr),
	    &aport);
}

/* The Content-Type a file under --http-root is served with. */
static const char *
root_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot != NULL && strcasecmp(dot, ".txt") == 0)
		return "text/plain";
	if (dot != NULL && strcasecmp(dot, ".svg") == 0)
		return "image/svg+xml";
	if (dot != NULL && strcasecmp(dot, ".pem") == 0)
		return "application/x-pem-file";
	return "application/octet-stream";
}

/* Answer from DIR/HOST/PATH: no "..", no query, a regular file. */
static void
fetch_root(const struct mc_http *h, struct xfer *x)
{
	struct mc_http_response *r = &x->req->resp;
	char path[4096];
	struct stat st;
	size_t cap = x->req->max_body, got = 0;
	ssize_t n;
	int fd = -1;

	r->source = "http-root";
	if (strstr(x->path, "/..") != NULL || strchr(x->path, '?') != NULL ||
	    strchr(x->path, '\\') != NULL) {
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_URL,
		    "path '%s' cannot be served from --http-root", x->path);
		return;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", h->http_root,
	    x->host, x->path) >= sizeof(path)) {
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_URL, "path too long");
		return;
	}
	fd = open(path, O_RDONLY | O_NOCTTY);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd == -1 && errno != ENOENT && errno != ENOTDIR)
			fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_OTHER,
			    "cannot open '%s': %s", path, strerror(errno));
		else {
			r->status = MC_HTTP_NOTFOUND;
			r->code = 404;
		}
		goto out;
	}
	r->body = malloc(cap + 1);
	if (r->body == NULL) {
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_OTHER, "out of memory");
		goto out;
	}
	while (got < cap && (n = read(fd, r->body + got, cap - got)) > 0)
		got += (size_t)n;
	if (got == cap) {
		char one;

		r->truncated = read(fd, &one, 1) == 1;
	}
	r->body[got] = '\0';
	r->len = got;
	r->code = 200;
	r->status = MC_HTTP_OK;
	r->content_type = strdup(root_type(x->path));
out:
	if (fd != -1)
		close(fd);
}

static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, room = x->req->max_body - x->len;

	if (x->buf == NULL) {
		x->buf = malloc(x->req->max_body + 1);
		if (x->buf == NULL)
			return 0;
	}
	if (n > room) {
		memcpy(x->buf + x->len, data, room);
		x->len += room;
		x->truncated = 1;
		return 0; /* abort: the rest is never read into memory */
	}
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	return n;
}

static curl_socket_t
on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = arg;

	(void)purpose;
	if (mc_net_guard_check(&a->addr, x->guard, sizeof(x->guard)) == -1)
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

/*
 * Give curl the host's addresses from the DNS layer.  Returns 0, or -1
 * with the response failed (no address, or DNS failed).
 */
static int
resolve_hosts(struct mc_dns_session *dns, struct xfer *x, size_t n)
{
	struct mc_dns_query q[2 * MC_HTTP_BATCH_MAX];
	char list[1024];
	size_t i, k, nq = 0, at;
	int bad = 0;

	for (i = 0; i < n; i++) {
		if (!x[i].net || x[i].direct)
			continue;
		q[nq++] = (struct mc_dns_query){ .name = x[i].host,
		    .type = MC_RR_A };
		q[nq++] = (struct mc_dns_query){ .name = x[i].host,
		    .type = MC_RR_AAAA };
	}
	if (nq > 0)
		mc_dns_lookup_batch(dns, q, nq);
	for (i = 0, k = 0; i < n && k < nq; i++) {
		const struct mc_dns_answer *a4, *a6;
		const struct mc_dns_answer *ans[2];
		size_t j, r;

		if (!x[i].net || x[i].direct)
			continue;
		a4 = q[k].ans;
		a6 = q[k + 1].ans;
		k += 2;
		ans[0] = a4;
		ans[1] = a6;
		at = (size_t)snprintf(list, sizeof(list), "%s:%ld:",
		    x[i].host, x[i].port);
		for (j = 0; j < 2; j++)
			for (r = 0; r < ans[j]->count && at < sizeof(list) - 64;
			    r++) {
				const struct mc_rr *rr = &ans[j]->rr[r];

				if (rr->type != MC_RR_A && rr->type != MC_RR_AAAA)
					continue;
				at += (size_t)snprintf(list + at,
				    sizeof(list) - at, rr->type == MC_RR_AAAA ?
				    "%s[%s]" : "%s%s", list[at - 1] == ':' ?
				    "" : ",", rr->data);
			}
		if (list[at - 1] == ':') {
			int temp = a4->status == MC_DNS_TEMPFAIL ||
			    a6->status == MC_DNS_TEMPFAIL;

			fail(&x[i].req->resp, temp ? MC_HTTP_TEMPFAIL :
			    MC_HTTP_PERMFAIL, MC_HTTP_E_RESOLVE,
			    "%s has no address (A %s, AAAA %s)", x[i].host,
			    mc_dns_status_str(a4->status),
			    mc_dns_status_str(a6->status));
			bad = 1;
			continue;
		}
		x[i].resolve = curl_slist_append(NULL, list);
		if (x[i].resolve == NULL) {
			fail(&x[i].req->resp, MC_HTTP_PERMFAIL, MC_HTTP_E_OTHER,
			    "out of memory");
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

static int
easy_setup(const struct mc_http *h, struct xfer *x, struct curl_slist *cto,
    double remaining)
{
	/* end a little before the deadline, so the check can still report */
	long total = (long)((remaining - MC_HTTP_DEADLINE_MARGIN) * 1000.0), conn;
	CURL *c;
	int rc = 0;

	if (total > (long)(MC_HTTP_TIMEOUT * 1000.0))
		total = (long)(MC_HTTP_TIMEOUT * 1000.0);
	if (total < 1)
		total = 1;
	conn = total < (long)(MC_HTTP_CONNECT_TIMEOUT * 1000.0) ? total :
	    (long)(MC_HTTP_CONNECT_TIMEOUT * 1000.0);
	c = curl_easy_init();
	if (c == NULL)
		return -1;
	x->easy = c;
	rc |= (int)curl_easy_setopt(c, CURLOPT_URL, x->req->url);
	rc |= (int)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	rc |= (int)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL) {
		rc |= (int)curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
		rc |= (int)curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	rc |= (int)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total);
	rc |= (int)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conn);
	rc |= (int)curl_easy_setopt(c, CURLOPT_USERAGENT,
	    "mailcheck/" MC_VERSION);
	rc |= (int)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	rc |= (int)curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	rc |= (int)curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION,
	    on_open_socket);
	rc |= (int)curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
	rc |= (int)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	rc |= (int)curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	if (x->direct)
		rc |= (int)curl_easy_setopt(c, CURLOPT_CONNECT_TO, cto);
	if (x->resolve != NULL)
		rc |= (int)curl_easy_setopt(c, CURLOPT_RESOLVE, x->resolve);
	return rc == 0 ? 0 : -1;
}

/* Turn a finished transfer into a response. */
static void
finish(struct xfer *x, CURLcode cc)
{
	struct mc_http_response *r = &x->req->resp;
	const char *why = x->errbuf[0] != '\0' ? x->errbuf :
	    curl_easy_strerror(cc);
	char *ct = NULL, *loc = NULL;
	long code = 0;

	r->source = "network";
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	r->code = code;
	if (x->guard[0] != '\0') {
		fail(r, MC_HTTP_TEMPFAIL, MC_HTTP_E_GUARD, "%s", x->guard);
		return;
	}
	if (cc == CURLE_WRITE_ERROR && x->truncated)
		cc = CURLE_OK;
	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
		fail(r, MC_HTTP_TEMPFAIL, MC_HTTP_E_TIMEOUT, "%s", why);
		return;
	case CURLE_COULDNT_CONNECT:
		fail(r, MC_HTTP_TEMPFAIL, MC_HTTP_E_CONNECT, "%s", why);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		fail(r, MC_HTTP_TEMPFAIL, MC_HTTP_E_RESOLVE, "%s", why);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_CERT, "%s", why);
		return;
	case CURLE_SSL_CONNECT_ERROR:
		fail(r, MC_HTTP_PERMFAIL, strstr(why, "certificate") != NULL ?
		    MC_HTTP_E_CERT : MC_HTTP_E_TLS, "%s", why);
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_URL, "%s", why);
		return;
	default:
		fail(r, MC_HTTP_TEMPFAIL, MC_HTTP_E_OTHER, "%s", why);
		return;
	}
	if (ct != NULL)
		r->content_type = strdup(ct);
	if (code >= 300 && code < 400) {
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_REDIRECT,
		    "status %ld (a redirect)", code);
		if (loc != NULL)
			r->location = strdup(loc);
		return;
	}
	if (code == 404 || code == 410) {
		r->status = MC_HTTP_NOTFOUND;
		return;
	}
	if (code != 200) {
		fail(r, code >= 500 ? MC_HTTP_TEMPFAIL : MC_HTTP_PERMFAIL,
		    MC_HTTP_E_STATUS, "status %ld", code);
		return;
	}
	r->status = MC_HTTP_OK;
	r->body = x->buf != NULL ? x->buf : malloc(1);
	x->buf = NULL;
	if (r->body == NULL) {
		fail(r, MC_HTTP_PERMFAIL, MC_HTTP_E_OTHER, "out of memory");
		return;
	}
	r->body[x->len] = '\0';
	r->len = x->len;
	r->truncated = x->truncated;
}

/* Run the network transfers of a batch at once, until all end. */
static void
fetch_network(struct mc_http *h, struct mc_dns_session *dns, double deadline,
    struct xfer *x, size_t n)
{
	struct curl_slist *cto = NULL;
	CURLM *m = NULL;
	CURLMsg *msg;
	size_t i, running = 0;
	int still = 0, left;

	resolve_hosts(dns, x, n);
	for (i = 0; i < h->nconnect_to; i++) {
		struct curl_slist *t = curl_slist_append(cto, h->connect_to[i]);

		if (t == NULL)
			goto out;
		cto = t;
	}
	m = curl_multi_init();
	if (m == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		double remaining = deadline > 0 ? deadline - mc_now() :
		    MC_HTTP_TIMEOUT;

		if (!x[i].net || x[i].req->resp.why != NULL)
			continue;
		if (remaining <= 0) {
			fail(&x[i].req->resp, MC_HTTP_TEMPFAIL,
			    MC_HTTP_E_TIMEOUT, "the run's deadline passed");
			continue;
		}
		if (easy_setup(h, &x[i], cto, remaining) == -1 ||
		    curl_multi_add_handle(m, x[i].easy) != CURLM_OK) {
			fail(&x[i].req->resp, MC_HTTP_PERMFAIL, MC_HTTP_E_OTHER,
			    "cannot set up the transfer");
			continue;
		}
		running++;
	}
	pthread_mutex_lock(&h->lock);
	h->transfers += running;
	if (running > h->max_parallel)
		h->max_parallel = running;
	pthread_mutex_unlock(&h->lock);
	while (running > 0) {
		if (curl_multi_perform(m, &still) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct xfer *t = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&t);
			finish(t, msg->data.result);
			running--;
		}
		if (still == 0 || running == 0)
			break;
		if (curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK)
			break;
	}
out:
	for (i = 0; i < n; i++) {
		if (x[i].easy != NULL) {
			if (m != NULL)
				curl_multi_remove_handle(m, x[i].easy);
			if (x[i].req->resp.status == MC_HTTP_OK &&
			    x[i].req->resp.body == NULL &&
			    x[i].req->resp.why == NULL &&
			    x[i].req->resp.code == 0)
				fail(&x[i].req->resp, MC_HTTP_TEMPFAIL,
				    MC_HTTP_E_OTHER, "the transfer did not end");
			curl_easy_cleanup(x[i].easy);
		}
		curl_slist_free_all(x[i].resolve);
		free(x[i].buf);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	curl_slist_free_all(cto);
}

static char *
adup(struct mc_arena *a, const char *s)
{
	return s != NULL ? mc_arena_strdup(a, s) : NULL;
}

/* Copy a response into an arena (strings and body). */
static void
copy_out(struct mc_arena *a, const struct mc_http_response *from,
    struct mc_http_response *to)
{
	*to = *from;
	to->content_type = adup(a, from->content_type);
	to->location = adup(a, from->location);
	to->why = adup(a, from->why);
	to->body = NULL;
	if (from->body != NULL) {
		to->body = mc_arena_alloc(a, from->len + 1);
		if (to->body != NULL)
			memcpy(to->body, from->body, from->len + 1);
		else
			to->len = 0;
	}
}

/* Deep copy on the heap, for the cache.  Returns 0 or -1. */
static int
copy_heap(const struct mc_http_response *from, struct mc_http_response *to)
{
	*to = *from;
	to->content_type = to->location = to->why = NULL;
	to->body = NULL;
	if ((from->content_type != NULL &&
	    (to->content_type = strdup(from->content_type)) == NULL) ||
	    (from->location != NULL &&
	    (to->location = strdup(from->location)) == NULL) ||
	    (from->why != NULL && (to->why = strdup(from->why)) == NULL))
		goto fail;
	if (from->body != NULL) {
		to->body = malloc(from->len + 1);
		if (to->body == NULL)
			goto fail;
		memcpy(to->body, from->body, from->len + 1);
	}
	return 0;
fail:
	resp_free(to);
	return -1;
}

static struct entry *
cache_find(struct mc_http *h, const char *key)
{
	struct entry *e;

	for (e = h->entries; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Drop the oldest answered entries beyond the limit.  Lock held. */
static void
cache_trim(struct mc_http *h)
{
	struct entry **pp, *e;
	size_t i = 0;

	for (pp = &h->entries; *pp != NULL;) {
		e = *pp;
		if (++i > MC_HTTP_CACHE_MAX && e->done) {
			*pp = e->next;
			entry_free(e);
			h->nentries--;
			continue;
		}
		pp = &e->next;
	}
}

static void
cache_unlink(struct mc_http *h, struct entry *victim)
{
	struct entry **pp;

	for (pp = &h->entries; *pp != NULL; pp = &(*pp)->next)
		if (*pp == victim) {
			*pp = victim->next;
			h->nentries--;
			return;
		}
}

void
mc_http_fetch_batch(struct mc_http *h, struct mc_dns_session *dns, double deadline,
    struct mc_arena *a, struct mc_http_request *req, size_t n)
{
	struct xfer *x;
	char key[MC_HTTP_URL_MAX + 32];
	size_t i, nnet = 0;

	x = calloc(n > 0 ? n : 1, sizeof(*x));
	for (i = 0; i < n; i++) {
		memset(&req[i].resp, 0, sizeof(req[i].resp));
		req[i].resp.source = "none";
		if (x == NULL)
			fail(&req[i].resp, MC_HTTP_TEMPFAIL, MC_HTTP_E_OTHER,
			    "out of memory");
	}
	if (x == NULL)
		goto copy;
	for (i = 0; i < n; i++) {
		x[i].req = &req[i];
		if (i >= MC_HTTP_BATCH_MAX || req[i].max_body == 0 ||
		    parse_url(&x[i]) == -1) {
			fail(&req[i].resp, MC_HTTP_PERMFAIL, MC_HTTP_E_URL,
			    "not a URL that can be fetched: https://HOST/PATH "
			    "expected");
			continue;
		}
		x[i].direct = connect_target(h, &x[i]);
	}

	/* 1. the cache: answers, entries in flight, and our misses */
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < n; i++) {
		struct entry *e;

		if (req[i].resp.why != NULL)
			continue;
		snprintf(key, sizeof(key), "%zu %s", req[i].max_body,
		    req[i].url);
		e = cache_find(h, key);
		if (e != NULL)
			continue; /* answered or in flight: read in step 3 */
		e = calloc(1, sizeof(*e));
		if (e == NULL || (e->key = strdup(key)) == NULL) {
			free(e);
			fail(&req[i].resp, MC_HTTP_TEMPFAIL, MC_HTTP_E_OTHER,
			    "out of memory");
			continue;
		}
		e->next = h->entries;
		h->entries = e;
		h->nentries++;
		x[i].e = e;
	}
	pthread_mutex_unlock(&h->lock);

	/* 2. answer our own misses */
	for (i = 0; i < n; i++) {
		if (x[i].e == NULL || req[i].resp.why != NULL)
			continue;
		if (x[i].direct) {
			req[i].resp.source = "network";
			x[i].net = 1;
			nnet++;
		} else if (h->http_root != NULL)
			fetch_root(h, &x[i]);
		else if (h->offline) {
			req[i].resp.status = MC_HTTP_SKIPPED;
			req[i].resp.why = strdup("the run reads "
			    "zone files only (give --http-root, or "
			    "--connect-to for this host)");
		} else {
			req[i].resp.source = "network";
			x[i].net = 1;
			nnet++;
		}
	}
	if (nnet > 0)
		fetch_network(h, dns, deadline, x, n);

	/* 3. publish ours, then read everything from the cache */
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < n; i++) {
		struct entry *e = x[i].e;

		if (e == NULL)
			continue;
		if (req[i].resp.status == MC_HTTP_TEMPFAIL ||
		    copy_heap(&req[i].resp, &e->resp) == -1) {
			/* not kept: waiters fetch it themselves */
			cache_unlink(h, e);
			entry_free(e);
			x[i].e = NULL;
			continue;
		}
		e->done = 1;
	}
	cache_trim(h);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	for (i = 0; i < n; i++) {
		struct entry *e;

		if (x[i].e != NULL || req[i].resp.why != NULL)
			continue;
		/* another batch's entry: wait for it, or fetch it alone */
		snprintf(key, sizeof(key), "%zu %s", req[i].max_body,
		    req[i].url);
		pthread_mutex_lock(&h->lock);
		while ((e = cache_find(h, key)) != NULL && !e->done)
			pthread_cond_wait(&h->cond, &h->lock);
		if (e != NULL && copy_heap(&e->resp, &req[i].resp) == 0) {
			pthread_mutex_unlock(&h->lock);
			continue;
		}
		pthread_mutex_unlock(&h->lock);
		mc_http_fetch_batch(h, dns, deadline, a, &req[i], 1);
		x[i].copied = 1;
	}
copy:
	for (i = 0; i < n; i++) {
		struct mc_http_response heap = req[i].resp;

		if (x != NULL && x[i].copied)
			continue;
		copy_out(a, &heap, &req[i].resp);
		resp_free(&heap);
	}
	free(x);
}

void
mc_http_fetch(struct mc_http *h, struct mc_dns_session *dns, double deadline,
    struct mc_arena *a, const char *url, size_t max_body,
    struct mc_http_response *out)
{
	struct mc_http_request req = { .url = url, .max_body = max_body };

	mc_http_fetch_batch(h, dns, deadline, a, &req, 1);
	*out = req.resp;
}

int
mc_http_check_setup(const struct mc_options *opts, void **state, char *err,
    size_t errsize)
{
	struct mc_http_config cfg = {
		.connect_to = opts->connect_to,
		.nconnect_to = opts->nconnect_to,
		.ca_file = opts->ca_file,
		.http_root = opts->http_root,
		.offline = opts->offline,
	};

	*state = mc_http_acquire(&cfg, err, errsize);
	return *state != NULL ? 0 : -1;
}

void
mc_http_check_teardown(void *state)
{
	mc_http_release(state);
}
