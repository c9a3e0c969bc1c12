/* conn.c - one client connection: TLS, SASL, bind, XEP-0198, the loop */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <malloc.h>
#include <time.h>
#include <unistd.h>
#include <openssl/x509.h>

#include "xt.h"

#define NS_SM "urn:xmpp:sm:3"
#define NS_PING "urn:xmpp:ping"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define ACK_BATCH 256
/* A server still working on a request older than ACK_SLOW_MS gets one every
 * ACK_BATCH_SLOW stanzas: it answers each <r/> only after all sent before
 * it, so at ejabberd's pace under load (some 10 stanzas a second) 256 would
 * leave more than --confirm-timeout between two acks. */
#define ACK_BATCH_SLOW 32
#define ACK_SLOW_MS 1000
/* libstrophe builds a whole stanza in memory before handing it over and
 * sets no limit: a server nesting a million elements would grow us by half
 * a GiB. Its allocations are counted, and the connection is dropped once
 * they pass the cap (checked after each read of at most a few KiB; failing
 * an allocation inside libstrophe would crash it). */
#define MEMORY_CAP (64L * 1024 * 1024)
/* stanzas serialized but not yet written to the socket */
#define MAX_UNWRITTEN 32
/* reconnecting: first wait, and the longest one between attempts */
#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000

static size_t allocated;
static int over_cap;

static void *
capped_alloc(size_t n, void *data)
{
	void *p;

	(void)data;
	if ((p = malloc(n)))
		allocated += malloc_usable_size(p);
	return p;
}

/* Every block libstrophe frees is wiped first: it frees its copies of
 * the password (its own, the SASL messages, the serialized <auth/>) and
 * of every message without clearing them. */
static void
capped_free(void *p, void *data)
{
	size_t n;

	(void)data;
	if (!p)
		return;
	n = malloc_usable_size(p);
	allocated -= n;
	explicit_bzero(p, n);
	free(p);
}

/* As realloc(3), but a block that moves is wiped where it was (a block
 * asked to shrink stays as it is). */
static void *
capped_realloc(void *p, size_t n, void *data)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q;

	if (p && n <= old)
		return p;
	if ((q = capped_alloc(n, data)) && p) {
		memcpy(q, p, old);
		capped_free(p, data);
	}
	return q;
}

static const xmpp_mem_t capped_mem = { capped_alloc, capped_free, capped_realloc, NULL };

/* One turn of libstrophe's loop, then the memory check. */
static void
pump(struct xt_conn *c, unsigned long ms)
{
	xmpp_run_once(c->ctx, ms);
	if (allocated > MEMORY_CAP && c->state != XT_CONN_CLOSED) {
		over_cap = 1;
		xt_fail(c, XT_EPROTOCOL, "%s sent more than %ld MiB without finishing a "
			 "stanza (or nested it too deeply): dropped to protect memory",
			 c->where, MEMORY_CAP >> 20);
		c->state = XT_CONN_CLOSED;
		if (c->sock >= 0)
			shutdown(c->sock, SHUT_RDWR);
	}
}

int
xt_fail(struct xt_conn *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->error)
		return c->error;
	c->error = code;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	return code;
}

/* Prints xml with the text of every <password> element (a room's, XEP-0045)
 * cut out. Text and attribute values are escaped: a "<password" in the
 * log is an element. */
static void
print_without_passwords(const char *xml)
{
	const char *p = xml, *open, *gt, *close;

	while ((open = strstr(p, "<password"))) {
		open += 9;
		gt = strchr(" >", *open) && *open ? strchr(open, '>') : NULL;
		close = gt && gt[-1] != '/' ? strstr(gt, "</password>") : NULL;
		fprintf(stderr, "%.*s%s", (int)((close ? gt + 1 : open) - p), p,
			close ? "[redacted]" : "");
		p = close ? close : open;
	}
	fprintf(stderr, "%s\n", p);
}

/* The run's --timeout passed: says during what, once (the first error
 * is the one told). */
static int
deadline_fail(struct xt_conn *c)
{
	const char *during = c->reconnecting ? " while reconnecting to " :
		c->state == XT_CONN_CONNECTING ? " while logging in to " : "";

	return xt_fail(c, XT_ETIMEOUT, "the run's --timeout of %ld s passed%s%s%s",
		       xt_deadline_seconds(), during, *during ? c->where : "",
		       c->state == XT_CONN_CONNECTING ? " (no answer in time)" : "");
}

/* -v shows the stream; SASL payloads carry the password (PLAIN) or what
 * could attack it offline (SCRAM), so they are cut out, as are room
 * passwords. */
static void
print_redacted(const char *dir, const char *xml)
{
	static const char *const secret[] = { "<auth ", "<response", "<challenge",
					      "<success", NULL };
	const char *const *s;
	const char *gt, *lt;

	for (s = secret; *s; s++) {
		if (strncmp(xml, *s, strlen(*s)) == 0 && (gt = strchr(xml, '>')) &&
		    gt[-1] != '/' && (lt = strrchr(xml, '<')) && lt > gt) {
			fprintf(stderr, "%s %.*s[redacted]%s\n", dir, (int)(gt - xml + 1), xml, lt);
			return;
		}
	}
	fprintf(stderr, "%s ", dir);
	print_without_passwords(xml);
}

/* Ends a login the log showed must not go on: the socket is shut before
 * libstrophe writes again, so nothing more (no SASL proof, no password)
 * reaches the server. */
static void __attribute__((format(printf, 3, 4)))
refuse_login(struct xt_conn *c, int code, const char *fmt, ...)
{
	char msg[sizeof c->why];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xt_fail(c, code, "%s", msg);
	if (c->sock >= 0)
		shutdown(c->sock, SHUT_RDWR);
}

/* Whether a logged element is <name xmlns="ns" ...>, in either quotes. */
static int
is_element(const char *xml, const char *name, const char *ns)
{
	size_t n = strlen(name);
	const char *x;

	if (xml[0] != '<' || strncmp(xml + 1, name, n) || !strchr(" />", xml[n + 1]))
		return 0;
	if (!ns)
		return 1;
	x = strstr(xml, "xmlns=");
	return x && x < strchr(xml, '>') && !strncmp(x + 7, ns, strlen(ns));
}

/* The login's SASL exchange was seen and passed its checks; an account
 * that did SCRAM remembers it (state.c) so that PLAIN is refused later. */
static void
sasl_checked(struct xt_conn *c, const char *scram_mech)
{
	char had[32];

	c->sasl_ok = 1;
	if (scram_mech && (xt_state_get("sasl", c->acct->jid, had, sizeof had) ||
			   strcmp(had, scram_mech)) &&
	    xt_state_set("sasl", c->acct->jid, scram_mech) && xt_verbose)
		xt_warn("cannot remember that %s logs in with %s (no writable "
			"$XDG_STATE_HOME or ~/.local/state)", c->acct->jid, scram_mech);
}

/* The features that offer SASL inside TLS, before libstrophe answers
 * them with its choice: the last moment to stop a login. --pin must have
 * been checked by now (its hook not having run fails closed). And an
 * impostor with a valid certificate could skip SCRAM's proof that the
 * server knows the password by offering only PLAIN, to get the password
 * itself: an account that logged in with SCRAM before does not fall back
 * to PLAIN unless told to. */
static void
check_sasl_offer(struct xt_conn *c, const char *xml)
{
	char had[32];

	if (!strstr(xml, "<mechanisms") || strstr(xml, "<starttls"))
		return; /* no SASL yet, or not inside TLS yet */
	if (c->acct->pin && !c->pin_checked) {
		refuse_login(c, XT_ETLS, "TLS: the key of %s could not be compared with "
			     "--pin before logging in: refusing to log in", c->where);
		return;
	}
	if (strstr(xml, ">SCRAM-") || c->acct->allow_plain ||
	    xt_state_get("sasl", c->acct->jid, had, sizeof had) || strncmp(had, "SCRAM-", 6))
		return;
	refuse_login(c, XT_EAUTH, "%s offers no SCRAM, only PLAIN, but %s logged in "
		     "with %s before: refusing to send the password to what may be an "
		     "impostor (if the server really dropped SCRAM: --allow-plain, or "
		     "allow-plain = yes in the config)", c->where, c->acct->jid, had);
}

