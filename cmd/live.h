/* live.h - `sim --live FILE.scn`: the scenario's rings on the running kernel
 * (live_kernel.h) beside the model run with this kernel's version and fix.
 *
 * Rows that do not depend on timing are judged (kernel == model): sent,
 * published + tp_drops (conservation), PACKET_STATISTICS' tp_packets,
 * frames not intact, tp_mac, tp_snaplen, outgoing copies seen, and -- for a
 * ring nobody reads -- published, tp_drops, status values and LOSING
 * frames.  With a reader those last depend on timing and are shown beside
 * the model's, as are the frames read and the holes in the senders'
 * sequences.
 *
 * Concurrency contract: called once, from main.
 */
#ifndef CMD_LIVE_H
#define CMD_LIVE_H

#include "scn.h"

typedef struct live_opts {
	double seconds;         /* the senders stop at this deadline (--live-seconds) */
	int json;
} live_opts;

/* The kernel's fix from its release string (uname -r): owner_map from 5.6
 * and in the stable 5.4.29, 4.19.114 and 4.14.175; none before.  Fills
 * *kernel with SCN_KERNEL(major, minor); returns enum scn_fix, or -1 when
 * the string is not a version. */
int live_kernel_fix(const char *release, uint32_t *kernel);

/* Run it.  Exit status: 0 every judged row matches, 1 one does not, 2 the
 * scenario cannot run live or no privileges (a message), 3 internal. */
int live_main(const scn_file *f, const live_opts *o);

#endif
