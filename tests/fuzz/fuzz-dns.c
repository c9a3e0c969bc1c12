/* fuzz-dns.c - the DNS records xmpp-s2s-probe parses itself (lib/dns.c):
 * libunbound hands over each answer's records as RDATA in wire format,
 * and xt_dns_srv (with its domain name reader) and xt_dns_tlsa take them
 * apart. A and AAAA records are taken whole by length (lib/probe.c), with
 * nothing to parse.
 *
 * The input is a list of records as a DNS message over TCP frames them
 * (RFC 1035 4.2.2): a two-byte length, then that many bytes; each record is
 * copied to a buffer of exactly its length, as libunbound's are, and read
 * as an SRV and as a TLSA record. */
#include "fuzz.h"

/* Whether p[0..len) starts with a host name in wire format, uncompressed,
 * with no NUL or dot inside a label, and no longer than the parser's
 * buffer takes (its text up to 255 bytes: a wire name of 257, where RFC
 * 1035 3.1 allows 255, harmless): such a name the parser must take, and
 * no other. Sets *wire to its length. */
static int
well_formed_name(const uint8_t *p, size_t len, size_t *wire)
{
	size_t i = 0;

	while (i < len && p[i] && p[i] <= 63) {
		if (i + 1 + p[i] > len || memchr(p + i + 1, '\0', p[i]) ||
		    memchr(p + i + 1, '.', p[i]))
			return 0;
		i += 1 + p[i];
	}
	if (i >= len || p[i])
		return 0;
	*wire = i + 1;
	return *wire <= 257;
}

/* The text of a name back to wire format; its length, or 0. */
static size_t
to_wire(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0, l;
	const char *dot;

	if (!strcmp(text, ".")) {
		out[0] = 0;
		return 1;
	}
	for (;;) {
		dot = strchr(text, '.');
		l = dot ? (size_t)(dot - text) : strlen(text);
		if (l == 0 || l > 63 || n + l + 2 > cap)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, text, l);
		n += l;
		if (!dot)
			break;
		text = dot + 1;
	}
	out[n++] = 0;
	return n;
}

static void
check_srv(const struct xt_dns_rr *rr)
{
	const uint8_t *p = rr->data;
	struct xt_srv s;
	uint8_t wire[300];
	size_t n, want;
	int ok = rr->len >= 7 && well_formed_name(p + 6, rr->len - 6, &want);

	if (xt_dns_srv(rr, &s)) {
		if (ok)
			abort(); /* a good record refused */
		return;
	}
	if (!ok)
		abort(); /* a bad one taken */
	if (s.priority != (unsigned)(p[0] << 8 | p[1]) ||
	    s.weight != (unsigned)(p[2] << 8 | p[3]) ||
	    s.port != (unsigned)(p[4] << 8 | p[5]))
		abort();
	/* the target reads back as the record's own name */
	n = to_wire(s.target, wire, sizeof wire);
	if (n != want || memcmp(wire, p + 6, n))
		abort();
	free(s.target);
}

static void
check_tlsa(const struct xt_dns_rr *rr)
{
	struct xt_tlsa t;

	if (xt_dns_tlsa(rr, &t)) {
		if (rr->len >= 4)
			abort();
		return;
	}
	if (t.usage != rr->data[0] || t.selector != rr->data[1] ||
	    t.matching_type != rr->data[2] || t.len != rr->len - 3 ||
	    memcmp(t.data, rr->data + 3, t.len))
		abort();
	free(t.data);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_dns_rr rr;
	size_t off = 0;

	while (off + 2 <= size) {
		rr.len = (size_t)(data[off] << 8 | data[off + 1]);
		off += 2;
		if (rr.len > size - off)
			rr.len = size - off;
		/* exactly its length: ASan sees a read past the end */
		rr.data = xt_malloc(rr.len ? rr.len : 1);
		memcpy(rr.data, data + off, rr.len);
		off += rr.len;
		check_srv(&rr);
		check_tlsa(&rr);
		free(rr.data);
	}
	return 0;
}