/* What the server sent, checked before libstrophe acts on it. */
static void
check_received(struct xt_conn *c, const char *xml)
{
	char why[300];
	int rc;

	if (is_element(xml, "features", NULL)) {
		c->sm_offered |= strstr(xml, NS_SM) != NULL;
		check_sasl_offer(c, xml);
	} else if (is_element(xml, "failure", NS_SASL))
		xt_fail(c, XT_EAUTH, "authentication failed for %s: the server "
			"refused the password (check the account and password)",
			c->acct->jid);
	else if (is_element(xml, "failure", NS_TLS))
		refuse_login(c, XT_ETLS, "%s refused to start TLS (STARTTLS <failure/>): "
			     "refusing to log in without it", c->where);
	else if (is_element(xml, "challenge", NS_SASL) &&
		 (rc = xt_scram_check_challenge(&c->scram, xml, c->acct->password, why,
						sizeof why))) {
		refuse_login(c, rc, "SCRAM with %s: %s; refusing to log in", c->where, why);
		/* Right after this returns, libstrophe would compute its proof
		 * (minutes of it, for a huge iteration count) and keep waiting
		 * for the outcome, its state never freed: nothing can stop it
		 * but ending here. */
		xt_error(c->error, "%s", c->why);
		fflush(NULL);
		_exit(c->error);
	} else if (is_element(xml, "success", NS_SASL)) {
		if ((rc = xt_scram_check_success(&c->scram, xml, c->acct->password, why,
						 sizeof why)))
			refuse_login(c, rc, "SCRAM with %s: %s", c->where, why);
		else if (c->scram.used)
			sasl_checked(c, c->scram.mech);
		else if (c->plain_sent)
			sasl_checked(c, NULL);
	}
}

/* The SASL mechanism libstrophe chose: what the checks of the answers
 * follow. (libstrophe logs what it sent once written: a refusal must come
 * earlier, on what the server offered: check_sasl_offer.) */
static void
check_sent(struct xt_conn *c, const char *xml)
{
	if (!is_element(xml, "auth", NS_SASL))
		return;
	xt_scram_sent_auth(&c->scram, xml);
	c->plain_sent = strstr(xml, "mechanism=\"PLAIN\"") || strstr(xml, "mechanism='PLAIN'");
}

/* OpenSSL's reasons (ERR_reason_error_string, ours or the server's alert)
 * for a handshake that found nothing in common with the server: no
 * retry can help. Others (an end of file in the middle: a restart?) stay
 * the network's. */
static const char *const no_common_version[] = {
	"unsupported protocol", "protocol version", "no protocols available",
	"wrong ssl version", "version too low", NULL
};
static const char *const no_common_cipher[] = {
	"handshake failure", "no shared cipher", "no ciphers available",
	"insufficient security", "no suitable signature algorithm", NULL
};

static int
reason_in(const char *reason, const char *const *list)
{
	for (; *list; list++)
		if (strstr(reason, *list))
			return 1;
	return 0;
}

/* Keeps the first reason of "error:0A000102:SSL routines::REASON". */
static void
note_tls_reason(struct xt_conn *c, const char *msg)
{
	const char *reason = strrchr(msg, ':');

	if (!c->tls_reason[0] && reason)
		snprintf(c->tls_reason, sizeof c->tls_reason, "%s", reason + 1);
}

/* Keeps the first cause of a connection's end: later lines describe the
 * teardown, not the reason. */
static void
note_loss(struct xt_conn *c, const char *why)
{
	if (!c->lost[0])
		snprintf(c->lost, sizeof c->lost, "%s", why);
}

/* An errno a read or write ended with; EPIPE (and none at all, an end of
 * file) mean the other end closed. */
static void
note_errno_loss(struct xt_conn *c, int err)
{
	note_loss(c, err && err != EPIPE ? strerror(err) : "the server closed the connection");
}

/* libstrophe's "error=SSL_ERROR_SYSCALL(5) errno=104 lasterror=0": a TLS
 * read or write failed for good. The number libstrophe later hands to the
 * connection handler is this SSL_get_error code, not an errno (1, SSL_ERROR_SSL,
 * read as errno is "Operation not permitted"); and the errno logged is
 * stale unless the code is SSL_ERROR_SYSCALL. The socket's own pending
 * error (SO_ERROR) beats both. */
static void
note_tls_failure(struct xt_conn *c, const char *msg)
{
	const char *p = strchr(msg, '(');
	int code, err, so = 0;
	socklen_t len = sizeof so;

	if (!p || sscanf(p, "(%d) errno=%d", &code, &err) != 2)
		return;
	if (c->sock >= 0 && getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &so, &len) == 0 && so)
		note_errno_loss(c, so);
	else if (code == SSL_ERROR_SYSCALL)
		note_errno_loss(c, err);
	else if (code == SSL_ERROR_ZERO_RETURN)
		note_loss(c, "the server closed the connection");
	else if (code == SSL_ERROR_SSL)
		c->ssl_failed = 1; /* OpenSSL's reason is the next line */
}

/* The reason line after an SSL_ERROR_SSL: a TCP end without TLS's own
 * close is OpenSSL 3's "unexpected eof while reading". */
static void
note_ssl_reason(struct xt_conn *c, const char *msg)
{
	const char *reason = strrchr(msg, ':');
	char why[sizeof c->lost];

	if (!c->ssl_failed || !reason)
		return;
	c->ssl_failed = 0;
	if (strstr(reason, "unexpected eof"))
		note_loss(c, "the server closed the connection");
	else {
		snprintf(why, sizeof why, "TLS error: %s", reason + 1);
		note_loss(c, why);
	}
}

/* What was last tried, for a message naming what could not be resolved
 * or what it speaks: HOST:PORT from libstrophe's log line, which 0.12
 * words "sock_connect() to HOST:PORT returned N" and 0.13+ "Connecting to
 * HOST:PORT via HOW". Other lines are left alone. */
static void
note_tried(struct xt_conn *c, const char *msg)
{
	static const struct { const char *before, *after; } forms[] = {
		{ "sock_connect() to ", " returned" }, /* libstrophe 0.12 */
		{ "Connecting to ", " via " },         /* 0.13, 0.14 */
	};
	const char *host, *end;
	size_t i, n;

	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		n = strlen(forms[i].before);
		if (strncmp(msg, forms[i].before, n))
			continue;
		host = msg + n;
		if ((end = strstr(host, forms[i].after)))
			snprintf(c->tried, sizeof c->tried, "%.*s", (int)(end - host), host);
		return;
	}
}

/* Splits c->tried into host (in buf) and port; 0, or -1 if nothing was. */
static int
tried_host(const struct xt_conn *c, char *buf, size_t len, unsigned *port)
{
	const char *colon = strrchr(c->tried, ':');

	if (!colon || sscanf(colon + 1, "%u", port) != 1)
		return -1;
	snprintf(buf, len, "%.*s", (int)(colon - c->tried), c->tried);
	return 0;
}

/* The handshake failed: when on versions or ciphers, a TLS error, and
 * not worth reconnecting for. (A certificate that failed has its own
 * message, from certfail.) */
static void
tls_start_failed(struct xt_conn *c)
{
	int v = c->acct->tls_min;

	if (c->tls_why[0])
		return;
	if (reason_in(c->tls_reason, no_common_version) && v > TLS1_2_VERSION)
		xt_fail(c, XT_ETLS, "TLS: %s and this tool share no TLS version (%s): "
			"TLS %s is required by --tls-min %s or the config's tls-min "
			"(use --tls-min 1.2 if the server cannot do better)", c->where,
			c->tls_reason, xt_tls_version_name(v), xt_tls_version_name(v));
	else if (reason_in(c->tls_reason, no_common_version))
		xt_fail(c, XT_ETLS, "TLS: %s and this tool share no TLS version (%s): "
			"the server offers only versions below TLS 1.2, which this "
			"tool refuses (the server needs TLS 1.2 or 1.3)", c->where,
			c->tls_reason);
	else if (reason_in(c->tls_reason, no_common_cipher))
		xt_fail(c, XT_ETLS, "TLS: %s and this tool share no TLS cipher (%s): "
			"the server offers none that this tool accepts at TLS %s or "
			"later (fix the server's TLS settings)", c->where, c->tls_reason,
			xt_tls_version_name(v));
}

