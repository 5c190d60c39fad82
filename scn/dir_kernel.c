/* dir_kernel.c - the directives that declare kernel objects: socket, flow,
 * task (and its ops), consumer, lock, nic, kernel, bug. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parser_internal.h"
#include "values.h"

/* The keys of each directive, in the order "unknown key" messages list them. */
enum { SK_TYPE, SK_VERSION, SK_FRAMES, SK_FRAME_SIZE, SK_RCVBUF, SK_SNDBUF, SK_BLOCK_SIZE,
       SK_BLOCKS, SK_RETIRE, SK_PRIV, SK_N };
static const char *const socket_keys[SK_N] = {
	"type", "version", "frames", "frame_size", "rcvbuf", "sndbuf",
	"block_size", "blocks", "retire", "priv",
};
enum { FL_SOCKET, FL_CPU, FL_AT, FL_EVERY, FL_COUNT, FL_SIZE, FL_FANOUT, FL_SOURCE, FL_N };
static const char *const flow_keys[FL_N] = { "socket", "cpu", "at", "every", "count", "size",
					     "fanout", "source" };
enum { TK_SOCKET, TK_CPU, TK_DO, TK_AT, TK_REPEAT, TK_EVERY, TK_N };
static const char *const task_keys[TK_N] = { "socket", "cpu", "do", "at", "repeat", "every" };
enum { CO_SOCKET, CO_CPU, CO_CHECK, CO_COST, CO_STATS_EVERY, CO_N };
static const char *const consumer_keys[CO_N] = { "socket", "cpu", "check", "cost", "stats_every" };
static const char *const nic_keys[] = { "queue", "budget", "weight" };
enum { SQ_CPU, SQ_EVERY, SQ_DO, SQ_AT, SQ_N };
static const char *const softirq_keys[SQ_N] = { "cpu", "every", "do", "at" };
static const char *const sched_keys[] = { "slice", "preempt" };

static const dir_spec socket_dir = { .dir = "socket", .keys = socket_keys, .nkeys = SK_N,
	.required = REQ(SK_TYPE), DIR_NAMED(scn_socket), DIR_LIST(sockets, scn_socket, K_SOCKET) };
static const dir_spec flow_dir = { .dir = "flow", .keys = flow_keys, .nkeys = FL_N,
	.required = REQ(FL_CPU), DIR_NAMED(scn_flow), DIR_LIST(flows, scn_flow, K_FLOW) };
static const dir_spec task_dir = { .dir = "task", .keys = task_keys, .nkeys = TK_N,
	.required = REQ(TK_CPU) | REQ(TK_DO), DIR_NAMED(scn_task),
	DIR_LIST(tasks, scn_task, K_TASK) };
static const dir_spec consumer_dir = { .dir = "consumer", .keys = consumer_keys, .nkeys = CO_N,
	.required = REQ(CO_SOCKET) | REQ(CO_CPU) | REQ(CO_CHECK), DIR_NAMED(scn_consumer),
	DIR_LIST(consumers, scn_consumer, K_CONSUMER) };
static const dir_spec lock_dir = { .dir = "lock", DIR_NAMED(scn_lock),
	DIR_LIST(locks, scn_lock, K_LOCK) };
static const dir_spec nic_dir = { .dir = "nic", .keys = nic_keys, .nkeys = 3 };
static const dir_spec softirq_dir = { .dir = "softirq", .keys = softirq_keys, .nkeys = SQ_N,
	.required = REQ(SQ_CPU) | REQ(SQ_EVERY) | REQ(SQ_DO), DIR_NAMED(scn_softirq),
	DIR_LIST(softirqs, scn_softirq, K_SOFTIRQ) };
static const dir_spec sched_dir = { .dir = "sched", .keys = sched_keys, .nkeys = 2 };

const dir_spec *const scn_kernel_specs[] = { &socket_dir, &flow_dir, &task_dir, &consumer_dir,
					      &lock_dir, &nic_dir, NULL };

