/* set.h - one numeric parameter of a parsed scenario, named by a key, read
 * and set in the AST: what `sim --sweep` and `--bisect` vary.
 *
 * A key is DIRECTIVE[.SELECT].FIELD, where SELECT is an item's NAME or its
 * 1-based position among the items of that directive (default: the first):
 *   stall.for  stall.2.for  flow.small.every  socket.cap.frames  irq.cost
 *   task.app.repeat  consumer.pcap.cost  nic.queue  nic.budget  limit.time
 * plus the run-level `cpus`, `seed` and `jitter`, and cost.LABEL (the cost's
 * ns; a `cost LABEL` line is added when the scenario has none).  Values are
 * read as a scenario writes them: times with a unit (16us), sizes in bytes
 * or KiB/MiB/GiB, counts as decimal numbers.
 *
 * The setter checks only the kind of value; the caller writes the scenario
 * back and parses it again (scn_write, scn_parse) to hold every value to the
 * language's own bounds.
 *
 * Concurrency contract: each call reads or writes only its own arguments.
 */
#ifndef SCN_SET_H
#define SCN_SET_H

#include <stdint.h>

#include "scn.h"

enum scn_unit { SCN_UNIT_COUNT, SCN_UNIT_TIME, SCN_UNIT_SIZE };

typedef struct scn_param {
	int unit;               /* enum scn_unit */
	int is32;               /* the field is a uint32_t */
	size_t kind, index;     /* which list (or none) and which item */
	size_t off;             /* the field's offset in the item (or scn_file) */
	size_t flag_off;        /* offset of an int set to 1 with it (has_every), or 0 */
	char key[128];
} scn_param;

/* Find KEY in f into *p (adding a `cost LABEL` line for cost.LABEL, which
 * `labels` must know).  0, or -1 with "--sweep:1:COL: error: MESSAGE". */
int scn_param_find(scn_file *f, const char *key, const scn_labels *labels, scn_param *p, scn_error *err);
/* Read s[0..n) as a value of p's unit.  0, or -1 with err set. */
int scn_param_value(const scn_param *p, const char *s, size_t n, uint64_t *out, scn_error *err);
uint64_t scn_param_get(const scn_file *f, const scn_param *p);
/* Set it; a uint32_t field takes the value cut to 32 bits only when it fits
 * (returns -1 otherwise, f unchanged). */
int scn_param_set(scn_file *f, const scn_param *p, uint64_t v);
/* "ns", "bytes" or "" */
const char *scn_unit_name(int unit);

#endif
