/* keys.h - the trace keys the models put on their events (`sock=3 pkt=7`).
 *
 * Keys are ids after the engine's own (sim.h: line, nr, wq, ns, start, for);
 * world_build names them for the engine with sim_set_trace_keys(), and the
 * trace sinks read a key by id (trace_kv_get(e, TK_SOCK, -1)).  One table:
 * the name a key prints as is written here once.
 */
#ifndef MODELS_KEYS_H
#define MODELS_KEYS_H

#include "sim.h"

/* X(ID, "name") */
#define MODEL_KEYS(X) \
	X(SOCK, "sock") X(PKT, "pkt") X(FRAME, "frame") X(SIZE, "size") X(STATUS, "status") \
	X(LOCK, "lock") X(WAIT, "wait") X(HOLD, "hold") X(HANDOFF, "handoff") \
	X(OWNER_CPU, "owner_cpu") X(OWNER_PKT, "owner_pkt") X(OWNED, "owned") \
	X(KERNEL, "kernel") X(WRITING, "writing") X(USER, "user") \
	X(PKTS, "pkts") X(BYTES, "bytes") X(RMEM, "rmem") X(LEN, "len") X(BACKLOG, "backlog") \
	X(LEFT, "left") X(QUEUED, "queued") X(WHAT, "what") \
	X(FROZEN, "frozen") X(BLOCK, "block") X(GROUP, "group") X(HOP, "hop") X(HOPS, "hops")

enum model_key {
	TK_BEFORE_ = SIM_TK_COUNT - 1,
#define X(id, name) TK_##id,
	MODEL_KEYS(X)
#undef X
	TK_COUNT
};

/* Names of keys SIM_TK_COUNT .. TK_COUNT - 1, in order. */
extern const char *const model_key_names[TK_COUNT - SIM_TK_COUNT];

#endif
