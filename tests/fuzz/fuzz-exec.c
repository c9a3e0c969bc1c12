/* fuzz-exec.c - what xmpp-listen --exec hands a command: the JSON of an
 * incoming stanza, which must be one line of one JSON object */
#include <jansson.h>

#include "fuzz.h"

static void
check_line(char *json)
{
	json_t *j;

	if (!json)
		return;
	if (strchr(json, '\n') || !(j = json_loads(json, 0, NULL)))
		abort();
	if (!json_is_object(j))
		abort();
	json_decref(j);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* as xmpp-listen calls it: plain, with --full, a carbon, archived */
	const struct xt_json_opts plain = { 0 }, other = { .full = 1,
		.carbon = "sent", .archived = 1, .archive_id = "a1" };
	char *xml = fuzz_cstr(data, size);
	xmpp_stanza_t *st = xmpp_stanza_new_from_string(fuzz_ctx(), xml);

	free(xml);
	if (!st)
		return 0;
	check_line(xt_stanza_to_json(st, &plain));
	check_line(xt_stanza_to_json(st, &other));
	if (!strcmp(xmpp_stanza_get_name(st), "presence"))
		check_line(xt_presence_to_json(st, NULL, NULL));
	xmpp_stanza_release(st);
	return 0;
}