/* libstrophe reports through its logger only; the reasons for a failed
 * connection are picked out of it here, and the SASL exchange checked
 * (which lines carry the stream and the handshake's end, and for which
 * versions: strophe-glue.c). */
static void
log_handler(void *data, xmpp_log_level_t level, const char *area, const char *msg)
{
	struct xt_conn *c = data;
	const char *xml;
	int sent;

	if ((xml = xt_glue_logged_xml(msg, &sent)) && !sent) {
		c->rx_any = 1;
		check_received(c, xml);
		xt_observe_xml('<', xml);
		if (xt_verbose)
			print_redacted("<", xml);
		return;
	}
	if (xml) {
		check_sent(c, xml);
		xt_observe_xml('>', xml);
		if (is_element(xml, "response", NS_SASL))
			xt_scram_sent_response(&c->scram, xml);
		if (xt_verbose)
			print_redacted(">", xml);
		return;
	}
	if (!strncmp(msg, "parse error", 11)) {
		/* libstrophe answers <invalid-xml/> but goes on reading */
		refuse_login(c, XT_EPROTOCOL, "%s %s; connection closed", c->where,
			     xt_xml_refused() ? xt_xml_refused() :
			     "sent invalid XML (not well-formed, or not UTF-8)");
	}
	if (xt_glue_is_cert_line(area, msg))
		xt_glue_check_pin(c);
	else if (!strcmp(area, "tls") && !strncmp(msg, "error:", 6)) {
		note_tls_reason(c, msg);
		note_ssl_reason(c, msg);
	} else if (!strcmp(area, "tls") && !strncmp(msg, "error=", 6))
		note_tls_failure(c, msg);
	else if (!strcmp(area, "conn") && !strncmp(msg, "Couldn't start TLS!", 19))
		tls_start_failed(c);
	if (!strcmp(msg, "connection successful"))
		c->tcp_up = 1;
	else if (!strncmp(msg, "connection failed, error ", 25))
		c->sock_errno = atoi(msg + 25);
	else if (strstr(msg, "Connection attempt timed out"))
		c->sock_errno = ETIMEDOUT;
	else if (!strcmp(msg, "Socket closed by remote host."))
		note_loss(c, "the server closed the connection");
	else if (!strncmp(msg, "SRV lookup failed", 17))
		c->srv_missing = 1;
	else
		note_tried(c, msg);
	if (strstr(msg, "TLS is not supported, but set as mandatory"))
		xt_fail(c, XT_ETLS, "%s does not offer STARTTLS and TLS is required: "
			"refusing to send the password in clear (try --direct-tls, "
			"or fix the server)", c->where);
	else if (strstr(msg, "Cannot authenticate with known methods") ||
		 strstr(msg, "No supported authentication"))
		xt_fail(c, XT_EAUTH, "the server offers no authentication mechanism "
			"this tool accepts (SCRAM-SHA-*, or PLAIN over TLS)");
	if (xt_verbose > 1 || (xt_verbose && level >= XMPP_LEVEL_WARN))
		fprintf(stderr, "  %s: %s\n", area, msg);
}

/* libstrophe gives its certificate callback no userdata; one connection
 * per process is all the tools need. */
static struct xt_conn *current;

/* Lists the names a certificate is for, to say why it does not match. */
static void
cert_names(const xmpp_tlscert_t *cert, char *buf, size_t len)
{
	X509 *x = xt_cert_from_pem(xmpp_tlscert_get_pem(cert));
	struct xt_cert_ids ids;

	if (!x) {
		snprintf(buf, len, "%s", xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT));
		return;
	}
	xt_cert_ids(x, &ids);
	xt_cert_names(&ids, buf, len);
	xt_cert_ids_free(&ids);
	X509_free(x);
}

/* Certificates that fail verification end the connection, unless
 * --insecure; the reason and fingerprint are kept for the message. */
static int
certfail(const xmpp_tlscert_t *cert, const char *errormsg)
{
	struct xt_conn *c = current;
	X509 *x;
	char names[160];

	if (!c || c->tls_why[0])
		return 0;
	if (c->acct->pin)
		return 1; /* the pinned key decides, after the handshake */
	/* the key's, as --pin and every other message show a fingerprint */
	x = xt_cert_from_pem(xmpp_tlscert_get_pem(cert));
	snprintf(c->tls_fp, sizeof c->tls_fp, "?");
	if (x)
		xt_cert_key_fingerprint(x, c->tls_fp);
	X509_free(x);
	if (errormsg && strstr(errormsg, "hostname")) {
		cert_names(cert, names, sizeof names);
		snprintf(c->tls_why, sizeof c->tls_why,
			 "certificate name mismatch: it is for %s, not %s", names, c->domain);
	} else {
		snprintf(c->tls_why, sizeof c->tls_why, "%s",
			 errormsg ? errormsg : "verification failed");
	}
	return 0;
}

