/* SPDX-License-Identifier: ISC */
/*
 * src/cli/verify_cmd.c - `mailcheck verify`: authenticate one message as a
 * receiver would
 *
 * Reads the message (src/message.c), verifies its DKIM signatures
 * (src/dkim_verify.c) and its ARC chain (src/arc_verify.c), runs SPF's check_host() when --ip gives the
 * client (src/spf_eval.c), and evaluates DMARC for the From domain
 * (src/dmarc_align.c); all DNS goes through one session of the DNS layer,
 * so -z and -r work as for every command.  Output: text (with --explain
 * each DKIM step as the seed's owner did it with openssl), a JSON document
 * (docs/verify.schema.json), and an RFC 8601 Authentication-Results field.
 * Exit codes: 0 DMARC pass (or no policy and a DKIM pass), 1 none or
 * neutral, 2 fail or permerror, 3 temperror or bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mailcheck/addr.h"
#include "mailcheck/arc_verify.h"
#include "mailcheck/dkim_verify.h"
#include "mailcheck/dmarc_align.h"
#include "mailcheck/dmarc_record.h"
#include "mailcheck/escape.h"
#include "mailcheck/message.h"
#include "mailcheck/report.h"
#include "mailcheck/spf.h"
#include "banned.h"

static const char verify_usage[] =
"usage: mailcheck verify [OPTIONS] FILE|-\n"
"\n"
"Authenticates one RFC 5322 message as a receiver would: every DKIM\n"
"signature (RFC 6376, RFC 8301, RFC 8463), the ARC chain (RFC 8617), SPF\n"
"for --ip (RFC 7208) and DMARC for the From domain (RFC 7489, RFC 9989),\n"
"with an RFC 8601 Authentication-Results field.  FILE - reads standard\n"
"input.\n"
"\n"
"  -i, --ip ADDR                the connecting client's address (runs SPF)\n"
"      --helo NAME              the HELO/EHLO name (SPF)\n"
"      --mail-from ADDR         the MAIL FROM address (SPF; default: the\n"
"                               Return-Path field)\n"
"      --authserv-id NAME       authserv-id of Authentication-Results\n"
"                               (default mailcheck)\n"
"      --explain                show each DKIM step: canonical body, body\n"
"                               hash, signed header block, key, result\n"
"      --max-size BYTES         refuse a larger message (default 67108864)\n"
"      --now SECONDS            the time to judge t= and x= at (epoch)\n"
MC_CLI_DNS_HELP
"  -f, --format FORMAT          text (default on a terminal) | json\n"
MC_CLI_TIMEOUT_HELP
"  -h, --help                   print this help and exit\n"
"\n"
"Exit codes: 0 DMARC pass (or no DMARC policy and a DKIM signature passes),\n"
"1 none or neutral, 2 fail or permerror, 3 temperror or bad usage.\n";

struct verify_opts {
	const char *ip, *helo, *mail_from, *authserv, *file;
	int json, explain;
	size_t max_size;
	long long now;
};

struct verify_run {
	struct mc_message msg;
	struct mc_dkim_verdict *v;
	size_t nv;
	int spf_done;
	struct mc_spf_outcome spf;
	enum mc_auth_result spf_result;
	const char *spf_sender;
	struct mc_dmarc_eval dmarc;
	struct mc_arc_chain arc;
	const char *ar;
	int code;
};

static enum mc_auth_result
spf_auth(enum mc_spf_result r)
{
	switch (r) {
	case MC_SPF_PASS: return MC_AUTH_PASS;
	case MC_SPF_FAIL: return MC_AUTH_FAIL;
	case MC_SPF_SOFTFAIL: return MC_AUTH_SOFTFAIL;
	case MC_SPF_NEUTRAL: return MC_AUTH_NEUTRAL;
	case MC_SPF_TEMPERROR: return MC_AUTH_TEMPERROR;
	case MC_SPF_PERMERROR: return MC_AUTH_PERMERROR;
	default: return MC_AUTH_NONE;
	}
}

/* s made safe for an RFC 8601 comment or value: printable ASCII without
   parentheses, backslashes, quotes or semicolons (arena). */
