/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/http.h - the HTTP layer as checks see it (HTTPS GET only)
 *
 * Checks fetch MTA-STS policies, BIMI logos and mark certificates here and
 * never see libcurl (only src/http.c includes it).  The layer does what the
 * RFCs ask of a careful fetcher: HTTPS only, the certificate verified for
 * the URL's host (against the system's trust store, or --ca-file alone),
 * no redirects followed (a 3xx is an answer the caller judges), a body cap
 * (a longer body is cut and flagged, never kept whole), and timeouts that
 * end inside the run's deadline.  Every fetch ends in one of five statuses
 * (enum mc_http_status), like DNS: a timeout is TEMPFAIL, never "no policy".
 *
 * Where an answer comes from (in this order):
 *   1. a host that a --connect-to entry names (HOST:443:ADDR:PORT, curl's
 *      syntax): the network, connecting where the entry says;
 *   2. with --http-root DIR: the file DIR/HOST/PATH (absent: NOTFOUND; the
 *      Content-Type comes from the file name's extension: .txt text/plain,
 *      .svg image/svg+xml, .pem application/x-pem-file), so that a policy
 *      or logo can be checked before it is published;
 *   3. offline runs (zone files only): nothing, status SKIPPED;
 *   4. otherwise the network: the host's addresses come from the DNS layer
 *      (never the system resolver), and every connection passes the
 *      loopback guard (mc_net_guard_check(), MAILCHECK_NET_LOOPBACK_ONLY).
 *
 * A handle is shared by every check of the process (mc_http_acquire()) and
 * caches answers by URL and cap with in-flight de-duplication: two threads
 * asking for the same URL cause one transfer, the second waits.  Failures
 * (TEMPFAIL) are not cached.  The cache holds at most MC_HTTP_CACHE_MAX
 * answers, dropping the oldest.  A batch runs all its transfers at once
 * (curl multi) in the calling thread.  All functions are thread-safe.
 */
#ifndef MAILCHECK_HTTP_H
#define MAILCHECK_HTTP_H

#include <stddef.h>

#include "mailcheck/arena.h"
#include "mailcheck/dns.h"

#define MC_HTTP_TIMEOUT 10.0     /* seconds for one transfer, at most */
#define MC_HTTP_CONNECT_TIMEOUT 5.0 /* seconds to connect, at most */
#define MC_HTTP_DEADLINE_MARGIN 0.25 /* seconds left to report in */
#define MC_HTTP_CACHE_MAX 256    /* answers kept by a handle */
#define MC_HTTP_BATCH_MAX 64     /* requests in one batch */
#define MC_HTTP_URL_MAX 2048     /* bytes of a URL we fetch */

enum mc_http_status {
	MC_HTTP_OK,       /* status 200 arrived; body, len, content_type set */
	MC_HTTP_NOTFOUND, /* 404 or 410, or no such file under --http-root */
	MC_HTTP_TEMPFAIL, /* timeout, connection failed, 5xx, DNS TEMPFAIL,
	                     the loopback guard (no verdict on the server) */
	MC_HTTP_PERMFAIL, /* certificate, TLS, redirect, other status codes,
	                     no address for the host */
	MC_HTTP_SKIPPED,  /* not fetched: an offline run without --http-root
	                     or a --connect-to entry for the host */
};

/* What went wrong, for TEMPFAIL and PERMFAIL (MC_HTTP_E_NONE otherwise). */
enum mc_http_error {
	MC_HTTP_E_NONE,
	MC_HTTP_E_TIMEOUT,    /* the transfer or the deadline ran out */
	MC_HTTP_E_CONNECT,    /* no connection to any address */
	MC_HTTP_E_RESOLVE,    /* the host has no address (or DNS failed) */
	MC_HTTP_E_CERT,       /* the certificate did not verify for the host */
	MC_HTTP_E_TLS,        /* the TLS handshake failed otherwise */
	MC_HTTP_E_REDIRECT,   /* a 3xx answer (location in ->location) */
	MC_HTTP_E_STATUS,     /* another status code than 200/404/410/3xx */
	MC_HTTP_E_GUARD,      /* refused by the loopback guard */
	MC_HTTP_E_URL,        /* not an https:// URL we fetch */
	MC_HTTP_E_OTHER,      /* protocol error, no memory, unreadable file */
};

