/* xmpp-presence - set presence and keep it, or read contacts' presence */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

enum { O_SHOW = 256, O_STATUS, O_PRIORITY, O_FOR, O_ONCE, O_WAIT, O_COUNT,
       O_TIMEOUT, O_JSON, O_TEXT };

static const struct xt_opt opts[] = {
	{ O_SHOW, "show", "SHOW", "away, chat, dnd or xa (default: plain available)" },
	{ O_STATUS, "status", "TEXT", "status message" },
	{ O_PRIORITY, "priority", "N", "priority, -128 to 127 (default -1: take no messages)" },
	{ O_FOR, "for", "S", "keep the presence S seconds, then leave" },
	{ O_ONCE, "once", NULL, "send the presence and leave at once" },
	{ O_WAIT, "wait", "S", "get, probe: also wait S seconds for late answers" },
	{ 'n', "count", "N", "watch: stop after N presences" },
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds (watch: 75 if --count was not reached)" },
	{ O_JSON, "json", NULL, "JSON lines (default when not a terminal)" },
	{ O_TEXT, "text", NULL, "lines for people (default on a terminal)" },
	{ 0, NULL, NULL, NULL },
};

/* A presence seen: who (full JID) and the stanza. */
struct seen {
	char *from;
	xmpp_stanza_t *st;
};

struct presence {
	const char *show, *status, *priority;
	long for_s, wait, count;
	int once, text, text_set;
	struct xt_conn conn;
	struct seen *seen;
	size_t nseen;
	long printed;
};

static struct presence P = { .for_s = -1, .count = -1 };

static int
option(int id, const char *arg, void *data)
{
	struct presence *p = data;
	int prio;

	switch (id) {
	case O_SHOW:
		if (strcmp(arg, "away") && strcmp(arg, "chat") && strcmp(arg, "dnd") && strcmp(arg, "xa"))
			return xt_error(XT_EUSAGE, "--show wants away, chat, dnd or xa, got '%s'", arg);
		p->show = arg;
		break;
	case O_STATUS: p->status = arg; break;
	case O_PRIORITY:
		if (xt_parse_priority(arg, &prio))
			return xt_error(XT_EUSAGE, "--priority wants -128 to 127, got '%s'", arg);
		p->priority = arg;
		break;
	case O_FOR:
		if ((p->for_s = xt_parse_number(arg, 1L << 30)) <= 0)
			return xt_error(XT_EUSAGE, "--for wants seconds, got '%s'", arg);
		break;
	case O_ONCE: p->once = 1; break;
	case O_WAIT:
		if ((p->wait = xt_parse_number(arg, 3600)) < 0)
			return xt_error(XT_EUSAGE, "--wait wants seconds, got '%s'", arg);
		break;
	case 'n':
		if ((p->count = xt_parse_number(arg, 1L << 40)) <= 0)
			return xt_error(XT_EUSAGE, "--count wants a positive number, got '%s'", arg);
		break;
	case O_TIMEOUT:
		return xt_deadline_option(arg);
	case O_JSON: p->text = 0, p->text_set = 1; break;
	case O_TEXT: p->text = 1, p->text_set = 1; break;
	}
	return 0;
}

static const struct xt_tool tool = {
	.name = "xmpp-presence",
	.synopsis = "[options] [--show SHOW] [--status TEXT] [--priority N] [--for S|--once]\n"
		    "[options] get [JID...]\n"
		    "[options] watch [--count N] [--timeout S]\n"
		    "[options] probe JID",
	.summary = "Set an XMPP account's presence and keep it, or read its contacts' presence.",
	.opts = opts,
	.option = option,
	.data = &P,
};

/* --text: since when the contact is idle (XEP-0319) and when a presence
 * the server kept was sent (XEP-0203), in local time (xmpp-tools(7)); then
 * the line's end. */
