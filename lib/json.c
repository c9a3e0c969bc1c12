/* json.c - stanzas to JSON lines and JSON lines to messages */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

static void
put(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

/* Copies the text of child name into field k (libstrophe allocates it). */
static void
put_child(json_t *o, const char *k, xmpp_stanza_t *st, const char *name)
{
	char *t = xt_child_text(st, name);

	if (t) {
		put(o, k, t);
		xmpp_free(xmpp_stanza_get_context(st), t);
	}
}

static void
put_muc(json_t *o, xmpp_stanza_t *st, const char *type)
{
	const char *from = xmpp_stanza_get_from(st), *slash;
	xmpp_stanza_t *x = xmpp_stanza_get_child_by_ns(st, "http://jabber.org/protocol/muc#user");
	xmpp_stanza_t *item = x ? xmpp_stanza_get_child_by_name(x, "item") : NULL;
	json_t *m;

	if (!from || (!x && !(type && !strcmp(type, "groupchat"))))
		return;
	m = json_object();
	slash = strchr(from, '/');
	json_object_set_new(m, "room", slash ? json_stringn(from, (size_t)(slash - from)) : json_string(from));
	if (slash)
		put(m, "nick", slash + 1);
	if (item) {
		put(m, "affiliation", xmpp_stanza_get_attribute(item, "affiliation"));
		put(m, "role", xmpp_stanza_get_attribute(item, "role"));
		put(m, "jid", xmpp_stanza_get_attribute(item, "jid"));
	}
	json_object_set_new(o, "muc", m);
}

static void
put_message(json_t *o, xmpp_stanza_t *st)
{
	xmpp_stanza_t *ch;

	put_child(o, "subject", st, "subject");
	put_child(o, "body", st, "body");
	put_child(o, "thread", st, "thread");
	if ((ch = xmpp_stanza_get_child_by_ns(st, "jabber:x:oob")))
		put_child(o, "url", ch, "url");
	if ((ch = xmpp_stanza_get_child_by_name_and_ns(st, "received", "urn:xmpp:receipts")))
		put(o, "receipt", xmpp_stanza_get_attribute(ch, "id"));
	if (xmpp_stanza_get_child_by_name_and_ns(st, "request", "urn:xmpp:receipts"))
		json_object_set_new(o, "receipt_request", json_true());
	if ((ch = xmpp_stanza_get_child_by_name_and_ns(st, "origin-id", "urn:xmpp:sid:0")))
		put(o, "origin_id", xmpp_stanza_get_attribute(ch, "id"));
}

static void
put_presence(json_t *o, xmpp_stanza_t *st)
{
	xmpp_stanza_t *ch;
	char *prio;

	put_child(o, "show", st, "show");
	put_child(o, "status", st, "status");
	if ((prio = xt_child_text(st, "priority"))) {
		json_object_set_new(o, "priority", json_integer(atoi(prio)));
		xmpp_free(xmpp_stanza_get_context(st), prio);
	}
	if ((ch = xmpp_stanza_get_child_by_name_and_ns(st, "idle", "urn:xmpp:idle:1")))
		put(o, "idle", xmpp_stanza_get_attribute(ch, "since"));
	if ((ch = xmpp_stanza_get_child_by_name_and_ns(st, "c", "http://jabber.org/protocol/caps")))
		put(o, "caps", xmpp_stanza_get_attribute(ch, "node"));
}

/* The record as one line; the object is consumed. */
static char *
dump(json_t *j)
{
	char *out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	if (!out)
		xt_die(XT_EOS, "out of memory");
	return out;
}

/* A message without a type is "normal" (RFC 6120 8.2.3): ejabberd drops
 * type="normal" in transit, Prosody passes it on, and the two must read the
 * same. (An absent presence type means available: xt_presence_to_json.) */
static const char *
message_type(const char *name, const char *type)
{
	return !type && !strcmp(name, "message") ? "normal" : type;
}

/* What every stanza's record begins with: its kind, type, id, addresses
 * and language. */
static void
put_head(json_t *j, xmpp_stanza_t *st, const char *type)
{
	put(j, "kind", xmpp_stanza_get_name(st));
	put(j, "type", type);
	put(j, "id", xmpp_stanza_get_id(st));
	put(j, "from", xmpp_stanza_get_from(st));
	put(j, "to", xmpp_stanza_get_to(st));
	/* libstrophe's parser keeps xml:lang as "lang" */
	put(j, "lang", xmpp_stanza_get_attribute(st, "xml:lang")
			       ? xmpp_stanza_get_attribute(st, "xml:lang")
			       : xmpp_stanza_get_attribute(st, "lang"));
}

/* jid (the bare JID) and resource, as a presence's sender is read. */
static void
put_jid_parts(json_t *j, const char *from)
{
	const char *slash = from ? strchr(from, '/') : NULL;

	json_object_set_new(j, "jid", slash ? json_stringn(from, (size_t)(slash - from))
					   : json_string(from ? from : ""));
	if (slash)
		put(j, "resource", slash + 1);
}

/* What every stanza's record ends with: delay, error, room, how it came,
 * and the raw stanza for --full. */
static void
put_tail(json_t *j, xmpp_stanza_t *st, const char *type, const struct xt_json_opts *o)
{
	xmpp_stanza_t *ch;
	char *xml;
	size_t len;

	if ((ch = xmpp_stanza_get_child_by_name_and_ns(st, "delay", "urn:xmpp:delay")))
		put(j, "delay", xmpp_stanza_get_attribute(ch, "stamp"));
	if (type && !strcmp(type, "error"))
		put(j, "error", xt_error_condition(st));
	put_muc(j, st, type);
	if (o && o->carbon)
		put(j, "carbon", o->carbon);
	if (o && o->archived) {
		json_object_set_new(j, "archived", json_true());
		put(j, "archive_id", o->archive_id);
	}
	if (o && o->full && xmpp_stanza_to_text(st, &xml, &len) == 0) {
		json_object_set_new(j, "xml", json_stringn(xml, len));
		xmpp_free(xmpp_stanza_get_context(st), xml);
	}
}

/* One shape for a presence, whichever tool prints it (xmpp-tools(7)):
 * type always there ("available" when the stanza has none), and the
 * sender both whole (from) and split (jid, resource). */
char *
xt_presence_to_json(xmpp_stanza_t *st, const char *jid, const struct xt_json_opts *o)
{
	json_t *j = json_object();
	const char *type = st ? xmpp_stanza_get_type(st) : "unavailable";

	if (!st) {
		put(j, "kind", "presence");
		put(j, "type", type);
		put(j, "from", jid);
		put_jid_parts(j, jid);
		return dump(j);
	}
	put_head(j, st, type ? type : "available");
	put_jid_parts(j, xmpp_stanza_get_from(st));
	put_presence(j, st);
	put_tail(j, st, type, o);
	return dump(j);
}

char *
xt_stanza_to_json(xmpp_stanza_t *st, const struct xt_json_opts *o)
{
	json_t *j;
	const char *name = xmpp_stanza_get_name(st), *type = xmpp_stanza_get_type(st);
	xmpp_stanza_t *ch;

	if (!strcmp(name, "presence"))
		return xt_presence_to_json(st, NULL, o);
	j = json_object();
	put_head(j, st, message_type(name, type));
	if (!strcmp(name, "message"))
		put_message(j, st);
	else if (!strcmp(name, "iq") && (ch = xmpp_stanza_get_children(st)) &&
		 xmpp_stanza_is_tag(ch))
		put(j, "payload", xmpp_stanza_get_ns(ch));
	put_tail(j, st, type, o);
	return dump(j);
}

/* The fields a JSON message may have, and where each goes. */
static const char **
field(struct xt_msg *m, const char *k)
{
	if (!strcmp(k, "type")) return &m->type;
	if (!strcmp(k, "body")) return &m->body;
	if (!strcmp(k, "subject")) return &m->subject;
	if (!strcmp(k, "thread")) return &m->thread;
	if (!strcmp(k, "id")) return &m->id;
	if (!strcmp(k, "lang")) return &m->lang;
	if (!strcmp(k, "url")) return &m->url;
	return NULL;
}

static int
take_to(struct xt_msg *m, json_t *v, char *why, size_t whylen)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		m->to[m->nto++] = json_string_value(v);
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > sizeof m->to / sizeof m->to[0]) {
		snprintf(why, whylen, "field \"to\": want a JID or an array of up to 64 JIDs");
		return -1;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			snprintf(why, whylen, "field \"to\"[%zu]: want a string", i);
			return -1;
		}
		m->to[m->nto++] = json_string_value(e);
	}
	return 0;
}

