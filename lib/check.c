/* check.c - xmpp-check's findings: what a user needs to know about an
 * account and its server before relying on them, one line per check.
 *
 * What the connection does not keep comes from observe.c: the TLS session
 * and the stream's elements (the SASL mechanism chosen, the last stream
 * features, the answer to <enable/>). The rest is asked of the server
 * (disco#info). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#include "xt.h"

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_CARBONS "urn:xmpp:carbons:2"
#define NS_MAM "urn:xmpp:mam:2"
#define NS_LIMITS "urn:xmpp:stream-limits:0"
#define EXPIRY_WARN_DAYS 14

/* What the stream showed, from observe.c. */
static struct {
	char mech[32];        /* the mechanism of our <auth/> */
	char *features;       /* the last stream features received */
	int resume_asked;     /* our <enable/> asked for resumption */
	char *enabled;        /* the server's <enabled/>, or NULL */
} seen;

/* Whether a logged element is <name ...>. */
static int
is_tag(const char *xml, const char *name)
{
	size_t n = strlen(name);

	return xml[0] == '<' && !strncmp(xml + 1, name, n) && strchr(" />", xml[n + 1]);
}

/* Copies the value of attribute name of the element's start tag into out;
 * 0, or -1 if it has none. */
static int
attr_value(const char *xml, const char *name, char *out, size_t len)
{
	const char *end = strchr(xml, '>'), *p = xml, *q;
	size_t n = strlen(name);

	while ((p = strstr(p + 1, name)) && (!end || p < end)) {
		if (p[-1] != ' ' || p[n] != '=' || (p[n + 1] != '"' && p[n + 1] != '\''))
			continue;
		if (!(q = strchr(p + n + 2, p[n + 1])))
			return -1;
		snprintf(out, len, "%.*s", (int)(q - p - n - 2), p + n + 2);
		return 0;
	}
	return -1;
}

static void
keep(char **dst, const char *xml)
{
	free(*dst);
	*dst = xt_strdup(xml);
}

/* Only the mechanism of an <auth/> is kept: the rest is the SASL secret. */
static void
on_xml(char dir, const char *xml)
{
	char v[16];

	if (dir == '>' && is_tag(xml, "auth") &&
	    attr_value(xml, "mechanism", seen.mech, sizeof seen.mech))
		seen.mech[0] = '\0';
	else if (dir == '>' && is_tag(xml, "enable"))
		seen.resume_asked = !attr_value(xml, "resume", v, sizeof v) &&
				    (!strcmp(v, "true") || !strcmp(v, "1"));
	else if (dir == '<' && (is_tag(xml, "features") || is_tag(xml, "stream:features")))
		keep(&seen.features, xml);
	else if (dir == '<' && is_tag(xml, "enabled"))
		keep(&seen.enabled, xml);
}

void
xt_check_start(void)
{
	xt_observe_start(on_xml);
}

