/* mam.c - fetching the message archive (XEP-0313) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xt.h"

#define NS_MAM "urn:xmpp:mam:2"
#define NS_DATA "jabber:x:data"
#define NS_RSM "http://jabber.org/protocol/rsm"
#define PAGE "250"

int
xt_parse_since(const char *s, char *out, size_t outlen)
{
	char *end;
	long n = strtol(s, &end, 10);
	time_t t;
	const char *p;

	if (end != s && n >= 0 && end[0] && !end[1] && strchr("smhd", end[0])) {
		/* relative: how long ago */
		n *= end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400;
		t = time(NULL) - n;
		strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		return 0;
	}
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(out, outlen, "%sT00:00:00Z", s);
		return 0;
	}
	/* XEP-0082 date-time: checked for its shape, the server checks the rest */
	if (strlen(s) < 20 || s[4] != '-' || s[10] != 'T' || s[13] != ':')
		return -1;
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr("-:T.Z+", *p))
			return -1;
	snprintf(out, outlen, "%s", s);
	return 0;
}

static xmpp_stanza_t *
query(struct xt_conn *c, const char *archive, const char *start, const char *after)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "set", NULL), *q, *x, *set;

	if (archive)
		xmpp_stanza_set_to(iq, archive);
	q = xt_add_child_ns(iq, "query", NS_MAM);
	xmpp_stanza_set_attribute(q, "queryid", c->mam_queryid);
	x = xt_add_child_ns(q, "x", NS_DATA);
	xmpp_stanza_set_type(x, "submit");
	xt_add_form_field(x, "FORM_TYPE", NS_MAM, "hidden");
	if (start)
		xt_add_form_field(x, "start", start, NULL);
	set = xt_add_child_ns(q, "set", NS_RSM);
	xt_add_text_child(set, "max", PAGE);
	if (after)
		xt_add_text_child(set, "after", after);
	return iq;
}

/* Each page is a query of its own, with a fresh queryid: results that
 * carry it are trusted until its answer comes. */
static void
open_query(struct xt_conn *c, const char *archive)
{
	char *id = xt_new_id(c);

	c->mam_queryid = xt_strdup(id);
	c->mam_archive = archive;
	xmpp_free(c->ctx, id);
}

static void
close_query(struct xt_conn *c)
{
	free(c->mam_queryid);
	c->mam_queryid = NULL;
	c->mam_archive = NULL;
}

/* Our own archive's results come from our bare JID or, without a from,
 * from our server; a room's from the room. */
static int
from_archive(struct xt_conn *c, const char *from)
{
	char *own;
	int ours;

	if (!from)
		return 1;
	if (c->mam_archive)
		return xt_jid_equal(from, c->mam_archive);
	own = xt_jid_bare(c->acct->jid);
	ours = xt_jid_equal(from, own);
	free(own);
	return ours;
}

xmpp_stanza_t *
xt_mam_result(struct xt_conn *c, xmpp_stanza_t *msg, const char **why)
{
	xmpp_stanza_t *r = xmpp_stanza_get_child_by_name_and_ns(msg, "result", NS_MAM);
	const char *qid = r ? xmpp_stanza_get_attribute(r, "queryid") : NULL;

	*why = NULL;
	if (!r)
		return NULL;
	if (!c->mam_queryid)
		*why = "no archive query is open";
	else if (!from_archive(c, xmpp_stanza_get_from(msg)))
		*why = "not from the archive asked";
	else if (!qid || strcmp(qid, c->mam_queryid))
		*why = "not the queryid of the query open";
	return *why ? NULL : r;
}

int
xt_mam_fetch(struct xt_conn *c, const char *archive, const char *start,
	     const char *after_id)
{
	char *after = after_id ? xt_strdup(after_id) : NULL, *last;
	xmpp_stanza_t *iq, *r, *fin, *set;
	const char *complete;
	int rc = 0, done;

	for (;;) {
		open_query(c, archive);
		iq = query(c, archive, start, after);
		/* results arrive as messages before the answer, through the
		 * connection's stanza handler */
		r = xt_iq(c, iq, c->acct->connect_timeout);
		xmpp_stanza_release(iq);
		close_query(c);
		if (!r) {
			rc = c->error; /* recorded by xt_iq */
			break;
		}
		if (!strcmp(xmpp_stanza_get_type(r), "error") && after_id &&
		    !strcmp(xt_error_condition(r), "item-not-found")) {
			/* the id fell out of the archive: all of it is newer */
			xmpp_stanza_release(r);
			free(after);
			after = NULL;
			after_id = NULL;
			continue;
		}
		if (!strcmp(xmpp_stanza_get_type(r), "error")) {
			rc = xt_fail(c, XT_EPROTOCOL, "the server refused the archive query: %s",
				     xt_error_condition(r));
			xmpp_stanza_release(r);
			break;
		}
		fin = xmpp_stanza_get_child_by_name_and_ns(r, "fin", NS_MAM);
		complete = fin ? xmpp_stanza_get_attribute(fin, "complete") : "true";
		set = fin ? xmpp_stanza_get_child_by_name_and_ns(fin, "set", NS_RSM) : NULL;
		last = set ? xt_child_text(set, "last") : NULL;
		free(after);
		after = last ? xt_strdup(last) : NULL;
		if (last)
			xmpp_free(c->ctx, last);
		done = !after || (complete && !strcmp(complete, "true"));
		xmpp_stanza_release(r);
		if (done)
			break;
	}
	free(after);
	return rc;
}
