/* omemo.c - the account's OMEMO device over libomemo-c: its keys, the
 * store callbacks the library reads and writes its records through (all in
 * omemo-store.c's one file), our bundle and the parsing of peers' bundles
 * and device lists. Legacy OMEMO (XEP-0384 0.3): libomemo-c's protocol
 * versions 2 and 3, its default; version 4 would be OMEMO:2. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <omemo/signal_protocol.h>
#include <omemo/key_helper.h>
#include <omemo/session_pre_key.h>

#include "xt.h"

struct xt_omemo {
	signal_context *sc;
	signal_protocol_store_context *ctx;
	struct xt_omemo_store *st;
	uint32_t device_id;
};

/* Legacy OMEMO's device ids are 31-bit: 1 to 2^31 - 1. */
#define DEVICE_ID_MAX 0x7fffffffUL
#define SPK_ID 1

/* The store's key for a peer's device: "bare-jid/device". */
static void
addr_key(const signal_protocol_address *a, char *out, size_t len)
{
	snprintf(out, len, "%.*s/%d", (int)a->name_len, a->name, a->device_id);
}

/* Loads sec's value for key into a signal_buffer: 1 found, 0 not. */
static int
load_buffer(struct xt_omemo_store *st, const char *sec, const char *key, signal_buffer **out)
{
	unsigned char *data;
	size_t len;

	if (xt_omemo_store_get(st, sec, key, &data, &len))
		return 0;
	*out = signal_buffer_create(data, len);
	OPENSSL_cleanse(data, len);
	free(data);
	return *out ? 1 : SG_ERR_NOMEM;
}

static int
load_session(signal_buffer **rec, signal_buffer **user_rec, const signal_protocol_address *a, void *st)
{
	char key[600];

	addr_key(a, key, sizeof key);
	return load_buffer(st, "sessions", key, rec);
}

struct sub_devices {
	signal_int_list *list;
	size_t prefix_len;
};

static void
add_sub_device(const char *key, void *data)
{
	struct sub_devices *d = data;

	signal_int_list_push_back(d->list, atoi(key + d->prefix_len));
}

static int
sub_device_sessions(signal_int_list **sessions, const char *name, size_t name_len, void *st)
{
	char prefix[600];
	struct sub_devices d;

	snprintf(prefix, sizeof prefix, "%.*s/", (int)name_len, name);
	d.list = signal_int_list_alloc();
	d.prefix_len = strlen(prefix);
	if (!d.list)
		return SG_ERR_NOMEM;
	xt_omemo_store_keys(st, "sessions", prefix, add_sub_device, &d);
	*sessions = d.list;
	return (int)signal_int_list_size(d.list);
}

static int
store_session(const signal_protocol_address *a, uint8_t *rec, size_t len,
	      uint8_t *user_rec, size_t user_len, void *st)
{
	char key[600];

	addr_key(a, key, sizeof key);
	xt_omemo_store_put(st, "sessions", key, rec, len);
	return 0;
}

static int
contains_session(const signal_protocol_address *a, void *st)
{
	char key[600];

	addr_key(a, key, sizeof key);
	return xt_omemo_store_has(st, "sessions", key);
}

static int
delete_session(const signal_protocol_address *a, void *st)
{
	char key[600];

	addr_key(a, key, sizeof key);
	xt_omemo_store_put(st, "sessions", key, NULL, 0);
	return 1;
}

static void
delete_key(const char *key, void *st)
{
	xt_omemo_store_put(st, "sessions", key, NULL, 0);
}

static int
delete_all_sessions(const char *name, size_t name_len, void *st)
{
	char prefix[600];

	snprintf(prefix, sizeof prefix, "%.*s/", (int)name_len, name);
	return (int)xt_omemo_store_keys(st, "sessions", prefix, delete_key, st);
}

/* Pre-keys and signed pre-keys: records by number, one section each. */
static int
load_by_id(void *st, const char *sec, uint32_t id, signal_buffer **rec)
{
	char key[16];

	snprintf(key, sizeof key, "%lu", (unsigned long)id);
	return load_buffer(st, sec, key, rec) == 1 ? SG_SUCCESS : SG_ERR_INVALID_KEY_ID;
}

static int
put_by_id(void *st, const char *sec, uint32_t id, const uint8_t *rec, size_t len)
{
	char key[16];

	snprintf(key, sizeof key, "%lu", (unsigned long)id);
	xt_omemo_store_put(st, sec, key, rec, len);
	return 0;
}

