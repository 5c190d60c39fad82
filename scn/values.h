/* values.h - the values of the scenario language: integers, times, sizes,
 * percentages, names, labels, CPU numbers and enum names, each checked and
 * bounded as it is read.
 *
 * Two layers: val_* read a span s[0..n) whose first byte is at column `col`
 * (for values cut out of a token, such as an expect clause); tok_* read the
 * value of a token (t->v, t->vn at t->vcol) and are what directives call.
 * A tok_* helper given a NULL token (an optional key that is absent) does
 * nothing and returns 0.  `what` names the value in messages ("at",
 * "frame_size").  All return 0, or -1 with the parser's error set.
 *
 * Concurrency contract: they write only their parser and *out.
 */
#ifndef SCN_VALUES_H
#define SCN_VALUES_H

#include <stdint.h>

#include "parser_internal.h"

/* A decimal integer that fits in 64 bits. */
int val_u64(parser *p, const char *what, const char *s, size_t n, uint32_t col, uint64_t *out);
/* ... in lo..hi. */
int val_range(parser *p, const char *what, const char *s, size_t n, uint32_t col,
	      uint64_t lo, uint64_t hi, uint64_t *out);
/* A time: digits and a unit (ns, us, ms, s, ps), or a bare 0; in ns, or in
 * ps when want_ps.  At most SCN_TIME_MAX_NS (SCN_PER_BYTE_MAX_PS in ps). */
int val_time(parser *p, const char *what, const char *s, size_t n, uint32_t col,
	     int want_ps, uint64_t *out);
/* A label that the caller's label list knows, copied to out. */
int val_label(parser *p, const char *s, size_t n, uint32_t col, char out[SCN_NAME_MAX]);

int tok_u64(parser *p, const tok *t, const char *what, uint64_t *out);
int tok_range(parser *p, const tok *t, const char *what, uint64_t lo, uint64_t hi,
	      uint64_t *out);
int tok_range32(parser *p, const tok *t, const char *what, uint32_t lo, uint32_t hi,
		uint32_t *out);
/* A percentage 0..100, with an optional trailing '%'. */
int tok_pct(parser *p, const tok *t, const char *what, uint32_t *out);
int tok_time(parser *p, const tok *t, const char *what, uint64_t *out);
/* A time per byte, in ps (at most SCN_PER_BYTE_MAX_PS). */
int tok_time_ps(parser *p, const tok *t, const char *what, uint64_t *out);
/* A size (bytes, or digits with KiB, MiB or GiB) in lo..hi. */
int tok_size(parser *p, const tok *t, const char *what, uint64_t lo, uint64_t hi,
	     uint64_t *out);
/* One of the names of `names`: its index, as an int.  `what` says what
 * kind of name ("unknown socket type 'x' (expected packet or stream)"). */
int tok_enum(parser *p, const tok *t, const scn_names *names, const char *what, int *out);
/* A name of an object of kind `what` (no key), copied to out. */
int tok_name(parser *p, const tok *t, const char *what, char out[SCN_NAME_MAX]);
/* A CPU number, recorded for the check against `cpus` at the end. */
int tok_cpu(parser *p, const tok *t, uint32_t *out);

#endif