static int
sockopt(xmpp_conn_t *xc, void *sockp)
{
	int fd = *(int *)sockp, one = 1;

	(void)xc;
	if (current)
		current->sock = fd;
	/* Nagle would hold each small stanza for the previous one's ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return 0;
}

/* A failure worth reconnecting after: the network, a timeout, a server
 * going down or restarting; not a refused login or certificate. */
static int
is_transient(const xmpp_stream_error_t *se, const struct xt_conn *c)
{
	if (c->error == XT_EAUTH || c->error == XT_ETLS || c->error == XT_EPROTOCOL)
		return 0;
	if (!se)
		return 1;
	switch (se->type) {
	case XMPP_SE_SYSTEM_SHUTDOWN:
	case XMPP_SE_CONN_TIMEOUT:
	case XMPP_SE_INTERNAL_SERVER_ERROR:
	case XMPP_SE_REMOTE_CONN_FAILED:
	case XMPP_SE_RESOURCE_CONSTRAINT:
		return 1;
	default:
		return 0;
	}
}

/* Why a session ended, as the log told it; libstrophe's own number only
 * when the log said nothing (it may be an errno or an SSL_get_error code:
 * shown as a number, not as strerror's guess). */
static const char *
loss(struct xt_conn *c, int error)
{
	if (!c->lost[0] && !error)
		note_loss(c, "the server ended the stream");
	else if (!c->lost[0])
		snprintf(c->lost, sizeof c->lost, "the connection failed (libstrophe error %d)",
			 error);
	return c->lost;
}

/* The TCP connection was up but the login did not finish. Nothing at all
 * came back to our stream header, or TLS failed on its first record: a
 * STARTTLS port taken for direct TLS, or the reverse, looks like that
 * (checked by mixup_check once libstrophe is done with the socket). */
static void
login_cut(struct xt_conn *c)
{
	/* a TLS alert from the server proves it speaks TLS there: a cipher or
	 * version it refused is no mix-up, and is not asked again */
	int alert = strstr(c->tls_reason, "alert") != NULL;

	c->mixup = c->acct->direct_tls ? c->tls_reason[0] && !alert && !c->rx_any
				       : !c->rx_any;
	if (!c->lost[0] || !strcmp(c->lost, "the server closed the connection"))
		xt_fail(c, XT_EUNAVAILABLE, "%s closed the connection during login", c->where);
	else
		xt_fail(c, XT_EUNAVAILABLE, "connection to %s failed during login: %s",
			c->where, c->lost);
}

static void
conn_event(xmpp_conn_t *xc, xmpp_conn_event_t ev, int error,
	   xmpp_stream_error_t *se, void *data)
{
	struct xt_conn *c = data;
	const char *where = c->where;

	(void)xc;
	error = xt_glue_conn_errno(error, c->sock_errno);
	if (ev == XMPP_CONN_CONNECT) {
		if (!c->sasl_ok) {
			/* our checks of the login never ran (a libstrophe that
			 * logs otherwise?): fail closed */
			refuse_login(c, XT_EAUTH, "the login to %s could not be checked (its "
				     "SASL exchange was not seen): refusing to go on", c->where);
			return;
		}
		c->state = XT_CONN_ONLINE;
		return;
	}
	c->sock = -1; /* closed by libstrophe: its number may be reused */
	if (c->state == XT_CONN_ONLINE && c->closing) {
		c->state = XT_CONN_CLOSED;
		return;
	}
	if (over_cap)
		return;
	c->retryable = c->tls_why[0] == 0 && is_transient(se, c);
	if (c->tls_why[0])
		xt_fail(c, XT_ETLS, "TLS: cannot trust %s: %s (its key is %s; "
			"use --cafile for a private CA)", c->domain, c->tls_why, c->tls_fp);
	else if (se && se->type == XMPP_SE_NOT_AUTHORIZED)
		xt_fail(c, XT_EAUTH, "not authorized: %s", se->text ? se->text : "stream error");
	else if (se)
		xt_fail(c, XT_EPROTOCOL, "the server closed the stream with an error%s%s",
			se->text ? ": " : "", se->text ? se->text : "");
	else if (error && c->state != XT_CONN_ONLINE && !c->tcp_up)
		xt_fail(c, error == ETIMEDOUT ? XT_ETIMEOUT : XT_EUNAVAILABLE,
			"cannot connect to %s: %s (check --server and that the server runs)",
			where, strerror(error));
	else if (c->state != XT_CONN_ONLINE)
		login_cut(c);
	else
		xt_fail(c, XT_EUNAVAILABLE, "connection to %s lost: %s", where, loss(c, error));
	c->state = XT_CONN_CLOSED;
}

/* XEP-0198 elements are not stanzas: the server does not count them. */
static void
send_nonza(struct xt_conn *c, const char *s)
{
	xmpp_send_raw_string(c->xc, "%s", s);
}

/* Asks the server to confirm all sent so far: <r/>, or a ping. */
static void
ask_ack(struct xt_conn *c)
{
	char id[32];
	xmpp_stanza_t *iq;

	if (c->sm_pending)
		return; /* open_session waits for the answer to <enable/> */
	c->asked_at = xt_now_ms();
	if (c->sm) {
		c->asked = c->sent;
		send_nonza(c, "<r xmlns='" NS_SM "'/>");
		return;
	}
	/* No XEP-0198: the server answers a ping after it handled everything
	 * sent before it. The id carries the count it confirms. */
	snprintf(id, sizeof id, "xt-ack-%lu", c->sent + 1);
	iq = xmpp_iq_new(c->ctx, "get", id);
	xmpp_stanza_set_to(iq, c->domain);
	xt_add_child_ns(iq, "ping", NS_PING);
	xmpp_send(c->xc, iq);
	xmpp_stanza_release(iq);
	c->sent++;
	c->asked = c->sent;
}

/* Asks for an ack once enough went out since the last request: ACK_BATCH,
 * or ACK_BATCH_SLOW while the server lags behind (see ACK_BATCH_SLOW). */
static void
ask_ack_in_batches(struct xt_conn *c)
{
	int behind = c->confirmed < c->asked && xt_now_ms() - c->asked_at > ACK_SLOW_MS;

	if (c->sent - c->asked >= (behind ? ACK_BATCH_SLOW : ACK_BATCH))
		xt_request_ack(c);
}

void
xt_request_ack(struct xt_conn *c)
{
	if (c->state == XT_CONN_ONLINE && c->asked != c->sent)
		ask_ack(c);
}

/* Gives up on a connection that stalled: a transient failure, as a cut. */
static void
drop(struct xt_conn *c)
{
	c->state = XT_CONN_CLOSED;
	c->retryable = 1;
	if (c->sock >= 0)
		shutdown(c->sock, SHUT_RDWR);
}

/* A server that stops answering would leave us waiting forever: after a
 * quiet while (--keepalive), ask it for an ack, and give up if none comes
 * within --connect-timeout. */
static void
keepalive(struct xt_conn *c)
{
	long now = xt_now_ms();

	if (c->state != XT_CONN_ONLINE)
		return;
	if (c->ka_sent && c->last_rx < c->ka_sent &&
	    now - c->ka_sent > c->acct->connect_timeout * 1000L) {
		xt_fail(c, XT_ETIMEOUT, "%s stopped answering (no reply in %ld s)",
			c->where, c->acct->connect_timeout);
		drop(c);
		return;
	}
	if (now - c->last_rx > c->acct->keepalive * 1000L &&
	    (!c->ka_sent || c->last_rx >= c->ka_sent)) {
		c->ka_sent = now;
		ask_ack(c);
	}
}

static void
confirm_upto(struct xt_conn *c, unsigned long count)
{
	if (count > c->sent)
		count = c->sent;
	if (count > c->confirmed) {
		c->confirmed = count;
		c->last_ack = xt_now_ms();
		xt_track_confirm(c, count);
	}
}

/* XEP-0198 elements: <enabled/>, <failed/>, <r/>, <a/>. */
static int
sm_handler(xmpp_conn_t *xc, xmpp_stanza_t *st, void *data)
{
	struct xt_conn *c = data;
	const char *name = xmpp_stanza_get_name(st), *h;
	char buf[80];

	(void)xc;
	c->last_rx = xt_now_ms();
	if (!strcmp(name, "enabled") && c->sm_pending) {
		/* the server counts from here: so do we (open_session sent
		 * nothing since <enable/>) */
		c->sm = c->sm_enabled = 1;
		c->sm_pending = 0;
	} else if (!strcmp(name, "failed")) {
		/* acks by ping round trips from now on */
		c->sm = c->sm_enabled = c->sm_pending = 0;
		c->asked = c->confirmed;
		xt_request_ack(c);
	} else if (!strcmp(name, "r")) {
		snprintf(buf, sizeof buf, "<a xmlns='" NS_SM "' h='%lu'/>", c->sm_in & 0xffffffffUL);
		send_nonza(c, buf);
	} else if (!strcmp(name, "a") && (h = xmpp_stanza_get_attribute(st, "h"))) {
		/* h counts modulo 2^32; our counters do not wrap in practice */
		unsigned long hv = strtoul(h, NULL, 10);
		unsigned long base = c->sent & ~0xffffffffUL;
		confirm_upto(c, base | hv);
	}
	return 1;
}

/* A stanza from our server itself: no from, our domain or our bare JID
 * (RFC 6120 8.1.2.1). Other users cannot send as any of those. */
static int
from_server(struct xt_conn *c, const char *from)
{
	char *own;
	int ours;

	if (!from || xt_jid_equal(from, c->domain))
		return 1;
	own = xt_jid_bare(c->acct->jid);
	ours = xt_jid_equal(from, own);
	free(own);
	return ours;
}

/* -v: what claimed to be what (id), from whom, not from whom it should. */
static void
warn_ignored(const char *what, const char *id, const char *from, const char *expected)
{
	char *f = xt_escaped(from), *i = xt_escaped(id);

	xt_warn("%s (id %s) from %s ignored: not from %s", what, i, f, expected);
	free(f);
	free(i);
}

/* The answer to a ping of ask_ack, "xt-ack-N": only the server's counts;
 * one from anybody else is an ordinary stanza from its sender. */
static int
is_ack(struct xt_conn *c, xmpp_stanza_t *st, const char *id)
{
	if (!id || strcmp(xmpp_stanza_get_name(st), "iq") || strncmp(id, "xt-ack-", 7))
		return 0;
	if (from_server(c, xmpp_stanza_get_from(st)))
		return 1;
	if (xt_verbose)
		warn_ignored("an ack", id, xmpp_stanza_get_from(st), "the server");
	return 0;
}

/* Every stanza: counted for XEP-0198, acks by ping, rooms answering our
 * messages, rejections of what we sent, then the tool's handler. */
static int
stanza_handler(xmpp_conn_t *xc, xmpp_stanza_t *st, void *data)
{
	struct xt_conn *c = data;
	const char *ns = xmpp_stanza_get_ns(st), *id, *type, *name;

	(void)xc;
	c->last_rx = xt_now_ms();
	if (ns && (!strcmp(ns, NS_SM) || !strcmp(ns, XMPP_NS_STREAMS)))
		return 1; /* not stanzas: a stream error is libstrophe's to report */
	if (c->sm && c->sm_enabled)
		c->sm_in++;
	id = xmpp_stanza_get_id(st);
	type = xmpp_stanza_get_type(st);
	name = xmpp_stanza_get_name(st);
	if (is_ack(c, st, id)) {
		confirm_upto(c, strtoul(id + 7, NULL, 10));
		return 1;
	}
	if (xt_muc_answer(c, st))
		return 1;
	if (id && type && !strcmp(type, "error") && xt_track_reject(c, id, xt_error_condition(st)))
		return 1;
	if (c->on_stanza && c->on_stanza(st, c->on_stanza_data))
		return 1;
	if (!strcmp(name, "iq"))
		xt_answer_iq(c, st);
	return 1;
}

static xmpp_log_t logger;

/* libstrophe does its TLS handshake and SCRAM's key derivation inside
 * xmpp_run_once, blocking: a server that stalls the handshake would hold
 * the login for ever, past every timer of ours. An alarm ends the process
 * then, with the message prepared when it was set. */
static char watchdog_msg[1024];

static void
watchdog_fire(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(2, watchdog_msg, strlen(watchdog_msg));
	(void)n;
	_exit(XT_ETIMEOUT);
}

static void
watchdog_set(struct xt_conn *c, long ms)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	const char *unconfirmed = xt_track_len(c) ? "; messages were not confirmed" : "";

	if (xt_cap_ms(ms) < ms)
		snprintf(watchdog_msg, sizeof watchdog_msg, "%s: the run's --timeout of "
			 "%ld s passed while logging in to %s (a stalled TLS handshake?)%s\n",
			 xt_progname, xt_deadline_seconds(), c->where, unconfirmed);
	else
		snprintf(watchdog_msg, sizeof watchdog_msg, "%s: no answer from %s within "
			 "%ld s while logging in (a stalled TLS handshake?)%s\n", xt_progname,
			 c->where, c->acct->connect_timeout, unconfirmed);
	ms = xt_cap_ms(ms) + 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = watchdog_fire;
	sigaction(SIGALRM, &sa, NULL);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
watchdog_clear(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
}

static int
wait_online(void *data)
{
	struct xt_conn *c = data;

	return c->state != XT_CONN_CONNECTING;
}

/* xmpp_connect_client found nothing to connect to: a name did not resolve
 * (libstrophe does not say which or why, so getaddrinfo is asked again).
 * Names the domain, not the JID, and what was looked up. */
static int
lookup_failed(struct xt_conn *c)
{
	struct xt_account *a = c->acct;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char host[sizeof c->tried];
	unsigned port;
	int err;

	if (tried_host(c, host, sizeof host, &port))
		snprintf(host, sizeof host, "%s", a->host ? a->host : c->domain);
	if ((err = getaddrinfo(host, NULL, &hints, &res)) == 0)
		freeaddrinfo(res);
	if (err == 0)
		return xt_fail(c, XT_EUNAVAILABLE, "cannot connect to %s: no socket "
			       "could be opened", host);
	if (a->host)
		return xt_fail(c, XT_EUNAVAILABLE, "cannot resolve the server %s: %s "
			       "(check --server or the config's server)", host,
			       gai_strerror(err));
	if (c->srv_missing || a->direct_tls)
		return xt_fail(c, XT_EUNAVAILABLE, "cannot find the server of %s: %sno "
			       "address for %s (%s) (check the domain, or give the server "
			       "with --server HOST[:PORT])", c->domain,
			       a->direct_tls ? "" : "no SRV record _xmpp-client._tcp and ",
			       host, gai_strerror(err));
	return xt_fail(c, XT_EUNAVAILABLE, "cannot find the server of %s: its SRV "
		       "record names %s, which has no address (%s) (fix the domain's "
		       "DNS, or give the server with --server HOST[:PORT])", c->domain,
		       host, gai_strerror(err));
}

/* The login was cut as a STARTTLS/direct TLS mix-up would cut it
 * (login_cut): a second connection asks the port what it speaks. The
 * answer replaces the message; it is no failure to retry. */
static void
mixup_check(struct xt_conn *c)
{
	struct xt_account *a = c->acct;
	long ms = a->connect_timeout < 5 ? a->connect_timeout * 1000L : 5000L;
	char host[sizeof c->tried];
	unsigned port;

	if (tried_host(c, host, sizeof host, &port))
		return;
	if (a->direct_tls && xt_port_speaks_xmpp(host, port, c->domain, ms))
		snprintf(c->why, sizeof c->why, "%s speaks STARTTLS (plain XMPP first), not "
			 "direct TLS: drop --direct-tls (or the config's direct-tls), or give "
			 "the server's direct TLS port", c->tried);
	else if (!a->direct_tls && xt_port_speaks_tls(host, port, c->domain, ms))
		snprintf(c->why, sizeof c->why, "%s speaks direct TLS, not STARTTLS: use "
			 "--direct-tls (or direct-tls = yes in the config)", c->tried);
	else
		return;
	c->error = XT_EUNAVAILABLE;
	c->retryable = 0;
}

static int
sm_answered(void *data)
{
	return !((struct xt_conn *)data)->sm_pending;
}

/* XEP-0198 counts the stanzas handled after <enable/>; some servers
 * (ejabberd) count none sent before they answered it, so nothing is sent
 * until <enabled/> or <failed/> came: the stanzas sent again after a
 * reconnection, like the first ones, are then counted alike on both sides.
 * libstrophe's own stream management (0.12 raises the connect event before
 * <enabled/>; 0.13+ after) is turned off on every version by
 * XMPP_CONN_FLAG_DISABLE_SM in open_session: this is the only one. */
static int
enable_sm(struct xt_conn *c)
{
	int rc;

	if (!c->sm_offered)
		return 0;
	send_nonza(c, "<enable xmlns='" NS_SM "'/>");
	c->sm_pending = 1;
	rc = xt_wait(c, sm_answered, c, c->acct->connect_timeout);
	if (rc == XT_ETIMEOUT && c->state == XT_CONN_ONLINE) {
		xt_fail(c, XT_ETIMEOUT, "%s did not answer <enable/> (stream management) "
			"within %ld s (try --connect-timeout)", c->where,
			c->acct->connect_timeout);
		drop(c);
	}
	return c->state == XT_CONN_ONLINE ? 0 : c->error ? c->error : XT_EUNAVAILABLE;
}

/* Starts a session on a new libstrophe connection: TLS, SASL, bind, then
 * XEP-0198 if offered. Returns 0, or an exit code with c->why set. */
static int
open_session(struct xt_conn *c)
{
	struct xt_account *a = c->acct;
	char *jid;
	int rc;

	c->xc = xmpp_conn_new(c->ctx);
	/* stream management is ours, on every libstrophe (enable_sm) */
	xmpp_conn_set_flags(c->xc, xt_glue_conn_flags(a->direct_tls, a->insecure));
	xmpp_conn_set_certfail_handler(c->xc, certfail);
	xmpp_conn_set_sockopt_callback(c->xc, sockopt);
	if (a->resource && !strchr(a->jid, '/')) {
		jid = xt_malloc(strlen(a->jid) + strlen(a->resource) + 2);
		sprintf(jid, "%s/%s", a->jid, a->resource);
	} else {
		jid = xt_strdup(a->jid);
	}
	xmpp_conn_set_jid(c->xc, jid);
	free(jid);
	xmpp_conn_set_pass(c->xc, a->password);
	xmpp_handler_add(c->xc, sm_handler, NS_SM, NULL, NULL, c);
	xmpp_handler_add(c->xc, stanza_handler, NULL, NULL, NULL, c);
	c->state = XT_CONN_CONNECTING;
	c->error = c->sock_errno = c->tcp_up = c->retryable = 0;
	c->why[0] = c->tls_why[0] = c->tls_reason[0] = c->lost[0] = c->tried[0] = '\0';
	c->ssl_failed = c->rx_any = c->srv_missing = c->mixup = 0;
	c->pin_checked = c->sasl_ok = c->plain_sent = 0;
	c->sm = c->sm_enabled = c->sm_offered = c->sm_pending = 0;
	c->sm_in = c->sent = c->confirmed = c->asked = 0;
	c->ka_sent = 0;
	c->sock = -1;
	if (xmpp_connect_client(c->xc, a->host, a->port, conn_event, c) != XMPP_EOK) {
		c->state = XT_CONN_CLOSED;
		return lookup_failed(c);
	}
	/* a moment past xt_wait's own deadline, which covers all else */
	watchdog_set(c, a->connect_timeout * 1000L);
	rc = xt_wait(c, wait_online, c, a->connect_timeout);
	watchdog_clear();
	xt_scram_reset(&c->scram);
	if (c->state != XT_CONN_ONLINE && c->mixup)
		mixup_check(c);
	if (rc == XT_ETIMEOUT && c->state == XT_CONN_CONNECTING) {
		xt_fail(c, XT_ETIMEOUT, "no answer from %s within %ld s while logging in "
			"(is it an XMPP server? try --connect-timeout)",
			c->where, a->connect_timeout);
		drop(c);
	}
	if (c->state != XT_CONN_ONLINE)
		return c->error ? c->error : XT_EUNAVAILABLE;
	/* libstrophe needs the password only to log in (XEP-0198 resumption
	 * is ours, not its); its copy goes, wiped by capped_free. A new
	 * session gets it again from a->password. */
	xmpp_conn_set_pass(c->xc, "");
	c->last_rx = c->last_ack = xt_now_ms();
	return enable_sm(c);
}

/* Lets libstrophe see a dead socket and frees its connection. */
static void
release_session(struct xt_conn *c)
{
	int i;

	if (!c->xc)
		return;
	if (c->sock >= 0)
		shutdown(c->sock, SHUT_RDWR);
	for (i = 0; i < 50 && xmpp_conn_is_connected(c->xc); i++)
		xmpp_run_once(c->ctx, 10);
	xmpp_conn_release(c->xc);
	c->xc = NULL;
	c->sock = -1;
}

int
xt_connect(struct xt_conn *c, struct xt_account *a)
{
	int rc;

	memset(c, 0, sizeof *c);
	c->acct = a;
	c->sock = -1;
	c->domain = xt_jid_domain(a->jid);
	if (a->host)
		snprintf(c->where, sizeof c->where, "%s:%u", a->host,
			 a->port ? a->port : a->direct_tls ? 5223 : 5222);
	else
		snprintf(c->where, sizeof c->where, "%s", c->domain);
	current = c;
	xt_glue_attach(c);
	xt_glue_init();
	logger.handler = log_handler;
	logger.userdata = c;
	c->ctx = xmpp_ctx_new(&capped_mem, &logger);
	if (a->insecure && !a->pin)
		xt_warn("--insecure: the server's certificate is NOT verified; "
			"anyone on the path can read the password and messages");
	if (xt_trust_set(a->cafile, a->capath, c->why, sizeof c->why)) {
		rc = xt_error(XT_ECONFIG, "%s", c->why);
		xt_close(c);
		return rc;
	}
	xt_tls_floor(a->tls_min);
	rc = open_session(c);
	if (rc && c->retryable && a->retry_for && !xt_stop)
		rc = xt_online(c) ? 0 : c->error;
	if (rc) {
		rc = xt_error(c->error ? c->error : XT_EUNAVAILABLE, "%s", c->why);
		xt_close(c);
		return rc;
	}
	/* the password is no longer needed, unless to log in again */
	if (a->password && !a->retry_for)
		explicit_bzero(a->password, strlen(a->password));
	return 0;
}

/* Sends a kept stanza again, as text: it was serialized once already. It
 * asks for acks in batches as xt_send does: a server that works
 * through the backlog slowly (ejabberd 23.01 archiving into mnesia, some
 * 100 stanzas a second) then shows its progress ack by ack, and
 * --confirm-timeout sees it. With one <r/> after all 2,048, the only answer
 * came after the whole backlog, later than --confirm-timeout: the
 * connection was dropped, everything sent again, forever. */
static void
resend_text(struct xt_conn *c, const char *text)
{
	xmpp_send_raw_string(c->xc, "%s", text);
	ask_ack_in_batches(c);
}

/* Sleeps ms, or less when a stop signal comes. */
static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!xt_stop && nanosleep(&ts, &ts) != 0)
		;
}

