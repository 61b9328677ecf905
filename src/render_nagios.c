/* SPDX-License-Identifier: ISC */
/*
 * src/render_nagios.c - the report as a Nagios/Icinga plugin's output
 *
 * Follows the Monitoring Plugins Development Guidelines: a short first line
 * with the state and the worst problems, long output (one line a finding),
 * and performance data in the 'label'=value[UOM];warn;crit;min;max syntax
 * after a '|'.  Every string is escaped and '|' in text becomes '/', so
 * DNS content can neither reach the terminal raw nor forge perfdata.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/plugin.h"
#include "mailcheck/util.h"
#include "banned.h"

/* Escaped text without '|': malloc'ed, or NULL. */
static char *
clean(const char *s)
{
	char *e, *p;

	e = mc_escape_dup(s, strlen(s));
	if (e == NULL)
		return NULL;
	for (p = e; *p != '\0'; p++)
		if (*p == '|')
			*p = '/';
	return e;
}

static int
timed_out(const struct mc_result *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].id == MC_F_CHECK_TIMEOUT)
			return 1;
	return 0;
}

enum mc_status
mc_nagios_state(const struct mc_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nresults; i++)
		if (timed_out(&rep->results[i]))
			return MC_UNKNOWN;
	return rep->status;
}

const char *
mc_nagios_state_str(enum mc_status s)
{
	switch (s) {
	case MC_OK:
	case MC_INFO:
		return "OK";
	case MC_WARN:
		return "WARNING";
	case MC_CRIT:
		return "CRITICAL";
	case MC_UNKNOWN:
		return "UNKNOWN";
	}
	return "UNKNOWN";
}

/* Plugin order of severity: critical, unknown, warning, info, ok. */
static int
rank(enum mc_status s)
{
	switch (s) {
	case MC_CRIT:
		return 4;
	case MC_UNKNOWN:
		return 3;
	case MC_WARN:
		return 2;
	case MC_INFO:
		return 1;
	case MC_OK:
		return 0;
	}
	return 0;
}

struct item {
	const struct mc_result *r;
	const struct mc_finding *f;
	/* a check's DNS failures, and its repeats of one no-verdict
	   finding (a blocklist that did not answer, eight times), collapse
	   into the first: ndns counts them there (0 elsewhere), and the
	   others are skipped */
	size_t ndns;
	int skip;
	/* one failed question that several checks saw (the MX lookup, by
	   mx, rdns, dnsbl, smtp and dane) shows once: the others point at
	   the first (index + 1; 0: none) and are skipped */
	size_t same_as;
};


static void headline(char *text);


/*
 * The collapsed text of a group that is not DNS failures: the first's
 * headline and how many more there are.  malloc'ed, or NULL.
 */
static char *
repeat_summary(const struct item *first)
{
	char *h, *buf;
	size_t len;

	h = strdup(first->f->message);
	if (h == NULL)
		return NULL;
	headline(h);
	len = strlen(h) + 48;
	buf = malloc(len);
	if (buf != NULL)
		snprintf(buf, len, "%s (and %zu more like it)", h,
		    first->ndns - 1);
	free(h);
	return buf;
}

/*
 * Why a DNS failure finding failed: its brief (set by mc_finding_dns()),
 * else its message.
 */
static const char *
dns_why(const struct mc_finding *f)
{
	return f->brief != NULL ? f->brief : f->message;
}

/*
 * The collapsed text of a check's DNS failures (it[k] the first): "N DNS
 * questions failed: WHY (n), WHY (n)", the distinct reasons in order of
 * first appearance, at most three named.  malloc'ed, or NULL.
 */
static char *
dns_summary(const struct item *it, size_t n, size_t k)
{
	const char *why[3];
	size_t cnt[3] = { 0 }, nwhy = 0, other = 0, i, w, len;
	char *buf;
	int at;

	for (i = k; i < n; i++) {
		if (it[i].r != it[k].r || !mc_finding_dns_failed(it[i].f))
			continue;
		for (w = 0; w < nwhy; w++)
			if (strcmp(why[w], dns_why(it[i].f)) == 0)
				break;
		if (w < nwhy)
			cnt[w]++;
		else if (nwhy < 3) {
			why[nwhy] = dns_why(it[i].f);
			cnt[nwhy++] = 1;
		} else
			other++;
	}
	len = 64;
	for (w = 0; w < nwhy; w++)
		len += strlen(why[w]) + 32;
	buf = malloc(len);
	if (buf == NULL)
		return NULL;
	at = snprintf(buf, len, "%zu DNS questions failed: ", it[k].ndns);
	for (w = 0; w < nwhy && at > 0 && (size_t)at < len; w++)
		at += snprintf(buf + at, len - (size_t)at, "%s%s (%zu)",
		    w > 0 ? ", " : "", why[w], cnt[w]);
	if (other > 0 && at > 0 && (size_t)at < len)
		snprintf(buf + at, len - (size_t)at, ", other reasons (%zu)",
		    other);
	return buf;
}

