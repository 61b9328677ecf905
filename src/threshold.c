/* SPDX-License-Identifier: ISC */
/*
 * src/threshold.c - threshold ranges (Monitoring Plugins guidelines) and
 * applying --warning/--critical to a report
 *
 * One parser for every range: mc_range_parse().  The guidelines' syntax is
 * "[@][START:]END" with "~" for minus infinity and an empty END for plus
 * infinity; see include/mailcheck/threshold.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/check.h"
#include "mailcheck/threshold.h"
#include "banned.h"

/* A finite number filling all of s[0..len). */
static int
parse_number(const char *s, size_t len, double *out)
{
	char buf[MC_RANGE_TEXT_MAX], *end;
	double v;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* strtod takes "inf", "nan", hex and leading blanks: only decimals */
	if (strspn(buf, "+-0123456789.eE") != len)
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (errno != 0 || end != buf + len || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
mc_range_parse(const char *s, struct mc_range *r, char *err, size_t errsize)
{
	const char *p = s, *colon;
	size_t len;

	memset(r, 0, sizeof(*r));
	len = strlen(s);
	if (len == 0) {
		snprintf(err, errsize, "empty range");
		return -1;
	}
	if (len >= sizeof(r->text)) {
		snprintf(err, errsize, "range '%.20s...' is too long", s);
		return -1;
	}
	memcpy(r->text, s, len + 1);
	if (*p == '@') {
		r->inside = 1;
		p++;
	}
	colon = strchr(p, ':');
	if (colon == NULL) {
		if (parse_number(p, strlen(p), &r->end) == -1) {
			snprintf(err, errsize, "invalid range '%s' (expected "
			    "[@][START:]END, e.g. 10, 10:, ~:10, 10:20, @10:20)", s);
			return -1;
		}
	} else {
		if (strchr(colon + 1, ':') != NULL) {
			snprintf(err, errsize, "invalid range '%s' (more than "
			    "one ':')", s);
			return -1;
		}
		if (colon - p == 1 && *p == '~')
			r->start_inf = 1;
		else if (colon == p)
			r->start = 0;
		else if (parse_number(p, (size_t)(colon - p), &r->start) == -1) {
			snprintf(err, errsize, "invalid start in range '%s' "
			    "(expected a number or ~)", s);
			return -1;
		}
		if (colon[1] == '\0')
			r->end_inf = 1;
		else if (parse_number(colon + 1, strlen(colon + 1),
		    &r->end) == -1) {
			snprintf(err, errsize, "invalid end in range '%s' "
			    "(expected a number, or nothing for infinity)", s);
			return -1;
		}
	}
	if (!r->start_inf && !r->end_inf && r->start > r->end) {
		snprintf(err, errsize, "invalid range '%s' (start %g is greater "
		    "than end %g)", s, r->start, r->end);
		return -1;
	}
	return 0;
}

int
mc_range_alert(const struct mc_range *r, double value)
{
	int in;

	in = (r->start_inf || value >= r->start) &&
	    (r->end_inf || value <= r->end);
	return r->inside ? in : !in;
}

/* Short names of metrics, as the plugin's first documentation had them. */
static const struct {
	const char *alias;
	const char *label;
} aliases[] = {
	{ "spf_void", "spf_void_lookups" },
	{ "dkim_min_bits", "dkim_min_key_bits" },
	{ "dnsbl_unusable", "dnsbl_zones_unusable" },
};

int
mc_threshold_parse(const char *s, enum mc_status sev, struct mc_threshold *t,
    char *err, size_t errsize)
{
	const char *eq;
	char rerr[160];
	size_t len, i;

	memset(t, 0, sizeof(*t));
	t->severity = sev;
	eq = strchr(s, '=');
	if (eq == NULL) {
		snprintf(err, errsize, "invalid threshold '%s' (expected "
		    "METRIC=RANGE, e.g. spf_lookups=8)", s);
		return -1;
	}
	len = (size_t)(eq - s);
	if (len == 0 || len >= sizeof(t->metric)) {
		snprintf(err, errsize, "invalid metric name in threshold '%s'", s);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_')) {
			snprintf(err, errsize, "invalid metric name in threshold "
			    "'%s' (expected <check>_<metric>, lower case)", s);
			return -1;
		}
	}
	if (s[0] == '_' || s[len - 1] == '_' || (memchr(s, '_', len) == NULL &&
	    !(len == 4 && memcmp(s, "time", 4) == 0))) {
		snprintf(err, errsize, "invalid metric name in threshold '%s' "
		    "(expected <check>_<metric>, e.g. spf_lookups)", s);
		return -1;
	}
	memcpy(t->metric, s, len);
	t->metric[len] = '\0';
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(t->metric, aliases[i].alias) == 0)
			snprintf(t->metric, sizeof(t->metric), "%s",
			    aliases[i].label);
	if (mc_range_parse(eq + 1, &t->range, rerr, sizeof(rerr)) == -1) {
		snprintf(err, errsize, "threshold '%s': %s", s, rerr);
		return -1;
	}
	return 0;
}

