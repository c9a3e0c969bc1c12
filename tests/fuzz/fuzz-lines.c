/* fuzz-lines.c - the line reader (lib/io.c xt_lines_*) as xmpp-send
 * --lines/--json, xmpp-roster import and xmpp-s2s-probe read standard
 * input: through a pipe, in pieces of sizes the input chooses, one
 * xt_lines_fill per piece as poll() would wake the tool, and with a small
 * limit so that the too-long path is the common one. What comes out is
 * checked against the input split at its newlines. */
#include <unistd.h>

#include "fuzz.h"

/* The input: a limit byte, a count byte and that many (at most 7)
 * piece-size bytes, then the text. The four high bits of the count byte
 * set (rarely: it is slow) repeat the text to over 80 KiB, in bigger
 * pieces: past half the reader's first buffer (128 KiB), which it then
 * moves down to reuse. */
struct plan {
	size_t limit, npieces, scale;
	const uint8_t *sizes, *text;
	size_t len;
	uint8_t *copy;
};

static int
read_plan(const uint8_t *data, size_t size, struct plan *p)
{
	size_t i, reps = 1;

	if (size < 2)
		return -1;
	p->limit = 1 + data[0] % 64;
	p->npieces = data[1] & 7;
	p->scale = (data[1] & 0xf0) == 0xf0 ? 64 : 1;
	if (size < 2 + p->npieces)
		return -1;
	p->sizes = data + 2;
	p->text = data + 2 + p->npieces;
	p->len = size - 2 - p->npieces;
	p->copy = NULL;
	if (p->scale > 1 && p->len) {
		reps = (80 * 1024) / p->len + 1;
		p->copy = xt_malloc(p->len * reps);
		for (i = 0; i < reps; i++)
			memcpy(p->copy + i * p->len, p->text, p->len);
		p->text = p->copy;
		p->len *= reps;
	}
	return 0;
}

/* The next line the reader must return, taken from the text at *pos: the
 * bytes to the newline (or the end), one carriage return before it
 * dropped; cut to the limit (and *toolong set) when longer. Returns 0 when
 * the text holds no further line. */
static int
expected(const struct plan *p, size_t *pos, const uint8_t **line, size_t *len,
	 int *toolong)
{
	const uint8_t *start = p->text + *pos, *nl;
	size_t avail = p->len - *pos, n;

	if (avail == 0)
		return 0;
	nl = memchr(start, '\n', avail);
	n = nl ? (size_t)(nl - start) : avail;
	*pos += n + (nl ? 1 : 0);
	if (n && start[n - 1] == '\r')
		n--;
	*toolong = n > p->limit;
	*line = start;
	*len = *toolong ? p->limit : n;
	return 1;
}

/* Takes every line the reader has now and checks each against the text. */
static void
drain(struct xt_lines *l, const struct plan *p, size_t *pos, unsigned long *lineno)
{
	const uint8_t *want;
	size_t len, wlen;
	int toolong, wtoolong;
	char *line;

	while ((line = xt_lines_next(l, &len, &toolong))) {
		if (!expected(p, pos, &want, &wlen, &wtoolong))
			abort(); /* a line the text does not have */
		if (len != wlen || toolong != wtoolong || memcmp(line, want, len))
			abort();
		if (len > p->limit || memchr(line, '\n', len) || line[len] != '\0')
			abort();
		/* one more per line of input, too long ones included */
		if (l->lineno != ++*lineno)
			abort();
	}
}

/* Writes the text into the pipe piece by piece; the reader reads after
 * each, and after the end once more to see end of file. */
static void
run(const struct plan *p, int rfd, int wfd)
{
	struct xt_lines l = { .fd = rfd, .max = p->limit };
	unsigned long lineno = 0;
	size_t off = 0, pos = 0, i = 0, piece;
	const uint8_t *want;
	size_t wlen;
	int wtoolong;

	while (off < p->len) {
		piece = p->npieces ? (size_t)(p->sizes[i++ % p->npieces] + 1) * p->scale : p->len;
		if (piece > p->len - off)
			piece = p->len - off;
		if (piece > 65536) /* what an empty pipe holds */
			piece = 65536;
		if (write(wfd, p->text + off, piece) != (ssize_t)piece)
			abort();
		off += piece;
		if (xt_lines_fill(&l) < 0)
			abort();
		drain(&l, p, &pos, &lineno);
	}
	close(wfd);
	while (!l.eof) {
		if (xt_lines_fill(&l) < 0)
			abort();
		drain(&l, p, &pos, &lineno);
	}
	drain(&l, p, &pos, &lineno);
	/* and every line of the text came out */
	if (expected(p, &pos, &want, &wlen, &wtoolong))
		abort();
	xt_lines_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	int fds[2];

	if (read_plan(data, size, &p))
		return 0;
	if (pipe(fds))
		abort();
	run(&p, fds[0], fds[1]);
	close(fds[0]);
	free(p.copy);
	return 0;
}
