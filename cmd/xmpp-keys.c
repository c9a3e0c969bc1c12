/* xmpp-keys - the account's OMEMO device and its contacts' devices
 * (XEP-0384, legacy eu.siacs.conversations.axolotl) from the shell */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

enum { O_JSON = 256, O_TEXT, O_TIMEOUT };

static const struct xt_opt opts[] = {
	{ O_JSON, "json", NULL, "list: one JSON object a device (default when not a terminal)" },
	{ O_TEXT, "text", NULL, "list: one line a device (default on a terminal)" },
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds" },
	{ 0, NULL, NULL, NULL },
};

struct keys {
	int text, text_set;
	struct xt_conn conn;
	struct xt_omemo *omemo;
};

static struct keys K = { 0 };

static int
option(int id, const char *arg, void *data)
{
	struct keys *k = data;

	switch (id) {
	case O_JSON: k->text = 0, k->text_set = 1; break;
	case O_TEXT: k->text = 1, k->text_set = 1; break;
	case O_TIMEOUT: return xt_deadline_option(arg);
	}
	return 0;
}

static const struct xt_tool tool = {
	.name = "xmpp-keys",
	.synopsis = "[options] init\n"
		    "[options] list [JID...]",
	.summary = "Create, publish and list OMEMO devices and their fingerprints.",
	.opts = opts,
	.option = option,
	.data = &K,
};

/* init: the device made once (kept after that), then published: the
 * bundle, and the device list with ours added to those already there. */
static int
cmd_init(struct keys *k)
{
	int rc;
	char *fp;

	if ((rc = xt_omemo_open(k->conn.acct->jid, 1, &k->omemo)) ||
	    (rc = xt_omemo_publish(&k->conn, k->omemo)))
		return rc;
	fp = xt_omemo_own_fingerprint(k->omemo);
	if (!xt_quiet)
		fprintf(stderr, "%s: device %lu published, fingerprint %s\n", xt_progname,
			xt_omemo_device_id(k->omemo), fp ? fp : "?");
	free(fp);
	return 0;
}

/* One device of jid as a line or a JSON object; fp NULL when its bundle
 * is not usable (why says what is wrong). */
static void
print_device(const struct keys *k, const char *jid, unsigned long id, const char *fp,
	     const char *why, int ours)
{
	if (k->text) {
		char *safe = xt_escaped(why); /* the peer's words, escaped */
		printf("%s %lu %s%s", jid, id, fp ? fp : "-", ours ? " (this device)" : "");
		printf(safe ? " (no usable bundle: %s)\n" : "\n", safe);
		free(safe);
		return;
	}
	printf("{\"jid\":");
	xt_print_json_string(jid);
	printf(",\"device\":%lu,\"fingerprint\":", id);
	if (fp)
		xt_print_json_string(fp);
	else
		printf("null,\"error\":"), xt_print_json_string(why);
	printf(",\"this_device\":%s}\n", ours ? "true" : "false");
}

/* Every device jid lists, with its bundle's fingerprint. */
static int
list_jid(struct keys *k, const char *jid, int own)
{
	unsigned long *ids;
	size_t n, i;
	int rc;

	if ((rc = xt_omemo_fetch_devices(&k->conn, own ? NULL : jid, &ids, &n)))
		return xt_error(rc, "%s's devices: %s", jid, k->conn.why);
	for (i = 0; i < n; i++) {
		struct xt_omemo_bundle b;
		char *fp = NULL;

		if ((rc = xt_omemo_fetch_bundle(&k->conn, own ? NULL : jid, ids[i], &b)) &&
		    rc != XT_ENOKEY)
			break;
		if (!rc)
			fp = xt_omemo_fingerprint(b.identity, b.identity_len);
		print_device(k, jid, ids[i], fp, rc ? k->conn.why : NULL,
			     own && ids[i] == xt_omemo_device_id(k->omemo));
		free(fp);
		xt_omemo_bundle_free(&b);
		rc = 0;
	}
	free(ids);
	return rc ? xt_error(rc, "%s's devices: %s", jid, k->conn.why) : 0;
}

/* list: our own devices, or those of the JIDs given. */
static int
cmd_list(struct keys *k, char **jids, int n)
{
	char *own = xt_jid_bare(k->conn.acct->jid);
	int rc, i;

	if ((rc = xt_omemo_open(own, -1, &k->omemo)) == 0)
		rc = n ? 0 : list_jid(k, own, 1);
	for (i = 0; i < n && !rc; i++)
		rc = list_jid(k, jids[i], xt_jid_bare_equal(jids[i], own));
	free(own);
	return rc;
}

static void
check_operands(int argc, char **argv, int i)
{
	int j;

	if (i >= argc)
		xt_usage(&tool, "which command? (init or list)");
	if (!strcmp(argv[i], "init") && i + 1 < argc)
		xt_usage(&tool, "init takes no operand");
	if (strcmp(argv[i], "init") && strcmp(argv[i], "list"))
		xt_usage(&tool, "unknown command '%s' (init or list)", argv[i]);
	for (j = i + 1; j < argc; j++)
		if (xt_jid_check(argv[j]))
			xt_usage(&tool, "'%s' is not a JID: %s", argv[j], xt_jid_check(argv[j]));
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct keys *k = &K;
	int i, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	check_operands(argc, argv, i);
	if (!k->text_set)
		k->text = isatty(1);
	xt_catch_stop_signals();
	if ((rc = xt_login(&k->conn, &acct)))
		return rc;
	if (!strcmp(argv[i], "init"))
		rc = cmd_init(k);
	else
		rc = cmd_list(k, argv + i + 1, argc - i - 1);
	if (rc == 0 && fflush(stdout) == EOF)
		rc = xt_error(XT_EIO, "writing standard output failed");
	xt_omemo_close(k->omemo);
	xt_close(&k->conn);
	xt_account_free(&acct);
	return rc;
}