/* After a transient loss: new sessions, with backoff, until one is up or
 * --retry-for seconds passed since the loss. What the old session did not
 * get confirmed is sent again (the server may have had some of it: those
 * arrive twice, with the same origin-id). Returns 1 when online again. */
static int
recover(struct xt_conn *c)
{
	long backoff = BACKOFF_FIRST_MS, now = xt_now_ms(), limit = c->acct->retry_for;
	unsigned long n;
	char why[sizeof c->why];
	int code;

	if (!c->retryable || !limit || c->reconnecting || xt_stop || over_cap)
		return 0;
	if (xt_deadline_passed())
		return deadline_fail(c), 0;
	if (!c->down_since) {
		c->down_since = now;
		xt_warn("%s; reconnecting%s", c->why[0] ? c->why : "connection lost",
			limit > 0 ? "" : " until stopped");
	}
	c->reconnecting = 1;
	while (!xt_stop && !xt_deadline_passed() &&
	       (limit < 0 || now - c->down_since < limit * 1000L)) {
		nap(xt_cap_ms(backoff + rand() % (backoff / 2 + 1)));
		if (xt_deadline_passed())
			break;
		release_session(c);
		if (open_session(c) == 0) {
			n = xt_track_resend(c, resend_text);
			c->resent += n;
			c->reconnects++;
			c->down_since = 0;
			if (c->on_reconnect && (code = c->on_reconnect(c, c->on_reconnect_data)) &&
			    c->state == XT_CONN_ONLINE) {
				/* it recorded why (or printed it): one message says both */
				snprintf(why, sizeof why, "%s", c->error ? c->why : "");
				c->error = 0;
				xt_fail(c, code, "reconnected to %s, but could not set the session "
					"up again%s%s", c->where, why[0] ? ": " : "", why);
				c->reconnecting = 0;
				return 0;
			}
			if (c->state == XT_CONN_ONLINE) {
				c->reconnecting = 0;
				xt_request_ack(c);
				xt_warn("reconnected to %s; %lu unconfirmed stanza(s) sent again",
					c->where, n);
				return 1;
			}
			c->down_since = xt_now_ms();
		}
		if (!c->retryable)
			break;
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		now = xt_now_ms();
	}
	c->reconnecting = 0;
	snprintf(why, sizeof why, "%s", c->why);
	code = c->error && !c->retryable ? c->error : XT_EUNAVAILABLE;
	c->error = 0;
	if (xt_stop)
		xt_fail(c, code, "%s; stopped while reconnecting", why);
	else if (xt_deadline_passed())
		xt_fail(c, XT_ETIMEOUT, "%s; the run's --timeout of %ld s passed while "
			"reconnecting", why, xt_deadline_seconds());
	else if (c->retryable)
		xt_fail(c, code, "%s; gave up reconnecting after %ld s", why, limit);
	else
		xt_fail(c, code, "%s", why);
	return 0;
}

