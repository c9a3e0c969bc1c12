/* xmpp-s2s-probe - check a domain's federation as a remote server sees it */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <jansson.h>

#include "xt.h"

enum { O_JSON = 256, O_TEXT, O_C2S, O_FROM, O_CERT, O_KEY, O_CAFILE, O_CAPATH,
       O_DNS_SERVER, O_TRUST_ANCHOR, O_CONNECT, O_CONNECT_TIMEOUT, O_TIMEOUT, O_WARN_DAYS,
       O_NO_TLS_VERSIONS, O_STRICT, O_DIRECT_TLS, O_JOBS };

#define DEFAULT_ANCHOR "/usr/share/dns/root.key"
#define MAX_JOBS 64

static const struct xt_opt opts[] = {
	{ O_JSON, "json", NULL, "one JSON object per domain, one per line" },
	{ O_TEXT, "text", NULL, "a report for people (the default)" },
	{ O_C2S, "c2s", NULL, "also check the client SRV records" },
	{ O_FROM, "from", "DOMAIN", "open streams from DOMAIN (default: no from)" },
	{ O_CERT, "cert", "FILE", "with --from and --key: authenticate with SASL EXTERNAL" },
	{ O_KEY, "key", "FILE", "the private key of --cert" },
	{ O_CAFILE, "cafile", "FILE", "trust only the CA certificates in FILE" },
	{ O_CAPATH, "capath", "DIR", "trust only the hashed CA certificates in DIR" },
	{ O_DNS_SERVER, "dns-server", "HOST[:PORT]", "ask this resolver, not the system's" },
	{ O_TRUST_ANCHOR, "trust-anchor", "FILE", "DNSSEC trust anchors (default " DEFAULT_ANCHOR "; none: off)" },
	{ O_CONNECT, "connect", "HOST[:PORT]", "probe this server instead of the DNS targets" },
	{ O_DIRECT_TLS, "direct-tls", NULL, "with --connect: TLS from the first byte (XEP-0368)" },
	{ '4', "ipv4", NULL, "IPv4 only" },
	{ '6', "ipv6", NULL, "IPv6 only" },
	{ O_JOBS, "jobs", "N", "probe N domains at once (default 4)" },
	{ O_CONNECT_TIMEOUT, "connect-timeout", "S", "give up on any network step after S seconds (10)" },
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds (75; default: no limit)" },
	{ O_WARN_DAYS, "warn-days", "N", "warn when a certificate expires within N days (14)" },
	{ O_NO_TLS_VERSIONS, "no-tls-versions", NULL, "skip the check of which TLS versions are accepted" },
	{ O_STRICT, "strict", NULL, "count warnings as problems (exit 1)" },
	{ 0, NULL, NULL, NULL },
};

struct job {
	char *domain;
	unsigned long line;     /* on stdin, or 0 */
	json_t *report;
	int dns_failed;
	int done;
};

struct probe {
	struct xt_probe_opts o;
	const char *cafile, *capath, *cert, *key, *dns_server, *anchor, *connect;
	int json, no_versions, strict;
	int default_anchor;     /* the root's, not one given */
	long jobs;
	/* the work, shared with the workers */
	struct job *job;
	size_t njobs, next;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int bad_input;
};

