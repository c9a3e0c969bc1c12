/* probe.c - federation checks of one domain, as a remote server sees it:
 * DNS (RFC 6120 3.2, XEP-0368), each target address, STARTTLS or direct
 * TLS, the certificate (RFC 6125, RFC 7590), DANE (RFC 7673), the features
 * a peer authenticates with (XEP-0220, XEP-0178). The result is a JSON
 * report; xmpp-s2s-probe(1) documents its fields. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "xt.h"

#define AIA_MAX (64 * 1024)

static const char *const version_names[XT_TLS_VERSIONS] = {
	"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
};

/* Adds {"check", "status", "message", "fix"} to list. */
static void __attribute__((format(printf, 5, 6)))
check(json_t *list, const char *name, const char *status, const char *fix,
      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *c;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c = json_pack("{s:s, s:s, s:s}", "check", name, "status", status, "message", msg);
	if (fix && strcmp(status, "pass"))
		json_object_set_new(c, "fix", json_string(fix));
	json_array_append_new(list, c);
}

static json_t *
str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* ---- DNS ---- */

static int
srv_order(const void *a, const void *b)
{
	const struct xt_srv *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return 0;
}

struct srvs {
	struct xt_srv *v;
	size_t n;
	int secure, bogus;
	int nfailed;     /* of the two names */
	int failed;      /* no usable answer: both failed, or one is bogus */
	int partial;     /* one failed, the other answered */
	char why[700];
};

/* Adds the records of one SRV answer to r; records DNSSEC status, that
 * of the answers only: a failed lookup has none. */
static void
add_srv(const char *name, struct xt_dns_answer *a, int direct_tls, struct srvs *r)
{
	size_t i;

	if (a->status == XT_DNS_FAIL || a->status == XT_DNS_TIMEOUT) {
		r->nfailed++;
		r->bogus |= a->bogus;
		snprintf(r->why, sizeof r->why, "%s: %s", name, a->why);
	} else if (!a->secure) {
		r->secure = 0;
	}
	for (i = 0; i < a->n; i++) {
		struct xt_srv s;
		if (xt_dns_srv(&a->rr[i], &s))
			continue;
		s.direct_tls = direct_tls;
		r->v = xt_realloc(r->v, (r->n + 1) * sizeof *r->v);
		r->v[r->n++] = s;
	}
	xt_dns_answer_free(a);
}

/* Looks up _SERVICE._tcp.domain and its XEP-0368 twin at once, in the
 * order RFC 2782 gives (priority, then weight). */
static void
lookup_srv(struct xt_dns *dns, const char *plain, const char *tls,
	   const char *domain, struct srvs *r)
{
	char n1[300], n2[300];
	const char *names[2] = { n1, n2 };
	const int types[2] = { XT_RR_SRV, XT_RR_SRV };
	struct xt_dns_answer a[2];

	r->secure = 1;
	snprintf(n1, sizeof n1, "_%s._tcp.%s", plain, domain);
	snprintf(n2, sizeof n2, "_%s._tcp.%s", tls, domain);
	xt_dns_queries(dns, names, types, a, 2);
	add_srv(n1, &a[0], 0, r);
	add_srv(n2, &a[1], 1, r);
	/* a validation failure may hide what an attacker removed: no
	 * answer counts; a name server failing for one name is a warning */
	r->failed = r->nfailed == 2 || r->bogus;
	r->partial = r->nfailed == 1 && !r->bogus;
	if (r->nfailed == 2)
		r->secure = 0;
	if (r->n)
		qsort(r->v, r->n, sizeof *r->v, srv_order);
}

static json_t *
srv_json(const struct srvs *r, const char *plain, const char *tls)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:i, s:i}",
			"service", r->v[i].direct_tls ? tls : plain,
			"target", r->v[i].target, "port", (int)r->v[i].port,
			"priority", (int)r->v[i].priority, "weight", (int)r->v[i].weight));
	return list;
}

static void
free_srvs(struct srvs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].target);
	free(r->v);
}

/* ---- one address ---- */

struct target {
	const char *host;
	unsigned port;
	int direct_tls;
	const char *source;
	struct xt_tlsa *tlsa;
	size_t ntlsa;
	int tlsa_secure;
	int srv_secure;
};

struct addr_probe {
	const struct xt_probe_opts *o;
	const char *domain;
	const struct target *t;
	struct sockaddr_storage sa;
	socklen_t salen;
	char ip[INET6_ADDRSTRLEN];
	char label[400];
	json_t *obj, *checks;
};

/* Connects and secures a stream as far as TLS: 0, or -1 with s->why and
 * *stage naming the step that failed. */
static int
secure_stream(struct addr_probe *p, struct xt_s2s *s, SSL_CTX *ctx,
	      double *connect_ms, double *tls_ms, const char **stage)
{
	xt_s2s_init(s, p->domain, p->o->from, p->o->timeout * 1000, p->label);
	*stage = "connect";
	if (xt_s2s_connect(s, (struct sockaddr *)&p->sa, p->salen, connect_ms))
		return -1;
	if (p->t->direct_tls) {
		/* XEP-0368: SNI is the domain; ALPN names the protocol */
		*stage = "tls";
		if (xt_s2s_handshake(s, ctx, p->domain, "xmpp-server", tls_ms))
			return -1;
		*stage = "stream";
		return xt_s2s_open(s);
	}
	*stage = "stream";
	if (xt_s2s_open(s))
		return -1;
	*stage = "starttls";
	if (!s->starttls) {
		snprintf(s->why, sizeof s->why, "the server does not offer STARTTLS");
		return -1;
	}
	*stage = "tls";
	return xt_s2s_starttls(s, ctx, p->domain, tls_ms);
}

static const char *
stream_error_fix(const char *cond)
{
	if (!strcmp(cond, "host-unknown"))
		return "the server does not serve this domain: add it to the server's hosts, or point DNS at the server that does";
	if (!strcmp(cond, "policy-violation") || !strcmp(cond, "not-authorized"))
		return "the server refuses this peer: check its s2s policy (allowed domains, required authentication)";
	if (!strcmp(cond, "see-other-host"))
		return "the server redirects: point DNS at the server it names";
	return "see the server's log for why it closed the stream";
}

