/* xmpp-listen - print incoming stanzas as JSON lines, XML or text */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xt.h"

#define NS_CARBONS "urn:xmpp:carbons:2"
#define NS_FORWARD "urn:xmpp:forward:0"

enum format { TEXT, JSON, XML };
enum { O_JSON = 256, O_XML, O_TEXT, O_FULL, O_FROM, O_TYPE, O_KIND, O_COUNT,
       O_TIMEOUT, O_SINCE, O_EXEC, O_NO_PRESENCE,
       O_NO_CARBONS, O_RECONNECT, O_PRIORITY, O_OFFLINE };

static const struct xt_opt opts[] = {
	{ O_JSON, "json", NULL, "one JSON object per line (default when not a terminal)" },
	{ O_XML, "xml", NULL, "raw stanzas, one per line" },
	{ O_TEXT, "text", NULL, "lines for people (default on a terminal)" },
	{ O_FULL, "full", NULL, "add the raw stanza as \"xml\" to each JSON object" },
	{ O_FROM, "from", "JID", "only stanzas from JID (bare: any resource; repeatable)" },
	{ O_TYPE, "type", "TYPE", "only stanzas of this type (chat, groupchat, ...)" },
	{ O_KIND, "kind", "KIND", "message, presence or iq (default: message and presence)" },
	{ 'n', "count", "N", "exit after printing N stanzas" },
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds (75 if --count was not reached)" },
	XT_ROOM_OPTS("join the room ROOM (repeatable)"),
	{ O_SINCE, "since", "TIME", "first print archived messages since TIME (MAM)" },
	{ O_EXEC, "exec", "CMD", "run CMD for each message, its JSON on standard input" },
	{ O_NO_PRESENCE, "no-presence", NULL, "do not send presence: stay invisible" },
	{ O_PRIORITY, "priority", "N", "presence priority, -128 to 127 (default -1: take no "
	  "stored messages)" },
	{ O_OFFLINE, "offline", NULL, "take the messages kept offline (deleting them there) and "
	  "those to the bare JID" },
	{ O_NO_CARBONS, "no-carbons", NULL, "do not ask for copies of other clients' messages" },
	{ O_RECONNECT, "reconnect", NULL, "after a lost connection, reconnect and catch up from the archive" },
	{ 0, NULL, NULL, NULL },
};

struct listen {
	enum format format;
	int format_set, full, presence, carbons;
	int priority, priority_set, offline;
	const char *from[16];
	size_t nfrom;
	const char *type;
	const char *kind;
	long count;
	struct xt_rooms rooms;
	const char *since, *exec;
	char since_stamp[64];
	long printed;
	int output_error;
	int reconnect;
	char *self;               /* our bare JID */
	char *last_id;            /* archive id of the last message printed */
	char started[64];         /* when listening began (XEP-0082) */
	struct xt_seen *seen;     /* ids printed: a message is printed once */
	unsigned long dups;       /* messages not printed again */
	unsigned long not_run;    /* messages --exec's command did not get */
	struct xt_conn conn;
};

static struct listen L = { .count = -1, .presence = 1, .carbons = 1,
			  .priority = -1 };

/* A type some stanza has (RFC 6120 8.2.3, RFC 6121 4.7.1 and 5.2.2): a
 * typo would filter out everything, silently. */
static int
known_type(const char *type)
{
	static const char *const known[] = {
		"chat", "normal", "headline", "groupchat", "error", "available",
		"unavailable", "subscribe", "subscribed", "unsubscribe",
		"unsubscribed", "probe", "get", "set", "result", NULL
	};
	size_t i;

	for (i = 0; known[i]; i++)
		if (!strcmp(type, known[i]))
			return 1;
	return 0;
}

