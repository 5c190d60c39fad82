/* live_frame.c - see live_frame.h. */
#include "live_frame.h"

#include <string.h>

const char *live_verdict_name(int v)
{
	static const char *const names[LV_COUNT] = { "ok", "short", "bad-magic", "bad-length",
						      "two-packets", "bad-bytes", "bad-checksum",
						      "stale" };
	return v >= 0 && v < LV_COUNT ? names[v] : "?";
}

static uint64_t tag_of(uint32_t flow, uint64_t seq)
{
	return (uint64_t)flow << 48 | (seq & 0xffffffffffffull);
}

static uint8_t fill_byte(uint64_t seq, uint32_t off) { return (uint8_t)(seq * 31u + off); }

static uint32_t fnv1a(const uint8_t *b, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

void live_build(uint8_t *buf, uint32_t len, uint16_t etype, uint32_t flow, uint64_t seq)
{
	memset(buf, 0, 12);                 /* to and from 00:00:00:00:00:00 (lo) */
	buf[12] = (uint8_t)(etype >> 8);
	buf[13] = (uint8_t)etype;
	uint32_t magic = LIVE_MAGIC;
	memcpy(buf + 14, &magic, 4);
	memcpy(buf + 18, &flow, 4);
	memcpy(buf + 22, &seq, 8);
	memcpy(buf + 30, &len, 4);
	uint64_t tag = tag_of(flow, seq);
	for (uint32_t off = LIVE_HDR; off < len; off++)
		buf[off] = fill_byte(seq, off);
	for (uint32_t off = LIVE_HDR; off + 8 <= len; off += 64)
		memcpy(buf + off, &tag, 8);
	uint32_t sum = fnv1a(buf + LIVE_HDR, len - LIVE_HDR);
	memcpy(buf + 34, &sum, 4);
}

/* The payload's bytes [LIVE_HDR, n): each block's tag, then its fill. */
static int check_payload(const uint8_t *mac, uint32_t n, const live_pkt *p)
{
	uint64_t tag = tag_of(p->flow, p->seq);
	for (uint32_t off = LIVE_HDR; off < n; off += 64) {
		uint32_t end = off + 64 < n ? off + 64 : n;
		uint32_t from = off;
		if (off + 8 <= p->len && off + 8 <= n) {
			uint64_t t;
			memcpy(&t, mac + off, 8);
			if (t != tag)   /* another packet's tag names a flow below 4096 */
				return (t >> 48) < 4096u ? LV_MIXED : LV_BYTES;
			from = off + 8;
		}
		for (uint32_t i = from; i < end; i++)
			if (mac[i] != fill_byte(p->seq, i))
				return LV_BYTES;
	}
	return LV_OK;
}

int live_check(const uint8_t *mac, uint32_t tp_len, uint32_t tp_snaplen, uint32_t room,
	       live_pkt *p)
{
	uint32_t magic, sum;
	if (tp_snaplen < LIVE_HDR)
		return LV_SHORT;
	memcpy(&magic, mac + 14, 4);
	if (magic != LIVE_MAGIC)
		return LV_MAGIC;
	memcpy(&p->flow, mac + 18, 4);
	memcpy(&p->seq, mac + 22, 8);
	memcpy(&p->len, mac + 30, 4);
	memcpy(&sum, mac + 34, 4);
	uint32_t want_snap = p->len < room ? p->len : room;
	if (tp_len != p->len || tp_snaplen != want_snap)
		return LV_LEN;
	int v = check_payload(mac, tp_snaplen, p);
	if (v != LV_OK)
		return v;
	if (tp_snaplen == p->len && fnv1a(mac + LIVE_HDR, p->len - LIVE_HDR) != sum)
		return LV_SUM;
	return LV_OK;
}

int live_check_seq(uint64_t *next, uint32_t nflows, const live_pkt *p, uint64_t *holes)
{
	if (p->flow >= nflows || p->seq < next[p->flow])
		return LV_STALE;
	*holes += p->seq - next[p->flow];
	next[p->flow] = p->seq + 1;
	return LV_OK;
}
