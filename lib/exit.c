/* exit.c - diagnostics and the one exit-code scheme */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

const char *xt_progname = "xmpp-tools";
int xt_quiet;
int xt_verbose;

void
xt_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	xt_progname = slash ? slash + 1 : argv0;
	/* libstrophe writes with send(2)/SSL_write without MSG_NOSIGNAL: a
	 * write after the server closed the socket would kill us silently. */
	signal(SIGPIPE, SIG_IGN);
	xt_harden();
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* format(printf, 2, 0): clang's -Wformat=2 wants to know fmt is one */
static void __attribute__((format(printf, 2, 0)))
vmessage(const char *prefix, const char *fmt, va_list ap)
{
	static int escaping;
	char buf[2048], *safe = NULL;

	vsnprintf(buf, sizeof buf, fmt, ap);
	/* Messages carry what servers say (error texts, certificate names,
	 * URLs): escaped, no control character reaches the terminal and no
	 * newline forges a line of its own. Only xt_escaped running out of
	 * memory comes back here: that message is ours, and goes as it is. */
	if (!escaping) {
		escaping = 1;
		safe = xt_escaped(buf);
		escaping = 0;
	}
	fprintf(stderr, "%s: %s%s\n", xt_progname, prefix, safe ? safe : buf);
	free(safe);
}

int
xt_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	return code;
}

void
xt_warn(const char *fmt, ...)
{
	va_list ap;

	if (xt_quiet)
		return;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

/* A person at a terminal wants to know that the tool is up and what
 * stops it; a script reading stderr does not: nothing there, nor with -q. */
void
xt_note(const char *fmt, ...)
{
	va_list ap;

	if (xt_quiet || !isatty(2))
		return;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void
xt_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	exit(code);
}

const char *
xt_exit_name(int code)
{
	switch (code) {
	case XT_OK: return "ok";
	case XT_EPROBLEM: return "problem";
	case XT_EUSAGE: return "usage";
	case XT_EDATA: return "bad-input";
	case XT_ENOINPUT: return "no-input";
	case XT_EUNAVAILABLE: return "unreachable";
	case XT_ESOFTWARE: return "internal";
	case XT_EOS: return "os";
	case XT_EIO: return "io";
	case XT_ETIMEOUT: return "timeout";
	case XT_EPROTOCOL: return "protocol";
	case XT_EAUTH: return "auth";
	case XT_ECONFIG: return "config";
	case XT_ETLS: return "tls";
	case XT_EPARTIAL: return "partial";
	case XT_ENOKEY: return "no-key";
	}
	return "unknown";
}

void *
xt_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xt_die(XT_EOS, "out of memory");
	return p;
}

void *
xt_zalloc(size_t n)
{
	return memset(xt_malloc(n), 0, n);
}

void *
xt_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xt_die(XT_EOS, "out of memory");
	return p;
}

char *
xt_strdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		xt_die(XT_EOS, "out of memory");
	return d;
}
