/* test_queue.c - unit tests of sim/queue.c, the event queue.
 *
 * The queue holds fixed timer ids in its own arena, ordered by (time, seq)
 * with seq taken at arming: a timing wheel of QUEUE_WHEEL slots for times
 * within [cur, cur + W), cur the last popped time, and an overflow heap for
 * the rest.  These tests check the tie rule (equal times pop in arming
 * order), that re-arming moves a timer and takes a new seq, that cancel
 * removes, the window's edges (cur + W - 1 in the wheel, cur + W in the heap,
 * equal times on both sides, a past time), and finally run random
 * operations against a naive O(n) reference kept in a plain array, comparing
 * every pop, peek, next time, length and due time: 100,000 arm / re-arm /
 * cancel / pop operations with times near now, and 200,000 with times
 * spread over many windows (a few in the past), half of them driven like
 * the engine (pop, arm a few timers, next_time).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "queue.h"
#include "rng.h"

typedef struct qfix {
	arena ar;
	queue q;
} qfix;

enum { NTIMERS = 211 };

static int setup(void **state)
{
	qfix *f = test_calloc(1, sizeof *f);
	queue_layout(&f->q, &f->ar, NTIMERS);
	if (arena_commit(&f->ar) != 0)
		return -1;
	queue_bind(&f->q, &f->ar);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	qfix *f = *state;
	arena_free(&f->ar);
	test_free(f);
	return 0;
}

static uint32_t pop(queue *q, uint64_t *t)
{
	*t = UINT64_MAX;
	return queue_pop(q, t);
}

/* Pop one timer, which must be `id` at `time`. */
static void pop_expect(queue *q, uint32_t id, uint64_t time)
{
	uint64_t t;
	assert_int_equal(queue_peek(q), id);
	uint32_t got = pop(q, &t);
	assert_int_equal(got, id);
	assert_int_equal(t, time);
	assert_false(queue_armed(q, id));
}

static void test_empty(void **state)
{
	qfix *f = *state;
	uint64_t t;
	assert_int_equal(queue_len(&f->q), 0);
	assert_int_equal(queue_peek(&f->q), QUEUE_NONE);
	assert_int_equal(pop(&f->q, &t), QUEUE_NONE);
	assert_int_equal(t, UINT64_MAX);          /* untouched */
	queue_cancel(&f->q, 5);                   /* cancelling an idle timer: nothing */
	assert_int_equal(queue_len(&f->q), 0);
}

/* Equal times pop in arming order, whatever the ids and the heap shape. */
static void test_equal_times_fifo(void **state)
{
	qfix *f = *state;
	static const uint32_t order[] = { 9, 3, 200, 0, 17, 4, 150, 1, 2, 99, 8 };
	const unsigned n = sizeof order / sizeof order[0];
	/* Interleave earlier and later events so the ties are not at the root. */
	queue_arm(&f->q, 50, 500);
	for (unsigned i = 0; i < n; i++) {
		queue_arm(&f->q, order[i], 100);
		if (i == 4)
			queue_arm(&f->q, 60, 10);
	}
	assert_int_equal(queue_len(&f->q), n + 2);
	pop_expect(&f->q, 60, 10);
	for (unsigned i = 0; i < n; i++)
		pop_expect(&f->q, order[i], 100);
	pop_expect(&f->q, 50, 500);
	assert_int_equal(queue_len(&f->q), 0);
}

/* Re-arming moves the timer (earlier and later) and gives it a new seq:
 * re-armed at an equal time, it goes after the timers already there. */
static void test_rearm_moves(void **state)
{
	qfix *f = *state;
	queue_arm(&f->q, 1, 100);
	queue_arm(&f->q, 2, 200);
	queue_arm(&f->q, 3, 300);
	queue_arm(&f->q, 3, 50);                  /* earlier */
	assert_int_equal(queue_len(&f->q), 3);    /* moved, not duplicated */
	assert_true(queue_armed(&f->q, 3));
	assert_int_equal(queue_due(&f->q, 3), 50);
	queue_arm(&f->q, 1, 400);                 /* later */
	assert_int_equal(queue_due(&f->q, 1), 400);
	queue_arm(&f->q, 4, 200);
	queue_arm(&f->q, 2, 200);                 /* same time: now after 4 */
	assert_int_equal(queue_len(&f->q), 4);
	pop_expect(&f->q, 3, 50);
	pop_expect(&f->q, 4, 200);
	pop_expect(&f->q, 2, 200);
	pop_expect(&f->q, 1, 400);
	assert_int_equal(queue_peek(&f->q), QUEUE_NONE);
}

