/* test_queue.c - unit tests of sim/queue.c, the event queue.
 *
 * The queue is a heap of fixed timer ids in its own arena, ordered by
 * (time, seq) with seq taken at arming.  These tests check the tie rule
 * (equal times pop in arming order), that re-arming moves a timer and takes
 * a new seq, that cancel removes, and finally run 100,000 random
 * arm / re-arm / cancel / pop operations against a naive O(n) reference kept
 * in a plain array, comparing every pop, length and due time.
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
		} else {
			uint32_t want = ref_min(ref, NTIMERS);
			uint64_t t;
			uint32_t got = pop(&f->q, &t);
			if (got != want) {
				print_error("op %u: popped %" PRIu32 " expected %" PRIu32 "\n", op, got, want);
				fail();
			}
			if (want != QUEUE_NONE) {
				assert_int_equal(t, ref[want].time);
				ref[want].armed = 0;
				ref_len--;
				/* time moves forward like the engine's, mostly */
				now = t;
				pops++;
				uint32_t next = ref_min(ref, NTIMERS);
				if (next != QUEUE_NONE && ref[next].time == t)
					ties++;
			}
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal_times_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_against_reference, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