static void
stream_checks(struct addr_probe *p, struct xt_s2s *s)
{
	json_t *st = json_pack("{s:o, s:o, s:o}", "id", str_or_null(s->stream_id),
			       "from", str_or_null(s->stream_from),
			       "version", str_or_null(s->stream_version));

	if (!strcmp(s->got, "error") || (s->condition[0] && !s->ngot)) {
		json_object_set_new(st, "error", json_string(s->condition));
		if (s->error_text[0])
			json_object_set_new(st, "error_text", json_string(s->error_text));
	}
	json_object_set_new(p->obj, "stream", st);
}

static char *
fetch_aia(const char *url, long timeout, size_t *len);

/* The issuer a certificate's AIA names, fetched: how a missing
 * intermediate is told from an unknown CA. */
static X509 *
aia_issuer(const struct xt_probe_opts *o, X509 *leaf, char **url)
{
	const unsigned char *q;
	char *body;
	size_t len = 0;
	X509 *x = NULL;

	*url = xt_cert_aia_issuer_url(leaf);
	if (!*url || (strncasecmp(*url, "http://", 7) && strncasecmp(*url, "https://", 8)))
		return NULL;
	if (!(body = fetch_aia(*url, o->timeout, &len)))
		return NULL;
	q = (const unsigned char *)body;
	x = d2i_X509(NULL, &q, (long)len);
	if (!x) {
		body[len] = '\0';
		x = xt_cert_from_pem(body);
	}
	free(body);
	return x;
}

static void
chain_check(struct addr_probe *p, X509 *leaf, STACK_OF(X509) *sent,
	    json_t *cert, int *pkix_ok)
{
	X509_STORE *store = SSL_CTX_get_cert_store(p->o->tls);
	char issuer[256], *url = NULL;
	X509 *failed = NULL, *inter;
	int depth, err;

	err = xt_cert_verify(store, leaf, sent, &depth, &failed);
	*pkix_ok = err == X509_V_OK;
	json_object_set_new(cert, "verified", json_boolean(*pkix_ok));
	if (*pkix_ok) {
		check(p->checks, "cert.chain", "pass", NULL, "the chain is trusted (%d sent)",
		      sk_X509_num(sent));
		X509_free(failed);
		return;
	}
	json_object_set_new(cert, "verify_error", json_string(X509_verify_cert_error_string(err)));
	X509_NAME_oneline(X509_get_issuer_name(failed ? failed : leaf), issuer, sizeof issuer);
	if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
		/* an issuer nobody sent: a missing intermediate if the CA
		 * Issuers URL gives one that leads to a trusted root */
		inter = aia_issuer(p->o, failed ? failed : leaf, &url);
		if (inter) {
			STACK_OF(X509) *more = sk_X509_dup(sent);
			X509 *f2 = NULL;
			int d2;
			sk_X509_push(more, inter);
			if (xt_cert_verify(store, leaf, more, &d2, &f2) == X509_V_OK) {
				json_object_set_new(cert, "chain_incomplete", json_true());
				check(p->checks, "cert.chain", "fail",
				      "add the intermediate certificate(s) after the server's own in its certificate file (the full chain)",
				      "incomplete chain: the server does not send the intermediate %s (found at %s)",
				      issuer, url);
			}
			X509_free(f2);
			sk_X509_free(more);
		}
		if (!json_object_get(cert, "chain_incomplete"))
			check(p->checks, "cert.chain", "fail",
			      "if the issuer is an intermediate, the server must send it (the full chain); if it is a private CA, peers must trust it (test with --cafile)",
			      "unknown issuer %s: not trusted here, and the server did not send it", issuer);
		X509_free(inter);
		free(url);
	} else if (err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
		check(p->checks, "cert.chain", "fail",
		      "use a certificate from a CA that other servers trust (e.g. Let's Encrypt)",
		      "the certificate is self-signed");
	} else if (err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
		check(p->checks, "cert.chain", "fail",
		      "use a certificate from a CA that other servers trust, or test with --cafile",
		      "the chain ends in %s, a root that is not trusted here", issuer);
	} else {
		check(p->checks, "cert.chain", "fail",
		      "fix the certificate chain the server presents",
		      "not trusted: %s (at depth %d)", X509_verify_cert_error_string(err), depth);
	}
	X509_free(failed);
}

static json_t *
names_json(char **v, size_t n)
{
	json_t *a = json_array();

	while (n--)
		json_array_insert_new(a, 0, json_string(v[n]));
	return a;
}

static void
identity_check(struct addr_probe *p, X509 *leaf, json_t *cert)
{
	struct xt_cert_ids ids;
	const char *how;
	char names[600];

	xt_cert_ids(leaf, &ids);
	json_object_set_new(cert, "dns_names", names_json(ids.dns, ids.ndns));
	json_object_set_new(cert, "srv_names", names_json(ids.srv, ids.nsrv));
	json_object_set_new(cert, "xmpp_addrs", names_json(ids.xmpp, ids.nxmpp));
	how = xt_cert_identity(&ids, p->domain, "xmpp-server");
	/* RFC 7673: with DNSSEC-secured SRV, the target's name may serve */
	if (!how && p->t->srv_secure && !strcmp(p->t->source, "srv") &&
	    xt_cert_identity(&ids, p->t->host, "xmpp-server"))
		how = "dns-id (SRV target, DNSSEC)";
	json_object_set_new(cert, "identity", str_or_null(how));
	xt_cert_names(&ids, names, sizeof names);
	if (how) {
		check(p->checks, "cert.identity", "pass", NULL, "covers %s (%s); names: %s",
		      p->domain, how, names);
	} else {
		char fix[900];
		snprintf(fix, sizeof fix, "get a certificate with %s as a subjectAltName%s",
			 p->domain, strcmp(p->t->source, "srv") ? "" :
			 ", or fix the SRV record if it points at the wrong server");
		check(p->checks, "cert.identity", "fail", fix,
		      "the certificate does not cover %s: its names are [%s]", p->domain, names);
	}
	xt_cert_ids_free(&ids);
}

