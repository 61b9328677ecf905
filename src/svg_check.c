/* SPDX-License-Identifier: ISC */
/*
 * src/svg_check.c - SVG Tiny PS rules, read with expat
 *
 * A namespace-aware expat parser (names arrive as "URI local", the
 * separator a space) with start-element and entity-declaration handlers.
 * The first entity declaration stops the parser: nothing is ever expanded
 * beyond what expat's own amplification limit allows, and no DTD or
 * external entity is ever loaded (expat has no network; the external
 * entity handler is not set and parameter-entity parsing is off).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "mailcheck/svg_check.h"
#include "banned.h"

#define SVG_NS "http://www.w3.org/2000/svg"
#define XLINK_NS "http://www.w3.org/1999/xlink"

struct state {
	XML_Parser p;
	struct mc_svg_report *r;
	int depth;
	int stopped;
	int root_title;
};

static void
problem(struct state *s, enum mc_svg_problem k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
problem(struct state *s, enum mc_svg_problem k, const char *fmt, ...)
{
	va_list ap;

	if (s->r->problems & (1u << k))
		return;
	s->r->problems |= 1u << k;
	va_start(ap, fmt);
	vsnprintf(s->r->detail[k], sizeof(s->r->detail[k]), fmt, ap);
	va_end(ap);
}

/* The local part of an expanded name, and whether its URI is uri. */
static const char *
local(const char *name, const char *uri, int *in_ns)
{
	const char *sp = strchr(name, ' ');
	size_t ul = uri != NULL ? strlen(uri) : 0;

	if (sp == NULL) {
		*in_ns = uri == NULL;
		return name;
	}
	*in_ns = uri != NULL && (size_t)(sp - name) == ul &&
	    strncmp(name, uri, ul) == 0;
	return sp + 1;
}

static int
external_ref(const char *v)
{
	const char *u;

	while (*v == ' ' || *v == '\t' || *v == '\n')
		v++;
	if (*v != '#' && *v != '\0' && strstr(v, "url(") == NULL)
		return 1;
	for (u = strstr(v, "url("); u != NULL; u = strstr(u + 4, "url(")) {
		const char *q = u + 4;

		while (*q == ' ' || *q == '\'' || *q == '"')
			q++;
		if (*q != '#')
			return 1;
	}
	return 0;
}

/* The viewBox "min-x min-y width height" (commas or spaces). */
static void
check_viewbox(struct state *s, const char *v)
{
	double n[4];
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		while (*v == ' ' || *v == ',' || *v == '\t' || *v == '\n')
			v++;
		n[i] = strtod(v, &end);
		if (end == v)
			break;
		v = end;
	}
	if (i < 4 || n[2] <= 0 || n[3] <= 0) {
		problem(s, MC_SVG_NOT_SQUARE, "the viewBox is not four numbers "
		    "with a positive width and height");
		return;
	}
	s->r->width = n[2];
	s->r->height = n[3];
	if (n[2] != n[3])
		problem(s, MC_SVG_NOT_SQUARE, "the viewBox is %g by %g, not "
		    "square", n[2], n[3]);
}

static void
root(struct state *s, const char *name, const char **attr)
{
	const char *bp = NULL, *ver = NULL, *vb = NULL;
	int ns, i;

	if (strcmp(local(name, SVG_NS, &ns), "svg") != 0 || !ns) {
		problem(s, MC_SVG_NOT_SVG, "the root element is not <svg> in "
		    "the SVG namespace");
		return;
	}
	for (i = 0; attr[i] != NULL; i += 2) {
		if (strcmp(attr[i], "baseProfile") == 0)
			bp = attr[i + 1];
		else if (strcmp(attr[i], "version") == 0)
			ver = attr[i + 1];
		else if (strcmp(attr[i], "viewBox") == 0)
			vb = attr[i + 1];
		else if (strcmp(attr[i], "x") == 0 || strcmp(attr[i], "y") == 0)
			problem(s, MC_SVG_ROOT_XY, "the root <svg> has %s=",
			    attr[i]);
	}
	if (bp == NULL || strcmp(bp, "tiny-ps") != 0)
		problem(s, MC_SVG_PROFILE, "baseProfile is %s%s%s, not "
		    "\"tiny-ps\"", bp != NULL ? "\"" : "",
		    bp != NULL ? bp : "missing", bp != NULL ? "\"" : "");
	else if (ver == NULL || strcmp(ver, "1.2") != 0)
		problem(s, MC_SVG_PROFILE, "version is %s%s%s, not \"1.2\"",
		    ver != NULL ? "\"" : "", ver != NULL ? ver : "missing",
		    ver != NULL ? "\"" : "");
	if (vb == NULL)
		problem(s, MC_SVG_NOT_SQUARE, "the root <svg> has no viewBox");
	else
		check_viewbox(s, vb);
}

