/* omemo-store.c - an account's OMEMO state on disk: one JSON file,
 * $XDG_STATE_HOME/xmpp-tools/ACCOUNT/omemo.json (default ~/.local/state),
 * in a directory only its owner may enter. Sections map names to base64
 * blobs (pre-keys, sessions, identities); a few numbers sit at the top.
 * Held under an flock of ACCOUNT/lock from open to close, so that two cron
 * jobs sending at once take turns instead of losing a ratchet step; written
 * whole to a temporary file and renamed, so a crash leaves the old state or
 * the new, never half of one. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xt.h"

struct xt_omemo_store {
	char dir[4096];
	char path[4200];
	int lock_fd;
	json_t *root;
};

/* ACCOUNT's directory: the normalised bare JID under the state home. */
static int
store_dir(const char *jid, char *out, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *bare = xt_jid_normalize(jid);
	int n = -1;

	bare[strcspn(bare, "/")] = '\0';
	if (xdg && *xdg == '/')
		n = snprintf(out, len, "%s/xmpp-tools/%s", xdg, bare);
	else if (home && *home == '/')
		n = snprintf(out, len, "%s/.local/state/xmpp-tools/%s", home, bare);
	free(bare);
	if (n < 0 || (size_t)n >= len || strstr(out, "/../") || strchr(out, '\n'))
		return xt_error(XT_ECONFIG, "OMEMO state: no usable state directory "
				"(set HOME or XDG_STATE_HOME to an absolute path)");
	return 0;
}

/* Makes each directory on the way (0700); the last one must be ours and
 * closed to others, as the config file must. */
static int
make_private_dir(char *dir)
{
	struct stat st;
	char *p;

	for (p = strchr(dir + 1, '/'); ; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			if (p)
				*p = '/';
			return xt_error(XT_ECONFIG, "OMEMO state directory %s: %s", dir, strerror(e));
		}
		if (!p)
			break;
		*p = '/';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return xt_error(XT_ECONFIG, "OMEMO state directory %s is not a directory", dir);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return xt_error(XT_ECONFIG, "OMEMO state directory %s is open to group or "
				"others (mode %03o): it holds private keys (run: chmod 700 %s)",
				dir, (unsigned)(st.st_mode & 0777), dir);
	return xt_check_private(dir, "OMEMO state directory");
}

/* Blocks until no other process holds the account's state. */
static int
lock_store(struct xt_omemo_store *s)
{
	char lock[4200];

	snprintf(lock, sizeof lock, "%s/lock", s->dir);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) != 0)
		return xt_error(XT_ECONFIG, "OMEMO state lock %s: %s", lock, strerror(errno));
	return 0;
}

static int
corrupted(const struct xt_omemo_store *s, const char *why)
{
	return xt_error(XT_ECONFIG, "OMEMO state %s is corrupted: %s (move it away and "
			"run xmpp-keys init: that publishes a new device)", s->path, why);
}

/* Reads the file; a missing one is an empty state when create is set. */
static int
load(struct xt_omemo_store *s, int create)
{
	json_error_t err;
	struct stat st;

	if (stat(s->path, &st) != 0) {
		if (errno != ENOENT)
			return xt_error(XT_ECONFIG, "OMEMO state %s: %s", s->path, strerror(errno));
		if (create == 0)
			return xt_error(XT_ECONFIG, "no OMEMO device for this account yet: %s "
					"is missing (run: xmpp-keys init)", s->path);
		s->root = json_object();
		return 0;
	}
	if (xt_check_private(s->path, "OMEMO state"))
		return XT_ECONFIG;
	if (!(s->root = json_load_file(s->path, JSON_REJECT_DUPLICATES, &err)))
		return corrupted(s, err.text);
	if (!json_is_object(s->root) || !json_is_integer(json_object_get(s->root, "device_id")))
		return corrupted(s, "no device id in it");
	return 0;
}