static void
expiry_check(struct addr_probe *p, X509 *leaf, json_t *cert)
{
	char before[32], after[32];
	int days = xt_cert_days_left(leaf);

	xt_cert_time(X509_get0_notBefore(leaf), before);
	xt_cert_time(X509_get0_notAfter(leaf), after);
	json_object_set_new(cert, "not_before", json_string(before));
	json_object_set_new(cert, "not_after", json_string(after));
	json_object_set_new(cert, "days_left", json_integer(days));
	if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0)
		check(p->checks, "cert.expiry", "fail", "check the server's clock and the certificate's dates",
		      "not valid before %s", before);
	else if (days < 0 || X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0)
		check(p->checks, "cert.expiry", "fail", "renew the certificate",
		      "expired on %s", after);
	else if (days < p->o->warn_days)
		check(p->checks, "cert.expiry", "warn", "renew the certificate soon",
		      "expires in %d days (%s)", days, after);
	else
		check(p->checks, "cert.expiry", "pass", NULL, "valid for %d more days (until %s)",
		      days, after);
}

static void
strength_checks(struct addr_probe *p, X509 *leaf, json_t *cert)
{
	char key[64];
	const char *sig;
	int weak;

	xt_cert_key(leaf, key, sizeof key, &weak);
	json_object_set_new(cert, "key", json_string(key));
	if (weak)
		check(p->checks, "cert.key", "warn", "use an RSA key of 2048 bits or more, or an EC key",
		      "weak key: %s", key);
	else
		check(p->checks, "cert.key", "pass", NULL, "%s", key);
	sig = xt_cert_signature(leaf, &weak);
	json_object_set_new(cert, "signature", json_string(sig));
	if (weak)
		check(p->checks, "cert.signature", "warn", "get a certificate signed with SHA-256 or better",
		      "weak signature algorithm: %s", sig);
	else
		check(p->checks, "cert.signature", "pass", NULL, "%s", sig);
}

/* Writes the TLSA record that would match leaf under the target's name
 * (RFC 7673), as a zone file line: DANE-EE, SPKI, SHA-256 ("3 1 1", what
 * RFC 7671 recommends: it survives a renewal that keeps the key). -1 for
 * a target that is an address (no name to put it under). */
static int
tlsa_record(const struct addr_probe *p, X509 *leaf, char *out, size_t len)
{
	char hex[XT_SPKI_HEX_LEN];
	unsigned char buf[16];
	const char *host = p->t->host;
	size_t n = strlen(host);

	if (inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1 ||
	    xt_cert_spki_sha256_hex(leaf, hex))
		return -1;
	if (n && host[n - 1] == '.')
		n--;
	snprintf(out, len, "_%u._tcp.%.*s. IN TLSA 3 1 1 %s", p->t->port, (int)n, host, hex);
	return 0;
}

/* rec: the record that would match, or "" */
static void
dane_check(struct addr_probe *p, X509 *leaf, STACK_OF(X509) *sent, int pkix_ok,
	   const char *rec)
{
	size_t i, matched = 0;
	json_t *list;
	char fix[600];

	if (!p->t->ntlsa)
		return;
	list = json_array();
	for (i = 0; i < p->t->ntlsa; i++) {
		int m = xt_tlsa_match(&p->t->tlsa[i], leaf, sent, pkix_ok);
		matched += (size_t)m;
		json_array_append_new(list, json_boolean(m));
	}
	json_object_set_new(p->obj, "tlsa_match", list);
	json_object_set_new(p->obj, "dane_result", json_string(!matched ? "mismatch" :
		p->t->tlsa_secure ? "secure" : "insecure"));
	snprintf(fix, sizeof fix, "update the TLSA records for the current certificate%s%s "
		 "(or the certificate for the records)", rec[0] ? ": " : "", rec);
	if (!matched)
		check(p->checks, "dane", "fail", fix,
		      "none of the %zu TLSA records matches the certificate", p->t->ntlsa);
	else if (!p->o->dnssec)
		/* the zone may well be signed: we just cannot tell */
		check(p->checks, "dane", "warn",
		      "probe with a trust anchor (--trust-anchor FILE) to see whether DANE holds",
		      "a TLSA record matches, but DNSSEC is not validated here (no trust anchor)");
	else if (!p->t->tlsa_secure)
		check(p->checks, "dane", "warn",
		      "sign the zone with DNSSEC: DANE counts only with validated records",
		      "a TLSA record matches, but the records are not DNSSEC-validated");
	else
		check(p->checks, "dane", "pass", NULL,
		      "a DNSSEC-validated TLSA record matches the certificate");
}

static void
certificate_checks(struct addr_probe *p, struct xt_s2s *s)
{
	X509 *leaf = SSL_get1_peer_certificate(s->ssl);
	STACK_OF(X509) *sent = SSL_get_peer_cert_chain(s->ssl);
	char fp[XT_FP_LEN], name[256], rec[400] = "";
	json_t *cert;
	int pkix_ok = 0;

	if (!leaf) {
		check(p->checks, "cert.chain", "fail", "configure a certificate for the domain",
		      "the server presented no certificate");
		return;
	}
	cert = json_object();
	X509_NAME_oneline(X509_get_subject_name(leaf), name, sizeof name);
	json_object_set_new(cert, "subject", json_string(name));
	X509_NAME_oneline(X509_get_issuer_name(leaf), name, sizeof name);
	json_object_set_new(cert, "issuer", json_string(name));
	xt_cert_fingerprint(leaf, fp);
	json_object_set_new(cert, "sha256", json_string(fp));
	xt_cert_key_fingerprint(leaf, fp);
	json_object_set_new(cert, "key_sha256", json_string(fp));
	json_object_set_new(cert, "chain_sent", json_integer(sent ? sk_X509_num(sent) : 1));
	chain_check(p, leaf, sent, cert, &pkix_ok);
	identity_check(p, leaf, cert);
	expiry_check(p, leaf, cert);
	strength_checks(p, leaf, cert);
	if (tlsa_record(p, leaf, rec, sizeof rec) == 0)
		json_object_set_new(cert, "tlsa_record", json_string(rec));
	json_object_set_new(p->obj, "certificate", cert);
	dane_check(p, leaf, sent, pkix_ok, rec);
	X509_free(leaf);
}

