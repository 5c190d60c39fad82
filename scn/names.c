/* names.c - the name tables of names.h, and scn.h's per-enum helpers. */
#include "scn.h"

#include <stdio.h>
#include <string.h>

#define TABLE(var, ...)                                                         \
	static const char *const var##_[] = { __VA_ARGS__ };                    \
	const scn_names var = { var##_, (int)(sizeof var##_ / sizeof var##_[0]) }

TABLE(scn_fix_names, "none", "in_progress", "owner_map", "all");
TABLE(scn_order_names, "fifo", "random");
TABLE(scn_preempt_names, "full", "voluntary");
TABLE(scn_strategy_names, "random", "pct");
TABLE(scn_check_names, "user_bit", "nonzero");
TABLE(scn_socket_type_names, "packet", "stream");
TABLE(scn_version_names, "v1", "v2", "v3");
TABLE(scn_fanout_mode_names, "hash", "lb", "cpu", "rollover");
TABLE(scn_onoff_names, "off", "on");
TABLE(scn_source_names, "nic", "lo");
TABLE(scn_op_names, "lock_sock", "release_sock", "lock_sock_fast", "unlock_sock_fast",
      "work", "sleep", "recv",
      "spin_lock", "spin_unlock", "spin_lock_bh", "spin_unlock_bh",
      "spin_lock_irqsave", "spin_unlock_irqrestore");
TABLE(scn_metric_names, "overrun", "corrupt", "consumer_partial", "lost", "drops",
      "delivered", "consumed", "nic_drops", "backlog_max", "backlog_drops",
      "backlog_processed", "inline_rcv", "spin_max_ns", "spin_total_ns",
      "violations", "deadlock", "lock_order", "rcvq_drops");
TABLE(scn_cmp_names, "==", "!=", "<", "<=", ">", ">=");
TABLE(scn_bug_names, "bh_ignores_owned", "lock_sock_without_bh", "release_skips_backlog",
      "v3_skips_fill_wait");

_Static_assert(SCN_FIX_ALL == 3 && SCN_OP_COUNT == 13 && SCN_M_COUNT == 18 && SCN_GE == 5,
	       "an enum of scn.h and its name table in names.c differ");

int scn_names_find(const scn_names *t, const char *s, size_t n)
{
	for (int i = 0; i < t->count; i++)
		if (strlen(t->names[i]) == n && memcmp(t->names[i], s, n) == 0)
			return i;
	return -1;
}

const char *scn_names_get(const scn_names *t, int i)
{
	return i < 0 || i >= t->count ? "?" : t->names[i];
}

const char *scn_names_list(const scn_names *t, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < t->count && used < len; i++) {
		const char *sep = i == 0 ? "" : i == t->count - 1 ? " or " : ", ";
		int r = snprintf(buf + used, len - used, "%s%s", sep, t->names[i]);
		if (r < 0)
			break;
		used += (size_t)r;
	}
	return buf;
}

const char *scn_fix_name(int fix) { return scn_names_get(&scn_fix_names, fix); }
const char *scn_op_name(int kind) { return scn_names_get(&scn_op_names, kind); }
const char *scn_metric_name(int m) { return scn_names_get(&scn_metric_names, m); }
const char *scn_cmp_name(int op) { return scn_names_get(&scn_cmp_names, op); }

int scn_fix_parse(const char *s)
{
	return s ? scn_names_find(&scn_fix_names, s, strlen(s)) : -1;
}

int scn_metric_parse(const char *s)
{
	return s ? scn_names_find(&scn_metric_names, s, strlen(s)) : -1;
}

int scn_op_arg(int kind)
{
	if (kind == SCN_OP_WORK || kind == SCN_OP_SLEEP)
		return SCN_ARG_TIME;
	return kind >= SCN_OP_SPIN_LOCK && kind < SCN_OP_COUNT ? SCN_ARG_LOCK : SCN_ARG_NONE;
}

int scn_op_uses_socket(int kind)
{
	return kind >= 0 && kind < SCN_OP_COUNT && scn_op_arg(kind) == SCN_ARG_NONE;
}
