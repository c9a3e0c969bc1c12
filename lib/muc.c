/* muc.c - joining multi-user chat rooms (XEP-0045) */
#include <stdlib.h>
#include <string.h>

#include "xt.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"

struct muc_wait {
	char *room;    /* bare room JID */
	char *occupant; /* room/nick */
	char *self;    /* our occupant JID as the room gave it (it may change
			* the nick, XEP-0045 7.2.9) */
	int done;
	int error;
	int created;   /* status 201: we made the room, it waits to be unlocked */
	char cond[64];
};

/* Returns 1 if the MUC presence carries status code. */
static int
has_status(xmpp_stanza_t *st, const char *code)
{
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_ns(st, NS_MUC_USER), *s;

	for (s = x ? xmpp_stanza_get_children(x) : NULL; s; s = xmpp_stanza_get_next(s)) {
		const char *c = xmpp_stanza_get_attribute(s, "code");
		if (!strcmp(xmpp_stanza_get_name(s), "status") && c && !strcmp(c, code))
			return 1;
	}
	return 0;
}

static int
muc_presence(xmpp_conn_t *xc, xmpp_stanza_t *st, void *data)
{
	struct muc_wait *w = data;
	const char *from = xmpp_stanza_get_from(st), *type = xmpp_stanza_get_type(st);

	(void)xc;
	if (!xt_jid_bare_equal(from, w->room))
		return 1;
	if (type && !strcmp(type, "error")) {
		w->error = 1;
		snprintf(w->cond, sizeof w->cond, "%s", xt_error_condition(st));
		w->done = 1;
		return 0;
	}
	if (xt_jid_equal(from, w->occupant) || has_status(st, "110")) {
		w->created = has_status(st, "201");
		w->self = xt_strdup(from);
		w->done = 1;
		return 0;
	}
	return 1;
}

static int
muc_done(void *data)
{
	return ((struct muc_wait *)data)->done;
}

/* XEP-0045 10.1.2: a room we created stays locked until its owner accepts
 * the default configuration (an "instant room"). */
static int
unlock_room(struct xt_conn *c, const char *room)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "set", NULL), *q, *x, *ans;
	int rc = 0;

	xmpp_stanza_set_to(iq, room);
	q = xt_add_child_ns(iq, "query", NS_MUC "#owner");
	x = xt_add_child_ns(q, "x", "jabber:x:data");
	xmpp_stanza_set_type(x, "submit");
	ans = xt_iq(c, iq, c->acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (!ans)
		return c->error; /* recorded by xt_iq */
	if (!strcmp(xmpp_stanza_get_type(ans), "error"))
		rc = xt_fail(c, XT_EPROTOCOL, "cannot unlock the new room %s: %s", room,
			     xt_error_condition(ans));
	xmpp_stanza_release(ans);
	return rc;
}

/* ---- room messages, confirmed by their reflection (XEP-0045 7.4) ----
 * A room sends each message back to every occupant, the sender included,
 * with the id and origin-id it had. That reflection, from our own
 * occupant JID (ROOM/NICK: only the room sends from it), confirms that the
 * room took the message; an error from the room's own JID says it did not.
 * A stanza from anyone else that bears the id confirms nothing. */

struct awaited {
	char *id, *origin_id; /* as sent: the room keeps both */
	char *room;           /* bare room JID */
	char *label;
};

struct xt_muc {
	char *room[XT_MAX_ROOMS]; /* joined on this connection, bare */
	char *self[XT_MAX_ROOMS]; /* our occupant JID in each */
	size_t nrooms;
	int expect;               /* the tool awaits reflections */
	unsigned long refused;    /* room messages the rooms refused */
	struct awaited *a;        /* sent, not yet reflected or refused */
	size_t n, cap;
	size_t most;              /* a wait ends once n <= most ... */
	int moved;                /* ... or when one was answered */
};

static struct xt_muc *
muc_state(struct xt_conn *c)
{
	return c->muc ? c->muc : (c->muc = xt_zalloc(sizeof *c->muc));
}

