/* tlsguard.c - a floor under the TLS version of every context we make.
 *
 * libstrophe 0.12 makes its own SSL_CTX for each connection (tls_new in
 * tls_openssl.c) and gives no way to choose its versions: it turns off SSL
 * 2 and 3 and TLS 1.0 by option and leaves the rest to the system's
 * OpenSSL policy, which may allow TLS 1.1 (MinProtocol in openssl.cnf).
 * As xmlguard.c does for expat, this SSL_CTX_new stands in for OpenSSL's
 * (the dynamic linker resolves libstrophe's and libcurl's calls to the
 * program first), calls the real one, and raises the new context's least
 * version to the floor. A caller may still lower it afterwards on purpose,
 * as xmpp-s2s-probe's per-version probes do. */
#include <dlfcn.h>
#include <string.h>
#include <openssl/ssl.h>

#include "xt.h"

static int floor_version = TLS1_2_VERSION;

void
xt_tls_floor(int version)
{
	floor_version = version > TLS1_2_VERSION ? version : TLS1_2_VERSION;
}

int
xt_parse_tls_min(const char *v)
{
	if (!strcmp(v, "1.2"))
		return TLS1_2_VERSION;
	if (!strcmp(v, "1.3"))
		return TLS1_3_VERSION;
	return -1;
}

const char *
xt_tls_version_name(int version)
{
	return version == TLS1_3_VERSION ? "1.3" : "1.2";
}

SSL_CTX *
SSL_CTX_new(const SSL_METHOD *method)
{
	static SSL_CTX *(*real_new)(const SSL_METHOD *);
	SSL_CTX *ctx;
	int least;

	if (!real_new && !(real_new = dlsym(RTLD_NEXT, "SSL_CTX_new")))
		xt_die(XT_ESOFTWARE, "cannot find OpenSSL's SSL_CTX_new: %s", dlerror());
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