/* Cancel removes one timer from anywhere in the heap; the rest keep order. */
static void test_cancel(void **state)
{
	qfix *f = *state;
	for (uint32_t i = 0; i < 20; i++)
		queue_arm(&f->q, i, 1000 - 10 * (uint64_t)i);   /* 19 is earliest */
	queue_cancel(&f->q, 19);                  /* the root */
	queue_cancel(&f->q, 0);                   /* the latest, a leaf */
	queue_cancel(&f->q, 7);                   /* somewhere inside */
	queue_cancel(&f->q, 7);                   /* twice: nothing */
	assert_int_equal(queue_len(&f->q), 17);
	assert_false(queue_armed(&f->q, 19));
	assert_false(queue_armed(&f->q, 0));
	assert_false(queue_armed(&f->q, 7));
	for (uint32_t i = 18; i >= 1; i--)
		if (i != 7)
			pop_expect(&f->q, i, 1000 - 10 * (uint64_t)i);
	assert_int_equal(queue_len(&f->q), 0);
	/* A cancelled timer can be armed again. */
	queue_arm(&f->q, 7, 5);
	pop_expect(&f->q, 7, 5);
}

/* ---- against a reference ---- */

typedef struct ref_timer {
	int armed;
	uint64_t time, seq;
} ref_timer;

/* The reference: a plain array, the minimum found by a linear scan. */
static uint32_t ref_min(const ref_timer *r, uint32_t n)
{
	uint32_t best = QUEUE_NONE;
	for (uint32_t i = 0; i < n; i++) {
		if (!r[i].armed)
			continue;
		if (best == QUEUE_NONE || r[i].time < r[best].time ||
		    (r[i].time == r[best].time && r[i].seq < r[best].seq))
			best = i;
	}
	return best;
}

/* Pop the earliest timer, which must be the reference's, at its time; time
 * moves there.  Counts a tie when another timer is due at that same time
 * (ties may be NULL).  Returns the timer, or QUEUE_NONE. */
static uint32_t pop_checked(queue *q, ref_timer *ref, uint32_t *ref_len, uint64_t *now, unsigned op,
			    unsigned *ties)
{
	uint32_t want = ref_min(ref, NTIMERS);
	uint64_t t;
	uint32_t got = pop(q, &t);
	if (got != want) {
		print_error("op %u: popped %" PRIu32 " expected %" PRIu32 "\n", op, got, want);
		fail();
	}
	if (want == QUEUE_NONE)
		return want;
	assert_int_equal(t, ref[want].time);
	ref[want].armed = 0;
	(*ref_len)--;
	*now = t;
	uint32_t next = ref_min(ref, NTIMERS);
	if (ties && next != QUEUE_NONE && ref[next].time == t)
		(*ties)++;
	return want;
}

static void test_against_reference(void **state)
{
	qfix *f = *state;
	ref_timer ref[NTIMERS];
	memset(ref, 0, sizeof ref);
	uint32_t ref_len = 0;
	uint64_t seq = 0;
	uint64_t now = 0;
	unsigned pops = 0, ties = 0;
	rng r;
	rng_seed(&r, 42, "test_queue");

	for (unsigned op = 0; op < 100000; op++) {
		uint64_t k = rng_below(&r, 100);
		uint32_t id = (uint32_t)rng_below(&r, NTIMERS);
		if (k < 45) {
			/* arm or re-arm; a narrow window of times makes many ties */
			uint64_t t = now + rng_below(&r, k < 30 ? 16 : 5000);
			if (!ref[id].armed)
				ref_len++;
			ref[id] = (ref_timer){ 1, t, seq++ };
			queue_arm(&f->q, id, t);
		} else if (k < 55) {
			if (ref[id].armed)
				ref_len--;
			ref[id].armed = 0;
			queue_cancel(&f->q, id);
		} else if (pop_checked(&f->q, ref, &ref_len, &now, op, &ties) != QUEUE_NONE) {
			pops++;         /* time moves forward like the engine's, mostly */
		}
		assert_int_equal(queue_len(&f->q), ref_len);
		if (ref[id].armed) {
			assert_true(queue_armed(&f->q, id));
			assert_int_equal(queue_due(&f->q, id), ref[id].time);
		} else {
			assert_false(queue_armed(&f->q, id));
		}
	}
	/* The run exercised what it claims to. */
	assert_true(pops > 20000);
	assert_true(ties > 1000);
	/* Drain: the remaining order is still the reference's. */
	for (;;) {
		uint32_t want = ref_min(ref, NTIMERS);
		uint64_t t;
		uint32_t got = pop(&f->q, &t);
		assert_int_equal(got, want);
		if (want == QUEUE_NONE)
			break;
		assert_int_equal(t, ref[want].time);
		ref[want].armed = 0;
	}
	assert_int_equal(queue_len(&f->q), 0);
}