/* Returns the index of the joined room with the bare JID room, or -1. */
static int
joined(const struct xt_muc *m, const char *room)
{
	size_t i;

	for (i = 0; i < m->nrooms; i++)
		if (xt_jid_equal(m->room[i], room))
			return (int)i;
	return -1;
}

static void
remember_join(struct xt_conn *c, const char *room, const char *self)
{
	struct xt_muc *m = muc_state(c);
	int i = joined(m, room);

	if (i < 0 && m->nrooms == XT_MAX_ROOMS)
		return; /* not awaited then: confirmed by the server alone */
	if (i < 0) {
		i = (int)m->nrooms++;
		m->room[i] = xt_strdup(room);
	} else {
		free(m->self[i]);
	}
	m->self[i] = xt_strdup(self);
}

static void
forget(struct xt_muc *m, size_t i)
{
	free(m->a[i].id);
	free(m->a[i].origin_id);
	free(m->a[i].room);
	free(m->a[i].label);
	memmove(&m->a[i], &m->a[i + 1], (m->n - i - 1) * sizeof *m->a);
	m->n--;
	m->moved = 1;
}

static const char *
origin_id(xmpp_stanza_t *st)
{
	xmpp_stanza_t *o = xmpp_stanza_get_child_by_name_and_ns(st, "origin-id", "urn:xmpp:sid:0");

	return o ? xmpp_stanza_get_attribute(o, "id") : NULL;
}

void
xt_rooms_await_reflections(struct xt_conn *c)
{
	muc_state(c)->expect = 1;
}

int
xt_muc_await(struct xt_conn *c, xmpp_stanza_t *st, const char *label)
{
	struct xt_muc *m = c->muc;
	const char *to = xmpp_stanza_get_to(st), *type = xmpp_stanza_get_type(st);
	const char *id = xmpp_stanza_get_id(st);
	struct awaited *a;

	if (!m || !m->expect || !to || !id || strcmp(xmpp_stanza_get_name(st), "message") ||
	    !type || strcmp(type, "groupchat") || joined(m, to) < 0)
		return 0;
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->a = xt_realloc(m->a, m->cap * sizeof *m->a);
	}
	a = &m->a[m->n++];
	a->id = xt_strdup(id);
	a->origin_id = xt_strdup(origin_id(st));
	a->room = xt_jid_bare(to);
	a->label = xt_strdup(label);
	return 1;
}

/* Returns 1 if st bears a's id or origin-id. */
static int
same_message(const struct awaited *a, xmpp_stanza_t *st)
{
	const char *id = xmpp_stanza_get_id(st), *oid = origin_id(st);

	return (id && !strcmp(id, a->id)) || (oid && a->origin_id && !strcmp(oid, a->origin_id));
}

/* Returns the index of the awaited message that st answers, or -1: st
 * bears its id and comes from its room, from the room's own JID for an
 * error, from our occupant JID for a reflection. */
static int
answered(const struct xt_muc *m, xmpp_stanza_t *st, int error)
{
	const char *from = xmpp_stanza_get_from(st);
	size_t i;
	int r;

	for (i = 0; i < m->n; i++) {
		if (!same_message(&m->a[i], st) || (r = joined(m, m->a[i].room)) < 0)
			continue;
		if (xt_jid_equal(from, error ? m->room[r] : m->self[r]))
			return (int)i;
	}
	return -1;
}

/* Returns 1 if st bears the id of an awaited room message. */
static int
bears_awaited_id(const struct xt_muc *m, xmpp_stanza_t *st)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (same_message(&m->a[i], st))
			return 1;
	return 0;
}

static void
refuse(struct xt_muc *m, size_t i, xmpp_stanza_t *st)
{
	const char *text = xt_error_text(st);

	/* name the first few; a flood of lines would hide the summary */
	if (m->refused++ < 10)
		xt_error(XT_EPARTIAL, "%s: refused by the room: %s%s%s", m->a[i].label,
			 xt_error_condition(st), text ? ": " : "", text ? text : "");
	forget(m, i);
}