/* Which TLS versions the server accepts: one connection each. */
static void
versions_check(struct addr_probe *p, json_t *tls)
{
	json_t *v = json_object();
	char old[64] = "";
	int i, modern = 0;

	for (i = 0; i < XT_TLS_VERSIONS; i++) {
		struct xt_s2s s;
		double c, t;
		const char *stage;
		int ok;

		if (!p->o->versions[i])
			continue;
		ok = secure_stream(p, &s, p->o->versions[i], &c, &t, &stage) == 0 ||
		     (p->t->direct_tls && s.ssl && SSL_is_init_finished(s.ssl));
		xt_s2s_close(&s);
		json_object_set_new(v, version_names[i], json_boolean(ok));
		if (ok && i < 2)
			snprintf(old + strlen(old), sizeof old - strlen(old), "%s%s",
				 old[0] ? ", " : "", version_names[i]);
		modern += ok && i >= 2;
	}
	json_object_set_new(tls, "versions", v);
	if (!json_object_size(v) || (!modern && !old[0]))
		return; /* no TLS at all: the tls check says so */
	if (!modern)
		check(p->checks, "tls.versions", "fail", "enable TLS 1.2 and 1.3 in the server's TLS settings",
		      "neither TLS 1.2 nor TLS 1.3 is accepted");
	else if (old[0])
		check(p->checks, "tls.versions", "warn",
		      "disable TLS 1.0 and 1.1 in the server's TLS settings (RFC 8996)",
		      "accepts %s, which are obsolete", old);
	else
		check(p->checks, "tls.versions", "pass", NULL, "accepts only TLS 1.2 and later");
}

static void
features_check(struct addr_probe *p, struct xt_s2s *s)
{
	json_t *f = json_object_get(p->obj, "features");
	int external = s->sasl && strstr(s->mechs, "EXTERNAL") != NULL;
	json_t *mechs = json_array();
	char *save = NULL, *m, buf[sizeof s->mechs];

	snprintf(buf, sizeof buf, "%s", s->mechs);
	for (m = strtok_r(buf, " ", &save); m; m = strtok_r(NULL, " ", &save))
		json_array_append_new(mechs, json_string(m));
	json_object_set_new(f, "dialback", json_boolean(s->dialback));
	json_object_set_new(f, "sasl", mechs);
	if (s->dialback || external)
		check(p->checks, "features", "pass", NULL, "a peer can authenticate with %s%s%s",
		      external ? "SASL EXTERNAL" : "", external && s->dialback ? " or " : "",
		      s->dialback ? "dialback" : "");
	else if (!p->o->auth)
		/* servers offer EXTERNAL only to a peer whose certificate they
		 * trust: without one, we cannot tell */
		check(p->checks, "features", "warn",
		      "probe with --from, --cert and --key to see whether certificate authentication works; or enable dialback (XEP-0220)",
		      "no dialback offered, and SASL EXTERNAL is offered only to peers with a trusted certificate");
	else
		check(p->checks, "features", "fail",
		      "enable server dialback (XEP-0220) or SASL EXTERNAL with certificates (XEP-0178)",
		      "after TLS the server offers neither dialback nor SASL EXTERNAL: peers cannot authenticate");
}

static void
auth_check(struct addr_probe *p, struct xt_s2s *s)
{
	int r;

	if (!p->o->auth)
		return;
	if (!s->sasl || !strstr(s->mechs, "EXTERNAL")) {
		json_object_set_new(p->obj, "auth", json_pack("{s:s, s:s}", "mechanism", "EXTERNAL",
			"result", "not-offered"));
		check(p->checks, "auth", "fail",
		      "the server does not trust this certificate for the --from domain: check the certificate's names and the server's CA list",
		      "SASL EXTERNAL is not offered to %s", p->o->from);
		return;
	}
	r = xt_s2s_auth_external(s);
	json_object_set_new(p->obj, "auth", json_pack("{s:s, s:s, s:o}", "mechanism", "EXTERNAL",
		"result", r == 0 ? "success" : "failure",
		"condition", str_or_null(r == 0 ? NULL : s->condition[0] ? s->condition : s->why)));
	if (r == 0)
		check(p->checks, "auth", "pass", NULL, "authenticated as %s with SASL EXTERNAL", p->o->from);
	else
		check(p->checks, "auth", "fail",
		      "the server's s2s policy refuses this peer: see its log",
		      "SASL EXTERNAL as %s failed: %s", p->o->from,
		      s->condition[0] ? s->condition : s->why);
}

static void
failed_at(struct addr_probe *p, struct xt_s2s *s, const char *stage)
{
	const char *fix;

	if (!strcmp(stage, "connect"))
		fix = s->timed_out ? "check the firewall: the port does not answer"
				   : "check that the server runs and listens on this address and port, and the firewall";
	else if (!strcmp(stage, "stream"))
		fix = s->condition[0] ? stream_error_fix(s->condition)
				      : "check that an XMPP server (not another service) listens here";
	else if (!strcmp(stage, "starttls"))
		fix = "enable TLS for server-to-server connections: peers refuse unencrypted streams";
	else
		fix = "check the server's TLS settings and certificate files";
	check(p->checks, stage, "fail", fix, "%s", s->why);
}

