/* fuzz-xml.c - raw XML stanzas, as xmpp-send --xml reads them */
#include "fuzz.h"

/* Serializes what came out, as sending it would, and releases it. */
static void
drain(struct xt_xmlin *x)
{
	xmpp_stanza_t *st;
	unsigned long line;
	size_t len;
	char *buf;

	while ((st = xt_xmlin_next(x, &line))) {
		if (xmpp_stanza_to_text(st, &buf, &len) == 0)
			xmpp_free(fuzz_ctx(), buf);
		xmpp_stanza_release(st);
	}
}

/* Feeds data in two pieces, as reads from a pipe cut it anywhere. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_xmlin *x = xt_xmlin_new(fuzz_ctx());
	const char *s = (const char *)data;
	size_t half = size / 2;
	char why[256];

	if (xt_xmlin_feed(x, s, half, 0, why, sizeof why) == 0) {
		drain(x);
		xt_xmlin_feed(x, s + half, size - half, 1, why, sizeof why);
	}
	drain(x);
	xt_xmlin_free(x);
	return 0;
}
