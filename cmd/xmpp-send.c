/* xmpp-send - send messages; exit 0 only when the server confirmed them all */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

enum mode { WHOLE, LINES, JSON, XML };
/* The longest message body sent: as long as a line may be */
#define MAX_BODY XT_MAX_LINE
enum { O_LINES = 256, O_JSON, O_XML, O_SUBJECT,
       O_NO_STORE, O_RECEIPT, O_URL, O_TIMEOUT, O_RETRY_FOR, O_BOUNCE_WAIT, O_ENCRYPT };

static const struct xt_opt opts[] = {
	{ 'm', "message", "TEXT", "the message body (else read from standard input)" },
	{ O_LINES, "lines", NULL, "send each input line as a message, as it arrives" },
	{ O_JSON, "json", NULL, "each input line is a JSON message object" },
	{ O_XML, "xml", NULL, "input is raw XML stanzas, checked before sending" },
	XT_MSG_TYPE_OPT,
	{ O_SUBJECT, "subject", "TEXT", "message subject" },
	{ O_URL, "url", "URL", "attach URL as out-of-band data (XEP-0066)" },
	XT_ROOM_OPTS("join the room ROOM and send to it (repeatable)"),
	{ O_NO_STORE, "no-store", NULL, "ask servers not to archive the messages (XEP-0334)" },
	{ O_RECEIPT, "receipt", NULL, "also wait for delivery receipts (XEP-0184)" },
	XT_ENCRYPT_OPT(O_ENCRYPT, "encrypt end to end (OMEMO); never sends in plaintext"),
	{ O_TIMEOUT, "timeout", "S", "end the whole run after S seconds (default: no limit)" },
	{ O_RETRY_FOR, "retry-for", "S", "after a lost connection, reconnect and resend for up to S seconds (0)" },
	{ O_BOUNCE_WAIT, "bounce-wait", "MS", "wait MS milliseconds for late bounces from other domains (1000)" },
	{ 0, NULL, NULL, NULL },
};

struct send {
	enum mode mode;
	struct xt_msg msg;        /* options that apply to every message */
	struct xt_rooms rooms;
	long retry_for, bounce_wait;
	char **rcpt;              /* command-line recipients */
	size_t nrcpt;
	int bad_input;            /* a line was rejected */
	int cut;                  /* the connection went before the input ended */
	struct xt_conn conn;
	int encrypt;              /* --encrypt omemo */
	struct xt_omemo *omemo;   /* its state, opened for the first message */
	/* XEP-0184 receipts still awaited: ids, recipients and labels */
	char **want_id, **want_to, **want_label;
	size_t nwant, capwant, got;
};

static int
option(int id, const char *arg, void *data)
{
	struct send *s = data;

	if (xt_rooms_option(&s->rooms, id, arg))
		return 0;
	switch (id) {
	case 'm':
		/* as an empty standard input: nothing to send is no message */
		if (!*arg)
			return xt_error(XT_EDATA, "-m is empty: nothing to send");
		s->msg.body = arg;
		break;
	case O_LINES: s->mode = LINES; break;
	case O_JSON: s->mode = JSON; break;
	case O_XML: s->mode = XML; break;
	case 't': s->msg.type = arg; break;
	case O_SUBJECT: s->msg.subject = arg; break;
	case O_URL: s->msg.url = arg; break;
	case O_NO_STORE: s->msg.no_store = 1; break;
	case O_RECEIPT: s->msg.receipt = 1; break;
	case O_TIMEOUT:
		return xt_deadline_option(arg);
	case O_RETRY_FOR:
		if ((s->retry_for = xt_parse_number(arg, 1L << 30)) < 0)
			return xt_error(XT_EUSAGE, "--retry-for wants seconds, got '%s'", arg);
		break;
	case O_ENCRYPT:
		s->encrypt = 1;
		return xt_encrypt_option(arg);
	case O_BOUNCE_WAIT:
		if ((s->bounce_wait = xt_parse_number(arg, 600000)) < 0)
			return xt_error(XT_EUSAGE, "--bounce-wait wants milliseconds, got '%s'", arg);
		break;
	}
	return 0;
}

