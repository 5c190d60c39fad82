/* locks.h - the one namespace of spinlock ids.
 *
 * Every spinlock of a run has an id: for each socket its
 * sk_receive_queue.lock (lock_rq) and its sk_lock.slock (lock_slock), then
 * the scenario's `lock`s (lock_user), in that order.  The models take and
 * release locks by these ids (spinlock.h), the trace carries them in `lock=`
 * keys, and the sinks and stories name them with lock_name().  Nothing else
 * spells the layout out.
 *
 * Concurrency contract: pure functions of the scenario; any thread.
 */
#ifndef MODELS_LOCKS_H
#define MODELS_LOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "scn.h"

static inline uint32_t lock_rq(const scn_file *f, uint32_t sock)
{
	(void)f;
	return sock;
}
static inline uint32_t lock_slock(const scn_file *f, uint32_t sock)
{
	return (uint32_t)f->nsockets + sock;
}
static inline uint32_t lock_user(const scn_file *f, uint32_t i)
{
	return (uint32_t)(2 * f->nsockets) + i;
}
/* How many lock ids a run has. */
static inline uint32_t lock_count(const scn_file *f)
{
	return (uint32_t)(2 * f->nsockets + f->nlocks);
}

enum lock_kind { LOCK_NONE, LOCK_RQ, LOCK_SLOCK, LOCK_USER };
/* What lock `id` is, and its socket or `lock` index in *index
 * (LOCK_NONE for a negative or unknown id). */
enum lock_kind lock_classify(const scn_file *f, int64_t id, uint32_t *index);

/* How lock_name() writes a name: "sk_lock.slock(cap)" for traces and their
 * sinks, "sk_lock.slock of cap" for stories. */
enum lock_style { LOCK_NAME_TRACE, LOCK_NAME_STORY };
/* The name of lock `id`; a scenario `lock` is its own name.  TRACE style:
 * "-" for a negative id, "lockN" for an unknown one. */
void lock_name(const scn_file *f, int64_t id, enum lock_style style, char *buf, size_t len);

#endif