static void
probe_address(struct addr_probe *p)
{
	struct xt_s2s s;
	double connect_ms = 0, tls_ms = 0;
	const char *stage;
	json_t *tls;
	int rc;

	p->obj = json_pack("{s:s, s:s}", "address", p->ip,
			   "family", p->sa.ss_family == AF_INET6 ? "ipv6" : "ipv4");
	p->checks = json_array();
	rc = secure_stream(p, &s, p->o->tls, &connect_ms, &tls_ms, &stage);
	if (strcmp(stage, "connect") || rc == 0) {
		json_object_set_new(p->obj, "connect_ms", json_real(connect_ms));
		check(p->checks, "connect", "pass", NULL, "connected in %.1f ms", connect_ms);
	}
	if (s.header || s.condition[0])
		stream_checks(p, &s);
	if (s.features_seen) {
		json_object_set_new(p->obj, "features", json_pack("{s:b, s:b}",
			"starttls", s.starttls || p->t->direct_tls,
			"starttls_required", s.starttls_required || p->t->direct_tls));
	}
	if (rc) {
		failed_at(p, &s, stage);
		/* what TLS we had is still worth a look */
		if (s.ssl && SSL_is_init_finished(s.ssl))
			certificate_checks(p, &s);
		xt_s2s_close(&s);
		if (!strcmp(stage, "tls")) {
			/* a server stuck on old versions shows here */
			tls = json_object();
			versions_check(p, tls);
			json_object_set_new(p->obj, "tls", tls);
		}
		goto out;
	}
	check(p->checks, "stream", "pass", NULL, "stream opened (id %s)",
	      s.stream_id[0] ? s.stream_id : "none");
	if (!p->t->direct_tls) {
		/* the features came before TLS: keep them */
		if (s.starttls_required)
			check(p->checks, "starttls", "pass", NULL, "STARTTLS offered and required");
		else
			check(p->checks, "starttls", "warn",
			      "set the server to require encryption on s2s (e.g. Prosody s2s_require_encryption)",
			      "STARTTLS offered but not required");
		if (xt_s2s_open(&s)) {
			failed_at(p, &s, "stream");
			certificate_checks(p, &s);
			xt_s2s_close(&s);
			goto out;
		}
	}
	tls = json_pack("{s:s, s:s, s:f}", "protocol", SSL_get_version(s.ssl),
			"cipher", SSL_get_cipher_name(s.ssl), "handshake_ms", tls_ms);
	{
		const unsigned char *alpn;
		unsigned int alen = 0;
		SSL_get0_alpn_selected(s.ssl, &alpn, &alen);
		if (alen)
			json_object_set_new(tls, "alpn", json_stringn((const char *)alpn, alen));
	}
	check(p->checks, "tls", "pass", NULL, "%s, %s", SSL_get_version(s.ssl),
	      SSL_get_cipher_name(s.ssl));
	certificate_checks(p, &s);
	features_check(p, &s);
	auth_check(p, &s);
	xt_s2s_close(&s);
	versions_check(p, tls);
	json_object_set_new(p->obj, "tls", tls);
out:
	json_object_set_new(p->obj, "checks", p->checks);
}

/* ---- one target ---- */

static void
take_tlsa(struct xt_dns_answer *a, struct target *t)
{
	size_t i;

	t->tlsa = xt_malloc((a->n + 1) * sizeof *t->tlsa);
	t->ntlsa = 0;
	for (i = 0; i < a->n; i++)
		if (xt_dns_tlsa(&a->rr[i], &t->tlsa[t->ntlsa]) == 0)
			t->ntlsa++;
	/* RFC 7673: DANE for an SRV target needs the SRV secure as well */
	t->tlsa_secure = a->secure && t->srv_secure;
	xt_dns_answer_free(a);
}

static json_t *
tlsa_json(const struct target *t)
{
	json_t *list = json_array();
	size_t i, j;

	for (i = 0; i < t->ntlsa; i++) {
		const struct xt_tlsa *r = &t->tlsa[i];
		char *hex = xt_malloc(2 * r->len + 1);
		for (j = 0; j < r->len; j++)
			sprintf(hex + 2 * j, "%02x", r->data[j]);
		hex[2 * r->len] = '\0';
		json_array_append_new(list, json_pack("{s:i, s:i, s:i, s:s}", "usage", r->usage,
			"selector", r->selector, "matching_type", r->matching_type, "data", hex));
		free(hex);
	}
	return list;
}

/* Adds the addresses of an A or AAAA answer to out. */
static void
add_addresses(const struct target *t, const struct xt_dns_answer *a,
	      struct sockaddr_storage *out, size_t *n, size_t max)
{
	size_t i;

	for (i = 0; i < a->n && *n < max; i++) {
		struct sockaddr_storage *ss = &out[*n];
		memset(ss, 0, sizeof *ss);
		if (a->rr[i].len == 4) {
			struct sockaddr_in *in = (struct sockaddr_in *)ss;
			in->sin_family = AF_INET;
			in->sin_port = htons((unsigned short)t->port);
			memcpy(&in->sin_addr, a->rr[i].data, 4);
			(*n)++;
		} else if (a->rr[i].len == 16) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((unsigned short)t->port);
			memcpy(&in6->sin6_addr, a->rr[i].data, 16);
			(*n)++;
		}
	}
}

/* Fills out with host if it is an IPv4 or IPv6 address; returns 1 if so. */
static int
literal_address(const struct target *t, struct sockaddr_storage *out)
{
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, t->host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)t->port);
		return 1;
	}
	if (inet_pton(AF_INET6, t->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)t->port);
		return 1;
	}
	return 0;
}

/* Looks up the target's A, AAAA (as -4/-6 allow) and TLSA records at once;
 * fills out with the addresses and returns how many. */
static size_t
lookup_target(const struct xt_probe_opts *o, struct xt_dns *dns,
	      struct target *t, json_t *tj, json_t *checks,
	      struct sockaddr_storage *out, size_t max)
{
	struct xt_dns_answer a[3];
	const char *names[3];
	int types[3];
	char tlsa[300], why[400] = "";
	size_t n = 0, q = 0, i;

