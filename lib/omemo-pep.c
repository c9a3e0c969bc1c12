/* omemo-pep.c - OMEMO's two PEP nodes (XEP-0163, XEP-0060): the device
 * list and one bundle per device. Ours are published with the open access
 * model (XEP-0223 publish-options), as XEP-0384 asks: senders that are not
 * in our roster must read them too. A node made earlier with another model
 * fails the precondition; it is then reconfigured and published again. */
#include <stdlib.h>
#include <string.h>

#include "xt.h"

#define NS_PUBSUB "http://jabber.org/protocol/pubsub"
#define NS_PUBSUB_OWNER NS_PUBSUB "#owner"
#define NS_DATA "jabber:x:data"

/* The first <item/>'s payload of a pubsub items result, or NULL. */
static xmpp_stanza_t *
item_payload(xmpp_stanza_t *ans, const char *name)
{
	xmpp_stanza_t *p = xmpp_stanza_get_child_by_ns(ans, NS_PUBSUB);
	xmpp_stanza_t *items = p ? xmpp_stanza_get_child_by_name(p, "items") : NULL;
	xmpp_stanza_t *item = items ? xmpp_stanza_get_child_by_name(items, "item") : NULL;
	xmpp_stanza_t *el = item ? xmpp_stanza_get_child_by_name(item, name) : NULL;
	const char *ns = el ? xmpp_stanza_get_ns(el) : NULL;

	return ns && !strcmp(ns, XT_NS_OMEMO) ? el : NULL;
}

/* Asks jid (NULL: our own account) for node's items: the answer, or NULL
 * with c->why set (and c->error when the connection failed); *missing says
 * the node is not there. */
static xmpp_stanza_t *
fetch_node(struct xt_conn *c, const char *jid, const char *node, int *missing)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "get", NULL), *ps, *items, *ans;
	const char *cond;

	*missing = 0;
	if (jid)
		xmpp_stanza_set_to(iq, jid);
	ps = xt_add_child_ns(iq, "pubsub", NS_PUBSUB);
	items = xt_add_child_ns(ps, "items", NULL);
	xmpp_stanza_set_attribute(items, "node", node);
	xmpp_stanza_set_attribute(items, "max_items", "1");
	ans = xt_iq(c, iq, c->acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (!ans || strcmp(xmpp_stanza_get_type(ans), "error"))
		return ans;
	cond = xt_error_condition(ans);
	*missing = !strcmp(cond, "item-not-found");
	/* a refusal is this request's, not the connection's: no xt_fail */
	if (!*missing)
		snprintf(c->why, sizeof c->why, "%s refused its %s node: %s",
			 jid ? jid : "the server", node, cond);
	xmpp_stanza_release(ans);
	return NULL;
}

int
xt_omemo_fetch_devices(struct xt_conn *c, const char *jid, unsigned long **ids, size_t *n)
{
	int missing;
	xmpp_stanza_t *ans = fetch_node(c, jid, XT_NS_OMEMO_DEVICES, &missing);

	*ids = NULL, *n = 0;
	if (!ans)
		return missing ? 0 : c->error ? c->error : XT_ENOKEY;
	*n = xt_omemo_parse_devices(item_payload(ans, "list"), ids);
	xmpp_stanza_release(ans);
	return 0;
}

int
xt_omemo_fetch_bundle(struct xt_conn *c, const char *jid, unsigned long id,
		      struct xt_omemo_bundle *b)
{
	char node[80], why[120];
	int missing, rc;
	xmpp_stanza_t *ans, *el;

	memset(b, 0, sizeof *b);
	snprintf(node, sizeof node, "%s:%lu", XT_NS_OMEMO_BUNDLES, id);
	if (!(ans = fetch_node(c, jid, node, &missing))) {
		if (missing)
			snprintf(c->why, sizeof c->why, "device %lu has no bundle", id);
		return missing ? XT_ENOKEY : c->error ? c->error : XT_ENOKEY;
	}
	if (!(el = item_payload(ans, "bundle")))
		snprintf(why, sizeof why, "an empty bundle node");
	rc = !el || xt_omemo_parse_bundle(el, b, why, sizeof why) ? XT_ENOKEY : 0;
	if (rc)
		snprintf(c->why, sizeof c->why, "device %lu's bundle: %s", id, why);
	xmpp_stanza_release(ans);
	return rc;
}

