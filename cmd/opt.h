/* opt.h - one command-line option, as `--name value` or `--name=value`. */
#ifndef SIM_CMD_OPT_H
#define SIM_CMD_OPT_H

#include <string.h>

typedef struct {
	const char *name;       /* the option without `=value` */
	const char *value;      /* the part after '=', or NULL */
	char buf[32];
} opt_arg;

/* Split `--name=value`; anything else is its own name.  A name too long
 * for buf is left whole, and so reported as an unknown option. */
static inline const char *opt_split(opt_arg *o, const char *arg)
{
	const char *eq = arg[0] == '-' && arg[1] == '-' ? strchr(arg, '=') : NULL;
	o->name = arg;
	o->value = NULL;
	if (eq && (size_t)(eq - arg) < sizeof o->buf) {
		memcpy(o->buf, arg, (size_t)(eq - arg));
		o->buf[eq - arg] = '\0';
		o->name = o->buf;
		o->value = eq + 1;
	}
	return o->name;
}

/* The option's value: after '=', else the next argument (NULL if none). */
static inline const char *opt_value(const opt_arg *o, int argc, char **argv, int *i)
{
	if (o->value)
		return o->value;
	return *i + 1 < argc ? argv[++*i] : NULL;
}

#endif
