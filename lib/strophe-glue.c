/* strophe-glue.c - every workaround for libstrophe, in one place.
 *
 * The tools run on libstrophe 0.12 (Debian 12) and 0.14 (Debian 13). Where
 * libstrophe has an API for what a check needs, conn.c uses it (the
 * certfail handler, the sockopt callback, the allocator, the flags); what
 * follows is what none of these versions offers a way to do, done around
 * it: by its log lines, or by standing in for a function of expat or
 * OpenSSL that it calls (the dynamic linker resolves its calls to the
 * program's definition first). Each piece names the versions it is for and
 * why. strophe.h has no version macro: the Makefile passes the version
 * pkg-config reports as XT_STROPHE_MAJOR and XT_STROPHE_MINOR, to this file
 * only, so that every #if on it is here.
 *
 * Every security check that rides on such a hook fails closed: each sets a
 * flag when it ran (c->pin_checked, c->scram.verified, c->sasl_ok), and a
 * later point that libstrophe cannot skip refuses to go on without it: the
 * TLS send path for --pin (no byte after the handshake leaves before the
 * key was compared), the connect event for SASL (conn.c), the <success/>
 * for SCRAM's signature (scram.c). A libstrophe that rewords a log line
 * then stops the tool (79, 77) instead of letting it run unchecked. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <expat.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "xt.h"

/* (empty when pkg-config found no libstrophe: 0.0 then, refused here) */
#if !defined(XT_STROPHE_MAJOR) || !defined(XT_STROPHE_MINOR) || \
	XT_STROPHE_MAJOR + 0 == 0 && XT_STROPHE_MINOR + 0 < 12
#error "XT_STROPHE_MAJOR and _MINOR come from the Makefile (pkg-config libstrophe, 0.12+)"
#endif

/* Finds the definition a stand-in below replaces (expat's, OpenSSL's). */
static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		xt_die(XT_ESOFTWARE, "cannot find %s in the libraries: %s", name, dlerror());
	return f;
}

/* ---- the version (0.12 - 0.14) ----
 *
 * xmpp_version_check(major, minor) is true when minor is AT LEAST the
 * library's (ctx.c: "minor >= LIBXMPP_VERSION_MINOR", in every release up
 * to 0.14): the opposite of its documentation. The minor version of the
 * library loaded is found from it either way round: the least minor it
 * accepts if the sense is reversed (it accepts 99), else the greatest.
 * -1 for a library of another major version. */
static int
loaded_minor(void)
{
	int m, reversed = xmpp_version_check(XT_STROPHE_MAJOR, 99);

	if (reversed) {
		for (m = 0; m < 99 && !xmpp_version_check(XT_STROPHE_MAJOR, m); m++)
			;
		return m;
	}
	for (m = 98; m >= 0 && !xmpp_version_check(XT_STROPHE_MAJOR, m); m--)
		;
	return m;
}

void
xt_glue_init(void)
{
	int minor = loaded_minor();

	if (minor < 0)
		xt_die(XT_ESOFTWARE, "libstrophe: the library loaded is not of major "
		       "version %d, which this program was built with (rebuild: make)",
		       XT_STROPHE_MAJOR);
	if (minor < XT_STROPHE_MINOR)
		xt_die(XT_ESOFTWARE, "libstrophe: the library loaded is %d.%d, older than "
		       "the %d.%d this program was built with, whose behaviour its "
		       "checks rely on (install libstrophe %d.%d or later, or rebuild: "
		       "make)", XT_STROPHE_MAJOR, minor, XT_STROPHE_MAJOR,
		       XT_STROPHE_MINOR, XT_STROPHE_MAJOR, XT_STROPHE_MINOR);
	xmpp_initialize();
}

/* ---- connection flags (0.12 - 0.14) ----
 *
 * Stream management is ours (enable_sm in conn.c), never libstrophe's:
 * 0.12 raises the connect event before <enabled/> came, so the first
 * stanzas go out uncounted, and 0.13+ (after <enabled/>) resends its own
 * queue on reconnection, which ours does too. Mandatory TLS on all. */
