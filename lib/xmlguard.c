/* xmlguard.c - limits that libstrophe's expat parser lacks.
 *
 * libstrophe 0.12 lets expat read a DTD in the stream, with entity
 * declarations and their expansion (RFC 6120 11.1 forbids both: a billion
 * laughs costs seconds of CPU), and joins a stanza's text with strncat, in
 * time quadratic in its length. It gives no access to its parser, but sets
 * the parser's handlers through expat's API each time it makes or resets
 * one: these definitions stand in for expat's (the dynamic linker resolves
 * libstrophe's calls to the program first), call the real ones, and wrap
 * libstrophe's handlers. A refused document stops the parser: libstrophe
 * then logs a parse error, which conn.c turns into the error below.
 * Only the parser libstrophe made last is guarded (it makes its parsers
 * with XML_ParserCreate_MM, one per connection); others (s2s.c) pass. */
#include <dlfcn.h>
#include <stdio.h>
#include <expat.h>

#include "xt.h"

/* Stanza text past this is refused: servers limit whole stanzas to as
 * much or less (Prosody 256 KiB, ejabberd 64 KiB), and libstrophe's cost
 * grows with its square (4 MiB took seconds under AddressSanitizer). */
#define MAX_STANZA_TEXT (1L * 1024 * 1024)

static XML_Parser parser;
static XML_StartElementHandler inner_start;
static XML_EndElementHandler inner_end;
static XML_CharacterDataHandler inner_text;
static int depth;
static long text_len;
static char refused[160];

const char *
xt_xml_refused(void)
{
	return refused[0] ? refused : NULL;
}

static void
refuse(const char *why)
{
	if (!refused[0])
		snprintf(refused, sizeof refused, "%s", why);
	XML_StopParser(parser, XML_FALSE);
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
	   const XML_Char *pubid, int has_internal_subset)
{
	(void)ud, (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	refuse("sent a DTD, which XMPP forbids (RFC 6120 11.1)");
}

static void XMLCALL
on_entity(void *ud, const XML_Char *name, int is_parameter, const XML_Char *value,
	  int value_length, const XML_Char *base, const XML_Char *sysid,
	  const XML_Char *pubid, const XML_Char *notation)
{
	(void)ud, (void)name, (void)is_parameter, (void)value, (void)value_length;
	(void)base, (void)sysid, (void)pubid, (void)notation;
	refuse("declared an entity, which XMPP forbids (RFC 6120 11.1)");
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	depth++;
	if (inner_start)
		inner_start(ud, name, attrs);
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	if (--depth <= 1)
		text_len = 0; /* a stanza (or the stream) ended */
	if (inner_end)
		inner_end(ud, name);
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	text_len += len;
	if (text_len > MAX_STANZA_TEXT) {
		refuse("sent a stanza with more than 1 MiB of text: dropped to protect "
		       "memory and time");
		return;
	}
	if (inner_text)
		inner_text(ud, s, len);
}

static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		xt_die(XT_ESOFTWARE, "cannot find expat's %s: %s", name, dlerror());
	return f;
}

XML_Parser XMLCALL
XML_ParserCreate_MM(const XML_Char *encoding, const XML_Memory_Handling_Suite *mem,
		    const XML_Char *sep)
{
	static XML_Parser (*create)(const XML_Char *, const XML_Memory_Handling_Suite *,
				    const XML_Char *);

	if (!create)
		create = real("XML_ParserCreate_MM");
	return parser = create(encoding, mem, sep);
}

/* The parser is new or reset: its handlers are being set again. */
void XMLCALL
XML_SetElementHandler(XML_Parser p, XML_StartElementHandler start, XML_EndElementHandler end)
{
	static void (*set)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
	static void (*set_doctype)(XML_Parser, XML_StartDoctypeDeclHandler);
	static void (*set_entity)(XML_Parser, XML_EntityDeclHandler);

	if (!set) {
		set = real("XML_SetElementHandler");
		set_doctype = real("XML_SetStartDoctypeDeclHandler");
		set_entity = real("XML_SetEntityDeclHandler");
	}
	if (p != parser) {
		set(p, start, end);
		return;
	}
	depth = 0;
	text_len = 0;
	refused[0] = '\0';
	inner_start = start;
	inner_end = end;
	set(p, on_start, on_end);
	set_doctype(p, on_doctype);
	set_entity(p, on_entity);
}

void XMLCALL
XML_SetCharacterDataHandler(XML_Parser p, XML_CharacterDataHandler handler)
{
	static void (*set)(XML_Parser, XML_CharacterDataHandler);

	if (!set)
		set = real("XML_SetCharacterDataHandler");
	if (p != parser) {
		set(p, handler);
		return;
	}
	inner_text = handler;
	set(p, handler ? on_text : NULL);
}
