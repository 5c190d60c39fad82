/* vocab.c - scn_vocabulary: every directive, key and value name the parser
 * knows, read from the tables the parser itself uses. */
#include "parser_internal.h"

typedef void (*vocab_fn)(const char *kind, const char *dir, const char *name, void *ctx);

static void keys_of(const dir_spec *const *specs, vocab_fn each, void *ctx)
{
	for (; *specs; specs++)
		for (size_t k = 0; k < (*specs)->nkeys; k++)
			each("key", (*specs)->dir, (*specs)->keys[k], ctx);
}

static void values_of(const scn_names *t, const char *dir, vocab_fn each, void *ctx)
{
	for (int i = 0; i < t->count; i++)
		each("value", dir, t->names[i], ctx);
}

void scn_vocabulary(vocab_fn each, void *ctx)
{
	const char *d;
	for (size_t i = 0; (d = scn_directive_name(i)) != NULL; i++)
		each("directive", d, d, ctx);
	keys_of(scn_run_specs, each, ctx);
	keys_of(scn_kernel_specs, each, ctx);
	keys_of(scn_check_specs, each, ctx);
	values_of(&scn_fix_names, "fix", each, ctx);
	values_of(&scn_order_names, "spinlock", each, ctx);
	values_of(&scn_strategy_names, "explore", each, ctx);
	values_of(&scn_check_names, "consumer", each, ctx);
	values_of(&scn_socket_type_names, "socket", each, ctx);
	values_of(&scn_version_names, "socket", each, ctx);
	values_of(&scn_op_names, "task", each, ctx);
	values_of(&scn_metric_names, "expect", each, ctx);
	values_of(&scn_bug_names, "bug", each, ctx);
}