static const char *
ar_safe(struct mc_arena *a, const char *s)
{
	char *o;
	size_t i;

	if (s == NULL)
		return "";
	o = mc_arena_strdup(a, s);
	if (o == NULL)
		return "";
	for (i = 0; o[i] != '\0'; i++)
		if (o[i] < 0x21 || o[i] > 0x7e || strchr("()\\\";", o[i]))
			o[i] = o[i] == ' ' ? ' ' : '_';
	return o;
}

/* The Authentication-Results field (RFC 8601 2.2), arena. */
static const char *
auth_results(struct mc_arena *a, const struct verify_opts *o,
    const struct verify_run *r)
{
	const char *s;
	size_t k;

	s = mc_arena_printf(a, "Authentication-Results: %s",
	    ar_safe(a, o->authserv));
	if (r->nv == 0)
		s = mc_arena_printf(a, "%s;\r\n\tdkim=none", s);
	for (k = 0; k < r->nv && s != NULL; k++) {
		const struct mc_dkim_verdict *v = &r->v[k];

		s = mc_arena_printf(a, "%s;\r\n\tdkim=%s%s%s%s", s,
		    mc_auth_result_str(v->result),
		    v->reason != NULL ? " (" : "",
		    v->reason != NULL ? ar_safe(a, v->reason) : "",
		    v->reason != NULL ? ")" : "");
		if (s != NULL && v->domain != NULL)
			s = mc_arena_printf(a, "%s header.d=%s", s,
			    ar_safe(a, v->domain));
		if (s != NULL && v->selector != NULL)
			s = mc_arena_printf(a, "%s header.s=%s", s,
			    ar_safe(a, v->selector));
		if (s != NULL && v->b_prefix != NULL && *v->b_prefix != '\0')
			s = mc_arena_printf(a, "%s header.b=%s", s,
			    ar_safe(a, v->b_prefix));
	}
	if (s != NULL && r->spf_done)
		s = mc_arena_printf(a, "%s;\r\n\tspf=%s smtp.mailfrom=%s%s%s",
		    s, mc_auth_result_str(r->spf_result),
		    ar_safe(a, r->spf_sender != NULL && *r->spf_sender != '\0' ?
		    r->spf_sender : r->spf.domain),
		    o->helo != NULL ? " smtp.helo=" : "",
		    o->helo != NULL ? ar_safe(a, o->helo) : "");
	if (s != NULL)
		s = mc_arena_printf(a, "%s;\r\n\tarc=%s", s,
		    mc_auth_result_str(r->arc.result));
	if (s != NULL && r->arc.nset > 0)
		s = mc_arena_printf(a, "%s (%zu set%s)", s,
		    r->arc.nset, r->arc.nset > 1 ? "s" : "");
	if (s != NULL)
		s = mc_arena_printf(a, "%s;\r\n\tdmarc=%s", s,
		    mc_auth_result_str(r->dmarc.result));
	if (s != NULL && r->dmarc.policy != MC_DMARC_UNSET)
		s = mc_arena_printf(a, "%s (p=%s dis=%s)", s,
		    mc_dmarc_policy_str(r->dmarc.policy),
		    r->dmarc.disposition);
	if (s != NULL && r->dmarc.from_domain != NULL)
		s = mc_arena_printf(a, "%s header.from=%s", s,
		    ar_safe(a, r->dmarc.from_domain));
	return s;
}

static int
exit_code(const struct verify_run *r)
{
	size_t k;
	int temp = 0;

	switch (r->dmarc.result) {
	case MC_AUTH_PASS:
		return 0;
	case MC_AUTH_FAIL:
	case MC_AUTH_PERMERROR:
		return 2;
	case MC_AUTH_TEMPERROR:
		return 3;
	default:
		break;
	}
	for (k = 0; k < r->nv; k++) {
		if (r->v[k].result == MC_AUTH_PASS)
			return 0;
		temp |= r->v[k].result == MC_AUTH_TEMPERROR;
	}
	return temp ? 3 : 1;
}

static void
put(const char *label, const char *s)
{
	fputs(label, stdout);
	mc_escape_fputs(stdout, s != NULL ? s : "-", s != NULL ? strlen(s) :
	    1);
	fputc('\n', stdout);
}