	if (literal_address(t, out)) {
		/* --connect 192.0.2.1: no name, so no records either */
		t->tlsa = NULL;
		t->ntlsa = 0;
		if (o->family && o->family != out->ss_family) {
			check(checks, "dns.address", "fail", "drop -4/-6, or give an address of that family",
			      "%s is not an %s address", t->host, o->family == AF_INET ? "IPv4" : "IPv6");
			return 0;
		}
		check(checks, "dns.address", "pass", NULL, "%s is an address", t->host);
		return 1;
	}
	snprintf(tlsa, sizeof tlsa, "_%u._tcp.%s", t->port, t->host);
	names[q] = tlsa, types[q++] = XT_RR_TLSA;
	if (o->family != AF_INET6)
		names[q] = t->host, types[q++] = XT_RR_A;
	if (o->family != AF_INET)
		names[q] = t->host, types[q++] = XT_RR_AAAA;
	xt_dns_queries(dns, names, types, a, q);
	take_tlsa(&a[0], t);
	for (i = 1; i < q; i++) {
		if (a[i].canon && !json_object_get(tj, "cname")) {
			size_t cl = strlen(a[i].canon);
			if (cl > 1 && a[i].canon[cl - 1] == '.')
				a[i].canon[cl - 1] = '\0';
			json_object_set_new(tj, "cname", json_string(a[i].canon));
			if (!strcmp(t->source, "srv"))
				check(checks, "dns.cname", "warn",
				      "point the SRV record at the canonical name (RFC 2782: the target must not be an alias)",
				      "SRV target %s is an alias (CNAME) of %s", t->host, a[i].canon);
		}
		if (a[i].status == XT_DNS_FAIL || a[i].status == XT_DNS_TIMEOUT)
			snprintf(why, sizeof why, "%s", a[i].why);
		add_addresses(t, &a[i], out, &n, max);
		xt_dns_answer_free(&a[i]);
	}
	if (!n)
		check(checks, "dns.address", "fail",
		      "add A and/or AAAA records for the target",
		      "%s has no %s address%s%s", t->host,
		      o->family == AF_INET ? "IPv4" : o->family == AF_INET6 ? "IPv6" : "IPv4 or IPv6",
		      why[0] ? ": " : "", why);
	else
		check(checks, "dns.address", "pass", NULL, "%s has %zu address%s", t->host, n,
		      n == 1 ? "" : "es");
	return n;
}

#define MAX_ADDRS 16

static void
init_address(struct addr_probe *p, const struct xt_probe_opts *o, const char *domain,
	     const struct target *t, const struct sockaddr_storage *sa)
{
	memset(p, 0, sizeof *p);
	p->o = o;
	p->domain = domain;
	p->t = t;
	p->sa = *sa;
	p->salen = sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					     : sizeof(struct sockaddr_in);
	if (sa->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, p->ip, sizeof p->ip);
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, p->ip, sizeof p->ip);
	snprintf(p->label, sizeof p->label, "%s %s:%u", domain, p->ip, t->port);
}

static void *
address_thread(void *data)
{
	probe_address(data);
	return NULL;
}

/* Probes the addresses side by side: a target whose addresses all time
 * out costs one timeout, not one each. Without a thread, in this one. */
static void
probe_addresses(struct addr_probe *p, size_t n)
{
	pthread_t th[MAX_ADDRS];
	int started[MAX_ADDRS];
	size_t i;

	for (i = 0; i < n; i++) {
		started[i] = n > 1 && pthread_create(&th[i], NULL, address_thread, &p[i]) == 0;
		if (!started[i])
			probe_address(&p[i]);
	}
	for (i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

/* Per address, the records' match; the records per target: a record
 * matches only if it matched at every address. */
static void
merge_dane(json_t *tj, json_t *addr)
{
	json_t *m = json_object_get(addr, "tlsa_match"), *tl = json_object_get(tj, "tlsa");
	size_t k;

	if (!m)
		return;
	for (k = 0; k < json_array_size(tl); k++) {
		json_t *had = json_object_get(json_array_get(tl, k), "match");
		if (!had || json_is_true(had))
			json_object_set(json_array_get(tl, k), "match", json_array_get(m, k));
	}
	if (strcmp(json_string_value(json_object_get(tj, "dane")), "mismatch"))
		json_object_set(tj, "dane", json_object_get(addr, "dane_result"));
	json_object_del(addr, "tlsa_match");
	json_object_del(addr, "dane_result");
}

static json_t *
probe_target(const struct xt_probe_opts *o, struct xt_dns *dns,
	     const char *domain, struct target *t)
{
	struct sockaddr_storage addrs[MAX_ADDRS];
	struct addr_probe *p;
	json_t *tj, *list, *checks;
	size_t n, i;

	tj = json_pack("{s:s, s:i, s:b, s:s}", "host", t->host, "port", (int)t->port,
		       "direct_tls", t->direct_tls, "source", t->source);
	checks = json_array();
	n = lookup_target(o, dns, t, tj, checks, addrs, MAX_ADDRS);
	if (t->ntlsa)
		json_object_set_new(tj, "tlsa", tlsa_json(t));
	json_object_set_new(tj, "dane", json_string(!t->ntlsa ? "none" :
		t->tlsa_secure ? "secure" : "insecure"));
	p = xt_malloc((n ? n : 1) * sizeof *p);
	for (i = 0; i < n; i++)
		init_address(&p[i], o, domain, t, &addrs[i]);
	probe_addresses(p, n);
	list = json_array();
	for (i = 0; i < n; i++) {
		merge_dane(tj, p[i].obj);
		json_array_append_new(list, p[i].obj);
	}
	free(p);
	json_object_set_new(tj, "addresses", list);
	json_object_set_new(tj, "checks", checks);
	for (i = 0; i < t->ntlsa; i++)
		free(t->tlsa[i].data);
	free(t->tlsa);
	return tj;
}

/* ---- the domain ---- */

static size_t
count_dots(const struct srvs *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += !strcmp(r->v[i].target, ".");
	return n;
}

static void
dns_checks(const char *domain, const struct srvs *r, json_t *checks)
{
	size_t i, dots = count_dots(r);

	if (!r->n) {
		check(checks, "dns.srv", "pass", NULL,
		      "no SRV records: peers connect to %s port 5269", domain);
		return;
	}
	if (dots == r->n) {
		check(checks, "dns.unavailable", "fail",
		      "remove the '.' SRV records if the domain should federate",
		      "the SRV target is '.': %s declares it has no server-to-server service", domain);
		return;
	}
	if (dots)
		check(checks, "dns.unavailable", "warn",
		      "remove the '.' record: it says there is no service, the others say there is",
		      "a '.' SRV target among real ones");
	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].target, "."))
			check(checks, "dns.srv", "pass", NULL, "_%s._tcp: %s:%u (priority %u, weight %u)",
			      r->v[i].direct_tls ? "xmpps-server" : "xmpp-server", r->v[i].target,
			      r->v[i].port, r->v[i].priority, r->v[i].weight);
}