int
xt_json_to_msg(const char *line, size_t len, struct xt_msg *m, char *why,
	       size_t whylen)
{
	json_error_t err;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err), *v;
	const char *k, **f;

	memset(m, 0, sizeof *m);
	if (!j) {
		snprintf(why, whylen, "malformed JSON at column %d: %s", err.column, err.text);
		return -1;
	}
	m->hold = j;
	if (!json_is_object(j)) {
		snprintf(why, whylen, "want a JSON object, one per line");
		return -1;
	}
	json_object_foreach(j, k, v) {
		if (!strcmp(k, "to")) {
			if (take_to(m, v, why, whylen))
				return -1;
		} else if (!strcmp(k, "receipt") || !strcmp(k, "no_store")) {
			if (!json_is_boolean(v)) {
				snprintf(why, whylen, "field \"%s\": want true or false", k);
				return -1;
			}
			*(k[0] == 'r' ? &m->receipt : &m->no_store) = json_is_true(v);
		} else if ((f = field(m, k))) {
			if (!json_is_string(v)) {
				snprintf(why, whylen, "field \"%s\": want a string", k);
				return -1;
			}
			*f = json_string_value(v);
		} else {
			snprintf(why, whylen, "unknown field \"%.40s\" (fields: to, type, body, "
				 "subject, thread, id, lang, url, receipt, no_store)", k);
			return -1;
		}
	}
	return 0;
}

