/* jid.c - the shape of a JID (RFC 7622), checked before anything is sent */
#include <stdlib.h>
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

void
xt_warn_word_jid(const char *what, const char *jid)
{
	char *bare = xt_jid_bare(jid);

	/* "bob": a domain JID (RFC 7622 3.2), so a server's address, though
	 * the user surely meant a person; a real domain has a dot (or is an
	 * address in brackets), a typo of one rarely */
	if (!strchr(bare, '@') && !strchr(bare, '.') && bare[0] != '[')
		xt_warn("%s '%s' has no @: it is taken as the address of a server "
			"named %s, not of a user (did you mean %s@DOMAIN?)", what, jid,
			bare, bare);
	free(bare);
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

/*
 * Comparison (RFC 7622 3.2, 3.3): the localpart's PRECIS profile
 * (UsernameCaseMapped, RFC 8265) maps fullwidth to halfwidth, uppercase to
 * lowercase and then NFC; the domainpart (IDNA2008 / UTS #46) lowercases
 * too, and a trailing dot is no part of the name. The resourcepart
 * (OpaqueString) is compared as it is. Full Unicode tables are not worth
 * their size here: lower_cp knows ASCII, Latin-1, Latin Extended-A and
 * Additional, Greek, Cyrillic, Armenian and fullwidth letters and digits,
 * which covers the addresses people type; elsewhere (Latin Extended-B,
 * Georgian, Cherokee, title case, NFC) two spellings of one JID can still
 * compare different. The server's own stringprep stores one of them, so
 * the cost is a contact shown twice, never a wrong one taken as the same.
 */

/* Returns the lowercase of code point cp, or cp. Never a structural
 * character ('@', '/', '.'): mapping cannot move the parts' borders. */
static unsigned
lower_cp(unsigned cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
	    (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2) || (cp >= 0x410 && cp <= 0x42f))
		return cp + 0x20;
	if ((cp >= 0x100 && cp <= 0x12f) || (cp >= 0x132 && cp <= 0x137) ||
	    (cp >= 0x14a && cp <= 0x177) || (cp >= 0x460 && cp <= 0x481) ||
	    (cp >= 0x48a && cp <= 0x4bf) || (cp >= 0x4d0 && cp <= 0x52f) ||
	    (cp >= 0x1e00 && cp <= 0x1e95) || (cp >= 0x1ea0 && cp <= 0x1eff))
		return cp | 1; /* pairs: uppercase even, lowercase odd */
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e) ||
	    (cp >= 0x4c1 && cp <= 0x4ce))
		return cp + (cp & 1); /* pairs: uppercase odd */
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	if (cp >= 0x531 && cp <= 0x556)
		return cp + 0x30;
	if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff41 && cp <= 0xff5a))
		return cp - 0xfee0; /* fullwidth digits and small letters */
	if (cp >= 0xff21 && cp <= 0xff3a)
		return cp - 0xfee0 + 0x20;
	switch (cp) {
	case 0x178: return 0xff;
	case 0x386: return 0x3ac;
	case 0x388: case 0x389: case 0x38a: return cp + 0x25;
	case 0x38c: return 0x3cc;
	case 0x38e: case 0x38f: return cp + 0x3f;
	case 0x4c0: return 0x4cf;
	case 0x1e9e: return 0xdf;
	}
	return cp;
}

/* Decodes the one- to three-byte UTF-8 sequence at s into *cp; returns
 * its length, or 0 when it is not one (then the byte stays as it is). */
static size_t
decode(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80)
		return *cp = s[0], 1;
	if (s[0] >= 0xc2 && s[0] < 0xe0 && (s[1] & 0xc0) == 0x80)
		return *cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu), 2;
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = (s[0] & 0xfu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		return *cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff) ? 3 : 0;
	}
	return 0;
}

/* Writes cp as UTF-8 to out; returns its length. */
static size_t
encode(unsigned cp, char *out)
{
	if (cp < 0x80)
		return out[0] = (char)cp, 1;
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Lowercases s[0..len) into out; returns the bytes written (never more
 * than len: every mapping keeps or shortens the sequence). */
static size_t
lower(const char *s, size_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, n;
	unsigned cp;

	while (i < len) {
		if ((n = decode(u + i, &cp)) == 0 || i + n > len) {
			out[o++] = s[i++];
			continue;
		}
		o += encode(lower_cp(cp), out + o);
		i += n;
	}
	return o;
}

char *
xt_jid_normalize(const char *jid)
{
	const char *slash = strchr(jid, '/'), *at = strchr(jid, '@'), *dom;
	char *out = xt_malloc(strlen(jid) + 1);
	size_t o = 0, dlen;

	if (at && slash && at > slash)
		at = NULL; /* '@' in the resource */
	if (at)
		o = lower(jid, (size_t)(at - jid) + 1, out);
	dom = at ? at + 1 : jid;
	dlen = slash ? (size_t)(slash - dom) : strlen(dom);
	/* "example.test." is example.test; "a.." is no name, and stays
	 * as it is so that the form of a form is the form */
	if (dlen > 1 && dom[dlen - 1] == '.' && dom[dlen - 2] != '.')
		dlen--;
	o += lower(dom, dlen, out + o);
	strcpy(out + o, slash ? slash : "");
	return out;
}

/* Compares a and b normalised; bare: only up to the resource. */
static int
compare(const char *a, const char *b, int bare)
{
	char *x, *y;
	int same;

	if (!a || !b)
		return 0;
	x = xt_jid_normalize(a);
	y = xt_jid_normalize(b);
	if (bare) {
		x[strcspn(x, "/")] = '\0';
		y[strcspn(y, "/")] = '\0';
	}
	same = !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

int
xt_jid_equal(const char *a, const char *b)
{
	return compare(a, b, 0);
}

int
xt_jid_bare_equal(const char *a, const char *b)
{
	return compare(a, b, 1);
}

int
xt_jid_matches(const char *pattern, const char *jid)
{
	return strchr(pattern, '/') ? xt_jid_equal(pattern, jid) : xt_jid_bare_equal(pattern, jid);
}