static struct send S = { .bounce_wait = 1000 };
static const struct xt_tool tool = {
	.name = "xmpp-send",
	.synopsis = "[options] JID... [-m TEXT]\n"
		    "[options] --lines|--json|--xml [JID...] < input\n"
		    "[options] --muc ROOM [--nick NICK] [JID...] [-m TEXT]",
	.summary = "Send XMPP messages; exit 0 only when the server confirmed every one.",
	.opts = opts,
	.option = option,
	.data = &S,
};

/* Refuses a body longer than one message may be, before connecting: one
 * line of --lines at most, which servers carry (Prosody's default stanza
 * limit is 256 KiB, though); a larger one would only make the server end
 * the session. */
static void
check_body_size(const char *where, size_t n)
{
	if (n > MAX_BODY)
		xt_die(XT_EDATA, "%s: longer than 1 MiB (%d bytes), the most one message "
		       "carries: nothing sent (split it with --lines, or send it as a file "
		       "with xmpp-sendfile)", where, MAX_BODY);
}

/* Everything the command line says is checked before connecting. */
static void
check_arguments(struct send *s)
{
	const char *why;
	size_t i;

	if (s->nrcpt == 0 && s->rooms.n == 0 && s->mode == WHOLE)
		xt_usage(&tool, "need a recipient JID or --muc ROOM");
	if (s->msg.body && s->mode != WHOLE)
		xt_usage(&tool, "-m cannot be combined with --lines, --json or --xml");
	/* what would go out in plaintext beside the encrypted body */
	if (s->encrypt && (s->mode != WHOLE || s->rooms.n || s->msg.subject || s->msg.url))
		xt_usage(&tool, "--encrypt omemo sends one message to JIDs: not with "
			 "--lines, --json, --xml, --muc, --subject or --url (yet)");
	for (i = 0; i < s->nrcpt; i++)
		if ((why = xt_jid_check(s->rcpt[i])))
			xt_die(XT_EUSAGE, "invalid recipient JID '%s': %s", s->rcpt[i], why);
		else
			xt_warn_word_jid("recipient", s->rcpt[i]);
	if (!s->msg.body && s->mode == WHOLE && isatty(0))
		xt_usage(&tool, "no message: give -m TEXT or pipe the body on standard input");
	if (s->msg.type && s->mode != XML)
		xt_msg_type_option(&tool, s->msg.type, NULL);
	/* -m, --subject and --url are input too: checked like any message */
	if (s->msg.body)
		check_body_size("-m", strlen(s->msg.body));
	if (s->msg.body || s->msg.subject || s->msg.url) {
		struct xt_msg probe = s->msg;
		if ((why = xt_msg_check(&probe)))
			xt_die(XT_EDATA, "%s: nothing sent", why);
	}
}

/* Reads the one-message body from stdin, checked like any message; reads
 * no more than a message can carry, whatever the input's size. */
static char *
read_whole_body(void)
{
	char *body;
	/* room for trailing newlines, which are not sent */
	long n = xt_read_at_most(0, MAX_BODY + 4096, &body);
	const char *why;
	size_t at;

	if (n == -2)
		check_body_size("standard input", (size_t)MAX_BODY + 4097);
	if (n < 0)
		xt_die(XT_EIO, "reading standard input failed");
	while (n > 0 && body[n - 1] == '\n')
		body[--n] = '\0';
	if (n == 0)
		xt_die(XT_EDATA, "standard input is empty: nothing to send");
	check_body_size("standard input", (size_t)n);
	if ((size_t)n != strlen(body))
		xt_die(XT_EDATA, "standard input: NUL byte at byte %zu: XML cannot carry it",
		       strlen(body));
	if ((why = xt_text_check(body, (size_t)n, &at)))
		xt_die(XT_EDATA, "standard input: %s at byte %zu: nothing sent", why, at);
	return body;
}

static void
want_receipt(struct send *s, const char *id, const char *to, const char *label)
{
	if (s->nwant == s->capwant) {
		s->capwant = s->capwant ? 2 * s->capwant : 16;
		s->want_id = xt_realloc(s->want_id, s->capwant * sizeof *s->want_id);
		s->want_to = xt_realloc(s->want_to, s->capwant * sizeof *s->want_to);
		s->want_label = xt_realloc(s->want_label, s->capwant * sizeof *s->want_label);
	}
	s->want_id[s->nwant] = xt_strdup(id);
	s->want_to[s->nwant] = xt_strdup(to);
	s->want_label[s->nwant++] = xt_strdup(label);
}

