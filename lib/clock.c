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