long
xt_glue_conn_flags(int direct_tls, int insecure)
{
	long flags = XMPP_CONN_FLAG_MANDATORY_TLS | XMPP_CONN_FLAG_DISABLE_SM;

	if (direct_tls)
		flags |= XMPP_CONN_FLAG_LEGACY_SSL;
	if (insecure)
		flags |= XMPP_CONN_FLAG_TRUST_TLS;
	return flags;
}

/* ---- the error of a failed connection (0.13+) ----
 *
 * 0.12 passes the errno of the failed connect to the connection handler;
 * 0.13 and 0.14 pass -1 once no address is left (the errno of the last
 * attempt is only in the log: "connection failed, error N", kept by
 * conn.c as logged). */
int
xt_glue_conn_errno(int error, int logged)
{
	/* 0.12's 0 (no error) with an errno logged means that errno too */
	return error <= 0 ? logged : error;
}

/* ---- the stream as logged (0.12 - 0.14) ----
 *
 * libstrophe hands over no SASL element (it answers them itself), but logs
 * each element it receives, "RECV: " in conn.c, before acting on it, and
 * each it sent, "SENT: " in event.c, once written. SCRAM's checks (scram.c)
 * and the downgrade checks (conn.c) read them there. Returns the element
 * of such a line, with *sent set, or NULL. */
const char *
xt_glue_logged_xml(const char *msg, int *sent)
{
	*sent = !strncmp(msg, "SENT: ", 6);
	return *sent || !strncmp(msg, "RECV: ", 6) ? msg + 6 : NULL;
}

/* ---- --pin (0.12 - 0.14) ----
 *
 * No libstrophe has a hook between the TLS handshake and what follows it
 * (the certfail handler runs only for a certificate that fails
 * verification, and --pin makes it accept all). tls_start logs the peer's
 * "Subject=" (tls_openssl.c, _tls_dump_cert_info) right after the
 * handshake, before anything more is queued, for STARTTLS and direct TLS
 * alike: the key is compared there, and a wrong one shuts the socket
 * before libstrophe writes again. */
int
xt_glue_is_cert_line(const char *area, const char *msg)
{
	return !strcmp(area, "tls") && !strncmp(msg, "Subject=", 8);
}

void
xt_glue_check_pin(struct xt_conn *c)
{
	xmpp_tlscert_t *cert;
	X509 *x = NULL;
	char have[XT_FP_LEN] = "";

	if (!c->acct->pin || c->pin_checked)
		return;
	c->pin_checked = 1;
	if ((cert = xmpp_conn_get_peer_cert(c->xc))) {
		x = xt_cert_from_pem(xmpp_tlscert_get_pem(cert));
		xmpp_tlscert_free(cert);
	}
	if (x)
		xt_cert_key_fingerprint(x, have);
	if (have[0] && !strcmp(have, c->acct->pin)) {
		X509_free(x);
		return;
	}
	xt_fail(c, XT_ETLS, "TLS: the key of %s does not match --pin (its key is "
		"%s): refusing to log in", c->where, have[0] ? have : "unreadable");
	X509_free(x);
	if (c->sock >= 0)
		shutdown(c->sock, SHUT_RDWR);
}

/* The fail-closed side of --pin: libstrophe writes everything after the
 * handshake with SSL_write (tls_write in tls_openssl.c, 0.12 - 0.14). This
 * one stands in for OpenSSL's: on the connection's socket, with --pin given
 * and its check not run, nothing is written and the login ends (79). Other
 * TLS connections of the process (libcurl's, xmpp-s2s-probe's) pass. */
static struct xt_conn *guarded;

void
xt_glue_attach(struct xt_conn *c)
{
	guarded = c;
}