int
xt_omemo_store_open(const char *jid, int create, struct xt_omemo_store **out)
{
	struct xt_omemo_store *s = xt_malloc(sizeof *s);
	int rc;

	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	*out = NULL;
	if ((rc = store_dir(jid, s->dir, sizeof s->dir)) || (rc = make_private_dir(s->dir)) ||
	    (rc = lock_store(s))) {
		xt_omemo_store_close(s);
		return rc;
	}
	snprintf(s->path, sizeof s->path, "%s/omemo.json", s->dir);
	if ((rc = load(s, create))) {
		xt_omemo_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

const char *
xt_omemo_store_path(const struct xt_omemo_store *s)
{
	return s->path;
}

int
xt_omemo_store_save(struct xt_omemo_store *s)
{
	char tmp[4300];
	char *text = json_dumps(s->root, JSON_SORT_KEYS | JSON_INDENT(1));
	size_t len = text ? strlen(text) : 0;
	int fd, ok;

	if (!text)
		return xt_error(XT_EOS, "OMEMO state: out of memory");
	snprintf(tmp, sizeof tmp, "%s.%ld", s->path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	/* on disk before the rename: a crash must not leave an empty file */
	ok = ok && fsync(fd) == 0;
	ok = fd >= 0 && close(fd) == 0 && ok;
	memset(text, 0, len);
	free(text);
	if (!ok || rename(tmp, s->path) != 0) {
		int e = errno;
		unlink(tmp);
		return xt_error(XT_EIO, "OMEMO state %s cannot be written: %s", s->path, strerror(e));
	}
	return 0;
}

void
xt_omemo_store_close(struct xt_omemo_store *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	json_decref(s->root);
	free(s);
}

long long
xt_omemo_store_int(const struct xt_omemo_store *s, const char *name)
{
	return json_integer_value(json_object_get(s->root, name));
}

void
xt_omemo_store_set_int(struct xt_omemo_store *s, const char *name, long long v)
{
	json_object_set_new(s->root, name, json_integer(v));
}

/* The section's object, made when make is set. */
static json_t *
section(struct xt_omemo_store *s, const char *name, int make)
{
	json_t *o = json_object_get(s->root, name);

	if (!json_is_object(o) && make) {
		o = json_object();
		json_object_set_new(s->root, name, o);
	}
	return json_is_object(o) ? o : NULL;
}

char *
xt_b64_encode(const unsigned char *data, size_t len)
{
	char *out = xt_malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int
xt_b64_decode(const char *b64, unsigned char **data, size_t *len)
{
	size_t n = strlen(b64), pad = 0;
	int got;

	*data = NULL, *len = 0;
	/* EVP_DecodeBlock takes no whitespace and counts padding as data */
	if (n % 4 || n > (1u << 30) || strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"abcdefghijklmnopqrstuvwxyz0123456789+/=") != n)
		return -1;
	if (n && b64[n - 1] == '=')
		pad += 1 + (b64[n - 2] == '=');
	if (strcspn(b64, "=") < n - pad)
		return -1;
	*data = xt_malloc(n / 4 * 3 + 1);
	if ((got = EVP_DecodeBlock(*data, (const unsigned char *)b64, (int)n)) < 0) {
		free(*data);
		*data = NULL;
		return -1;
	}
	*len = (size_t)got - pad;
	return 0;
}

int
xt_omemo_store_get(struct xt_omemo_store *s, const char *sec, const char *key,
		   unsigned char **data, size_t *len)
{
	json_t *o = section(s, sec, 0);
	const char *b64 = o ? json_string_value(json_object_get(o, key)) : NULL;

	*data = NULL, *len = 0;
	if (!b64)
		return -1;
	if (xt_b64_decode(b64, data, len))
		return corrupted(s, "a value is not base64"), -1;
	return 0;
}

int
xt_omemo_store_has(struct xt_omemo_store *s, const char *sec, const char *key)
{
	json_t *o = section(s, sec, 0);

	return o && json_object_get(o, key) != NULL;
}

void
xt_omemo_store_put(struct xt_omemo_store *s, const char *sec, const char *key,
		   const unsigned char *data, size_t len)
{
	char *b64;

	if (!data) {
		json_t *o = section(s, sec, 0);
		if (o)
			json_object_del(o, key);
		return;
	}
	b64 = xt_b64_encode(data, len);
	json_object_set_new(section(s, sec, 1), key, json_string(b64));
	free(b64);
}

size_t
xt_omemo_store_keys(struct xt_omemo_store *s, const char *sec, const char *prefix,
		    void (*each)(const char *key, void *data), void *data)
{
	json_t *o = section(s, sec, 0), *v;
	const char *key;
	void *tmp;
	size_t n = 0, plen = strlen(prefix);

	if (!o)
		return 0;
	/* safe: each may remove the key it is given */
	json_object_foreach_safe(o, tmp, key, v) {
		if (strncmp(key, prefix, plen))
			continue;
		n++;
		if (each)
			each(key, data);
	}
	return n;
}