int
xt_online(struct xt_conn *c)
{
	return c->state == XT_CONN_ONLINE || recover(c);
}

int
xt_login(struct xt_conn *c, struct xt_account *a)
{
	int rc = xt_account_resolve(a);

	if (rc == 0)
		rc = xt_connect(c, a);
	if (rc)
		xt_account_free(a);
	return rc;
}

void
xt_run(struct xt_conn *c, int ms)
{
	pump(c, (unsigned long)ms);
}

/* Runs the loop until done, the connection fails for good, or ms passed;
 * by_deadline: and never past the run's --timeout. */
static int
wait_until(struct xt_conn *c, int (*done)(void *), void *data, long ms, int by_deadline)
{
	long end = xt_now_ms() + (by_deadline ? xt_cap_ms(ms) : ms);

	while (!done(data)) {
		long left = end - xt_now_ms();
		if (c->state == XT_CONN_CLOSED && !recover(c))
			return c->error ? c->error : XT_EUNAVAILABLE;
		if (left <= 0 && by_deadline && xt_deadline_passed())
			deadline_fail(c);
		if (left <= 0)
			return XT_ETIMEOUT;
		keepalive(c);
		pump(c, left > 100 ? 100 : (unsigned long)left);
	}
	return 0;
}

int
xt_wait(struct xt_conn *c, int (*done)(void *), void *data, long timeout)
{
	return wait_until(c, done, data, timeout * 1000L, 1);
}

