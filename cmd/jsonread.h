/* jsonread.h - a small strict JSON reader (RFC 8259), for `sim merge`.
 *
 * json_parse reads a whole buffer into a tree of jnode; each node keeps its
 * line and column so that a message can point at the value it is about.
 * Strings are unescaped (\uXXXX to UTF-8, surrogate pairs joined); a number
 * that is a non-negative integer fitting in 64 bits has is_u64 set.
 * Containers nest at most 64 deep.
 *
 * Concurrency contract: pure functions of their arguments; any thread.
 */
#ifndef CMD_JSONREAD_H
#define CMD_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

typedef struct jnode {
	int type;                   /* enum jtype */
	uint32_t line, col;         /* 1-based, of the value's first byte */
	char *key;                  /* the member name, in an object */
	char *str;                  /* J_STRING: the unescaped text */
	uint64_t u64;
	int is_u64;                 /* J_NUMBER: a non-negative integer in 64 bits */
	double num;                 /* J_NUMBER: its value as a double (0 past 63 characters) */
	struct jnode *child;        /* J_ARRAY, J_OBJECT: the first element */
	struct jnode *next;         /* the next element of the parent */
} jnode;

/* Parse buf[0..len): the root, or NULL with "LINE:COL: error: MESSAGE" in err. */
jnode *json_parse(const char *buf, size_t len, char *err, size_t errlen);
void json_free(jnode *n);
/* The member `key` of object o, or NULL. */
const jnode *json_get(const jnode *o, const char *key);

#endif
