/* opt.c - option tables: one parser, --help printed from the same table */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

#define MAX_OPTS 64

enum {
	O_PASSWORD_FILE = 1000, O_PASSWORD_CMD, O_DIRECT_TLS, O_CAFILE, O_CAPATH,
	O_INSECURE, O_RESOURCE, O_CONNECT_TIMEOUT, O_KEEPALIVE, O_PIN, O_ALLOW_PLAIN,
	O_TLS_MIN, O_CONFIRM_TIMEOUT,
};

/* Options every tool with an account takes: see xmpp-tools(7). */
static const struct xt_opt common_opts[] = {
	{ 'j', "jid", "JID", "account to use (else XMPP_JID or the config file)" },
	{ 'a', "account", "NAME", "use the config file's account NAME" },
	{ 'c', "config", "FILE", "config file (default $XDG_CONFIG_HOME/xmpp-tools/config)" },
	{ O_PASSWORD_FILE, "password-file", "FILE", "read the password from FILE's first line" },
	{ O_PASSWORD_CMD, "password-cmd", "CMD", "run CMD and read the password from its output" },
	{ 's', "server", "HOST[:PORT]", "connect to HOST instead of looking up DNS SRV" },
	{ O_DIRECT_TLS, "direct-tls", NULL, "use TLS from the first byte (XEP-0368), no STARTTLS" },
	{ O_CAFILE, "cafile", "FILE", "trust the CA certificates in FILE" },
	{ O_CAPATH, "capath", "DIR", "trust the hashed CA certificates in DIR" },
	{ O_PIN, "pin", "sha256:KEY", "trust only the server key with this SHA-256 (base64)" },
	{ O_TLS_MIN, "tls-min", "VERSION", "refuse TLS below VERSION: 1.2 (default) or 1.3" },
	{ O_INSECURE, "insecure", NULL, "do not verify the server's certificate (dangerous)" },
	{ O_ALLOW_PLAIN, "allow-plain", NULL, "allow SASL PLAIN (over TLS) after SCRAM worked before" },
	{ O_RESOURCE, "resource", "NAME", "resource to bind (default: the server picks)" },
	{ O_CONNECT_TIMEOUT, "connect-timeout", "S", "give up on any network step after S seconds (30)" },
	{ O_CONFIRM_TIMEOUT, "confirm-timeout", "S", "give up confirming once the server acknowledged nothing for S seconds (30)" },
	{ O_KEEPALIVE, "keepalive", "S", "check a quiet server after S seconds (60)" },
	{ 0, NULL, NULL, NULL },
};

/* Options every tool takes. */
static const struct xt_opt general_opts[] = {
	{ 'v', "verbose", NULL, "print the XML stream on stderr (secrets redacted)" },
	{ 'q', "quiet", NULL, "print nothing but errors" },
	{ 'h', "help", NULL, "print this help and exit" },
	{ 'V', "version", NULL, "print the version and exit" },
	{ 0, NULL, NULL, NULL },
};

