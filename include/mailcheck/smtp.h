/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/smtp.h - the SMTP client: a STARTTLS probe of many hosts at once
 *
 * A probe connects to one address of one MX host, reads the greeting, sends
 * EHLO, STARTTLS, does the TLS handshake (SNI: the MX host name), records
 * what it saw, sends QUIT and closes.  It never sends a message, never
 * verifies anything itself (src/x509_check.c and src/tlsa.c judge the
 * chain it kept) and never holds a connection past its deadline.
 *
 * mc_smtp_probe() runs every target of a call at once in the calling
 * thread (non-blocking sockets, one poll loop, one deadline).  Results are
 * cached in the handle with in-flight de-duplication, as DNS answers are:
 * when the smtp and dane checks ask for the same host at the same time, one
 * connection is made and the second caller waits for it.  Probes belong to
 * the handle and stay valid, unchanged, until mc_smtp_free().
 *
 * This module is the only one with SMTP sockets and OpenSSL's TLS.  All
 * functions are thread-safe.
 */
#ifndef MAILCHECK_SMTP_H
#define MAILCHECK_SMTP_H

#include <stddef.h>

#define MC_SMTP_PORT 25
#define MC_SMTP_LINE_MAX 1024     /* a reply line: RFC 5321 4.5.3.1.5 says 512 */
#define MC_SMTP_REPLY_LINES 64    /* lines of one reply (EHLO extensions) */
#define MC_SMTP_READ_MAX 16384    /* bytes read before TLS, all replies */
#define MC_SMTP_MAX_CHAIN 16      /* certificates kept from the server's chain */
#define MC_SMTP_MAX_CERT_LIST (256 * 1024) /* bytes of chain accepted */
#define MC_SMTP_CONNECT_SECONDS 10.0 /* seconds for the TCP connection */
#define MC_SMTP_PROBE_SECONDS 30.0   /* seconds for a whole probe */

struct mc_smtp_config {
	const char *helo_name;         /* EHLO name; NULL: the machine's name */
	unsigned port;                 /* 0: 25 */
	/* --connect-to HOST:PORT:ADDR:PORT (mailcheck/connect.h), borrowed:
	   they must outlive the handle */
	const char *const *connect_to;
	size_t nconnect_to;
	int offline;                   /* connect only where connect_to says */
};

enum mc_smtp_result {
	MC_SMTP_TLS_OK,             /* the TLS handshake completed */
	MC_SMTP_SKIPPED,            /* offline run: no --connect-to for it */
	MC_SMTP_REFUSED,            /* connection refused */
	MC_SMTP_CONNECT_TIMEOUT,    /* no TCP connection in time */
	MC_SMTP_UNREACHABLE,        /* no route, network down */
	MC_SMTP_CONNECT_FAILED,     /* other connect errors, the guard */
	MC_SMTP_TIMEOUT,            /* connected, then the server fell silent */
	MC_SMTP_CLOSED,             /* the server closed the connection */
	MC_SMTP_GREETING_REJECTED,  /* the greeting was not 220 */
	MC_SMTP_EHLO_REJECTED,      /* EHLO was not answered 250 */
	MC_SMTP_NO_STARTTLS,        /* EHLO did not offer STARTTLS */
	MC_SMTP_STARTTLS_REJECTED,  /* STARTTLS was not answered 220 */
	MC_SMTP_TLS_FAILED,         /* the handshake failed */
	MC_SMTP_OVERSIZE,           /* too long a line, too many lines or bytes */
	MC_SMTP_MALFORMED,          /* not an SMTP reply (binary junk) */
	MC_SMTP_ERROR,              /* a local error: no memory, no socket */
};

/* Where a probe ended. */
enum mc_smtp_stage {
	MC_SMTP_STAGE_CONNECT,
	MC_SMTP_STAGE_GREETING,
	MC_SMTP_STAGE_EHLO,
	MC_SMTP_STAGE_STARTTLS,
	MC_SMTP_STAGE_HANDSHAKE,
	MC_SMTP_STAGE_DONE,
};

/* "tls-ok", "refused", ... (for data and tests) */
const char *mc_smtp_result_str(enum mc_smtp_result r);
/* "connect", "greeting", "EHLO", "STARTTLS", "TLS handshake", "done" */
const char *mc_smtp_stage_str(enum mc_smtp_stage s);

struct mc_smtp_target {
	const char *host;  /* the MX host name: SNI, and the cache key */
	const char *addr;  /* an IP literal of it */
};

struct mc_smtp_probe {
	char *host;
	char *addr;
	char *peer;                 /* "ADDR:PORT" connected to, or NULL */
	enum mc_smtp_result result;
	enum mc_smtp_stage stage;
	char *why;                  /* what went wrong, or NULL */
	int greeting_code;          /* 0: none read */
	char *greeting;             /* the first greeting line's text (raw) */
	int reply_code;             /* the reply that ended the probe, 0: none */
	char *reply;                /* its first line (raw), or NULL */
	char **ext;                 /* EHLO keywords, upper case */
	size_t next;
	int starttls;               /* EHLO offered STARTTLS */
	int bare_lf;                /* a line ended in LF without CR */
	char *tls_version;          /* "TLSv1.3", or NULL */
	int tls_version_num;        /* 0x0304, ... */
	char *cipher;
	unsigned char **chain;      /* DER, leaf first, MC_SMTP_MAX_CHAIN kept */
	size_t *chainlen;
	size_t nchain;
	size_t nchain_total;        /* as the server sent it */
	double seconds;             /* from connect to the end */
};

struct mc_smtp;

/* A handle; NULL on error with a one-line message in err. */
struct mc_smtp *mc_smtp_new(const struct mc_smtp_config *cfg, char *err,
    size_t errsize);
void mc_smtp_free(struct mc_smtp *s);

/*
 * Probe n targets at once, blocking until each has a result or deadline
 * (absolute mc_now() seconds; 0: MC_SMTP_PROBE_SECONDS from now) has
 * passed; fills out[i] (never NULL).  Returns 0, or -1 when out of memory.
 */
int mc_smtp_probe(struct mc_smtp *s, const struct mc_smtp_target *t,
    size_t n, double deadline, const struct mc_smtp_probe **out);

/*
 * The handle that the checks of one run share (the smtp and dane checks
 * both need the probes, and must not connect twice): the first call for a
 * key creates it from cfg, later calls with the same key take a reference.
 * key is the run's struct mc_options.  Release with mc_smtp_shared_put().
 */
struct mc_smtp *mc_smtp_shared_get(const void *key,
    const struct mc_smtp_config *cfg, char *err, size_t errsize);
void mc_smtp_shared_put(struct mc_smtp *s);

#endif