static void XMLCALL
on_start(void *arg, const char *name, const char **attr)
{
	static const char *const anim[] = { "animate", "animateMotion",
		"animateColor", "animateTransform", "set", "discard", NULL };
	struct state *s = arg;
	const char *el;
	int ns, i;

	s->depth++;
	if (++s->r->elements > MC_SVG_MAX_ELEMENTS ||
	    s->depth > MC_SVG_MAX_DEPTH) {
		problem(s, MC_SVG_NOT_XML, "more than %d elements or deeper "
		    "than %d", MC_SVG_MAX_ELEMENTS, MC_SVG_MAX_DEPTH);
		s->stopped = 1;
		XML_StopParser(s->p, XML_FALSE);
		return;
	}
	if (s->depth == 1) {
		root(s, name, attr);
	}
	el = local(name, SVG_NS, &ns);
	if (s->depth == 2 && ns && strcmp(el, "title") == 0)
		s->root_title = 1;
	if (strcmp(el, "script") == 0)
		problem(s, MC_SVG_SCRIPT, "a <script> element");
	if (strcmp(el, "foreignObject") == 0)
		problem(s, MC_SVG_EXTERNAL, "a <foreignObject> element");
	for (i = 0; anim[i] != NULL; i++)
		if (strcmp(el, anim[i]) == 0)
			problem(s, MC_SVG_ANIMATION, "an <%s> element", anim[i]);
	for (i = 0; attr[i] != NULL; i += 2) {
		const char *an = local(attr[i], XLINK_NS, &ns);

		if (strncmp(an, "on", 2) == 0 && strchr(attr[i], ' ') == NULL)
			problem(s, MC_SVG_SCRIPT, "an event attribute %s= on "
			    "<%s>", an, el);
		if ((strcmp(an, "href") == 0 || strcmp(an, "style") == 0 ||
		    strcmp(an, "fill") == 0 || strcmp(an, "stroke") == 0 ||
		    strcmp(an, "filter") == 0 || strcmp(an, "clip-path") == 0 ||
		    strcmp(an, "mask") == 0) && external_ref(attr[i + 1]) &&
		    (strcmp(an, "href") == 0 || strstr(attr[i + 1], "url(")))
			problem(s, MC_SVG_EXTERNAL, "an external reference in "
			    "%s= on <%s>", an, el);
	}
}

static void XMLCALL
on_end(void *arg, const char *name)
{
	struct state *s = arg;

	(void)name;
	s->depth--;
}

static void XMLCALL
on_entity(void *arg, const char *name, int is_param, const char *value,
    int vlen, const char *base, const char *sysid, const char *pubid,
    const char *notation)
{
	struct state *s = arg;

	(void)name; (void)is_param; (void)value; (void)vlen; (void)base;
	(void)sysid; (void)pubid; (void)notation;
	problem(s, MC_SVG_ENTITIES, "the document declares entities (refused "
	    "unread: SVG Tiny PS has no DTD)");
	s->stopped = 1;
	XML_StopParser(s->p, XML_FALSE);
}

int
mc_svg_check(const char *buf, size_t len, struct mc_svg_report *r)
{
	struct state s = { .r = r };
	enum XML_Status st;

	memset(r, 0, sizeof(*r));
	s.p = XML_ParserCreateNS(NULL, ' ');
	if (s.p == NULL)
		return -1;
	XML_SetUserData(s.p, &s);
	XML_SetElementHandler(s.p, on_start, on_end);
	XML_SetEntityDeclHandler(s.p, on_entity);
	XML_SetParamEntityParsing(s.p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (memchr(buf, '\0', len) != NULL) {
		problem(&s, MC_SVG_NOT_XML, "a NUL byte at byte %zu",
		    (size_t)((const char *)memchr(buf, '\0', len) - buf) + 1);
		goto out;
	}
	st = XML_Parse(s.p, buf, len > (size_t)0x7fffffff ? 0x7fffffff :
	    (int)len, XML_TRUE);
	if (st == XML_STATUS_ERROR && !s.stopped)
		problem(&s, MC_SVG_NOT_XML, "not well-formed XML: %s at line "
		    "%lu", XML_ErrorString(XML_GetErrorCode(s.p)),
		    (unsigned long)XML_GetCurrentLineNumber(s.p));
	if (r->elements > 0 && !s.root_title &&
	    !(r->problems & ((1u << MC_SVG_NOT_SVG) | (1u << MC_SVG_NOT_XML) |
	    (1u << MC_SVG_ENTITIES))))
		problem(&s, MC_SVG_NO_TITLE, "no <title> element in the root "
		    "<svg>");
	if (r->elements == 0 && !(r->problems & ((1u << MC_SVG_NOT_XML) |
	    (1u << MC_SVG_ENTITIES))))
		problem(&s, MC_SVG_NOT_XML, "no root element");
out:
	XML_ParserFree(s.p);
	return 0;
}
