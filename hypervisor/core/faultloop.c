#include "core/faultloop.h"

bool faultloop_check(struct faultloop *fl, uint64_t scause, uint64_t sepc, uint64_t stval, unsigned k)
{
	if (scause == fl->scause && sepc == fl->sepc && stval == fl->stval)
		return ++fl->count >= k;
	fl->scause = scause;
	fl->sepc = sepc;
	fl->stval = stval;
	fl->count = 1;
	return false;
}
