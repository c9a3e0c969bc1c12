/* mixup.c - what a port speaks: direct TLS (XEP-0368) or plain XMPP first
 * (STARTTLS). A login that ended before the stream began looks the same
 * whether the server is down or the port is of the other kind; a second,
 * short connection that sends nothing secret tells them apart, so that the
 * message can name the option that fixes it. */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

#define NS_STREAMS "http://etherx.jabber.org/streams"

/* Connects s to the first address of host:port; 0, or -1. */
static int
connect_first(struct xt_s2s *s, const char *host, unsigned port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char service[8];
	double ms;
	int rc;

	snprintf(service, sizeof service, "%u", port);
	if (getaddrinfo(host, service, &hints, &res))
		return -1;
	rc = xt_s2s_connect(s, res->ai_addr, res->ai_addrlen, &ms);
	freeaddrinfo(res);
	return rc;
}

int
xt_port_speaks_tls(const char *host, unsigned port, const char *sni, long timeout_ms)
{
	struct xt_s2s s;
	unsigned char random[32] = { 0 };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	double ms;
	int tls = 0;
	size_t i;

	xt_s2s_init(&s, NULL, NULL, timeout_ms, NULL);
	if (ctx && xt_trust_ctx(ctx) && connect_first(&s, host, port) == 0 &&
	    xt_s2s_handshake(&s, ctx, sni, NULL, &ms) != 0) {
		/* a ServerHello sets the server's random, whatever the
		 * certificate's fate afterwards; an alert ("tlsv1 alert
		 * unrecognized name") is TLS too */
		if (s.ssl)
			SSL_get_server_random(s.ssl, random, sizeof random);
		for (i = 0; i < sizeof random; i++)
			tls |= random[i];
		tls |= strstr(s.why, " alert ") != NULL;
	} else if (s.ssl) {
		tls = 1;
	}
	xt_s2s_free(&s);
	SSL_CTX_free(ctx);
	return tls != 0;
}

/* Reads what fd sends until it holds the streams namespace, the peer
 * closes or the deadline; 1 if it came. */
static int
answers_stream(int fd, long deadline)
{
	char buf[2048];
	size_t len = 0;
	ssize_t n;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long left;

	while (len < sizeof buf - 1 && (left = deadline - xt_now_ms()) > 0 &&
	       poll(&p, 1, (int)left) > 0) {
		if ((n = read(fd, buf + len, sizeof buf - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, NS_STREAMS))
			return 1;
	}
	return 0;
}

int
xt_port_speaks_xmpp(const char *host, unsigned port, const char *domain, long timeout_ms)
{
	struct xt_s2s s;
	char header[512];
	long deadline = xt_now_ms() + timeout_ms;
	int plain = 0;

	snprintf(header, sizeof header, "<?xml version='1.0'?><stream:stream to='%s' "
		 "version='1.0' xmlns='jabber:client' xmlns:stream='" NS_STREAMS "'>",
		 domain);
	xt_s2s_init(&s, NULL, NULL, timeout_ms, NULL);
	if (connect_first(&s, host, port) == 0 &&
	    write(s.fd, header, strlen(header)) == (ssize_t)strlen(header))
		plain = answers_stream(s.fd, deadline);
	xt_s2s_free(&s);
	return plain;
}
