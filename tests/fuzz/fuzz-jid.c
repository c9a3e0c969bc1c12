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
	if (!xt_jid_bare_equal(jid, bare))
		abort();
	free(bare);
	free(domain);
}

/* Any text, JID or not: the comparison form never grows (it is written in
 * place of the original), is its own comparison form, keeps the parts'
 * borders (the bare JID of the form is the form of the bare JID) and of a
 * valid JID is a valid JID. */
static void
check_normalize(const char *jid)
{
	char *n = xt_jid_normalize(jid), *nn = xt_jid_normalize(n);
	char *b = xt_jid_bare(jid), *nb = xt_jid_normalize(b);

	if (strlen(n) > strlen(jid) || strcmp(n, nn))
		abort();
	if (strncmp(n, nb, strlen(nb)) || (n[strlen(nb)] && n[strlen(nb)] != '/'))
		abort();
	if (!xt_jid_equal(jid, jid) || !xt_jid_equal(jid, n) || !xt_jid_bare_equal(n, jid))
		abort();
	if (!xt_jid_check(jid) && xt_jid_check(n))
		abort();
	free(n);
	free(nn);
	free(b);
	free(nb);
}

/* The input's two halves as two JIDs: equality is symmetric and implies
 * equal bare JIDs. */
static void
check_pair(const uint8_t *data, size_t size)
{
	char *a = fuzz_cstr(data, size / 2), *b = fuzz_cstr(data + size / 2, size - size / 2);
	int eq = xt_jid_equal(a, b);

	if (eq != xt_jid_equal(b, a) || (eq && !xt_jid_bare_equal(a, b)) ||
	    xt_jid_bare_equal(a, b) != xt_jid_bare_equal(b, a))
		abort();
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *jid = fuzz_cstr(data, size);
	size_t at;

	if (!xt_jid_check(jid))
		check_parts(jid);
	check_normalize(jid);
	check_pair(data, size);
	/* a problem is reported at a byte the text has */
	if (xt_text_check((const char *)data, size, &at) && at >= size)
		abort();
	free(jid);
	return 0;
}
