/* xmlin.c - raw stanzas from a stream of XML, checked before sending */
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

/* expat 2.9 (Debian 13's security update) deprecates the positions as
 * unsigned long for 64-bit ones; older releases have only those. */
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 9)
#define line_of(p) ((unsigned long)XML_GetCurrentLineNumber64(p))
#define column_of(p) ((unsigned long)XML_GetCurrentColumnNumber64(p))
#else
#define line_of(p) ((unsigned long)XML_GetCurrentLineNumber(p))
#define column_of(p) ((unsigned long)XML_GetCurrentColumnNumber(p))
#endif

#define MAX_DEPTH 64
#define MAX_QUEUE 256

/* The input is a sequence of stanzas, not one document: the parser is fed
 * an opening wrapper first, so each stanza is a child of it. */
static const char wrapper[] = "<stream xmlns='jabber:client'>";

struct xt_xmlin {
	XML_Parser p;
	xmpp_ctx_t *ctx;
	xmpp_stanza_t *stack[MAX_DEPTH + 1];
	int depth;
	unsigned long start_line;
	xmpp_stanza_t *queue[MAX_QUEUE];
	unsigned long lines[MAX_QUEUE];
	size_t qhead, qlen;
	char why[200];
};

static void
fail(struct xt_xmlin *x, const char *why)
{
	if (!x->why[0])
		snprintf(x->why, sizeof x->why, "line %lu: %s",
			 line_of(x->p), why);
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL
on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	struct xt_xmlin *x = data;
	xmpp_stanza_t *st;
	int i;

	if (x->depth++ == 0)
		return; /* the wrapper */
	if (x->depth > MAX_DEPTH) {
		fail(x, "elements nested too deeply");
		return;
	}
	if (x->depth == 2) {
		if (strcmp(name, "message") && strcmp(name, "presence") && strcmp(name, "iq")) {
			fail(x, "top-level element is not <message>, <presence> or <iq>");
			return;
		}
		x->start_line = line_of(x->p);
	}
	st = xmpp_stanza_new(x->ctx);
	xmpp_stanza_set_name(st, name);
	for (i = 0; attrs[i]; i += 2)
		xmpp_stanza_set_attribute(st, attrs[i], attrs[i + 1]);
	if (x->depth > 2) {
		xmpp_stanza_add_child_ex(x->stack[x->depth - 1], st, 0);
	}
	x->stack[x->depth] = st;
}

static void XMLCALL
on_end(void *data, const XML_Char *name)
{
	struct xt_xmlin *x = data;
	xmpp_stanza_t *st;

	(void)name;
	if (x->depth-- != 2)
		return;
	st = x->stack[2];
	x->stack[2] = NULL;
	if (x->qlen == MAX_QUEUE) {
		xmpp_stanza_release(st);
		fail(x, "too many stanzas buffered");
		return;
	}
	x->queue[(x->qhead + x->qlen) % MAX_QUEUE] = st;
	x->lines[(x->qhead + x->qlen) % MAX_QUEUE] = x->start_line;
	x->qlen++;
}

static void XMLCALL
on_text(void *data, const XML_Char *s, int len)
{
	struct xt_xmlin *x = data;
	xmpp_stanza_t *t;

	if (x->depth < 2) {
		int i;
		for (i = 0; i < len; i++)
			if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') {
				fail(x, "text between stanzas");
				return;
			}
		return;
	}
	t = xmpp_stanza_new(x->ctx);
	xmpp_stanza_set_text_with_size(t, s, (size_t)len);
	xmpp_stanza_add_child_ex(x->stack[x->depth], t, 0);
}

struct xt_xmlin *
xt_xmlin_new(xmpp_ctx_t *ctx)
{
	struct xt_xmlin *x = xt_malloc(sizeof *x);

	memset(x, 0, sizeof *x);
	x->ctx = ctx;
	x->p = XML_ParserCreate("UTF-8");
	if (!x->p)
		xt_die(XT_EOS, "out of memory");
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_Parse(x->p, wrapper, (int)strlen(wrapper), XML_FALSE);
	return x;
}

int
xt_xmlin_feed(struct xt_xmlin *x, const char *buf, size_t len, int final,
	      char *why, size_t whylen)
{
	static const char close[] = "</stream>";

	if (x->why[0]) {
		snprintf(why, whylen, "%s", x->why);
		return -1;
	}
	if (XML_Parse(x->p, buf, (int)len, XML_FALSE) == XML_STATUS_ERROR ||
	    (final && XML_Parse(x->p, close, (int)strlen(close), XML_TRUE) == XML_STATUS_ERROR)) {
		if (!x->why[0])
			snprintf(x->why, sizeof x->why, "line %lu, column %lu: %s",
				 line_of(x->p),
				 column_of(x->p),
				 final && x->depth > 1 ? "input ends inside a stanza"
						       : XML_ErrorString(XML_GetErrorCode(x->p)));
		snprintf(why, whylen, "%s", x->why);
		return -1;
	}
	return 0;
}

xmpp_stanza_t *
xt_xmlin_next(struct xt_xmlin *x, unsigned long *line)
{
	xmpp_stanza_t *st;

	if (!x->qlen)
		return NULL;
	st = x->queue[x->qhead];
	*line = x->lines[x->qhead];
	x->qhead = (x->qhead + 1) % MAX_QUEUE;
	x->qlen--;
	return st;
}

void
xt_xmlin_free(struct xt_xmlin *x)
{
	xmpp_stanza_t *st;
	unsigned long line;

	while ((st = xt_xmlin_next(x, &line)))
		xmpp_stanza_release(st);
	if (x->stack[2])
		xmpp_stanza_release(x->stack[2]);
	XML_ParserFree(x->p);
	free(x);
}
