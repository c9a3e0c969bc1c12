/* upload.c - HTTP File Upload (XEP-0363): find the service, get a slot,
 * stream the file with libcurl, encrypted on the fly if asked (XEP-0454) */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xt.h"

#define NS_UPLOAD "urn:xmpp:http:upload:0"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define TAG_LEN 16
/* TLS records of at most this much body; see small_records */
#define RECORD_MAX 8192

xmpp_stanza_t *
xt_disco(struct xt_conn *c, const char *to, const char *ns)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "get", NULL), *ans;

	xmpp_stanza_set_to(iq, to);
	xt_add_child_ns(iq, "query", ns);
	ans = xt_iq(c, iq, c->acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (ans && !strcmp(xmpp_stanza_get_type(ans), "error")) {
		xmpp_stanza_release(ans);
		return NULL;
	}
	return ans;
}

/* The max-file-size field of the service's disco#info form, or 0. */
static unsigned long long
max_size(xmpp_stanza_t *query)
{
	xmpp_stanza_t *x, *f;
	unsigned long long max = 0;
	char *v;

	for (x = xmpp_stanza_get_children(query); x; x = xmpp_stanza_get_next(x)) {
		if (!xmpp_stanza_is_tag(x) || strcmp(xmpp_stanza_get_name(x), "x"))
			continue;
		for (f = xmpp_stanza_get_children(x); f; f = xmpp_stanza_get_next(f)) {
			const char *var = xmpp_stanza_is_tag(f) ? xmpp_stanza_get_attribute(f, "var") : NULL;
			if (!var || strcmp(var, "max-file-size") || !(v = xt_child_text(f, "value")))
				continue;
			max = strtoull(v, NULL, 10);
			xmpp_free(xmpp_stanza_get_context(f), v);
		}
	}
	return max;
}

/* Returns 1 and fills u if jid is an upload service. */
static int
probe_service(struct xt_conn *c, const char *jid, struct xt_upload_service *u)
{
	xmpp_stanza_t *ans = xt_disco(c, jid, NS_DISCO_INFO), *q, *f;
	int found = 0;

	if (!ans)
		return 0;
	q = xmpp_stanza_get_child_by_ns(ans, NS_DISCO_INFO);
	for (f = q ? xmpp_stanza_get_children(q) : NULL; f && !found; f = xmpp_stanza_get_next(f)) {
		const char *var = xmpp_stanza_is_tag(f) ? xmpp_stanza_get_attribute(f, "var") : NULL;
		found = var && !strcmp(xmpp_stanza_get_name(f), "feature") && !strcmp(var, NS_UPLOAD);
	}
	if (found) {
		u->jid = xt_strdup(jid);
		u->max_size = max_size(q);
	}
	xmpp_stanza_release(ans);
	return found;
}

int
xt_upload_lookup(struct xt_conn *c, struct xt_upload_service *u)
{
	xmpp_stanza_t *ans, *q, *item;
	const char *jid;

	memset(u, 0, sizeof *u);
	/* XEP-0363 2: the service is one of the server's disco items, or the
	 * server itself */
	if (probe_service(c, c->domain, u))
		return 1;
	if (c->state != XT_CONN_ONLINE)
		return 0;
	if ((ans = xt_disco(c, c->domain, NS_DISCO_ITEMS))) {
		q = xmpp_stanza_get_child_by_ns(ans, NS_DISCO_ITEMS);
		for (item = q ? xmpp_stanza_get_children(q) : NULL; item; item = xmpp_stanza_get_next(item)) {
			jid = xmpp_stanza_is_tag(item) ? xmpp_stanza_get_attribute(item, "jid") : NULL;
			if (jid && probe_service(c, jid, u))
				break;
		}
		xmpp_stanza_release(ans);
	}
	return u->jid != NULL;
}

