/* stanza.c - building the stanzas the tools send */
#include <stdlib.h>
#include <string.h>

#include "xt.h"


xmpp_stanza_t *
xt_add_child_ns(xmpp_stanza_t *st, const char *name, const char *ns)
{
	xmpp_stanza_t *ch = xmpp_stanza_new(xmpp_stanza_get_context(st));

	xmpp_stanza_set_name(ch, name);
	if (ns)
		xmpp_stanza_set_ns(ch, ns);
	xmpp_stanza_add_child_ex(st, ch, 0);
	return ch;
}

void
xt_add_text_child(xmpp_stanza_t *st, const char *name, const char *text)
{
	xmpp_stanza_t *ch = xt_add_child_ns(st, name, NULL);
	xmpp_stanza_t *t = xmpp_stanza_new(xmpp_stanza_get_context(st));

	xmpp_stanza_set_text(t, text);
	xmpp_stanza_add_child_ex(ch, t, 0);
}

xmpp_stanza_t *
xt_add_b64_child(xmpp_stanza_t *st, const char *name, const unsigned char *data, size_t len)
{
	char *b64 = xt_b64_encode(data, len);
	xmpp_stanza_t *ch;

	xt_add_text_child(st, name, b64);
	free(b64);
	/* the child just added is the last one */
	for (ch = xmpp_stanza_get_children(st); xmpp_stanza_get_next(ch); ch = xmpp_stanza_get_next(ch))
		;
	return ch;
}

void
xt_add_form_field(xmpp_stanza_t *form, const char *var, const char *value, const char *type)
{
	xmpp_stanza_t *f = xt_add_child_ns(form, "field", NULL);

	xmpp_stanza_set_attribute(f, "var", var);
	if (type)
		xmpp_stanza_set_attribute(f, "type", type);
	xt_add_text_child(f, "value", value);
}

char *
xt_child_text(xmpp_stanza_t *st, const char *name)
{
	xmpp_stanza_t *ch = xmpp_stanza_get_child_by_name(st, name);

	return ch ? xmpp_stanza_get_text(ch) : NULL;
}

xmpp_stanza_t *
xt_message_new(struct xt_conn *c, const char *to, const char *type)
{
	char *id = xt_new_id(c);
	xmpp_stanza_t *m = xmpp_message_new(c->ctx, type, to, id), *oid;

	/* XEP-0359: the same id survives MUC reflection and archives */
	oid = xt_add_child_ns(m, "origin-id", "urn:xmpp:sid:0");
	xmpp_stanza_set_attribute(oid, "id", id);
	xmpp_free(c->ctx, id);
	return m;
}

int
xt_go_online_quietly(struct xt_conn *c)
{
	xmpp_stanza_t *p = xmpp_presence_new(c->ctx);
	int rc;

	/* priority -1: the server gives this resource no messages, and keeps
	 * offline ones stored for a real client */
	xt_add_text_child(p, "priority", "-1");
	rc = xt_send(c, p, NULL);
	xmpp_stanza_release(p);
	/* the ack comes after what the server sent us in answer */
	return rc ? rc : xt_confirm_all(c);
}

void
xt_send_presence(struct xt_conn *c, int prio)
{
	xmpp_stanza_t *p = xmpp_presence_new(c->ctx);
	char text[8];

	snprintf(text, sizeof text, "%d", prio);
	xt_add_text_child(p, "priority", text);

	xt_send(c, p, NULL);
	xmpp_stanza_release(p);
}

xmpp_stanza_t *
xt_msg_stanza(struct xt_conn *c, const struct xt_msg *m, const char *to)
{
	xmpp_stanza_t *st = xt_message_new(c, to, m->type ? m->type : "chat"), *x;

	if (m->id)
		xmpp_stanza_set_id(st, m->id);
	if (m->lang)
		xmpp_stanza_set_attribute(st, "xml:lang", m->lang);
	if (m->subject)
		xt_add_text_child(st, "subject", m->subject);
	if (m->body)
		xt_add_text_child(st, "body", m->body);
	if (m->thread)
		xt_add_text_child(st, "thread", m->thread);
	if (m->url) {
		x = xt_add_child_ns(st, "x", "jabber:x:oob");
		xt_add_text_child(x, "url", m->url);
	}
	if (m->receipt)
		xt_add_child_ns(st, "request", "urn:xmpp:receipts");
	if (m->no_store)
		xt_add_child_ns(st, "no-store", "urn:xmpp:hints");
	return st;
}

void
xt_send_receipt(struct xt_conn *c, xmpp_stanza_t *msg)
{
	const char *id = xmpp_stanza_get_id(msg), *from = xmpp_stanza_get_from(msg);
	const char *type = xmpp_stanza_get_type(msg);
	xmpp_stanza_t *r, *rcv;

	/* XEP-0184 5: only on request, never for groupchat or errors */
	if (!id || !from || (type && (!strcmp(type, "groupchat") || !strcmp(type, "error"))) ||
	    !xmpp_stanza_get_child_by_name_and_ns(msg, "request", "urn:xmpp:receipts"))
		return;
	r = xt_message_new(c, from, type);
	rcv = xt_add_child_ns(r, "received", "urn:xmpp:receipts");
	xmpp_stanza_set_attribute(rcv, "id", id);
	xt_send(c, r, NULL);
	xmpp_stanza_release(r);
}