static int
has_by_id(void *st, const char *sec, uint32_t id)
{
	char key[16];

	snprintf(key, sizeof key, "%lu", (unsigned long)id);
	return xt_omemo_store_has(st, sec, key);
}

/* The four callbacks of a store of records by number, for section sec. */
#define ID_STORE(name, sec) \
	static int load_##name(signal_buffer **rec, uint32_t id, void *st) \
	{ return load_by_id(st, sec, id, rec); } \
	static int store_##name(uint32_t id, uint8_t *rec, size_t len, void *st) \
	{ return put_by_id(st, sec, id, rec, len); } \
	static int contains_##name(uint32_t id, void *st) \
	{ return has_by_id(st, sec, id); } \
	static int remove_##name(uint32_t id, void *st) \
	{ return put_by_id(st, sec, id, NULL, 0); }
ID_STORE(pre_key, "pre_keys")
ID_STORE(signed_pre_key, "signed_pre_keys")

/* The identity key pair, stored as libomemo-c serialises it. */
static int
identity_key_pair(signal_buffer **pub, signal_buffer **priv, void *st)
{
	if (load_buffer(st, "own", "identity_public", pub) != 1 ||
	    load_buffer(st, "own", "identity_private", priv) != 1)
		return SG_ERR_INVALID_KEY;
	return 0;
}

static int
registration_id(void *st, uint32_t *id)
{
	*id = (uint32_t)xt_omemo_store_int(st, "device_id");
	return 0;
}

static int
save_identity(const signal_protocol_address *a, uint8_t *key, size_t len, void *st)
{
	char k[600];

	addr_key(a, k, sizeof k);
	xt_omemo_store_put(st, "identities", k, key, len);
	return 0;
}

/* Blind trust, the clients' default: a device is trusted the first time
 * it is seen; a different key for a device seen before is not. */
static int
is_trusted_identity(const signal_protocol_address *a, uint8_t *key, size_t len, void *st)
{
	unsigned char *known;
	size_t known_len;
	char k[600];
	int same;

	addr_key(a, k, sizeof k);
	if (xt_omemo_store_get(st, "identities", k, &known, &known_len))
		return 1;
	same = known_len == len && !memcmp(known, key, len);
	free(known);
	return same;
}

static int
store_callbacks(struct xt_omemo *o)
{
	signal_protocol_session_store sessions = {
		.load_session_func = load_session,
		.get_sub_device_sessions_func = sub_device_sessions,
		.store_session_func = store_session,
		.contains_session_func = contains_session,
		.delete_session_func = delete_session,
		.delete_all_sessions_func = delete_all_sessions,
		.user_data = o->st,
	};
	signal_protocol_pre_key_store pre_keys = {
		.load_pre_key = load_pre_key,
		.store_pre_key = store_pre_key,
		.contains_pre_key = contains_pre_key,
		.remove_pre_key = remove_pre_key,
		.user_data = o->st,
	};
	signal_protocol_signed_pre_key_store signed_pre_keys = {
		.load_signed_pre_key = load_signed_pre_key,
		.store_signed_pre_key = store_signed_pre_key,
		.contains_signed_pre_key = contains_signed_pre_key,
		.remove_signed_pre_key = remove_signed_pre_key,
		.user_data = o->st,
	};
	signal_protocol_identity_key_store identities = {
		.get_identity_key_pair = identity_key_pair,
		.get_local_registration_id = registration_id,
		.save_identity = save_identity,
		.is_trusted_identity = is_trusted_identity,
		.user_data = o->st,
	};

	return signal_protocol_store_context_create(&o->ctx, o->sc) ||
	       signal_protocol_store_context_set_session_store(o->ctx, &sessions) ||
	       signal_protocol_store_context_set_pre_key_store(o->ctx, &pre_keys) ||
	       signal_protocol_store_context_set_signed_pre_key_store(o->ctx, &signed_pre_keys) ||
	       signal_protocol_store_context_set_identity_key_store(o->ctx, &identities);
}

/* Puts libomemo-c's serialisation of a record into the store. */
static int
put_serialized(struct xt_omemo *o, const char *sec, const char *key, signal_buffer *b)
{
	if (!b)
		return -1;
	xt_omemo_store_put(o->st, sec, key, signal_buffer_data(b), signal_buffer_len(b));
	signal_buffer_bzero_free(b);
	return 0;
}

