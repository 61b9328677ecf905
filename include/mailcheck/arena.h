/* SPDX-License-Identifier: ISC */
/*
 * mailcheck/arena.h - per-run memory regions
 *
 * The runner gives each check run an arena; everything a check or a parser
 * allocates for that run comes from it and is released at once with
 * mc_arena_free().  An arena is not thread-safe: one thread uses it at a time.
 * Allocation failure returns NULL; callers check it like malloc().
 */
#ifndef MAILCHECK_ARENA_H
#define MAILCHECK_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct mc_arena;

/* A new empty arena, or NULL when out of memory. */
struct mc_arena *mc_arena_new(void);
/* Release the arena and everything allocated from it; NULL is a no-op. */
void mc_arena_free(struct mc_arena *a);

/*
 * Release everything allocated from the arena but keep the arena, and one
 * block of it, for the next run: the runner reuses a check's arena from
 * one domain to the next.
 */
void mc_arena_reset(struct mc_arena *a);

/* size bytes, aligned for any type, zeroed. */
void *mc_arena_alloc(struct mc_arena *a, size_t size);
/* n elements of size bytes, zeroed; NULL on overflow. */
void *mc_arena_calloc(struct mc_arena *a, size_t n, size_t size);
/* Copies of strings; len bytes plus a terminating NUL for the "n" form. */
char *mc_arena_strdup(struct mc_arena *a, const char *s);
char *mc_arena_strndup(struct mc_arena *a, const char *s, size_t len);
/*
 * The one formatting allocator of the library: a formatted string from the
 * arena a, or, when a is NULL, from malloc() (the caller frees it).  NULL
 * when out of memory or fmt cannot be formatted.
 */
char *mc_vasprintf(struct mc_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* A formatted string allocated from the arena (mc_vasprintf()). */
char *mc_arena_printf(struct mc_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *mc_arena_vprintf(struct mc_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
