/* observe.c - what a setup check (xmpp-check) sees of a connection that
 * libstrophe 0.12 keeps to itself: the TLS session its handshake agreed
 * on, and the stream's elements as they are logged.
 *
 * Off unless xt_observe_start was called: the other tools pay one test per
 * TLS context and per logged element. The SSL_CTX_new of strophe-glue.c hands
 * every new context here; an info callback on it sees the handshake end,
 * the only moment the SSL object is ours to read (libstrophe frees it with
 * the connection). */
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "xt.h"

struct xt_observed xt_observed;

static void (*xml_observer)(char dir, const char *xml);

void
xt_observe_start(void (*on_xml)(char dir, const char *xml))
{
	xt_observed.on = 1;
	xml_observer = on_xml;
}

/* The chain as verified (leaf to the trusted root), else as sent: with
 * --pin alone nothing may have been verified. */
static STACK_OF(X509) *
chain_of(const SSL *ssl)
{
	STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);

	if (!chain || sk_X509_num(chain) == 0)
		chain = SSL_get_peer_cert_chain(ssl);
	return chain ? X509_chain_up_ref(chain) : NULL;
}

static void
handshake_seen(const SSL *ssl, int where, int ret)
{
	const SSL_CIPHER *cipher;

	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE))
		return;
	snprintf(xt_observed.tls_version, sizeof xt_observed.tls_version, "%s",
		 SSL_get_version(ssl));
	cipher = SSL_get_current_cipher(ssl);
	snprintf(xt_observed.cipher, sizeof xt_observed.cipher, "%s",
		 cipher ? SSL_CIPHER_get_name(cipher) : "?");
	/* TLS 1.3 signals the end again with each session ticket */
	if (xt_observed.chain)
		sk_X509_pop_free(xt_observed.chain, X509_free);
	xt_observed.chain = chain_of(ssl);
}

void
xt_observe_tls_ctx(SSL_CTX *ctx)
{
	if (xt_observed.on)
		SSL_CTX_set_info_callback(ctx, handshake_seen);
}

void
xt_observe_xml(char dir, const char *xml)
{
	if (xml_observer)
		xml_observer(dir, xml);
}

void
xt_observe_free(void)
{
	if (xt_observed.chain)
		sk_X509_pop_free(xt_observed.chain, X509_free);
	memset(&xt_observed, 0, sizeof xt_observed);
	xml_observer = NULL;
}