static int
make_identity(struct xt_omemo *o, ratchet_identity_key_pair **pair)
{
	signal_buffer *pub = NULL, *priv = NULL;

	if (signal_protocol_key_helper_generate_identity_key_pair(pair, o->sc) ||
	    ec_public_key_serialize(&pub, ratchet_identity_key_pair_get_public(*pair)) ||
	    ec_private_key_serialize(&priv, ratchet_identity_key_pair_get_private(*pair)))
		return -1;
	return put_serialized(o, "own", "identity_public", pub) |
	       put_serialized(o, "own", "identity_private", priv);
}

static int
make_pre_keys(struct xt_omemo *o, unsigned start, unsigned count)
{
	signal_protocol_key_helper_pre_key_list_node *head = NULL, *n;
	int rc = 0;

	if (signal_protocol_key_helper_generate_pre_keys(&head, start, count, o->sc))
		return -1;
	for (n = head; n && !rc; n = signal_protocol_key_helper_key_list_next(n))
		rc = signal_protocol_pre_key_store_key(o->ctx,
				signal_protocol_key_helper_key_list_element(n));
	signal_protocol_key_helper_key_list_free(head);
	return rc;
}

/* A new device: keys, a random id, the pre-keys; nothing published yet. */
static int
make_device(struct xt_omemo *o)
{
	ratchet_identity_key_pair *pair = NULL;
	session_signed_pre_key *spk = NULL;
	uint32_t id = 0;
	int rc;

	while (id == 0) {
		if (RAND_bytes((unsigned char *)&id, sizeof id) != 1)
			return -1;
		id &= DEVICE_ID_MAX;
	}
	xt_omemo_store_set_int(o->st, "version", 1);
	xt_omemo_store_set_int(o->st, "device_id", id);
	rc = make_identity(o, &pair) ||
	     signal_protocol_key_helper_generate_signed_pre_key(&spk, pair, SPK_ID,
			(uint64_t)time(NULL) * 1000, o->sc) ||
	     signal_protocol_signed_pre_key_store_key(o->ctx, spk) ||
	     make_pre_keys(o, 1, XT_OMEMO_PRE_KEYS);
	SIGNAL_UNREF(spk);
	SIGNAL_UNREF(pair);
	xt_omemo_store_set_int(o->st, "next_pre_key", XT_OMEMO_PRE_KEYS + 1);
	o->device_id = id;
	return rc;
}

int
xt_omemo_open(const char *jid, int create, struct xt_omemo **out)
{
	struct xt_omemo *o = xt_malloc(sizeof *o);
	int rc;

	memset(o, 0, sizeof *o);
	*out = NULL;
	if ((rc = xt_omemo_store_open(jid, create, &o->st))) {
		free(o);
		return rc;
	}
	if (signal_context_create(&o->sc, o) ||
	    signal_context_set_crypto_provider(o->sc, xt_omemo_crypto_provider()) ||
	    store_callbacks(o)) {
		xt_omemo_close(o);
		return xt_error(XT_ESOFTWARE, "OMEMO: libomemo-c cannot be set up");
	}
	o->device_id = (uint32_t)xt_omemo_store_int(o->st, "device_id");
	if (!o->device_id && create > 0) {
		if (make_device(o) || (rc = xt_omemo_save(o))) {
			xt_omemo_close(o);
			return rc ? rc : xt_error(XT_ESOFTWARE, "OMEMO: a new device's keys cannot be made");
		}
	}
	*out = o;
	return 0;
}

int
xt_omemo_save(struct xt_omemo *o)
{
	return xt_omemo_store_save(o->st);
}

void
xt_omemo_close(struct xt_omemo *o)
{
	if (!o)
		return;
	if (o->ctx)
		signal_protocol_store_context_destroy(o->ctx);
	if (o->sc)
		signal_context_destroy(o->sc);
	xt_omemo_store_close(o->st);
	free(o);
}

unsigned long
xt_omemo_device_id(const struct xt_omemo *o)
{
	return o->device_id;
}

void *
xt_omemo_signal_context(struct xt_omemo *o)
{
	return o->sc;
}

void *
xt_omemo_store_context(struct xt_omemo *o)
{
	return o->ctx;
}