/* ---- the window: wheel [cur, cur + W), heap beyond ---- */

/* Pop the only armed timer, at `time`, which moves cur there. */
static void advance_to(queue *q, uint32_t id, uint64_t time)
{
	queue_arm(q, id, time);
	pop_expect(q, id, time);
}

/* cur + W - 1 is the wheel's last slot (just behind cur's), cur + W the
 * heap's; a timer armed for cur + W before cur moved pops before one armed
 * for the same time after (its seq is smaller), and re-arming moves it
 * behind. */
static void test_window_edges(void **state)
{
	qfix *f = *state;
	queue *q = &f->q;
	const uint64_t W = QUEUE_WHEEL;
	advance_to(q, 0, 1000);                   /* cur = 1000 */
	queue_arm(q, 1, 1000 + W - 1);            /* the wheel's last slot */
	queue_arm(q, 2, 1000 + W);                /* the heap */
	queue_arm(q, 3, 1000 + W + 1);            /* the heap */
	queue_arm(q, 4, 1000);                    /* cur's own slot */
	assert_int_equal(queue_next_time(q), 1000);
	pop_expect(q, 4, 1000);
	pop_expect(q, 1, 1000 + W - 1);           /* cur = 1000 + W - 1 */
	/* Now 1000 + W and 1000 + W + 1 fall in the wheel too. */
	queue_arm(q, 5, 1000 + W + 1);            /* wheel, after 3 */
	queue_arm(q, 6, 1000 + W);                /* wheel, after 2 */
	queue_arm(q, 7, 1000 + 2 * W - 2);        /* wheel, the last slot */
	queue_arm(q, 8, 1000 + 2 * W - 1);        /* heap: cur + W */
	assert_int_equal(queue_len(q), 6);
	assert_int_equal(queue_peek(q), 2);
	assert_int_equal(queue_next_time(q), 1000 + W);
	pop_expect(q, 2, 1000 + W);
	pop_expect(q, 6, 1000 + W);
	pop_expect(q, 3, 1000 + W + 1);
	pop_expect(q, 5, 1000 + W + 1);
	pop_expect(q, 7, 1000 + 2 * W - 2);
	pop_expect(q, 8, 1000 + 2 * W - 1);
	assert_int_equal(queue_len(q), 0);
	assert_int_equal(queue_next_time(q), UINT64_MAX);

	/* Same time in the heap and the wheel, then the heap's timer re-armed
	 * at that time: it takes a new seq and goes last. */
	advance_to(q, 0, 5000);
	queue_arm(q, 10, 5000 + 3 * W);           /* heap */
	queue_arm(q, 11, 5000 + 3 * W);           /* heap, after 10 */
	advance_to(q, 0, 5000 + 2 * W + 10);
	queue_arm(q, 12, 5000 + 3 * W);           /* wheel, after 11 */
	queue_arm(q, 10, 5000 + 3 * W);           /* moved: wheel, after 12 */
	queue_arm(q, 13, 5000 + 3 * W - 1);       /* wheel, before them all */
	pop_expect(q, 13, 5000 + 3 * W - 1);
	pop_expect(q, 11, 5000 + 3 * W);
	pop_expect(q, 12, 5000 + 3 * W);
	pop_expect(q, 10, 5000 + 3 * W);

	/* Cancel across both, the first included. */
	queue_arm(q, 20, 5000 + 3 * W + 5);       /* wheel */
	queue_arm(q, 21, 5000 + 9 * W);           /* heap */
	queue_arm(q, 22, 5000 + 3 * W + 5);       /* wheel */
	queue_cancel(q, 20);
	assert_int_equal(queue_peek(q), 22);
	queue_cancel(q, 22);
	assert_int_equal(queue_peek(q), 21);
	assert_int_equal(queue_next_time(q), 5000 + 9 * W);
	pop_expect(q, 21, 5000 + 9 * W);
	assert_int_equal(queue_len(q), 0);
}