int
mc_metric_label(const char *check, const char *metric, char *buf, size_t size)
{
	char *p;
	int n;

	n = snprintf(buf, size, "%s_%s", check, metric);
	if (n < 0 || (size_t)n >= size)
		return -1;
	/* perfdata labels are quoted: keep them plain */
	for (p = buf; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			*p = '_';
	return 0;
}

int
mc_threshold_known(const struct mc_threshold *t, char *err, size_t errsize)
{
	const struct mc_check *c, *named = NULL;
	char prefix[MC_METRIC_NAME_MAX], label[MC_METRIC_NAME_MAX];
	char list[512];
	size_t i, k, len, used = 0;

	if (strcmp(t->metric, "time") == 0)
		return 0;
	list[0] = '\0';
	/* every check whose "<name>_" starts the label: one may be a prefix
	   of another's name */
	for (i = 0; mc_checks[i] != NULL; i++) {
		c = mc_checks[i];
		/* the label of metric "" is "<check>_" */
		if (mc_metric_label(c->name, "", prefix, sizeof(prefix)) == -1)
			continue;
		len = strlen(prefix);
		if (strncmp(t->metric, prefix, len) != 0)
			continue;
		if (named == NULL)
			named = c;
		for (k = 0; c->metrics != NULL && c->metrics[k] != NULL; k++) {
			if (mc_metric_label(c->name, c->metrics[k], label,
			    sizeof(label)) == -1)
				continue;
			if (strcmp(label, t->metric) == 0)
				return 0;
			if (c == named && used < sizeof(list))
				used += (size_t)snprintf(list + used,
				    sizeof(list) - used, "%s%s", k > 0 ? ", " :
				    "", label);
		}
	}
	if (named != NULL)
		snprintf(err, errsize, "threshold for '%s': the %s check has "
		    "no such metric (it has %s)", t->metric, named->name,
		    list[0] != '\0' ? list : "none");
	else
		snprintf(err, errsize, "threshold for '%s': no check of that "
		    "name (metrics are <check>_<metric>, or time; see "
		    "--list-metrics)", t->metric);
	return -1;
}

/* The verdict of the thresholds on label for value; -1 when none names it. */
static int
verdict(const struct mc_threshold *t, size_t n, const char *label,
    double value, const struct mc_threshold **why)
{
	int v = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].metric, label) != 0)
			continue;
		if (v == -1)
			v = MC_OK;
		if (mc_range_alert(&t[i].range, value) &&
		    (int)t[i].severity > v) {
			v = (int)t[i].severity;
			*why = &t[i];
		}
	}
	return v;
}

static int
apply_result(struct mc_result *r, const struct mc_threshold *t, size_t n)
{
	const struct mc_threshold *why;
	char label[MC_METRIC_NAME_MAX];
	size_t m, i, tied;
	int v;

	for (m = 0; m < r->nmetrics; m++) {
		if (mc_metric_label(r->check, r->metrics[m].name, label,
		    sizeof(label)) == -1)
			continue;
		why = NULL;
		v = verdict(t, n, label, r->metrics[m].value, &why);
		if (v == -1)
			continue;
		tied = 0;
		for (i = 0; i < r->nfindings; i++) {
			if (r->findings[i].metric == NULL ||
			    strcmp(r->findings[i].metric, r->metrics[m].name) != 0)
				continue;
			r->findings[i].severity = v == MC_OK ? MC_INFO :
			    (enum mc_status)v;
			tied++;
		}
		if (tied == 0 && why != NULL &&
		    mc_finding_add_sev(r, MC_F_CHECK_THRESHOLD, why->severity,
		    label, "%s is %g: %s threshold %s", label,
		    r->metrics[m].value, why->severity == MC_CRIT ? "critical" :
		    "warning", why->range.text) == -1)
			return -1;
	}
	r->status = mc_result_worst(r);
	return 0;
}

int
mc_thresholds_apply(struct mc_report *rep, const struct mc_threshold *t,
    size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	rep->status = MC_OK;
	for (i = 0; i < rep->nresults; i++) {
		if (apply_result(&rep->results[i], t, n) == -1)
			return -1;
		if (rep->results[i].status > rep->status)
			rep->status = rep->results[i].status;
	}
	return 0;
}

int
mc_thresholds_apply_time(struct mc_report *rep, const struct mc_threshold *t,
    size_t n, double seconds)
{
	const struct mc_threshold *why = NULL;
	struct mc_result *nr, *r;

	if (verdict(t, n, "time", seconds, &why) == -1 || why == NULL)
		return 0;
	nr = realloc(rep->results, (rep->nresults + 1) * sizeof(*nr));
	if (nr == NULL)
		return -1;
	rep->results = nr;
	r = &rep->results[rep->nresults++];
	mc_result_init(r, "time");
	if (mc_finding_add_sev(r, MC_F_CHECK_THRESHOLD, why->severity, "time",
	    "the run took %.3f s: %s threshold %s", seconds,
	    why->severity == MC_CRIT ? "critical" : "warning",
	    why->range.text) == -1)
		return -1;
	r->status = mc_result_worst(r);
	if (r->status > rep->status)
		rep->status = r->status;
	return 0;
}
