#include "lib/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, uint64_t now, uint64_t interval, unsigned burst,
		     unsigned *suppressed_out)
{
	*suppressed_out = 0;
	if (!rl->started || now - rl->window_start >= interval) {
		rl->started = true;
		rl->window_start = now;
		rl->in_window = 0;
	}
	if (rl->in_window >= burst) {
		rl->suppressed++;
		return false;
	}
	rl->in_window++;
	*suppressed_out = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