static int
option(int id, const char *arg, void *data)
{
	struct listen *l = data;

	if (xt_rooms_option(&l->rooms, id, arg))
		return 0;
	switch (id) {
	case O_JSON: l->format = JSON, l->format_set = 1; break;
	case O_XML: l->format = XML, l->format_set = 1; break;
	case O_TEXT: l->format = TEXT, l->format_set = 1; break;
	case O_FULL: l->full = 1; break;
	case O_FROM:
		if (l->nfrom == 16 || xt_jid_check(arg))
			return xt_error(XT_EUSAGE, "--from: invalid or too many JIDs: '%s'", arg);
		l->from[l->nfrom++] = arg;
		break;
	case O_TYPE:
		if (!known_type(arg))
			return xt_error(XT_EUSAGE, "--type wants a stanza type (chat, normal, "
					"headline, groupchat, error; available, unavailable, "
					"subscribe...; get, set, result), got '%s'", arg);
		l->type = arg;
		break;
	case O_KIND:
		if (strcmp(arg, "message") && strcmp(arg, "presence") && strcmp(arg, "iq"))
			return xt_error(XT_EUSAGE, "--kind wants message, presence or iq, got '%s'", arg);
		l->kind = arg;
		break;
	case 'n':
		if ((l->count = xt_parse_number(arg, 1L << 40)) <= 0)
			return xt_error(XT_EUSAGE, "--count wants a positive number, got '%s'", arg);
		break;
	case O_TIMEOUT:
		return xt_deadline_option(arg);
	case O_SINCE: l->since = arg; break;
	case O_EXEC: l->exec = arg; break;
	case O_NO_PRESENCE: l->presence = 0; break;
	case O_NO_CARBONS: l->carbons = 0; break;
	case O_RECONNECT: l->reconnect = 1; break;
	case O_PRIORITY:
		if (xt_parse_priority(arg, &l->priority))
			return xt_error(XT_EUSAGE, "--priority wants -128 to 127, got '%s'", arg);
		l->priority_set = 1;
		break;
	case O_OFFLINE: l->offline = 1; break;
	}
	return 0;
}

/* The presence's priority, from --priority and --offline, or why they do
 * not go together. A negative priority (the default) makes the server
 * keep what it stored offline, and messages to the bare JID, for the
 * account's real clients (RFC 6121 4.7.2.3, 8.5.2.1.1); 0 or more takes
 * them, and the server deletes what it hands over. */
static const char *
presence_refusal(struct listen *l)
{
	if ((l->offline || l->priority_set) && !l->presence)
		return "--offline and --priority need presence: drop --no-presence";
	if (l->offline && l->priority_set && l->priority < 0)
		return "--offline takes the stored messages at priority 0 or more: "
		       "drop the negative --priority";
	if (l->offline && !l->priority_set)
		l->priority = 0;
	return NULL;
}

static const struct xt_tool tool = {
	.name = "xmpp-listen",
	.synopsis = "[options] [--count N] [--timeout S] [--from JID] [--muc ROOM] [--offline]",
	.summary = "Print incoming XMPP stanzas as JSON lines, raw XML or text, as they arrive.",
	.opts = opts,
	.option = option,
	.data = &L,
};

static int
from_matches(const struct listen *l, const char *from)
{
	size_t i;

	if (l->nfrom == 0)
		return 1;
	for (i = 0; from && i < l->nfrom; i++)
		if (xt_jid_matches(l->from[i], from))
			return 1;
	return 0;
}

static int
wanted(const struct listen *l, xmpp_stanza_t *st)
{
	const char *name = xmpp_stanza_get_name(st), *type = xmpp_stanza_get_type(st);
	const char *from = xmpp_stanza_get_from(st);
	const char *self = xmpp_conn_get_bound_jid(l->conn.xc);

	/* the server reflects our own presence back: not news */
	if (!strcmp(name, "presence") && xt_jid_equal(from, self))
		return 0;
	if (l->kind ? strcmp(name, l->kind) : !strcmp(name, "iq"))
		return 0;
	if (l->type && (type ? strcmp(type, l->type) : strcmp(l->type, name[0] == 'm' ? "normal" : "available")))
		return 0;
	return from_matches(l, from);
}

/* Raw XML, one stanza per line: newlines in text become &#10;. */
static void
print_xml(xmpp_stanza_t *st)
{
	char *buf, *p;
	size_t len;

	if (xmpp_stanza_to_text(st, &buf, &len) != 0)
		return;
	for (p = buf; *p; p++) {
		if (*p == '\n')
			fputs("&#10;", stdout);
		else if (*p == '\r')
			fputs("&#13;", stdout);
		else
			putchar(*p);
	}
	putchar('\n');
	xmpp_free(xmpp_stanza_get_context(st), buf);
}

/* The text of child name of st, escaped for a terminal (lines: newlines
 * kept, continuation lines indented); NULL if there is none. */
static char *
escaped_child(xmpp_stanza_t *st, const char *name, int lines)
{
	char *raw = xt_child_text(st, name), *text;

	if (!raw)
		return NULL;
	text = lines ? xt_escaped_lines(raw, "  ") : xt_escaped(raw);
	xmpp_free(xmpp_stanza_get_context(st), raw);
	return text;
}

