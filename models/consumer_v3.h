/* consumer_v3.h - the user-space reader of a TPACKET_V3 ring, as libpcap's
 * pcap_read_linux_mmap_v3() walks it: the block at its index is ready when
 * block_status & TP_STATUS_USER; then num_pkts frames from
 * offset_to_first_pkt by tp_next_offset; then the block goes back
 * (block_status = TP_STATUS_KERNEL) and the index moves on.  With nothing
 * ready it sleeps in poll() (pcap_wait_for_frames_mmap), woken by
 * sk_data_ready; as consumer.h's reader, a poll that says readable while
 * its block is not ready spins, at most CONSUMER_FUTILE_POLLS times.
 *
 * Concurrency contract: consumer_v3_step is a step function for task
 * contexts; the readers of V3 sockets are started by this model (consumer.c
 * starts the others).
 */
#ifndef MODELS_CONSUMER_V3_H
#define MODELS_CONSUMER_V3_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct v3_reader {
	uint32_t block;             /* handle->offset: the block it reads */
	uint32_t k;                 /* the frame of that block it is at */
	uint32_t left;              /* handlep->packets_left */
	uint32_t offset;            /* handlep->current_packet, from the block's start */
	uint32_t futile, pad;
} v3_reader;

typedef struct v3_reader_desc {
	size_t off;
	v3_reader *r;               /* [nconsumers] (V1/V2 readers' unused) */
	uint16_t fn;
} v3_reader_desc;

sim_answer consumer_v3_step(sim *s, uint32_t ctx, sim_frame *f);

extern const model_ops consumer_v3_ops;

#endif
