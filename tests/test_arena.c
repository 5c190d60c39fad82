/* test_arena.c - unit tests of sim/arena.c: the flat run state.
 *
 * The arena lays out reserved arrays at aligned offsets and allocates them
 * once, zeroed.  Its hash is a fixed function of the bytes (known answers
 * computed with an independent implementation of the same mixing, so a
 * build or platform that changes it fails here) and any one-byte change
 * changes it.  With the mini world of test_helpers.h (all of its run state
 * in the arena): snapshot after reset, run, restore, run again, reset, run
 * again all end in the same state hash and a byte-identical trace; a
 * snapshot taken in the middle of a run replays the rest of it exactly.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sim.h"
#include "test_helpers.h"

static void test_reserve_layout(void **state)
{
	(void)state;
	arena a = { 0 };
	size_t o1 = arena_reserve(&a, 3, 1);
	size_t o2 = arena_reserve(&a, 8, 8);
	size_t o3 = arena_reserve(&a, 1, 2);
	size_t o4 = arena_reserve(&a, 10, 64);
	size_t o5 = arena_reserve(&a, 4, 4);
	assert_int_equal(o1, 0);
	assert_int_equal(o2, 8);
	assert_int_equal(o3, 16);
	assert_int_equal(o4, 64);
	assert_int_equal(o5, 76);
	assert_int_equal(a.size, 80);
	assert_null(a.base);
	assert_int_equal(arena_commit(&a), 0);
	assert_non_null(a.base);
	assert_int_equal((uintptr_t)a.base % 64, 0);
	for (size_t i = 0; i < a.size; i++)
		assert_int_equal(a.base[i], 0);
	assert_ptr_equal(arena_at(&a, o4), a.base + 64);
	memset(a.base, 0x5a, a.size);
	arena_zero(&a);
	for (size_t i = 0; i < a.size; i++)
		assert_int_equal(a.base[i], 0);
	arena_free(&a);
	assert_null(a.base);

	/* An empty arena commits too (a run with no state yet). */
	arena e = { 0 };
	assert_int_equal(arena_commit(&e), 0);
	assert_non_null(e.base);
	arena_free(&e);
}

/* Known answers from an independent (Python) implementation of hash_bytes. */
static void test_hash_known_answers(void **state)
{
	(void)state;
	unsigned char b13[13];
	for (unsigned i = 0; i < 13; i++)
		b13[i] = (unsigned char)i;
	assert_int_equal(hash_bytes("", 0, 0), UINT64_C(0x608ed0ff4a32d1cd));
	assert_int_equal(hash_bytes(b13, 13, 0), UINT64_C(0xddc151f68c411f52));
	assert_int_equal(hash_bytes("sim: flat state", 15, 0), UINT64_C(0xabff8a47edb05252));

	/* Alignment does not matter. */
	unsigned char buf[13 + 8];
	for (unsigned off = 0; off < 8; off++) {
		memcpy(buf + off, b13, 13);
		assert_int_equal(hash_bytes(buf + off, 13, 0), UINT64_C(0xddc151f68c411f52));
	}
	/* The length counts: trailing zeros are not invisible. */
	unsigned char z[16] = { 0 };
	for (size_t n = 0; n < 16; n++)
		assert_int_not_equal(hash_bytes(z, n, 0), hash_bytes(z, n + 1, 0));

	/* arena_hash is hash_bytes over the block. */
	arena a = { 0 };
	(void)arena_reserve(&a, 13, 1);
	assert_int_equal(arena_commit(&a), 0);
	memcpy(a.base, b13, 13);
	assert_int_equal(arena_hash(&a), UINT64_C(0xddc151f68c411f52));
	arena_free(&a);
}

