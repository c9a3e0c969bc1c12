/* omemo-send.c - one message encrypted with legacy OMEMO (XEP-0384 0.3):
 * the body under AES-128-GCM with a fresh key and IV, the key and the tag
 * (32 bytes) encrypted for each of the recipient's devices and of our own
 * other devices through their sessions, which are built from their bundles
 * where there is none yet. Fails closed: a recipient without a device we
 * can encrypt for gets nothing, not even the fallback body. */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <omemo/signal_protocol.h>
#include <omemo/session_builder.h>
#include <omemo/session_cipher.h>
#include <omemo/protocol.h>

#include "xt.h"

#define FALLBACK "This message is encrypted with OMEMO, which your client does not " \
	"seem to support or enable."

/* The <header/> of one message, and how many <key/>s it has. */
struct targets {
	xmpp_stanza_t *header;
	size_t n;          /* keys added */
};

/* A session with jid's device from its bundle: 0 or XT_ENOKEY (c->why). */
static int
build_session(struct xt_conn *c, struct xt_omemo *o, const signal_protocol_address *a,
	      const char *jid)
{
	struct xt_omemo_bundle b;
	session_pre_key_bundle *pkb = NULL;
	session_builder *builder = NULL;
	ec_public_key *pre = NULL, *spk = NULL, *ik = NULL;
	signal_context *sc = xt_omemo_signal_context(o);
	unsigned int pick;
	int rc;

	if ((rc = xt_omemo_fetch_bundle(c, jid, (unsigned long)a->device_id, &b)))
		return rc;
	/* any of its pre-keys: a random one, so two senders rarely pick the same */
	if (RAND_bytes((unsigned char *)&pick, sizeof pick) != 1)
		pick = 0;
	pick %= (unsigned int)b.npre;
	rc = curve_decode_point(&pre, b.pre[pick], b.pre_len[pick], sc) ||
	     curve_decode_point(&spk, b.spk, b.spk_len, sc) ||
	     curve_decode_point(&ik, b.identity, b.identity_len, sc) ||
	     session_pre_key_bundle_create(&pkb, 0, a->device_id, (uint32_t)b.pre_ids[pick], pre,
			(uint32_t)b.spk_id, spk, b.spk_sig, b.spk_sig_len, ik) ||
	     session_builder_create(&builder, xt_omemo_store_context(o), a, sc);
	if (!rc && (rc = session_builder_process_pre_key_bundle(builder, pkb)))
		snprintf(c->why, sizeof c->why, "device %d's bundle: %s", a->device_id,
			 rc == SG_ERR_UNTRUSTED_IDENTITY ? "its identity key changed (not trusted)" :
			 rc == SG_ERR_INVALID_KEY ? "a bad signature or key" : "not usable");
	else if (rc)
		snprintf(c->why, sizeof c->why, "device %d's bundle: keys not usable", a->device_id);
	session_builder_free(builder);
	SIGNAL_UNREF(pkb);
	SIGNAL_UNREF(pre);
	SIGNAL_UNREF(spk);
	SIGNAL_UNREF(ik);
	xt_omemo_bundle_free(&b);
	return rc ? XT_ENOKEY : 0;
}

/* Encrypts the key and tag for one device into a <key/>; 0, else an exit
 * code with c->why set. keymat NULL only makes sure there is a session,
 * counted as a key. */
static int
add_key(struct xt_conn *c, struct xt_omemo *o, struct targets *t, const char *jid,
	unsigned long id, const unsigned char *keymat)
{
	signal_protocol_address a = { jid, strlen(jid), (int32_t)id };
	session_cipher *cipher = NULL;
	ciphertext_message *msg = NULL;
	signal_buffer *ser;
	xmpp_stanza_t *key;
	char num[24];
	int rc;

	if (!signal_protocol_session_contains_session(xt_omemo_store_context(o), &a) &&
	    (rc = build_session(c, o, &a, jid)))
		return rc;
	if (!keymat) {
		t->n++;
		return 0;
	}
	if (session_cipher_create(&cipher, xt_omemo_store_context(o), &a, xt_omemo_signal_context(o)) ||
	    session_cipher_encrypt(cipher, keymat, 32, &msg)) {
		session_cipher_free(cipher);
		snprintf(c->why, sizeof c->why, "device %lu: the session cannot encrypt", id);
		return XT_ENOKEY;
	}
	ser = ciphertext_message_get_serialized(msg);
	key = xt_add_b64_child(t->header, "key", signal_buffer_data(ser), signal_buffer_len(ser));
	snprintf(num, sizeof num, "%lu", id);
	xmpp_stanza_set_attribute(key, "rid", num);
	if (ciphertext_message_get_type(msg) == CIPHERTEXT_PREKEY_TYPE)
		xmpp_stanza_set_attribute(key, "prekey", "true");
	SIGNAL_UNREF(msg);
	session_cipher_free(cipher);
	t->n++;
	return 0;
}

/* Keys for every device jid lists (own: ours, but this device); returns
 * how many were added, warning about devices left out. */
static size_t
add_keys_for(struct xt_conn *c, struct xt_omemo *o, struct targets *t, const char *jid,
	     int own, const unsigned char *keymat, int *rc)
{
	unsigned long *ids;
	size_t n, i, added = t->n;

	if ((*rc = xt_omemo_fetch_devices(c, own ? NULL : jid, &ids, &n)))
		return 0;
	for (i = 0; i < n; i++) {
		if (own && ids[i] == xt_omemo_device_id(o))
			continue;
		if ((*rc = add_key(c, o, t, jid, ids[i], keymat)) && *rc != XT_ENOKEY)
			break;
		if (*rc)
			xt_warn("OMEMO: %s's %s: left out", jid, c->why);
		*rc = 0;
	}
	free(ids);
	return t->n - added;
}

