/* xmpp-check - is this account ready to rely on? One line per check. */
#include <stdlib.h>

#include "xt.h"

enum { O_JSON = 256, O_TIMEOUT };

static const struct xt_opt opts[] = {
	{ O_JSON, "json", NULL, "one JSON object per check: check, status, detail, fix" },
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds" },
	{ 0, NULL, NULL, NULL },
};

static int json;

static int
option(int id, const char *arg, void *data)
{
	(void)data;
	if (id == O_TIMEOUT)
		return xt_deadline_option(arg);
	json = 1;
	return 0;
}

static const struct xt_tool tool = {
	.name = "xmpp-check",
	.synopsis = "[options] [--json]",
	.summary = "Log in with the configured account and check what it relies on.",
	.opts = opts,
	.option = option,
};

/* "warn upload: ...; fix: ...", what the server said escaped. */
static void
print_text(const struct xt_check_line *l)
{
	char *detail = xt_escaped(l->detail), *fix = xt_escaped(l->fix);

	printf("%-4s %s: %s%s%s\n", xt_check_status_name(l->status), l->check, detail,
	       fix ? "; fix: " : "", fix ? fix : "");
	free(detail);
	free(fix);
}

static void
print_json(const struct xt_check_line *l)
{
	printf("{\"check\": \"%s\", \"status\": \"%s\", \"detail\": ", l->check,
	       xt_check_status_name(l->status));
	xt_print_json_string(l->detail);
	fputs(", \"fix\": ", stdout);
	if (l->fix)
		xt_print_json_string(l->fix);
	else
		fputs("null", stdout);
	puts("}");
}

/* Logs in; on success, checks what the session offers. */
static void
check_login(struct xt_checks *k, struct xt_account *a)
{
	struct xt_conn c;
	int rc;

	if ((rc = xt_connect(&c, a))) {
		xt_check_failed(k, "login", rc, c.why);
		return;
	}
	xt_check_session(k, &c);
	xt_close(&c);
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct xt_checks k = { 0 };
	int jid_given, rc;
	size_t i;

	xt_init(argv[0]);
	if (xt_parse_options(&tool, &acct, argc, argv) < argc)
		xt_usage(&tool, "xmpp-check takes no operands");
	jid_given = acct.jid != NULL;
	xt_check_start();
	if ((rc = xt_account_resolve(&acct)))
		xt_check_failed(&k, "account", rc, "no usable account: see the error above");
	else {
		xt_check_account(&k, &acct, jid_given);
		check_login(&k, &acct);
	}
	for (i = 0; i < k.n; i++)
		(json ? print_json : print_text)(&k.line[i]);
	rc = k.code;
	if (fflush(stdout) == EOF && !rc)
		rc = xt_error(XT_EIO, "writing standard output failed");
	xt_checks_free(&k);
	xt_account_free(&acct);
	return rc;
}