int
xt_upload_find(struct xt_conn *c, struct xt_upload_service *u)
{
	if (xt_upload_lookup(c, u))
		return 0;
	if (c->state != XT_CONN_ONLINE)
		return xt_error(c->error, "%s", c->why);
	return xt_error(XT_EUNAVAILABLE, "%s offers no HTTP upload service (XEP-0363)", c->domain);
}

void
xt_upload_service_free(struct xt_upload_service *u)
{
	free(u->jid);
	u->jid = NULL;
}

void
xt_slot_free(struct xt_slot *s)
{
	size_t i;

	free(s->put);
	free(s->get);
	free(s->pin);
	for (i = 0; i < s->nheaders; i++)
		free(s->headers[i]);
	memset(s, 0, sizeof *s);
}

/* XEP-0363 5: only these headers may pass from the slot to the PUT. */
static int
allowed_header(const char *name)
{
	return !strcasecmp(name, "Authorization") || !strcasecmp(name, "Cookie") ||
	       !strcasecmp(name, "Expires");
}

static void
read_put(xmpp_stanza_t *put, struct xt_slot *s)
{
	xmpp_stanza_t *h;
	const char *name;
	char *v;

	s->put = xt_strdup(xmpp_stanza_get_attribute(put, "url"));
	for (h = xmpp_stanza_get_children(put); h; h = xmpp_stanza_get_next(h)) {
		if (!xmpp_stanza_is_tag(h) || strcmp(xmpp_stanza_get_name(h), "header") ||
		    !(name = xmpp_stanza_get_attribute(h, "name")) || !allowed_header(name) ||
		    s->nheaders == sizeof s->headers / sizeof s->headers[0])
			continue;
		v = xmpp_stanza_get_text(h);
		/* a header value with a line break would smuggle another header */
		if (v && !strpbrk(v, "\r\n")) {
			s->headers[s->nheaders] = xt_malloc(strlen(name) + strlen(v) + 3);
			sprintf(s->headers[s->nheaders++], "%s: %s", name, v);
		}
		if (v)
			xmpp_free(xmpp_stanza_get_context(h), v);
	}
}

/* Where a slot's URL goes, as libcurl parses it: the host (an IPv6
 * address in brackets) and the port (443 if it gives none). */
struct slot_url {
	char *host, *port;
};

static void
slot_url_free(struct slot_url *u)
{
	curl_free(u->host);
	curl_free(u->port);
	u->host = u->port = NULL;
}

/* 0 when url is an absolute https URL with a host, no user:password and
 * nothing a terminal or a line-based reader would take for more (spaces,
 * control characters); else XT_ETLS for another scheme, XT_EPROTOCOL for
 * the rest, with why set. Fills u on success. */
static int
check_url(const char *url, struct slot_url *u, char *why, size_t whylen)
{
	char *shown = xt_escaped(url), *scheme = NULL, *user = NULL;
	CURLU *h = curl_url();
	CURLUcode uc;
	int rc = XT_EPROTOCOL;

	memset(u, 0, sizeof *u);
	if (!h)
		xt_die(XT_EOS, "out of memory");
	if (strcmp(shown, url) || strchr(url, ' '))
		snprintf(why, whylen, "a space or a control character");
	else if ((uc = curl_url_set(h, CURLUPART_URL, url, 0)))
		snprintf(why, whylen, "%s", curl_url_strerror(uc));
	else if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) || strcmp(scheme, "https"))
		snprintf(why, whylen, "not https"), rc = XT_ETLS;
	else if (curl_url_get(h, CURLUPART_USER, &user, 0) != CURLUE_NO_USER)
		snprintf(why, whylen, "it holds a user name or password");
	else if (curl_url_get(h, CURLUPART_HOST, &u->host, 0) || !*u->host ||
		 curl_url_get(h, CURLUPART_PORT, &u->port, CURLU_DEFAULT_PORT))
		snprintf(why, whylen, "no host");
	else
		rc = 0;
	if (rc)
		slot_url_free(u);
	curl_free(scheme);
	curl_free(user);
	curl_url_cleanup(h);
	free(shown);
	return rc;
}