static void test_snapshot_restore_bytes(void **state)
{
	(void)state;
	arena a = { 0 };
	(void)arena_reserve(&a, 1000, 8);
	assert_int_equal(arena_commit(&a), 0);
	for (size_t i = 0; i < a.size; i++)
		a.base[i] = (unsigned char)(i * 7 + 3);
	uint64_t h = arena_hash(&a);
	unsigned char *snap = test_malloc(a.size);
	arena_snapshot(&a, snap);
	assert_memory_equal(snap, a.base, a.size);
	memset(a.base, 0xff, a.size);
	assert_int_not_equal(arena_hash(&a), h);
	arena_restore(&a, snap);
	assert_int_equal(arena_hash(&a), h);
	assert_memory_equal(snap, a.base, a.size);
	test_free(snap);
	arena_free(&a);
}

/* ---- the mini world ---- */

typedef struct fix {
	mworld w;
	memtrace m[3];
	unsigned char *snap;
	unsigned char *snap2;
} fix;

static int setup(void **state)
{
	fix *f = test_calloc(1, sizeof *f);
	mworld_build(&f->w, 0x5eed, 20, 40);
	f->snap = test_malloc(f->w.s.ar.size);
	f->snap2 = test_malloc(f->w.s.ar.size);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fix *f = *state;
	for (unsigned i = 0; i < 3; i++)
		memtrace_free(&f->m[i]);
	test_free(f->snap);
	test_free(f->snap2);
	mworld_free(&f->w);
	test_free(f);
	return 0;
}

/* Run from the current state to the end with a text trace into m. */
static uint64_t run_traced(sim *s, memtrace *m)
{
	memtrace_open(m);
	s->trace = &m->text.sink;
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	s->trace = NULL;
	memtrace_close(m);
	return arena_hash(&s->ar);
}

static void assert_same_trace(const memtrace *a, const memtrace *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->buf, b->buf, a->len);
}

static void test_snapshot_run_restore_run(void **state)
{
	fix *f = *state;
	sim *s = &f->w.s;
	sim_reset(s);
	mworld_start(&f->w);
	uint64_t h0 = arena_hash(&s->ar);
	arena_snapshot(&s->ar, f->snap);

	uint64_t h1 = run_traced(s, &f->m[0]);
	assert_int_not_equal(h1, h0);
	assert_int_equal(mw_st(s)->consumed, 40);
	assert_true(f->m[0].len > 2000);
	/* The run did what the world is for: both stalls, a lock hand-off. */
	const char *p = strstr(f->m[0].buf, " stall start=");
	assert_non_null(p);
	assert_non_null(strstr(p + 1, " stall start="));
	p = strstr(f->m[0].buf, " unlock handoff_spun=");
	while (p && strncmp(p, " unlock handoff_spun=-1", 23) == 0)
		p = strstr(p + 1, " unlock handoff_spun=");
	assert_non_null(p);
	uint64_t end_now = sim_now(s), end_steps = s->g->steps;

	/* restore -> run: the same state and the same trace, byte for byte */
	arena_restore(&s->ar, f->snap);
	assert_int_equal(arena_hash(&s->ar), h0);
	uint64_t h2 = run_traced(s, &f->m[1]);
	assert_int_equal(h2, h1);
	assert_same_trace(&f->m[0], &f->m[1]);
	assert_int_equal(sim_now(s), end_now);
	assert_int_equal(s->g->steps, end_steps);

	/* reset -> run: the same again */
	sim_reset(s);
	mworld_start(&f->w);
	assert_int_equal(arena_hash(&s->ar), h0);
	uint64_t h3 = run_traced(s, &f->m[2]);
	assert_int_equal(h3, h1);
	assert_same_trace(&f->m[0], &f->m[2]);
}

/* A snapshot in the middle of a run: the rest replays exactly, and the two
 * halves of an interrupted run make the uninterrupted run's trace. */
