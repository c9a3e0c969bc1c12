/* seen.c - a bounded memory of recently seen keys, for dropping duplicates */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

/* Two open-addressing tables of 64-bit hashes: keys go into the current
 * one; when it is half full, it becomes the previous one and the old
 * previous is forgotten. Lookups check both. Memory stays fixed. */
#define SLOTS 16384
#define FILL (SLOTS / 2)

struct xt_seen {
	uint64_t t[2][SLOTS];
	size_t n;   /* keys in the current table */
	int cur;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ? h : 1; /* 0 marks an empty slot */
}

static uint64_t *
slot(uint64_t *t, uint64_t h)
{
	size_t i = (size_t)(h % SLOTS);

	while (t[i] && t[i] != h)
		i = (i + 1) % SLOTS;
	return &t[i];
}

int
xt_seen(struct xt_seen **sp, const char *key)
{
	struct xt_seen *s = *sp;
	uint64_t h = hash(key), *p;

	if (!s) {
		s = *sp = xt_malloc(sizeof *s);
		memset(s, 0, sizeof *s);
	}
	if (*slot(s->t[!s->cur], h) == h || *(p = slot(s->t[s->cur], h)) == h)
		return 1;
	*p = h;
	if (++s->n == FILL) {
		s->cur = !s->cur;
		memset(s->t[s->cur], 0, sizeof s->t[s->cur]);
		s->n = 0;
	}
	return 0;
}

void
xt_seen_free(struct xt_seen **s)
{
	free(*s);
	*s = NULL;
}