/* What an address is, for where uploads may go. */
enum reach { REACH_PUBLIC, REACH_LOOPBACK, REACH_LINK_LOCAL, REACH_PRIVATE,
	     REACH_UNSPECIFIED };
static const char *const reach_name[] = { "public", "loopback", "link-local", "private",
					   "unspecified" };

static enum reach
reach_v4(const unsigned char *b)
{
	if (b[0] == 127)
		return REACH_LOOPBACK;
	if (b[0] == 169 && b[1] == 254)
		return REACH_LINK_LOCAL;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
		return REACH_PRIVATE;
	/* 0.0.0.0/8, "this network": connecting to it reaches this host */
	return b[0] == 0 ? REACH_UNSPECIFIED : REACH_PUBLIC;
}

static enum reach
reach_of(const struct sockaddr *sa)
{
	const unsigned char *b;
	const struct in6_addr *a6;

	if (sa->sa_family == AF_INET)
		return reach_v4((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return REACH_UNSPECIFIED;
	a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	b = a6->s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a6))
		return reach_v4(b + 12);
	if (IN6_IS_ADDR_LOOPBACK(a6))
		return REACH_LOOPBACK;
	if (IN6_IS_ADDR_UNSPECIFIED(a6))
		return REACH_UNSPECIFIED;
	if (IN6_IS_ADDR_LINKLOCAL(a6))
		return REACH_LINK_LOCAL;
	return (b[0] & 0xfe) == 0xfc ? REACH_PRIVATE : REACH_PUBLIC;
}

/* The XMPP server's address as connected to, in text, and what it is;
 * public (the strict answer) if the socket cannot tell. */
static enum reach
server_reach(const struct xt_conn *c, char *addr, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	snprintf(addr, len, "unknown address");
	if (c->sock < 0 || getpeername(c->sock, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, addr, (socklen_t)len, NULL, 0, NI_NUMERICHOST))
		return REACH_PUBLIC;
	return reach_of((struct sockaddr *)&ss);
}

/* Whether the user's --resolve already says where host:port is. */
static int
user_resolved(const struct xt_upload *up, const struct slot_url *u)
{
	size_t hl = strlen(u->host), pl = strlen(u->port);
	int i;

	for (i = 0; i < up->nresolve; i++)
		if (!strncasecmp(up->resolve[i], u->host, hl) && up->resolve[i][hl] == ':' &&
		    !strncmp(up->resolve[i] + hl + 1, u->port, pl) && up->resolve[i][hl + 1 + pl] == ':')
			return 1;
	return 0;
}

