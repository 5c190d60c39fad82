/* sock_stats.c - see world_socket_stats in world.h: each packet socket's
 * own figures, as getsockopt(PACKET_STATISTICS) and the models keep them. */
#include "world.h"

#include "fanout.h"
#include "packet_ring.h"
#include "tpacket_v3.h"

static size_t put(world_stat *out, size_t n, const char *name, uint64_t v)
{
	out[n] = (world_stat){ name, v };
	return n + 1;
}

/* Is socket s in a fanout group? */
static int in_group(const scn_file *f, uint32_t s)
{
	for (size_t g = 0; g < f->nfanouts; g++)
		for (uint32_t k = 0; k < f->fanouts[g].nsockets; k++)
			if (f->fanouts[g].sockets[k] == s)
				return 1;
	return 0;
}

size_t world_socket_stats(world *w, uint32_t s, world_stat out[WORLD_STATS_MAX])
{
	const scn_socket *so = &w->scn->sockets[s];
	size_t n = 0;
	if (so->type != SCN_SOCK_PACKET)
		return 0;
	if (so->version == 3) {
		/* struct tpacket_stats_v3: tp_packets, tp_drops, tp_freeze_q_cnt */
		const v3_ring *r = &w->v3->ring[s];
		n = put(out, n, "tp_packets", r->tp_packets);
		n = put(out, n, "tp_drops", r->tp_drops);
		n = put(out, n, "tp_freeze_q_cnt", r->tp_freeze_q_cnt);
		n = put(out, n, "blocks_closed", r->closed);
		n = put(out, n, "blocks_closed_tmo", r->closed_tmo);
	} else {
		n = put(out, n, "tp_packets", w->ring[s].tp_packets);
		n = put(out, n, "tp_drops", w->ring[s].tp_drops);
	}
	if (in_group(w->scn, s)) {
		const fanout_sock *fs = &w->fo->sock[s];
		n = put(out, n, "fanout_chosen", fs->chosen);
		/* PACKET_ROLLOVER_STATS: tp_all, tp_huge, tp_failed (of arr[0]) */
		n = put(out, n, "rollover_num", fs->rollover_num);
		n = put(out, n, "rollover_failed", fs->rollover_failed);
	}
	return n;
}