/* No key of the other type of socket, in line order. */
static int socket_keys_of_type(parser *p, int type)
{
	for (size_t i = 2; i < p->ntok; i++) {
		const tok *t = &p->toks[i];
		int k = -1;
		for (int j = 0; j < SK_N && k < 0; j++)
			if (eq(t->key, t->kn, socket_keys[j]))
				k = j;
		int packet_key = k == SK_VERSION || k == SK_FRAMES || k == SK_FRAME_SIZE ||
				 k >= SK_BLOCK_SIZE;
		int stream_key = k == SK_RCVBUF || k == SK_SNDBUF;
		if (type == SCN_SOCK_STREAM && packet_key)
			return fail(p, t->col, "key '%s' is only valid for a packet socket "
				    "(this is a stream socket)", socket_keys[k]);
		if (type == SCN_SOCK_PACKET && stream_key)
			return fail(p, t->col, "key '%s' is only valid for a stream socket "
				    "(this is a packet socket)", socket_keys[k]);
	}
	return 0;
}

static int packet_socket(parser *p, scn_socket *so)
{
	uint64_t v;
	int version;

	if (need_keys(p, &socket_dir, REQ(SK_VERSION)))
		return -1;
	const tok *t = p->at[SK_VERSION];
	if (eq(t->v, t->vn, "v3")) {
		/* TPACKET_V3 has no tp_frame_nr to give: the kernel wants
		 * blocks * frames a block, which we compute (dir_packet.c) */
		if (p->at[SK_FRAMES])
			return fail(p, p->at[SK_FRAMES]->col, "key 'frames' is not used by a "
				    "TPACKET_V3 socket (blocks and block_size give its size)");
		if (need_keys(p, &socket_dir, REQ(SK_BLOCK_SIZE) | REQ(SK_BLOCKS) | REQ(SK_FRAME_SIZE)))
			return -1;
		so->version = 3;
		const tok *v3[V3K_N] = { p->at[SK_BLOCK_SIZE], p->at[SK_BLOCKS], p->at[SK_FRAME_SIZE],
					 p->at[SK_RETIRE], p->at[SK_PRIV] };
		return packet_socket_v3(p, so, v3);
	}
	for (int k = SK_BLOCK_SIZE; k < SK_N; k++)
		if (p->at[k])
			return fail(p, p->at[k]->col, "key '%s' is only valid for a TPACKET_V3 "
				    "socket (version=v3)", socket_keys[k]);
	if (need_keys(p, &socket_dir, REQ(SK_FRAMES) | REQ(SK_FRAME_SIZE)) ||
	    tok_enum(p, t, &scn_version_names, "version", &version) ||
	    tok_range32(p, p->at[SK_FRAMES], "frames", 1, 1048576, &so->frames) ||
	    tok_size(p, p->at[SK_FRAME_SIZE], "frame_size", 64, 16u << 20, &v))
		return -1;
	so->version = version + 1;
	if (v % 16 != 0)
		return fail(p, p->at[SK_FRAME_SIZE]->vcol, "frame_size %" PRIu64 " is not a multiple "
			    "of 16 (TPACKET_ALIGNMENT)", v);
	so->frame_size = (uint32_t)v;
	return 0;
}

int dir_socket(parser *p)
{
	scn_socket *so = dir_item(p, &socket_dir);

	if (!so ||
	    tok_enum(p, p->at[SK_TYPE], &scn_socket_type_names, "socket type", &so->type) ||
	    socket_keys_of_type(p, so->type))
		return -1;
	if (so->type == SCN_SOCK_PACKET) {
		if (packet_socket(p, so))
			return -1;
	} else if (need_keys(p, &socket_dir, REQ(SK_RCVBUF) | REQ(SK_SNDBUF)) ||
		   /* sk_rcvbuf and sk_sndbuf are ints */
		   tok_size(p, p->at[SK_RCVBUF], "rcvbuf", 1, INT32_MAX, &so->rcvbuf) ||
		   tok_size(p, p->at[SK_SNDBUF], "sndbuf", 0, INT32_MAX, &so->sndbuf)) {
		return -1;
	}
	p->f->nsockets++;
	return 0;
}