/* Waits for done as long as the server keeps confirming: XT_ETIMEOUT once
 * it confirmed nothing for --confirm-timeout, or at the run's deadline. */
static int
wait_acks(struct xt_conn *c, int (*done)(void *), void *data)
{
	long quiet = c->acct->confirm_timeout * 1000L, since = xt_now_ms(), left;
	int rc;

	for (;;) {
		left = (c->last_ack > since ? c->last_ack : since) + quiet - xt_now_ms();
		if (left <= 0)
			return XT_ETIMEOUT;
		rc = wait_until(c, done, data, left, 1);
		if (rc != XT_ETIMEOUT || xt_deadline_passed())
			return rc;
	}
}

int
xt_time_up(const struct xt_conn *c, int rc)
{
	return rc == XT_ETIMEOUT && c->state == XT_CONN_ONLINE;
}

static int
window_open(void *data)
{
	struct xt_conn *c = data;

	return c->sent - c->confirmed < XT_WINDOW;
}

/* Waits until the stanza may go out: the connection up (again), fewer than
 * XT_WINDOW unconfirmed, and libstrophe's queue short. */
static int
ready_to_send(struct xt_conn *c)
{
	int rc;

	for (;;) {
		if (!xt_online(c))
			return c->error ? c->error : XT_EUNAVAILABLE;
		if (!window_open(c)) {
			/* bound what waits unconfirmed: memory stays flat */
			xt_request_ack(c);
			rc = wait_acks(c, window_open, c);
			if (rc == XT_ETIMEOUT && !xt_deadline_passed()) {
				xt_fail(c, XT_ETIMEOUT, "%s confirmed nothing for %ld s "
					"(--confirm-timeout)", c->where, c->acct->confirm_timeout);
				drop(c);
				continue;
			}
			if (rc)
				return rc;
		}
		/* a slow reader must not make us queue the whole input */
		while (xmpp_conn_send_queue_len(c->xc) > MAX_UNWRITTEN &&
		       c->state == XT_CONN_ONLINE)
			xt_poll_fd(c, -1, 100);
		if (c->state == XT_CONN_ONLINE && window_open(c))
			return 0;
	}
}

/* Returns 1 if the stanza goes to another domain than the account's. */
static int
is_remote(struct xt_conn *c, xmpp_stanza_t *st)
{
	const char *to = xmpp_stanza_get_to(st);
	char *domain;
	int remote;

	if (!to)
		return 0;
	domain = xt_jid_domain(to);
	remote = !xt_jid_equal(domain, c->domain);
	free(domain);
	return remote;
}

/* Remembers a sent stanza until the server confirms it. */
static void
track(struct xt_conn *c, xmpp_stanza_t *st, const char *label)
{
	char *text = NULL;
	size_t len;
	/* a room message is confirmed by the room's reflection: no bounce
	 * comes later, whatever the room's domain */
	int remote = !xt_muc_await(c, st, label) && is_remote(c, st);

	/* kept as text only when it may have to go out again */
	if (c->acct->retry_for && xmpp_stanza_to_text(st, &text, &len) != XMPP_EOK)
		text = NULL;
	if (remote)
		c->remote_sent++;
	xt_track_push(c, c->sent, xmpp_stanza_get_id(st), label, text, remote);
	if (text)
		xmpp_free(c->ctx, text);
}

int
xt_send(struct xt_conn *c, xmpp_stanza_t *st, const char *label)
{
	int rc;

	if ((rc = xt_muc_window(c)) || (rc = ready_to_send(c)))
		return rc;
	xmpp_send(c->xc, st);
	c->sent++;
	if (label)
		track(c, st, label);
	ask_ack_in_batches(c);
	return 0;
}

static int
all_confirmed(void *data)
{
	struct xt_conn *c = data;

	/* stanzas sent while waiting (answers to the server's IQs) need an
	 * ack of their own once the last request is answered */
	if (c->confirmed >= c->asked)
		xt_request_ack(c);
	return c->confirmed >= c->sent;
}

int
xt_confirm_all(struct xt_conn *c)
{
	int rc, rejected;

	xt_request_ack(c);
	rc = wait_acks(c, all_confirmed, c);
	rejected = xt_track_report(c);
	if (c->resent)
		xt_warn("%lu stanza(s) were sent again after reconnecting; the server may "
			"have had some already: duplicates carry the same origin-id", c->resent);
	if (xt_time_up(c, rc) && xt_deadline_passed())
		return xt_error(XT_EPARTIAL, "%s: %zu stanza(s) not confirmed", c->why,
				xt_track_len(c));
	if (xt_time_up(c, rc))
		return xt_error(XT_EPARTIAL, "the server confirmed nothing for %ld s "
				"(--confirm-timeout): %zu stanza(s) not confirmed",
				c->acct->confirm_timeout, xt_track_len(c));
	/* a server that stalled is a timeout; anything else lost is partial */
	if (rc)
		return xt_error(rc == XT_ETIMEOUT ? XT_ETIMEOUT : XT_EPARTIAL,
				"%s; %zu stanza(s) not confirmed", c->why, xt_track_len(c));
	return rejected ? XT_EPARTIAL : 0;
}

static void round_trip(struct xt_conn *c, long ms);

int
xt_await_bounces(struct xt_conn *c, long ms)
{
	unsigned long before = xt_track_rejected(c);
	long deadline;

	/* a bounce from our own server comes before its ack on Prosody;
	 * ejabberd acks a stanza as it takes it and routes it afterwards, so
	 * its bounce may follow the ack: one round trip to the server comes
	 * back behind it. Another domain's bounce comes later still, once its
	 * server gave up. */
	round_trip(c, ms);
	deadline = xt_now_ms() + ms;
	while (c->remote_sent > xt_track_rejected(c) && c->state == XT_CONN_ONLINE &&
	       xt_now_ms() < deadline && !xt_stop)
		pump(c, 50);
	return xt_track_rejected(c) > before ? XT_EPARTIAL : 0;
}

static int
closed(void *data)
{
	struct xt_conn *c = data;

	return c->state == XT_CONN_CLOSED;
}

void
xt_close(struct xt_conn *c)
{
	if (c->state == XT_CONN_ONLINE) {
		c->closing = 1;
		xmpp_disconnect(c->xc);
		/* a clean close, even past the deadline: it is short */
		wait_until(c, closed, c, 2000, 0);
	}
	xt_track_free(c);
	xt_muc_free(c);
	release_session(c);
	if (c->ctx) {
		xmpp_ctx_free(c->ctx);
		xmpp_shutdown();
	}
	free(c->domain);
	c->domain = NULL;
	current = NULL;
	xt_glue_attach(NULL);
	c->xc = NULL;
	c->ctx = NULL;
}

char *
xt_new_id(struct xt_conn *c)
{
	return xmpp_uuid_gen(c->ctx);
}

struct iq_wait {
	struct xt_conn *c;
	char *id;
	const char *to;   /* whom we asked; NULL: our server */
	xmpp_stanza_t *answer;
};

/* An answer comes from whom we asked, or from our server (for itself, or
 * for an entity that cannot answer); anybody else who guessed the id is
 * not heard, and we wait on for the real answer. */