static void
print_opts(FILE *f, const struct xt_opt *o)
{
	char left[64];

	for (; o && o->name; o++) {
		if (o->id < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
}

static void
print_synopsis(FILE *f, const struct xt_tool *t)
{
	const char *s = t->synopsis, *nl;
	const char *lead = "usage: ";

	do {
		nl = strchr(s, '\n');
		fprintf(f, "%s%s %.*s\n", lead, t->name,
			(int)(nl ? nl - s : (long)strlen(s)), s);
		lead = "       ";
		s = nl + 1;
	} while (nl && *s);
}

static void
help(const struct xt_tool *t)
{
	print_synopsis(stdout, t);
	printf("%s\n\nOptions:\n", t->summary);
	print_opts(stdout, t->opts);
	if (!t->no_account) {
		printf("\nAccount and connection:\n");
		print_opts(stdout, common_opts);
	}
	printf("\nOutput and help:\n");
	print_opts(stdout, general_opts);
	printf("\nExit status: 0 on success; the others are in xmpp-tools(7).\n"
	       "See %s(1).\n", t->name);
	exit(0);
}

void
xt_usage(const struct xt_tool *t, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	/* one line, as every error: what is wrong, and where to look */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (see %s --help)\n", t->name, buf, t->name);
	exit(XT_EUSAGE);
}

long
xt_parse_number(const char *s, long max)
{
	char *end;
	long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > max)
		return -1;
	return v;
}

int
xt_deadline_option(const char *arg)
{
	long v = xt_parse_number(arg, 1L << 30);

	if (v <= 0)
		return xt_error(XT_EUSAGE, "--timeout wants seconds, got '%s'", arg);
	/* counted from here: the run is its options, login and job */
	xt_deadline_set(v);
	return 0;
}

void
xt_msg_type_option(const struct xt_tool *t, const char *type, const char *hint)
{
	if (!xt_msg_type_ok(type))
		xt_usage(t, "--type wants " XT_MSG_TYPES ", got '%s'%s%s", type,
			 hint ? "; " : "", hint ? hint : "");
}

int
xt_encrypt_option(const char *method)
{
	if (strcmp(method, "omemo"))
		return xt_error(XT_EUSAGE, "--encrypt: want omemo, got '%s'", method);
	return 0;
}

int
xt_parse_priority(const char *s, int *prio)
{
	/* a leading '-' only: xt_parse_number takes no sign */
	long v = xt_parse_number(s && *s == '-' ? s + 1 : s, 128);

	if (v < 0 || (*s == '-' ? v > 128 : v > 127))
		return -1;
	*prio = *s == '-' ? (int)-v : (int)v;
	return 0;
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = xt_strdup(v);
}

int
xt_parse_hostport(const char *v, char **host, unsigned short *port)
{
	const char *colon = strrchr(v, ':');
	char *h;
	long p;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -1;
		h = strndup(v + 1, (size_t)(close - v - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon && strchr(v, ':') == colon) {
		h = strndup(v, (size_t)(colon - v));
	} else {
		/* no port, or a bare IPv6 address (which cannot carry one) */
		h = xt_strdup(v);
		colon = NULL;
	}
	if (!h || !*h || (colon && (p = xt_parse_number(colon + 1, 65535)) <= 0)) {
		free(h);
		return -1;
	}
	free(*host);
	*host = h;
	if (colon)
		*port = (unsigned short)p;
	return 0;
}

int
xt_parse_server(struct xt_account *a, const char *v)
{
	return xt_parse_hostport(v, &a->host, &a->port);
}

static int
general_option(const struct xt_tool *t, int id)
{
	switch (id) {
	case 'v': xt_verbose++; xt_quiet = 0; break;
	case 'q': xt_quiet = 1; xt_verbose = 0; break;
	case 'h': help(t); break;
	case 'V': printf("%s %s\n", t->name, XT_VERSION); exit(0);
	default: return -1;
	}
	return 0;
}

/* sha256:BASE64, or curl's sha256//BASE64; kept as sha256:BASE64. */
static int
parse_pin(struct xt_account *a, const char *v)
{
	const char *b64;
	size_t i;

	if (!strncmp(v, "sha256:", 7))
		b64 = v + 7;
	else if (!strncmp(v, "sha256//", 8))
		b64 = v + 8;
	else
		return -1;
	if (strlen(b64) != 44 || b64[43] != '=')
		return -1;
	for (i = 0; i < 43; i++)
		if (!isalnum((unsigned char)b64[i]) && b64[i] != '+' && b64[i] != '/')
			return -1;
	free(a->pin);
	a->pin = xt_malloc(7 + 45);
	snprintf(a->pin, 7 + 45, "sha256:%s", b64);
	return 0;
}

static int
common_option(const struct xt_tool *t, struct xt_account *a, int id,
	      const char *arg)
{
	if (!a)
		return -1;
	switch (id) {
	case 'j': set(&a->jid, arg); break;
	case 'a': set(&a->name, arg); break;
	case 'c': set(&a->config_path, arg); break;
	case O_PASSWORD_FILE: set(&a->password_file, arg); break;
	case O_PASSWORD_CMD: set(&a->password_cmd, arg); break;
	case 's':
		if (xt_parse_server(a, arg))
			xt_usage(t, "--server wants HOST[:PORT], got '%s'", arg);
		break;
	case O_DIRECT_TLS: a->direct_tls = 1; break;
	case O_CAFILE: set(&a->cafile, arg); break;
	case O_CAPATH: set(&a->capath, arg); break;
	case O_INSECURE: a->insecure = 1; break;
	case O_ALLOW_PLAIN: a->allow_plain = 1; break;
	case O_RESOURCE: set(&a->resource, arg); break;
	case O_CONNECT_TIMEOUT:
		a->connect_timeout = xt_parse_number(arg, 86400);
		if (a->connect_timeout <= 0)
			xt_usage(t, "--connect-timeout wants seconds, got '%s'", arg);
		break;
	case O_CONFIRM_TIMEOUT:
		a->confirm_timeout = xt_parse_number(arg, 86400);
		if (a->confirm_timeout <= 0)
			xt_usage(t, "--confirm-timeout wants seconds, got '%s'", arg);
		break;
	case O_KEEPALIVE:
		a->keepalive = xt_parse_number(arg, 86400);
		if (a->keepalive <= 0)
			xt_usage(t, "--keepalive wants seconds, got '%s'", arg);
		break;
	case O_TLS_MIN:
		if ((a->tls_min = xt_parse_tls_min(arg)) < 0)
			xt_usage(t, "--tls-min wants 1.2 or 1.3, got '%s'", arg);
		break;
	case O_PIN:
		if (parse_pin(a, arg))
			xt_usage(t, "--pin wants sha256:BASE64 (the 44 characters of "
				 "a SHA-256 in base64), got '%s'", arg);
		break;
	default: return -1;
	}
	return 0;
}

static size_t
count_opts(const struct xt_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* Fills getopt_long's tables from ours. */
static void
add_getopt(const struct xt_opt *o, struct option *lo, size_t *nlo,
	   char *shorts, size_t *ns)
{
	for (; o && o->name; o++) {
		lo[*nlo].name = o->name;
		lo[*nlo].has_arg = o->arg ? required_argument : no_argument;
		lo[*nlo].flag = NULL;
		lo[*nlo].val = o->id;
		(*nlo)++;
		if (o->id < 256) {
			shorts[(*ns)++] = (char)o->id;
			if (o->arg)
				shorts[(*ns)++] = ':';
		}
	}
}

/* Exits with what to use instead if letter is one of t's moved letters. */
static void
moved_short(const struct xt_tool *t, int letter)
{
	const struct xt_moved_short *m;

	for (m = t->moved; m && m->letter; m++)
		if (m->letter == letter)
			xt_usage(t, "unknown option '-%c': %s", letter, m->instead);
}

int
xt_parse_options(const struct xt_tool *t, struct xt_account *a, int argc,
		 char **argv)
{
	/* static: --help and usage errors exit from inside the loop */
	static struct option lo[MAX_OPTS + 1];
	static char shorts[3 * MAX_OPTS + 2];
	size_t nlo = 0, ns = 0;
	int id, rc;

	if (count_opts(t->opts) + count_opts(common_opts) +
	    count_opts(general_opts) > MAX_OPTS)
		xt_die(XT_ESOFTWARE, "too many options");
	shorts[ns++] = ':'; /* report a missing argument as ':' */
	add_getopt(t->opts, lo, &nlo, shorts, &ns);
	if (a)
		add_getopt(common_opts, lo, &nlo, shorts, &ns);
	add_getopt(general_opts, lo, &nlo, shorts, &ns);
	shorts[ns] = '\0';
	memset(&lo[nlo], 0, sizeof lo[nlo]);
	opterr = 0;
	if (a) {
		a->connect_timeout = 30;
		a->confirm_timeout = 30;
		a->keepalive = 60;
	}
	while ((id = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (id == '?') {
			const char *arg = argv[optind - 1];
			if (!strncmp(arg, "--", 2) && strchr(arg, '='))
				xt_usage(t, "option '%.*s' takes no argument", (int)(strchr(arg, '=') - arg), arg);
			if (!strncmp(arg, "--", 2))
				xt_usage(t, "unknown option '%s'", arg);
			moved_short(t, optopt);
			xt_usage(t, "unknown option '-%c'", optopt);
		}
		if (id == ':')
			xt_usage(t, "option '%s' needs an argument", argv[optind - 1]);
		if (general_option(t, id) == 0 || common_option(t, a, id, optarg) == 0)
			continue;
		if ((rc = t->option(id, optarg, t->data)))
			exit(rc);
	}
	return optind;
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
