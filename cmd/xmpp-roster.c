/* xmpp-roster - contacts and subscriptions (RFC 6121) from the shell */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

#define NS_ROSTER "jabber:iq:roster"

enum { O_NAME = 256, O_GROUP, O_PRUNE, O_DRY_RUN, O_JSON, O_TEXT, O_WAIT,
       O_TIMEOUT };

static const struct xt_opt opts[] = {
	{ O_NAME, "name", "NAME", "the contact's name (add, set, subscribe)" },
	{ O_GROUP, "group", "GROUP", "put the contact in GROUP (repeatable; add, set, subscribe)" },
	{ O_PRUNE, "prune", NULL, "import: remove contacts the input lacks" },
	{ O_DRY_RUN, "dry-run", NULL, "import: print the changes, make none" },
	{ O_JSON, "json", NULL, "JSON lines (default when not a terminal)" },
	{ O_TEXT, "text", NULL, "an aligned table (default on a terminal)" },
	{ O_WAIT, "wait", "S", "pending: also wait S seconds for late requests (0)" },
	{ O_TIMEOUT, "timeout", "S", "watch: stop after S seconds" },
	{ 0, NULL, NULL, NULL },
};

struct roster {
	char *name;
	char *groups[32];
	size_t ngroups;
	int prune, dry_run, text, text_set;
	long wait, timeout;
	struct xt_conn conn;
	/* pending: subscription requests seen */
	char **pending;
	size_t npending;
	int ping_done;
};

static struct roster R = { .timeout = -1 };

static int
option(int id, const char *arg, void *data)
{
	struct roster *r = data;

	switch (id) {
	case O_NAME: r->name = (char *)arg; break;
	case O_GROUP:
		if (r->ngroups == 32)
			return xt_error(XT_EUSAGE, "too many --group (32 at most)");
		r->groups[r->ngroups++] = (char *)arg;
		break;
	case O_PRUNE: r->prune = 1; break;
	case O_DRY_RUN: r->dry_run = 1; break;
	case O_JSON: r->text = 0, r->text_set = 1; break;
	case O_TEXT: r->text = 1, r->text_set = 1; break;
	case O_WAIT:
		if ((r->wait = xt_parse_number(arg, 3600)) < 0)
			return xt_error(XT_EUSAGE, "--wait wants seconds, got '%s'", arg);
		break;
	case O_TIMEOUT:
		if ((r->timeout = xt_parse_number(arg, 1L << 30)) <= 0)
			return xt_error(XT_EUSAGE, "--timeout wants seconds, got '%s'", arg);
		break;
	}
	return 0;
}

static const struct xt_tool tool = {
	.name = "xmpp-roster",
	.synopsis = "[options] [list|export|pending|watch]\n"
		    "[options] add|set JID [--name NAME] [--group GROUP]...\n"
		    "[options] remove|subscribe|approve|deny|unsubscribe JID\n"
		    "[options] import [--prune] [--dry-run] < roster.json",
	.summary = "Manage an XMPP account's contacts and subscriptions.",
	.opts = opts,
	.option = option,
	.data = &R,
};

