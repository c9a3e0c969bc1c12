/*
 * raw-sender.c - the server's own ingest limit for `make bench`: logs in
 * with the core, then writes one message per input line with no
 * acknowledgement asked (paced only by TCP), and ends with a single ping
 * whose answer means the server has handled them all.
 *
 * usage: raw-sender [xmpp-tools account options] TO < lines
 */
#include <stdlib.h>
#include <string.h>

#include "xt.h"

static const struct xt_tool tool = {
	.name = "raw-sender", .synopsis = "[options] TO < lines",
	.summary = "Pipeline messages with no acks (benchmark reference).",
};

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct xt_conn c;
	struct xt_lines in = { .fd = 0 };
	xmpp_stanza_t *m, *ping;
	char *line;
	size_t len;
	int i, toolong, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	if (i != argc - 1)
		xt_usage(&tool, "need one recipient");
	if ((rc = xt_login(&c, &acct)))
		return rc;
	while (!in.eof && c.state == XT_CONN_ONLINE) {
		if (xt_lines_fill(&in) < 0)
			break;
		while ((line = xt_lines_next(&in, &len, &toolong))) {
			/* the same stanza as xmpp-send's: id, origin-id, body */
			m = xt_message_new(&c, argv[i], "chat");
			xt_add_text_child(m, "body", line);
			xmpp_send(c.xc, m);
			xmpp_stanza_release(m);
			/* no acks, but TCP's own pace: libstrophe would queue the
			 * whole input (and trip the core's memory cap) */
			while (xmpp_conn_send_queue_len(c.xc) > 1024 && c.state == XT_CONN_ONLINE)
				xt_run(&c, 10);
		}
		xt_run(&c, 0);
	}
	ping = xmpp_iq_new(c.ctx, "get", "raw-end");
	xmpp_stanza_set_to(ping, c.domain);
	xt_add_child_ns(ping, "ping", "urn:xmpp:ping");
	m = xt_iq(&c, ping, 600);
	xmpp_stanza_release(ping);
	rc = m ? 0 : XT_ETIMEOUT;
	if (m)
		xmpp_stanza_release(m);
	xt_lines_free(&in);
	xt_close(&c);
	xt_account_free(&acct);
	return rc;
}