/* Incoming stanzas: only receipts matter to a sender, and only from the
 * recipient (any of its resources, its JID compared as RFC 7622 does):
 * anyone who learnt the id could confirm a delivery that never was. */
static int
on_stanza(xmpp_stanza_t *st, void *data)
{
	struct send *s = data;
	xmpp_stanza_t *r = xmpp_stanza_get_child_by_name_and_ns(st, "received", "urn:xmpp:receipts");
	const char *id = r ? xmpp_stanza_get_attribute(r, "id") : NULL;
	const char *from = xmpp_stanza_get_from(st);
	size_t i;

	for (i = 0; id && i < s->nwant; i++) {
		if (s->want_id[i] && !strcmp(s->want_id[i], id) &&
		    xt_jid_bare_equal(from, s->want_to[i])) {
			free(s->want_id[i]);
			s->want_id[i] = NULL;
			s->got++;
			return 1;
		}
	}
	return 0;
}

/* Sends m to one recipient; label names it in messages. */
static int
send_one(struct send *s, const struct xt_msg *m, const char *to, const char *where)
{
	xmpp_stanza_t *st = NULL;
	char label[300];
	int rc;

	if (!s->encrypt)
		st = xt_msg_stanza(&s->conn, m, to);
	else if ((rc = xt_omemo_msg_stanza(&s->conn, &s->omemo, m, to, &st)))
		return rc;
	snprintf(label, sizeof label, "%s to %s", where, to);
	if (m->receipt)
		want_receipt(s, xmpp_stanza_get_id(st), to, label);
	rc = xt_send(&s->conn, st, label);
	xmpp_stanza_release(st);
	return rc;
}

/* Sends m to its own recipients, else the command line's and the rooms. */
static int
send_msg(struct send *s, struct xt_msg *m, const char *where)
{
	struct xt_msg groupchat = *m;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nto && !rc; i++)
		rc = send_one(s, m, m->to[i], where);
	if (m->nto)
		return rc;
	for (i = 0; i < s->nrcpt && !rc; i++)
		rc = send_one(s, m, s->rcpt[i], where);
	groupchat.type = "groupchat";
	groupchat.receipt = 0; /* XEP-0184 forbids receipts in groupchat */
	for (i = 0; i < s->rooms.n && !rc; i++)
		rc = send_one(s, &groupchat, s->rooms.jid[i], where);
	return rc;
}

static void
merge_defaults(const struct send *s, struct xt_msg *m)
{
	if (!m->type) m->type = s->msg.type;
	if (!m->subject) m->subject = s->msg.subject;
	if (!m->url) m->url = s->msg.url;
	m->receipt |= s->msg.receipt;
	m->no_store |= s->msg.no_store;
}

/* One input line, by mode. Bad lines are reported and skipped. */
static int
send_line(struct send *s, char *line, size_t len, unsigned long lineno)
{
	struct xt_msg m = { 0 };
	char where[64], why[300];
	const char *bad;
	size_t at;
	int rc;

	snprintf(where, sizeof where, "line %lu", lineno);
	if (len == 0 || strspn(line, " \t") == len)
		return 0; /* blank lines carry nothing, in either mode */
	if (s->mode == LINES) {
		if ((bad = xt_text_check(line, len, &at)) || strlen(line) != len) {
			s->bad_input = 1;
			xt_error(XT_EDATA, "line %lu: %s at byte %zu: line not sent", lineno,
				 bad ? bad : "NUL byte", bad ? at : strlen(line));
			return 0;
		}
		m.body = line;
	} else if (xt_json_to_msg(line, len, &m, why, sizeof why) != 0) {
		s->bad_input = 1;
		xt_error(XT_EDATA, "line %lu: %s: line not sent", lineno, why);
		xt_msg_free(&m);
		return 0;
	}
	merge_defaults(s, &m);
	if (!m.nto && !s->nrcpt && !s->rooms.n)
		bad = "no recipient: give \"to\" or a JID on the command line";
	else
		bad = xt_msg_check(&m);
	if (bad) {
		s->bad_input = 1;
		xt_error(XT_EDATA, "line %lu: %s: line not sent", lineno, bad);
		xt_msg_free(&m);
		return 0;
	}
	rc = send_msg(s, &m, where);
	xt_msg_free(&m);
	return rc;
}