/* The signed header block, one canonical line a row, escaped. */
static void
put_block(const char *p, size_t len)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) + 1 : len;
		fputs("      ", stdout);
		mc_escape_fputs(stdout, p, n - (n >= 2 && p[n - 1] == '\n' &&
		    p[n - 2] == '\r' ? 2 : 0));
		fputc('\n', stdout);
		p += n;
		len -= n;
	}
}

static void
print_arc(const struct mc_arc_chain *c)
{
	size_t k;

	printf("arc:     %s\n", mc_auth_result_str(c->result));
	if (c->reason != NULL && c->result != MC_AUTH_NONE)
		put("  reason:  ", c->reason);
	for (k = 0; k < c->nset; k++) {
		const struct mc_arc_set *s = &c->set[k];

		printf("  i=%d seal %s cv=%s d=", s->instance,
		    mc_auth_result_str(s->seal.result), s->cv);
		mc_escape_fputs(stdout, s->domain, strlen(s->domain));
		if (s->ams_checked)
			printf(", message signature %s",
			    mc_auth_result_str(s->ams.result));
		fputc('\n', stdout);
		if (s->authserv_id != NULL) {
			fputs("    ", stdout);
			mc_escape_fputs(stdout, s->authserv_id,
			    strlen(s->authserv_id));
			put(" said: ", s->results);
		}
	}
}

static void
print_text(const struct verify_opts *o, const struct verify_run *r)
{
	size_t k;

	if (r->nv == 0)
		printf("dkim:    none (the message has no DKIM-Signature)\n");
	for (k = 0; k < r->nv; k++) {
		const struct mc_dkim_verdict *v = &r->v[k];

		printf("dkim:    %s", mc_auth_result_str(v->result));
		fputs(" d=", stdout);
		mc_escape_fputs(stdout, v->domain != NULL ? v->domain : "?",
		    v->domain != NULL ? strlen(v->domain) : 1);
		fputs(" s=", stdout);
		mc_escape_fputs(stdout, v->selector != NULL ? v->selector :
		    "?", v->selector != NULL ? strlen(v->selector) : 1);
		if (v->algorithm != NULL)
			printf(" a=%s c=%s", v->algorithm, v->canon);
		fputc('\n', stdout);
		if (v->reason != NULL)
			put("  reason:  ", v->reason);
		if (v->warning != NULL)
			put("  warning: ", v->warning);
		if (v->testing)
			put("  note:    ", "the key is in testing mode (t=y)");
		if (!o->explain)
			continue;
		if (v->ex.bh_computed != NULL) {
			printf("  1. canonical body: %zu bytes, %zu hashed\n",
			    v->ex.body_total, v->ex.body_len);
			put("     first line: ", v->ex.body_first);
			put("     last line:  ", v->ex.body_last);
			put("  2. body hash computed: ", v->ex.bh_computed);
		}
		if (v->ex.headers != NULL) {
			printf("  3. signed header block (%zu bytes, b= "
			    "emptied):\n", v->ex.headers_len);
			put_block(v->ex.headers, v->ex.headers_len);
		}
		if (v->ex.key_name != NULL)
			put("  4. key at: ", v->ex.key_name);
		if (v->ex.key_record != NULL) {
			put("     record: ", v->ex.key_record);
			printf("     key: %s, %d bits\n", v->ex.key_type != NULL
			    ? v->ex.key_type : "unreadable", v->ex.key_bits);
		}
		printf("  5. result: %s\n", mc_auth_result_str(v->result));
	}
	if (r->spf_done) {
		printf("spf:     %s", mc_auth_result_str(r->spf_result));
		fputs(" domain=", stdout);
		mc_escape_fputs(stdout, r->spf.domain, strlen(r->spf.domain));
		fputc('\n', stdout);
		if (r->spf.reason != NULL)
			put("  reason:  ", r->spf.reason);
	} else
		printf("spf:     not evaluated (give --ip)\n");
	print_arc(&r->arc);
	printf("dmarc:   %s", mc_auth_result_str(r->dmarc.result));
	if (r->dmarc.from_domain != NULL) {
		fputs(" from=", stdout);
		mc_escape_fputs(stdout, r->dmarc.from_domain,
		    strlen(r->dmarc.from_domain));
	}
	if (r->dmarc.policy != MC_DMARC_UNSET)
		printf(" policy=%s disposition=%s",
		    mc_dmarc_policy_str(r->dmarc.policy),
		    r->dmarc.disposition);
	fputc('\n', stdout);
	if (r->dmarc.reason != NULL)
		put("  reason:  ", r->dmarc.reason);
	if (r->ar != NULL) {
		const char *p;

		for (p = r->ar; *p != '\0'; p++)
			if (*p != '\r')
				fputc(*p, stdout);
		fputc('\n', stdout);
	}
}

