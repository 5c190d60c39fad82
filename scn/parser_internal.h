/* parser_internal.h - the parser's state and the helpers its files share
 * (lex.c, values.c, items.c, dir_run.c, dir_kernel.c, parse.c).  Not part of
 * libsimscn's interface: nothing outside scn/ includes it.
 *
 * How a parse goes: parse.c splits the input into lines; lex.c cuts a line
 * into tokens (p->toks); the first token names a directive (the table in
 * parse.c), whose function in dir_run.c or dir_kernel.c reads the rest with
 * the prologue of items.c (its name, its keys) and the value readers of
 * values.c.  Every helper that fails has filled p->err and returns -1 (or
 * NULL); the first error stops the parse.
 *
 * Concurrency contract: one parser per scn_parse call, on its caller's stack.
 */
#ifndef SCN_PARSER_INTERNAL_H
#define SCN_PARSER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lex.h"
#include "scn.h"

#define SCN_MAX_ITEMS 1000000u  /* of any one kind, and ops per task */
#define MAX_KEYS 12             /* keys of the widest directive */
#define NS_PER_S 1000000000ull

/* A CPU number seen so far, checked against `cpus` at the end. */
typedef struct cpuref {
	uint64_t cpu;
	scn_pos pos;
} cpuref;

/* Hash index of the names of one kind of object; slots hold index + 1. */
typedef struct name_index {
	uint32_t *slot;
	size_t cap;             /* power of two, or 0 */
	size_t n;
} name_index;

/* The kinds of items a scenario lists (an array of scn_file each). */
enum { K_SOCKET, K_FLOW, K_TASK, K_CONSUMER, K_STALL, K_IRQ, K_COST, K_LOCK,
       K_EXPECT, K_FANOUT, K_SOFTIRQ, K_CHECK, K_REPLAY, K_COUNT };
/* The directives that may be given once. */
enum { S_SCENARIO, S_SEED, S_CPUS, S_FIX, S_JITTER, S_SPINLOCK, S_LIMIT, S_NIC,
       S_EXPLORE, S_KERNEL, S_SCHED, S_COUNT, S_NONE = -1 };

typedef struct parser {
	const char *path;
	const scn_labels *labels;
	scn_file *f;
	scn_error *err;
	uint32_t line;
	uint32_t eol_col;       /* column just past the line's last token */
	tok *toks;
	size_t ntok, captok;
	tok arg;                /* the positional token, read whole (positional()) */
	const tok *at[MAX_KEYS]; /* the directive's keys: at[k] gives keys[k], or NULL */
	size_t cap[K_COUNT];    /* allocated entries of each scn_file array */
	name_index idx[K_COUNT]; /* used for the named kinds only */
	/* CPU numbers that are larger than every one before them: the first
	 * reference to a CPU >= cpus is always one of these. */
	cpuref *cpurefs;
	size_t ncpurefs, capcpurefs;
	uint64_t cpu_max;
	scn_pos single[S_COUNT]; /* where each singleton was given; line 0: not yet */
} parser;

/* ---- errors (lex.c) ------------------------------------------------------- */

/* Fill p->err with "PATH:LINE:COL: error: MESSAGE"; returns -1. */
int scn_fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define fail(p, col, ...) scn_fail_at((p), (p)->line, (col), __VA_ARGS__)
/* "out of memory" at col, with p->err->oom set; returns -1. */
int scn_fail_oom(parser *p, uint32_t col);

/* ---- items and the directive prologue (items.c) ---------------------------- */

/* What a directive reads after its name: its keys, and the scn_file array
 * it appends an item to. */
typedef struct dir_spec {
	const char *dir;        /* "socket" */
	int named;              /* a NAME comes first: "socket NAME key=value..." */
	const char *const *keys; /* NULL: nothing may follow the name */
	size_t nkeys;
	unsigned required;      /* bit k: keys[k] must be given */
	/* the list: scn_file members (array, count), one item's size, where
	 * its name and pos are, its K_* kind, and its plural for messages */
	size_t arr_off, n_off, elem, name_off, pos_off;
	int kind;
	const char *plural;
} dir_spec;

#define REQ(k) (1u << (k))
/* The list fields of a dir_spec for items of `type` in scn_file.`field`
 * (for a type without a name, name_off is not used). */
