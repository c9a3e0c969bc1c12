/* scram.c - what libstrophe's SCRAM leaves unchecked (RFC 5802): that the
 * server's nonce extends ours, that its iteration count is sane, and that
 * it proved it knows the password (the v= of its final message). The
 * exchange is read off the stream as libstrophe logs it, before each
 * element is acted on (0.12 - 0.14 have no SASL hook: strophe-glue.c,
 * xt_glue_logged_xml). A part of it not seen fails closed: no signature
 * checked, no login (XT_EAUTH). */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "xt.h"

/* More would be minutes of CPU for a server to ask, to no one's benefit:
 * servers use 4096 to 100000. */
#define SCRAM_MAX_ITERATIONS 1000000

static int check_final(struct xt_scram *s, const char *xml, const char *password,
		       char *why, size_t len);

void
xt_scram_reset(struct xt_scram *s)
{
	free(s->client_first_bare);
	free(s->cnonce);
	free(s->server_first);
	free(s->client_final);
	free(s->nonce);
	free(s->salt);
	memset(s, 0, sizeof *s);
}

/* The text of a one-element log line, "<name ...>TEXT</name>", as a new
 * string; "" for an empty element. */
static char *
element_text(const char *xml)
{
	const char *gt = strchr(xml, '>'), *lt;

	if (!gt || gt[-1] == '/' || !(lt = strchr(gt, '<')))
		return xt_strdup("");
	return strndup(gt + 1, (size_t)(lt - gt - 1));
}

/* Decodes base64 text into a new NUL-terminated buffer; NULL if it is not
 * base64. *len gets the decoded length. */
static unsigned char *
unbase64(const char *text, size_t *len)
{
	size_t n = strlen(text), pad = 0;
	unsigned char *out;
	int got;

	if (n % 4)
		return NULL;
	out = xt_malloc(n / 4 * 3 + 1);
	if ((got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n)) < 0) {
		free(out);
		return NULL;
	}
	while (pad < 2 && n > pad && text[n - 1 - pad] == '=')
		pad++;
	*len = (size_t)got - pad;
	out[*len] = '\0';
	return out;
}

/* The value of attribute "k=" in a SCRAM message, as a new string. */
static char *
attr(const char *msg, char k)
{
	const char *p = msg, *end;

	for (;;) {
		if (p[0] == k && p[1] == '=') {
			end = strchr(p, ',');
			return strndup(p + 2, end ? (size_t)(end - p - 2) : strlen(p + 2));
		}
		if (!(p = strchr(p, ',')))
			return NULL;
		p++;
	}
}

/* The digest of a SCRAM mechanism, with or without channel binding
 * (-PLUS, RFC 5802 6): the binding data travels inside the client's final
 * message, which the AuthMessage holds as sent, so checking the server's
 * signature needs nothing more. NULL for a SCRAM this file does not know. */
static const EVP_MD *
scram_md(const char *mech)
{
	static const struct { const char *name; const EVP_MD *(*md)(void); } known[] = {
		{ "SCRAM-SHA-1", EVP_sha1 },
		{ "SCRAM-SHA-256", EVP_sha256 },
		{ "SCRAM-SHA-512", EVP_sha512 },
	};
	size_t i, n = strlen(mech);

	if (n > 5 && !strcmp(mech + n - 5, "-PLUS"))
		n -= 5;
	for (i = 0; i < sizeof known / sizeof *known; i++)
		if (strlen(known[i].name) == n && !strncmp(mech, known[i].name, n))
			return known[i].md();
	return NULL;
}

/* The length of the GS2 header at the start of a client-first-message
 * (RFC 5802 7): "n," (no channel binding), "y," (the client could bind,
 * the server did not offer it; libstrophe 0.13+ on every TLS connection)
 * or "p=NAME," (bound: -PLUS), then an optional "a=authzid", then ",".
 * 0 if msg does not start with one. */
