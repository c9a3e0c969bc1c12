/* cert.c - certificates: identities (RFC 6125), details, chains, DANE */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "xt.h"

X509 *
xt_cert_from_pem(const char *pem)
{
	BIO *b;
	X509 *x;

	if (!pem)
		return NULL;
	b = BIO_new_mem_buf(pem, -1);
	x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return x;
}

static void
push(char ***v, size_t *n, const unsigned char *s, int len)
{
	*v = xt_realloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = strndup((const char *)s, (size_t)len);
}

/* XMPP's two otherName forms: id-on-xmppAddr (RFC 6120 13.7.1.4) and
 * id-on-dnsSRV (RFC 4985). */
static void
other_name(struct xt_cert_ids *ids, const OTHERNAME *on)
{
	char oid[64];
	const ASN1_TYPE *v = on->value;

	OBJ_obj2txt(oid, sizeof oid, on->type_id, 1);
	if (!strcmp(oid, "1.3.6.1.5.5.7.8.5") && v->type == V_ASN1_UTF8STRING)
		push(&ids->xmpp, &ids->nxmpp, v->value.utf8string->data,
		     v->value.utf8string->length);
	else if (!strcmp(oid, "1.3.6.1.5.5.7.8.7") && v->type == V_ASN1_IA5STRING)
		push(&ids->srv, &ids->nsrv, v->value.ia5string->data,
		     v->value.ia5string->length);
}

void
xt_cert_ids(X509 *x, struct xt_cert_ids *ids)
{
	GENERAL_NAMES *gens;
	X509_NAME *subj;
	char cn[256];
	int i, other = 0;

	memset(ids, 0, sizeof *ids);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS)
			push(&ids->dns, &ids->ndns, g->d.dNSName->data,
			     g->d.dNSName->length);
		else if (g->type == GEN_OTHERNAME)
			other_name(ids, g->d.otherName);
		else if (g->type == GEN_URI)
			other = 1;
	}
	GENERAL_NAMES_free(gens);
	/* RFC 6125 6.4.4: the CN counts only without any SAN identity */
	ids->san = ids->ndns || ids->nsrv || ids->nxmpp || other;
	subj = X509_get_subject_name(x);
	if (X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof cn) > 0)
		ids->cn = xt_strdup(cn);
}

static void
free_list(char **v, size_t n)
{
	while (n--)
		free(v[n]);
	free(v);
}

void
xt_cert_ids_free(struct xt_cert_ids *ids)
{
	free_list(ids->dns, ids->ndns);
	free_list(ids->srv, ids->nsrv);
	free_list(ids->xmpp, ids->nxmpp);
	free(ids->cn);
	memset(ids, 0, sizeof *ids);
}

/* RFC 6125 6.4.3: a wildcard is the whole left-most label and stands for
 * exactly one label; a trailing dot on either side is ignored. */
int
xt_dns_id_match(const char *pattern, const char *name)
{
	size_t pl = strlen(pattern), nl = strlen(name);
	const char *dot;

	if (pl && pattern[pl - 1] == '.')
		pl--;
	if (nl && name[nl - 1] == '.')
		nl--;
	if (pl > 2 && pattern[0] == '*' && pattern[1] == '.') {
		dot = memchr(name, '.', nl);
		if (!dot || dot == name)
			return 0;
		return (size_t)(name + nl - dot) == pl - 1 &&
		       !strncasecmp(dot, pattern + 1, pl - 1);
	}
	return pl == nl && !strncasecmp(pattern, name, nl);
}

const char *
xt_cert_identity(const struct xt_cert_ids *ids, const char *domain,
		 const char *service)
{
	char srv[300];
	size_t i;

	for (i = 0; i < ids->ndns; i++)
		if (xt_dns_id_match(ids->dns[i], domain))
			return "dns-id";
	snprintf(srv, sizeof srv, "_%s.%s", service, domain);
	for (i = 0; i < ids->nsrv; i++)
		if (xt_dns_id_match(ids->srv[i], srv))
			return "srv-id";
	/* XmppAddr holds a JID: no wildcards */
	for (i = 0; i < ids->nxmpp; i++)
		if (!strcasecmp(ids->xmpp[i], domain))
			return "xmppaddr";
	if (!ids->san && ids->cn && xt_dns_id_match(ids->cn, domain))
		return "cn";
	return NULL;
}

void
xt_cert_names(const struct xt_cert_ids *ids, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
#define ADD(fmt, s) if (n + 2 < len) n += (size_t)snprintf(buf + n, len - n, \
	"%s" fmt, n ? ", " : "", s)
	for (i = 0; i < ids->ndns; i++)
		ADD("%s", ids->dns[i]);
	for (i = 0; i < ids->nsrv; i++)
		ADD("SRV:%s", ids->srv[i]);
	for (i = 0; i < ids->nxmpp; i++)
		ADD("xmpp:%s", ids->xmpp[i]);
	if (!ids->san && ids->cn)
		ADD("CN=%s", ids->cn);
	if (!n)
		snprintf(buf, len, "no names");
#undef ADD
}

/* "sha256:" and the base64 of the digest md */
static void
fingerprint_of(const unsigned char *md, unsigned int n, char out[XT_FP_LEN])
{
	memcpy(out, "sha256:", 7);
	EVP_EncodeBlock((unsigned char *)out + 7, md, (int)n);
}

void
xt_cert_fingerprint(X509 *x, char out[XT_FP_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) && n == SHA256_DIGEST_LENGTH)
		fingerprint_of(md, n, out);
}