/* Keys for every device of the recipient bare (keymat NULL: sessions
 * only); 0, XT_ENOKEY printed when there is no device to encrypt for, or
 * the connection's exit code with c->why set. */
static int
add_recipient_keys(struct xt_conn *c, struct xt_omemo *o, struct targets *t, const char *bare,
		   const unsigned char *keymat)
{
	int rc = 0;

	if (!add_keys_for(c, o, t, bare, 0, keymat, &rc) && (!rc || rc == XT_ENOKEY))
		rc = xt_error(XT_ENOKEY, "%s: no OMEMO device to encrypt for%s%s%s: nothing "
			      "sent to %s", bare, *c->why ? " (" : "", c->why, *c->why ? ")" : "",
			      bare);
	return rc;
}

/* rc, printed if it is the connection's (the others are printed where
 * they happen). */
static int
devices_failed(struct xt_conn *c, int rc, const char *bare)
{
	if (rc && rc != XT_ENOKEY && rc != XT_ESOFTWARE)
		xt_error(rc, "OMEMO devices: %s: nothing sent to %s", c->why, bare);
	return rc;
}

/* Opens *o the first time; 0 or its exit code printed. */
static int
open_state(struct xt_conn *c, struct xt_omemo **o)
{
	c->why[0] = '\0';
	return *o ? 0 : xt_omemo_open(c->acct->jid, 0, o);
}

/* The message around <encrypted/>: the fallback body, the hints. */
static xmpp_stanza_t *
wrap(struct xt_conn *c, const struct xt_msg *m, const char *to, xmpp_stanza_t *enc)
{
	struct xt_msg plain = { .type = m->type, .id = m->id, .thread = m->thread,
				.receipt = m->receipt, .no_store = m->no_store, .body = FALLBACK };
	xmpp_stanza_t *st = xt_msg_stanza(c, &plain, to), *eme;

	xmpp_stanza_add_child(st, enc);
	/* archived, so that the user's other clients can read it later */
	if (!m->no_store)
		xt_add_child_ns(st, "store", "urn:xmpp:hints");
	eme = xt_add_child_ns(st, "encryption", "urn:xmpp:eme:0");
	xmpp_stanza_set_attribute(eme, "namespace", XT_NS_OMEMO);
	xmpp_stanza_set_attribute(eme, "name", "OMEMO");
	return st;
}

/* Encrypts m's body for to and our other devices into *out. */
static int
encrypt_for(struct xt_conn *c, struct xt_omemo *o, const struct xt_msg *m, const char *to,
	    xmpp_stanza_t **out)
{
	unsigned char keymat[32], iv[12], *ct;
	size_t len = strlen(m->body);
	xmpp_stanza_t *enc = xmpp_stanza_new(c->ctx);
	struct targets t = { NULL, 0 };
	char *bare = xt_jid_bare(to), sid[24];
	int rc = 0;

	xmpp_stanza_set_name(enc, "encrypted");
	xmpp_stanza_set_ns(enc, XT_NS_OMEMO);
	t.header = xt_add_child_ns(enc, "header", NULL);
	snprintf(sid, sizeof sid, "%lu", xt_omemo_device_id(o));
	xmpp_stanza_set_attribute(t.header, "sid", sid);
	ct = xt_malloc(len + 1);
	if (RAND_bytes(keymat, 16) != 1 || RAND_bytes(iv, 12) != 1 ||
	    xt_aes_gcm(1, keymat, iv, (const unsigned char *)m->body, len, ct, keymat + 16))
		rc = xt_error(XT_ESOFTWARE, "OMEMO: the body cannot be encrypted");
	if (!rc && !(rc = add_recipient_keys(c, o, &t, bare, keymat)))
		add_keys_for(c, o, &t, bare, 1, keymat, &rc);
	if ((rc = devices_failed(c, rc, bare)) == 0) {
		xt_add_b64_child(t.header, "iv", iv, sizeof iv);
		xt_add_b64_child(enc, "payload", ct, len);
		*out = wrap(c, m, to, enc);
	}
	OPENSSL_cleanse(keymat, sizeof keymat);
	xmpp_stanza_release(enc);
	free(ct);
	free(bare);
	return rc;
}

int
xt_omemo_check_recipient(struct xt_conn *c, struct xt_omemo **o, const char *to)
{
	struct targets t = { NULL, 0 };
	char *bare = xt_jid_bare(to);
	int rc;

	if (!(rc = open_state(c, o)))
		rc = devices_failed(c, add_recipient_keys(c, *o, &t, bare, NULL), bare);
	free(bare);
	return rc;
}

int
xt_omemo_msg_stanza(struct xt_conn *c, struct xt_omemo **o, const struct xt_msg *m,
		    const char *to, xmpp_stanza_t **out)
{
	int rc;

	*out = NULL;
	if ((rc = open_state(c, o)))
		return rc;
	if ((rc = encrypt_for(c, *o, m, to, out)))
		return rc;
	/* the ratchets moved: kept before the message goes, so that no key is
	 * used twice even if sending fails */
	if ((rc = xt_omemo_save(*o))) {
		xmpp_stanza_release(*out);
		*out = NULL;
	}
	return rc;
}
