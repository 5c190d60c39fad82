/* json.c - see json.h. */
#include "json.h"

#include <string.h>

/* The escaped form of byte ch into e (up to 6 bytes and a NUL); its length. */
static size_t escape(unsigned char ch, char e[8])
{
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
	fputc('"', out);
	for (; *s; s++)
		fwrite(e, 1, escape((unsigned char)*s, e), out);
	fputc('"', out);
}

void json_string_buf(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	buf[n++] = '"';
	for (; *s && n + 8 < len; s++)
		n += escape((unsigned char)*s, buf + n);
	if (n + 1 < len)
		buf[n++] = '"';
	buf[n] = 0;
}
