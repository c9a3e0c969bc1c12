/* progress-check - drives lib/progress.c's rate and line with a made-up
 * clock, for tests/80-sendfile.bats: a deterministic upload whose chunks
 * come unevenly (all of a second's bytes in one chunk, then nothing),
 * as libcurl hands them over. Prints, after a warm-up, the smoothed
 * rate's lowest and highest value in bytes per second, then the longest
 * line xt_progress_format made at each width given as an argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xt.h"

int
main(int argc, char **argv)
{
	struct xt_progress p;
	double done = 0, lo = 1e30, hi = 0, total = 64.0 * 1024 * 1024;
	char line[1024];
	long t;
	int i;

	xt_progress_start(&p, 0);
	/* 4 MiB a second on average: 4 MiB at once each second, libcurl's
	 * progress called every 50 ms in between */
	for (t = 50; t <= 20000; t += 50) {
		if (t % 1000 == 0)
			done += 4.0 * 1024 * 1024;
		xt_progress_update(&p, t, done);
		if (t > 5000) {
			lo = p.rate < lo ? p.rate : lo;
			hi = p.rate > hi ? p.rate : hi;
		}
	}
	printf("%.0f %.0f\n", lo, hi);
	for (i = 1; i < argc; i++) {
		size_t longest = 0;
		for (done = 0; done <= total; done += total / 7) {
			xt_progress_format(line, sizeof line, atoi(argv[i]),
					   "a-file-with-a-rather-long-name-of-sixty-characters-x.bin",
					   done, total, p.rate);
			longest = strlen(line) > longest ? strlen(line) : longest;
		}
		printf("%zu\n", longest);
	}
	return 0;
}
