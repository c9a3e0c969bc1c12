/* s2s.c - a server-to-server stream (RFC 6120) as a peer server opens it,
 * over a plain socket and OpenSSL, read with expat. libstrophe speaks only
 * the client protocol. Every wait has a deadline, and what the server may
 * send is bounded in size and depth. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <expat.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "xt.h"

#define NS_STREAM "http://etherx.jabber.org/streams"
#define NS_STREAMS "urn:ietf:params:xml:ns:xmpp-streams"
#define NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define NS_DIALBACK_FEATURE "urn:xmpp:features:dialback"
/* Stream features and the odd error are a few KiB; a server sending more
 * before we get anywhere is broken or hostile. */
#define MAX_BYTES (256 * 1024)
#define MAX_DEPTH 16

static int __attribute__((format(printf, 2, 3)))
fail(struct xt_s2s *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* expat reports names as "namespace|local" */
static int
is(const char *name, const char *ns, const char *local)
{
	size_t n = strlen(ns);

	return !strncmp(name, ns, n) && name[n] == '|' && !strcmp(name + n + 1, local);
}

static const char *
local_name(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

static void
copy_attr(const char **attrs, const char *want, char *out, size_t len)
{
	for (; attrs[0]; attrs += 2)
		if (!strcmp(attrs[0], want))
			snprintf(out, len, "%s", attrs[1]);
}

static void
stream_start(struct xt_s2s *s, const char *name, const char **attrs)
{
	if (!is(name, NS_STREAM, "stream")) {
		s->bad = 1;
		return;
	}
	s->header = 1;
	copy_attr(attrs, "id", s->stream_id, sizeof s->stream_id);
	copy_attr(attrs, "from", s->stream_from, sizeof s->stream_from);
	copy_attr(attrs, "version", s->stream_version, sizeof s->stream_version);
}

static void
top_start(struct xt_s2s *s, const char *name)
{
	snprintf(s->current, sizeof s->current, "%s", local_name(name));
	if (is(name, NS_STREAM, "features")) {
		s->starttls = s->starttls_required = s->dialback = 0;
		s->sasl = 0;
		s->mechs[0] = '\0';
	}
}

static void
child_start(struct xt_s2s *s, const char *name)
{
	const char *top = s->current;

	if (!strcmp(top, "features")) {
		if (is(name, NS_TLS, "starttls"))
			s->starttls = 1;
		else if (is(name, NS_DIALBACK_FEATURE, "dialback"))
			s->dialback = 1;
		else if (is(name, NS_SASL, "mechanisms"))
			s->sasl = 1;
	} else if ((!strcmp(top, "error") && strstr(name, NS_STREAMS "|")) ||
		   !strcmp(top, "failure")) {
		if (!strcmp(local_name(name), "text"))
			s->collect = s->error_text, s->collect_len = sizeof s->error_text;
		else if (!s->condition[0])
			snprintf(s->condition, sizeof s->condition, "%s", local_name(name));
	}
}

static void XMLCALL
on_start(void *data, const char *name, const char **attrs)
{
	struct xt_s2s *s = data;

	if (++s->depth > MAX_DEPTH) {
		s->bad = 1;
		return;
	}
	if (s->depth == 1)
		stream_start(s, name, attrs);
	else if (s->depth == 2)
		top_start(s, name);
	else if (s->depth == 3)
		child_start(s, name);
	else if (s->depth == 4 && !strcmp(s->current, "features")) {
		if (is(name, NS_TLS, "required"))
			s->starttls_required = 1;
		else if (is(name, NS_SASL, "mechanism") &&
			 strlen(s->mechs) + 2 < sizeof s->mechs) {
			if (s->mechs[0])
				strcat(s->mechs, " ");
			s->collect = s->mechs + strlen(s->mechs);
			s->collect_len = sizeof s->mechs - strlen(s->mechs);
		}
	}
}

static void XMLCALL
on_end(void *data, const char *name)
{
	struct xt_s2s *s = data;

	(void)name;
	s->collect = NULL;
	if (--s->depth == 1) {
		/* a top-level element is complete */
		snprintf(s->got, sizeof s->got, "%s", s->current);
		s->ngot++;
		s->features_seen |= !strcmp(s->got, "features");
	} else if (s->depth == 0) {
		s->closed = 1;
	}
}

static void XMLCALL
on_text(void *data, const char *text, int len)
{
	struct xt_s2s *s = data;
	size_t have;

	if (!s->collect || len <= 0)
		return;
	have = strlen(s->collect);
	if (have + (size_t)len < s->collect_len) {
		int i;
		/* what the server says goes into one-line reports */
		for (i = 0; i < len; i++)
			s->collect[have + (size_t)i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
		s->collect[have + (size_t)len] = '\0';
	}
}

static void
new_parser(struct xt_s2s *s)
{
	if (s->xp)
		XML_ParserReset(s->xp, NULL);
	else
		s->xp = XML_ParserCreateNS(NULL, '|');
	XML_SetUserData(s->xp, s);
	XML_SetElementHandler(s->xp, on_start, on_end);
	XML_SetCharacterDataHandler(s->xp, on_text);
	s->depth = s->header = s->closed = 0;
	s->got[0] = s->current[0] = '\0';
}

void
xt_s2s_init(struct xt_s2s *s, const char *to, const char *from,
	    long timeout_ms, const char *label)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->to = to;
	s->from = from;
	s->timeout_ms = timeout_ms;
	s->label = label;
}

void
xt_s2s_free(struct xt_s2s *s)
{
	if (s->ssl) {
		SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->xp)
		XML_ParserFree(s->xp);
	s->ssl = NULL;
	s->xp = NULL;
	s->fd = -1;
}

/* Waits until fd is ready for events or the deadline; 1, 0 timeout, -1. */
static int
ready(int fd, short events, long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long left;
	int n;

	for (;;) {
		if ((left = deadline - xt_now_ms()) <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

int
xt_s2s_connect(struct xt_s2s *s, const struct sockaddr *sa, socklen_t salen,
	       double *ms)
{
	struct timespec t0;
	long deadline = xt_now_ms() + s->timeout_ms;
	int one = 1, err = 0, r;
	socklen_t elen = sizeof err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return fail(s, "socket: %s", strerror(errno));
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s->fd, sa, salen) < 0 && errno != EINPROGRESS)
		return fail(s, "%s", strerror(errno));
	r = ready(s->fd, POLLOUT, deadline);
	if (r == 0) {
		s->timed_out = 1;
		snprintf(s->why, sizeof s->why, "no answer to the TCP connection within %ld s",
			 s->timeout_ms / 1000);
		return -1;
	}
	if (r < 0 || getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		return fail(s, "%s", strerror(errno));
	if (err)
		return fail(s, "%s", strerror(err));
	*ms = xt_elapsed_ms(&t0);
	return 0;
}

static void
trace(struct xt_s2s *s, const char *dir, const char *buf, size_t len)
{
	if (xt_verbose)
		fprintf(stderr, "%s %s %.*s\n", s->label ? s->label : "", dir,
			(int)len, buf);
}

/* Performs one SSL or socket I/O step, waiting for readiness as OpenSSL
 * asks; returns bytes, 0 at EOF, -1 on error, -2 on timeout. */
static int
io(struct xt_s2s *s, char *buf, size_t len, int writing, long deadline)
{
	int n, e, r;

	for (;;) {
		if (!s->ssl) {
			n = writing ? (int)send(s->fd, buf, len, MSG_NOSIGNAL)
				    : (int)recv(s->fd, buf, len, 0);
			if (n >= 0)
				return n;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			e = writing ? POLLOUT : POLLIN;
		} else {
			ERR_clear_error();
			n = writing ? SSL_write(s->ssl, buf, (int)len)
				    : SSL_read(s->ssl, buf, (int)len);
			if (n > 0)
				return n;
			e = SSL_get_error(s->ssl, n);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e == SSL_ERROR_WANT_READ)
				e = POLLIN;
			else if (e == SSL_ERROR_WANT_WRITE)
				e = POLLOUT;
			else if (e == SSL_ERROR_SYSCALL && n == 0)
				return 0;
			else
				return -1;
		}
		if ((r = ready(s->fd, (short)e, deadline)) <= 0)
			return r == 0 ? -2 : -1;
	}
}

int
xt_s2s_write(struct xt_s2s *s, const char *xml)
{
	size_t len = strlen(xml), off = 0;
	long deadline = xt_now_ms() + s->timeout_ms;
	int n;

	trace(s, ">", xml, len);
	while (off < len) {
		n = io(s, (char *)xml + off, len - off, 1, deadline);
		if (n == -2) {
			s->timed_out = 1;
			return fail(s, "%s", "the server did not read what we sent");
		}
		if (n <= 0)
			return fail(s, "sending failed: %s", n == 0 ? "connection closed" : strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

/* Reads until want(s) holds; -1 with s->why on EOF, error, timeout, a
 * stream error, or too much input. */
static int
read_until(struct xt_s2s *s, int (*want)(const struct xt_s2s *), const char *what)
{
	long deadline = xt_now_ms() + s->timeout_ms;
	char buf[4096];
	int n;

	while (!want(s)) {
		if (!strcmp(s->got, "error") && s->condition[0])
			return fail(s, "stream error: %s%s%s%s", s->condition,
				    s->error_text[0] ? " (" : "", s->error_text,
				    s->error_text[0] ? ")" : "");
		if (s->closed)
			return fail(s, "the server closed the stream while we waited for %s", what);
		n = io(s, buf, sizeof buf, 0, deadline);
		if (n == -2) {
			s->timed_out = 1;
			snprintf(s->why, sizeof s->why, "no %s within %ld s", what, s->timeout_ms / 1000);
			return -1;
		}
		if (n == 0)
			return fail(s, "the server closed the connection while we waited for %s", what);
		if (n < 0)
			return fail(s, "reading failed while we waited for %s", what);
		trace(s, "<", buf, (size_t)n);
		s->bytes_in += (size_t)n;
		if (s->bytes_in > MAX_BYTES)
			return fail(s, "the server sent over %d bytes without finishing", MAX_BYTES);
		if (XML_Parse(s->xp, buf, n, 0) == XML_STATUS_ERROR)
			return fail(s, "the server sent malformed XML: %s",
				    XML_ErrorString(XML_GetErrorCode(s->xp)));
		if (s->bad)
			return fail(s, "%s", "the server's stream is not an XMPP stream (or nests too deep)");
	}
	return 0;
}

static int
got_features(const struct xt_s2s *s)
{
	return !strcmp(s->got, "features");
}

int
xt_s2s_open(struct xt_s2s *s)
{
	char hdr[700];

	new_parser(s);
	s->ngot = 0;
	s->features_seen = 0;
	snprintf(hdr, sizeof hdr,
		 "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
		 "xmlns:stream='" NS_STREAM "' xmlns:db='jabber:server:dialback' "
		 "to='%s'%s%s%s version='1.0'>",
		 s->to, s->from ? " from='" : "", s->from ? s->from : "", s->from ? "'" : "");
	if (xt_s2s_write(s, hdr))
		return -1;
	if (read_until(s, got_features, "stream features")) {
		if (!s->header && !s->timed_out && !s->condition[0])
			snprintf(s->why + strlen(s->why), sizeof s->why - strlen(s->why),
				 " (no XMPP stream header came back)");
		return -1;
	}
	return 0;
}

static int
got_tls_answer(const struct xt_s2s *s)
{
	return !strcmp(s->got, "proceed") || !strcmp(s->got, "failure");
}

int
xt_s2s_handshake(struct xt_s2s *s, SSL_CTX *ctx, const char *sni,
		 const char *alpn, double *ms)
{
	long deadline = xt_now_ms() + s->timeout_ms;
	unsigned char proto[64];
	struct timespec t0;
	int n, e, r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!(s->ssl = SSL_new(ctx)))
		return fail(s, "%s", "cannot create a TLS session");
	SSL_set_fd(s->ssl, s->fd);
	SSL_set_tlsext_host_name(s->ssl, sni);
	if (alpn && strlen(alpn) < sizeof proto - 1) {
		proto[0] = (unsigned char)strlen(alpn);
		memcpy(proto + 1, alpn, proto[0]);
		SSL_set_alpn_protos(s->ssl, proto, proto[0] + 1U);
	}
	for (;;) {
		ERR_clear_error();
		if ((n = SSL_connect(s->ssl)) == 1)
			break;
		e = SSL_get_error(s->ssl, n);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			unsigned long err = ERR_peek_last_error();
			return fail(s, "TLS handshake failed: %s",
				    err ? ERR_reason_error_string(err) : "the connection was closed");
		}
		r = ready(s->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
		if (r <= 0) {
			s->timed_out = r == 0;
			snprintf(s->why, sizeof s->why, "TLS handshake: no answer within %ld s",
				 s->timeout_ms / 1000);
			return -1;
		}
	}
	*ms = xt_elapsed_ms(&t0);
	return 0;
}

int
xt_s2s_starttls(struct xt_s2s *s, SSL_CTX *ctx, const char *sni, double *ms)
{
	if (xt_s2s_write(s, "<starttls xmlns='" NS_TLS "'/>") ||
	    read_until(s, got_tls_answer, "an answer to STARTTLS"))
		return -1;
	if (!strcmp(s->got, "failure"))
		return fail(s, "%s", "the server answered STARTTLS with <failure/>");
	return xt_s2s_handshake(s, ctx, sni, NULL, ms);
}

static int
got_sasl_answer(const struct xt_s2s *s)
{
	return !strcmp(s->got, "success") || !strcmp(s->got, "failure");
}

int
xt_s2s_auth_external(struct xt_s2s *s)
{
	char xml[700];
	unsigned char b64[400];

	EVP_EncodeBlock(b64, (const unsigned char *)s->from,
			(int)strnlen(s->from, 250));
	snprintf(xml, sizeof xml, "<auth xmlns='" NS_SASL "' mechanism='EXTERNAL'>%s</auth>", b64);
	s->condition[0] = '\0';
	if (xt_s2s_write(s, xml) || read_until(s, got_sasl_answer, "an answer to SASL EXTERNAL"))
		return -1;
	return !strcmp(s->got, "success") ? 0 : 1;
}

void
xt_s2s_close(struct xt_s2s *s)
{
	if (s->fd >= 0 && !s->closed) {
		long keep = s->timeout_ms;
		/* a polite end, but nobody waits long for it */
		s->timeout_ms = 1000;
		xt_s2s_write(s, "</stream:stream>");
		s->timeout_ms = keep;
	}
	xt_s2s_free(s);
}