/* Characters, not bytes: UTF-8 continuation bytes take no column. */
static size_t
columns(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Prints s left-aligned in a column w characters wide, then two spaces. */
static void
cell(const char *s, size_t w)
{
	printf("%s%*s  ", s ? s : "", (int)(w - columns(s)), "");
}

/* The table's columns, for people. */
static void
print_table(const struct xt_roster *ro)
{
	size_t i, k, wj = 3, wn = 4;
	char sub[32];

	for (i = 0; i < ro->n; i++) {
		wj = columns(ro->items[i].jid) > wj ? columns(ro->items[i].jid) : wj;
		wn = columns(ro->items[i].name) > wn ? columns(ro->items[i].name) : wn;
	}
	cell("JID", wj);
	cell("NAME", wn);
	printf("%-12s GROUPS\n", "SUBSCRIPTION");
	for (i = 0; i < ro->n; i++) {
		const struct xt_roster_item *it = &ro->items[i];
		snprintf(sub, sizeof sub, "%s%s", it->subscription, it->ask ? "+ask" : "");
		cell(it->jid, wj);
		cell(it->name, wn);
		printf("%-12s ", sub);
		for (k = 0; k < it->ngroups; k++)
			printf("%s%s", k ? ", " : "", it->groups[k]);
		putchar('\n');
	}
}

static void
print_json(const struct xt_roster_item *it)
{
	char *j = xt_roster_item_to_json(it);

	printf("%s\n", j);
	free(j);
	/* a reader that went away (| head) ends a watch */
	if (fflush(stdout) == EOF)
		xt_stop = 1;
}

static int
cmd_list(struct roster *r, int force_json)
{
	struct xt_roster ro;
	size_t i;
	int rc;

	if ((rc = xt_roster_get(&r->conn, &ro)))
		return rc;
	if (r->text && !force_json)
		print_table(&ro);
	else
		for (i = 0; i < ro.n; i++)
			print_json(&ro.items[i]);
	xt_roster_free(&ro);
	return 0;
}

/* add: name and groups as given. */
static int
cmd_add(struct roster *r, const char *jid)
{
	struct xt_roster_item it = { .jid = (char *)jid, .name = r->name,
				     .groups = r->groups, .ngroups = r->ngroups };

	return xt_roster_set(&r->conn, &it);
}

/* set: what is given replaces what the contact has; the rest stays. */
static int
cmd_set(struct roster *r, const char *jid)
{
	struct xt_roster ro;
	struct xt_roster_item *it, upd;
	int rc;

	if ((rc = xt_roster_get(&r->conn, &ro)))
		return rc;
	if (!(it = xt_roster_find(&ro, jid))) {
		xt_roster_free(&ro);
		return xt_error(XT_EDATA, "%s is not in the roster (use: xmpp-roster add %s)", jid, jid);
	}
	upd = *it;
	if (r->name)
		upd.name = r->name;
	if (r->ngroups)
		upd.groups = r->groups, upd.ngroups = r->ngroups;
	rc = xt_roster_set(&r->conn, &upd);
	xt_roster_free(&ro);
	return rc;
}

static int
send_subscription(struct roster *r, const char *jid, const char *type)
{
	xmpp_stanza_t *p = xmpp_presence_new(r->conn.ctx);
	char label[300];
	int rc;

	xmpp_stanza_set_type(p, type);
	xmpp_stanza_set_to(p, jid);
	snprintf(label, sizeof label, "%s to %s", type, jid);
	rc = xt_send(&r->conn, p, label);
	xmpp_stanza_release(p);
	return rc ? rc : xt_confirm_all(&r->conn, r->conn.acct->connect_timeout);
}

/* subscribe: in the roster first (with --name/--group), then the request. */
static int
cmd_subscribe(struct roster *r, const char *jid)
{
	struct xt_roster ro;
	int rc;

	if ((rc = xt_roster_get(&r->conn, &ro)))
		return rc;
	if (!xt_roster_find(&ro, jid))
		rc = cmd_add(r, jid);
	else if (r->name || r->ngroups)
		rc = cmd_set(r, jid); /* like set: what is not given stays */
	xt_roster_free(&ro);
	return rc ? rc : send_subscription(r, jid, "subscribe");
}

/* pending: requests arrive after initial presence, those stored while we
 * were offline too; a ping answered after them marks the end of the burst. */
static int
on_subscribe(xmpp_stanza_t *st, void *data)
{
	struct roster *r = data;
	const char *type = xmpp_stanza_get_type(st), *from = xmpp_stanza_get_from(st);
	char *bare;
	size_t i;

	if (strcmp(xmpp_stanza_get_name(st), "presence") || !type || strcmp(type, "subscribe") || !from)
		return 0;
	bare = xt_jid_bare(from);
	for (i = 0; i < r->npending && strcmp(r->pending[i], bare); i++)
		;
	if (i < r->npending) {
		free(bare);
		return 1;
	}
	r->pending = xt_realloc(r->pending, (r->npending + 1) * sizeof *r->pending);
	r->pending[r->npending++] = bare;
	return 1;
}

static int
cmd_pending(struct roster *r)
{
	size_t i;
	int rc;

	/* the roster first: RFC 6121 ties "interested" resources to it; the
	 * requests come after presence, stored ones too */
	if ((rc = xt_roster_follow(&r->conn, on_subscribe, r)) ||
	    (rc = xt_go_online_quietly(&r->conn)))
		return rc;
	if (r->wait > 0)
		xt_wait(&r->conn, xt_stopped, NULL, r->wait);
	for (i = 0; i < r->npending; i++) {
		if (r->text)
			printf("%s\n", r->pending[i]);
		else {
			printf("{\"jid\":");
			xt_print_json_string(r->pending[i]);
			printf(",\"type\":\"subscribe\"}\n");
		}
		free(r->pending[i]);
	}
	free(r->pending);
	return 0;
}

/* watch: every roster push, as it comes. */
static int
on_push(xmpp_stanza_t *st, void *data)
{
	struct roster *r = data;
	xmpp_stanza_t *q, *item, *reply;
	struct xt_roster_item it;

	if (!xt_is_roster_push(&r->conn, st))
		return 0;
	q = xmpp_stanza_get_child_by_ns(st, NS_ROSTER);
	for (item = xmpp_stanza_get_children(q); item; item = xmpp_stanza_get_next(item)) {
		if (!xmpp_stanza_is_tag(item))
			continue;
		xt_roster_item_from_stanza(item, &it);
		print_json(&it);
		xt_roster_item_free(&it);
	}
	reply = xt_iq_result(&r->conn, st);
	xt_send(&r->conn, reply, NULL);
	xmpp_stanza_release(reply);
	return 1;
}

static int
cmd_watch(struct roster *r)
{
	int rc;

	if ((rc = xt_roster_follow(&r->conn, on_push, r)))
		return rc;
	rc = xt_wait(&r->conn, xt_stopped, NULL, r->timeout > 0 ? r->timeout : 1L << 30);
	return xt_time_up(&r->conn, rc) ? 0 : rc ? xt_error(rc, "%s", r->conn.why) : 0;
}

/* import: every line checked before the roster is touched. */
static int
read_import(struct xt_roster *in)
{
	struct xt_lines l = { .fd = 0 };
	struct xt_roster_item it;
	char *line, why[300];
	size_t len;
	int toolong, rc = 0;

	memset(in, 0, sizeof *in);
	while (!l.eof) {
		if (xt_lines_fill(&l) < 0) {
			rc = xt_error(XT_EIO, "reading standard input failed");
			break;
		}
		while ((line = xt_lines_next(&l, &len, &toolong))) {
			if (len == 0)
				continue;
			if (toolong || xt_roster_item_from_json(line, len, &it, why, sizeof why)) {
				rc = xt_error(XT_EDATA, "line %lu: %s: nothing imported", l.lineno,
					      toolong ? "line too long" : why);
				break;
			}
			in->items = xt_realloc(in->items, (in->n + 1) * sizeof *in->items);
			in->items[in->n++] = it;
		}
		if (rc)
			break;
	}
	xt_lines_free(&l);
	return rc;
}

static int
import_change(struct roster *r, const char *what, const struct xt_roster_item *it)
{
	if (r->dry_run) {
		printf("%s %s\n", what, it->jid);
		return 0;
	}
	return !strcmp(what, "remove") ? xt_roster_remove(&r->conn, it->jid)
				       : xt_roster_set(&r->conn, it);
}

static int
cmd_import(struct roster *r, struct xt_roster *in)
{
	struct xt_roster cur;
	struct xt_roster_item *have;
	size_t i;
	int rc;

	if ((rc = xt_roster_get(&r->conn, &cur)))
		return rc;
	for (i = 0; i < in->n && !rc; i++) {
		have = xt_roster_find(&cur, in->items[i].jid);
		if (!have)
			rc = import_change(r, "add", &in->items[i]);
		else if (!xt_roster_item_same(have, &in->items[i]))
			rc = import_change(r, "update", &in->items[i]);
	}
	for (i = 0; r->prune && i < cur.n && !rc; i++)
		if (!xt_roster_find(in, cur.items[i].jid))
			rc = import_change(r, "remove", &cur.items[i]);
	xt_roster_free(&cur);
	return rc;
}

/* The subcommands: name, how many JIDs they take. */
static const struct {
	const char *name;
	int njid;
} subcommands[] = {
	{ "list", 0 }, { "export", 0 }, { "import", 0 }, { "pending", 0 },
	{ "watch", 0 }, { "add", 1 }, { "set", 1 }, { "remove", 1 },
	{ "subscribe", 1 }, { "approve", 1 }, { "deny", 1 }, { "unsubscribe", 1 },
};

static const char *
check_command(int argc, char **argv, int i)
{
	const char *cmd = i < argc ? argv[i] : "list", *why;
	size_t k;

	for (k = 0; k < sizeof subcommands / sizeof subcommands[0]; k++)
		if (!strcmp(subcommands[k].name, cmd))
			break;
	if (k == sizeof subcommands / sizeof subcommands[0])
		xt_usage(&tool, "unknown subcommand '%s'", cmd);
	if (argc - i - (i < argc) != subcommands[k].njid)
		xt_usage(&tool, subcommands[k].njid ? "%s needs one JID" : "%s takes no JID", cmd);
	if (subcommands[k].njid && (why = xt_jid_check(argv[i + 1])))
		xt_die(XT_EUSAGE, "invalid JID '%s': %s", argv[i + 1], why);
	if (subcommands[k].njid && strchr(argv[i + 1], '/'))
		xt_die(XT_EUSAGE, "invalid JID '%s': contacts are bare JIDs, without a resource",
		       argv[i + 1]);
	return cmd;
}

static int
run(struct roster *r, const char *cmd, const char *jid, struct xt_roster *in)
{
	if (!strcmp(cmd, "list")) return cmd_list(r, 0);
	if (!strcmp(cmd, "export")) return cmd_list(r, 1);
	if (!strcmp(cmd, "import")) return cmd_import(r, in);
	if (!strcmp(cmd, "pending")) return cmd_pending(r);
	if (!strcmp(cmd, "watch")) return cmd_watch(r);
	if (!strcmp(cmd, "add")) return cmd_add(r, jid);
	if (!strcmp(cmd, "set")) return cmd_set(r, jid);
	if (!strcmp(cmd, "remove")) return xt_roster_remove(&r->conn, jid);
	if (!strcmp(cmd, "subscribe")) return cmd_subscribe(r, jid);
	if (!strcmp(cmd, "approve")) return send_subscription(r, jid, "subscribed");
	if (!strcmp(cmd, "deny")) return send_subscription(r, jid, "unsubscribed");
	return send_subscription(r, jid, "unsubscribe");
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct xt_roster in = { 0 };
	struct roster *r = &R;
	const char *cmd;
	int i, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	cmd = check_command(argc, argv, i);
	if (!r->text_set)
		r->text = isatty(1);
	if (!strcmp(cmd, "import") && (rc = read_import(&in))) {
		xt_roster_free(&in);
		xt_account_free(&acct);
		return rc;
	}
	xt_catch_stop_signals();
	if ((rc = xt_login(&r->conn, &acct))) {
		xt_roster_free(&in);
		return rc;
	}
	rc = run(r, cmd, i + 1 < argc ? argv[i + 1] : NULL, &in);
	if (rc == 0 && fflush(stdout) == EOF)
		rc = xt_error(XT_EIO, "writing standard output failed");
	xt_close(&r->conn);
	xt_roster_free(&in);
	xt_account_free(&acct);
	return rc;
}
