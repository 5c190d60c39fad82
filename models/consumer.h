/* consumer.h - the user-space ring reader (libpcap-like).
 *
 * A process-context task that reads frames in order from its own index,
 * testing `status & TP_STATUS_USER` (user_bit) or `status != TP_STATUS_KERNEL`
 * (nonzero, as libpcap does); checks each frame's packet id and checksum;
 * hands the frame back by writing TP_STATUS_KERNEL; sleeps in poll() and is
 * woken by sk_data_ready, after which poll looks at the ring again and sleeps
 * again unless it is readable (do_poll()).  When poll says readable but its
 * frame is not ready
 * (a reader waiting on frame k while later frames are published), it spins;
 * after CONSUMER_FUTILE_POLLS such polls it sleeps until the next wakeup, so a
 * run always ends.  With `stats_every=N` it reads PACKET_STATISTICS after
 * every N frames (consumer:stats_lock, stats_clear, stats_drops).
 *
 * Concurrency contract: consumer_step is a step function for task contexts.
 */
#ifndef MODELS_CONSUMER_H
#define MODELS_CONSUMER_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct consumer_state {
	uint32_t idx;               /* the reader's frame index */
	uint32_t futile;            /* polls that found the ring readable but idx not ready */
	uint64_t spins;             /* futile polls in all */
	uint32_t since_stats;       /* frames read since its last PACKET_STATISTICS read */
	uint32_t pad;
	/* What its getsockopt(PACKET_STATISTICS) calls returned, summed
	 * (`stats_every=`), and the frames it read with TP_STATUS_LOSING. */
	uint64_t stats_reads, stats_packets, stats_drops, losing;
} consumer_state;

/* getsockopt(PACKET_STATISTICS) as packet_getsockopt() does it, for a
 * reader in process context (`stats_every=`): the counters are copied and
 * cleared (clear on read); the reported tp_packets is the frames counted at
 * tpacket_rcv:E plus the drops.  After the read tp_drops is 0, so frames
 * published next carry no TP_STATUS_LOSING until the next drop. */


sim_answer consumer_step(sim *s, uint32_t ctx, sim_frame *f);

extern const model_ops consumer_ops;

#endif
