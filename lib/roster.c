/* roster.c - the roster (RFC 6121 section 2): fetch, set, remove, JSON */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

#define NS_ROSTER "jabber:iq:roster"

void
xt_roster_item_free(struct xt_roster_item *it)
{
	size_t i;

	free(it->jid);
	free(it->name);
	free(it->subscription);
	free(it->ask);
	for (i = 0; i < it->ngroups; i++)
		free(it->groups[i]);
	free(it->groups);
	memset(it, 0, sizeof *it);
}

void
xt_roster_free(struct xt_roster *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		xt_roster_item_free(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof *r);
}

static void
add_group(struct xt_roster_item *it, const char *g)
{
	it->groups = xt_realloc(it->groups, (it->ngroups + 1) * sizeof *it->groups);
	it->groups[it->ngroups++] = xt_strdup(g);
}

/* Reads one <item/> of a roster result or push. */
void
xt_roster_item_from_stanza(xmpp_stanza_t *item, struct xt_roster_item *it)
{
	xmpp_stanza_t *g;
	char *text;

	memset(it, 0, sizeof *it);
	it->jid = xt_strdup(xmpp_stanza_get_attribute(item, "jid"));
	it->name = xt_strdup(xmpp_stanza_get_attribute(item, "name"));
	it->subscription = xt_strdup(xmpp_stanza_get_attribute(item, "subscription"));
	it->ask = xt_strdup(xmpp_stanza_get_attribute(item, "ask"));
	if (!it->subscription)
		it->subscription = xt_strdup("none");
	for (g = xmpp_stanza_get_children(item); g; g = xmpp_stanza_get_next(g)) {
		if (!xmpp_stanza_is_tag(g) || strcmp(xmpp_stanza_get_name(g), "group"))
			continue;
		if ((text = xmpp_stanza_get_text(g))) {
			add_group(it, text);
			xmpp_free(xmpp_stanza_get_context(g), text);
		}
	}
}

int
xt_roster_get(struct xt_conn *c, struct xt_roster *r)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "get", NULL), *ans, *q, *item;

	memset(r, 0, sizeof *r);
	xt_add_child_ns(iq, "query", NS_ROSTER);
	ans = xt_iq(c, iq, c->acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (!ans)
		return xt_error(c->error, "roster request: %s", c->why);
	if (!strcmp(xmpp_stanza_get_type(ans), "error")) {
		int rc = xt_error(XT_EPROTOCOL, "the server refused the roster: %s",
				  xt_error_condition(ans));
		xmpp_stanza_release(ans);
		return rc;
	}
	q = xmpp_stanza_get_child_by_ns(ans, NS_ROSTER);
	for (item = q ? xmpp_stanza_get_children(q) : NULL; item; item = xmpp_stanza_get_next(item)) {
		if (!xmpp_stanza_is_tag(item) || strcmp(xmpp_stanza_get_name(item), "item"))
			continue;
		r->items = xt_realloc(r->items, (r->n + 1) * sizeof *r->items);
		xt_roster_item_from_stanza(item, &r->items[r->n++]);
	}
	xmpp_stanza_release(ans);
	return 0;
}

struct xt_roster_item *
xt_roster_find(const struct xt_roster *r, const char *jid)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (xt_jid_equal(r->items[i].jid, jid))
			return &r->items[i];
	return NULL;
}

/* Sends a roster set and waits for the server's answer. */
static int
roster_set(struct xt_conn *c, const struct xt_roster_item *it, int remove)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "set", NULL), *q, *item, *ans;
	size_t i;
	int rc = 0;

	q = xt_add_child_ns(iq, "query", NS_ROSTER);
	item = xt_add_child_ns(q, "item", NULL);
	xmpp_stanza_set_attribute(item, "jid", it->jid);
	if (remove) {
		xmpp_stanza_set_attribute(item, "subscription", "remove");
	} else {
		if (it->name && *it->name)
			xmpp_stanza_set_attribute(item, "name", it->name);
		for (i = 0; i < it->ngroups; i++)
			xt_add_text_child(item, "group", it->groups[i]);
	}
	ans = xt_iq(c, iq, c->acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (!ans)
		return xt_error(c->error, "roster %s of %s: %s", remove ? "removal" : "update",
				it->jid, c->why);
	if (!strcmp(xmpp_stanza_get_type(ans), "error"))
		rc = xt_error(XT_EPROTOCOL, "the server refused to %s %s: %s",
			      remove ? "remove" : "set", it->jid, xt_error_condition(ans));
	xmpp_stanza_release(ans);
	return rc;
}

int
xt_roster_set(struct xt_conn *c, const struct xt_roster_item *it)
{
	return roster_set(c, it, 0);
}

int
xt_roster_remove(struct xt_conn *c, const char *jid)
{
	struct xt_roster_item it = { .jid = (char *)jid };

	return roster_set(c, &it, 1);
}