/* A time before cur (the engine never arms one) still pops in (time, seq)
 * order, and does not move cur back: the wheel keeps working. */
static void test_past_time(void **state)
{
	qfix *f = *state;
	queue *q = &f->q;
	advance_to(q, 0, 3000);
	queue_arm(q, 1, 3000 + 5);                /* wheel */
	queue_arm(q, 2, 2990);                    /* the past: heap */
	queue_arm(q, 3, 2990);                    /* after 2 */
	queue_arm(q, 4, 3000);                    /* wheel, cur's slot */
	pop_expect(q, 2, 2990);
	pop_expect(q, 3, 2990);
	queue_arm(q, 5, 3000 + QUEUE_WHEEL - 1);  /* still the wheel's last slot */
	queue_arm(q, 6, 2999);
	pop_expect(q, 6, 2999);
	pop_expect(q, 4, 3000);
	pop_expect(q, 1, 3005);
	pop_expect(q, 5, 3000 + QUEUE_WHEEL - 1);
	/* Had the past pop moved cur back to 4990, the wheel would hold
	 * 5000 + W - 1 in 4999's slot, before 5005's. */
	advance_to(q, 0, 5000);
	queue_arm(q, 7, 5000 + QUEUE_WHEEL - 1);
	queue_arm(q, 8, 5005);
	queue_arm(q, 9, 4990);
	pop_expect(q, 9, 4990);
	pop_expect(q, 8, 5005);
	pop_expect(q, 7, 5000 + QUEUE_WHEEL - 1);
}

/* A pop, then the handler's arms, as sim_run does: next_time after the pop
 * is the earliest armed time without the popped timer. */
static void test_pop_then_arm(void **state)
{
	qfix *f = *state;
	queue *q = &f->q;
	uint64_t t = 0;
	queue_arm(q, 1, 10);
	queue_arm(q, 2, 10 + 5 * QUEUE_WHEEL);    /* heap */
	assert_int_equal(queue_pop(q, &t), 1);
	assert_int_equal(t, 10);
	assert_false(queue_armed(q, 1));
	assert_int_equal(queue_len(q), 1);
	assert_int_equal(queue_next_time(q), 10 + 5 * QUEUE_WHEEL);
	queue_arm(q, 1, 12);
	assert_int_equal(queue_next_time(q), 12);
	queue_arm(q, 3, 10);                      /* now: after nothing else */
	assert_int_equal(queue_next_time(q), 10);
	pop_expect(q, 3, 10);
	assert_int_equal(queue_pop(q, &t), 1);
	assert_int_equal(queue_next_time(q), 10 + 5 * QUEUE_WHEEL);
	assert_int_equal(queue_len(q), 1);
	assert_int_equal(queue_pop(q, &t), 2);
	assert_int_equal(queue_next_time(q), UINT64_MAX);
	assert_int_equal(queue_pop(q, &t), QUEUE_NONE);
}

/* A reset (the arena zeroed) is an empty queue with cur = 0 again. */
static void test_zeroed_is_empty(void **state)
{
	qfix *f = *state;
	queue *q = &f->q;
	advance_to(q, 0, 7 * QUEUE_WHEEL + 3);
	queue_arm(q, 1, 8 * QUEUE_WHEEL);
	queue_arm(q, 2, 100 * QUEUE_WHEEL);
	arena_zero(&f->ar);
	assert_int_equal(queue_len(q), 0);
	assert_int_equal(queue_peek(q), QUEUE_NONE);
	assert_int_equal(queue_next_time(q), UINT64_MAX);
	assert_false(queue_armed(q, 1));
	queue_arm(q, 3, 5);                       /* before the old cur: fine */
	queue_arm(q, 4, 4);
	pop_expect(q, 4, 4);
	pop_expect(q, 3, 5);
}

/* A time in [now, now + 20 W): near now (ties), around the window's edge
 * (cur + W - 2 .. cur + W + 1, where cur <= now), or anywhere. */