/* Sends an XML stanza as it is, with an id to track it by. */
static int
send_raw_stanza(struct send *s, xmpp_stanza_t *st, const char *to, unsigned long lineno)
{
	char label[300];

	if (to) {
		xmpp_stanza_set_to(st, to);
		xmpp_stanza_del_attribute(st, "id");
	}
	if (!xmpp_stanza_get_id(st)) {
		char *id = xt_new_id(&s->conn);
		xmpp_stanza_set_id(st, id);
		xmpp_free(s->conn.ctx, id);
	}
	snprintf(label, sizeof label, "stanza at line %lu%s%s", lineno, to ? " to " : "", to ? to : "");
	return xt_send(&s->conn, st, label);
}

/* An XML stanza: checked, then sent to its own "to", else to each
 * recipient of the command line (rooms get messages as groupchat). */
static int
send_xml_stanza(struct send *s, xmpp_stanza_t *st, unsigned long lineno)
{
	const char *to = xmpp_stanza_get_to(st), *why;
	size_t i;
	int rc = 0;

	if (to && (why = xt_jid_check(to))) {
		s->bad_input = 1;
		return xt_error(XT_EDATA, "line %lu: attribute \"to\": invalid JID '%s': %s",
				lineno, to, why);
	}
	if (to || (!s->nrcpt && !s->rooms.n))
		return send_raw_stanza(s, st, NULL, lineno);
	for (i = 0; i < s->nrcpt && !rc; i++)
		rc = send_raw_stanza(s, st, s->rcpt[i], lineno);
	for (i = 0; i < s->rooms.n && !rc; i++) {
		if (!strcmp(xmpp_stanza_get_name(st), "message"))
			xmpp_stanza_set_type(st, "groupchat");
		rc = send_raw_stanza(s, st, s->rooms.jid[i], lineno);
	}
	return rc;
}

/* Parses in small pieces, sending what each completes, so the reader's
 * queue never holds more than a few hundred stanzas. */
static int
feed_xml(struct send *s, struct xt_xmlin *x, const char *buf, size_t n)
{
	size_t off = 0, piece;
	xmpp_stanza_t *st;
	unsigned long lineno;
	char why[300];
	int rc = 0;

	do {
		piece = n - off < 1024 ? n - off : 1024;
		if (xt_xmlin_feed(x, buf + off, piece, n == 0, why, sizeof why)) {
			s->bad_input = 1;
			xt_error(XT_EDATA, "%s: stopped reading (stanzas before it were sent)", why);
			rc = XT_EDATA;
		}
		while ((st = xt_xmlin_next(x, &lineno))) {
			if (rc == 0 || rc == XT_EDATA) {
				int r = send_xml_stanza(s, st, lineno);
				if (r != XT_EDATA && r)
					rc = r;
			}
			xmpp_stanza_release(st);
		}
		off += piece;
	} while (off < n && rc == 0);
	return rc;
}

/* The connection is gone for good (after --retry-for) before the input
 * ended: what was not read is not sent, and the exit status says so. */
static void
input_cut(struct send *s, unsigned long lineno)
{
	s->cut = 1;
	if (lineno)
		xt_error(XT_EPARTIAL, "stopped reading standard input after line %lu: %s",
			 lineno, s->conn.why[0] ? s->conn.why : "the connection is gone");
	else
		xt_error(XT_EPARTIAL, "stopped reading standard input before its end: %s",
			 s->conn.why[0] ? s->conn.why : "the connection is gone");
}

static int
stream_xml(struct send *s)
{
	struct xt_xmlin *x = xt_xmlin_new(s->conn.ctx);
	char buf[65536];
	ssize_t n = 1;
	int rc = 0;

	while (n > 0 && rc == 0) {
		if (!xt_online(&s->conn)) {
			input_cut(s, 0);
			break;
		}
		if (!xt_poll_fd(&s->conn, 0, 100)) {
			xt_request_ack(&s->conn);
			continue;
		}
		if ((n = read(0, buf, sizeof buf)) < 0) {
			rc = xt_error(XT_EIO, "reading standard input failed");
			break;
		}
		rc = feed_xml(s, x, buf, (size_t)n);
		if (rc == XT_EDATA)
			n = 0, rc = 0;
	}
	xt_xmlin_free(x);
	return rc;
}