static json_t *
jstr(const char *s)
{
	return s != NULL ? mc_json_dns_string(s, strlen(s)) : json_null();
}

static json_t *
explain_json(const struct mc_dkim_verdict *v)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
	    "body_length", (json_int_t)v->ex.body_total,
	    "body_hashed", (json_int_t)v->ex.body_len,
	    "body_first_line", jstr(v->ex.body_first),
	    "body_last_line", jstr(v->ex.body_last),
	    "body_hash", jstr(v->ex.bh_computed),
	    "signed_headers", v->ex.headers != NULL ?
	    mc_json_dns_string(v->ex.headers, v->ex.headers_len) : json_null(),
	    "key_name", jstr(v->ex.key_name),
	    "key_record", jstr(v->ex.key_record),
	    "key_bits", (json_int_t)v->ex.key_bits,
	    "key_type", jstr(v->ex.key_type));
}

static json_t *
arc_json(const struct mc_arc_chain *c)
{
	json_t *sets = json_array();
	size_t k;

	for (k = 0; k < c->nset; k++) {
		const struct mc_arc_set *s = &c->set[k];

		json_array_append_new(sets, json_pack("{s:i, s:o, s:o, s:s, "
		    "s:o, s:s, s:o, s:o, s:o}",
		    "instance", s->instance,
		    "authserv_id", jstr(s->authserv_id),
		    "results", jstr(s->results),
		    "cv", s->cv,
		    "domain", jstr(s->domain),
		    "seal", mc_auth_result_str(s->seal.result),
		    "seal_reason", jstr(s->seal.reason),
		    "message_signature", s->ams_checked ?
		    json_string(mc_auth_result_str(s->ams.result)) : json_null(),
		    "message_signature_reason", jstr(s->ams.reason)));
	}
	return json_pack("{s:s, s:o, s:o}", "result",
	    mc_auth_result_str(c->result), "reason", jstr(c->reason),
	    "sets", sets);
}

static int
print_json(const struct verify_opts *o, const struct verify_run *r)
{
	json_t *doc, *dkim, *sig;
	size_t k;
	int rc;

	dkim = json_array();
	for (k = 0; k < r->nv; k++) {
		const struct mc_dkim_verdict *v = &r->v[k];

		sig = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
		    "s:b, s:o}",
		    "result", mc_auth_result_str(v->result),
		    "reason", jstr(v->reason),
		    "domain", jstr(v->domain),
		    "selector", jstr(v->selector),
		    "identity", jstr(v->identity),
		    "algorithm", jstr(v->algorithm),
		    "canonicalization", jstr(v->canon),
		    "body_length_limit", v->l >= 0 ?
		    json_integer((json_int_t)v->l) : json_null(),
		    "testing", v->testing,
		    "warning", jstr(v->warning));
		if (sig != NULL && o->explain)
			json_object_set_new(sig, "explain", explain_json(v));
		json_array_append_new(dkim, sig);
	}
	doc = json_pack("{s:i, s:s, s:{s:I, s:I, s:I, s:b, s:I}, s:o, s:o, s:o, "
	    "s:{s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:i, s:b, s:s#, s:s#, "
	    "s:o, s:o, s:s}, s:o, s:i}",
	    "schema_version", 1,
	    "mailcheck_version", MC_VERSION,
	    "message",
	    "size", (json_int_t)r->msg.len,
	    "header_fields", (json_int_t)r->msg.nfield,
	    "body_size", (json_int_t)r->msg.bodylen,
	    "mbox_from_line", r->msg.mbox_from,
	    "bare_lf_fixed", (json_int_t)r->msg.lf_fixed,
	    "dkim", dkim,
	    "arc", arc_json(&r->arc),
	    "spf", !r->spf_done ? json_null() :
	    json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
	    "result", mc_auth_result_str(r->spf_result),
	    "domain", jstr(r->spf.domain),
	    "ip", jstr(o->ip),
	    "helo", jstr(o->helo),
	    "mail_from", jstr(r->spf_sender),
	    "reason", jstr(r->spf.reason)),
	    "dmarc",
	    "result", mc_auth_result_str(r->dmarc.result),
	    "reason", jstr(r->dmarc.reason),
	    "from_domain", jstr(r->dmarc.from_domain),
	    "policy_domain", jstr(r->dmarc.policy_domain),
	    "record", jstr(r->dmarc.record),
	    "policy", r->dmarc.policy == MC_DMARC_UNSET ? "none applied" :
	    mc_dmarc_policy_str(r->dmarc.policy),
	    "org_domain", jstr(r->dmarc.org_domain),
	    "pct", r->dmarc.pct,
	    "testing", r->dmarc.testing,
	    "adkim", &r->dmarc.adkim, (size_t)1,
	    "aspf", &r->dmarc.aspf, (size_t)1,
	    "dkim_aligned", jstr(r->dmarc.dkim_aligned),
	    "spf_aligned", jstr(r->dmarc.spf_aligned),
	    "disposition", r->dmarc.disposition,
	    "authentication_results", jstr(r->ar),
	    "exit_code", r->code);
	if (doc == NULL)
		return -1;
	rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
	return rc;
}

