/* text.c - what XML 1.0 lets into a stanza, and what a terminal may see */
#include <stdio.h>
#include <stdlib.h>
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

/* What a terminal could act on or reorder text by: C0 controls (newline
 * aside, the caller says what it becomes), DEL, C1, and the BiDi controls
 * (LRE..RLO, LRI..PDI, LRM, RLM, ALM). */
static int
needs_escape(unsigned long c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x61c;
}

/* s with those characters as \xNN (C0, DEL, bytes that are not UTF-8) or
 * \u{XXXX}, and each newline as newline. */
static char *
escape(const char *s, const char *newline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), nl = strlen(newline), i = 0, n, o = 0;
	/* at most 4 bytes out per byte in ("\x7F", "\u{202E}" for 3), or a
	 * newline's replacement */
	char *out = xt_malloc(len * (nl > 4 ? nl : 4) + 1);
	unsigned long c;

	while (i < len) {
		n = utf8_decode(p + i, len - i, &c);
		if (n == 0 || (c < 0x80 && c != '\n' && needs_escape(c)))
			o += (size_t)sprintf(out + o, "\\x%02X", p[i]), n = 1;
		else if (c == '\n')
			o += (size_t)sprintf(out + o, "%s", newline);
		else if (needs_escape(c))
			o += (size_t)sprintf(out + o, "\\u{%04lX}", c);
		else
			memcpy(out + o, p + i, n), o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

char *
xt_escaped(const char *s)
{
	return s ? escape(s, "\\n") : NULL;
}

char *
xt_escaped_lines(const char *s, const char *indent)
{
	char *newline, *out;

	if (!s)
		return NULL;
	newline = xt_malloc(strlen(indent) + 2);
	sprintf(newline, "\n%s", indent);
	out = escape(s, newline);
	free(newline);
	return out;
}
