/* fuzz-scram.c - a SCRAM exchange as a server (hostile or not) answers it:
 * the client's first and final messages, the server's challenge and
 * success, each given to lib/scram.c as libstrophe logs them. */
#include <openssl/evp.h>

#include "fuzz.h"

static const char *const mechs[] = {
	"SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512", "SCRAM-SHA-1-PLUS",
	"SCRAM-SHA-256-PLUS", "SCRAM-SHA3-512", "SCRAM-",
};

/* "<NAME xmlns=... [mechanism=...]>TEXT</NAME>", TEXT the part as given or
 * in base64 (most of the time: the parsers behind base64 are the point). */
static char *
element(const char *name, const char *mech, const char *part, size_t len, int raw)
{
	size_t cap = len * 4 / 3 + 200;
	char *xml = xt_malloc(cap), *text = xt_malloc(len * 4 / 3 + 8);

	if (raw)
		snprintf(text, len + 1, "%.*s", (int)len, part);
	else
		EVP_EncodeBlock((unsigned char *)text, (const unsigned char *)part, (int)len);
	snprintf(xml, cap, "<%s xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"%s%s%s>%s</%s>",
		 name, mech ? " mechanism=\"" : "", mech ? mech : "", mech ? "\"" : "",
		 text, name);
	free(text);
	return xml;
}

/* The input's parts, split at newlines: client-first, server-first,
 * client-final, server-final. */
static const char *
part(const char **p, const char *end, size_t *len)
{
	const char *start = *p, *nl = memchr(start, '\n', (size_t)(end - start));

	*len = (size_t)((nl ? nl : end) - start);
	*p = nl ? nl + 1 : end;
	return start;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_scram s = { 0 };
	const char *p, *end = (const char *)data + size, *parts[4];
	size_t lens[4], i;
	char why[300], *xml;
	int flags, rc;

	if (size < 1)
		return 0;
	flags = data[0];
	p = (const char *)data + 1;
	for (i = 0; i < 4; i++)
		parts[i] = part(&p, end, &lens[i]);
	xml = element("auth", mechs[(flags & 7) % (sizeof mechs / sizeof *mechs)],
		      parts[0], lens[0], flags & 8);
	xt_scram_sent_auth(&s, xml);
	free(xml);
	xml = element("challenge", NULL, parts[1], lens[1], flags & 16);
	rc = xt_scram_check_challenge(&s, xml, "pw", why, sizeof why);
	free(xml);
	if (rc == 0) {
		xml = element("response", NULL, parts[2], lens[2], flags & 32);
		xt_scram_sent_response(&s, xml);
		free(xml);
		xml = element("success", NULL, parts[3], lens[3], flags & 64);
		rc = xt_scram_check_success(&s, xml, "pw", why, sizeof why);
		free(xml);
		/* a login that used SCRAM passes only when the server proved
		 * it knows the password: never unchecked */
		if (rc == 0 && s.used && !s.verified)
			abort();
	}
	if (rc && !why[0])
		abort();
	xt_scram_reset(&s);
	return 0;
}