static void
print_text_times(xmpp_stanza_t *st)
{
	xmpp_stanza_t *idle = st ? xmpp_stanza_get_child_by_name_and_ns(st, "idle", "urn:xmpp:idle:1") : NULL;
	xmpp_stanza_t *delay = st ? xmpp_stanza_get_child_by_name_and_ns(st, "delay", "urn:xmpp:delay") : NULL;
	char when[64];

	if (idle) {
		xt_stamp_local(xmpp_stanza_get_attribute(idle, "since"), when, sizeof when);
		printf(", idle since %s", when);
	}
	if (delay) {
		xt_stamp_local(xmpp_stanza_get_attribute(delay, "stamp"), when, sizeof when);
		printf(", sent %s", when);
	}
	putchar('\n');
}

/* Prints a presence (or, with st NULL, jid as unavailable). */
static void
print_presence(struct presence *p, xmpp_stanza_t *st, const char *jid)
{
	char *j, *show, *status;
	const char *from = st ? xmpp_stanza_get_from(st) : jid;
	const char *type = st ? xmpp_stanza_get_type(st) : "unavailable";
	xmpp_ctx_t *ctx = p->conn.ctx;

	if (!p->text) {
		j = xt_presence_to_json(st, jid, NULL);
		printf("%s\n", j);
		free(j);
	} else {
		show = st ? xt_child_text(st, "show") : NULL;
		status = st ? xt_child_text(st, "status") : NULL;
		printf("%s %s%s%s%s", from, type ? type : show ? show : "available",
		       status ? " (" : "", status ? status : "", status ? ")" : "");
		print_text_times(st);
		if (show) xmpp_free(ctx, show);
		if (status) xmpp_free(ctx, status);
	}
	if (fflush(stdout) == EOF)
		xt_stop = 1; /* the reader went away */
	p->printed++;
}

/* Remembers the latest presence of each full JID; unavailable forgets. */
static int
collect(xmpp_stanza_t *st, void *data)
{
	struct presence *p = data;
	const char *from = xmpp_stanza_get_from(st), *type = xmpp_stanza_get_type(st);
	size_t i;

	if (strcmp(xmpp_stanza_get_name(st), "presence") || !from ||
	    (type && strcmp(type, "unavailable")))
		return 0;
	for (i = 0; i < p->nseen && !xt_jid_equal(p->seen[i].from, from); i++)
		;
	if (i == p->nseen) {
		p->seen = xt_realloc(p->seen, (p->nseen + 1) * sizeof *p->seen);
		p->seen[p->nseen].from = xt_strdup(from);
		p->seen[p->nseen++].st = NULL;
	}
	if (p->seen[i].st)
		xmpp_stanza_release(p->seen[i].st);
	p->seen[i].st = xmpp_stanza_clone(st);
	return 1;
}

static void
free_seen(struct presence *p)
{
	size_t i;

	for (i = 0; i < p->nseen; i++) {
		free(p->seen[i].from);
		xmpp_stanza_release(p->seen[i].st);
	}
	free(p->seen);
}

/* Prints every resource of jid seen available, else jid as unavailable. */
static void
report(struct presence *p, const char *jid)
{
	size_t i, shown = 0;
	const char *type;

	for (i = 0; i < p->nseen; i++) {
		type = xmpp_stanza_get_type(p->seen[i].st);
		if (!xt_jid_matches(jid, p->seen[i].from) || (type && !strcmp(type, "unavailable")))
			continue;
		print_presence(p, p->seen[i].st, NULL);
		shown++;
	}
	if (!shown)
		print_presence(p, NULL, jid);
}

/* How long get and probe wait, after the server's confirmation, for
 * contacts of ours whose presence has not come yet: Prosody sends local
 * contacts' presence before it confirms ours (or our probe), ejabberd 23.01
 * routes the probes through each contact's session and confirms first. */
#define ANSWER_GRACE_S 2

/* What get or probe expects an answer from: jids, or (none given) the
 * roster. */
struct expected {
	struct presence *p;
	const struct xt_roster *ro;
	char **jids;
	int n;
};

