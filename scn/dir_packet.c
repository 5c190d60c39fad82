/* dir_packet.c - the AF_PACKET additions: a TPACKET_V3 socket's keys and
 * the `fanout` directive (PACKET_FANOUT groups).  The checks are
 * packet_set_ring()'s and fanout_add()'s (net/packet/af_packet.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parser_internal.h"
#include "values.h"

#define PAGE_SIZE 4096u
/* BLK_PLUS_PRIV(priv) = BLK_HDR_LEN (ALIGN(sizeof(struct tpacket_block_desc) = 48, 8))
 * + ALIGN(priv, V3_ALIGNMENT 8); TPACKET3_HDRLEN = 48 + sizeof(struct sockaddr_ll) 20 */
#define BLK_HDR_LEN 48u
#define TPACKET3_HDRLEN 68u

int packet_socket_v3(parser *p, scn_socket *so, const tok *const v3[V3K_N])
{
	uint64_t bs, fs, priv = 0, tov = 0;
	if (tok_size(p, v3[V3K_BLOCK_SIZE], "block_size", PAGE_SIZE, 64u << 20, &bs) ||
	    tok_range32(p, v3[V3K_BLOCKS], "blocks", 1, 65536, &so->blocks) ||
	    tok_size(p, v3[V3K_FRAME_SIZE], "frame_size", TPACKET3_HDRLEN, 16u << 20, &fs) ||
	    tok_size(p, v3[V3K_PRIV], "priv", 0, 1u << 20, &priv) ||
	    tok_time(p, v3[V3K_RETIRE], "retire", &tov))
		return -1;
	/* packet_set_ring(): if (unlikely(!PAGE_ALIGNED(req->tp_block_size))) goto out */
	if (bs % PAGE_SIZE)
		return fail(p, v3[V3K_BLOCK_SIZE]->vcol, "block_size %" PRIu64 " is not a multiple "
			    "of the page size (4096)", bs);
	/* if (unlikely(!IS_ALIGNED(req->tp_frame_size, TPACKET_ALIGNMENT))) goto out */
	if (fs % 16 || fs > bs)
		return fail(p, v3[V3K_FRAME_SIZE]->vcol, "frame_size %" PRIu64 " must be a multiple "
			    "of 16 (TPACKET_ALIGNMENT) and at most block_size", fs);
	/* if (req->tp_block_size <= BLK_PLUS_PRIV((u64)req_u->req3.tp_sizeof_priv) + min_frame_size) */
	if (bs <= BLK_HDR_LEN + ((priv + 7) & ~7ull) + TPACKET3_HDRLEN)
		return fail(p, v3[V3K_PRIV]->vcol, "priv %" PRIu64 " leaves no room for a frame in "
			    "a block of %" PRIu64 " bytes", priv, bs);
	/* tp_retire_blk_tov is an unsigned int of ms; retire_blk_tov an
	 * unsigned short */
	if (v3[V3K_RETIRE] && (tov == 0 || tov % 1000000 || tov / 1000000 > 65535))
		return fail(p, v3[V3K_RETIRE]->vcol, "retire must be a whole number of ms, "
			    "1ms..65535ms (tp_retire_blk_tov)");
	/* the model keeps a record per possible frame: rings up to 256 MiB */
	if (bs * so->blocks > (256ull << 20))
		return fail(p, v3[V3K_BLOCKS]->vcol, "blocks * block_size = %" PRIu64 " bytes: sim "
			    "models TPACKET_V3 rings up to 256 MiB", bs * so->blocks);
	/* tp_frame_nr must be frames_per_block * tp_block_nr: we give that */
	uint64_t frames = bs / fs * so->blocks;
	if (frames > 1048576)
		return fail(p, v3[V3K_BLOCKS]->vcol, "blocks * (block_size / frame_size) = %" PRIu64
			    " frames: at most 1048576", frames);
	so->block_size = (uint32_t)bs;
	so->frame_size = (uint32_t)fs;
	so->priv = (uint32_t)priv;
	so->retire_ms = (uint32_t)(tov / 1000000);
	so->frames = (uint32_t)frames;
	return 0;
}

enum { FO_MODE, FO_SOCKETS, FO_ROLLOVER, FO_N };
static const char *const fanout_keys[FO_N] = { "mode", "sockets", "rollover" };
static const dir_spec fanout_dir = { .dir = "fanout", .keys = fanout_keys, .nkeys = FO_N,
	.required = REQ(FO_MODE) | REQ(FO_SOCKETS), DIR_NAMED(scn_fanout),
	DIR_LIST(fanouts, scn_fanout, K_FANOUT) };

/* Is socket `s` in a group already (fanout_add(): if (po->fanout) return -EALREADY)? */
static const scn_fanout *group_of(const scn_file *f, uint32_t s)
{
	for (size_t i = 0; i < f->nfanouts; i++)
		for (uint32_t k = 0; k < f->fanouts[i].nsockets; k++)
			if (f->fanouts[i].sockets[k] == s)
				return &f->fanouts[i];
	return NULL;
}

/* One name s[0..n) of the list, at column col. */
static int fanout_member(parser *p, scn_fanout *g, const char *s, size_t n, uint32_t col)
{
	shown b;
	tok t = { .s = s, .n = n, .v = s, .vn = n, .vcol = col, .col = col };
	uint32_t so;
	if (ref_socket(p, &t, &so))
		return -1;
	if (p->f->sockets[so].type != SCN_SOCK_PACKET)
		return fail(p, col, "socket '%s' is not a packet socket", show(&b, s, n));
	const scn_fanout *other = group_of(p->f, so);
	if (other || g->nsockets == SCN_FANOUT_MAX)
		return fail(p, col, other ? "socket '%s' is in fanout group '%s' already (-EALREADY)"
				    : "socket '%s': at most 64 sockets a group", show(&b, s, n),
			    other ? other->name : "");
	for (uint32_t k = 0; k < g->nsockets; k++)
		if (g->sockets[k] == so)
			return fail(p, col, "socket '%s' is twice in the group", show(&b, s, n));
	g->sockets[g->nsockets++] = so;
	return 0;
}

int dir_fanout(parser *p)
{
	scn_fanout *g = dir_item(p, &fanout_dir);
	if (!g || tok_enum(p, p->at[FO_MODE], &scn_fanout_mode_names, "fanout mode", &g->mode) ||
	    tok_enum(p, p->at[FO_ROLLOVER], &scn_onoff_names, "rollover", &g->flag_rollover))
		return -1;
	const tok *t = p->at[FO_SOCKETS];
	size_t i = 0;
	/* packet_rcv_fanout() needs no group's members to be given at once;
	 * here they are, as a comma-separated list */
	while (i <= t->vn) {
		size_t e = i;
		while (e < t->vn && t->v[e] != ',')
			e++;
		if (e == i)
			return fail(p, col_add(t->vcol, i), "fanout: empty socket name in the list");
		if (fanout_member(p, g, t->v + i, e - i, col_add(t->vcol, i)))
			return -1;
		i = e + 1;
	}
	p->f->nfanouts++;
	return 0;
}

int ref_fanout(parser *p, const tok *t, uint32_t *fanout, uint32_t *sock)
{
	size_t i;
	if (ref_item(p, t, K_FANOUT, p->f->fanouts, sizeof(scn_fanout), offsetof(scn_fanout, name),
		     "fanout group", &i))
		return -1;
	*fanout = (uint32_t)i + 1;
	*sock = p->f->fanouts[i].sockets[0];
	return 0;
}