void
xt_msg_free(struct xt_msg *m)
{
	json_decref(m->hold);
	m->hold = NULL;
}

static const char *
check_text(const char *name, const char *s)
{
	static char why[128];
	const char *bad;
	size_t at;

	if (s && (bad = xt_text_check(s, strlen(s), &at))) {
		snprintf(why, sizeof why, "field \"%s\": %s at byte %zu", name, bad, at);
		return why;
	}
	return NULL;
}

int
xt_msg_type_ok(const char *type)
{
	static const char *const types[] = { "chat", "normal", "headline", "groupchat", NULL };
	const char *const *t;

	for (t = types; *t && strcmp(*t, type); t++)
		;
	return *t != NULL;
}

const char *
xt_msg_check(const struct xt_msg *m)
{
	static char why[160];
	const char *bad;
	size_t i;

	if (m->type && !xt_msg_type_ok(m->type))
		return "field \"type\": want " XT_MSG_TYPES;
	for (i = 0; i < m->nto; i++) {
		if ((bad = xt_jid_check(m->to[i]))) {
			snprintf(why, sizeof why, "field \"to\": invalid JID '%.60s': %s", m->to[i], bad);
			return why;
		}
	}
	if ((bad = check_text("body", m->body)) || (bad = check_text("subject", m->subject)) ||
	    (bad = check_text("thread", m->thread)) || (bad = check_text("id", m->id)) ||
	    (bad = check_text("lang", m->lang)) || (bad = check_text("url", m->url)))
		return bad;
	if (!m->body && !m->subject && !m->url)
		return "nothing to send: no \"body\", \"subject\" or \"url\"";
	return NULL;
}

void
xt_print_json_string(const char *s)
{
	json_t *j = json_string(s);
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(out ? out : "null", stdout);
	free(out);
	json_decref(j);
}
