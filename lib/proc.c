/* proc.c - what the process gives away (core dumps, /proc) and what the
 * commands it starts inherit */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "xt.h"

/* the user's own core-file limit, for the commands we start */
static struct rlimit user_core;
static int core_saved;

void
xt_harden(void)
{
	struct rlimit none;

	/* A core file, or another process of the same user reading
	 * /proc/PID/mem or environ, would show the password. Only the soft
	 * limit goes to 0: the hard one stays for the commands we start. */
	if (getrlimit(RLIMIT_CORE, &user_core) == 0) {
		core_saved = 1;
		none = user_core;
		none.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &none);
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void
xt_child_defaults(void)
{
	sigset_t none;
	int sig;

	/* execve makes the process dumpable again; the rest is ours to undo */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (core_saved)
		setrlimit(RLIMIT_CORE, &user_core);
}

pid_t
xt_spawn_shell(const char *cmd, int fd, int to, const char *const *env)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	dup2(fd, to);
	/* nothing of ours but the standard descriptors: not the server's
	 * socket, nor any file the account came from */
	closefrom(3);
	xt_child_defaults();
	for (; env && env[0]; env += 2) {
		if (env[1])
			setenv(env[0], env[1], 1);
		else
			unsetenv(env[0]);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}