struct mc_http_response {
	enum mc_http_status status;
	enum mc_http_error error;
	long code;             /* HTTP status code; 0 when none arrived */
	char *content_type;    /* the Content-Type header as sent, or NULL */
	char *location;        /* for redirects: the Location header, or NULL */
	char *why;             /* for failures: one lower-case line, else NULL */
	unsigned char *body;   /* at most the cap, NUL-terminated; may hold NULs */
	size_t len;
	int truncated;         /* the body was longer than the cap */
	const char *source;    /* "network", "http-root" or "none" (static) */
};

struct mc_http_request {
	const char *url;       /* https://HOST[:PORT]/PATH */
	size_t max_body;       /* the cap in bytes (> 0) */
	struct mc_http_response resp; /* filled by mc_http_fetch_batch() */
};

/* The options of a handle (the CLI's raw strings, see mc_options). */
struct mc_http_config {
	const char *const *connect_to; /* "HOST:PORT:ADDR:PORT" entries */
	size_t nconnect_to;
	const char *ca_file;   /* trust only these CAs; NULL: the system's */
	const char *http_root; /* answer from DIR/HOST/PATH; NULL: none */
	int offline;           /* zone-file run: connect only where told */
};

struct mc_http;

/*
 * The process's handle, created by the first call (curl's global init
 * happens there, so call it before starting threads, e.g. from a check's
 * setup()) and counted: each successful call needs one mc_http_release().
 * Later calls return the same handle; their cfg must equal the first's.
 * Returns NULL with a message in err when libcurl cannot start.
 */
struct mc_http *mc_http_acquire(const struct mc_http_config *cfg, char *err,
    size_t errsize);
void mc_http_release(struct mc_http *h);

/*
 * Fetch n requests at once (n <= MC_HTTP_BATCH_MAX) and wait for all,
 * blocking this thread.  Responses are copied into arena a (owned by it).
 * dns resolves hosts that the network is asked for; deadline is the run's
 * absolute mc_now() deadline (0: none): no transfer outlives it.
 */
void mc_http_fetch_batch(struct mc_http *h, struct mc_dns_session *dns,
    double deadline, struct mc_arena *a, struct mc_http_request *req,
    size_t n);

/* One request: mc_http_fetch_batch() with n 1, the response in *out. */
void mc_http_fetch(struct mc_http *h, struct mc_dns_session *dns, double deadline,
    struct mc_arena *a, const char *url, size_t max_body,
    struct mc_http_response *out);

/*
 * A check's setup() and teardown() for checks that fetch: the state is the
 * process's handle, acquired with the options' --connect-to, --ca-file,
 * --http-root and offline (mailcheck/check.h).
 */
struct mc_options;
int mc_http_check_setup(const struct mc_options *opts, void **state,
    char *err, size_t errsize);
void mc_http_check_teardown(void *state);

/*
 * Is url one the layer fetches: https://HOST[:PORT][/PATH], HOST letters,
 * digits, '-', '.' and '_' (no userinfo, no IPv6 literal), no fragment?
 */
int mc_http_url_valid(const char *url);

/* "ok", "notfound", "tempfail", "permfail", "skipped" */
const char *mc_http_status_str(enum mc_http_status s);
/* Is this response a failure (TEMPFAIL or PERMFAIL)? */
int mc_http_failed(const struct mc_http_response *r);
/*
 * The media type of a Content-Type value without parameters, lower case,
 * in buf ("text/plain" for "Text/Plain; charset=utf-8"); "" for NULL.
 */
const char *mc_http_media_type(const char *content_type, char *buf,
    size_t size);
/*
 * Transfers the handle has run so far, and the most that ran at once in
 * one batch (for benchmarks and tests).
 */
void mc_http_stats(struct mc_http *h, size_t *transfers, size_t *max_parallel);

#endif