/* The Return-Path address (angle brackets removed), or NULL. */
static const char *
return_path(struct mc_arena *a, const struct mc_message *m)
{
	size_t k, n;
	char *u;

	for (k = 0; k < m->nfield; k++)
		if (mc_msg_field_is(&m->field[k], "Return-Path")) {
			u = mc_message_unfold(a, &m->field[k]);
			if (u == NULL)
				return NULL;
			if (*u == '<')
				u++;
			n = strcspn(u, ">");
			u[n] = '\0';
			return u;
		}
	return NULL;
}

static int
run_spf(struct mc_dns_session *s, struct mc_arena *a,
    const struct verify_opts *o, struct verify_run *r)
{
	struct mc_spf_request req = { 0 };
	char err[256];

	r->spf_sender = o->mail_from != NULL ? o->mail_from :
	    return_path(a, &r->msg);
	req.ip = o->ip;
	req.helo = o->helo;
	req.sender = r->spf_sender;
	if ((req.sender == NULL || strchr(req.sender, '@') == NULL) &&
	    (req.helo == NULL || *req.helo == '\0'))
		return mc_cli_error("%s", "SPF needs a domain: give "
		    "--mail-from or --helo (the message has no Return-Path)");
	if (mc_spf_check_host(s, a, &req, &r->spf, err, sizeof(err)) == -1)
		return mc_cli_error("%s", err);
	json_decref(r->spf.trace);
	r->spf.trace = NULL;
	r->spf_done = 1;
	r->spf_result = spf_auth(r->spf.result);
	return 0;
}

static int
parse_count(const char *s, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct verify_opts *o,
    struct mc_cli_dns *dopts)
{
	enum { OPT_HELO = 256, OPT_MAIL_FROM, OPT_AUTHSERV, OPT_EXPLAIN,
	    OPT_MAX_SIZE, OPT_NOW };
	static const struct option longopts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, OPT_HELO },
		{ "mail-from", required_argument, NULL, OPT_MAIL_FROM },
		{ "authserv-id", required_argument, NULL, OPT_AUTHSERV },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mc_cli_getopt opts = {
		.argc = argc, .argv = argv, .shortopts = "i:f:h",
		.longopts = longopts, .dns = dopts,
	};
	long long v;
	int c;

	while ((c = mc_cli_getopt(&opts)) != -1) {
		switch (c) {
		case 'i':
			if (!mc_is_ip_literal(optarg) || optarg[0] == '[') {
				mc_cli_usage_error("invalid IP address '%s'",
				    optarg);
				return -1;
			}
			o->ip = optarg;
			break;
		case OPT_HELO:
			o->helo = optarg;
			break;
		case OPT_MAIL_FROM:
			o->mail_from = optarg;
			break;
		case OPT_AUTHSERV:
			o->authserv = optarg;
			break;
		case OPT_EXPLAIN:
			o->explain = 1;
			break;
		case OPT_MAX_SIZE:
			if (parse_count(optarg, 1LL << 40, &v) == -1 || v == 0) {
				mc_cli_usage_error("invalid size '%s' (bytes)",
				    optarg);
				return -1;
			}
			o->max_size = (size_t)v;
			break;
		case OPT_NOW:
			if (parse_count(optarg, 1LL << 40, &o->now) == -1) {
				mc_cli_usage_error("invalid time '%s' (seconds "
				    "since 1970)", optarg);
				return -1;
			}
			break;
		case 'f':
			if (mc_cli_text_or_json(optarg, &o->json) == -1)
				return -1;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			return 1;
		default: /* MC_CLI_TOLD */
			return -1;
		}
	}
	if (optind != argc - 1) {
		mc_cli_usage_error("%s", optind == argc ? "no message given "
		    "(FILE, or - for standard input)" : "more than one message "
		    "given");
		return -1;
	}
	o->file = argv[optind];
	if ((o->helo != NULL || o->mail_from != NULL) && o->ip == NULL) {
		mc_cli_usage_error("%s", "--helo and --mail-from need --ip");
		return -1;
	}
	return mc_cli_dns_ready(dopts) == -1 ? -1 : 0;
}