static struct probe P = {
	.o = { .timeout = 10, .warn_days = 14 },
	.jobs = 4,
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

static long
number(const char *name, const char *arg, long min, long max)
{
	long v = xt_parse_number(arg, max);

	if (v < min)
		xt_die(XT_EUSAGE, "%s wants a number from %ld to %ld, got '%s' (see xmpp-s2s-probe --help)",
		       name, min, max, arg);
	return v;
}

static int
option(int id, const char *arg, void *data)
{
	struct probe *p = data;

	switch (id) {
	case O_JSON: p->json = 1; break;
	case O_TEXT: p->json = 0; break;
	case O_C2S: p->o.c2s = 1; break;
	case O_FROM: p->o.from = arg; break;
	case O_CERT: p->cert = arg; break;
	case O_KEY: p->key = arg; break;
	case O_CAFILE: p->cafile = arg; break;
	case O_CAPATH: p->capath = arg; break;
	case O_DNS_SERVER: p->dns_server = arg; break;
	case O_TRUST_ANCHOR: p->anchor = arg; break;
	case O_CONNECT: p->connect = arg; break;
	case O_DIRECT_TLS: p->o.connect_direct_tls = 1; break;
	case '4': p->o.family = AF_INET; break;
	case '6': p->o.family = AF_INET6; break;
	case O_JOBS: p->jobs = number("--jobs", arg, 1, MAX_JOBS); break;
	case O_CONNECT_TIMEOUT:
		p->o.timeout = number("--connect-timeout", arg, 1, 3600);
		break;
	case O_TIMEOUT: return xt_deadline_option(arg);
	case O_WARN_DAYS: p->o.warn_days = (int)number("--warn-days", arg, 0, 3650); break;
	case O_NO_TLS_VERSIONS: p->no_versions = 1; break;
	case O_STRICT: p->strict = 1; break;
	default: return XT_EUSAGE;
	}
	return 0;
}

/* -j is --jid in the other tools: one letter, one meaning (xmpp-tools(7)) */
static const struct xt_moved_short moved[] = {
	{ 'j', "use --jobs N (-j is --jid in the other tools)" },
	{ 0, NULL },
};

static const struct xt_tool tool = {
	"xmpp-s2s-probe",
	"[options] [DOMAIN...]",
	"Check how other XMPP servers see DOMAINs (else one per line on stdin):\n"
	"DNS, connection, TLS, certificate, DANE and authentication.",
	opts, option, &P, 1, moved,
};

/* --connect HOST[:PORT], [V6]:PORT */
static void
parse_connect(struct probe *p)
{
	char *host = NULL;
	unsigned short port = 5269;

	if (xt_parse_hostport(p->connect, &host, &port))
		xt_usage(&tool, "--connect wants HOST[:PORT], got '%s'", p->connect);
	p->o.connect_host = host;
	p->o.connect_port = port;
}

/* Returns NULL when the label characters of s are those of a host name
 * (RFC 1123, and '_' as some zones have), else why not. */
static const char *
bad_labels(const char *s, size_t len)
{
	size_t at, label = 0;

	for (at = 0; at < len; at++) {
		unsigned char c = (unsigned char)s[at];
		if (c == ':')
			return "has a port: give the domain alone (a server at another port: --connect HOST:PORT)";
		if (c == '.' && !label)
			return "has an empty label";
		if (c == '.') {
			label = 0;
			continue;
		}
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_')
			return "has characters a domain cannot have";
		if (++label > 63)
			return "has a label longer than 63 characters";
	}
	return NULL;
}

/* Returns NULL when s is a domain name we can probe, else why not: what a
 * resolver would refuse is bad input, not a DNS failure. */
static const char *
bad_domain(const char *s, size_t len)
{
	size_t at;

	if (!len)
		return "empty";
	if (len > 253)
		return "longer than 253 characters";
	if (xt_text_check(s, len, &at))
		return "not valid UTF-8 text";
	for (at = 0; at < len; at++)
		if ((unsigned char)s[at] >= 0x80)
			return "not ASCII: give an internationalized name in its A-label form (xn--...)";
	return bad_labels(s, len);
}

/* DNS names are case-insensitive, TLS server names are not always: the
 * stream's 'to' and the SNI go out in lower case. */
static char *
domain_copy(const char *s, size_t len)
{
	char *d;
	size_t i;

	/* the root's trailing dot is not part of the stream's 'to' */
	d = strndup(s, len && s[len - 1] == '.' ? len - 1 : len);
	if (!d)
		xt_die(XT_EOS, "out of memory");
	for (i = 0; d[i]; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	return d;
}

static void
add_job(struct probe *p, const char *s, size_t len, unsigned long line)
{
	const char *why = bad_domain(s, len);
	char head[90], *shown;

	if (why) {
		/* named, but not a whole megabyte of it */
		snprintf(head, sizeof head, "%.*s%s", (int)(len > 80 ? 80 : len), s,
			 len > 80 ? "..." : "");
		shown = xt_escaped(head);
		if (line)
			xt_error(XT_EDATA, "line %lu: '%s' is not a domain: %s", line, shown, why);
		else
			xt_error(XT_EDATA, "'%s' is not a domain: %s", shown, why);
		free(shown);
		p->bad_input = 1;
		return;
	}
	p->job = xt_realloc(p->job, (p->njobs + 1) * sizeof *p->job);
	memset(&p->job[p->njobs], 0, sizeof *p->job);
	p->job[p->njobs].domain = domain_copy(s, len);
	p->job[p->njobs++].line = line;
}

/* Drops the blanks around a line. */
static char *
trim(char *s, size_t *len)
{
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		s[--*len] = '\0';
	while (*len && (*s == ' ' || *s == '\t'))
		s++, (*len)--;
	return s;
}

/* One domain a line, to the end of the input (a pipe delivers it in
 * pieces; the last line may lack its newline). */
static void
read_domains(struct probe *p)
{
	struct xt_lines l = { .fd = 0 };
	size_t len;
	int toolong;
	char *s;

	while (!l.eof) {
		if (xt_lines_fill(&l) < 0)
			xt_die(XT_EIO, "reading the domains from standard input failed: %s",
			       strerror(errno));
		while ((s = xt_lines_next(&l, &len, &toolong))) {
			s = trim(s, &len);
			if (!len || *s == '#')
				continue;
			add_job(p, s, toolong ? XT_MAX_LINE : len, l.lineno);
		}
	}
	xt_lines_free(&l);
}

static struct xt_dns *
new_resolver(struct probe *p)
{
	char why[400];
	struct xt_dns *d = xt_dns_new(p->dns_server, p->anchor, p->o.timeout, why, sizeof why);

	if (!d)
		xt_die(p->dns_server ? XT_EUSAGE : XT_EUNAVAILABLE, "%s", why);
	return d;
}

/* Fails early on a resolver that cannot be set up. With the root's trust
 * anchor taken by default, a resolver that strips DNSSEC records would
 * make every answer bogus: then say so and go on without validation. */
static void
check_resolver(struct probe *p)
{
	struct xt_dns *d = new_resolver(p);
	struct xt_dns_answer a = { 0 };

	if (p->default_anchor && xt_dns_query(d, ".", XT_RR_NS, &a) == XT_DNS_FAIL && a.bogus) {
		xt_warn("the resolver %s does not pass DNSSEC records on: answers are not "
			"validated (use a validating resolver, or --trust-anchor none)",
			p->dns_server ? p->dns_server : "of /etc/resolv.conf");
		p->anchor = NULL;
	}
	xt_dns_answer_free(&a);
	xt_dns_free(d);
	p->o.dnssec = p->anchor != NULL;
}

/* Each worker has its own resolver and takes the next domain. */
static void *
worker(void *data)
{
	struct probe *p = data;
	struct xt_dns *dns = new_resolver(p);
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		j = p->next < p->njobs ? &p->job[p->next++] : NULL;
		pthread_mutex_unlock(&p->mu);
		if (!j)
			break;
		j->report = xt_probe(&p->o, dns, j->domain, &j->dns_failed);
		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	xt_dns_free(dns);
	return NULL;
}

/* ---- the text report ---- */

static void
print_checks(json_t *checks, const char *indent)
{
	size_t i;
	json_t *c;

	json_array_foreach(checks, i, c)
		printf("%s%-4s  %-15s %s\n", indent,
		       json_string_value(json_object_get(c, "status")),
		       json_string_value(json_object_get(c, "check")),
		       json_string_value(json_object_get(c, "message")));
}

/* The TLSA records that would match the certificates of a target's
 * addresses, each once: lines to paste in the zone. */
static void
print_tlsa_records(json_t *addresses)
{
	size_t i, k;
	json_t *a;

	json_array_foreach(addresses, i, a) {
		json_t *rec = json_object_get(json_object_get(a, "certificate"), "tlsa_record");
		for (k = 0; rec && k < i; k++)
			if (json_equal(rec, json_object_get(json_object_get(
					json_array_get(addresses, k), "certificate"), "tlsa_record")))
				break;
		if (rec && k == i)
			printf("    tlsa: %s\n", json_string_value(rec));
	}
}

/* One fix line a problem: " at TARGET ADDR, ADDR" where it was found. */
static void
print_fix(json_t *pr)
{
	const char *tg = json_string_value(json_object_get(pr, "target"));
	const char *fix = json_string_value(json_object_get(pr, "fix"));
	size_t i;
	json_t *a;

	printf("  fix %s", json_string_value(json_object_get(pr, "check")));
	if (tg)
		printf(" at %s", tg);
	json_array_foreach(json_object_get(pr, "addresses"), i, a)
		printf("%s%s", i ? ", " : " ", json_string_value(a));
	printf(": %s\n", fix ? fix : json_string_value(json_object_get(pr, "message")));
}

static void
print_text(json_t *r)
{
	json_t *t, *a, *pr;
	size_t i, k;

	printf("%s: %s\n", json_string_value(json_object_get(r, "domain")),
	       json_string_value(json_object_get(r, "status")));
	print_checks(json_object_get(r, "checks"), "  ");
	json_array_foreach(json_object_get(r, "targets"), i, t) {
		printf("  %s:%d (%s%s)\n", json_string_value(json_object_get(t, "host")),
		       (int)json_integer_value(json_object_get(t, "port")),
		       json_string_value(json_object_get(t, "source")),
		       json_is_true(json_object_get(t, "direct_tls")) ? ", direct TLS" : "");
		print_checks(json_object_get(t, "checks"), "    ");
		json_array_foreach(json_object_get(t, "addresses"), k, a) {
			printf("    %s\n", json_string_value(json_object_get(a, "address")));
			print_checks(json_object_get(a, "checks"), "      ");
		}
		print_tlsa_records(json_object_get(t, "addresses"));
	}
	json_array_foreach(json_object_get(r, "problems"), i, pr)
		print_fix(pr);
}

/* A failure, or with --strict a warning. */
static int
has_problem(const struct probe *p, json_t *r)
{
	const char *st = json_string_value(json_object_get(r, "status"));

	return !strcmp(st, "fail") || (p->strict && !strcmp(st, "warn"));
}

static int
print_report(struct probe *p, json_t *r)
{
	char *line;

	/* -q: only what needs fixing, for mail from cron */
	if (xt_quiet && !has_problem(p, r))
		return 0;
	if (!p->json) {
		print_text(r);
		return 0;
	}
	if (!(line = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return -1;
	puts(line);
	free(line);
	return 0;
}

/* Prints the reports in input order as they complete; returns the exit code. */
static int
report_all(struct probe *p)
{
	size_t i, problems = 0, dns_failed = 0;

	for (i = 0; i < p->njobs; i++) {
		pthread_mutex_lock(&p->mu);
		while (!p->job[i].done)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		problems += (size_t)has_problem(p, p->job[i].report);
		dns_failed += (size_t)p->job[i].dns_failed;
		print_report(p, p->job[i].report);
		fflush(stdout);
	}
	if (ferror(stdout))
		return xt_error(XT_EIO, "writing the report failed");
	if (p->njobs && dns_failed == p->njobs)
		return xt_error(XT_EUNAVAILABLE, "no DNS answer for any domain: check the resolver (%s)",
				p->dns_server ? p->dns_server : "/etc/resolv.conf; or use --dns-server");
	if (p->bad_input)
		return XT_EDATA;
	return problems ? 1 : 0;
}

static void
check_files(struct probe *p)
{
	const char *files[] = { p->cafile, p->cert, p->key };
	size_t i;

	if ((p->cert || p->key) && !(p->cert && p->key && p->o.from))
		xt_usage(&tool, "--cert and --key go together, with --from");
	for (i = 0; i < 3; i++)
		if (files[i] && access(files[i], R_OK))
			xt_die(XT_ENOINPUT, "cannot read %s: %s", files[i], strerror(errno));
	if (p->key && xt_check_private(p->key, "private key"))
		exit(XT_ECONFIG);
	if (p->capath && access(p->capath, R_OK | X_OK))
		xt_die(XT_ENOINPUT, "cannot read the directory %s: %s", p->capath, strerror(errno));
	if (!p->anchor && access(DEFAULT_ANCHOR, R_OK) == 0)
		p->anchor = DEFAULT_ANCHOR, p->default_anchor = 1;
	else if (p->anchor && !strcmp(p->anchor, "none"))
		p->anchor = NULL;
	else if (p->anchor && access(p->anchor, R_OK))
		xt_die(XT_ENOINPUT, "cannot read the trust anchor %s: %s", p->anchor, strerror(errno));
}

static void
make_tls(struct probe *p)
{
	char why[400];
	int v;

	p->o.tls = xt_probe_tls_ctx(-1, p->cafile, p->capath, p->cert, p->key, why, sizeof why);
	if (!p->o.tls)
		xt_die(XT_ECONFIG, "%s", why);
	p->o.auth = p->cert != NULL;
	for (v = 0; v < XT_TLS_VERSIONS && !p->no_versions; v++)
		p->o.versions[v] = xt_probe_tls_ctx(v, NULL, NULL, NULL, NULL, why, sizeof why);
}

/* --timeout: the workers block in DNS, TLS and HTTP, each bounded by
 * --connect-timeout only; the run's deadline ends the process wherever it
 * is, as curl's --max-time does. The message is made when armed. */
static char deadline_msg[256];

static void
deadline_fire(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(2, deadline_msg, strlen(deadline_msg));
	(void)n;
	_exit(XT_ETIMEOUT);
}

static void
arm_deadline(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	long ms = xt_deadline_left_ms();

	if (!xt_deadline_seconds())
		return;
	snprintf(deadline_msg, sizeof deadline_msg, "%s: the run's --timeout of %ld s "
		 "passed: stopped, the domains not reported yet were not checked\n",
		 xt_progname, xt_deadline_seconds());
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = deadline_fire;
	sigaction(SIGALRM, &sa, NULL);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000 + 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_JOBS];
	long i, nth;
	int first, rc;

	xt_init(argv[0]);
	first = xt_parse_options(&tool, NULL, argc, argv);
	arm_deadline();
	check_files(&P);
	if (P.connect)
		parse_connect(&P);
	if (P.o.connect_direct_tls && !P.connect)
		xt_usage(&tool, "--direct-tls goes with --connect");
	for (i = first; i < argc; i++)
		add_job(&P, argv[i], strlen(argv[i]), 0);
	if (first == argc)
		read_domains(&P);
	if (!P.njobs)
		return P.bad_input ? XT_EDATA : xt_error(XT_EUSAGE, "no domain given (see xmpp-s2s-probe --help)");
	check_resolver(&P); /* a bad --dns-server fails here, once */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	make_tls(&P);

	nth = P.jobs < (long)P.njobs ? P.jobs : (long)P.njobs;
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &P))
			xt_die(XT_EOS, "cannot start a thread");
	rc = report_all(&P);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);

	for (i = 0; i < (long)P.njobs; i++) {
		json_decref(P.job[i].report);
		free(P.job[i].domain);
	}
	free(P.job);
	for (i = 0; i < XT_TLS_VERSIONS; i++)
		SSL_CTX_free(P.o.versions[i]);
	SSL_CTX_free(P.o.tls);
	free((char *)P.o.connect_host);
	curl_global_cleanup();
	return rc;
}
