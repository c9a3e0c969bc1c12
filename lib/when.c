/* when.c - times for people: local time, ISO 8601 with the offset */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xt.h"

void
xt_local_time(time_t t, char *out, size_t len)
{
	struct tm tm;
	char zone[8];

	localtime_r(&t, &tm);
	/* %z gives +0530; ISO 8601's extended form, as the date uses, is
	 * +05:30 */
	strftime(zone, sizeof zone, "%z", &tm);
	if (strlen(zone) != 5)
		snprintf(zone, sizeof zone, "+0000");
	strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + strlen(out), len - strlen(out), "%.3s:%s", zone, zone + 3);
}

/* digits at s, n of them, as a number; -1 if they are not all digits */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The offset east of UTC, in seconds, that s (Z, +hh:mm, -hh:mm) says;
 * -1 with *ok 0 when it says none of them. */
static long
zone_offset(const char *s, int *ok)
{
	int h, m;

	*ok = 1;
	if (!strcmp(s, "Z"))
		return 0;
	if (strlen(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' &&
	    (h = digits(s + 1, 2)) >= 0 && (m = digits(s + 4, 2)) >= 0)
		return (s[0] == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
	*ok = 0;
	return -1;
}

int
xt_stamp_to_time(const char *stamp, time_t *t)
{
	struct tm tm = { 0 };
	const char *p;
	long off;
	int ok;

	/* XEP-0082: CCYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm|-hh:mm) */
	if (!stamp || strlen(stamp) < 20 || stamp[4] != '-' || stamp[7] != '-' ||
	    stamp[10] != 'T' || stamp[13] != ':' || stamp[16] != ':')
		return -1;
	tm.tm_year = digits(stamp, 4) - 1900;
	tm.tm_mon = digits(stamp + 5, 2) - 1;
	tm.tm_mday = digits(stamp + 8, 2);
	tm.tm_hour = digits(stamp + 11, 2);
	tm.tm_min = digits(stamp + 14, 2);
	tm.tm_sec = digits(stamp + 17, 2);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mday < 0 || tm.tm_hour < 0 ||
	    tm.tm_min < 0 || tm.tm_sec < 0)
		return -1;
	for (p = stamp + 19; *p == '.' || (p > stamp + 19 && isdigit((unsigned char)*p)); p++)
		;
	off = zone_offset(p, &ok);
	if (!ok)
		return -1;
	*t = timegm(&tm) - off;
	return 0;
}

void
xt_stamp_local(const char *stamp, char *out, size_t len)
{
	time_t t;

	if (xt_stamp_to_time(stamp, &t) == 0) {
		xt_local_time(t, out, len);
	} else {
		/* not a time we can read: shown as it came, made safe */
		char *safe = xt_escaped(stamp ? stamp : "?");

		snprintf(out, len, "%s", safe);
		free(safe);
	}
}
