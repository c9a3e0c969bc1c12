/* fuzz-config.c - the config file, ours and go-sendxmpp's */
#include "fuzz.h"

/* The same text as our format, for the unnamed account and a named one,
 * and as go-sendxmpp's. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { NULL, "work" };
	const char *text = (const char *)data;
	struct xt_config c;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		memset(&c, 0, sizeof c);
		xt_config_parse(text, size, "fuzz", names[i], &c);
		xt_config_free(&c);
	}
	memset(&c, 0, sizeof c);
	xt_config_parse_go_sendxmpp(text, size, &c);
	xt_config_free(&c);
	return 0;
}