/* When, in local time with its offset (xmpp-tools(7)): a delayed or
 * archived stanza shows when it was sent, any other when it came. */
static void
text_stamp(xmpp_stanza_t *st, char *buf, size_t len)
{
	xmpp_stanza_t *delay = xmpp_stanza_get_child_by_name_and_ns(st, "delay", "urn:xmpp:delay");

	if (delay)
		xt_stamp_local(xmpp_stanza_get_attribute(delay, "stamp"), buf, len);
	else
		xt_local_time(time(NULL), buf, len);
}

static void
print_text_message(xmpp_stanza_t *st, const struct xt_json_opts *o,
		   const char *stamp, const char *from, const char *type)
{
	char *body = escaped_child(st, "body", 1);

	printf("%s %s%s%s: %s\n", stamp, o->archived ? "[archived] " : "",
	       o->carbon ? (!strcmp(o->carbon, "sent") ? "[sent] " : "[carbon] ") : "",
	       from, body ? body : type && !strcmp(type, "error") ? xt_error_condition(st) : "");
	free(body);
}

static void
print_text_presence(xmpp_stanza_t *st, const char *stamp, const char *from,
		    const char *type)
{
	char *show = escaped_child(st, "show", 0), *status = escaped_child(st, "status", 0);

	printf("%s %s is %s%s%s%s\n", stamp, from,
	       type ? type : show ? show : "available", status ? " (" : "",
	       status ? status : "", status ? ")" : "");
	free(show);
	free(status);
}

/* --text: a line per stanza for people. Everything the peer chose is
 * escaped, and a body's continuation lines are indented: no line can pass
 * for another stanza's, nor drive the terminal. */
static void
print_text(xmpp_stanza_t *st, const struct xt_json_opts *o)
{
	const char *name = xmpp_stanza_get_name(st);
	char *from = xt_escaped(xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "(server)");
	char *type = xt_escaped(xmpp_stanza_get_type(st)), stamp[128];

	text_stamp(st, stamp, sizeof stamp);
	if (!strcmp(name, "message"))
		print_text_message(st, o, stamp, from, type);
	else if (!strcmp(name, "presence"))
		print_text_presence(st, stamp, from, type);
	else
		printf("%s iq %s from %s\n", stamp, type ? type : "?", from);
	free(from);
	free(type);
}

/* What --exec's command is told of a message: checked by exec_refusal. */
struct exec_env {
	const char *from, *to, *type;
};

/* --exec: the JSON goes to CMD's standard input; CMD runs to its end before
 * the next stanza, so a bot sees messages in order. CMD is the user's own
 * text: no part of a message is ever put into a command line, and the
 * environment holds no password (xt_account_resolve took XMPP_PASSWORD
 * out of it). */