/*
 * A collapsed group on the first line, short: "CHECK: N DNS questions
 * failed (WHY)" or "HEADLINE (xN)"; cleaned, malloc'ed, or NULL.
 */
static char *
first_line_group(const struct item *first)
{
	char *h, *buf, *c;
	size_t len;

	if (mc_finding_dns_failed(first->f))
		h = strdup(dns_why(first->f));
	else
		h = strdup(first->f->message);
	if (h == NULL)
		return NULL;
	if (!mc_finding_dns_failed(first->f))
		headline(h);
	len = strlen(h) + strlen(first->r->check) + 64;
	buf = malloc(len);
	if (buf != NULL) {
		if (mc_finding_dns_failed(first->f))
			snprintf(buf, len, "%s: %zu DNS questions failed (%s)",
			    first->r->check, first->ndns, h);
		else
			snprintf(buf, len, "%s (x%zu)", h, first->ndns);
	}
	free(h);
	if (buf == NULL)
		return NULL;
	c = clean(buf);
	free(buf);
	return c;
}

/* The one line of a collapsed group (it[k] its first); malloc'ed or NULL. */
static char *
group_summary(const struct item *it, size_t n, size_t k)
{
	return mc_finding_dns_failed(it[k].f) ? dns_summary(it, n, k) :
	    repeat_summary(&it[k]);
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (rank(x->f->severity) != rank(y->f->severity))
		return rank(x->f->severity) > rank(y->f->severity) ? -1 : 1;
	/* then report order: results are one array, each result's findings
	   another (comparing findings of different results would follow
	   the allocator, and the order would change from run to run) */
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return x->f < y->f ? -1 : x->f > y->f;
}

/*
 * The headline of a message for the first line: up to its first " (",
 * "; " or ": ", where the details begin (the long output has them).
 */
static void
headline(char *text)
{
	static const char *const seps[] = { " (", "; ", ": " };
	char *p, *cut = NULL;
	size_t i;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		p = strstr(text, seps[i]);
		if (p != NULL && p > text && (cut == NULL || p < cut))
			cut = p;
	}
	if (cut != NULL)
		*cut = '\0';
}

/* Every finding of the report, worst first; *n set.  NULL: no memory. */
static struct item *
sorted_findings(const struct mc_report *rep, size_t *n)
{
	struct item *it;
	size_t i, j, count = 0;

	for (i = 0; i < rep->nresults; i++)
		count += rep->results[i].nfindings;
	it = calloc(count > 0 ? count : 1, sizeof(*it));
	if (it == NULL)
		return NULL;
	count = 0;
	for (i = 0; i < rep->nresults; i++)
		for (j = 0; j < rep->results[i].nfindings; j++) {
			it[count].r = &rep->results[i];
			it[count].f = &rep->results[i].findings[j];
			count++;
		}
	qsort(it, count, sizeof(*it), cmp_item);
	/* one line for all the DNS failures of a check, and one for the
	   repeats of any other finding without a verdict */
	for (i = 0; i < count; i++) {
		if (it[i].skip || (!mc_finding_dns_failed(it[i].f) &&
		    it[i].f->severity != MC_UNKNOWN))
			continue;
		it[i].ndns = 1;
		for (j = i + 1; j < count; j++)
			if (it[j].r == it[i].r && !it[j].skip &&
			    mc_findings_collapse(it[i].f, it[j].f)) {
				it[j].skip = 1;
				it[i].ndns++;
			}
	}
	/* one failed question seen by several checks: once */
	for (i = 0; i < count; i++) {
		if (it[i].skip || !mc_finding_dns_failed(it[i].f) ||
		    it[i].f->subject == NULL)
			continue;
		for (j = i + 1; j < count; j++)
			if (!it[j].skip && it[j].r != it[i].r &&
			    it[j].ndns <= 1 && it[j].f->id == it[i].f->id &&
			    it[j].f->subject != NULL &&
			    strcmp(it[j].f->subject, it[i].f->subject) == 0) {
				it[j].skip = 1;
				it[j].same_as = i + 1;
			}
	}
	*n = count;
	return it;
}

/* " (also seen by CHECK, ...)" for it[k], when other checks saw it. */
static void
also_seen(FILE *out, const struct item *it, size_t n, size_t k)
{
	size_t j, shown = 0;

	for (j = k + 1; j < n; j++) {
		if (it[j].same_as != k + 1)
			continue;
		fputs(shown++ == 0 ? " (also seen by " : ", ", out);
		fputs(it[j].r->check, out);
	}
	if (shown > 0)
		fputc(')', out);
}

