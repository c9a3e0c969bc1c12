/* muc.c - joining multi-user chat rooms (XEP-0045) */
#include <stdlib.h>
#include <string.h>

#include "xt.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"

struct muc_wait {
	char *room;    /* bare room JID */
	char *occupant; /* room/nick */
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
	free(w.room);
	free(w.occupant);
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