static int
write_refused(SSL *ssl)
{
	struct xt_conn *c = guarded;

	if (!c || !c->acct || !c->acct->pin || c->pin_checked || c->sock < 0 ||
	    SSL_get_fd(ssl) != c->sock)
		return 0;
	xt_fail(c, XT_ETLS, "TLS: libstrophe was about to send to %s before the "
		"server's key was compared with --pin (the check did not run: a "
		"libstrophe other than %d.%d?): refusing to go on", c->where,
		XT_STROPHE_MAJOR, XT_STROPHE_MINOR);
	shutdown(c->sock, SHUT_RDWR);
	return 1;
}

int
SSL_write(SSL *ssl, const void *buf, int num)
{
	static int (*real_write)(SSL *, const void *, int);

	if (!real_write)
		real_write = real("SSL_write");
	return write_refused(ssl) ? -1 : real_write(ssl, buf, num);
}

/* Not used by 0.12 - 0.14; guarded alike should a later one switch. */
int
SSL_write_ex(SSL *ssl, const void *buf, size_t num, size_t *written)
{
	static int (*real_write_ex)(SSL *, const void *, size_t, size_t *);

	if (!real_write_ex)
		real_write_ex = real("SSL_write_ex");
	if (write_refused(ssl)) {
		*written = 0;
		return 0;
	}
	return real_write_ex(ssl, buf, num, written);
}

/* ---- the TLS version floor (0.12 - 0.14) ----
 *
 * libstrophe makes its own SSL_CTX for each connection (tls_new in
 * tls_openssl.c) and gives no way to choose its versions: it turns off SSL
 * 2 and 3 and TLS 1.0 by option and leaves the rest to the system's
 * OpenSSL policy, which may allow TLS 1.1 (MinProtocol in openssl.cnf).
 * This SSL_CTX_new stands in for OpenSSL's (for libstrophe's, libcurl's and
 * our calls), calls the real one, and raises the new context's least
 * version to the floor. A caller may still lower it afterwards on purpose,
 * as xmpp-s2s-probe's per-version probes do. */
static int floor_version = TLS1_2_VERSION;

void
xt_tls_floor(int version)
{
	floor_version = version > TLS1_2_VERSION ? version : TLS1_2_VERSION;
}