/* Append s to buf (length *len, size size) if it fits; 1 if it did. */
static int
append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		return 0;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 1;
}

void
mc_nagios_first_line(const struct mc_report *rep,
    const struct mc_nagios_opts *o, char *buf, size_t size)
{
	enum mc_status state = mc_nagios_state(rep);
	struct item *it = NULL;
	char more[32], *dom, *text;
	size_t i, k, n = 0, len, limit, shown = 0, problems = 0, notes = 0;

	if (size == 0)
		return;
	limit = size < MC_NAGIOS_LINE_MAX + 1 ? size : MC_NAGIOS_LINE_MAX + 1;
	dom = clean(rep->domain != NULL ? rep->domain : "");
	snprintf(buf, limit, "MAILCHECK %s - %s: ", mc_nagios_state_str(state),
	    dom != NULL ? dom : "?");
	free(dom);
	len = strlen(buf);

	for (i = 0; i < rep->nresults && !timed_out(&rep->results[i]); i++)
		;
	if (i < rep->nresults) {
		/* a timeout outranks what the finished checks found */
		snprintf(more, sizeof(more), "timeout after %gs,", o->timeout);
		append(buf, limit, &len, more);
		append(buf, limit, &len, " unfinished:");
		for (i = 0; i < rep->nresults; i++) {
			if (!timed_out(&rep->results[i]))
				continue;
			/* " name", keeping room for " ..." */
			if (len + 1 + strlen(rep->results[i].check) + 4 >=
			    limit) {
				append(buf, limit, &len, " ...");
				break;
			}
			append(buf, limit, &len, " ");
			append(buf, limit, &len, rep->results[i].check);
		}
		return;
	}
	it = sorted_findings(rep, &n);
	if (it == NULL) {
		append(buf, limit, &len, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		if (it[i].skip)
			continue;
		if (it[i].f->severity >= MC_WARN)
			problems++;
		else if (it[i].f->severity == MC_INFO)
			notes++;
	}
	if (problems == 0) {
		snprintf(more, sizeof(more), "%zu check%s ok", rep->nresults,
		    rep->nresults == 1 ? "" : "s");
		append(buf, limit, &len, more);
		if (notes > 0) {
			snprintf(more, sizeof(more), ", %zu note%s", notes,
			    notes == 1 ? "" : "s");
			append(buf, limit, &len, more);
		}
		free(it);
		return;
	}
	for (i = 0, k = 0; k < problems && i < n; i++) {
		size_t room, tail, sep = shown > 0 ? 2 : 0;

		if (it[i].skip)
			continue;
		k++;
		if (it[i].ndns > 1) {
			text = first_line_group(&it[i]);
		} else {
			text = clean(it[i].f->message);
			if (text != NULL)
				headline(text);
		}
		if (text == NULL)
			break;
		/* keep room for " (+N more)" when others follow */
		tail = k < problems ? (size_t)snprintf(more, sizeof(more),
		    " (+%zu more)", problems - shown - 1) : 0;
		room = limit - 1 - len;
		if (sep + strlen(text) + tail > room && it[i].f->brief != NULL &&
		    it[i].ndns <= 1 && !mc_finding_dns_failed(it[i].f)) {
			/* the finding's few words instead */
			free(text);
			text = clean(it[i].f->brief);
			if (text == NULL)
				break;
		}
		if (sep + strlen(text) + tail <= room) {
			if (shown > 0)
				append(buf, limit, &len, "; ");
			append(buf, limit, &len, text);
			shown++;
		} else if (shown == 0 && room > tail + 4) {
			/* the worst problem, shortened */
			text[room - tail - 3] = '\0';
			append(buf, limit, &len, text);
			append(buf, limit, &len, "...");
			shown++;
		}
		free(text);
		if (shown < k)
			break;
	}
	if (shown < problems) {
		snprintf(more, sizeof(more), " (+%zu more)", problems - shown);
		append(buf, limit, &len, more);
	}
	free(it);
}

static const char *
tag(enum mc_status s)
{
	switch (s) {
	case MC_OK:
		return "[OK]";
	case MC_INFO:
		return "[INFO]";
	case MC_WARN:
		return "[WARNING]";
	case MC_CRIT:
		return "[CRITICAL]";
	case MC_UNKNOWN:
		return "[UNKNOWN]";
	}
	return "[?]";
}

/* Print s cleaned. */
static void
put(FILE *out, const char *s)
{
	char *c;

	c = clean(s);
	fputs(c != NULL ? c : "(out of memory)", out);
	free(c);
}

/* A perfdata number: digits, '.', '-' only (no exponent). */
static void
put_number(FILE *out, double v)
{
	char buf[64];
	size_t n;

	if (!isfinite(v))
		v = 0;
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(out, "%.0f", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.6f", v);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	fputs(buf, out);
}

/* The first range given for label at severity sev, or "". */
static const char *
range_for(const struct mc_nagios_opts *o, const char *label,
    enum mc_status sev)
{
	size_t i;

	for (i = 0; i < o->nthresholds; i++)
		if (o->thresholds[i].severity == sev &&
		    strcmp(o->thresholds[i].metric, label) == 0)
			return o->thresholds[i].range.text;
	return "";
}

static void
long_output(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o, const struct item *it, size_t n)
{
	const struct mc_finding_def *def;
	const char *hint;
	char *data;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (it[i].skip ||
		    (it[i].f->severity < MC_WARN && o->verbose < 1))
			continue;
		def = mc_finding_def(it[i].f->id);
		fprintf(out, "%s %s: ", tag(it[i].f->severity), it[i].r->check);
		if (it[i].ndns > 1) {
			char *sum = group_summary(it, n, i);

			put(out, sum != NULL ? sum : "(out of memory)");
			free(sum);
			fprintf(out, " (%s, first at ", def->code);
			put(out, it[i].f->subject != NULL ?
			    it[i].f->subject : "?");
			fputs(")\n", out);
			continue;
		}
		put(out, it[i].f->message);
		fprintf(out, " (%s", def->code);
		if (it[i].f->subject != NULL) {
			fputs(" at ", out);
			put(out, it[i].f->subject);
		}
		fputc(')', out);
		also_seen(out, it, n, i);
		fputc('\n', out);
		if (o->verbose < 2)
			continue;
		hint = it[i].f->hint != NULL ? it[i].f->hint : def->hint;
		if (hint != NULL) {
			fputs("    fix: ", out);
			put(out, hint);
			fputc('\n', out);
		}
		if (*def->spec != '\0')
			fprintf(out, "    see: %s\n", def->spec);
	}
	for (i = 0; i < rep->nresults; i++) {
		const struct mc_result *r = &rep->results[i];

		/* passing checks always get a line; the others at -v */
		if (o->verbose < 1 && r->status > MC_INFO)
			continue;
		fprintf(out, "%s %s", tag(r->status), r->check);
		if (r->summary != NULL) {
			fputs(": ", out);
			put(out, r->summary);
		}
		fprintf(out, " (%ld ms)\n", r->duration_ms);
		if (o->verbose >= 3 && r->data != NULL) {
			data = json_dumps(r->data, JSON_COMPACT |
			    JSON_PRESERVE_ORDER);
			if (data != NULL) {
				fputs("    data: ", out);
				put(out, data);
				fputc('\n', out);
				free(data);
			}
		}
		for (j = 0; o->verbose >= 3 && j < r->nmetrics; j++) {
			fprintf(out, "    metric %s: ", r->metrics[j].name);
			put_number(out, r->metrics[j].value);
			fputc('\n', out);
		}
	}
}

static void
perfdata(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o)
{
	char label[MC_METRIC_NAME_MAX];
	const char *warn, *crit;
	size_t i, j;

	fprintf(out, "| 'time'=%.3fs;%s;%s;0", o->elapsed,
	    range_for(o, "time", MC_WARN), range_for(o, "time", MC_CRIT));
	for (i = 0; i < rep->nresults; i++) {
		const struct mc_result *r = &rep->results[i];

		/*
		 * A check without a verdict (failed lookups, the deadline)
		 * knows its numbers only in part: they are left out rather
		 * than given as 0 (or U, which graphs would draw as a gap
		 * just the same).
		 */
		if (r->status == MC_UNKNOWN || timed_out(r))
			continue;
		for (j = 0; j < r->nmetrics; j++) {
			if (mc_metric_label(r->check, r->metrics[j].name, label,
			    sizeof(label)) == -1)
				continue;
			fprintf(out, " '%s'=", label);
			put_number(out, r->metrics[j].value);
			warn = range_for(o, label, MC_WARN);
			crit = range_for(o, label, MC_CRIT);
			/* trailing empty fields may be dropped */
			if (*crit != '\0')
				fprintf(out, ";%s;%s", warn, crit);
			else if (*warn != '\0')
				fprintf(out, ";%s", warn);
		}
	}
	fputc('\n', out);
}

int
mc_render_nagios(FILE *out, const struct mc_report *rep,
    const struct mc_nagios_opts *o)
{
	char first[MC_NAGIOS_LINE_MAX + 1];
	struct item *it;
	size_t n = 0;

	mc_nagios_first_line(rep, o, first, sizeof(first));
	fputs(first, out);
	fputc('\n', out);
	it = sorted_findings(rep, &n);
	if (it != NULL)
		long_output(out, rep, o, it, n);
	free(it);
	perfdata(out, rep, o);
	return ferror(out) ? -1 : 0;
}
