/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share. Each target is
 * one fuzz-NAME.c defining LLVMFuzzerTestOneInput; make fuzz builds and
 * runs them (see README).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The one libstrophe context of the process: making one per input would
 * measure libstrophe's start-up, not our parsers. */
static inline xmpp_ctx_t *
fuzz_ctx(void)
{
	static xmpp_ctx_t *ctx;

	if (!ctx) {
		xmpp_initialize();
		ctx = xmpp_ctx_new(NULL, NULL);
	}
	return ctx;
}

/* Returns the input as a malloc'd C string: the parsers that take one see
 * it cut at its first NUL, as they would a line from a file. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xt_malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
