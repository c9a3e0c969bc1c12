/* text.c - what XML 1.0 lets into a stanza, and what a terminal may show */
#include <string.h>

#include "xt.h"

/* Decodes one UTF-8 sequence at s; returns its length, 0 if invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t left, unsigned long *cp)
{
	size_t n, i;
	unsigned long c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* XML 1.0 Char production. */
static int
xml_char(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const char *
xt_text_check(const char *s, size_t len, size_t *at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned long c;

	while (i < len) {
		n = utf8_decode(p + i, len - i, &c);
		if (n == 0) {
			*at = i;
			return "invalid UTF-8";
		}
		if (!xml_char(c)) {
			*at = i;
			return "control character XML does not allow";
		}
		i += n;
	}
	return NULL;
}

/* Characters a terminal acts on or that reorder what it shows: C0, DEL,
 * C1, and the BiDi embeddings, overrides, isolates and marks. */
static int
needs_escape(unsigned long c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x61c;
}

/* Appends the escaped form of the code point c (or of the byte c when
 * invalid is set) to out at *n; out has room for 11 more characters. */
static void
escape_one(char *out, size_t *n, unsigned long c, int invalid)
{
	if (invalid || c < 0x80)
		*n += (size_t)(c == '\n' ? sprintf(out + *n, "\\n")
			       : c == '\t' ? sprintf(out + *n, "\\t")
			       : sprintf(out + *n, "\\x%02X", (unsigned)c));
	else
		*n += (size_t)sprintf(out + *n, "\\u{%04lX}", c);
}

char *
xt_escaped(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n = 0, k;
	/* at worst each byte becomes "\xNN" (4), each sequence "\u{XXXX}" */
	char *out = xt_malloc(4 * len + 1);
	unsigned long c;

	while (i < len) {
		k = utf8_decode(p + i, len - i, &c);
		if (k == 0)
			escape_one(out, &n, p[i++], 1);
		else if (needs_escape(c))
			escape_one(out, &n, c, 0), i += k;
		else
			memcpy(out + n, p + i, k), n += k, i += k;
	}
	out[n] = '\0';
	return out;
}