/* jid answers a probe of ours: it is on the roster and we see its presence. */
static int
subscribed_to(const struct xt_roster *ro, const char *jid)
{
	struct xt_roster_item *it = xt_roster_find(ro, jid);

	return it && it->subscription &&
	       (!strcmp(it->subscription, "to") || !strcmp(it->subscription, "both"));
}

static int
answered(const struct presence *p, const char *jid)
{
	size_t i;

	for (i = 0; i < p->nseen; i++)
		if (xt_jid_matches(jid, p->seen[i].from))
			return 1;
	return 0;
}

static int
all_answered(void *data)
{
	const struct expected *e = data;
	size_t i;
	int k;

	for (k = 0; k < e->n; k++)
		if (subscribed_to(e->ro, e->jids[k]) && !answered(e->p, e->jids[k]))
			return 0;
	for (i = 0; e->n == 0 && i < e->ro->n; i++)
		if (subscribed_to(e->ro, e->ro->items[i].jid) && !answered(e->p, e->ro->items[i].jid))
			return 0;
	return 1;
}

/* Waits (ANSWER_GRACE_S at most) for the contacts e expects to answer. */
static void
await_answers(struct expected *e)
{
	if (!all_answered(e))
		xt_wait(&e->p->conn, all_answered, e, ANSWER_GRACE_S);
}

static int
cmd_get(struct presence *p, char **jids, int n)
{
	struct xt_roster ro;
	struct expected e = { p, &ro, jids, n };
	size_t i;
	int rc, k;

	if ((rc = xt_roster_get(&p->conn, &ro)))
		return rc;
	p->conn.on_stanza = collect;
	p->conn.on_stanza_data = p;
	rc = xt_go_online_quietly(&p->conn);
	if (!rc)
		await_answers(&e);
	if (!rc && p->wait > 0)
		xt_wait(&p->conn, xt_stopped, NULL, p->wait);
	for (k = 0; !rc && k < n; k++)
		report(p, jids[k]);
	for (i = 0; !rc && n == 0 && i < ro.n; i++)
		report(p, ro.items[i].jid);
	xt_roster_free(&ro);
	return rc;
}

static int
cmd_probe(struct presence *p, char *jid)
{
	xmpp_stanza_t *st;
	struct xt_roster ro;
	struct expected e = { p, &ro, &jid, 1 };
	int rc;

	if ((rc = xt_roster_get(&p->conn, &ro)))
		return rc;
	if (!subscribed_to(&ro, jid)) {
		xt_roster_free(&ro);
		return xt_error(XT_EDATA, "not subscribed to %s's presence: the server would not "
				"answer a probe (run: xmpp-roster subscribe %s)", jid, jid);
	}
	p->conn.on_stanza = collect;
	p->conn.on_stanza_data = p;
	st = xmpp_presence_new(p->conn.ctx);
	xmpp_stanza_set_type(st, "probe");
	xmpp_stanza_set_to(st, jid);
	rc = xt_send(&p->conn, st, NULL);
	xmpp_stanza_release(st);
	if (!rc)
		rc = xt_confirm_all(&p->conn);
	if (!rc)
		await_answers(&e);
	if (!rc && p->wait > 0)
		xt_wait(&p->conn, xt_stopped, NULL, p->wait);
	if (!rc)
		report(p, jid);
	xt_roster_free(&ro);
	return rc;
}

static int
print_each(xmpp_stanza_t *st, void *data)
{
	struct presence *p = data;
	const char *self = xmpp_conn_get_bound_jid(p->conn.xc), *from = xmpp_stanza_get_from(st);

	if (strcmp(xmpp_stanza_get_name(st), "presence") || xt_jid_equal(from, self))
		return 0;
	if (p->count < 0 || p->printed < p->count)
		print_presence(p, st, NULL);
	return 1;
}

static int
watch_done(void *data)
{
	struct presence *p = data;

	return xt_stop || (p->count >= 0 && p->printed >= p->count);
}

