/* trust.c - the one trust configuration of a process, and how it reaches
 * OpenSSL and libcurl: through their APIs, never the environment.
 *
 * The trust is the system's default store, or only what --cafile and
 * --capath (or the config's keys) name. It is made once into one
 * X509_STORE that every TLS context of ours shares: loading a CA bundle
 * costs ~40 ms, and libstrophe makes a new context for each connection.
 * libstrophe's contexts get it through strophe-glue.c (its own cafile
 * option adds to the system's store instead). --pin is not here: it is checked on the server's
 * key after the handshake (strophe-glue.c), whoever signed it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "xt.h"

static struct {
	char *cafile, *capath; /* both NULL: the system's default store */
	X509_STORE *store;     /* made from them; NULL until then */
} trust;

/* The system's store as OpenSSL finds it by default, the user's
 * SSL_CERT_FILE and SSL_CERT_DIR included; but when the user set no file,
 * only the hashed directory, whose certificates are read when a chain
 * needs them, instead of the whole bundle on every connect. A system
 * without that directory gets OpenSSL's default file. */
static int
load_system(X509_STORE *store)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());

	if (!dir)
		dir = X509_get_default_cert_dir();
	if (getenv(X509_get_default_cert_file_env()) || access(dir, R_OK | X_OK))
		return X509_STORE_set_default_paths(store);
	return X509_STORE_load_path(store, dir);
}

/* Loads what the trust names into store: NULL, or what could not be loaded. */
static const char *
load_trust(X509_STORE *store)
{
	if (!trust.cafile && !trust.capath)
		return load_system(store) ? NULL : "the system's default store";
	if (trust.cafile && !X509_STORE_load_file(store, trust.cafile))
		return trust.cafile;
	if (trust.capath && !X509_STORE_load_path(store, trust.capath))
		return trust.capath;
	return NULL;
}

static X509_STORE *
make_store(char *why, size_t len)
{
	X509_STORE *store = X509_STORE_new();
	const char *failed;

	if (!store) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if ((failed = load_trust(store))) {
		snprintf(why, len, "cannot load the CA certificates of %s (give a "
			 "file of PEM certificates, or a directory hashed by "
			 "openssl rehash)", failed);
		ERR_clear_error();
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

int
xt_trust_set(const char *cafile, const char *capath, char *why, size_t len)
{
	free(trust.cafile);
	free(trust.capath);
	X509_STORE_free(trust.store);
	trust.cafile = cafile ? xt_strdup(cafile) : NULL;
	trust.capath = capath ? xt_strdup(capath) : NULL;
	trust.store = make_store(why, len);
	return trust.store ? 0 : -1;
}

int
xt_trust_ctx(SSL_CTX *ctx)
{
	char why[300];

	if (!trust.store && xt_trust_set(NULL, NULL, why, sizeof why))
		return 0;
	/* the context's own store is replaced: only this trust counts */
	SSL_CTX_set1_cert_store(ctx, trust.store);
	return 1;
}

void
xt_trust_curl_paths(const char **cafile, const char **capath)
{
	*cafile = trust.cafile;
	*capath = trust.capath;
	if (*cafile || *capath)
		return;
	/* libcurl reads neither variable; OpenSSL, and so the XMPP
	 * connection, does (load_system) */
	*cafile = getenv(X509_get_default_cert_file_env());
	*capath = getenv(X509_get_default_cert_dir_env());
}
