/* names.h - the name of every enum value of the scenario language, spelled
 * once.  The parser looks names up here, the writer and the reports print
 * them, and error messages (and --help) list them.
 *
 * A table maps an index 0..count-1 to a name; the comment beside each table
 * says what its index is (most often the enum value of scn.h itself).
 *
 * Concurrency contract: constant data and pure functions; any thread.
 */
#ifndef SCN_NAMES_H
#define SCN_NAMES_H

#include <stddef.h>

typedef struct scn_names {
	const char *const *names;
	int count;
} scn_names;

extern const scn_names scn_fix_names;         /* enum scn_fix, with "all" (SCN_FIX_ALL) */
extern const scn_names scn_order_names;       /* enum scn_spin_order */
extern const scn_names scn_preempt_names;     /* enum scn_preempt */
extern const scn_names scn_strategy_names;    /* enum scn_strategy */
extern const scn_names scn_check_names;       /* enum scn_check */
extern const scn_names scn_socket_type_names; /* enum scn_socket_type */
extern const scn_names scn_version_names;     /* index + 1 is the TPACKET version */
extern const scn_names scn_fanout_mode_names; /* enum scn_fanout_mode */
extern const scn_names scn_onoff_names;       /* 0 off, 1 on */
extern const scn_names scn_source_names;      /* enum scn_flow_source */
extern const scn_names scn_op_names;          /* enum scn_op_kind */
extern const scn_names scn_metric_names;      /* enum scn_metric */
extern const scn_names scn_cmp_names;         /* enum scn_cmp */
extern const scn_names scn_bug_names;         /* bit 1u << index of scn_file.bugs */

/* The index of the name equal to s[0..n), or -1. */
int scn_names_find(const scn_names *t, const char *s, size_t n);

/* The name of index i, or "?" when i is out of range. */
const char *scn_names_get(const scn_names *t, int i);

/* Every name as "a, b or c" into buf (cut to len bytes); returns buf. */
const char *scn_names_list(const scn_names *t, char *buf, size_t len);

#endif
