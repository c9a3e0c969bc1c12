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
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds (watch: stop then)" },
	{ 0, NULL, NULL, NULL },
};

struct roster {
	char *name;
	char *groups[32];
	size_t ngroups;
	int prune, dry_run, text, text_set;
	long wait;
	struct xt_conn conn;
	/* pending: subscription requests seen */
	char **pending;
	size_t npending;
	int ping_done;
};

static struct roster R = { 0 };

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
		return xt_deadline_option(arg);
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
	return rc ? rc : xt_confirm_all(&r->conn);
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
	for (i = 0; i < r->npending && !xt_jid_equal(r->pending[i], bare); i++)
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
	rc = xt_wait(&r->conn, xt_stopped, NULL, 1L << 30);
	return xt_time_up(&r->conn, rc) ? 0 : rc ? xt_error(rc, "%s", r->conn.why) : 0;
}

/*
 * import: every line is checked before the roster is touched. A bad line
 * (malformed, an unknown field, an invalid JID, a contact given twice)
 * stops the import, but only once every line is read, so that all of them
 * can be fixed in one go. What cannot be a contact (a full JID, the
 * account's own) is left out with a warning and changes nothing.
 */
struct import {
	struct xt_roster in;
	unsigned long *line;    /* the input line of each item */
	struct xt_roster kept;  /* full JIDs skipped, as bare: --prune spares them */
	unsigned long bad;      /* bad lines */
	char first[400];        /* the first one's problem, said alone */
	unsigned long added, updated, removed;
};

/* A bad line: alone, its problem is the one error; with others, each is
 * said as it comes and the count ends the list. */
static void
bad_line(struct import *im, unsigned long lineno, const char *why)
{
	if (++im->bad == 1) {
		snprintf(im->first, sizeof im->first, "line %lu: %s", lineno, why);
		return;
	}
	if (im->bad == 2)
		xt_error(XT_EDATA, "%s", im->first);
	xt_error(XT_EDATA, "line %lu: %s", lineno, why);
}

/* Returns the index of jid among the items read, or -1. */
static long
find_item(const struct import *im, const char *jid)
{
	size_t i;

	for (i = 0; i < im->in.n; i++)
		if (xt_jid_equal(im->in.items[i].jid, jid))
			return (long)i;
	return -1;
}

/* Appends it to r, which takes it over. */
static void
append(struct xt_roster *r, const struct xt_roster_item *it)
{
	r->items = xt_realloc(r->items, (r->n + 1) * sizeof *r->items);
	r->items[r->n++] = *it;
}

/* One line of the input; returns -1 when the rest is not worth reading. */
static int
take_line(struct import *im, const char *line, size_t len, unsigned long lineno)
{
	struct xt_roster_item it;
	char why[300];
	long seen;
	int rc;

	if ((rc = xt_roster_item_from_json(line, len, &it, why, sizeof why))) {
		bad_line(im, lineno, why);
		return rc == -2 ? -1 : 0;
	}
	if (strchr(it.jid, '/')) {
		xt_warn("line %lu: field \"jid\": %s has a resource: a contact is a bare JID; "
			"line skipped", lineno, it.jid);
		*strchr(it.jid, '/') = '\0';
		append(&im->kept, &it);
		return 0;
	}
	if ((seen = find_item(im, it.jid)) >= 0) {
		snprintf(why, sizeof why, "field \"jid\": %s is on line %lu already",
			 it.jid, im->line[seen]);
		bad_line(im, lineno, why);
		xt_roster_item_free(&it);
		return 0;
	}
	im->line = xt_realloc(im->line, (im->in.n + 1) * sizeof *im->line);
	im->line[im->in.n] = lineno;
	append(&im->in, &it);
	return 0;
}

static int
read_import(struct import *im)
{
	struct xt_lines l = { .fd = 0 };
	char *line;
	size_t len;
	int toolong, stop = 0;

	while (!l.eof && !stop) {
		if (xt_lines_fill(&l) < 0) {
			xt_lines_free(&l);
			return xt_error(XT_EIO, "reading standard input failed");
		}
		while (!stop && (line = xt_lines_next(&l, &len, &toolong)))
			if (toolong)
				bad_line(im, l.lineno, "line too long");
			else if (len)
				stop = take_line(im, line, len, l.lineno) < 0;
	}
	xt_lines_free(&l);
	if (im->bad == 1)
		return xt_error(XT_EDATA, "%s: nothing imported", im->first);
	if (im->bad)
		return xt_error(XT_EDATA, "%lu bad lines: nothing imported", im->bad);
	return 0;
}