/* Counts the client SRV targets with neither A nor AAAA; names them. */
static size_t
c2s_unresolved(struct xt_dns *dns, const struct srvs *c, char *why, size_t len)
{
	struct xt_dns_answer a[2];
	size_t i, n = 0;

	why[0] = '\0';
	for (i = 0; i < c->n; i++) {
		const char *names[2] = { c->v[i].target, c->v[i].target };
		const int types[2] = { XT_RR_A, XT_RR_AAAA };
		if (!strcmp(c->v[i].target, "."))
			continue;
		xt_dns_queries(dns, names, types, a, 2);
		if (!a[0].n && !a[1].n) {
			n++;
			snprintf(why + strlen(why), len - strlen(why), "%s%s",
				 why[0] ? ", " : "", c->v[i].target);
		}
		xt_dns_answer_free(&a[0]);
		xt_dns_answer_free(&a[1]);
	}
	return n;
}

/* The client SRV records found: are there any, and do their targets
 * have addresses? */
static void
c2s_targets_check(struct xt_dns *dns, const char *domain, const struct srvs *c,
		  json_t *checks)
{
	char why[300];
	size_t missing;

	if (!c->n)
		check(checks, "dns.c2s", "warn",
		      "add _xmpp-client._tcp (and _xmpps-client._tcp) SRV records so that clients find the server",
		      "no client SRV records: clients fall back to %s port 5222", domain);
	else if ((missing = c2s_unresolved(dns, c, why, sizeof why)))
		check(checks, "dns.c2s", "fail", "add A and/or AAAA records for the client SRV targets",
		      "%zu client SRV target%s without an address: %s", missing,
		      missing == 1 ? "" : "s", why);
	else
		check(checks, "dns.c2s", "pass", NULL, "%zu client SRV record%s, every target has an address",
		      c->n, c->n == 1 ? "" : "s");
}

static void
c2s_checks(struct xt_dns *dns, const char *domain, json_t *report, json_t *checks)
{
	struct srvs c = { 0 };

	lookup_srv(dns, "xmpp-client", "xmpps-client", domain, &c);
	json_object_set_new(report, "c2s_srv", srv_json(&c, "xmpp-client", "xmpps-client"));
	if (c.failed || c.partial)
		check(checks, "dns.c2s", c.failed ? "fail" : "warn", "check the zone's name servers",
		      "%s", c.why);
	if (!c.failed)
		c2s_targets_check(dns, domain, &c, checks);
	free_srvs(&c);
}

/* Does the domain exist at all, when it has no SRV records? */
static int
domain_exists(struct xt_dns *dns, const char *domain)
{
	const char *names[2] = { domain, domain };
	const int types[2] = { XT_RR_A, XT_RR_AAAA };
	struct xt_dns_answer a[2];
	int i, exists = 0;

	xt_dns_queries(dns, names, types, a, 2);
	for (i = 0; i < 2; i++) {
		exists |= a[i].status == XT_DNS_OK || a[i].status == XT_DNS_NODATA;
		xt_dns_answer_free(&a[i]);
	}
	return exists;
}

static const char *
worst(const char *a, const char *b)
{
	static const char *const order[] = { "pass", "warn", "fail" };
	int i, ra = 0, rb = 0;

	for (i = 0; i < 3; i++) {
		if (!strcmp(a, order[i]))
			ra = i;
		if (!strcmp(b, order[i]))
			rb = i;
	}
	return order[ra > rb ? ra : rb];
}

/* Both have no string key, or the same one. */
static int
same_string(json_t *a, json_t *b, const char *key)
{
	const char *x = json_string_value(json_object_get(a, key));
	const char *y = json_string_value(json_object_get(b, key));

	return x && y ? !strcmp(x, y) : x == y;
}

/* The problem listed already for another address of target that has the
 * same fix as check c (the same message, if no fix), or NULL. */
static json_t *
same_problem(json_t *problems, json_t *c, const char *target)
{
	const char *same = json_object_get(c, "fix") ? "fix" : "message";
	size_t i;
	json_t *pr;

	json_array_foreach(problems, i, pr)
		if (json_object_get(pr, "addresses") &&
		    !strcmp(json_string_value(json_object_get(pr, "target")), target) &&
		    same_string(pr, c, "check") && same_string(pr, c, "status") &&
		    same_string(pr, c, "fix") && same_string(pr, c, same))
			return pr;
	return NULL;
}

/* Copies the warnings and failures of checks into problems: one problem
 * for every address of a target it is found at, with their list. */
static const char *
collect(json_t *checks, json_t *problems, const char *target,
	const char *address, const char *status)
{
	size_t i;
	json_t *c, *pr;

	json_array_foreach(checks, i, c) {
		const char *st = json_string_value(json_object_get(c, "status"));
		status = worst(status, st);
		if (!strcmp(st, "pass"))
			continue;
		if (address && (pr = same_problem(problems, c, target))) {
			json_array_append_new(json_object_get(pr, "addresses"), json_string(address));
			continue;
		}
		c = json_deep_copy(c);
		if (target)
			json_object_set_new(c, "target", json_string(target));
		if (address) {
			json_object_set_new(c, "address", json_string(address));
			json_object_set_new(c, "addresses", json_pack("[s]", address));
		}
		json_array_append_new(problems, c);
	}
	return status;
}

