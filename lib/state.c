/* state.c - what the tools remember about an account between runs, under
 * $XDG_STATE_HOME/xmpp-tools (default ~/.local/state/xmpp-tools): one
 * directory per topic, one file per bare JID. Today: the SASL mechanism
 * an account logged in with, so that a server that later offers only
 * PLAIN (an impostor holding a valid certificate skips SCRAM's check of
 * the server that way) is refused, as go-sendxmpp does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xt.h"

/* The path of topic's file for jid, or -1 if there is no home to keep it
 * in. Each directory on the way is made (0700) when make is set. */
static int
state_path(const char *topic, const char *jid, int make, char *out, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *bare = xt_jid_normalize(jid), *p; /* one file for one JID (RFC 7622) */
	int n;

	bare[strcspn(bare, "/")] = '\0';
	if (xdg && *xdg == '/')
		n = snprintf(out, len, "%s/xmpp-tools/%s/%s", xdg, topic, bare);
	else if (home && *home == '/')
		n = snprintf(out, len, "%s/.local/state/xmpp-tools/%s/%s", home, topic, bare);
	else
		n = -1;
	free(bare);
	if (n < 0 || (size_t)n >= len || strstr(out, "/../"))
		return -1;
	for (p = strchr(out + 1, '/'); make && p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(out, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int
xt_state_get(const char *topic, const char *jid, char *out, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	if (state_path(topic, jid, 0, path, sizeof path) || !(f = fopen(path, "r")))
		return -1;
	ok = fgets(out, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int
xt_state_set(const char *topic, const char *jid, const char *value)
{
	char path[4096], tmp[4200];
	int fd, ok;

	if (state_path(topic, jid, 1, path, sizeof path))
		return -1;
	/* written whole, then renamed: a reader sees the old or the new */
	snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return -1;
	ok = dprintf(fd, "%s\n", value) > 0;
	ok &= close(fd) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
