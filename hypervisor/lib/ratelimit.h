/*
 * Rate limiting of messages: at most `burst` per window of `interval` time
 * units; what is held back is counted so the next message that passes can
 * say how many were suppressed.  Pure: the caller passes the time in.
 */
#ifndef LIB_RATELIMIT_H
#define LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint64_t window_start;
	unsigned in_window;  /* messages passed in the current window */
	unsigned suppressed; /* held back since the last one that passed */
	bool started;
};

/*
 * true: print the message (and first, if *suppressed_out is nonzero, say how
 * many were held back before it).  false: it is counted as suppressed.
 */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now, uint64_t interval, unsigned burst,
		     unsigned *suppressed_out);

#endif