int dir_flow(parser *p)
{
	scn_flow *fl = dir_item(p, &flow_dir);
	uint64_t size = 64;

	if (!fl)
		return -1;
	fl->count = 1;
	if (!p->at[FL_SOCKET] && !p->at[FL_FANOUT])
		return fail(p, 1, "missing required key 'socket' for flow (or fanout=GROUP)");
	if (p->at[FL_SOCKET] && p->at[FL_FANOUT])
		return fail(p, p->at[FL_FANOUT]->col, "flow takes socket=NAME or fanout=GROUP, not both");
	if ((p->at[FL_SOCKET] ? ref_socket(p, p->at[FL_SOCKET], &fl->socket)
			      : ref_fanout(p, p->at[FL_FANOUT], &fl->fanout, &fl->socket)) ||
	    tok_cpu(p, p->at[FL_CPU], &fl->cpu) ||
	    tok_time(p, p->at[FL_AT], "at", &fl->at_ns) ||
	    tok_range(p, p->at[FL_COUNT], "count", 0, 10000000000ull, &fl->count) ||
	    tok_size(p, p->at[FL_SIZE], "size", 1, 256u << 10, &size) ||
	    tok_time(p, p->at[FL_EVERY], "every", &fl->every_ns) ||
	    tok_enum(p, p->at[FL_SOURCE], &scn_source_names, "flow source", &fl->source))
		return -1;
	fl->size = (uint32_t)size;
	fl->has_every = p->at[FL_EVERY] != NULL;
	if (!fl->has_every) {
		/* Back-to-back at 10 Gb/s: the frame plus 20 bytes of wire overhead
		 * per packet (preamble + SFD 8, inter-frame gap 12; `size` counts
		 * the FCS), 8 bits a byte, 10 bits a ns, rounded up:
		 * ceil((size + 20) * 8 / 10) -- 64 B gives 68 ns (67.2). */
		fl->every_ns = ((uint64_t)fl->size + 20) * 8 / 10 +
			       (((uint64_t)fl->size + 20) * 8 % 10 != 0);
	}
	p->f->nflows++;
	return 0;
}

/* The first index from i to end whose byte is (blank) or is not (!blank) a
 * blank: the words of an op. */
static size_t skip(const char *s, size_t i, size_t end, int blank)
{
	while (i < end && is_blank(s[i]) == blank)
		i++;
	return i;
}

/* "lock_sock, ..., work T, sleep T, recv, or a spin_* op on a lock": the
 * ops, from their table, for a message. */
static const char *op_list(char *buf, size_t len)
{
	size_t used = 0;

	for (int k = 0; k < SCN_OP_COUNT && used < len; k++) {
		int arg = scn_op_arg(k);
		if (arg == SCN_ARG_LOCK)
			continue;
		int r = snprintf(buf + used, len - used, "%s%s, ", scn_op_name(k),
				 arg == SCN_ARG_TIME ? " T" : "");
		if (r < 0)
			return "";
		used += (size_t)r;
	}
	if (used < len) {
		int r = snprintf(buf + used, len - used, "or a spin_* op on a lock");
		(void)r;
	}
	return buf;
}

/* The argument s[0..n) (n == 0: none) of op `kind`, at column col; the op's
 * own name is at column opcol. */
static int op_arg(parser *p, int kind, const char *s, size_t n, uint32_t opcol, uint32_t col,
		  uint64_t *arg)
{
	const char *name = scn_op_name(kind);
	shown b;

	switch (scn_op_arg(kind)) {
	case SCN_ARG_TIME:
		if (!n)
			return fail(p, opcol, "op '%s' needs a time, e.g. '%s 5us'", name, name);
		return val_time(p, name, s, n, col, 0, arg);
	case SCN_ARG_LOCK: {
		if (!n)
			return fail(p, opcol, "op '%s' needs a lock name", name);
		size_t l = item_find(p, K_LOCK, p->f->locks, sizeof(scn_lock),
				     offsetof(scn_lock, name), s, n);
		if (l == SIZE_MAX)
			return fail(p, col, "unknown lock '%s' (declare it with `lock` first)",
				    show(&b, s, n));
		*arg = l;
		return 0;
	}
	default:
		if (n)
			return fail(p, col, "op '%s' takes no argument", name);
		return 0;
	}
}