static void __attribute__((format(printf, 5, 6)))
add(struct xt_checks *k, const char *check, int status, const char *fix,
    const char *fmt, ...)
{
	struct xt_check_line *l;
	char detail[1024];
	va_list ap;

	if (k->n == XT_CHECK_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	l = &k->line[k->n++];
	l->check = check;
	l->status = status;
	l->detail = xt_strdup(detail);
	l->fix = xt_strdup(fix);
}

const char *
xt_check_status_name(int status)
{
	static const char *const names[] = { "ok", "note", "warn", "fail" };

	return names[status];
}

void
xt_check_account(struct xt_checks *k, const struct xt_account *a, int jid_given)
{
	if (a->config_used)
		add(k, "account", XT_CHECK_OK, NULL, "%s, from the config file %s%s%s%s",
		    a->jid, a->config_used, a->name ? ", account [" : "",
		    a->name ? a->name : "", a->name ? "]" : "");
	else
		add(k, "account", XT_CHECK_OK, NULL, "%s, from %s", a->jid,
		    jid_given ? "--jid" : "the environment (XMPP_JID)");
}

/* A fix for a failure whose message names none. */
static const char *
fix_for(int code)
{
	switch (code) {
	case XT_EAUTH: return "check the JID and the password";
	case XT_ETLS: return "give the server's CA with --cafile, or fix its certificate";
	case XT_EUNAVAILABLE: return "check the domain, --server and that the server runs";
	case XT_ETIMEOUT: return "check the network, or try --connect-timeout";
	case XT_ECONFIG: return "see xmpp-tools(7) for the config file and the environment";
	}
	return "run again with -v to see the stream";
}

/* Where the parenthesis that ends why opens ("what: why (what to do)"), or
 * NULL if it ends otherwise. */
static const char *
last_parenthesis(const char *why)
{
	size_t n = strlen(why);
	int depth = 0;

	if (!n || why[n - 1] != ')')
		return NULL;
	while (n--) {
		depth += why[n] == ')';
		depth -= why[n] == '(';
		if (!depth)
			return n && why[n - 1] == ' ' ? why + n : NULL;
	}
	return NULL;
}

/* A failed line: the first n bytes of why and end as its detail, fixlen
 * bytes at fix as its fix. */
static void
add_split(struct xt_checks *k, const char *check, const char *why, size_t n,
	  const char *end, const char *fix, size_t fixlen)
{
	char f[768];

	snprintf(f, sizeof f, "%.*s", (int)fixlen, fix);
	add(k, check, XT_CHECK_FAIL, f, "%.*s%s", (int)n, why, end);
}

/* The last "; " of s's first len bytes, or NULL. */
static const char *
last_semicolon(const char *s, size_t len)
{
	for (; len > 1; len--)
		if (s[len - 2] == ';' && s[len - 1] == ' ')
			return s + len - 2;
	return NULL;
}

void
xt_check_failed(struct xt_checks *k, const char *check, int code, const char *why)
{
	const char *open = last_parenthesis(why), *inside, *semi;
	size_t len;

	if (!open) {
		add(k, check, XT_CHECK_FAIL, fix_for(code), "%s", why);
	} else {
		inside = open + 1;
		len = strlen(inside) - 1;
		/* "(its key is sha256:F; use --cafile ...)": the fact stays */
		if ((semi = last_semicolon(inside, len)))
			add_split(k, check, why, (size_t)(semi - why), ")", semi + 2,
				  len - (size_t)(semi + 2 - inside));
		else
			add_split(k, check, why, (size_t)(open - 1 - why), "", inside, len);
	}
	if (!k->code)
		k->code = code;
}

static void
check_login(struct xt_checks *k, struct xt_conn *c)
{
	const char *bound = xmpp_conn_get_bound_jid(c->xc);

	add(k, "login", XT_CHECK_OK, NULL, "logged in as %s", bound ? bound : c->acct->jid);
}

static void
check_server(struct xt_checks *k, struct xt_conn *c)
{
	const struct xt_account *a = c->acct;
	const char *by;

	if (a->host)
		by = "as configured (--server, XMPP_SERVER or the config's server)";
	else if (a->direct_tls)
		by = "the domain itself (direct TLS)";
	else if (c->srv_missing)
		by = "the domain itself: it has no SRV record _xmpp-client._tcp";
	else
		by = "found by its SRV record";
	add(k, "server", XT_CHECK_OK, NULL, "%s, %s, %s", c->tried[0] ? c->tried : c->where,
	    by, a->direct_tls ? "direct TLS (XEP-0368)" : "STARTTLS");
}

static void
check_tls(struct xt_checks *k)
{
	if (!xt_observed.tls_version[0])
		add(k, "tls", XT_CHECK_NOTE, NULL, "the handshake was not seen");
	else
		add(k, "tls", XT_CHECK_OK, NULL, "%s, %s", xt_observed.tls_version,
		    xt_observed.cipher);
}

/* One line for each certificate of the chain, leaf first. */
static void
check_certificate(struct xt_checks *k, X509 *x, int depth)
{
	char subject[256], issuer[256], until[32], fix[128];
	int days = xt_cert_days_left(x);

	X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof subject);
	X509_NAME_oneline(X509_get_issuer_name(x), issuer, sizeof issuer);
	xt_cert_time(X509_get0_notAfter(x), until);
	snprintf(fix, sizeof fix, "renew it before %s (the server's admin)", until);
	add(k, "certificate", days < EXPIRY_WARN_DAYS ? XT_CHECK_WARN : XT_CHECK_OK,
	    days < EXPIRY_WARN_DAYS ? fix : NULL,
	    "%d: %s, issued by %s, expires %s (in %d days)", depth, subject, issuer,
	    until, days);
}

static void
check_chain(struct xt_checks *k)
{
	STACK_OF(X509) *chain = xt_observed.chain;
	char spki[XT_FP_LEN];
	int i;

	if (!chain || !sk_X509_num(chain)) {
		add(k, "certificate", XT_CHECK_NOTE, NULL, "the chain was not seen");
		return;
	}
	for (i = 0; i < sk_X509_num(chain); i++)
		check_certificate(k, sk_X509_value(chain, i), i);
	xt_cert_key_fingerprint(sk_X509_value(chain, 0), spki);
	if (spki[0])
		add(k, "key", XT_CHECK_OK, NULL, "%s (for --pin: trust this key alone)", spki);
}

