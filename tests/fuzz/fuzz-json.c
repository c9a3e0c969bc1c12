/* fuzz-json.c - a JSON line of xmpp-send --json, as xmpp-send reads it */
#include <jansson.h>

#include "fuzz.h"

/* Aborts if the string v would reach the stanza cut short: C strings end
 * at a NUL that JSON ("\u0000") may hold. */
static void
check_whole(json_t *v)
{
	if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v))
		abort();
}

/* What xt_msg_check accepts is sent as it was given. */
static void
check_sent_whole(const struct xt_msg *m)
{
	json_t *v, *e;
	const char *k;
	size_t i;

	json_object_foreach((json_t *)m->hold, k, v) {
		check_whole(v);
		json_array_foreach(v, i, e)
			check_whole(e);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_msg m;
	char why[256];

	if (xt_json_to_msg((const char *)data, size, &m, why, sizeof why) == 0 &&
	    !xt_msg_check(&m))
		check_sent_whole(&m);
	xt_msg_free(&m);
	return 0;
}