static void
free_import(struct import *im)
{
	xt_roster_free(&im->in);
	xt_roster_free(&im->kept);
	free(im->line);
}

/* The account's own JID is no contact (servers refuse it): left out. */
static void
skip_own(struct import *im, const char *own)
{
	size_t i, k = 0;

	for (i = 0; i < im->in.n; i++) {
		if (!xt_jid_bare_equal(im->in.items[i].jid, own)) {
			im->line[k] = im->line[i];
			im->in.items[k++] = im->in.items[i];
			continue;
		}
		xt_warn("line %lu: field \"jid\": %s is this account's own JID; line skipped",
			im->line[i], im->in.items[i].jid);
		xt_roster_item_free(&im->in.items[i]);
	}
	im->in.n = k;
}

static int
import_change(struct roster *r, struct import *im, const char *what,
	      const struct xt_roster_item *it)
{
	int rc = 0;

	if (r->dry_run)
		printf("%s %s\n", what, it->jid);
	else if (!strcmp(what, "remove"))
		rc = xt_roster_remove(&r->conn, it->jid);
	else
		rc = xt_roster_set(&r->conn, it);
	if (rc == 0)
		++*(what[0] == 'a' ? &im->added : what[0] == 'u' ? &im->updated : &im->removed);
	return rc;
}

/* What the import did (or, with --dry-run, would do), on stderr. */
static void
import_summary(const struct roster *r, const struct import *im)
{
	if (xt_quiet)
		return;
	if (r->dry_run)
		fprintf(stderr, "%s: dry run: %lu to add, %lu to update, %lu to remove\n",
			xt_progname, im->added, im->updated, im->removed);
	else
		fprintf(stderr, "%s: %lu added, %lu updated, %lu removed\n", xt_progname,
			im->added, im->updated, im->removed);
}

/* Contacts are matched as RFC 7622 compares JIDs: "Dave@Example.TEST" in
 * the input is the roster's dave@example.test, updated, never replaced. */
static int
cmd_import(struct roster *r, struct import *im)
{
	struct xt_roster cur;
	struct xt_roster_item *have, upd;
	size_t i;
	int rc;

	skip_own(im, r->conn.acct->jid);
	if ((rc = xt_roster_get(&r->conn, &cur)))
		return rc;
	for (i = 0; i < im->in.n && !rc; i++) {
		upd = im->in.items[i];
		if (!(have = xt_roster_find(&cur, upd.jid)))
			rc = import_change(r, im, "add", &upd);
		else if (!xt_roster_item_same(have, &upd)) {
			upd.jid = have->jid; /* the contact as the server spells it */
			rc = import_change(r, im, "update", &upd);
		}
	}
	for (i = 0; r->prune && i < cur.n && !rc; i++)
		if (!xt_roster_find(&im->in, cur.items[i].jid) &&
		    !xt_roster_find(&im->kept, cur.items[i].jid))
			rc = import_change(r, im, "remove", &cur.items[i]);
	import_summary(r, im);
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
	if (subcommands[k].njid)
		xt_warn_word_jid("contact", argv[i + 1]);
	return cmd;
}

static int
run(struct roster *r, const char *cmd, const char *jid, struct import *in)
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
	struct import in = { 0 };
	struct roster *r = &R;
	const char *cmd;
	int i, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	cmd = check_command(argc, argv, i);
	if (!r->text_set)
		r->text = isatty(1);
	if (!strcmp(cmd, "import") && (rc = read_import(&in))) {
		free_import(&in);
		xt_account_free(&acct);
		return rc;
	}
	xt_catch_stop_signals();
	if ((rc = xt_login(&r->conn, &acct))) {
		free_import(&in);
		return rc;
	}
	rc = run(r, cmd, i + 1 < argc ? argv[i + 1] : NULL, &in);
	if (rc == 0 && fflush(stdout) == EOF)
		rc = xt_error(XT_EIO, "writing standard output failed");
	xt_close(&r->conn);
	free_import(&in);
	xt_account_free(&acct);
	return rc;
}