static void
check_sasl(struct xt_checks *k)
{
	if (!seen.mech[0])
		add(k, "sasl", XT_CHECK_NOTE, NULL, "the mechanism was not seen");
	else if (!strcmp(seen.mech, "PLAIN"))
		add(k, "sasl", XT_CHECK_WARN, "ask the server's admin for SCRAM-SHA-256 (Prosody: "
		    "authentication = \"internal_hashed\")", "PLAIN: the password itself "
		    "went to the server (inside TLS); SCRAM would prove the server knows it");
	else if (strstr(seen.mech, "-PLUS"))
		add(k, "sasl", XT_CHECK_OK, NULL, "%s, with channel binding to this TLS session",
		    seen.mech);
	else
		add(k, "sasl", XT_CHECK_OK, NULL, "%s", seen.mech);
}

/* The value of attribute name of the server's <enabled/>, or NULL. */
static const char *
enabled_attr(const char *name, char *buf, size_t len)
{
	return seen.enabled && !attr_value(seen.enabled, name, buf, len) ? buf : NULL;
}

static void
check_resumption(struct xt_checks *k)
{
	char resume[8], max[24];

	if (!enabled_attr("resume", resume, sizeof resume) ||
	    (strcmp(resume, "true") && strcmp(resume, "1"))) {
		if (seen.resume_asked)
			add(k, "resumption", XT_CHECK_WARN, "enable it on the server (Prosody: "
			    "smacks_hibernation_time; ejabberd: resume_timeout)", "not offered: "
			    "a lost connection starts a new session");
		else
			add(k, "resumption", XT_CHECK_NOTE, NULL, "not asked for by this version");
		return;
	}
	if (enabled_attr("max", max, sizeof max))
		add(k, "resumption", XT_CHECK_OK, NULL, "offered, for up to %s s", max);
	else
		add(k, "resumption", XT_CHECK_OK, NULL, "offered, for a time the server did not state");
}

static void
check_sm(struct xt_checks *k, struct xt_conn *c)
{
	static const char fix[] = "enable XEP-0198 on the server (Prosody: mod_smacks; "
				  "ejabberd: mod_stream_mgmt)";

	if (!c->sm_offered) {
		add(k, "stream-management", XT_CHECK_WARN, fix, "not offered (XEP-0198): "
		    "what the server received is confirmed by a ping round trip instead");
		add(k, "resumption", XT_CHECK_NOTE, NULL, "none without stream management");
	} else if (!c->sm_enabled) {
		add(k, "stream-management", XT_CHECK_WARN, "see the server's log",
		    "offered, but enabling it failed");
	} else {
		add(k, "stream-management", XT_CHECK_OK, NULL, "offered and enabled (XEP-0198)");
		check_resumption(k);
	}
}

/* 1 if jid's disco#info lists feature ns, 0 if not (or it answered with
 * an error), -1 when no answer came (c->error set: a timeout, a lost
 * connection). */
static int
has_feature(struct xt_conn *c, const char *jid, const char *ns)
{
	xmpp_stanza_t *ans = xt_disco(c, jid, NS_DISCO_INFO), *q, *f;
	const char *var;
	int found = 0;

	if (!ans)
		return c->error ? -1 : 0;
	q = xmpp_stanza_get_child_by_ns(ans, NS_DISCO_INFO);
	for (f = q ? xmpp_stanza_get_children(q) : NULL; f && !found; f = xmpp_stanza_get_next(f)) {
		var = xmpp_stanza_is_tag(f) ? xmpp_stanza_get_attribute(f, "var") : NULL;
		found = var && !strcmp(xmpp_stanza_get_name(f), "feature") && !strcmp(var, ns);
	}
	xmpp_stanza_release(ans);
	return found;
}

/* A line for a feature asked of jid: what names it, fix for its absence. */
static void
check_feature(struct xt_checks *k, struct xt_conn *c, const char *check, const char *jid,
	      const char *ns, const char *what, const char *fix)
{
	int has = has_feature(c, jid, ns);

	if (has < 0)
		xt_check_failed(k, check, c->error, c->why);
	else if (has)
		add(k, check, XT_CHECK_OK, NULL, "%s offers %s", jid, what);
	else
		add(k, check, XT_CHECK_WARN, fix, "%s does not offer %s", jid, what);
}

