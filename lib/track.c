/* track.c - what was sent and not yet confirmed, in a bounded ring */
#include <stdlib.h>
#include <string.h>

#include "xt.h"

struct entry {
	unsigned long seq;
	char *id;
	char *label;
	char *text;           /* the stanza, to send again after a loss */
	int remote;           /* to another domain: bounces come late */
	const char *rejected; /* condition, once the server bounced it */
};

/* Confirmed stanzas, kept for bounces that follow the confirmation: from a
 * remote server that cannot be reached, or from ejabberd, which acks a
 * stanza as it takes it and routes it afterwards. */
#define RECENT 512

struct xt_track {
	struct entry ring[XT_WINDOW];
	size_t head, len;
	struct entry recent[RECENT];
	size_t next_recent;
	unsigned long rejected;
};

static struct xt_track *
track(struct xt_conn *c)
{
	if (!c->track)
		c->track = xt_zalloc(sizeof *c->track);
	return c->track;
}

static void
clear(struct entry *e)
{
	free(e->id);
	free(e->label);
	free(e->text);
	memset(e, 0, sizeof *e);
}

/* Forgets the oldest stanza; one not rejected moves to recent. */
static void
drop_front(struct xt_track *t)
{
	struct entry *e = &t->ring[t->head], *r;

	if (!e->rejected) {
		r = &t->recent[t->next_recent];
		t->next_recent = (t->next_recent + 1) % RECENT;
		clear(r);
		*r = *e;
		free(r->text);
		r->text = NULL;
		memset(e, 0, sizeof *e);
	} else {
		clear(e);
	}
	t->head = (t->head + 1) % XT_WINDOW;
	t->len--;
}

void
xt_track_push(struct xt_conn *c, unsigned long seq, const char *id,
	      const char *label, const char *text, int remote)
{
	struct xt_track *t = track(c);
	struct entry *e;

	if (t->len == XT_WINDOW) /* xt_send keeps the window; never here */
		drop_front(t);
	e = &t->ring[(t->head + t->len) % XT_WINDOW];
	e->seq = seq;
	e->id = xt_strdup(id);
	e->label = xt_strdup(label);
	e->text = text ? xt_strdup(text) : NULL;
	e->remote = remote;
	e->rejected = NULL;
	t->len++;
}

unsigned long
xt_track_resend(struct xt_conn *c, void (*resend)(struct xt_conn *, const char *))
{
	struct xt_track *t = track(c);
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < t->len; i++) {
		struct entry *e = &t->ring[(t->head + i) % XT_WINDOW];
		if (e->rejected || !e->text) {
			e->seq = 0; /* not sent again: gone at the next ack */
			continue;
		}
		e->seq = ++c->sent;
		resend(c, e->text);
		n++;
	}
	return n;
}

void
xt_track_confirm(struct xt_conn *c, unsigned long count)
{
	struct xt_track *t = track(c);

	while (t->len && t->ring[t->head].seq <= count)
		drop_front(t);
}

static int
reject(struct xt_track *t, struct entry *e, const char *id, const char *cond)
{
	if (!e->id || strcmp(e->id, id) || e->rejected)
		return 0;
	e->rejected = cond;
	if (t->rejected++ < 10)
		xt_error(XT_EPARTIAL, "%s: rejected by the server: %s", e->label, cond);
	return 1;
}

int
xt_track_reject(struct xt_conn *c, const char *id, const char *cond)
{
	struct xt_track *t = track(c);
	size_t i;

	for (i = 0; i < t->len; i++)
		if (reject(t, &t->ring[(t->head + i) % XT_WINDOW], id, cond))
			return 1;
	for (i = 0; i < RECENT; i++)
		if (reject(t, &t->recent[i], id, cond))
			return 1;
	return 0;
}

unsigned long
xt_track_rejected(struct xt_conn *c)
{
	return c->track ? c->track->rejected : 0;
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
	size_t i;

	if (!c->track)
		return;
	for (i = 0; i < XT_WINDOW; i++)
		clear(&c->track->ring[i]);
	for (i = 0; i < RECENT; i++)
		clear(&c->track->recent[i]);
	free(c->track);
	c->track = NULL;
}