/* The open access model as a form of form_type, under parent. */
static void
add_open_form(xmpp_stanza_t *parent, const char *form_type)
{
	xmpp_stanza_t *x = xt_add_child_ns(parent, "x", NS_DATA);

	xmpp_stanza_set_type(x, "submit");
	xt_add_form_field(x, "FORM_TYPE", form_type, "hidden");
	xt_add_form_field(x, "pubsub#access_model", "open", NULL);
}

/* Sends iq and waits: 0, or the refusal's condition in *cond (static) and
 * an exit code. */
static int
iq_ok(struct xt_conn *c, xmpp_stanza_t *iq, const char **cond)
{
	xmpp_stanza_t *ans = xt_iq(c, iq, c->acct->connect_timeout);
	int rc = 0;

	*cond = NULL;
	if (!ans)
		return c->error;
	if (!strcmp(xmpp_stanza_get_type(ans), "error")) {
		*cond = xt_error_condition(ans);
		rc = XT_EPROTOCOL;
	}
	xmpp_stanza_release(ans);
	return rc;
}

/* Gives an existing node the open access model (owner configure). */
static int
configure_open(struct xt_conn *c, const char *node, const char **cond)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "set", NULL), *ps, *conf;
	int rc;

	ps = xt_add_child_ns(iq, "pubsub", NS_PUBSUB_OWNER);
	conf = xt_add_child_ns(ps, "configure", NULL);
	xmpp_stanza_set_attribute(conf, "node", node);
	add_open_form(conf, NS_PUBSUB "#node_config");
	rc = iq_ok(c, iq, cond);
	xmpp_stanza_release(iq);
	return rc;
}

/* Publishes payload (taken over) as node's item "current". */
static int
publish(struct xt_conn *c, const char *node, xmpp_stanza_t *payload)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "set", NULL), *ps, *pub, *item, *opts;
	const char *cond;
	int rc;

	ps = xt_add_child_ns(iq, "pubsub", NS_PUBSUB);
	pub = xt_add_child_ns(ps, "publish", NULL);
	xmpp_stanza_set_attribute(pub, "node", node);
	item = xt_add_child_ns(pub, "item", NULL);
	xmpp_stanza_set_id(item, "current");
	xmpp_stanza_add_child(item, payload);
	xmpp_stanza_release(payload);
	opts = xt_add_child_ns(ps, "publish-options", NULL);
	add_open_form(opts, NS_PUBSUB "#publish-options");
	rc = iq_ok(c, iq, &cond);
	if (rc && cond && !strcmp(cond, "conflict"))
		cond = "precondition-not-met"; /* some servers say it so */
	if (rc && cond && !strcmp(cond, "precondition-not-met") &&
	    !(rc = configure_open(c, node, &cond)))
		rc = iq_ok(c, iq, &cond);
	xmpp_stanza_release(iq);
	if (rc)
		return xt_error(rc, "publishing %s: %s", node, cond ? cond : c->why);
	return 0;
}

int
xt_omemo_listed(const unsigned long *ids, size_t n, unsigned long id)
{
	while (n--)
		if (ids[n] == id)
			return 1;
	return 0;
}

/* Adds <device id='id'/> to list. */
static void
add_device(xmpp_stanza_t *list, unsigned long id)
{
	char num[24];

	snprintf(num, sizeof num, "%lu", id);
	xmpp_stanza_set_id(xt_add_child_ns(list, "device", NULL), num);
}

/* Our device list: the devices listed before, and ours. */
static xmpp_stanza_t *
device_list(struct xt_conn *c, const unsigned long *ids, size_t n, unsigned long own)
{
	xmpp_stanza_t *list = xmpp_stanza_new(c->ctx);
	size_t i;

	xmpp_stanza_set_name(list, "list");
	xmpp_stanza_set_ns(list, XT_NS_OMEMO);
	for (i = 0; i < n; i++)
		add_device(list, ids[i]);
	if (!xt_omemo_listed(ids, n, own))
		add_device(list, own);
	return list;
}

int
xt_omemo_publish(struct xt_conn *c, struct xt_omemo *o)
{
	unsigned long *ids, own = xt_omemo_device_id(o);
	char node[80];
	size_t n;
	int rc;

	snprintf(node, sizeof node, "%s:%lu", XT_NS_OMEMO_BUNDLES, own);
	/* the bundle first: a device listed must have keys to fetch */
	if ((rc = publish(c, node, xt_omemo_bundle(o, c->ctx))))
		return rc;
	if ((rc = xt_omemo_fetch_devices(c, NULL, &ids, &n)))
		return xt_error(rc, "reading our device list: %s", c->why);
	rc = publish(c, XT_NS_OMEMO_DEVICES, device_list(c, ids, n, own));
	free(ids);
	return rc;
}
