/* dns.c - DNS through libunbound: SRV, A/AAAA, TLSA, DNSSEC status */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unbound.h>

#include "xt.h"

struct xt_dns {
	struct ub_ctx *ub;
	long timeout_ms;
};

/* resolve()'s own code, beside libunbound's negative UB_* ones */
#define TIMED_OUT (-1000)

struct pending {
	int done, err;
	struct ub_result *r;
};

/* "HOST", "HOST:PORT", "[V6]:PORT" to unbound's "ADDRESS@PORT". */
static int
forwarder(const char *server, char *out, size_t len)
{
	char *host = NULL, addr[256];
	unsigned short port = 0;
	unsigned char buf[16];
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;

	if (xt_parse_hostport(server, &host, &port))
		return -1;
	snprintf(addr, sizeof addr, "%s", host);
	/* unbound takes addresses only: a name is looked up the usual way */
	if (!inet_pton(AF_INET, host, buf) && !inet_pton(AF_INET6, host, buf)) {
		if (getaddrinfo(host, NULL, &hints, &ai)) {
			free(host);
			return -1;
		}
		getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
		freeaddrinfo(ai);
	}
	free(host);
	if (port)
		snprintf(out, len, "%s@%u", addr, port);
	else
		snprintf(out, len, "%s", addr);
	return 0;
}

struct xt_dns *
xt_dns_new(const char *server, const char *anchor, long timeout,
	   char *why, size_t whylen)
{
	struct xt_dns *d = xt_malloc(sizeof *d);
	char fwd[300];
	int err = 0;

	d->timeout_ms = timeout * 1000;
	if (!(d->ub = ub_ctx_create())) {
		free(d);
		snprintf(why, whylen, "cannot create a resolver");
		return NULL;
	}
	/* a resolver on loopback (systemd-resolved, a test server) is fine */
	ub_ctx_set_option(d->ub, "do-not-query-localhost:", "no");
	/* threads, not a forked process: the probe runs many workers */
	ub_ctx_async(d->ub, 1);
	if (server) {
		if (forwarder(server, fwd, sizeof fwd)) {
			snprintf(why, whylen, "--dns-server wants HOST[:PORT] (a host that resolves), got '%s'", server);
			xt_dns_free(d);
			return NULL;
		}
		err = ub_ctx_set_fwd(d->ub, fwd);
	} else {
		err = ub_ctx_resolvconf(d->ub, NULL);
	}
	if (err) {
		snprintf(why, whylen, "resolver %s: %s", server ? server : "from /etc/resolv.conf",
			 ub_strerror(err));
		xt_dns_free(d);
		return NULL;
	}
	if (anchor && (err = ub_ctx_add_ta_file(d->ub, anchor))) {
		snprintf(why, whylen, "trust anchor %s: %s", anchor, ub_strerror(err));
		xt_dns_free(d);
		return NULL;
	}
	/* RFC 6761: test. is special to resolvers, not to applications; the
	 * resolver asked decides (libunbound would answer NXDOMAIN itself).
	 * Last: this freezes the configuration. */
	ub_ctx_zone_add(d->ub, "test.", "transparent");
	return d;
}

void
xt_dns_free(struct xt_dns *d)
{
	if (!d)
		return;
	ub_ctx_delete(d->ub);
	free(d);
}

static void
answered(void *data, int err, struct ub_result *r)
{
	struct pending *p = data;

	p->done = 1;
	p->err = err;
	p->r = r;
}

/* Runs queries at once, waiting at most the timeout for all of them:
 * libunbound's own retries can take minutes against a dead server. A query
 * that did not finish has p->err TIMED_OUT. */
static void
resolve(struct xt_dns *d, const char *const *names, const int *types,
	struct pending *p, size_t n)
{
	long deadline = xt_now_ms() + d->timeout_ms, left;
	struct pollfd pfd;
	size_t i, open = 0;
	int id[XT_DNS_MAX_QUERIES], err;

	for (i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof p[i]);
		err = ub_resolve_async(d->ub, names[i], types[i], 1, &p[i], answered, &id[i]);
		if (err)
			p[i].done = 1, p[i].err = err;
		else
			open++;
	}
	pfd.fd = ub_fd(d->ub);
	pfd.events = POLLIN;
	while (open) {
		if ((left = deadline - xt_now_ms()) <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (pfd.revents && ub_process(d->ub))
			break;
		for (open = 0, i = 0; i < n; i++)
			open += !p[i].done;
	}
	for (i = 0; i < n; i++)
		if (!p[i].done) {
			ub_cancel(d->ub, id[i]);
			p[i].err = TIMED_OUT;
		}
}

