/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/svg_check.h - the SVG Tiny Portable/Secure profile of a logo
 *
 * BIMI logos must be SVG Tiny PS (draft-svg-tiny-ps-abrotman, the
 * AuthIndicators Group's guidance).  mc_svg_check() reads the document
 * with expat (a streaming parser: memory is bounded by the input, which
 * the caller caps) and reports every rule broken:
 *   - well-formed XML whose root is <svg> in the SVG namespace;
 *   - no DTD entity declarations (refused at once: no expansion, so no
 *     "billion laughs"; expat's own amplification limit stays on as well);
 *     expat never fetches anything;
 *   - baseProfile="tiny-ps" and version="1.2" on the root, a <title> child;
 *   - no <script> and no on* event attributes, no external references
 *     (an href or url() that is not a "#fragment"), no <foreignObject>,
 *     no animation elements (animate*, set, discard);
 *   - no x= or y= on the root, and a viewBox with equal width and height.
 * At most MC_SVG_MAX_ELEMENTS elements are read; more is a problem.
 */
#ifndef MAILCHECK_SVG_CHECK_H
#define MAILCHECK_SVG_CHECK_H

#include <stddef.h>

#define MC_SVG_MAX_ELEMENTS 10000
#define MC_SVG_MAX_DEPTH 64

enum mc_svg_problem {
	MC_SVG_NOT_XML,     /* not well-formed, or too large/deep */
	MC_SVG_NOT_SVG,     /* the root is not svg:svg */
	MC_SVG_ENTITIES,    /* entity declarations */
	MC_SVG_PROFILE,     /* baseProfile or version wrong */
	MC_SVG_NO_TITLE,    /* no <title> child of the root */
	MC_SVG_SCRIPT,      /* <script> or an event attribute */
	MC_SVG_EXTERNAL,    /* an external reference, <foreignObject> */
	MC_SVG_ANIMATION,   /* animation elements */
	MC_SVG_ROOT_XY,     /* x= or y= on the root */
	MC_SVG_NOT_SQUARE,  /* no viewBox, or not square */
	MC_SVG_NPROBLEMS,
};

struct mc_svg_report {
	unsigned problems;  /* bit (1 << enum mc_svg_problem) per problem */
	char detail[MC_SVG_NPROBLEMS][160]; /* the first case of each, lower
	                       case, hostile text escaped by the caller */
	size_t elements;
	double width, height; /* of the viewBox; 0 when none */
};

/* Check len bytes (may hold NULs).  Returns 0, or -1 when out of memory. */
int mc_svg_check(const char *buf, size_t len, struct mc_svg_report *r);

#endif
