/*
 * floor.c - the floor reference for `make bench`: the plainest libstrophe
 * sender (connect, TLS, SASL, bind, one message, close), as its examples
 * write it. xmpp-send is measured against it.
 *
 * usage: floor JID PASSWORD HOST PORT CAFILE TO
 */
#include <stdio.h>
#include <stdlib.h>
#include <strophe.h>

static const char *to;

static void
on_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int err,
	xmpp_stream_error_t *se, void *data)
{
	xmpp_ctx_t *ctx = data;
	xmpp_stanza_t *m;

	(void)err, (void)se;
	if (ev != XMPP_CONN_CONNECT) {
		xmpp_stop(ctx);
		return;
	}
	m = xmpp_message_new(ctx, "chat", to, NULL);
	xmpp_message_set_body(m, "hi");
	xmpp_send(conn, m);
	xmpp_stanza_release(m);
	xmpp_disconnect(conn);
}

int
main(int argc, char **argv)
{
	xmpp_ctx_t *ctx;
	xmpp_conn_t *conn;

	if (argc != 7) {
		fprintf(stderr, "usage: floor JID PASSWORD HOST PORT CAFILE TO\n");
		return 64;
	}
	to = argv[6];
	xmpp_initialize();
	ctx = xmpp_ctx_new(NULL, NULL);
	conn = xmpp_conn_new(ctx);
	xmpp_conn_set_flags(conn, XMPP_CONN_FLAG_MANDATORY_TLS);
	xmpp_conn_set_jid(conn, argv[1]);
	xmpp_conn_set_pass(conn, argv[2]);
	xmpp_conn_set_cafile(conn, argv[5]);
	xmpp_connect_client(conn, argv[3], (unsigned short)atoi(argv[4]), on_conn, ctx);
	xmpp_run(ctx);
	xmpp_conn_release(conn);
	xmpp_ctx_free(ctx);
	xmpp_shutdown();
	return 0;
}
