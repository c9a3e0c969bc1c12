/* io.c - reading files, commands and secrets */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "xt.h"

long
xt_read_at_most(int fd, size_t max, char **out)
{
	size_t len = 0, cap = max < 8192 ? max + 1 : 8192;
	char *buf = xt_malloc(cap + 1);
	ssize_t n;

	/* one byte past max tells "more than max" from "exactly max" */
	while (len <= max) {
		if (len == cap) {
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = xt_realloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				break;
			free(buf);
			return -1;
		}
		len += (size_t)n;
	}
	if (len > max) {
		free(buf);
		return -2;
	}
	buf[len] = '\0';
	*out = buf;
	return (long)len;
}

long
xt_read_all(int fd, char **out)
{
	return xt_read_at_most(fd, LONG_MAX - 1, out);
}

/* read(2), again when a signal cut it short. */
static ssize_t
read_some(int fd, char *buf, size_t len)
{
	ssize_t n;

	while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	return n;
}

/* Reads fd to its end (the rest of a command's output must not fill the
 * pipe and fail the command) and returns its first line, without "\r\n",
 * as a new string; NULL with errno set on failure: EFBIG for a first line
 * of XT_MAX_SECRET bytes or more, ENODATA when fd had nothing at all. No
 * stdio: its buffer would keep a copy of the password after fclose; what
 * is read here is wiped. */
static char *
secret_line(int fd)
{
	char buf[XT_MAX_SECRET], *nl = NULL, *line = NULL;
	size_t len = 0;
	ssize_t n = 0;
	int err;

	while (!nl && len < sizeof buf && (n = read_some(fd, buf + len, sizeof buf - len)) > 0) {
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	err = n < 0 ? errno : !nl && len == sizeof buf ? EFBIG : len == 0 ? ENODATA : 0;
	if (!err) {
		len = nl ? (size_t)(nl - buf) : len;
		while (len > 0 && buf[len - 1] == '\r')
			len--;
		line = xt_malloc(len + 1);
		memcpy(line, buf, len);
		line[len] = '\0';
	}
	while (n > 0)
		n = read_some(fd, buf, sizeof buf);
	explicit_bzero(buf, sizeof buf);
	errno = err;
	return line;
}

char *
xt_read_line_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	char *line;

	if (fd < 0)
		return NULL;
	/* an empty file is an empty password; the server will say so */
	if (!(line = secret_line(fd)) && errno == ENODATA)
		line = xt_strdup("");
	e = errno;
	close(fd);
	errno = e;
	return line;
}

char *
xt_read_line_cmd(const char *cmd)
{
	int fds[2], status;
	char *line;
	pid_t pid;

	if (pipe(fds) != 0)
		return NULL;
	if ((pid = xt_spawn_shell(cmd, fds[1], 1, NULL)) < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	close(fds[1]);
	line = secret_line(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		xt_free_secret(line);
		return NULL;
	}
	return line;
}

/* xt_secret_keep's memory: its size, then the secret. */
struct kept {
	size_t size;
	char secret[];
};

char *
xt_secret_keep(char *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len, size;
	struct kept *k;

	if (!s)
		return NULL;
	len = strlen(s);
	size = (sizeof *k + len + 1 + page - 1) / page * page;
	k = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k == MAP_FAILED)
		xt_die(XT_EOS, "out of memory");
	/* each is best effort: never swapped (mlock fails past
	 * RLIMIT_MEMLOCK), in no core file, and zeros in a forked child */
	(void)mlock(k, size);
	(void)madvise(k, size, MADV_DONTDUMP);
	(void)madvise(k, size, MADV_WIPEONFORK);
	k->size = size;
	memcpy(k->secret, s, len + 1);
	xt_free_secret(s);
	return k->secret;
}

void
xt_secret_drop(char *secret)
{
	struct kept *k;
	size_t size;

	if (!secret)
		return;
	k = (struct kept *)(secret - offsetof(struct kept, secret));
	size = k->size;
	explicit_bzero(k, size);
	munmap(k, size);
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

/* The longest line l returns whole. */
static size_t
line_max(const struct xt_lines *l)
{
	return l->max ? l->max : XT_MAX_LINE;
}

/* A line's length without the carriage return before its newline (or
 * the one last read, whose newline may come next). */
static size_t
text_length(const char *line, size_t n)
{
	return n && line[n - 1] == '\r' ? n - 1 : n;
}

/* Drops the rest of a line too long to return, up to its newline, also
 * when that comes only in later reads; returns 1 while it has not come. */
static int
skip_long_line(struct xt_lines *l)
{
	char *nl = memchr(l->buf + l->off, '\n', l->len - l->off);

	l->off = nl ? (size_t)(nl - l->buf) + 1 : l->len;
	l->skipping = !nl && !l->eof;
	return l->skipping;
}

/* Returns a too long line as its first line_max() bytes, with *toolong
 * set, and skips the rest of it: nothing of it is read as a line. */
static char *
long_line(struct xt_lines *l, size_t *len, int *toolong)
{
	char *start = l->buf + l->off;

	*toolong = 1;
	*len = line_max(l);
	l->off += *len;
	skip_long_line(l);
	start[*len] = '\0';
	l->lineno++;
	return start;
}

char *
xt_lines_next(struct xt_lines *l, size_t *len, int *toolong)
{
	char *start, *nl;
	size_t avail;

	*toolong = 0;
	if (!l->buf || (l->skipping && skip_long_line(l)))
		return NULL;
	start = l->buf + l->off;
	avail = l->len - l->off;
	if (avail == 0)
		return NULL;
	nl = memchr(start, '\n', avail);
	if (text_length(start, nl ? (size_t)(nl - start) : avail) > line_max(l))
		return long_line(l, len, toolong);
	if (!nl && !l->eof)
		return NULL;
	*len = nl ? (size_t)(nl - start) : avail;
	l->off += *len + (nl ? 1 : 0);
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