char *
xt_omemo_fingerprint(const unsigned char *key, size_t len)
{
	char *fp, *p;
	size_t i;

	if (len == 33 && key[0] == 5)
		key++, len--;
	if (len != 32)
		return NULL;
	p = fp = xt_malloc(32 * 2 + 8);
	for (i = 0; i < 32; i++) {
		if (i && i % 4 == 0)
			*p++ = ' ';
		p += sprintf(p, "%02x", key[i]);
	}
	return fp;
}

char *
xt_omemo_own_fingerprint(struct xt_omemo *o)
{
	unsigned char *key;
	size_t len;
	char *fp;

	if (xt_omemo_store_get(o->st, "own", "identity_public", &key, &len))
		return NULL;
	fp = xt_omemo_fingerprint(key, len);
	free(key);
	return fp;
}

/* Adds <name attr=value>base64 of data</name> to parent. */
static void
add_b64(xmpp_stanza_t *parent, const char *name, const char *attr, unsigned long value,
	const unsigned char *data, size_t len)
{
	xmpp_stanza_t *el = xt_add_b64_child(parent, name, data, len);
	char num[24];

	if (attr) {
		snprintf(num, sizeof num, "%lu", value);
		xmpp_stanza_set_attribute(el, attr, num);
	}
}

static void
add_public(xmpp_stanza_t *parent, const char *name, const char *attr, unsigned long id,
	   ec_public_key *key)
{
	signal_buffer *b = NULL;

	if (ec_public_key_serialize(&b, key) == 0) {
		add_b64(parent, name, attr, id, signal_buffer_data(b), signal_buffer_len(b));
		signal_buffer_free(b);
	}
}

struct bundle_build {
	struct xt_omemo *o;
	xmpp_stanza_t *prekeys;
};

static void
add_pre_key(const char *key, void *data)
{
	struct bundle_build *bb = data;
	session_pre_key *pk = NULL;
	uint32_t id = (uint32_t)strtoul(key, NULL, 10);

	if (signal_protocol_pre_key_load_key(bb->o->ctx, &pk, id) == 0) {
		add_public(bb->prekeys, "preKeyPublic", "preKeyId", id,
			   ec_key_pair_get_public(session_pre_key_get_key_pair(pk)));
		SIGNAL_UNREF(pk);
	}
}

xmpp_stanza_t *
xt_omemo_bundle(struct xt_omemo *o, xmpp_ctx_t *ctx)
{
	xmpp_stanza_t *b = xmpp_stanza_new(ctx);
	session_signed_pre_key *spk = NULL;
	ratchet_identity_key_pair *pair = NULL;
	struct bundle_build bb = { o, NULL };

	xmpp_stanza_set_name(b, "bundle");
	xmpp_stanza_set_ns(b, XT_NS_OMEMO);
	if (signal_protocol_signed_pre_key_load_key(o->ctx, &spk, SPK_ID) == 0) {
		add_public(b, "signedPreKeyPublic", "signedPreKeyId", SPK_ID,
			   ec_key_pair_get_public(session_signed_pre_key_get_key_pair(spk)));
		add_b64(b, "signedPreKeySignature", NULL, 0,
			session_signed_pre_key_get_signature(spk),
			session_signed_pre_key_get_signature_len(spk));
		SIGNAL_UNREF(spk);
	}
	if (signal_protocol_identity_get_key_pair(o->ctx, &pair) == 0) {
		add_public(b, "identityKey", NULL, 0, ratchet_identity_key_pair_get_public(pair));
		SIGNAL_UNREF(pair);
	}
	bb.prekeys = xt_add_child_ns(b, "prekeys", NULL);
	xt_omemo_store_keys(o->st, "pre_keys", "", add_pre_key, &bb);
	return b;
}

/* A decimal id from 1 to DEVICE_ID_MAX, or 0. */
static unsigned long
parse_id(const char *s)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9' || strlen(s) > 10)
		return 0;
	v = strtoul(s, &end, 10);
	return *end || v > DEVICE_ID_MAX ? 0 : v;
}

/* The base64 text of st's child name into *data; 0 or -1. */
static int
child_b64(xmpp_stanza_t *st, const char *name, unsigned char **data, size_t *len)
{
	char *text = xt_child_text(st, name);
	int rc = text ? xt_b64_decode(text, data, len) : -1;

	if (text)
		xmpp_free(xmpp_stanza_get_context(st), text);
	return rc;
}