/* One op s[w0..end) of a program's list (not empty), appended to *ops. */
static int one_op(parser *p, const char *where, int has_socket, scn_op **ops, size_t *nops,
		  size_t *cap, const tok *t, size_t w0, size_t end)
{
	const char *s = t->v;
	size_t w1 = skip(s, w0, end, 0), a0 = skip(s, w1, end, 1);
	size_t a1 = skip(s, a0, end, 0), x0 = skip(s, a1, end, 1);
	uint32_t opcol = col_add(t->vcol, w0);
	char list[160];
	shown b;

	if (x0 < end)
		return fail(p, col_add(t->vcol, x0), "unexpected '%s' after an op "
			    "(ops are separated by ';')", show(&b, s + x0, end - x0));
	int kind = scn_names_find(&scn_op_names, s + w0, w1 - w0);
	if (kind < 0)
		return fail(p, opcol, "unknown task op '%s' (expected %s)",
			    show(&b, s + w0, w1 - w0), op_list(list, sizeof list));
	if (where && kind != SCN_OP_WORK && scn_op_arg(kind) != SCN_ARG_LOCK)
		return fail(p, opcol, "op '%s' is not allowed in %s code (only work and the "
			    "spin_* ops: a handler cannot sleep or own a socket)",
			    scn_op_name(kind), where);
	if (!has_socket && scn_op_uses_socket(kind))
		return fail(p, opcol, "op '%s' works on the task's socket: give the task socket=S",
			    scn_op_name(kind));
	scn_op op = { kind, 0 };
	if (op_arg(p, kind, s + a0, a1 - a0, opcol, col_add(t->vcol, a0), &op.arg))
		return -1;
	void *a = grow(p, *ops, *nops, cap, sizeof **ops, "ops in one program", opcol);
	if (!a)
		return -1;
	*ops = a;
	(*ops)[(*nops)++] = op;
	return 0;
}

int parse_ops(parser *p, const tok *t, const char *where, int has_socket, scn_op **ops, size_t *nops)
{
	size_t n = t->vn, cap = 0;

	for (size_t i = 0; i <= n;) {
		size_t end = i;
		while (end < n && t->v[end] != ';')
			end++;
		size_t w0 = skip(t->v, i, end, 1);
		i = end + 1;
		/* an empty op ("a;;b", or a trailing ';') is skipped */
		if (w0 != end && one_op(p, where, has_socket, ops, nops, &cap, t, w0, end))
			return -1;
	}
	if (*nops == 0)
		return fail(p, t->vcol, "empty op list in do=");
	return 0;
}

int dir_task(parser *p)
{
	scn_task *tk = dir_item(p, &task_dir);

	if (!tk)
		return -1;
	/* counted now so that scn_free releases its ops whatever happens next */
	p->f->ntasks++;
	tk->repeat = 1;
	tk->socket = SCN_NO_SOCKET;
	if ((p->at[TK_SOCKET] && ref_socket(p, p->at[TK_SOCKET], &tk->socket)) || tok_cpu(p, p->at[TK_CPU], &tk->cpu) ||
	    parse_ops(p, p->at[TK_DO], NULL, tk->socket != SCN_NO_SOCKET, &tk->ops, &tk->nops) ||
	    tok_time(p, p->at[TK_AT], "at", &tk->at_ns) ||
	    tok_range(p, p->at[TK_REPEAT], "repeat", 1, UINT64_MAX, &tk->repeat) ||
	    tok_time(p, p->at[TK_EVERY], "every", &tk->every_ns))
		return -1;
	return 0;
}

int dir_consumer(parser *p)
{
	scn_consumer *c = dir_item(p, &consumer_dir);

	if (!c || ref_socket(p, p->at[CO_SOCKET], &c->socket))
		return -1;
	const scn_socket *so = &p->f->sockets[c->socket];
	if (so->type != SCN_SOCK_PACKET)
		return fail(p, p->at[CO_SOCKET]->vcol, "consumer needs a packet socket: '%s' is a "
			    "stream socket", so->name);
	/* One reader per ring.  A consumer keeps its own frame index, as one
	 * user-space reader does; two threads reading one TPACKET_V1/V2 ring
	 * would have to share that index under a user-space lock the kernel
	 * knows nothing of, and two independent indexes would each read every
	 * frame -- which the oracle would take for kernel corruption.  Several
	 * readers are several sockets (PACKET_FANOUT), each with its ring. */
	for (size_t i = 0; i < p->f->nconsumers; i++)
		if (p->f->consumers[i].socket == c->socket)
			return fail(p, p->at[CO_SOCKET]->vcol, "socket '%s' already has a consumer, '%s' "
				    "(line %u): one reader per ring; several readers need several sockets "
				    "(PACKET_FANOUT)", so->name, p->f->consumers[i].name,
				    p->f->consumers[i].pos.line);
	if (tok_cpu(p, p->at[CO_CPU], &c->cpu) ||
	    tok_enum(p, p->at[CO_CHECK], &scn_check_names, "check", &c->check) ||
	    tok_time(p, p->at[CO_COST], "cost", &c->cost_ns) ||
	    tok_range(p, p->at[CO_STATS_EVERY], "stats_every", 0, UINT32_MAX, &c->stats_every))
		return -1;
	c->has_cost = p->at[CO_COST] != NULL;
	p->f->nconsumers++;
	return 0;
}