size_t
xt_scram_gs2_header_len(const char *msg)
{
	const char *p = msg;

	if (p[0] == 'p' && p[1] == '=') {
		p += 2;
		if (!*p || *p == ',')
			return 0;
		p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
	} else if (p[0] == 'n' || p[0] == 'y') {
		p++;
	} else {
		return 0;
	}
	if (*p++ != ',')
		return 0;
	if (p[0] == 'a' && p[1] == '=')
		p += strcspn(p, ",");
	else if (*p != ',')
		return 0;
	if (*p++ != ',')
		return 0;
	return (size_t)(p - msg);
}

/* SENT <auth mechanism='SCRAM-...'>: remembers our first message. A SCRAM
 * this file cannot follow leaves s->used set and s->active not: the
 * checks then refuse the login rather than wave it through. */
void
xt_scram_sent_auth(struct xt_scram *s, const char *xml)
{
	const char *m = strstr(xml, "mechanism=");
	size_t len, gs2;
	unsigned char *msg;
	char *text;

	xt_scram_reset(s);
	if (!m || strncmp(m + 11, "SCRAM-", 6))
		return;
	s->used = 1;
	snprintf(s->mech, sizeof s->mech, "%.*s", (int)strcspn(m + 11, "'\""), m + 11);
	if (!scram_md(s->mech))
		return;
	text = element_text(xml);
	msg = unbase64(text, &len);
	free(text);
	/* "n,,n=user,r=nonce": the bare part follows the GS2 header */
	if (msg && strlen((char *)msg) == len && (gs2 = xt_scram_gs2_header_len((char *)msg))) {
		s->client_first_bare = xt_strdup((char *)msg + gs2);
		s->cnonce = attr(s->client_first_bare, 'r');
		s->active = s->cnonce != NULL;
	}
	free(msg);
}

/* Why a SCRAM exchange that was started cannot be checked. */
static int
cannot_check(struct xt_scram *s, char *why, size_t len)
{
	snprintf(why, len, "cannot check %.24s (its first message was not understood); "
		 "refusing to log in unchecked", s->mech);
	xt_scram_reset(s);
	return XT_EAUTH;
}

/* RECV <challenge>: returns 0, or a protocol error with why set. */
int
xt_scram_check_challenge(struct xt_scram *s, const char *xml, const char *password,
			 char *why, size_t len)
{
	char *text = element_text(xml), *iter = NULL, *salt64 = NULL, *end;
	unsigned char *msg;
	size_t n;
	long i;

	if (!s->active) {
		free(text);
		return s->used ? cannot_check(s, why, len) : 0;
	}
	if (s->server_first) {
		/* a second challenge carries the server's final message (RFC
		 * 6120 6.3.10 lets it come so, with an empty <success/>) */
		free(text);
		return check_final(s, xml, password, why, len);
	}
	msg = unbase64(text, &n);
	free(text);
	if (!msg || strlen((char *)msg) != n) {
		snprintf(why, len, "the server's SCRAM challenge is not base64 text");
		goto bad;
	}
	s->server_first = xt_strdup((char *)msg);
	s->nonce = attr(s->server_first, 'r');
	salt64 = attr(s->server_first, 's');
	iter = attr(s->server_first, 'i');
	if (!s->nonce || !salt64 || !iter || !s->cnonce) {
		snprintf(why, len, "the server's SCRAM challenge lacks its nonce, salt or "
			 "iteration count (RFC 5802)");
		goto bad;
	}
	if (strncmp(s->nonce, s->cnonce, strlen(s->cnonce)) ||
	    strlen(s->nonce) == strlen(s->cnonce)) {
		snprintf(why, len, "the server's SCRAM nonce does not extend the client's "
			 "(RFC 5802 5.1): a replayed or forged challenge");
		goto bad;
	}
	i = strtol(iter, &end, 10);
	if (*end || end == iter || i < 1 || i > SCRAM_MAX_ITERATIONS) {
		snprintf(why, len, "the server's SCRAM challenge asks for %.20s iterations; "
			 "this tool does 1 to %d", iter, SCRAM_MAX_ITERATIONS);
		goto bad;
	}
	s->iterations = (int)i;
	if (!(s->salt = unbase64(salt64, &s->salt_len)) || !s->salt_len) {
		snprintf(why, len, "the server's SCRAM salt is not base64");
		goto bad;
	}
	free(msg);
	free(salt64);
	free(iter);
	return 0;
bad:
	free(msg);
	free(salt64);
	free(iter);
	xt_scram_reset(s);
	return XT_EPROTOCOL;
}

