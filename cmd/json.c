/* json.c - see json.h. */
#include "json.h"

#include <string.h>

#include "scn.h"

/* The escaped form of the character at s (of n bytes left) into e (up to 6
 * bytes and a NUL); its length.  *used: the bytes of s it stands for. */
static size_t escape(const char *s, size_t n, size_t *used, char e[8])
{
	unsigned char ch = (unsigned char)*s;
	*used = 1;
	if (ch >= 0x80) {
		size_t k = scn_utf8_len((const unsigned char *)s, n);
		if (!k)
			return (size_t)snprintf(e, 8, "\\ufffd");
		memcpy(e, s, k);
		e[k] = '\0';
		*used = k;
		return k;
	}
	if (ch == '"' || ch == '\\') {
		e[0] = '\\';
		e[1] = (char)ch;
		e[2] = '\0';
		return 2;
	}
	if (ch < 0x20)
		return (size_t)snprintf(e, 8, "\\u%04x", ch);
	e[0] = (char)ch;
	e[1] = '\0';
	return 1;
}

void json_string(FILE *out, const char *s)
{
	char e[8];
	size_t n = strlen(s), used;
	fputc('"', out);
	for (size_t i = 0; i < n; i += used)
		fwrite(e, 1, escape(s + i, n - i, &used, e), out);
	fputc('"', out);
}

void json_string_buf(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	buf[n++] = '"';
	size_t m = strlen(s), used;
	for (size_t i = 0; i < m && n + 8 < len; i += used)
		n += escape(s + i, m - i, &used, buf + n);
	if (n + 1 < len)
		buf[n++] = '"';
	buf[n] = 0;
}