/* Appends addr to the pin "host:port:addr,addr" (CURLOPT_RESOLVE's form). */
static void
pin_add(char **pin, const struct slot_url *u, const struct sockaddr *sa)
{
	char addr[INET6_ADDRSTRLEN + 2] = "[";
	const void *in = sa->sa_family == AF_INET
				 ? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
				 : (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	size_t n;

	inet_ntop(sa->sa_family, in, addr + 1, INET6_ADDRSTRLEN);
	if (sa->sa_family == AF_INET6)
		strcat(addr, "]");
	if (!*pin) {
		*pin = xt_malloc(strlen(u->host) + strlen(u->port) + 3);
		sprintf(*pin, "%s:%s:", u->host, u->port);
	}
	n = strlen(*pin);
	*pin = xt_realloc(*pin, n + strlen(addr) + 2);
	sprintf(*pin + n, "%s%s", (*pin)[n - 1] == ':' ? "" : ",",
		sa->sa_family == AF_INET6 ? addr : addr + 1);
}

/* The upload host may be on loopback, link-local or private addresses
 * only when the XMPP server is on the same kind: else a server could aim
 * the PUT at this machine or its network (169.254.169.254, a router).
 * Every address of the host is checked, and the PUT pinned to them in
 * s->pin, so that a second DNS answer cannot swap them. 0 or an exit
 * code, printed. */
static int
check_put_host(struct xt_conn *c, const struct xt_upload *up, const struct slot_url *u,
	       struct xt_slot *s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *res;
	char name[256], addr[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	enum reach own = server_reach(c, server, sizeof server), r;
	size_t n = strlen(u->host);
	struct in_addr v4;
	int err, rc = 0, literal;

	if (user_resolved(up, u))
		return 0; /* the user said where it is */
	/* getaddrinfo wants an IPv6 literal without its brackets */
	snprintf(name, sizeof name, "%.*s", u->host[0] == '[' ? (int)n - 2 : (int)n,
		 u->host + (u->host[0] == '['));
	/* an address in the URL: no DNS to pin */
	literal = u->host[0] == '[' || inet_pton(AF_INET, name, &v4) == 1;
	if ((err = getaddrinfo(name, u->port, &hints, &res)))
		return xt_error(XT_EUNAVAILABLE, "%s: cannot resolve the upload host %s (of the "
				"slot's PUT URL): %s (the server announces a name this machine "
				"cannot resolve: fix its DNS or the upload service's public URL, "
				"or give the address with --resolve %s:%s:ADDRESS)", up->filename,
				u->host, gai_strerror(err), u->host, u->port);
	for (ai = res; ai && !rc; ai = ai->ai_next) {
		r = reach_of(ai->ai_addr);
		getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
		if (r != REACH_PUBLIC && (r != own || r == REACH_UNSPECIFIED))
			rc = xt_error(XT_EPROTOCOL, "%s: the upload host %s is at %s, %s (not public), "
				      "unlike the XMPP server (%s, %s): refusing", up->filename,
				      u->host, addr, reach_name[r], server, reach_name[own]);
		else if (!literal)
			pin_add(&s->pin, u, ai->ai_addr);
	}
	freeaddrinfo(res);
	return rc;
}

/* Checks both URLs of the slot, then where the PUT goes; 0 or an exit
 * code, printed. */
static int
check_slot(struct xt_conn *c, const struct xt_upload *up, struct xt_slot *s)
{
	struct slot_url put, get;
	char why[160];
	int rc;

	if ((rc = check_url(s->get, &get, why, sizeof why)))
		return xt_error(rc, "%s: the upload slot's GET URL is not a valid https URL (%s): %s",
				up->filename, why, s->get);
	slot_url_free(&get);
	if ((rc = check_url(s->put, &put, why, sizeof why)))
		return xt_error(rc, "%s: the upload slot's PUT URL is not a valid https URL (%s): %s",
				up->filename, why, s->put);
	rc = check_put_host(c, up, &put, s);
	slot_url_free(&put);
	return rc;
}

int
xt_upload_slot(struct xt_conn *c, const struct xt_upload_service *u,
	       const struct xt_upload *up, struct xt_slot *s)
{
	xmpp_stanza_t *iq = xmpp_iq_new(c->ctx, "get", NULL), *req, *ans, *slot, *put, *get;
	const char *filename = up->filename;
	char num[32];
	int rc = 0;

	memset(s, 0, sizeof *s);
	xmpp_stanza_set_to(iq, u->jid);
	req = xt_add_child_ns(iq, "request", NS_UPLOAD);
	xmpp_stanza_set_attribute(req, "filename", filename);
	snprintf(num, sizeof num, "%llu", up->size + (up->encrypt ? TAG_LEN : 0));
	xmpp_stanza_set_attribute(req, "size", num);
	xmpp_stanza_set_attribute(req, "content-type", up->content_type);
	ans = xt_iq(c, iq, c->acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (!ans)
		return xt_error(c->error, "%s: upload slot: %s", filename, c->why);
	if (!strcmp(xmpp_stanza_get_type(ans), "error")) {
		rc = xt_error(XT_EPROTOCOL, "%s: the server refused an upload slot: %s",
			      filename, xt_error_condition(ans));
	} else if (!(slot = xmpp_stanza_get_child_by_name_and_ns(ans, "slot", NS_UPLOAD)) ||
		   !(put = xmpp_stanza_get_child_by_name(slot, "put")) ||
		   !(get = xmpp_stanza_get_child_by_name(slot, "get")) ||
		   !xmpp_stanza_get_attribute(put, "url") || !xmpp_stanza_get_attribute(get, "url")) {
		rc = xt_error(XT_EPROTOCOL, "%s: the server's upload slot has no PUT or GET URL", filename);
	} else {
		read_put(put, s);
		s->get = xt_strdup(xmpp_stanza_get_attribute(get, "url"));
		rc = check_slot(c, up, s);
	}
	xmpp_stanza_release(ans);
	if (rc)
		xt_slot_free(s);
	return rc;
}

/* The PUT's body: the file, from its start, encrypted if asked. */
struct body {
	FILE *f;
	const struct xt_upload *up;
	EVP_CIPHER_CTX *gcm;
	unsigned char tag[TAG_LEN];
	size_t tag_left;
	int finished;         /* the whole file was read */
	EVP_MD_CTX *sha;
	unsigned long long done;
	int read_error;
	int shrank;           /* the file ended before its announced size */
	struct xt_progress bar;
	const char *name;
	char host[256];       /* of the PUT URL, for messages */
	curl_off_t total;     /* the body's length */
	long stall_ms;        /* nothing moved for this long: a stall */
	long moved;           /* xt_now_ms() when a byte last moved */
	curl_off_t ul, dl;    /* bytes moved by then */
	int stalled;
};

static size_t
read_body(char *buf, size_t size, size_t n, void *data)
{
	struct body *b = data;
	size_t want = size * n, room = want, got, k;
	int outl = 0;

	if (!b->finished) {
		/* never more than the announced length, even if the file grew */
		if (room > b->up->size - b->done)
			room = (size_t)(b->up->size - b->done);
		got = fread(buf, 1, room, b->f);
		if (got < room) {
			/* an error, or a file that shrank since its size was
			 * announced: the PUT could only end short */
			b->read_error = !ferror(b->f) ? 0 : errno ? errno : EIO;
			b->shrank = !ferror(b->f);
			return CURL_READFUNC_ABORT;
		}
		EVP_DigestUpdate(b->sha, buf, got);
		b->done += got;
		/* GCM is a stream mode: ciphertext as long as the plaintext */
		if (b->gcm && got > 0)
			EVP_EncryptUpdate(b->gcm, (unsigned char *)buf, &outl,
					  (unsigned char *)buf, (int)got);
		/* the tag right after the last bytes, in the same call: a
		 * finishing call of its own let OpenSSL's AES-NI GCM read stale
		 * stack (harmless, but valgrind sees the tag as uninitialised) */
		if (b->done == b->up->size) {
			b->finished = 1;
			if (b->gcm) {
				EVP_EncryptFinal_ex(b->gcm, NULL, &outl);
				EVP_CIPHER_CTX_ctrl(b->gcm, EVP_CTRL_GCM_GET_TAG, TAG_LEN, b->tag);
				b->tag_left = TAG_LEN;
			}
		}
		if (got > 0)
			return got;
	}
	/* after the ciphertext, the GCM tag (also when the file ended exactly
	 * at the end of the previous read, or is empty) */
	k = b->tag_left < want ? b->tag_left : want;
	memcpy(buf, b->tag + TAG_LEN - b->tag_left, k);
	b->tag_left -= k;
	return k;
}

/* Rewinds for a retry: the hash and the cipher start again. */
static int
start_body(struct body *b)
{
	if (fseeko(b->f, 0, SEEK_SET) != 0)
		return -1;
	clearerr(b->f);
	b->done = 0;
	b->tag_left = 0;
	b->finished = 0;
	b->read_error = 0;
	b->shrank = 0;
	EVP_DigestInit_ex(b->sha, EVP_sha256(), NULL);
	if (b->gcm) {
		EVP_CIPHER_CTX_reset(b->gcm);
		EVP_EncryptInit_ex(b->gcm, EVP_aes_256_gcm(), NULL, NULL, NULL);
		EVP_CIPHER_CTX_ctrl(b->gcm, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
		EVP_EncryptInit_ex(b->gcm, NULL, NULL, b->up->key, b->up->iv);
	}
	return 0;
}

/* The progress bar: bytes, rate, ETA; stderr on a terminal only. One
 * line as wide as the terminal (asked each time: it may be resized),
 * redrawn in place. */
static void
draw_bar(struct body *b, curl_off_t ultotal, curl_off_t ulnow)
{
	char line[1024], *name = xt_escaped(b->name);

	xt_progress_update(&b->bar, xt_now_ms(), (double)ulnow);
	xt_progress_format(line, sizeof line, xt_terminal_width(2), name, (double)ulnow,
			   (double)ultotal, b->bar.rate);
	free(name);
	fprintf(stderr, "\r%s", line);
}

/* Called by libcurl at least once a second, also while nothing moves:
 * aborts the PUT once no byte went out or came in for the stall time (an
 * upload server that neither reads nor answers), and draws the bar. */
static int
progress(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct body *b = data;
	long now = xt_now_ms();

	(void)dltotal;
	if (ulnow != b->ul || dlnow != b->dl) {
		b->ul = ulnow;
		b->dl = dlnow;
		b->moved = now;
	} else if (now - b->moved >= b->stall_ms) {
		b->stalled = 1;
		return 1;
	}
	if (xt_deadline_passed()) {
		b->stalled = 1;
		return 1;
	}
	if (b->up->progress && ultotal > 0)
		draw_bar(b, ultotal, ulnow);
	return 0;
}

/* Why a PUT timed out: no TLS connection (the connection or the handshake
 * hung), the server stopped taking the body, or it took it all and never
 * answered. */
static void
stall_reason(CURL *cu, const struct body *b, char *why, size_t whylen)
{
	curl_off_t tls = 0, sent = 0;
	long secs = b->stall_ms / 1000;

	curl_easy_getinfo(cu, CURLINFO_APPCONNECT_TIME_T, &tls);
	curl_easy_getinfo(cu, CURLINFO_SIZE_UPLOAD_T, &sent);
	if (xt_deadline_passed())
		snprintf(why, whylen, "the run's --timeout of %ld s passed while uploading "
			 "to %s, after %lld of %lld bytes", xt_deadline_seconds(), b->host,
			 (long long)sent, (long long)b->total);
	else if (tls == 0)
		snprintf(why, whylen, "upload stalled: no TLS connection to %s within %ld s",
			 b->host, secs);
	else if (sent < b->total)
		snprintf(why, whylen, "upload stalled: %s took nothing for %ld s after %lld of %lld bytes",
			 b->host, secs, (long long)sent, (long long)b->total);
	else
		snprintf(why, whylen, "upload stalled: %s sent no answer for %ld s after the whole file",
			 b->host, secs);
}

static struct curl_slist *
put_headers(const struct xt_slot *s, const char *content_type)
{
	struct curl_slist *h = NULL;
	char ct[300];
	size_t i;

	snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
	h = curl_slist_append(h, ct);
	for (i = 0; i < s->nheaders; i++)
		h = curl_slist_append(h, s->headers[i]);
	/* no "Expect: 100-continue" round trip before the body */
	return curl_slist_append(h, "Expect:");
}

/* Sends the body in TLS records of 8 KiB, not OpenSSL's 16 KiB. Prosody
 * reads its sockets 8 KiB at a time; half a 16 KiB record left in its TLS
 * buffer sends the connection through a timer before the rest is read.
 * Measured uploading to Prosody 0.12: 36 MiB/s against 25, for 0.1% more
 * bytes on the wire (22 more per 8 KiB). Other servers lose nothing. */
static CURLcode
small_records(CURL *cu, void *ssl_ctx, void *unused)
{
	(void)cu;
	(void)unused;
	SSL_CTX_set_max_send_fragment(ssl_ctx, RECORD_MAX);
	return CURLE_OK;
}

/* The XMPP connection's trust (trust.c). Only what it names: given a
 * file, libcurl's default directory is not trusted too; given neither,
 * libcurl's own default, the system's store. */
static void
set_trust(CURL *cu)
{
	const char *cafile, *capath;

	xt_trust_curl_paths(&cafile, &capath);
	if (!cafile && !capath)
		return;
	curl_easy_setopt(cu, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(cu, CURLOPT_CAPATH, capath);
}

/* The body of the server's answer to the PUT is not ours to print:
 * libcurl's default would write it to standard output, where the links go
 * (ejabberd answers 201 with "Upload successful.", Prosody with none). */
static size_t
discard_reply(char *buf, size_t size, size_t n, void *data)
{
	(void)buf;
	(void)data;
	return size * n;
}

static CURL *
new_put(struct body *b, const struct xt_slot *s, struct curl_slist *hdr,
	struct curl_slist *resolve, const struct xt_account *a, curl_off_t len)
{
	CURL *cu = curl_easy_init();

	if (!cu)
		xt_die(XT_EOS, "out of memory");
	curl_easy_setopt(cu, CURLOPT_URL, s->put);
	curl_easy_setopt(cu, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(cu, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(cu, CURLOPT_READDATA, b);
	curl_easy_setopt(cu, CURLOPT_INFILESIZE_LARGE, len);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, discard_reply);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, a->connect_timeout);
	/* a stall: nothing moved for the connect timeout (see progress) */
	curl_easy_setopt(cu, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(cu, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(cu, CURLOPT_XFERINFODATA, b);
	curl_easy_setopt(cu, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
	/* an option only libcurl's OpenSSL flavour has; elsewhere a no-op */
	curl_easy_setopt(cu, CURLOPT_SSL_CTX_FUNCTION, small_records);
	curl_easy_setopt(cu, CURLOPT_SSLVERSION, (long)(a->tls_min == TLS1_3_VERSION ?
			 CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2));
	if (resolve)
		curl_easy_setopt(cu, CURLOPT_RESOLVE, resolve);
	set_trust(cu);
	if (a->insecure) {
		curl_easy_setopt(cu, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(cu, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return cu;
}

/* One PUT; returns 0, or an exit code with the reason in why. */
static int
put_once(CURL *cu, struct body *b, char *why, size_t whylen)
{
	CURLcode res;
	long status = 0;

	if (start_body(b) != 0) {
		snprintf(why, whylen, "cannot rewind the file: %s", strerror(errno));
		return XT_EIO;
	}
	b->moved = xt_now_ms();
	xt_progress_start(&b->bar, b->moved);
	b->ul = b->dl = 0;
	b->stalled = 0;
	res = curl_easy_perform(cu);
	if (b->up->progress)
		fputc('\n', stderr);
	if (b->read_error || b->shrank) {
		if (b->shrank)
			snprintf(why, whylen, "reading the file failed: it shrank during the upload, "
				 "to %llu of %llu bytes", b->done, b->up->size);
		else
			snprintf(why, whylen, "reading the file failed: %s", strerror(b->read_error));
		return XT_EIO;
	}
	if (b->stalled || res == CURLE_OPERATION_TIMEDOUT) {
		stall_reason(cu, b, why, whylen);
		return XT_ETIMEOUT;
	}
	if (res != CURLE_OK) {
		snprintf(why, whylen, "upload to %s failed: %s", b->host, curl_easy_strerror(res));
		return res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CONNECT_ERROR ? XT_ETLS
		       : XT_EUNAVAILABLE;
	}
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(why, whylen, "the upload server answered HTTP %ld", status);
		return XT_EPROTOCOL;
	}
	return 0;
}

int
xt_upload_put(const struct xt_upload *up, const struct xt_slot *s,
	      const struct xt_account *a, char sha256_hex[65])
{
	struct body b = { .f = up->file, .up = up, .name = up->filename,
			  .total = (curl_off_t)(up->size + (up->encrypt ? TAG_LEN : 0)),
			  .stall_ms = a->connect_timeout * 1000 };
	struct curl_slist *hdr = put_headers(s, up->content_type), *resolve = NULL;
	const char *host = s->put + strlen("https://");
	unsigned char md[32];
	char why[512];
	CURL *cu;
	int rc, i, attempt;

	snprintf(b.host, sizeof b.host, "%.*s", (int)strcspn(host, "/?#"), host);
	for (i = 0; i < up->nresolve; i++)
		resolve = curl_slist_append(resolve, up->resolve[i]);
	if (s->pin)
		resolve = curl_slist_append(resolve, s->pin);
	b.sha = EVP_MD_CTX_new();
	if (up->encrypt)
		b.gcm = EVP_CIPHER_CTX_new();
	cu = new_put(&b, s, hdr, resolve, a, b.total);
	for (attempt = 0;; attempt++) {
		rc = put_once(cu, &b, why, sizeof why);
		if (rc == 0 || attempt >= up->retries || rc == XT_EIO || rc == XT_ETLS ||
		    xt_deadline_passed())
			break;
		xt_warn("%s: %s; retrying (%d of %d)", up->filename, why, attempt + 1, up->retries);
		sleep(1);
	}
	if (rc == XT_ETIMEOUT && xt_deadline_passed())
		xt_error(rc, "%s: %s", up->filename, why);
	else if (rc == XT_ETIMEOUT)
		xt_error(rc, "%s: %s (check the upload server; --connect-timeout S waits longer%s)",
			 up->filename, why, up->retries ? "" : ", --retry N tries again");
	else if (rc)
		xt_error(rc, "%s: %s", up->filename, why);
	else {
		EVP_DigestFinal_ex(b.sha, md, NULL);
		for (i = 0; i < 32; i++)
			sprintf(sha256_hex + 2 * i, "%02x", md[i]);
	}
	curl_easy_cleanup(cu);
	curl_slist_free_all(hdr);
	curl_slist_free_all(resolve);
	EVP_MD_CTX_free(b.sha);
	EVP_CIPHER_CTX_free(b.gcm);
	return rc;
}

int
xt_upload_new_key(struct xt_upload *up)
{
	return RAND_bytes(up->key, sizeof up->key) == 1 && RAND_bytes(up->iv, sizeof up->iv) == 1
		       ? 0 : -1;
}

char *
xt_upload_aesgcm_url(const struct xt_upload *up, const char *get)
{
	/* XEP-0454: aesgcm://host/path#<iv hex><key hex> */
	char *url = xt_malloc(strlen(get) + 2 * (sizeof up->iv + sizeof up->key) + 8);
	size_t i, n;

	n = (size_t)sprintf(url, "aesgcm://%s", get + strlen("https://"));
	if (strchr(url, '#'))
		n = (size_t)(strchr(url, '#') - url);
	url[n++] = '#';
	for (i = 0; i < sizeof up->iv; i++)
		n += (size_t)sprintf(url + n, "%02x", up->iv[i]);
	for (i = 0; i < sizeof up->key; i++)
		n += (size_t)sprintf(url + n, "%02x", up->key[i]);
	return url;
}

const char *
xt_guess_content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ "pdf", "application/pdf" }, { "png", "image/png" }, { "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" }, { "gif", "image/gif" }, { "webp", "image/webp" },
		{ "svg", "image/svg+xml" }, { "txt", "text/plain" }, { "log", "text/plain" },
		{ "md", "text/markdown" }, { "csv", "text/csv" }, { "html", "text/html" },
		{ "json", "application/json" }, { "xml", "application/xml" },
		{ "zip", "application/zip" }, { "gz", "application/gzip" },
		{ "tgz", "application/gzip" }, { "tar", "application/x-tar" },
		{ "xz", "application/x-xz" }, { "mp4", "video/mp4" }, { "webm", "video/webm" },
		{ "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" }, { "opus", "audio/ogg" },
		{ "m4a", "audio/mp4" }, { "wav", "audio/wav" },
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(dot + 1, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}
