/* clock.c - the monotonic clock every deadline and timing is measured by */
#include <time.h>

#include "xt.h"

long
xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

double
xt_elapsed_ms(const struct timespec *since)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - since->tv_sec) * 1e3 +
	       (double)(ts.tv_nsec - since->tv_nsec) / 1e6;
}

/* --timeout: when the whole run must end (xt_now_ms), or 0 for never;
 * its length in seconds, for messages. One per process, as the run is. */
static long deadline_at, deadline_s;

void
xt_deadline_set(long seconds)
{
	deadline_s = seconds;
	deadline_at = seconds > 0 ? xt_now_ms() + seconds * 1000L : 0;
}

long
xt_deadline_seconds(void)
{
	return deadline_s;
}

long
xt_deadline_left_ms(void)
{
	long left;

	if (!deadline_at)
		return XT_NO_DEADLINE;
	left = deadline_at - xt_now_ms();
	return left > 0 ? left : 0;
}

int
xt_deadline_passed(void)
{
	return deadline_at && xt_now_ms() >= deadline_at;
}

long
xt_cap_ms(long ms)
{
	long left = xt_deadline_left_ms();

	return ms < left ? ms : left;
}
