/* locks.c - see locks.h. */
#include "locks.h"

#include <inttypes.h>
#include <stdio.h>

enum lock_kind lock_classify(const scn_file *f, int64_t id, uint32_t *index)
{
	int64_t n = (int64_t)f->nsockets;
	*index = 0;
	if (id < 0)
		return LOCK_NONE;
	if (id < n) {
		*index = (uint32_t)id;
		return LOCK_RQ;
	}
	if (id < 2 * n) {
		*index = (uint32_t)(id - n);
		return LOCK_SLOCK;
	}
	if (id - 2 * n < (int64_t)f->nlocks) {
		*index = (uint32_t)(id - 2 * n);
		return LOCK_USER;
	}
	return LOCK_NONE;
}

void lock_name(const scn_file *f, int64_t id, enum lock_style style, char *buf, size_t len)
{
	uint32_t i;
	int story = style == LOCK_NAME_STORY;
	switch (lock_classify(f, id, &i)) {
	case LOCK_RQ:
		snprintf(buf, len, story ? "sk_receive_queue.lock of %s" : "sk_receive_queue.lock(%s)",
			 f->sockets[i].name);
		return;
	case LOCK_SLOCK:
		snprintf(buf, len, story ? "sk_lock.slock of %s" : "sk_lock.slock(%s)", f->sockets[i].name);
		return;
	case LOCK_USER:
		snprintf(buf, len, "%s", f->locks[i].name);
		return;
	case LOCK_NONE:
		break;
	}
	if (id < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "lock%" PRId64, id);
}
