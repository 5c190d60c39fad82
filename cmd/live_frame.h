/* live_frame.h - the packets `sim --live` sends on lo and the checker of the
 * frames it finds in a real PACKET_RX_RING.
 *
 * A packet is an Ethernet frame to 00:00:00:00:00:00 with a private
 * ethertype, then a header (LIVE_HDR bytes from the start of the frame):
 *     14 magic "SIML"  18 flow (u32)  22 seq (u64)  30 len (u32, the whole
 *     frame)  34 sum (u32, FNV-1a of bytes [38, len))
 * and a payload every byte of which is known from (flow, seq, offset): each
 * 64-byte block from offset 38 starts with an 8-byte tag (flow << 48 | seq
 * low 48 bits), the other bytes are (seq * 31 + offset) mod 256.  So a frame
 * that holds the start of one packet and the bytes of another is told
 * apart from one with a bad byte, and a truncated frame is checked as far as
 * it goes.  Integers are in host order: sender and reader share a machine.
 *
 * Concurrency contract: pure functions of their arguments.
 */
#ifndef CMD_LIVE_FRAME_H
#define CMD_LIVE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define LIVE_HDR 38u                /* the smallest packet */
#define LIVE_MAGIC 0x4c4d4953u      /* "SIML" */

/* What a frame was found to be; LV_OK first. */
enum live_verdict {
	LV_OK,
	LV_SHORT,       /* tp_snaplen too short to hold the header */
	LV_MAGIC,       /* no header of ours at tp_mac */
	LV_LEN,         /* tp_len, or tp_snaplen, not what the packet's length says */
	LV_MIXED,       /* a block tagged by another packet: two packets in one frame */
	LV_BYTES,       /* a payload byte not the packet's */
	LV_SUM,         /* the checksum does not match the bytes (whole packets only) */
	LV_STALE,       /* a packet of this flow not newer than the last one read */
	LV_COUNT
};
/* "ok", "short", "bad-magic", "bad-length", "two-packets", "bad-bytes",
 * "bad-checksum", "stale". */
const char *live_verdict_name(int v);

typedef struct live_pkt {
	uint32_t flow;
	uint64_t seq;
	uint32_t len;
} live_pkt;

/* Write packet (flow, seq) of len bytes (>= LIVE_HDR) with ethertype
 * `etype` into buf. */
void live_build(uint8_t *buf, uint32_t len, uint16_t etype, uint32_t flow, uint64_t seq);

/* Check the bytes a frame holds: mac is the frame at tp_mac, tp_len and
 * tp_snaplen its header's words, room = frame_size - tp_mac (the most the
 * kernel copies).  Fills *p from the header when it is readable. */
int live_check(const uint8_t *mac, uint32_t tp_len, uint32_t tp_snaplen, uint32_t room,
	       live_pkt *p);

/* Per-flow order: next[] holds one past the last seq read of each flow
 * (nflows of them, zeroed at the start).  LV_STALE when p is not newer;
 * else records it; the packets skipped since are added to *holes. */
int live_check_seq(uint64_t *next, uint32_t nflows, const live_pkt *p, uint64_t *holes);

#endif