/* SENT <response>: remembers our final message without its proof. */
void
xt_scram_sent_response(struct xt_scram *s, const char *xml)
{
	char *text, *p;
	unsigned char *msg;
	size_t n;

	if (!s->active || s->client_final)
		return;
	text = element_text(xml);
	msg = unbase64(text, &n);
	free(text);
	if (msg && (p = strstr((char *)msg, ",p=")))
		s->client_final = strndup((char *)msg, (size_t)(p - (char *)msg));
	free(msg);
}

/* ServerSignature = HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage),
 * in base64 into out (at least 90 bytes). */
static int
server_signature(const struct xt_scram *s, const char *password, char *out)
{
	const EVP_MD *md = scram_md(s->mech);
	unsigned char salted[EVP_MAX_MD_SIZE], key[EVP_MAX_MD_SIZE], sig[EVP_MAX_MD_SIZE];
	unsigned int klen, slen;
	int mdlen = EVP_MD_get_size(md);
	char *auth;
	size_t alen;

	alen = strlen(s->client_first_bare) + strlen(s->server_first) +
	       strlen(s->client_final) + 3;
	auth = xt_malloc(alen);
	snprintf(auth, alen, "%s,%s,%s", s->client_first_bare, s->server_first, s->client_final);
	if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), s->salt, (int)s->salt_len,
			       s->iterations, md, mdlen, salted) ||
	    !HMAC(md, salted, mdlen, (const unsigned char *)"Server Key", 10, key, &klen) ||
	    !HMAC(md, key, (int)klen, (unsigned char *)auth, strlen(auth), sig, &slen)) {
		free(auth);
		return -1;
	}
	explicit_bzero(salted, sizeof salted);
	free(auth);
	EVP_EncodeBlock((unsigned char *)out, sig, (int)slen);
	return 0;
}

/* Checks the server-final-message ("v=...") inside a logged <challenge>
 * or <success>; returns 0 and marks the exchange verified when the
 * server proved it knows the password, else XT_EAUTH with why set. */
static int
server_final(const struct xt_scram *s, const char *xml, const char *password,
	     char *why, size_t len)
{
	char *text = element_text(xml), *v = NULL, want[128];
	unsigned char *msg = NULL;
	size_t n;
	int rc = XT_EAUTH;

	if (*text && (msg = unbase64(text, &n)) && strlen((char *)msg) == n)
		v = attr((char *)msg, 'v');
	free(text);
	if (!s->server_first) {
		/* its challenge was not seen (strophe-glue.c: a log line that
		 * libstrophe words otherwise?): nothing to check against */
		snprintf(why, len, "the server's first SCRAM message was not seen, so its "
			 "signature cannot be checked; not logged in");
	} else if (!v || !s->client_final || !password) {
		snprintf(why, len, "the server ended SCRAM without its signature (v=): it "
			 "did not prove it knows the password; not logged in");
	} else if (server_signature(s, password, want) || strcmp(v, want)) {
		snprintf(why, len, "the server's SCRAM signature is wrong: it does not know "
			 "the password (an impostor?); not logged in");
	} else {
		rc = 0;
	}
	free(v);
	free(msg);
	return rc;
}

static int
check_final(struct xt_scram *s, const char *xml, const char *password, char *why,
	    size_t len)
{
	int rc = server_final(s, xml, password, why, len);

	if (rc) {
		xt_scram_reset(s);
		return rc;
	}
	s->verified = 1;
	return 0;
}

/* RECV <success>: returns 0 when the server proved it knows the password
 * (in this element or in a challenge before it) or no SCRAM was used, else
 * XT_EAUTH with why set. */
int
xt_scram_check_success(struct xt_scram *s, const char *xml, const char *password,
		       char *why, size_t len)
{
	int rc;

	if (!s->used)
		return 0;
	if (!s->active)
		return cannot_check(s, why, len);
	rc = s->verified ? 0 : check_final(s, xml, password, why, len);
	s->active = 0;
	return rc;
}
