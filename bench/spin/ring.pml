/* ring.pml - a hand-written Promela model of the TPACKET_V1/V2 RX ring
 * protocol, for the side-by-side benchmark of `sim --check` against spin
 * (bench/spin/run.sh).  It is the protocol only: P writer CPUs each deliver
 * K packets through tpacket_rcv() into an N-frame ring; one reader hands
 * frames back.  No softirq/hardirq machinery, no NAPI, no wake-ups: spin
 * searches the ring's interleavings, `sim --check` the whole model's.
 *
 *   spin -DP=3 -DN=4 -DK=5 -DFIX=2 -DREADER=0 -a ring.pml
 *
 * FIX: 0 none, 1 in_progress (2018 RFC), 2 owner_map (v5.6, 61fad6816fc1).
 * READER: 0 tests status & TP_STATUS_USER, 1 status != TP_STATUS_KERNEL
 * (libpcap).  The asserts are the oracle's overrun (a claim of a frame
 * another writer still owns) and consumer_partial (the reader takes a frame
 * whose writer has not published). */
#ifndef P
#define P 2
#endif
#ifndef N
#define N 2
#endif
#ifndef K
#define K 2
#endif
#ifndef FIX
#define FIX 2
#endif
#ifndef READER
#define READER 0
#endif

#define KERNEL 0                /* TP_STATUS_KERNEL */
#define USER 1                  /* TP_STATUS_USER */
#define INPROG 2                /* the RFC's TP_STATUS_IN_PROGRESS */

byte status[N];                 /* tp_status of each frame */
bool busy[N];                   /* po->rx_ring.rx_owner_map (owner_map) */
byte writing[N];                /* writers between claim (C) and publish (J): the oracle's */
byte head;                      /* rb->head */
bool lock;                      /* sk->sk_receive_queue.lock */
byte done;                      /* writers that delivered all their packets */

#define READY(s) ((READER == 1 && (s) != KERNEL) || (READER == 0 && (s) == USER))

proctype writer()
{
	byte k = 0, f;
	do
	:: k < K ->
		atomic { lock == 0 -> lock = 1 };       /* A: spin_lock() */
		f = head;                               /* B: packet_current_rx_frame() */
		if
		:: (FIX == 2 && busy[f]) || status[f] != KERNEL ->
			lock = 0                        /* drop: tp_drops++, unlock */
		:: else ->
			head = (head + 1) % N;          /* C: packet_increment_rx_head() */
			assert(writing[f] == 0);        /* overrun */
			writing[f]++;
			if
			:: FIX == 1 -> status[f] = INPROG       /* D */
			:: FIX == 2 -> busy[f] = 1              /* D' */
			:: else -> skip
			fi;
			lock = 0;                       /* F: spin_unlock() */
			skip;                           /* G: skb_copy_bits() */
			if                              /* J: __packet_set_status(TP_STATUS_USER) */
			:: FIX == 2 ->
				atomic { lock == 0 -> lock = 1 };
				writing[f]--; status[f] = USER; busy[f] = 0;
				lock = 0
			:: else ->
				atomic { writing[f]--; status[f] = USER }
			fi
		fi;
		k++
	:: else -> break
	od;
	done++
}

proctype reader()
{
	byte i = 0;
	do
	:: READY(status[i]) ->
		assert(writing[i] == 0);                /* consumer_partial */
		status[i] = KERNEL;                     /* hand the frame back */
		i = (i + 1) % N
	:: done == P && !READY(status[i]) -> break
	od
}

init
{
	atomic {
		byte p = 0;
		do
		:: p < P -> run writer(); p++
		:: else -> break
		od;
		run reader()
	}
}