static void
check_upload(struct xt_checks *k, struct xt_conn *c)
{
	struct xt_upload_service u;

	if (!xt_upload_lookup(c, &u) && c->error)
		xt_check_failed(k, "upload", c->error, c->why);
	else if (!u.jid)
		add(k, "upload", XT_CHECK_WARN, "add an upload service to the server (Prosody: "
		    "a http_file_share component; ejabberd: mod_http_upload)",
		    "%s offers no HTTP upload service (XEP-0363): xmpp-sendfile cannot "
		    "send files", c->domain);
	else if (!u.max_size)
		add(k, "upload", XT_CHECK_OK, NULL, "%s (XEP-0363), no size limit stated", u.jid);
	else
		add(k, "upload", XT_CHECK_OK, NULL, "%s (XEP-0363), files up to %llu bytes "
		    "(%.1f MiB)", u.jid, u.max_size, (double)u.max_size / (1024 * 1024));
	xt_upload_service_free(&u);
}

/* XEP-0478: <limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>, in the
 * stream features. */
static void
check_stanza_limit(struct xt_checks *k, struct xt_conn *c)
{
	xmpp_stanza_t *f = seen.features ? xmpp_stanza_new_from_string(c->ctx, seen.features)
					 : NULL;
	xmpp_stanza_t *limits = f ? xmpp_stanza_get_child_by_ns(f, NS_LIMITS) : NULL;
	char *max = limits ? xt_child_text(limits, "max-bytes") : NULL;

	if (max)
		add(k, "stanza-limit", XT_CHECK_OK, NULL, "%s bytes (XEP-0478)", max);
	else
		add(k, "stanza-limit", XT_CHECK_NOTE, NULL, "not announced (XEP-0478)");
	if (max)
		xmpp_free(c->ctx, max);
	if (f)
		xmpp_stanza_release(f);
}

/* OMEMO readiness: a device of this account's on this machine (xmpp-keys
 * init), and that device in the account's published list, where the
 * correspondents' clients look for it. Without a device it is a note:
 * encryption is something a user opts in to. */
static void
check_omemo(struct xt_checks *k, struct xt_conn *c)
{
	struct xt_omemo *o = NULL;
	unsigned long *ids = NULL, id;
	size_t n = 0;
	char *fp;
	int rc;

	if (xt_omemo_open(c->acct->jid, -1, &o)) {
		add(k, "omemo", XT_CHECK_FAIL, "see the error above; xmpp-keys init makes a new device",
		    "this account's OMEMO state cannot be read");
		return;
	}
	if (!(id = xt_omemo_device_id(o))) {
		add(k, "omemo", XT_CHECK_NOTE, NULL, "no OMEMO device for this account on this "
		    "machine (xmpp-keys init sets one up for --encrypt omemo)");
	} else if ((rc = xt_omemo_fetch_devices(c, NULL, &ids, &n))) {
		add(k, "omemo", XT_CHECK_WARN, "check that the server has PEP (XEP-0163), "
		    "then run xmpp-keys init", "device %lu, but the account's device list "
		    "cannot be read: %s", id, c->why);
	} else if (!xt_omemo_listed(ids, n, id)) {
		add(k, "omemo", XT_CHECK_WARN, "run xmpp-keys init: it publishes the device again",
		    "device %lu is not in the account's published device list: correspondents "
		    "cannot encrypt for it", id);
	} else {
		fp = xt_omemo_own_fingerprint(o);
		add(k, "omemo", XT_CHECK_OK, NULL, "device %lu published (XEP-0384), "
		    "fingerprint %s", id, fp ? fp : "unreadable");
		free(fp);
	}
	free(ids);
	xt_omemo_close(o);
}

void
xt_check_session(struct xt_checks *k, struct xt_conn *c)
{
	char *bare = xt_jid_bare(c->acct->jid);

	check_login(k, c);
	check_server(k, c);
	check_tls(k);
	check_chain(k);
	check_sasl(k);
	check_sm(k, c);
	check_feature(k, c, "carbons", c->domain, NS_CARBONS, "message carbons (XEP-0280)",
		      "enable XEP-0280 on the server (Prosody: mod_carbons)");
	check_feature(k, c, "mam", bare, NS_MAM, "a message archive (XEP-0313)",
		      "enable XEP-0313 on the server (Prosody: mod_mam; ejabberd: mod_mam)");
	check_upload(k, c);
	check_stanza_limit(k, c);
	check_omemo(k, c);
	add(k, "ox", XT_CHECK_NOTE, NULL, "OpenPGP (XEP-0373): not yet supported by this version");
	free(bare);
}

void
xt_checks_free(struct xt_checks *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->line[i].detail);
		free(k->line[i].fix);
	}
	k->n = 0;
	free(seen.features);
	free(seen.enabled);
	memset(&seen, 0, sizeof seen);
	xt_observe_free();
}