static int
read_message(const struct verify_opts *o, struct mc_message *m)
{
	char err[512];
	FILE *f;
	int rc;

	if (strcmp(o->file, "-") == 0)
		f = stdin;
	else if ((f = fopen(o->file, "rb")) == NULL)
		return mc_cli_error("cannot open '%s'", o->file);
	rc = mc_message_read(f, o->max_size, m, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc == -1)
		return mc_cli_error("%s: %s", o->file, err);
	return 0;
}

int
mc_cli_verify(int argc, char **argv)
{
	struct verify_opts o = { .authserv = "mailcheck",
	    .json = !isatty(STDOUT_FILENO), .now = -1 };
	struct verify_run r = { 0 };
	struct mc_cli_dns dopts;
	struct mc_arena *arena = NULL;
	struct mc_dns *dns = NULL;
	struct mc_dns_session *session = NULL;
	psl_ctx_t *psl = NULL;
	const char *from = NULL, *from_why = NULL;
	double start;
	int rc = MC_CLI_EXIT_USAGE, p;

	start = mc_now();
	mc_cli_voice("mailcheck verify", 0);
	mc_cli_dns_init(&dopts);
	p = parse_args(argc, argv, &o, &dopts);
	if (p != 0)
		return p == 1 ? mc_cli_finish(0) : MC_CLI_EXIT_USAGE;
	if (o.now < 0)
		o.now = (long long)time(NULL);
	if (read_message(&o, &r.msg) != 0)
		return MC_CLI_EXIT_USAGE;
	dns = mc_cli_dns_open(&dopts);
	if (dns == NULL)
		goto out;
	session = mc_dns_session_begin(dns, start + dopts.timeout);
	arena = mc_arena_new();
	if (arena == NULL || session == NULL) {
		mc_cli_error("out of memory");
		goto out;
	}
	psl = mc_dmarc_psl_load();
	if (mc_dkim_verify(session, arena, &r.msg, o.now, &r.v, &r.nv) == -1) {
		mc_cli_error("out of memory");
		goto out;
	}
	if (mc_arc_verify(session, arena, &r.msg, o.now, &r.arc) == -1) {
		mc_cli_error("out of memory");
		goto out;
	}
	if (o.ip != NULL && run_spf(session, arena, &o, &r) != 0)
		goto out;
	if (mc_dmarc_from_domain(arena, &r.msg, &from, &from_why) == -1 ||
	    mc_dmarc_evaluate(session, arena, psl, from, from_why, r.v, r.nv,
	    r.spf_done ? r.spf.domain : NULL, r.spf_result, &r.dmarc) == -1) {
		mc_cli_error("out of memory");
		goto out;
	}
	r.ar = auth_results(arena, &o, &r);
	r.code = exit_code(&r);
	if (o.json) {
		if (print_json(&o, &r) == -1) {
			mc_cli_error("cannot write JSON");
			goto out;
		}
	} else
		print_text(&o, &r);
	rc = r.code;
out:
	mc_dmarc_psl_free(psl);
	mc_arena_free(arena);
	mc_dns_session_end(session);
	mc_dns_free(dns);
	mc_message_release(&r.msg);
	return mc_cli_finish(rc);
}
