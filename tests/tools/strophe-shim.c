/* strophe-shim.c - a libstrophe that differs from the one installed, for
 * tests/56-hostile.bats: preloaded (LD_PRELOAD) into a tool, which is
 * itself the one built, unchanged. It plays what a release of libstrophe
 * other than the one the tool was built with could do:
 *   REWORD_HIDE=PREFIX  every log line starting with PREFIX is hidden from
 *                       the tool's logger, as a release that words that
 *                       line otherwise would ("Subject=", "RECV: <success")
 *   STROPHE_MINOR=N     xmpp_version_check answers as libstrophe 0.N does
 *                       (true when the minor asked is at least N)
 * Built by the tests: cc -shared -fPIC -o shim.so strophe-shim.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

static xmpp_log_t wrapped;
static const xmpp_log_t *inner;

static void
hide(void *data, xmpp_log_level_t level, const char *area, const char *msg)
{
	const char *prefix = getenv("REWORD_HIDE");

	(void)data;
	if (prefix && *prefix && !strncmp(msg, prefix, strlen(prefix)))
		return;
	inner->handler(inner->userdata, level, area, msg);
}

xmpp_ctx_t *
xmpp_ctx_new(const xmpp_mem_t *mem, const xmpp_log_t *log)
{
	xmpp_ctx_t *(*real_new)(const xmpp_mem_t *, const xmpp_log_t *);

	*(void **)&real_new = dlsym(RTLD_NEXT, "xmpp_ctx_new");
	if (!log || !log->handler)
		return real_new(mem, log);
	inner = log;
	wrapped.handler = hide;
	return real_new(mem, &wrapped);
}

int
xmpp_version_check(int major, int minor)
{
	const char *fake = getenv("STROPHE_MINOR");
	int (*real_check)(int, int);

	if (fake && *fake)
		return major == 0 && minor >= atoi(fake);
	*(void **)&real_check = dlsym(RTLD_NEXT, "xmpp_version_check");
	return real_check(major, minor);
}