int dir_lock(parser *p)
{
	if (!dir_item(p, &lock_dir))
		return -1;
	p->f->nlocks++;
	return 0;
}

int dir_nic(parser *p)
{
	return dir_keys(p, &nic_dir, 1) ||
	       tok_range32(p, p->at[0], "queue", 1, 1048576, &p->f->nic_queue) ||
	       tok_range32(p, p->at[1], "budget", 1, 1048576, &p->f->budget) ||
	       tok_range32(p, p->at[2], "weight", 1, 1048576, &p->f->napi_weight) ? -1 : 0;
}

/* softirq NAME cpu=C every=T do="..." [at=T] */
int dir_softirq(parser *p)
{
	scn_softirq *q = dir_item(p, &softirq_dir);

	if (!q)
		return -1;
	p->f->nsoftirqs++;      /* counted now: scn_free releases its ops */
	if (tok_cpu(p, p->at[SQ_CPU], &q->cpu) ||
	    tok_time(p, p->at[SQ_EVERY], "every", &q->every_ns))
		return -1;
	if (q->every_ns == 0)
		return fail(p, p->at[SQ_EVERY]->vcol, "softirq every= must be > 0");
	return parse_ops(p, p->at[SQ_DO], "softirq", 0, &q->ops, &q->nops) ||
	       tok_time(p, p->at[SQ_AT], "at", &q->at_ns) ? -1 : 0;
}

/* sched [slice=T] [preempt=full|voluntary] */
int dir_sched(parser *p)
{
	if (dir_keys(p, &sched_dir, 1) || tok_time(p, p->at[0], "slice", &p->f->sched_slice_ns) ||
	    tok_enum(p, p->at[1], &scn_preempt_names, "preempt", &p->f->preempt))
		return -1;
	if (p->f->sched_slice_ns == 0)
		return fail(p, p->at[0]->vcol, "sched slice= must be > 0");
	return 0;
}

/* kernel MAJOR.MINOR (or vMAJOR.MINOR): which kernel's version-dependent
 * behaviour the models follow (docs/kernel.md). */
int dir_kernel(parser *p)
{
	const tok *t = positional(p, "kernel", "a version such as 5.4", 0);
	shown b;

	if (!t)
		return -1;
	const char *v = t->s;
	size_t n = t->n, k = 0;
	if (n && v[0] == 'v') {
		v++;
		n--;
	}
	uint32_t major = 0, minor = 0;
	size_t dm = 0, dn = 0;
	while (k < n && is_digit(v[k]) && dm < 2)
		major = major * 10 + (uint32_t)(v[k++] - '0'), dm++;
	if (k < n && v[k] == '.')
		k++;
	else
		dm = 0;
	while (k < n && is_digit(v[k]) && dn < 3)
		minor = minor * 10 + (uint32_t)(v[k++] - '0'), dn++;
	if (!dm || !dn || k != n)
		return fail(p, t->vcol, "kernel: expected a version MAJOR.MINOR such as 5.4, got '%s'",
			    show(&b, t->s, t->n));
	if (major < 3 || major > 9 || minor > 999)
		return fail(p, t->vcol, "kernel: version %u.%u out of range (3.0 .. 9.999)", major, minor);
	p->f->kernel = SCN_KERNEL(major, minor);
	p->f->has_kernel = 1;
	return 0;
}

int dir_bug(parser *p)
{
	const tok *t = positional(p, "bug", "a bug name", 0);
	int i;

	if (!t || tok_enum(p, t, &scn_bug_names, "bug", &i))
		return -1;
	p->f->bugs |= 1u << i;
	return 0;
}