#define DIR_LIST(field, type, k)                                                \
	.arr_off = offsetof(scn_file, field), .n_off = offsetof(scn_file, n##field), \
	.elem = sizeof(type), .pos_off = offsetof(type, pos), .kind = (k), .plural = #field
#define DIR_NAMED(type) .named = 1, .name_off = offsetof(type, name)

/* The prologue of a list directive: its NAME (when named), room for one more
 * item (zeroed, its pos set, not yet counted: the caller does n++), the name
 * declared, the keys collected into p->at and the required ones present.
 * Returns the new item, or NULL. */
void *dir_item(parser *p, const dir_spec *d);

/* Room for one more item of d's list, zeroed, pos = this line at column
 * `col` (which also places a "too many" error).  Returns it, or NULL. */
void *item_push(parser *p, const dir_spec *d, uint32_t col);

/* Match tokens [first, ntok) against d's keys into p->at; then check
 * d->required. */
int dir_keys(parser *p, const dir_spec *d, size_t first);

/* The keys of `mask` (REQ bits) are given, checked in d's key order. */
int need_keys(parser *p, const dir_spec *d, unsigned mask);

/* Exactly one token after the directive (or more, when keys may follow):
 * returns it read whole (v = s: "seed a=1" reads 'a=1'), or NULL. */
const tok *positional(parser *p, const char *dir, const char *what, int keys);

/* Make room for entry `n` of an array with `*cap` entries; returns the
 * (possibly moved) array, or NULL with an error set. */
void *grow(parser *p, void *arr, size_t n, size_t *cap, size_t elem, const char *what,
	   uint32_t col);

/* Index of the item of kind k named s[0..n) in `base`, or SIZE_MAX. */
size_t item_find(const parser *p, int k, const void *base, size_t stride, size_t name_off,
		 const char *s, size_t n);

/* A reference to a socket by name (the value of t): its index. */
/* The item of kind k named by t's value (its index in *out), or an error
 * "unknown WHAT 'NAME'". */
int ref_item(parser *p, const tok *t, int k, const void *base, size_t stride, size_t name_off,
	     const char *what, size_t *out);
int ref_socket(parser *p, const tok *t, uint32_t *out);

/* ---- directives (dir_run.c, dir_kernel.c) --------------------------------- */

/* The dir_specs of each file, NULL-terminated (for scn_vocabulary). */
extern const dir_spec *const scn_run_specs[];
extern const dir_spec *const scn_kernel_specs[];
extern const dir_spec *const scn_check_specs[];
/* The name of directive i of parse.c's table, or NULL past its end. */
const char *scn_directive_name(size_t i);

int dir_scenario(parser *p);
int dir_seed(parser *p);
int dir_cpus(parser *p);
int dir_fix(parser *p);
int dir_jitter(parser *p);
int dir_stall(parser *p);
int dir_irq(parser *p);
int dir_cost(parser *p);
int dir_spinlock(parser *p);
int dir_limit(parser *p);
int dir_explore(parser *p);
int dir_expect(parser *p);
int dir_check(parser *p);        /* dir_check.c */
int dir_replay(parser *p);       /* dir_check.c */
int dir_socket(parser *p);
int dir_flow(parser *p);
int dir_task(parser *p);
int dir_consumer(parser *p);
int dir_lock(parser *p);
int dir_nic(parser *p);
int dir_sched(parser *p);
int dir_softirq(parser *p);
/* The op list `do=` t of a program into ops and nops, separated by ";".
 * `where` is NULL for a task (every op), else "softirq" or "irq": only work
 * and the spin_ ops (a handler cannot sleep or own a socket). */
int parse_ops(parser *p, const tok *t, const char *where, int has_socket, scn_op **ops, size_t *nops);
int dir_kernel(parser *p);
int dir_bug(parser *p);
/* dir_packet.c: a TPACKET_V3 socket's keys (dir_socket calls it), fanout */
enum { V3K_BLOCK_SIZE, V3K_BLOCKS, V3K_FRAME_SIZE, V3K_RETIRE, V3K_PRIV, V3K_N };
int packet_socket_v3(parser *p, scn_socket *so, const tok *const v3[V3K_N]);
int dir_fanout(parser *p);
/* flow fanout=GROUP: the group's index + 1 in *fanout, its first socket in *sock */
int ref_fanout(parser *p, const tok *t, uint32_t *fanout, uint32_t *sock);

#endif