static int
iq_answer(xmpp_conn_t *xc, xmpp_stanza_t *st, void *data)
{
	struct iq_wait *w = data;
	const char *from = xmpp_stanza_get_from(st), *type = xmpp_stanza_get_type(st);

	(void)xc;
	if (!type || (strcmp(type, "result") && strcmp(type, "error")))
		return 1;
	if (!from_server(w->c, from) && !(from && w->to && xt_jid_equal(from, w->to))) {
		if (xt_verbose)
			warn_ignored("an answer", w->id, from, w->to ? w->to : "the server");
		return 1;
	}
	w->answer = xmpp_stanza_clone(st);
	return 0;
}

static int
iq_answered(void *data)
{
	return ((struct iq_wait *)data)->answer != NULL;
}

xmpp_stanza_t *
xt_iq(struct xt_conn *c, xmpp_stanza_t *iq, long timeout)
{
	struct iq_wait w = { 0 };
	int rc;

	if (!xmpp_stanza_get_id(iq)) {
		char *id = xt_new_id(c);
		xmpp_stanza_set_id(iq, id);
		xmpp_free(c->ctx, id);
	}
	w.c = c;
	w.id = xt_strdup(xmpp_stanza_get_id(iq));
	w.to = xmpp_stanza_get_to(iq);
	xmpp_id_handler_add(c->xc, iq_answer, w.id, &w);
	xmpp_send(c->xc, iq);
	c->sent++;
	rc = xt_wait(c, iq_answered, &w, timeout);
	if (!w.answer) {
		xmpp_id_handler_delete(c->xc, iq_answer, w.id);
		xt_fail(c, rc == XT_ETIMEOUT ? XT_ETIMEOUT : rc,
			"no answer to a request within %ld s", timeout);
	}
	free(w.id);
	return w.answer;
}

/* One ping to our server, waited for ms at most (by the run's deadline):
 * its answer comes after everything the server routed to us before it. No
 * answer is no failure: the ping only gives bounces time to come. */
static void
round_trip(struct xt_conn *c, long ms)
{
	struct iq_wait w = { 0 };
	xmpp_stanza_t *iq;

	if (ms <= 0 || c->state != XT_CONN_ONLINE)
		return;
	w.c = c;
	w.id = xt_new_id(c);
	iq = xmpp_iq_new(c->ctx, "get", w.id);
	xmpp_stanza_set_to(iq, c->domain);
	xt_add_child_ns(iq, "ping", NS_PING);
	xmpp_id_handler_add(c->xc, iq_answer, w.id, &w);
	xmpp_send(c->xc, iq);
	xmpp_stanza_release(iq);
	c->sent++;
	wait_until(c, iq_answered, &w, ms, 1);
	if (w.answer)
		xmpp_stanza_release(w.answer);
	else
		xmpp_id_handler_delete(c->xc, iq_answer, w.id);
	xmpp_free(c->ctx, w.id);
}

const char *
xt_error_condition(xmpp_stanza_t *st)
{
	xmpp_stanza_t *err = xmpp_stanza_get_child_by_name(st, "error"), *ch;

	if (!err)
		return "undefined-condition";
	for (ch = xmpp_stanza_get_children(err); ch; ch = xmpp_stanza_get_next(ch)) {
		const char *ns = xmpp_stanza_get_ns(ch);
		if (ns && !strcmp(ns, NS_STANZAS) && strcmp(xmpp_stanza_get_name(ch), "text"))
			return xmpp_stanza_get_name(ch);
	}
	return "undefined-condition";
}

const char *
xt_error_text(xmpp_stanza_t *st)
{
	xmpp_stanza_t *err = xmpp_stanza_get_child_by_name(st, "error"), *t;
	const char *text;

	t = err ? xmpp_stanza_get_child_by_name_and_ns(err, "text", NS_STANZAS) : NULL;
	t = t ? xmpp_stanza_get_children(t) : NULL;
	text = t && xmpp_stanza_is_text(t) ? xmpp_stanza_get_text_ptr(t) : NULL;
	return text && *text ? text : NULL;
}

static void
answer_disco(struct xt_conn *c, xmpp_stanza_t *reply)
{
	static const char *const features[] = {
		NS_DISCO_INFO, NS_PING, "urn:xmpp:receipts", "jabber:x:oob",
		"urn:xmpp:sid:0", NULL,
	};
	xmpp_stanza_t *q = xt_add_child_ns(reply, "query", NS_DISCO_INFO), *e;
	const char *const *f;

	e = xt_add_child_ns(q, "identity", NULL);
	xmpp_stanza_set_attribute(e, "category", "client");
	xmpp_stanza_set_attribute(e, "type", "console");
	xmpp_stanza_set_attribute(e, "name", xt_progname);
	for (f = features; *f; f++) {
		e = xt_add_child_ns(q, "feature", NULL);
		xmpp_stanza_set_attribute(e, "var", *f);
	}
	(void)c;
}

xmpp_stanza_t *
xt_iq_result(struct xt_conn *c, xmpp_stanza_t *st)
{
	/* not xmpp_stanza_reply: it gives NULL for a stanza without 'from' */
	xmpp_stanza_t *r = xmpp_iq_new(c->ctx, "result", xmpp_stanza_get_id(st));

	if (xmpp_stanza_get_from(st))
		xmpp_stanza_set_to(r, xmpp_stanza_get_from(st));
	return r;
}

int
xt_answer_iq(struct xt_conn *c, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st);
	xmpp_stanza_t *reply;

	if (!type || (strcmp(type, "get") && strcmp(type, "set")))
		return 0;
	if (!strcmp(type, "get") && xmpp_stanza_get_child_by_ns(st, NS_PING)) {
		reply = xt_iq_result(c, st);
	} else if (xt_is_roster_push(c, st)) {
		/* RFC 6121 2.1.6: a client acknowledges every roster push */
		reply = xt_iq_result(c, st);
	} else if (!strcmp(type, "get") && xmpp_stanza_get_child_by_ns(st, NS_DISCO_INFO)) {
		reply = xt_iq_result(c, st);
		answer_disco(c, reply);
	} else {
		/* RFC 6120 8.2.3: an IQ nobody handles gets an error */
		reply = xmpp_stanza_reply_error(st, "cancel", "service-unavailable", NULL);
	}
	xmpp_send(c->xc, reply);
	c->sent++;
	xmpp_stanza_release(reply);
	return 1;
}

int
xt_poll_fd(struct xt_conn *c, int fd, int ms)
{
	struct pollfd p[2];
	int i, n;

	/* send what is queued and take what TLS already decrypted */
	keepalive(c);
	pump(c, 0);
	if (c->state != XT_CONN_ONLINE || (fd < 0 && xmpp_conn_send_queue_len(c->xc) == 0))
		return 0;
	p[0].fd = fd;
	p[0].events = POLLIN;
	p[1].fd = c->sock;
	p[1].events = POLLIN | (xmpp_conn_send_queue_len(c->xc) > 0 ? POLLOUT : 0);
	p[0].revents = p[1].revents = 0;
	/* TLS may hold decrypted bytes poll cannot see: never sleep long */
	n = poll(p, 2, ms > 100 || ms < 0 ? 100 : ms);
	if (n > 0 && p[1].revents)
		for (i = 0; i < 8 && c->state == XT_CONN_ONLINE; i++)
			pump(c, 0);
	return n > 0 && p[0].revents != 0;
}

int
xt_is_roster_push(struct xt_conn *c, xmpp_stanza_t *st)
{
	const char *type = xmpp_stanza_get_type(st), *from = xmpp_stanza_get_from(st);
	char *bare;
	int ours;

	if (strcmp(xmpp_stanza_get_name(st), "iq") || !type || strcmp(type, "set") ||
	    !xmpp_stanza_get_child_by_ns(st, "jabber:iq:roster"))
		return 0;
	if (!from)
		return 1;
	/* pushes from anyone but our own server side are spoofs */
	bare = xt_jid_bare(c->acct->jid);
	ours = xt_jid_equal(from, bare);
	free(bare);
	return ours;
}
