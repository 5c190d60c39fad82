/* live_kernel.h - the kernel side of `sim --live`: real PACKET_RX_RINGs on
 * lo, sender and reader threads, and what they saw.
 *
 * For each packet socket of the scenario a TPACKET_V1/V2 ring (its frames
 * and frame size) bound to lo with a private ethertype (0x88B5 for the
 * first socket, 0x88B6 for the second: IEEE 802 local experimental), so
 * nothing else lands in it, PACKET_IGNORE_OUTGOING set, and outgoing copies
 * counted if one shows up anyway.  Each flow is a thread pinned to its CPU
 * sending `count` packets of `size` bytes (live_frame.h) from a raw
 * AF_PACKET socket on lo, as fast as it can, until the deadline.  Each
 * consumer is a thread pinned to its CPU reading its ring in order with its
 * `check=`, sleeping in poll(), reading PACKET_STATISTICS after every
 * `stats_every=` frames.  When the senders are done and the readers have
 * found nothing for a while, the frames left published are checked in ring
 * order and the statistics read a last time.
 *
 * Concurrency contract: live_kernel_run is called by one thread; it starts
 * and joins its own.
 */
#ifndef CMD_LIVE_KERNEL_H
#define CMD_LIVE_KERNEL_H

#include <stdint.h>

#include "live_frame.h"
#include "scn.h"

#define LIVE_ETHERTYPE 0x88b5u      /* socket i gets LIVE_ETHERTYPE + i */
#define LIVE_MAX_SOCKETS 2

/* What one ring showed. */
typedef struct live_ring_result {
	uint64_t sent;                  /* by the flows to it */
	uint64_t published;             /* frames found with TP_STATUS_USER, read or left */
	uint64_t read;                  /* of them, by its readers */
	uint64_t tp_packets, tp_drops;  /* PACKET_STATISTICS, summed over every read */
	uint64_t stats_reads;
	uint64_t verdict[LV_COUNT];     /* frames by live_check verdict */
	uint64_t holes;                 /* packets missing from the flows' sequences */
	uint64_t losing;                /* frames with TP_STATUS_LOSING */
	uint64_t mac_other;             /* frames whose tp_mac is not TPACKET_MACOFF */
	uint64_t outgoing;              /* frames of sll_pkttype PACKET_OUTGOING */
	uint32_t status_set;            /* bit v: a frame had status v (v < 31); bit 31: others */
	uint32_t snap_min, snap_max;    /* tp_snaplen seen */
} live_ring_result;

typedef struct live_kernel {
	uint64_t *flow_sent;            /* [nflows]: packets sent by each flow */
	int *flow_skipped;              /* [nflows]: its CPU does not exist here */
	live_ring_result ring[LIVE_MAX_SOCKETS];
	int timed_out;                  /* the deadline stopped a sender */
} live_kernel;

/* Set up, run and tear down.  Returns 0; or 2 with a message on stderr when
 * the scenario cannot run live or the privileges are missing (the message
 * then says CAP_NET_RAW); or 3 on a system error. */
int live_kernel_run(const scn_file *f, double seconds, live_kernel *out);
void live_kernel_free(live_kernel *k);

/* The status set as "0x1,0x5" into buf. */
void live_status_text(uint32_t set, char *buf, size_t len);

#endif
