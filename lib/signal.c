/* signal.c - SIGINT and SIGTERM end a tool's wait, cleanly */
#include <signal.h>
#include <string.h>

#include "xt.h"

volatile sig_atomic_t xt_stop;

static void
on_stop(int sig)
{
	(void)sig;
	xt_stop = 1;
}

void
xt_catch_stop_signals(void)
{
	struct sigaction sa;

	/* no SA_RESTART: the loop's poll returns at once and sees xt_stop */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
xt_stopped(void *data)
{
	(void)data;
	return xt_stop;
}