static uint64_t wide_time(rng *r, uint64_t now)
{
	uint64_t k = rng_below(r, 100);
	if (k < 40)
		return now + rng_below(r, 8);
	if (k < 60)
		return now + QUEUE_WHEEL - 2 + rng_below(r, 4);
	if (k < 70)
		return now + rng_below(r, 2 * QUEUE_WHEEL);
	return now + rng_below(r, 20 * QUEUE_WHEEL);
}

/* Everything the queue tells must match the reference. */
static void check_against(const queue *q, const ref_timer *ref, uint32_t ref_len, unsigned op)
{
	uint32_t want = ref_min(ref, NTIMERS);
	if (queue_len(q) != ref_len || queue_peek(q) != want ||
	    queue_next_time(q) != (want == QUEUE_NONE ? UINT64_MAX : ref[want].time)) {
		print_error("op %u: len %" PRIu32 " peek %" PRIu32 " next %" PRIu64 "; expected %" PRIu32
			    " %" PRIu32 "\n", op, queue_len(q), queue_peek(q), queue_next_time(q), ref_len, want);
		fail();
	}
	if (want != QUEUE_NONE)
		assert_int_equal(queue_next_time(q), ref[want].time);
}

/* Times over many windows, so that the wheel and the heap interleave, with
 * equal times across the two, and a few in the past.  Half the rounds go as
 * the engine does: pop the earliest, arm a few timers (often the popped one
 * again, at or after its time), read next_time; the other half arm, cancel
 * or pop. */
static void test_wide_against_reference(void **state)
{
	qfix *f = *state;
	queue *q = &f->q;
	ref_timer ref[NTIMERS];
	memset(ref, 0, sizeof ref);
	uint32_t ref_len = 0;
	uint64_t seq = 0, now = 0;
	unsigned pops = 0, ties = 0, far = 0, edge = 0;
	rng r;
	rng_seed(&r, 7, "test_queue wide");

	for (unsigned op = 0; op < 200000; op++) {
		uint32_t id = (uint32_t)rng_below(&r, NTIMERS);
		uint64_t k = rng_below(&r, 100);
		if (k < 50) {
			/* the engine's round */
			uint32_t want = pop_checked(q, ref, &ref_len, &now, op, &ties);
			if (want != QUEUE_NONE)
				pops++;
			unsigned narm = (unsigned)rng_below(&r, 3);
			for (unsigned i = 0; i < narm; i++) {
				uint32_t a = i == 0 && want != QUEUE_NONE ? want : (uint32_t)rng_below(&r, NTIMERS);
				uint64_t at = wide_time(&r, now);
				if (!ref[a].armed)
					ref_len++;
				ref[a] = (ref_timer){ 1, at, seq++ };
				queue_arm(q, a, at);
				check_against(q, ref, ref_len, op);
			}
		} else if (k < 80) {
			uint64_t at = wide_time(&r, now);
			if (k == 79 && now)
				at = now - 1 - rng_below(&r, now < 3000 ? now : 3000);  /* the past */
			if (at - now >= QUEUE_WHEEL)
				far++;
			if (at - now >= QUEUE_WHEEL - 2 && at - now <= QUEUE_WHEEL + 1)
				edge++;
			if (!ref[id].armed)
				ref_len++;
			ref[id] = (ref_timer){ 1, at, seq++ };
			queue_arm(q, id, at);
		} else if (k < 88) {
			if (ref[id].armed)
				ref_len--;
			ref[id].armed = 0;
			queue_cancel(q, id);
		} else if (pop_checked(q, ref, &ref_len, &now, op, NULL) != QUEUE_NONE) {
			pops++;
		}
		check_against(q, ref, ref_len, op);
		if (ref[id].armed) {
			assert_true(queue_armed(q, id));
			assert_int_equal(queue_due(q, id), ref[id].time);
		} else {
			assert_false(queue_armed(q, id));
		}
	}
	/* The run exercised what it claims to. */
	assert_true(pops > 50000);
	assert_true(ties > 5000);
	assert_true(far > 10000);
	assert_true(edge > 5000);
	for (;;) {
		uint32_t want = ref_min(ref, NTIMERS);
		uint64_t t;
		assert_int_equal(pop(q, &t), want);
		if (want == QUEUE_NONE)
			break;
		assert_int_equal(t, ref[want].time);
		ref[want].armed = 0;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal_times_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_against_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_past_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pop_then_arm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zeroed_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_against_reference, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
