/* SPDX-License-Identifier: ISC */
/*
 * src/arena.c - per-run memory regions
 *
 * Blocks are chained; big requests get a block of their own.  Nothing is
 * freed before the whole arena goes, or is reset for the next run, which
 * keeps up to ARENA_KEEP standard blocks as spares: a reused arena costs no
 * malloc for runs of up to that much (a check's run on a typical domain
 * took one malloc and free of a block with one kept, callgrind).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailcheck/arena.h"
#include "banned.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16
#define ARENA_KEEP 4 /* standard blocks kept by a reset */

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(ARENA_ALIGN) unsigned char mem[];
};

struct mc_arena {
	struct block *head;
	struct block *spare; /* standard blocks kept by a reset, unused */
};

struct mc_arena *
mc_arena_new(void)
{
	return calloc(1, sizeof(struct mc_arena));
}

void
mc_arena_free(struct mc_arena *a)
{
	struct block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	for (b = a->spare; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void
mc_arena_reset(struct mc_arena *a)
{
	struct block *b, *next;
	size_t kept = 0;

	for (b = a->spare; b != NULL; b = b->next)
		kept++;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (kept < ARENA_KEEP && b->size == ARENA_BLOCK) {
			b->next = a->spare;
			a->spare = b;
			kept++;
			continue;
		}
		free(b);
	}
	/* the head is the block small requests use */
	a->head = a->spare;
	if (a->head != NULL) {
		a->spare = a->head->next;
		a->head->next = NULL;
		a->head->used = 0;
	}
}

/* size bytes, aligned, not zeroed; NULL when out of memory. */
static void *
take(struct mc_arena *a, size_t size)
{
	struct block *b;
	size_t need, bsize;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	b = a->head;
	if (b == NULL || b->size - b->used < need) {
		if (need <= ARENA_BLOCK && a->spare != NULL) {
			b = a->spare;
			a->spare = b->next;
		} else {
			bsize = need > ARENA_BLOCK ? need : ARENA_BLOCK;
			b = malloc(sizeof(*b) + bsize);
			if (b == NULL)
				return NULL;
			b->size = bsize;
		}
		b->used = 0;
		if (need > ARENA_BLOCK / 2 && a->head != NULL) {
			/* keep the current block for small requests */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->mem + b->used;
	b->used += need;
	return p;
}

void *
mc_arena_alloc(struct mc_arena *a, size_t size)
{
	void *p;

	p = take(a, size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *
mc_arena_calloc(struct mc_arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return mc_arena_alloc(a, n * size);
}

char *
mc_arena_strndup(struct mc_arena *a, const char *s, size_t len)
{
	char *p;

	p = take(a, len + 1); /* not zeroed: every byte is written */
	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
mc_arena_strdup(struct mc_arena *a, const char *s)
{
	return mc_arena_strndup(a, s, strlen(s));
}

/*
 * Formatted once into a small buffer, which holds most messages; only a
 * longer text is formatted a second time, into its own allocation.
 */
char *
mc_vasprintf(struct mc_arena *a, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	p = a != NULL ? take(a, (size_t)n + 1) : malloc((size_t)n + 1);
	if (p == NULL)
		return NULL;
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
mc_arena_vprintf(struct mc_arena *a, const char *fmt, va_list ap)
{
	return mc_vasprintf(a, fmt, ap);
}

char *
mc_arena_printf(struct mc_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = mc_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
