/* fuzz-roster-json.c - a JSON line of xmpp-roster's import */
#include "fuzz.h"

/* What xt_roster_item_to_json writes, xt_roster_item_from_json must read
 * back as the same item: xmpp-roster exports and imports with them. */
static void
round_trip(const struct xt_roster_item *it)
{
	struct xt_roster_item back;
	char *json = xt_roster_item_to_json(it), why[256];

	if (xt_roster_item_from_json(json, strlen(json), &back, why, sizeof why) != 0 ||
	    !xt_roster_item_same(it, &back) || strcmp(it->jid, back.jid))
		abort();
	xt_roster_item_free(&back);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_roster_item it;
	char why[256];

	/* on failure the parser has freed the item itself */
	if (xt_roster_item_from_json((const char *)data, size, &it, why, sizeof why) == 0) {
		round_trip(&it);
		xt_roster_item_free(&it);
	}
	return 0;
}
