/* jid.c - the shape of a JID (RFC 7622), checked before anything is sent */
#include <string.h>

#include "xt.h"

static const char *
check_domain(const char *d, size_t len)
{
	size_t i;

	if (len == 0)
		return "empty domain";
	if (len > 1023)
		return "domain longer than 1023 bytes";
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)d[i];
		if (ch <= ' ' || strchr("@/\"&'<>:\\", ch)) {
			/* IPv6 literals are bracketed: allow ':' inside [] */
			if (ch == ':' && d[0] == '[')
				continue;
			return "forbidden character in domain";
		}
	}
	if (d[0] == '.' || memmem(d, len, "..", 2))
		return "empty label in domain";
	return NULL;
}

const char *
xt_jid_check(const char *jid)
{
	const char *at, *slash, *dom;
	size_t i, dlen, tl;

	if (!jid || !*jid)
		return "empty JID";
	tl = strlen(jid);
	if (xt_text_check(jid, tl, &i))
		return "not valid UTF-8 text";
	slash = strchr(jid, '/');
	at = strchr(jid, '@');
	if (at && slash && at > slash)
		at = NULL; /* '@' in the resource */
	if (at) {
		if (at == jid)
			return "empty localpart before '@'";
		if (at - jid > 1023)
			return "localpart longer than 1023 bytes";
		for (i = 0; jid + i < at; i++) {
			unsigned char ch = (unsigned char)jid[i];
			if (ch <= ' ' || strchr("\"&'/:<>@", ch))
				return "forbidden character in localpart";
		}
	}
	dom = at ? at + 1 : jid;
	dlen = slash ? (size_t)(slash - dom) : strlen(dom);
	if (check_domain(dom, dlen))
		return check_domain(dom, dlen);
	if (slash && slash[1] == '\0')
		return "empty resource after '/'";
	if (slash && strlen(slash + 1) > 1023)
		return "resource longer than 1023 bytes";
	return NULL;
}

char *
xt_jid_bare(const char *jid)
{
	char *b = xt_strdup(jid), *slash = strchr(b, '/');

	if (slash)
		*slash = '\0';
	return b;
}

char *
xt_jid_domain(const char *jid)
{
	const char *at = strchr(jid, '@'), *slash = strchr(jid, '/');
	char *d, *cut;

	if (at && (!slash || at < slash))
		jid = at + 1;
	d = xt_strdup(jid);
	if ((cut = strchr(d, '/')))
		*cut = '\0';
	return d;
}