int
xt_muc_answer(struct xt_conn *c, xmpp_stanza_t *st)
{
	struct xt_muc *m = c->muc;
	const char *type = xmpp_stanza_get_type(st), *from = xmpp_stanza_get_from(st);
	int error = type && !strcmp(type, "error"), i;

	if (!m || !m->n || strcmp(xmpp_stanza_get_name(st), "message") || !bears_awaited_id(m, st))
		return 0;
	if ((i = answered(m, st, error)) >= 0 && (error || (type && !strcmp(type, "groupchat")))) {
		if (error)
			refuse(m, (size_t)i, st);
		else
			forget(m, (size_t)i);
		return 1;
	}
	if (xt_verbose && error)
		xt_warn("an error to one of our room messages from %s ignored: only the "
			"room can refuse it", from ? from : "nobody");
	else if (xt_verbose)
		xt_warn("a message with the id of one of ours from %s confirms nothing: "
			"only the room's reflection, from our own nick, does",
			from ? from : "nobody");
	/* an error from anyone but the room is not the room's: nobody else
	 * can say that it refused the message */
	return error;
}

static int
reflected(void *data)
{
	struct xt_muc *m = data;

	return m->n <= m->most || m->moved;
}

/* Waits until at most most room messages are awaited, as long as the rooms
 * keep answering (--confirm-timeout); returns 0 or xt_wait's code. */
static int
wait_reflections(struct xt_conn *c, struct xt_muc *m, size_t most)
{
	int rc = 0;

	m->most = most;
	while (m->n > most && rc == 0) {
		m->moved = 0;
		rc = xt_wait(c, reflected, m, c->acct->confirm_timeout);
	}
	return rc;
}

int
xt_muc_window(struct xt_conn *c)
{
	struct xt_muc *m = c->muc;

	/* bound what waits unreflected: memory stays flat */
	if (!m || m->n < XT_WINDOW || wait_reflections(c, m, XT_WINDOW - 1) == 0)
		return 0;
	return xt_fail(c, XT_EPARTIAL, "%s: the room did not confirm it: no reflection "
		       "within %ld s (--confirm-timeout)", m->a[0].label,
		       c->acct->confirm_timeout);
}

/* Names what the rooms did not send back: the first few, then a count. */
static void
report_unreflected(struct xt_conn *c, const struct xt_muc *m, int rc)
{
	char why[sizeof c->why];
	size_t i;

	if (xt_time_up(c, rc) && xt_deadline_passed())
		snprintf(why, sizeof why, "no reflection before the run's --timeout of %ld s",
			 xt_deadline_seconds());
	else if (xt_time_up(c, rc))
		snprintf(why, sizeof why, "no reflection within %ld s (--confirm-timeout)",
			 c->acct->confirm_timeout);
	else
		snprintf(why, sizeof why, "%s", c->why);
	for (i = 0; i < m->n && i < 10; i++)
		xt_error(XT_EPARTIAL, "%s: the room did not confirm it: %s", m->a[i].label, why);
	if (m->n > 10)
		xt_error(XT_EPARTIAL, "... and %zu more room message(s) not confirmed by "
			 "the room, up to %s", m->n - 10, m->a[m->n - 1].label);
}

int
xt_rooms_confirm(struct xt_conn *c)
{
	struct xt_muc *m = c->muc;
	int rc;

	if (!m)
		return 0;
	rc = wait_reflections(c, m, 0);
	if (m->n)
		report_unreflected(c, m, rc);
	if (m->refused > 10)
		xt_error(XT_EPARTIAL, "... %lu room message(s) refused in all", m->refused);
	/* not confirmed, as a stanza the server did not confirm: 80 */
	return m->refused || m->n ? XT_EPARTIAL : 0;
}

void
xt_muc_free(struct xt_conn *c)
{
	struct xt_muc *m = c->muc;
	size_t i;

	if (!m)
		return;
	while (m->n)
		forget(m, m->n - 1);
	for (i = 0; i < m->nrooms; i++) {
		free(m->room[i]);
		free(m->self[i]);
	}
	free(m->a);
	free(m);
	c->muc = NULL;
}