static void
run_exec(const struct listen *l, const char *json, const struct exec_env *e)
{
	/* the message's addresses and type, and the account in use, so that
	 * a reply with xmpp-send goes out from it (XMPP_ACCOUNT beats
	 * XMPP_JID there; without a name, XMPP_JID alone says which account:
	 * a config's first one may be another) */
	char *bare = xt_jid_bare(e->from);
	const char *const env[] = {
		"XMPP_FROM", e->from, "XMPP_FROM_BARE", bare, "XMPP_TO", e->to,
		"XMPP_TYPE", e->type, "XMPP_JID", l->self,
		"XMPP_ACCOUNT", l->conn.acct->name, NULL
	};
	int fds[2], status;
	pid_t pid;

	pid = pipe(fds) != 0 ? -1 : xt_spawn_shell(l->exec, fds[0], 0, env);
	free(bare);
	if (pid < 0) {
		xt_error(XT_EOS, "--exec: cannot start '%s': %s", l->exec, strerror(errno));
		return;
	}
	close(fds[0]);
	if (write(fds[1], json, strlen(json)) < 0 || write(fds[1], "\n", 1) < 0) {
		/* the command need not read its input */
	}
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		xt_warn("--exec: '%s' failed (status %d)", l->exec,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Whether s shows as it is: nothing in it a terminal would act on. */
static int
plain(const char *s)
{
	char *e = xt_escaped(s);
	int same = !strcmp(e, s);

	free(e);
	return same;
}

/* Whether jid may go to the command: valid, and without controls. */
static int
fit_jid(const char *jid)
{
	return !xt_jid_check(jid) && plain(jid);
}

/* XMPP_FROM, XMPP_TO and XMPP_TYPE: the sender and the recipient (without
 * a from or a to, our own bare JID: RFC 6120 8.1.1.1, 8.1.2.1) and the
 * type (without one, normal). Scripts use them carelessly, unquoted: only
 * valid JIDs without controls and a known type go to the command.
 * Returns why not, or NULL. */
static const char *
exec_refusal(const struct listen *l, xmpp_stanza_t *st, struct exec_env *e)
{
	static const char *const known[] = { "chat", "groupchat", "headline", "normal",
					     "error", NULL };
	const char *const *k;

	e->from = xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : l->self;
	e->to = xmpp_stanza_get_to(st) ? xmpp_stanza_get_to(st) : l->self;
	e->type = xmpp_stanza_get_type(st) ? xmpp_stanza_get_type(st) : "normal";
	if (!fit_jid(e->from))
		return "its sender is not a valid JID";
	if (!fit_jid(e->to))
		return "its recipient is not a valid JID";
	for (k = known; *k && strcmp(*k, e->type); k++)
		;
	return *k ? NULL : "its type is not chat, groupchat, headline, normal or error";
}

/* --exec for one message, if its addresses and type are fit for the
 * command. */
static void
exec_message(struct listen *l, const char *json, xmpp_stanza_t *st)
{
	struct exec_env e;
	const char *why = exec_refusal(l, st, &e);
	char *shown;

	if (!why) {
		run_exec(l, json, &e);
		return;
	}
	l->not_run++;
	if (xt_verbose) {
		shown = xt_escaped(e.from);
		xt_warn("--exec: a message from %s not passed to the command: %s", shown, why);
		free(shown);
	}
}

/* The archive id of a message: our server's XEP-0359 stanza-id, or the
 * MAM result's id. */
static const char *
archive_id(const struct listen *l, xmpp_stanza_t *st, const struct xt_json_opts *o)
{
	xmpp_stanza_t *ch;
	const char *by;

	if (o->archive_id)
		return o->archive_id;
	for (ch = xmpp_stanza_get_children(st); ch; ch = xmpp_stanza_get_next(ch)) {
		if (xmpp_stanza_is_tag(ch) && !strcmp(xmpp_stanza_get_name(ch), "stanza-id") &&
		    (by = xmpp_stanza_get_attribute(ch, "by")) && xt_jid_equal(by, l->self) &&
		    xmpp_stanza_get_ns(ch) && !strcmp(xmpp_stanza_get_ns(ch), "urn:xmpp:sid:0"))
			return xmpp_stanza_get_attribute(ch, "id");
	}
	return NULL;
}

/* A message comes twice when the archive and the live stream overlap after
 * a reconnection, or when a sender sent it again after losing its own
 * connection (same origin-id, XEP-0359): print it once. */
static int
duplicate(struct listen *l, xmpp_stanza_t *st, const char *sid)
{
	xmpp_stanza_t *oid = xmpp_stanza_get_child_by_name_and_ns(st, "origin-id",
								   "urn:xmpp:sid:0");
	const char *id = oid ? xmpp_stanza_get_attribute(oid, "id") : NULL;
	const char *from = xmpp_stanza_get_from(st);
	char key[1024], *bare;
	int dup = 0;

	if (sid) {
		snprintf(key, sizeof key, "s %s", sid);
		dup |= xt_seen(&l->seen, key);
	}
	if (id && from) {
		/* the sender as RFC 7622 compares it: its server may spell it
		 * otherwise on the second copy (one from the archive) */
		bare = xt_jid_normalize(from);
		snprintf(key, sizeof key, "o %.*s %s", (int)strcspn(bare, "/"), bare, id);
		free(bare);
		dup |= xt_seen(&l->seen, key);
	}
	return dup;
}

static void
print_stanza(struct listen *l, xmpp_stanza_t *st, const struct xt_json_opts *o)
{
	char *json = NULL;
	const char *sid = NULL;
	int message = !strcmp(xmpp_stanza_get_name(st), "message");

	if (!wanted(l, st) || (l->count >= 0 && l->printed >= l->count))
		return;
	if (message) {
		sid = archive_id(l, st, o);
		if (duplicate(l, st, sid)) {
			l->dups++;
			return;
		}
		if (sid && !o->carbon) {
			free(l->last_id);
			l->last_id = xt_strdup(sid);
		}
	}
	if (l->format == JSON || l->exec)
		json = xt_stanza_to_json(st, o);
	if (l->format == JSON)
		printf("%s\n", json);
	else if (l->format == XML)
		print_xml(st);
	else
		print_text(st, o);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		l->output_error = errno == EPIPE ? -1 : XT_EIO;
		xt_stop = 1;
	}
	if (l->exec && message)
		exec_message(l, json, st);
	/* printed is delivered: say so to a sender who asked (not for copies
	 * from the archive or from our other clients) */
	if (!o->archived && !o->carbon && !strcmp(xmpp_stanza_get_name(st), "message"))
		xt_send_receipt(&l->conn, st);
	free(json);
	l->printed++;
}

/* XEP-0280: a carbon is trusted only from our own bare JID. */
static xmpp_stanza_t *
unwrap_carbon(struct listen *l, xmpp_stanza_t *st, const char **which)
{
	xmpp_stanza_t *c, *fwd;
	const char *from = xmpp_stanza_get_from(st);
	char *bare = xt_jid_bare(l->conn.acct->jid);
	int ours = xt_jid_equal(from, bare);

	free(bare);
	if (!ours)
		return NULL;
	if ((c = xmpp_stanza_get_child_by_name_and_ns(st, "received", NS_CARBONS)))
		*which = "received";
	else if ((c = xmpp_stanza_get_child_by_name_and_ns(st, "sent", NS_CARBONS)))
		*which = "sent";
	else
		return NULL;
	fwd = xmpp_stanza_get_child_by_name_and_ns(c, "forwarded", NS_FORWARD);
	return fwd ? xmpp_stanza_get_child_by_name(fwd, "message") : NULL;
}

/* -v: an archive result the connection did not ask for. */
static void
warn_forged_result(xmpp_stanza_t *st, const char *why)
{
	char *from = xt_escaped(xmpp_stanza_get_from(st) ? xmpp_stanza_get_from(st) : "(server)");

	xt_warn("an archive result from %s ignored (%s): shown as an ordinary message "
		"from its sender", from, why);
	free(from);
}

/* XEP-0313 results: the archived message, with the archive's delay. Only
 * those answering our query (xt_mam_result); anybody can send the rest. */
static int
print_archived(struct listen *l, xmpp_stanza_t *st)
{
	const char *why;
	xmpp_stanza_t *r = xt_mam_result(&l->conn, st, &why);
	xmpp_stanza_t *fwd = r ? xmpp_stanza_get_child_by_name_and_ns(r, "forwarded", NS_FORWARD) : NULL;
	xmpp_stanza_t *msg = fwd ? xmpp_stanza_get_child_by_name(fwd, "message") : NULL;
	xmpp_stanza_t *delay = fwd ? xmpp_stanza_get_child_by_name(fwd, "delay") : NULL;
	struct xt_json_opts o = { .full = l->full, .archived = 1 };

	if (why && xt_verbose)
		warn_forged_result(st, why);
	if (!msg)
		return 0;
	o.archive_id = xmpp_stanza_get_attribute(r, "id");
	if (delay && !xmpp_stanza_get_child_by_name(msg, "delay")) {
		msg = xmpp_stanza_copy(msg);
		/* a copy: a stanza belongs to one parent */
		xmpp_stanza_add_child_ex(msg, xmpp_stanza_copy(delay), 0);
		print_stanza(l, msg, &o);
		xmpp_stanza_release(msg);
	} else {
		print_stanza(l, msg, &o);
	}
	return 1;
}

static int
on_stanza(xmpp_stanza_t *st, void *data)
{
	struct listen *l = data;
	struct xt_json_opts o = { .full = l->full };
	xmpp_stanza_t *inner;

	if (!strcmp(xmpp_stanza_get_name(st), "message")) {
		if (print_archived(l, st))
			return 1;
		if ((inner = unwrap_carbon(l, st, &o.carbon))) {
			print_stanza(l, inner, &o);
			return 1;
		}
	}
	print_stanza(l, st, &o);
	return 0; /* IQs still get their answer */
}


static int
listen_done(void *data)
{
	struct listen *l = data;

	return xt_stop || (l->count >= 0 && l->printed >= l->count);
}

static int
enable_carbons(struct listen *l)
{
	xmpp_stanza_t *iq = xmpp_iq_new(l->conn.ctx, "set", NULL), *r;

	xt_add_child_ns(iq, "enable", NS_CARBONS);
	r = xt_iq(&l->conn, iq, l->conn.acct->connect_timeout);
	xmpp_stanza_release(iq);
	if (!r)
		return l->conn.error; /* recorded by xt_iq; printed by main */
	xmpp_stanza_release(r); /* a server without carbons says so: fine */
	return 0;
}

/* What a session does before listening: carbons, the archive after
 * after_id or since stamp (none when both are NULL), presence, rooms. */
static int
start_session(struct listen *l, const char *stamp, const char *after_id)
{
	int rc = 0;

	if (l->carbons)
		rc = enable_carbons(l);
	if (!rc && (stamp || after_id))
		rc = xt_mam_fetch(&l->conn, NULL, stamp, after_id);
	if (!rc && l->presence)
		xt_send_presence(&l->conn, l->priority);
	/* Prosody archives what it kept offline only once presence says we
	 * are back (and then does not send it, as we asked the archive) */
	if (!rc && l->presence && (stamp || after_id))
		rc = xt_mam_fetch(&l->conn, NULL, l->last_id ? NULL : stamp, l->last_id);
	if (!rc)
		rc = xt_rooms_join(&l->conn, &l->rooms, 0);
	return rc;
}

/* --reconnect: a new session catches up from the archive, after the last
 * message printed (or since listening began), before going on. */
static int
resume_session(struct xt_conn *c, void *data)
{
	struct listen *l = data;

	(void)c;
	return start_session(l, l->last_id ? NULL : l->started, l->last_id);
}

static int
listen_until_done(struct listen *l)
{
	int rc = xt_wait(&l->conn, listen_done, l, 1L << 30);

	if (xt_time_up(&l->conn, rc) && l->count < 0)
		return 0; /* --timeout alone is a duration, not a failure */
	if (xt_time_up(&l->conn, rc))
		xt_error(rc, "timed out after %ld s (--timeout) with %ld of %ld stanzas",
			 xt_deadline_seconds(), l->printed, l->count);
	else if (rc)
		xt_error(rc, "%s", l->conn.why);
	return rc;
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct listen *l = &L;
	time_t now = time(NULL);
	const char *why;
	int rc;

	xt_init(argv[0]);
	if (xt_parse_options(&tool, &acct, argc, argv) != argc)
		xt_usage(&tool, "unexpected argument '%s'", argv[optind]);
	if (!l->format_set)
		l->format = isatty(1) ? TEXT : JSON;
	if ((why = presence_refusal(l)))
		xt_usage(&tool, "%s", why);
	if (l->since && xt_parse_since(l->since, l->since_stamp, sizeof l->since_stamp))
		xt_usage(&tool, "--since wants 2026-01-31T12:00:00Z, 2026-01-31 or a time "
			 "ago such as 2h; got '%s'", l->since);
	if (l->reconnect)
		acct.retry_for = -1;
	strftime(l->started, sizeof l->started, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	xt_catch_stop_signals();
	if ((rc = xt_login(&l->conn, &acct)))
		return rc;
	l->self = xt_jid_bare(acct.jid);
	l->conn.on_stanza = on_stanza;
	l->conn.on_stanza_data = l;
	l->conn.on_reconnect = resume_session;
	l->conn.on_reconnect_data = l;
	if ((rc = start_session(l, l->since ? l->since_stamp : NULL, NULL)) == 0) {
		xt_note("listening as %s; Ctrl-C to stop", xmpp_conn_get_bound_jid(l->conn.xc));
		rc = listen_until_done(l);
	}
	else if (l->conn.error)
		xt_error(rc, "%s", l->conn.why); /* the core recorded it */
	if (l->output_error > 0)
		rc = xt_error(XT_EIO, "writing standard output failed");
	if (l->dups)
		xt_warn("%lu message(s) came twice (archive and live, or sent again by a "
			"reconnecting sender) and were printed once", l->dups);
	if (l->not_run)
		xt_warn("%lu message(s) were not passed to --exec: a sender or recipient "
			"that is not a valid JID, or a type not chat, groupchat, headline, normal or error",
			l->not_run);
	xt_close(&l->conn);
	xt_account_free(&acct);
	xt_seen_free(&l->seen);
	free(l->last_id);
	free(l->self);
	return rc;
}
