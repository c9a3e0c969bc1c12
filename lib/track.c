/* track.c - what was sent and not yet confirmed, in a bounded ring */
#include <stdlib.h>
#include <string.h>

#include "xt.h"

struct entry {
	unsigned long seq;
	char *id;
	char *label;
	const char *rejected; /* condition, once the server bounced it */
};

struct xt_track {
	struct entry ring[XT_WINDOW];
	size_t head, len;
	unsigned long rejected;
};

static struct xt_track *
track(struct xt_conn *c)
{
	if (!c->track) {
		c->track = xt_malloc(sizeof *c->track);
		memset(c->track, 0, sizeof *c->track);
	}
	return c->track;
}

static void
drop_front(struct xt_track *t)
{
	struct entry *e = &t->ring[t->head];

	free(e->id);
	free(e->label);
	memset(e, 0, sizeof *e);
	t->head = (t->head + 1) % XT_WINDOW;
	t->len--;
}

void
xt_track_push(struct xt_conn *c, unsigned long seq, const char *id,
	      const char *label)
{
	struct xt_track *t = track(c);
	struct entry *e;

	if (t->len == XT_WINDOW) /* xt_send keeps the window; never here */
		drop_front(t);
	e = &t->ring[(t->head + t->len) % XT_WINDOW];
	e->seq = seq;
	e->id = xt_strdup(id);
	e->label = xt_strdup(label);
	e->rejected = NULL;
	t->len++;
}

void
xt_track_confirm(struct xt_conn *c, unsigned long count)
{
	struct xt_track *t = track(c);

	while (t->len && t->ring[t->head].seq <= count)
		drop_front(t);
}

int
xt_track_reject(struct xt_conn *c, const char *id, const char *cond)
{
	struct xt_track *t = track(c);
	size_t i;

	for (i = 0; i < t->len; i++) {
		struct entry *e = &t->ring[(t->head + i) % XT_WINDOW];
		if (e->id && !strcmp(e->id, id) && !e->rejected) {
			e->rejected = cond;
			if (t->rejected++ < 10)
				xt_error(XT_EPARTIAL, "%s: rejected by the server: %s", e->label, cond);
			return 1;
		}
	}
	return 0;
}

int
xt_track_report(struct xt_conn *c)
{
	struct xt_track *t = track(c);
	size_t i, shown = 0, more = 0;
	const char *last = NULL;

	/* name the first few; a flood of lines would hide the summary */
	for (i = 0; i < t->len; i++) {
		struct entry *e = &t->ring[(t->head + i) % XT_WINDOW];
		if (e->rejected)
			continue;
		if (shown++ < 10)
			xt_error(XT_EPARTIAL, "%s: not confirmed by the server", e->label);
		else
			more++, last = e->label;
	}
	if (more)
		xt_error(XT_EPARTIAL, "... and %zu more, up to %s, not confirmed", more, last);
	if (t->rejected > 10)
		xt_error(XT_EPARTIAL, "... %lu rejected in all", t->rejected);
	return (int)(t->rejected > 0);
}

size_t
xt_track_len(struct xt_conn *c)
{
	return c->track ? c->track->len : 0;
}

void
xt_track_free(struct xt_conn *c)
{
	if (!c->track)
		return;
	while (c->track->len)
		drop_front(c->track);
	free(c->track);
	c->track = NULL;
}