int
xt_muc_join(struct xt_conn *c, const char *room, const char *nick,
	    const char *password, int history)
{
	struct muc_wait w = { 0 };
	xmpp_stanza_t *p = xmpp_presence_new(c->ctx), *x, *h;
	char buf[16];
	int rc;

	w.room = xt_jid_bare(room);
	w.occupant = xt_malloc(strlen(w.room) + strlen(nick) + 2);
	sprintf(w.occupant, "%s/%s", w.room, nick);
	xmpp_stanza_set_to(p, w.occupant);
	x = xt_add_child_ns(p, "x", NS_MUC);
	h = xt_add_child_ns(x, "history", NULL);
	snprintf(buf, sizeof buf, "%d", history);
	xmpp_stanza_set_attribute(h, "maxstanzas", buf);
	if (password)
		xt_add_text_child(x, "password", password);
	xmpp_handler_add(c->xc, muc_presence, NULL, "presence", NULL, &w);
	xt_send(c, p, NULL);
	xmpp_stanza_release(p);
	rc = xt_wait(c, muc_done, &w, c->acct->connect_timeout);
	if (!w.done)
		xmpp_handler_delete(c->xc, muc_presence);
	/* recorded, not printed: a connection lost meanwhile is recorded
	 * already, and the tool prints c->why once */
	if (w.error)
		rc = xt_fail(c, XT_EPROTOCOL, "cannot join room %s as %s: %s%s", w.room, nick, w.cond,
			     !strcmp(w.cond, "not-authorized") ? " (wrong or missing --muc-password-file)"
			     : !strcmp(w.cond, "conflict") ? " (nick in use: pick another --nick)" : "");
	else if (rc == XT_ETIMEOUT)
		rc = xt_fail(c, XT_ETIMEOUT, "room %s did not answer the join within %ld s",
			     w.room, c->acct->connect_timeout);
	else if (!rc && w.created)
		rc = unlock_room(c, w.room);
	if (!rc && w.self)
		remember_join(c, w.room, w.self);
	free(w.room);
	free(w.occupant);
	free(w.self);
	return rc;
}


int
xt_rooms_option(struct xt_rooms *r, int id, const char *arg)
{
	const char *why;

	switch (id) {
	case XT_O_MUC:
		if ((why = xt_jid_check(arg)) || (why = strchr(arg, '/') ? "give the bare room "
						   "JID; the nick goes in --nick" : NULL))
			xt_die(XT_EUSAGE, "--muc: invalid room JID '%s': %s", arg, why);
		if (r->n == XT_MAX_ROOMS)
			xt_die(XT_EUSAGE, "--muc: %d rooms at most", XT_MAX_ROOMS);
		r->jid[r->n++] = arg;
		return 1;
	case XT_O_NICK:
		r->nick = arg;
		return 1;
	case XT_O_MUC_PW:
		r->password_file = arg;
		return 1;
	}
	return 0;
}

int
xt_rooms_join(struct xt_conn *c, const struct xt_rooms *r, int history)
{
	char *pw = NULL, *own = NULL;
	size_t i;
	int rc = 0;

	if (r->n == 0)
		return 0;
	if (r->password_file) {
		if ((rc = xt_check_private(r->password_file, "room password file")))
			return rc;
		if (!(pw = xt_read_line_file(r->password_file)))
			return xt_fail(c, XT_ECONFIG, "cannot read room password file %s",
				       r->password_file);
	}
	if (!r->nick) {
		/* the account's localpart, as most clients default to */
		own = xt_jid_bare(c->acct->jid);
		if (strchr(own, '@'))
			*strchr(own, '@') = '\0';
	}
	for (i = 0; i < r->n && !rc; i++)
		rc = xt_muc_join(c, r->jid[i], r->nick ? r->nick : own, pw, history);
	xt_free_secret(pw);
	free(own);
	return rc;
}

int
xt_rooms_rejoin(struct xt_conn *c, void *rooms)
{
	return xt_rooms_join(c, rooms, 0);
}
