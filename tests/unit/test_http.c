/* SPDX-License-Identifier: ISC */
/*
 * tests/unit/test_http.c - the HTTP layer without a network: URLs, media
 * types, --http-root answers (caps, 404, traversal), the cache, offline
 * runs.  Transfers over the network are tested end to end
 * (tests/e2e/https.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_table.h"
#include "mailcheck/http.h"

static char root[256];

static void
put(const char *rel, const char *body, size_t len)
{
	char path[512], dir[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + strlen(root) + 1; (slash = strchr(slash, '/')) != NULL;
	    slash++) {
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(body, 1, len, f), len);
	fclose(f);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "%s/mc-http.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(root) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

struct url_row {
	const char *name;
	const char *url;
	int valid;
};

static const struct url_row url_rows[] = {
	{ "plain", "https://mta-sts.example.com/.well-known/mta-sts.txt", 1 },
	{ "port", "https://example.com:8443/x", 1 },
	{ "no path", "https://example.com", 1 },
	{ "upper-case scheme", "HTTPS://example.com/", 1 },
	{ "http", "http://example.com/", 0 },
	{ "no host", "https:///x", 0 },
	{ "userinfo", "https://user@example.com/", 0 },
	{ "port zero", "https://example.com:0/", 0 },
	{ "port too large", "https://example.com:65536/", 0 },
	{ "fragment", "https://example.com/x#y", 0 },
	{ "IPv6 literal", "https://[::1]/", 0 },
	{ "space in host", "https://exa mple.com/", 0 },
	{ "empty", "", 0 },
	{ NULL, NULL, 0 },
};

static void
test_url(void **state)
{
	const struct url_row *row = MC_ROW(state, struct url_row);

	if (mc_http_url_valid(row->url) != row->valid)
		fail_msg("%s: '%s' valid %d, want %d", row->name, row->url,
		    !row->valid, row->valid);
}

static void
test_media_type(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(mc_http_media_type("Text/Plain; charset=utf-8", buf,
	    sizeof(buf)), "text/plain");
	assert_string_equal(mc_http_media_type(" text/plain", buf, sizeof(buf)),
	    "text/plain");
	assert_string_equal(mc_http_media_type(NULL, buf, sizeof(buf)), "");
	assert_string_equal(mc_http_media_type("image/svg+xml", buf, 6), "image");
}

static struct mc_http *
open_root(int offline, const char *http_root)
{
	struct mc_http_config cfg = { .offline = offline, .http_root = http_root };
	char err[128];
	struct mc_http *h = mc_http_acquire(&cfg, err, sizeof(err));

	assert_non_null(h);
	return h;
}

static void
test_root(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_http_request req[5];
	struct mc_http *h;
	size_t transfers, peak;

	(void)state;
	put("mta-sts.example.com/.well-known/mta-sts.txt", "version: STSv1\n", 15);
	put("img.example.com/big.svg", "0123456789abcdef", 16);
	put("img.example.com/x.pem", "a\0b", 3);
	h = open_root(1, root);
	req[0] = (struct mc_http_request){ .url =
	    "https://mta-sts.example.com/.well-known/mta-sts.txt", .max_body = 100 };
	req[1] = (struct mc_http_request){ .url = "https://img.example.com/big.svg",
	    .max_body = 10 };
	req[2] = (struct mc_http_request){ .url = "https://img.example.com/none",
	    .max_body = 10 };
	req[3] = (struct mc_http_request){ .url =
	    "https://img.example.com/../mta-sts.example.com/.well-known/mta-sts.txt",
	    .max_body = 10 };
	req[4] = (struct mc_http_request){ .url = "https://img.example.com/x.pem",
	    .max_body = 10 };
	mc_http_fetch_batch(h, NULL, 0, a, req, 5);
	assert_int_equal(req[0].resp.status, MC_HTTP_OK);
	assert_string_equal(req[0].resp.content_type, "text/plain");
	assert_string_equal((const char *)req[0].resp.body, "version: STSv1\n");
	assert_string_equal(req[0].resp.source, "http-root");
	assert_false(req[0].resp.truncated);
	/* the cap: 10 bytes kept, the rest flagged */
	assert_int_equal(req[1].resp.status, MC_HTTP_OK);
	assert_int_equal(req[1].resp.len, 10);
	assert_true(req[1].resp.truncated);
	assert_memory_equal(req[1].resp.body, "0123456789", 10);
	assert_string_equal(req[1].resp.content_type, "image/svg+xml");
	assert_int_equal(req[2].resp.status, MC_HTTP_NOTFOUND);
	assert_int_equal(req[3].resp.status, MC_HTTP_PERMFAIL);
	assert_int_equal(req[3].resp.error, MC_HTTP_E_URL);
	/* NUL bytes are kept, with the length */
	assert_int_equal(req[4].resp.len, 3);
	assert_memory_equal(req[4].resp.body, "a\0b", 3);
	/* the cache: a changed file is not read again in this process */
	put("mta-sts.example.com/.well-known/mta-sts.txt", "changed\n", 8);
	mc_http_fetch_batch(h, NULL, 0, a, req, 1);
	assert_string_equal((const char *)req[0].resp.body, "version: STSv1\n");
	/* ... but another cap is another answer */
	req[0].max_body = 99;
	mc_http_fetch_batch(h, NULL, 0, a, req, 1);
	assert_string_equal((const char *)req[0].resp.body, "changed\n");
	mc_http_stats(h, &transfers, &peak);
	assert_int_equal(transfers, 0); /* no network transfer at all */
	mc_http_release(h);
	mc_arena_free(a);
}

static void
test_offline(void **state)
{
	struct mc_arena *a = mc_arena_new();
	struct mc_http_response r;
	struct mc_http *h = open_root(1, NULL);

	(void)state;
	mc_http_fetch(h, NULL, 0, a, "https://mta-sts.example.com/x", 10, &r);
	assert_int_equal(r.status, MC_HTTP_SKIPPED);
	assert_non_null(r.why);
	assert_false(mc_http_failed(&r));
	mc_http_fetch(h, NULL, 0, a, "http://mta-sts.example.com/x", 10, &r);
	assert_int_equal(r.status, MC_HTTP_PERMFAIL);
	assert_int_equal(r.error, MC_HTTP_E_URL);
	assert_true(mc_http_failed(&r));
	mc_http_release(h);
	mc_arena_free(a);
}

int
main(void)
{
	struct CMUnitTest t[32];
	size_t n = 0;

	mc_table_add(t, &n, 32, url_rows, sizeof(url_rows) / sizeof(url_rows[0]) - 1,
	    sizeof(url_rows[0]), test_url);
	MC_TEST_ADD(t, &n, test_media_type);
	MC_TEST_ADD(t, &n, test_root);
	MC_TEST_ADD(t, &n, test_offline);
	return mc_table_run("http", t, n, setup, teardown);
}