void
xt_cert_time(const ASN1_TIME *t, char out[32])
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		snprintf(out, 32, "?");
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
xt_cert_days_left(X509 *x)
{
	int days = 0, secs = 0;

	ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x));
	/* a certificate that expired an hour ago has -1 days, not 0 */
	if (secs < 0 && days == 0)
		days = -1;
	return days;
}

void
xt_cert_key(X509 *x, char *buf, size_t len, int *weak)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	int bits = k ? EVP_PKEY_get_bits(k) : 0;
	char group[64] = "";
	size_t glen = 0;

	*weak = 0;
	if (!k) {
		snprintf(buf, len, "unknown");
		return;
	}
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		snprintf(buf, len, "RSA %d", bits);
		*weak = bits < 2048;
		break;
	case EVP_PKEY_EC:
		EVP_PKEY_get_group_name(k, group, sizeof group, &glen);
		snprintf(buf, len, "EC %d (%s)", bits, group);
		*weak = bits < 256;
		break;
	case EVP_PKEY_ED25519: snprintf(buf, len, "Ed25519"); break;
	case EVP_PKEY_ED448: snprintf(buf, len, "Ed448"); break;
	default:
		snprintf(buf, len, "%s %d", OBJ_nid2sn(EVP_PKEY_get_base_id(k)), bits);
		*weak = bits < 2048;
	}
}

const char *
xt_cert_signature(X509 *x, int *weak)
{
	int md = NID_undef, nid = X509_get_signature_nid(x);

	OBJ_find_sigid_algs(nid, &md, NULL);
	*weak = md == NID_sha1 || md == NID_md5 || md == NID_md4 || md == NID_md2;
	return OBJ_nid2ln(nid);
}

int
xt_cert_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *sent,
	       int *depth, X509 **failed)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err;

	*depth = 0;
	*failed = NULL;
	if (!ctx || !X509_STORE_CTX_init(ctx, store, leaf, sent)) {
		X509_STORE_CTX_free(ctx);
		return X509_V_ERR_OUT_OF_MEM;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	/* expiry is its own check, so that an expired certificate does not
	 * hide whether its chain is sound */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	err = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	if (err != X509_V_OK) {
		*depth = X509_STORE_CTX_get_error_depth(ctx);
		*failed = X509_STORE_CTX_get_current_cert(ctx);
		if (*failed)
			X509_up_ref(*failed);
	}
	X509_STORE_CTX_free(ctx);
	return err;
}

char *
xt_cert_aia_issuer_url(X509 *x)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	char *url = NULL;
	int i;

	for (i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia) && !url; i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers &&
		    ad->location->type == GEN_URI)
			url = strndup((const char *)ad->location->d.uniformResourceIdentifier->data,
				      (size_t)ad->location->d.uniformResourceIdentifier->length);
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	return url;
}

/* The bytes a TLSA record's selector picks (RFC 6698 2.1.2). */
static unsigned char *
tlsa_selected(X509 *x, int selector, int *len)
{
	unsigned char *der = NULL;

	if (selector == 0)
		*len = i2d_X509(x, &der);
	else if (selector == 1)
		*len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	else
		return NULL;
	return *len > 0 ? der : NULL;
}

/* The SHA-256 of x's public key (SPKI); -1 if it cannot be read. */
static int
spki_digest(X509 *x, unsigned char md[SHA256_DIGEST_LENGTH])
{
	unsigned char *der;
	int len = 0;

	if (!(der = tlsa_selected(x, 1, &len)))
		return -1;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	return 0;
}

void
xt_cert_key_fingerprint(X509 *x, char out[XT_FP_LEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	out[0] = '\0';
	if (spki_digest(x, md) == 0)
		fingerprint_of(md, sizeof md, out);
}

int
xt_cert_spki_sha256_hex(X509 *x, char out[XT_SPKI_HEX_LEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	if (spki_digest(x, md))
		return -1;
	for (i = 0; i < sizeof md; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int
tlsa_match_cert(const struct xt_tlsa *t, X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE], *sel;
	unsigned int mdlen = 0;
	int len = 0, ok = 0;

	if (!(sel = tlsa_selected(x, t->selector, &len)))
		return 0;
	switch (t->matching_type) {
	case 0:
		ok = (size_t)len == t->len && !memcmp(sel, t->data, t->len);
		break;
	case 1:
	case 2:
		EVP_Digest(sel, (size_t)len, md, &mdlen,
			   t->matching_type == 1 ? EVP_sha256() : EVP_sha512(), NULL);
		ok = mdlen == t->len && !memcmp(md, t->data, t->len);
		break;
	}
	OPENSSL_free(sel);
	return ok;
}

int
xt_tlsa_match(const struct xt_tlsa *t, X509 *leaf, STACK_OF(X509) *chain,
	      int pkix_ok)
{
	int i;

	switch (t->usage) {
	case 1: /* PKIX-EE */
		if (!pkix_ok)
			return 0;
		/* fall through */
	case 3: /* DANE-EE */
		return tlsa_match_cert(t, leaf);
	case 0: /* PKIX-TA */
		if (!pkix_ok)
			return 0;
		/* fall through */
	case 2: /* DANE-TA: a certificate the server sent above the leaf */
		for (i = 0; chain && i < sk_X509_num(chain); i++)
			if (sk_X509_value(chain, i) != leaf &&
			    X509_cmp(sk_X509_value(chain, i), leaf) &&
			    tlsa_match_cert(t, sk_X509_value(chain, i)))
				return 1;
		return 0;
	}
	return 0;
}
