/* io.c - reading files, commands and secrets */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xt.h"

long
xt_read_all(int fd, char **out)
{
	size_t len = 0, cap = 8192;
	char *buf = xt_malloc(cap + 1);
	ssize_t n;

	for (;;) {
		if (len == cap) {
			cap *= 2;
			buf = xt_realloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return (long)len;
}

static char *
first_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

char *
xt_read_line_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line;

	if (!f)
		return NULL;
	line = first_line(f);
	if (!line && !ferror(f))
		line = xt_strdup("");
	fclose(f);
	return line;
}

char *
xt_read_line_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *line;
	int status;

	if (!p)
		return NULL;
	line = first_line(p);
	status = pclose(p);
	if (status != 0) {
		xt_free_secret(line);
		return NULL;
	}
	return line;
}

void
xt_free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
xt_lines_fill(struct xt_lines *l)
{
	ssize_t n;

	if (l->off > 0 && l->off == l->len) {
		l->off = l->len = 0;
	} else if (l->off > l->cap / 2) {
		memmove(l->buf, l->buf + l->off, l->len - l->off);
		l->len -= l->off;
		l->off = 0;
	}
	if (l->cap - l->len < 65536) {
		l->cap = l->cap ? l->cap * 2 : 131072;
		l->buf = xt_realloc(l->buf, l->cap + 1);
	}
	do
		n = read(l->fd, l->buf + l->len, l->cap - l->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		l->eof = 1;
	l->len += (size_t)n;
	return 0;
}

char *
xt_lines_next(struct xt_lines *l, size_t *len, int *toolong)
{
	char *start = l->buf + l->off, *nl;
	size_t avail = l->len - l->off;

	*toolong = 0;
	if (!l->buf || avail == 0)
		return NULL;
	nl = memchr(start, '\n', avail);
	if (!nl && !l->eof && avail <= XT_MAX_LINE)
		return NULL;
	if (!nl && avail > XT_MAX_LINE) {
		/* report it cut and drop the rest up to the next newline */
		*toolong = 1;
		nl = start + XT_MAX_LINE;
	}
	*len = nl ? (size_t)(nl - start) : avail;
	l->off += *len + (nl && !*toolong ? 1 : 0);
	if (*toolong) {
		char *rest = memchr(l->buf + l->off, '\n', l->len - l->off);
		l->off = rest ? (size_t)(rest - l->buf) + 1 : l->len;
	}
	start[*len] = '\0';
	if (*len && start[*len - 1] == '\r')
		start[--*len] = '\0';
	l->lineno++;
	return start;
}

void
xt_lines_free(struct xt_lines *l)
{
	free(l->buf);
	l->buf = NULL;
}