static void
keep(struct xt_dns_answer *a, const struct ub_result *r)
{
	size_t i;

	for (a->n = 0; r->data && r->data[a->n]; a->n++)
		;
	a->rr = xt_malloc((a->n + 1) * sizeof *a->rr);
	for (i = 0; i < a->n; i++) {
		a->rr[i].len = (size_t)r->len[i];
		a->rr[i].data = xt_malloc(a->rr[i].len + 1);
		memcpy(a->rr[i].data, r->data[i], a->rr[i].len);
	}
}

static int
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && !strncasecmp(a, b, la);
}

static const char *
rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED" };

	return rcode >= 0 && rcode < 6 ? names[rcode] : "error";
}

static void
answer(struct xt_dns *d, const char *name, const struct pending *p,
       struct xt_dns_answer *a)
{
	struct ub_result *r = p->r;

	memset(a, 0, sizeof *a);
	if (p->err == TIMED_OUT) {
		snprintf(a->why, sizeof a->why, "no answer within %ld s", d->timeout_ms / 1000);
		a->status = XT_DNS_TIMEOUT;
		return;
	}
	if (p->err || !r) {
		snprintf(a->why, sizeof a->why, "%s", ub_strerror(p->err));
		a->status = XT_DNS_FAIL;
		return;
	}
	a->secure = r->secure;
	a->bogus = r->bogus;
	if (r->bogus) {
		snprintf(a->why, sizeof a->why, "DNSSEC validation failed%s%s",
			 r->why_bogus ? ": " : "", r->why_bogus ? r->why_bogus : "");
		a->status = XT_DNS_FAIL;
	} else if (r->nxdomain) {
		a->status = XT_DNS_NXDOMAIN;
	} else if (r->rcode) {
		snprintf(a->why, sizeof a->why, "the resolver answered %s", rcode_name(r->rcode));
		a->status = XT_DNS_FAIL;
	} else if (!r->havedata) {
		a->status = XT_DNS_NODATA;
	} else {
		a->status = XT_DNS_OK;
		keep(a, r);
	}
	if (r->canonname && !same_name(r->canonname, name))
		a->canon = xt_strdup(r->canonname);
	ub_resolve_free(r);
}

void
xt_dns_queries(struct xt_dns *d, const char *const *names, const int *types,
	       struct xt_dns_answer *a, size_t n)
{
	struct pending p[XT_DNS_MAX_QUERIES];
	size_t i;

	if (n > XT_DNS_MAX_QUERIES)
		n = XT_DNS_MAX_QUERIES;
	resolve(d, names, types, p, n);
	for (i = 0; i < n; i++)
		answer(d, names[i], &p[i], &a[i]);
}

int
xt_dns_query(struct xt_dns *d, const char *name, int type,
	     struct xt_dns_answer *a)
{
	xt_dns_queries(d, &name, &type, a, 1);
	return a->status;
}

void
xt_dns_answer_free(struct xt_dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->rr[i].data);
	free(a->rr);
	free(a->canon);
	memset(a, 0, sizeof *a);
}

/* A domain name in an RDATA, uncompressed (RFC 3597 for SRV), to text
 * without the final dot; "." for the root. */
static int
rdata_name(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t i = 0, n = 0;

	while (i < len && p[i]) {
		size_t l = p[i++];
		if (l > 63 || i + l > len || n + l + 2 > outlen)
			return -1;
		/* a host name's label: a NUL would cut the text short, a dot
		 * make other labels of it */
		if (memchr(p + i, '\0', l) || memchr(p + i, '.', l))
			return -1;
		if (n)
			out[n++] = '.';
		memcpy(out + n, p + i, l);
		n += l;
		i += l;
	}
	if (i >= len)
		return -1;
	if (!n)
		out[n++] = '.';
	out[n] = '\0';
	return 0;
}

int
xt_dns_srv(const struct xt_dns_rr *rr, struct xt_srv *s)
{
	const unsigned char *p = rr->data;
	char target[256];

	if (rr->len < 7 || rdata_name(p + 6, rr->len - 6, target, sizeof target))
		return -1;
	s->priority = (unsigned)(p[0] << 8 | p[1]);
	s->weight = (unsigned)(p[2] << 8 | p[3]);
	s->port = (unsigned)(p[4] << 8 | p[5]);
	s->target = xt_strdup(target);
	return 0;
}

int
xt_dns_tlsa(const struct xt_dns_rr *rr, struct xt_tlsa *t)
{
	if (rr->len < 4)
		return -1;
	t->usage = rr->data[0];
	t->selector = rr->data[1];
	t->matching_type = rr->data[2];
	t->len = rr->len - 3;
	t->data = xt_malloc(t->len);
	memcpy(t->data, rr->data + 3, t->len);
	return 0;
}
