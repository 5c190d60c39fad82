/* json.h - JSON string escaping, for every JSON that cmd/ writes (the
 * report, the exploration report, the Perfetto trace).
 *
 * A string is written quoted, with '"' and '\\' backslash-escaped and the
 * bytes below 0x20 as \u00XX; valid UTF-8 as is; a byte that is not part
 * of valid UTF-8 (a path may hold any bytes) as \ufffd, the replacement
 * character, so the output is always valid JSON.
 *
 * Concurrency contract: pure functions of their arguments.
 */
#ifndef CMD_JSON_H
#define CMD_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s as a JSON string on out. */
void json_string(FILE *out, const char *s);
/* Append s as a JSON string to the NUL-terminated buf of len bytes: as much
 * of it as fits with room to spare (a long string is cut, its closing quote
 * too when there is no room for it). */
void json_string_buf(char *buf, size_t len, const char *s);

#endif
