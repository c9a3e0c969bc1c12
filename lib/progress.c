/* progress.c - the progress bar: a smoothed rate, and a line that fits */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "xt.h"

/* The rate is averaged over about this long (an exponential moving
 * average): a burst of uneven chunks (libcurl hands over 512 KiB at a
 * time, then waits for TLS) moves it little, a real change of speed
 * within a few seconds. */
#define RATE_TAU_MS 5000.0
/* Samples closer than this are added up first: over a few milliseconds,
 * one chunk more or less is a factor of ten in the rate. */
#define SAMPLE_MIN_MS 500

void
xt_progress_start(struct xt_progress *p, long now_ms)
{
	memset(p, 0, sizeof *p);
	p->started_ms = p->sampled_ms = now_ms;
}

void
xt_progress_update(struct xt_progress *p, long now_ms, double done)
{
	long dt = now_ms - p->sampled_ms;
	double sample, weight;

	if (dt < SAMPLE_MIN_MS)
		return;
	sample = (done - p->sampled_bytes) * 1000.0 / (double)dt;
	/* dt / (tau + dt): 1 - exp(-dt / tau) near enough, without libm;
	 * until tau has passed, the average since the start (dt / elapsed),
	 * not a first sample's accident weighed for seconds */
	weight = (double)dt / (RATE_TAU_MS + (double)dt);
	if ((double)dt / (double)(now_ms - p->started_ms) > weight)
		weight = (double)dt / (double)(now_ms - p->started_ms);
	p->rate += weight * (sample - p->rate);
	p->sampled_ms = now_ms;
	p->sampled_bytes = done;
}

int
xt_terminal_width(int fd)
{
	struct winsize ws;
	const char *columns = getenv("COLUMNS");
	long n;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (columns && (n = strtol(columns, NULL, 10)) > 0 && n < 10000)
		return (int)n;
	return 80;
}

static void
human(double v, char *buf, size_t len)
{
	const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, unit[i]);
}

static void
eta_text(double left, double rate, char *buf, size_t len)
{
	long s;

	/* all sent, waiting for the server's answer (ejabberd takes seconds
	 * for 20 MiB): nothing is left, whatever the rate fell to meanwhile */
	if (left <= 0) {
		snprintf(buf, len, "ETA 0:00");
		return;
	}
	if (rate <= 0) {
		snprintf(buf, len, "ETA --:--");
		return;
	}
	s = (long)(left / rate + 0.5);
	if (s >= 3600)
		snprintf(buf, len, "ETA %ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "ETA %ld:%02ld", s / 60, s % 60);
}

/* The columns s takes: its characters (UTF-8 continuation bytes take
 * none), as far as bytes go. */
static size_t
columns_of(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes && s[i]; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* The bytes of s's first cols columns, not cutting a character. */
static size_t
bytes_for(const char *s, size_t cols)
{
	size_t i = 0, n = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == cols)
			break;
		i++;
	}
	return i;
}

/* The figures, as many as fit in room columns: the fullest first. */
static void
figures(char *out, size_t len, size_t room, double done, double total, double rate)
{
	char now[32], all[32], speed[32], eta[32];
	int pct = total > 0 ? (int)(100.0 * done / total) : 0;

	human(done, now, sizeof now);
	human(total, all, sizeof all);
	human(rate, speed, sizeof speed);
	eta_text(total - done, rate, eta, sizeof eta);
	snprintf(out, len, "%s / %s %3d%% %s/s %s", now, all, pct, speed, eta);
	if (strlen(out) <= room)
		return;
	snprintf(out, len, "%3d%% %s/s %s", pct, speed, eta);
	if (strlen(out) <= room)
		return;
	snprintf(out, len, "%3d%% %s", pct, eta);
	if (strlen(out) <= room)
		return;
	snprintf(out, len, "%3d%%", pct);
	if (strlen(out) > room)
		out[room < len ? room : len - 1] = '\0';
}

void
xt_progress_format(char *out, size_t len, int width, const char *name,
		   double done, double total, double rate)
{
	/* one column short of the width: a line that fills the last column
	 * makes many terminals wrap, and the next \r then redraws on a new
	 * line */
	size_t cols = width > 1 ? (size_t)width - 1 : 0, name_cols, nb, o;
	char figs[160];

	if (len == 0)
		return;
	figures(figs, sizeof figs, cols, done, total, rate);
	/* the name gets what the figures leave, less a space, and is cut */
	name_cols = cols > strlen(figs) + 1 ? cols - strlen(figs) - 1 : 0;
	nb = bytes_for(name, name_cols);
	o = (size_t)snprintf(out, len, "%.*s", (int)nb, name);
	/* padded to the full line: a shorter line leaves no trace of the
	 * last one */
	while (o + 1 < len && columns_of(out, o) + strlen(figs) < cols)
		out[o++] = ' ';
	snprintf(out + o, len - o, "%s", figs);
}