char *
xt_roster_item_to_json(const struct xt_roster_item *it)
{
	json_t *j = json_object(), *g = json_array();
	size_t i;
	char *out;

	json_object_set_new(j, "jid", json_string(it->jid));
	json_object_set_new(j, "name", it->name ? json_string(it->name) : json_null());
	json_object_set_new(j, "subscription", json_string(it->subscription ? it->subscription : "none"));
	json_object_set_new(j, "ask", it->ask ? json_string(it->ask) : json_null());
	for (i = 0; i < it->ngroups; i++)
		json_array_append_new(g, json_string(it->groups[i]));
	json_object_set_new(j, "groups", g);
	out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!out)
		xt_die(XT_EOS, "out of memory");
	return out;
}

/* A text field of the JSON item: absent, null or a checked string. */
static int
text_field(json_t *j, const char *k, char **out, char *why, size_t whylen)
{
	json_t *v = json_object_get(j, k);
	const char *bad;
	size_t at;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(why, whylen, "field \"%s\": want a string", k);
		return -1;
	}
	if ((bad = xt_text_check(json_string_value(v), json_string_length(v), &at))) {
		snprintf(why, whylen, "field \"%s\": %s at byte %zu", k, bad, at);
		return -1;
	}
	*out = xt_strdup(json_string_value(v));
	return 0;
}

/* Whether line is what a JSON document spread over lines starts with: a
 * lone '{' or '[' (jq ., jq -s ., python -m json.tool). */
static int
opens_document(const char *line, size_t len)
{
	while (len && strchr(" \t\r", line[len - 1]))
		len--;
	while (len && strchr(" \t", *line))
		line++, len--;
	return len == 1 && (*line == '{' || *line == '[');
}

/* Returns the first field of j that an item has not, or NULL. */
static const char *
unknown_field(json_t *j)
{
	static const char *const known[] = { "jid", "name", "groups", "subscription",
					     "ask", NULL };
	const char *k;
	const char *const *f;
	json_t *v;

	json_object_foreach(j, k, v) {
		for (f = known; *f && strcmp(*f, k); f++)
			;
		if (!*f)
			return k;
	}
	return NULL;
}

/* The item's shape: an object, no field it cannot have. */
static int
check_shape(json_t *j, char *why, size_t whylen)
{
	const char *k;

	if (json_is_array(j)) {
		snprintf(why, whylen, "a JSON array: want one JSON object per line (jq -c '.[]')");
		return -2;
	}
	if (!json_is_object(j)) {
		snprintf(why, whylen, "want one JSON object per line (jq -c)");
		return -1;
	}
	if ((k = unknown_field(j))) {
		snprintf(why, whylen, "unknown field \"%.40s\" (fields: jid, name, groups; "
			 "subscription and ask are ignored)", k);
		return -1;
	}
	return 0;
}

int
xt_roster_item_from_json(const char *line, size_t len, struct xt_roster_item *it,
			 char *why, size_t whylen)
{
	json_error_t err;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err), *g, *e;
	const char *bad;
	size_t i, at;
	int rc = -1;

	memset(it, 0, sizeof *it);
	if (!j && opens_document(line, len)) {
		snprintf(why, whylen, "pretty-printed JSON: want one JSON object per line (jq -c)");
		return -2;
	}
	if (!j) {
		snprintf(why, whylen, "malformed JSON at column %d: %s", err.column, err.text);
		return -1;
	}
	if ((rc = check_shape(j, why, whylen)))
		goto out;
	rc = -1;
	if (text_field(j, "jid", &it->jid, why, whylen) || text_field(j, "name", &it->name, why, whylen))
		goto out;
	if (!it->jid) {
		snprintf(why, whylen, "field \"jid\" is missing");
		goto out;
	}
	if ((bad = xt_jid_check(it->jid))) {
		snprintf(why, whylen, "field \"jid\": invalid JID '%.60s': %s", it->jid, bad);
		goto out;
	}
	g = json_object_get(j, "groups");
	if (g && !json_is_array(g) && !json_is_null(g)) {
		snprintf(why, whylen, "field \"groups\": want an array of strings");
		goto out;
	}
	json_array_foreach(g, i, e) {
		if (!json_is_string(e) || xt_text_check(json_string_value(e), json_string_length(e), &at)) {
			snprintf(why, whylen, "field \"groups\": want an array of strings");
			goto out;
		}
		add_group(it, json_string_value(e));
	}
	rc = 0;
out:
	json_decref(j);
	if (rc)
		xt_roster_item_free(it);
	return rc;
}

int
xt_roster_item_same(const struct xt_roster_item *a, const struct xt_roster_item *b)
{
	size_t i, k;

	if (strcmp(a->name ? a->name : "", b->name ? b->name : "") || a->ngroups != b->ngroups)
		return 0;
	for (i = 0; i < a->ngroups; i++) {
		for (k = 0; k < b->ngroups && strcmp(a->groups[i], b->groups[k]); k++)
			;
		if (k == b->ngroups)
			return 0;
	}
	return 1;
}

int
xt_roster_follow(struct xt_conn *c, xt_stanza_cb on_stanza, void *data)
{
	struct xt_roster r;
	int rc;

	/* RFC 6121 2.1.6: pushes go to resources that asked for the roster */
	if ((rc = xt_roster_get(c, &r)))
		return rc;
	xt_roster_free(&r);
	c->on_stanza = on_stanza;
	c->on_stanza_data = data;
	return 0;
}
