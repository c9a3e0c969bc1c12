/*
 * slot.c - asks the upload service for a slot and prints the PUT URL and
 * its headers, so that `make bench` can time `curl -T` on the same server.
 *
 * usage: slot [xmpp-tools account options] FILENAME SIZE
 * prints: PUT-URL, then one "Name: value" header per line
 */
#include <stdlib.h>

#include "xt.h"

static const struct xt_tool tool = {
	.name = "slot", .synopsis = "[options] FILENAME SIZE",
	.summary = "Print an upload slot (benchmark helper).",
};

int
main(int argc, char **argv)
{
	struct xt_account acct = { 0 };
	struct xt_upload_service svc;
	struct xt_slot s;
	struct xt_conn c;
	size_t k;
	int i, rc;

	xt_init(argv[0]);
	i = xt_parse_options(&tool, &acct, argc, argv);
	if (i != argc - 2)
		xt_usage(&tool, "need FILENAME SIZE");
	if ((rc = xt_login(&c, &acct)))
		return rc;
	rc = xt_upload_find(&c, &svc);
	if (!rc)
		rc = xt_upload_slot(&c, &svc, argv[i], strtoull(argv[i + 1], NULL, 10),
				    "application/octet-stream", &s);
	if (!rc) {
		printf("%s\n", s.put);
		for (k = 0; k < s.nheaders; k++)
			printf("%s\n", s.headers[k]);
		xt_slot_free(&s);
	}
	xt_upload_service_free(&svc);
	xt_close(&c);
	xt_account_free(&acct);
	return rc;
}
