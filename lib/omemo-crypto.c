/* omemo-crypto.c - the crypto libomemo-c leaves to its user, from OpenSSL:
 * random bytes, HMAC-SHA256, SHA-512 and AES in CBC (PKCS#5 padding) and
 * CTR modes, with the key length choosing AES-128, -192 or -256. */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include <omemo/signal_protocol.h>

#include "xt.h"

static int
random_bytes(uint8_t *data, size_t len, void *user)
{
	return RAND_bytes(data, (int)len) == 1 ? 0 : SG_ERR_UNKNOWN;
}

static int
hmac_init(void **ctx, const uint8_t *key, size_t key_len, void *user)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *m = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	EVP_MAC_free(mac); /* the context keeps its own reference */
	if (!m || !EVP_MAC_init(m, key, key_len, params)) {
		EVP_MAC_CTX_free(m);
		return SG_ERR_UNKNOWN;
	}
	*ctx = m;
	return 0;
}

static int
hmac_update(void *ctx, const uint8_t *data, size_t len, void *user)
{
	return EVP_MAC_update(ctx, data, len) ? 0 : SG_ERR_UNKNOWN;
}

static int
hmac_final(void *ctx, signal_buffer **out, void *user)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t len = 0;

	if (!EVP_MAC_final(ctx, md, &len, sizeof md))
		return SG_ERR_UNKNOWN;
	return (*out = signal_buffer_create(md, len)) ? 0 : SG_ERR_NOMEM;
}

static void
hmac_cleanup(void *ctx, void *user)
{
	EVP_MAC_CTX_free(ctx);
}

static int
sha512_init(void **ctx, void *user)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();

	if (!m || !EVP_DigestInit_ex(m, EVP_sha512(), NULL)) {
		EVP_MD_CTX_free(m);
		return SG_ERR_UNKNOWN;
	}
	*ctx = m;
	return 0;
}

static int
sha512_update(void *ctx, const uint8_t *data, size_t len, void *user)
{
	return EVP_DigestUpdate(ctx, data, len) ? 0 : SG_ERR_UNKNOWN;
}

/* Finishes and makes the context ready for the next digest, as asked. */
static int
sha512_final(void *ctx, signal_buffer **out, void *user)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_DigestFinal_ex(ctx, md, &len) || !EVP_DigestInit_ex(ctx, EVP_sha512(), NULL))
		return SG_ERR_UNKNOWN;
	return (*out = signal_buffer_create(md, len)) ? 0 : SG_ERR_NOMEM;
}

static void
sha512_cleanup(void *ctx, void *user)
{
	EVP_MD_CTX_free(ctx);
}

static const EVP_CIPHER *
aes(int mode, size_t key_len)
{
	int cbc = mode == SG_CIPHER_AES_CBC_PKCS5;

	if (mode != SG_CIPHER_AES_CBC_PKCS5 && mode != SG_CIPHER_AES_CTR_NOPADDING)
		return NULL;
	switch (key_len) {
	case 16: return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ctr();
	case 24: return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ctr();
	case 32: return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ctr();
	}
	return NULL;
}

/* One pass of AES in either direction (enc 1 or 0). */
static int
aes_run(signal_buffer **out, int mode, int enc, const uint8_t *key, size_t key_len,
	const uint8_t *iv, size_t iv_len, const uint8_t *in, size_t in_len)
{
	const EVP_CIPHER *cipher = aes(mode, key_len);
	EVP_CIPHER_CTX *ctx;
	unsigned char *buf;
	int n = 0, fin = 0, ok;

	if (!cipher || iv_len != 16 || in_len > (1u << 30))
		return SG_ERR_INVAL;
	if (!(ctx = EVP_CIPHER_CTX_new()))
		return SG_ERR_NOMEM;
	buf = xt_malloc(in_len + 32);
	ok = EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) &&
	     EVP_CipherUpdate(ctx, buf, &n, in, (int)in_len) &&
	     EVP_CipherFinal_ex(ctx, buf + n, &fin);
	EVP_CIPHER_CTX_free(ctx);
	*out = ok ? signal_buffer_create(buf, (size_t)(n + fin)) : NULL;
	OPENSSL_cleanse(buf, in_len + 32);
	free(buf);
	return !ok ? SG_ERR_UNKNOWN : *out ? 0 : SG_ERR_NOMEM;
}

static int
encrypt(signal_buffer **out, int mode, const uint8_t *key, size_t key_len,
	const uint8_t *iv, size_t iv_len, const uint8_t *in, size_t in_len, void *user)
{
	return aes_run(out, mode, 1, key, key_len, iv, iv_len, in, in_len);
}

static int
decrypt(signal_buffer **out, int mode, const uint8_t *key, size_t key_len,
	const uint8_t *iv, size_t iv_len, const uint8_t *in, size_t in_len, void *user)
{
	return aes_run(out, mode, 0, key, key_len, iv, iv_len, in, in_len);
}

static const signal_crypto_provider provider = {
	.random_func = random_bytes,
	.hmac_sha256_init_func = hmac_init,
	.hmac_sha256_update_func = hmac_update,
	.hmac_sha256_final_func = hmac_final,
	.hmac_sha256_cleanup_func = hmac_cleanup,
	.sha512_digest_init_func = sha512_init,
	.sha512_digest_update_func = sha512_update,
	.sha512_digest_final_func = sha512_final,
	.sha512_digest_cleanup_func = sha512_cleanup,
	.encrypt_func = encrypt,
	.decrypt_func = decrypt,
};

const void *
xt_omemo_crypto_provider(void)
{
	return &provider;
}

/* AES-128-GCM, the payload cipher of legacy OMEMO: 16-byte key, 12-byte
 * IV, the 16-byte tag kept apart (it travels with the key). */
int
xt_aes_gcm(int enc, const unsigned char key[16], const unsigned char iv[12],
	   const unsigned char *in, size_t len, unsigned char *out, unsigned char tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, ok;

	if (!ctx || len > (1u << 30)) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	ok = EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) &&
	     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag)) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	     EVP_CipherFinal_ex(ctx, out + n, &fin) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}