static int
cmd_watch(struct presence *p)
{
	int rc;

	if ((rc = xt_roster_follow(&p->conn, print_each, p)))
		return rc;
	if ((rc = xt_go_online_quietly(&p->conn)))
		return rc;
	xt_note("watching presence as %s; Ctrl-C to stop", xmpp_conn_get_bound_jid(p->conn.xc));
	rc = xt_wait(&p->conn, watch_done, p, 1L << 30);
	if (xt_time_up(&p->conn, rc) && p->count < 0)
		return 0;
	if (xt_time_up(&p->conn, rc))
		return xt_error(rc, "timed out after %ld s (--timeout) with %ld of %ld "
				"presences", xt_deadline_seconds(), p->printed, p->count);
	return rc ? xt_error(rc, "%s", p->conn.why) : 0;
}

/* The default: be online as asked until told to stop. */
static int
cmd_set(struct presence *p)
{
	xmpp_stanza_t *st = xmpp_presence_new(p->conn.ctx);
	int rc;

	if (p->show)
		xt_add_text_child(st, "show", p->show);
	if (p->status)
		xt_add_text_child(st, "status", p->status);
	/* -1 unless asked: this tool shows no messages, so the server must not
	 * hand it the account's messages (offline ones included) */
	xt_add_text_child(st, "priority", p->priority ? p->priority : "-1");
	if (p->priority && atoi(p->priority) >= 0)
		xt_warn("priority %s: messages to your bare JID may come to this session, "
			"which does not show them", p->priority);
	rc = xt_send(&p->conn, st, "presence");
	xmpp_stanza_release(st);
	if (!rc)
		rc = xt_confirm_all(&p->conn);
	if (rc || p->once)
		return rc;
	xt_note("online as %s (%s%s%s); Ctrl-C to go offline", xmpp_conn_get_bound_jid(p->conn.xc),
		p->show ? p->show : "available", p->status ? ": " : "", p->status ? p->status : "");
	rc = xt_wait(&p->conn, xt_stopped, NULL, p->for_s > 0 ? p->for_s : 1L << 30);
	return xt_time_up(&p->conn, rc) ? 0 : rc ? xt_error(rc, "%s", p->conn.why) : 0;
}

static const char *
check_command(struct presence *p, int argc, char **argv, int i)
{
	const char *cmd = i < argc ? argv[i] : "set", *why;
	int k, nargs = argc - i - (i < argc);

	if (strcmp(cmd, "set") && strcmp(cmd, "get") && strcmp(cmd, "watch") && strcmp(cmd, "probe"))
		xt_usage(&tool, "unknown subcommand '%s'", cmd);
	if ((!strcmp(cmd, "set") || !strcmp(cmd, "watch")) && nargs)
		xt_usage(&tool, "%s takes no JID", cmd);
	if (!strcmp(cmd, "probe") && nargs != 1)
		xt_usage(&tool, "probe needs one JID");
	if (p->once && p->for_s > 0)
		xt_usage(&tool, "--once and --for exclude each other");
	for (k = i + 1; k < argc; k++)
		if ((why = xt_jid_check(argv[k])))
			xt_die(XT_EUSAGE, "invalid JID '%s': %s", argv[k], why);
	return cmd;
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct presence *p = &P;
	const char *cmd;
	int i, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	cmd = check_command(p, argc, argv, i);
	if (!p->text_set)
		p->text = isatty(1);
	xt_catch_stop_signals();
	if ((rc = xt_login(&p->conn, &acct)))
		return rc;
	if (!strcmp(cmd, "get"))
		rc = cmd_get(p, argv + i + 1, argc - i - 1);
	else if (!strcmp(cmd, "watch"))
		rc = cmd_watch(p);
	else if (!strcmp(cmd, "probe"))
		rc = cmd_probe(p, argv[i + 1]);
	else
		rc = cmd_set(p);
	free_seen(p); /* stanzas belong to the connection's context */
	xt_close(&p->conn);
	xt_account_free(&acct);
	return rc;
}