static void
summarize(json_t *report)
{
	json_t *problems = json_array(), *t, *a;
	const char *status = collect(json_object_get(report, "checks"), problems, NULL, NULL, "pass");
	size_t i, j;
	char where[300];

	json_array_foreach(json_object_get(report, "targets"), i, t) {
		snprintf(where, sizeof where, "%s:%d", json_string_value(json_object_get(t, "host")),
			 (int)json_integer_value(json_object_get(t, "port")));
		status = collect(json_object_get(t, "checks"), problems, where, NULL, status);
		json_array_foreach(json_object_get(t, "addresses"), j, a)
			status = collect(json_object_get(a, "checks"), problems, where,
					 json_string_value(json_object_get(a, "address")), status);
	}
	json_object_set_new(report, "status", json_string(status));
	json_object_set_new(report, "problems", problems);
}

json_t *
xt_probe(const struct xt_probe_opts *o, struct xt_dns *dns, const char *domain,
	 int *dns_failed)
{
	struct srvs r = { 0 };
	json_t *report, *checks, *targets;
	struct target t;
	size_t i;
	int exists = 1;

	report = json_pack("{s:s, s:s}", "domain", domain, "status", "pass");
	checks = json_array();
	targets = json_array();
	lookup_srv(dns, "xmpp-server", "xmpps-server", domain, &r);
	*dns_failed = r.failed && !r.bogus;
	json_object_set_new(report, "dnssec", json_string(r.bogus ? "bogus" :
		r.secure ? "secure" : "insecure"));
	json_object_set_new(report, "srv", srv_json(&r, "xmpp-server", "xmpps-server"));
	if (r.failed) {
		check(checks, "dns.srv", "fail", r.bogus ?
		      "fix the zone's DNSSEC signatures (or use a resolver that passes DNSSEC records on)" :
		      "check the resolver (--dns-server) and the domain's name servers",
		      "cannot look up SRV records: %s", r.why);
	} else {
		if (r.partial)
			check(checks, "dns.srv", "warn",
			      "check the domain's name servers: they fail for one of its SRV names",
			      "%s; the targets the other SRV name gives are still probed", r.why);
		if (r.secure)
			check(checks, "dns.dnssec", "pass", NULL, "the SRV answers are DNSSEC-validated");
		else if (o->dnssec)
			check(checks, "dns.dnssec", "pass", NULL, "the SRV answers are not DNSSEC-signed (DANE cannot apply)");
		else
			check(checks, "dns.dnssec", "pass", NULL, "DNSSEC not validated (no trust anchor)");
		if (!r.n && !(exists = domain_exists(dns, domain)))
			check(checks, "dns.srv", "fail", "check the spelling, or create the domain's DNS records",
			      "%s does not exist in DNS (no SRV, A or AAAA records)", domain);
		else
			dns_checks(domain, &r, checks);
		if (o->c2s)
			c2s_checks(dns, domain, report, checks);
	}
	if (o->connect_host) {
		/* --connect: the server to test, whatever DNS says */
		t = (struct target){ o->connect_host, o->connect_port, o->connect_direct_tls,
				     "connect", NULL, 0, 0, r.secure };
		json_array_append_new(targets, probe_target(o, dns, domain, &t));
		goto done;
	}
	if (r.failed || !exists || (r.n && count_dots(&r) == r.n))
		goto done;
	if (!r.n) {
		t = (struct target){ domain, 5269, 0, "fallback", NULL, 0, 0, r.secure };
		json_array_append_new(targets, probe_target(o, dns, domain, &t));
	}
	for (i = 0; i < r.n; i++) {
		if (!strcmp(r.v[i].target, "."))
			continue;
		t = (struct target){ r.v[i].target, r.v[i].port, r.v[i].direct_tls, "srv",
				     NULL, 0, 0, r.secure };
		json_array_append_new(targets, probe_target(o, dns, domain, &t));
	}
done:
	json_object_set_new(report, "checks", checks);
	json_object_set_new(report, "targets", targets);
	free_srvs(&r);
	summarize(report);
	return report;
}

/* ---- fetching an issuer certificate (AIA) ---- */

struct body {
	char *buf;
	size_t len;
};

static size_t
take(char *data, size_t size, size_t n, void *userp)
{
	struct body *b = userp;

	if (b->len + size * n > AIA_MAX)
		return 0;
	memcpy(b->buf + b->len, data, size * n);
	b->len += size * n;
	return size * n;
}

static char *
fetch_aia(const char *url, long timeout, size_t *len)
{
	struct body b = { xt_malloc(AIA_MAX + 1), 0 };
	CURL *h = curl_easy_init();
	CURLcode rc = CURLE_FAILED_INIT;
	long code = 0;

	if (h) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, take);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(h);
	}
	if (rc != CURLE_OK || code != 200) {
		free(b.buf);
		return NULL;
	}
	*len = b.len;
	return b.buf;
}

/* ---- TLS contexts ---- */

SSL_CTX *
xt_probe_tls_ctx(int version, const char *cafile, const char *capath,
		 const char *cert, const char *key, char *why, size_t whylen)
{
	static const int v[XT_TLS_VERSIONS] = { TLS1_VERSION, TLS1_1_VERSION,
		TLS1_2_VERSION, TLS1_3_VERSION };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(why, whylen, "cannot create a TLS context");
		return NULL;
	}
	/* Verification is done after the handshake, so that a bad
	 * certificate is described, not just refused. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (version >= 0) {
		/* to learn what the server accepts, offer what it might */
		SSL_CTX_set_min_proto_version(ctx, v[version]);
		SSL_CTX_set_max_proto_version(ctx, v[version]);
		SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
		return ctx;
	}
	/* the checks of what the server would accept go through the
	 * contexts above; what we speak ourselves is TLS 1.2 at least */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (xt_trust_set(cafile, capath, why, whylen) || !xt_trust_ctx(ctx)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (cert && (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		     SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
		     SSL_CTX_check_private_key(ctx) != 1)) {
		snprintf(why, whylen, "cannot use the certificate %s with the key %s "
			 "(PEM files, and the key must match)", cert, key);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