SSL_CTX *
SSL_CTX_new(const SSL_METHOD *method)
{
	static SSL_CTX *(*real_new)(const SSL_METHOD *);
	SSL_CTX *ctx;
	int least;

	if (!real_new)
		real_new = real("SSL_CTX_new");
	if (!(ctx = real_new(method)))
		return NULL;
	/* 0: no least version set, any the library supports */
	least = (int)SSL_CTX_get_min_proto_version(ctx);
	if (least < floor_version && !SSL_CTX_set_min_proto_version(ctx, floor_version)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	xt_observe_tls_ctx(ctx); /* xmpp-check: what the handshake agreed */
	return ctx;
}

/* ---- the trust (0.12 - 0.14) ----
 *
 * libstrophe (tls_new in tls_openssl.c) calls this on the context it makes
 * for each connection, and has no other way in to its trust:
 * xmpp_conn_set_cafile and _capath add to the system's whole bundle, which
 * it loads for every connection, rather than trust that file only. The
 * program's definition stands in for OpenSSL's, for libstrophe's calls and
 * ours; it gives the context the process's trust (trust.c). */
int
SSL_CTX_set_default_verify_paths(SSL_CTX *ctx)
{
	return xt_trust_ctx(ctx);
}

/* ---- the XML parser (0.12 - 0.14) ----
 *
 * libstrophe lets expat read a DTD in the stream, with entity
 * declarations and their expansion (RFC 6120 11.1 forbids both: a billion
 * laughs costs seconds of CPU), and joins a stanza's text with strncat, in
 * time quadratic in its length. It gives no access to its parser, but sets
 * the parser's handlers through expat's API each time it makes or resets
 * one: these definitions stand in for expat's, call the real ones, and wrap
 * libstrophe's handlers. A refused document stops the parser: libstrophe
 * then logs a parse error, which conn.c turns into the error below.
 * Only the parser libstrophe made last is guarded (it makes its parsers
 * with XML_ParserCreate_MM, one per connection); others (s2s.c) pass. */

/* Stanza text past this is refused: servers limit whole stanzas to as
 * much or less (Prosody 256 KiB, ejabberd 64 KiB), and libstrophe's cost
 * grows with its square (4 MiB took seconds under AddressSanitizer). */
#define MAX_STANZA_TEXT (1L * 1024 * 1024)

static XML_Parser parser;
static XML_StartElementHandler inner_start;
static XML_EndElementHandler inner_end;
static XML_CharacterDataHandler inner_text;
static int depth;
static long text_len;
static char refused[160];

const char *
xt_xml_refused(void)
{
	return refused[0] ? refused : NULL;
}

static void
refuse(const char *why)
{
	if (!refused[0])
		snprintf(refused, sizeof refused, "%s", why);
	XML_StopParser(parser, XML_FALSE);
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
	   const XML_Char *pubid, int has_internal_subset)
{
	(void)ud, (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	refuse("sent a DTD, which XMPP forbids (RFC 6120 11.1)");
}

static void XMLCALL
on_entity(void *ud, const XML_Char *name, int is_parameter, const XML_Char *value,
	  int value_length, const XML_Char *base, const XML_Char *sysid,
	  const XML_Char *pubid, const XML_Char *notation)
{
	(void)ud, (void)name, (void)is_parameter, (void)value, (void)value_length;
	(void)base, (void)sysid, (void)pubid, (void)notation;
	refuse("declared an entity, which XMPP forbids (RFC 6120 11.1)");
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	depth++;
	if (inner_start)
		inner_start(ud, name, attrs);
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	if (--depth <= 1)
		text_len = 0; /* a stanza (or the stream) ended */
	if (inner_end)
		inner_end(ud, name);
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	text_len += len;
	if (text_len > MAX_STANZA_TEXT) {
		refuse("sent a stanza with more than 1 MiB of text: dropped to protect "
		       "memory and time");
		return;
	}
	if (inner_text)
		inner_text(ud, s, len);
}

XML_Parser XMLCALL
XML_ParserCreate_MM(const XML_Char *encoding, const XML_Memory_Handling_Suite *mem,
		    const XML_Char *sep)
{
	static XML_Parser (*create)(const XML_Char *, const XML_Memory_Handling_Suite *,
				    const XML_Char *);

	if (!create)
		create = real("XML_ParserCreate_MM");
	return parser = create(encoding, mem, sep);
}

/* The parser is new or reset: its handlers are being set again. */
void XMLCALL
XML_SetElementHandler(XML_Parser p, XML_StartElementHandler start, XML_EndElementHandler end)
{
	static void (*set)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
	static void (*set_doctype)(XML_Parser, XML_StartDoctypeDeclHandler);
	static void (*set_entity)(XML_Parser, XML_EntityDeclHandler);

	if (!set) {
		set = real("XML_SetElementHandler");
		set_doctype = real("XML_SetStartDoctypeDeclHandler");
		set_entity = real("XML_SetEntityDeclHandler");
	}
	if (p != parser) {
		set(p, start, end);
		return;
	}
	depth = 0;
	text_len = 0;
	refused[0] = '\0';
	inner_start = start;
	inner_end = end;
	set(p, on_start, on_end);
	set_doctype(p, on_doctype);
	set_entity(p, on_entity);
}

void XMLCALL
XML_SetCharacterDataHandler(XML_Parser p, XML_CharacterDataHandler handler)
{
	static void (*set)(XML_Parser, XML_CharacterDataHandler);

	if (!set)
		set = real("XML_SetCharacterDataHandler");
	if (p != parser) {
		set(p, handler);
		return;
	}
	inner_text = handler;
	set(p, handler ? on_text : NULL);
}
