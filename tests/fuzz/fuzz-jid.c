/* fuzz-jid.c - a JID and a text as the command line or JSON give them */
#include "fuzz.h"

/* A valid JID's bare JID and domain are valid JIDs too: the tools address
 * stanzas to them without checking again. */
static void
check_parts(const char *jid)
{
	char *bare = xt_jid_bare(jid), *domain = xt_jid_domain(jid);

	if (xt_jid_check(bare) || xt_jid_check(domain))
		abort();
	free(bare);
	free(domain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *jid = fuzz_cstr(data, size);
	size_t at;

	if (!xt_jid_check(jid))
		check_parts(jid);
	/* a problem is reported at a byte the text has */
	if (xt_text_check((const char *)data, size, &at) && at >= size)
		abort();
	free(jid);
	return 0;
}