/* A Curve25519 public key as a bundle carries it: 33 bytes, type 5. */
static int
public_key_ok(const unsigned char *key, size_t len)
{
	return len == 33 && key[0] == 5;
}

static void
parse_pre_keys(xmpp_stanza_t *prekeys, struct xt_omemo_bundle *b)
{
	xmpp_stanza_t *k;
	char *text;

	for (k = prekeys ? xmpp_stanza_get_children(prekeys) : NULL; k; k = xmpp_stanza_get_next(k)) {
		unsigned long id;
		unsigned char *data = NULL;
		size_t len = 0;

		if (b->npre == sizeof b->pre / sizeof b->pre[0])
			break;
		if (!xmpp_stanza_is_tag(k) || strcmp(xmpp_stanza_get_name(k), "preKeyPublic") ||
		    !(id = parse_id(xmpp_stanza_get_attribute(k, "preKeyId"))))
			continue;
		if (!(text = xmpp_stanza_get_text(k)))
			continue;
		if (xt_b64_decode(text, &data, &len) == 0 && public_key_ok(data, len)) {
			b->pre_ids[b->npre] = id;
			b->pre[b->npre] = data;
			b->pre_len[b->npre++] = len;
		} else
			free(data);
		xmpp_free(xmpp_stanza_get_context(k), text);
	}
}

int
xt_omemo_parse_bundle(xmpp_stanza_t *bundle, struct xt_omemo_bundle *b, char *why, size_t len)
{
	xmpp_stanza_t *spk = xmpp_stanza_get_child_by_name(bundle, "signedPreKeyPublic");
	const char *ns = xmpp_stanza_get_ns(bundle);

	memset(b, 0, sizeof *b);
	if (!ns || strcmp(ns, XT_NS_OMEMO) || strcmp(xmpp_stanza_get_name(bundle), "bundle"))
		return snprintf(why, len, "not an OMEMO bundle"), -1;
	if (!spk || !(b->spk_id = parse_id(xmpp_stanza_get_attribute(spk, "signedPreKeyId"))) ||
	    child_b64(bundle, "signedPreKeyPublic", &b->spk, &b->spk_len) ||
	    !public_key_ok(b->spk, b->spk_len))
		return snprintf(why, len, "no usable signed pre-key"), xt_omemo_bundle_free(b), -1;
	if (child_b64(bundle, "signedPreKeySignature", &b->spk_sig, &b->spk_sig_len) ||
	    b->spk_sig_len != 64)
		return snprintf(why, len, "no usable pre-key signature"), xt_omemo_bundle_free(b), -1;
	if (child_b64(bundle, "identityKey", &b->identity, &b->identity_len) ||
	    !public_key_ok(b->identity, b->identity_len))
		return snprintf(why, len, "no usable identity key"), xt_omemo_bundle_free(b), -1;
	parse_pre_keys(xmpp_stanza_get_child_by_name(bundle, "prekeys"), b);
	if (!b->npre)
		return snprintf(why, len, "no usable pre-key"), xt_omemo_bundle_free(b), -1;
	return 0;
}

void
xt_omemo_bundle_free(struct xt_omemo_bundle *b)
{
	size_t i;

	free(b->identity);
	free(b->spk);
	free(b->spk_sig);
	for (i = 0; i < b->npre; i++)
		free(b->pre[i]);
	memset(b, 0, sizeof *b);
}

size_t
xt_omemo_parse_devices(xmpp_stanza_t *list, unsigned long **ids)
{
	xmpp_stanza_t *d;
	size_t n = 0, i;

	*ids = NULL;
	for (d = list ? xmpp_stanza_get_children(list) : NULL; d; d = xmpp_stanza_get_next(d)) {
		unsigned long id;

		if (!xmpp_stanza_is_tag(d) || strcmp(xmpp_stanza_get_name(d), "device") ||
		    !(id = parse_id(xmpp_stanza_get_attribute(d, "id"))))
			continue;
		for (i = 0; i < n && (*ids)[i] != id; i++)
			;
		if (i < n || n == 1000) /* a duplicate, or a list that would not end */
			continue;
		*ids = xt_realloc(*ids, (n + 1) * sizeof **ids);
		(*ids)[n++] = id;
	}
	return n;
}