/* --lines and --json: read as input arrives, send at once; when the input
 * pauses, ask the server to confirm what went out. */
static int
stream_lines(struct send *s)
{
	struct xt_lines in = { .fd = 0 };
	char *line;
	size_t len;
	int rc = 0, toolong;

	while (!in.eof && rc == 0) {
		if (!xt_online(&s->conn)) {
			input_cut(s, in.lineno);
			break;
		}
		if (!xt_poll_fd(&s->conn, 0, 100)) {
			xt_request_ack(&s->conn);
			continue;
		}
		if (xt_lines_fill(&in) < 0) {
			rc = xt_error(XT_EIO, "reading standard input failed");
			break;
		}
		while (rc == 0 && (line = xt_lines_next(&in, &len, &toolong))) {
			if (toolong) {
				s->bad_input = 1;
				xt_error(XT_EDATA, "line %lu: longer than %d bytes: line not sent",
					 in.lineno, XT_MAX_LINE);
				continue;
			}
			rc = send_line(s, line, len, in.lineno);
		}
	}
	xt_lines_free(&in);
	return rc;
}

static int
receipts_done(void *data)
{
	struct send *s = data;

	return s->got == s->nwant;
}

static int
wait_receipts(struct send *s)
{
	long wait = s->conn.acct->confirm_timeout;
	size_t i;

	if (s->nwant == 0 || xt_wait(&s->conn, receipts_done, s, wait) == 0)
		return 0;
	for (i = 0; i < s->nwant; i++)
		if (s->want_id[i] && xt_deadline_passed())
			xt_error(XT_ETIMEOUT, "%s: no delivery receipt before the run's "
				 "--timeout of %ld s", s->want_label[i], xt_deadline_seconds());
		else if (s->want_id[i])
			xt_error(XT_ETIMEOUT, "%s: no delivery receipt within %ld s "
				 "(--confirm-timeout)", s->want_label[i], wait);
	return XT_ETIMEOUT;
}

static void
free_receipts(struct send *s)
{
	size_t i;

	for (i = 0; i < s->nwant; i++) {
		free(s->want_id[i]);
		free(s->want_to[i]);
		free(s->want_label[i]);
	}
	free(s->want_id);
	free(s->want_to);
	free(s->want_label);
}

static int
send_all(struct send *s)
{
	struct xt_msg m = s->msg;

	if (s->mode == LINES || s->mode == JSON)
		return stream_lines(s);
	if (s->mode == XML)
		return stream_xml(s);
	return send_msg(s, &m, "message");
}

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct send *s = &S;
	char *body = NULL;
	int i, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	s->rcpt = argv + i;
	s->nrcpt = (size_t)(argc - i);
	check_arguments(s);
	acct.retry_for = s->retry_for;
	if (s->mode == WHOLE && !s->msg.body)
		s->msg.body = body = read_whole_body();
	if ((rc = xt_login(&s->conn, &acct))) {
		free(body);
		return rc;
	}
	s->conn.on_stanza = on_stanza;
	s->conn.on_stanza_data = s;
	s->conn.on_reconnect = xt_rooms_rejoin;
	s->conn.on_reconnect_data = &s->rooms;
	xt_rooms_await_reflections(&s->conn);
	rc = xt_rooms_join(&s->conn, &s->rooms, 0);
	if (rc == 0)
		rc = send_all(s);
	if (rc == 0 || rc == XT_EDATA)
		rc = xt_confirm_all(&s->conn); /* says what failed */
	else if (s->conn.error)
		xt_error(rc, "%s", s->conn.why);
	if (rc == 0)
		rc = xt_rooms_confirm(&s->conn); /* says what failed */
	if (rc == 0)
		rc = xt_await_bounces(&s->conn, s->bounce_wait);
	if (rc == 0)
		rc = wait_receipts(s);
	xt_omemo_close(s->omemo);
	xt_close(&s->conn);
	xt_account_free(&acct);
	free_receipts(s);
	free(body);
	if (rc == 0 && s->cut)
		rc = XT_EPARTIAL;
	if (rc == 0 && s->bad_input)
		rc = XT_EDATA;
	return rc;
}