static void test_snapshot_mid_run(void **state)
{
	fix *f = *state;
	sim *s = &f->w.s;
	memtrace *whole = &f->m[0], *head = &f->m[1], *tail = &f->m[2];

	sim_reset(s);
	mworld_start(&f->w);
	uint64_t h_end = run_traced(s, whole);

	sim_reset(s);
	mworld_start(&f->w);
	memtrace_open(head);
	s->trace = &head->text.sink;
	s->limit_ns = 4000;
	assert_int_equal(sim_run(s), SIM_END_LIMIT);
	s->trace = NULL;
	memtrace_close(head);
	s->limit_ns = UINT64_MAX;
	arena_snapshot(&s->ar, f->snap);
	assert_true(head->len > 0 && head->len < whole->len);
	assert_memory_equal(head->buf, whole->buf, head->len);

	uint64_t h_a = run_traced(s, tail);
	assert_int_equal(h_a, h_end);
	assert_int_equal(head->len + tail->len, whole->len);
	assert_memory_equal(tail->buf, whole->buf + head->len, tail->len);

	/* From the mid-run snapshot again. */
	char *first_tail = malloc(tail->len + 1);
	assert_non_null(first_tail);
	size_t first_len = tail->len;
	memcpy(first_tail, tail->buf, first_len);
	memtrace_free(tail);
	arena_restore(&s->ar, f->snap);
	assert_int_equal(run_traced(s, tail), h_end);
	assert_int_equal(tail->len, first_len);
	assert_memory_equal(tail->buf, first_tail, first_len);
	free(first_tail);
}

/* Flip any one byte of the state (one bit, or all eight): the hash changes;
 * flip it back: the hash is back. */
static void test_hash_sees_every_byte(void **state)
{
	fix *f = *state;
	sim *s = &f->w.s;
	mworld_run(&f->w, NULL);
	arena *a = &s->ar;
	uint64_t h = arena_hash(a);
	arena_snapshot(a, f->snap);
	assert_true(a->size > 500);
	for (size_t i = 0; i < a->size; i++) {
		static const unsigned char masks[] = { 0x01, 0x80, 0xff };
		for (unsigned k = 0; k < 3; k++) {
			a->base[i] ^= masks[k];
			if (arena_hash(a) == h) {
				print_error("byte %zu ^ %#x: hash unchanged\n", i, masks[k]);
				fail();
			}
			a->base[i] ^= masks[k];
		}
	}
	assert_int_equal(arena_hash(a), h);
	assert_memory_equal(a->base, f->snap, a->size);

	/* And a state that differs in a model field (restored and changed
	 * through the model's own view) hashes differently too. */
	mw_st(s)->sum++;
	assert_int_not_equal(arena_hash(a), h);
	arena_restore(a, f->snap);
	assert_int_equal(arena_hash(a), h);
}

/* Two separately built worlds, same seed: the same state bytes at the end;
 * another seed: another state. */
static void test_same_seed_same_state(void **state)
{
	fix *f = *state;
	mworld_run(&f->w, NULL);
	arena_snapshot(&f->w.s.ar, f->snap);
	uint64_t h = arena_hash(&f->w.s.ar);

	mworld *w2 = test_malloc(sizeof *w2);
	mworld_build(w2, 0x5eed, 20, 40);
	assert_int_equal(w2->s.ar.size, f->w.s.ar.size);
	mworld_run(w2, NULL);
	assert_int_equal(arena_hash(&w2->s.ar), h);
	assert_memory_equal(w2->s.ar.base, f->snap, f->w.s.ar.size);
	mworld_free(w2);

	mworld_build(w2, 0x5eee, 20, 40);
	mworld_run(w2, NULL);
	assert_int_not_equal(arena_hash(&w2->s.ar), h);
	mworld_free(w2);
	test_free(w2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserve_layout),
		cmocka_unit_test(test_hash_known_answers),
		cmocka_unit_test(test_snapshot_restore_bytes),
		cmocka_unit_test_setup_teardown(test_snapshot_run_restore_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_mid_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_sees_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_seed_same_state, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
