/* test_rng.c - unit tests of sim/rng.c: xoshiro256** seeded by splitmix64.
 *
 * Known answers come from the published algorithms: splitmix64 from state 0
 * starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ...; xoshiro256** from state
 * {1, 2, 3, 4} starts 11520, 0, 1509978240, 1215971899390074240, ... (the
 * vectors in the reference implementations' tests).  Each is also checked
 * against the algorithm written out again here, independently of sim/rng.c.
 * Then: streams are derived from (seed, name) as rng.h says, so a stream's
 * sequence depends on nothing else; rng_below stays in range, is flat (a
 * chi-square bound on 100k draws, fixed seed, so deterministic) and rejects
 * (the bias multiply-shift would have without rejection is absent).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rng.h"
#include "sim.h"

/* ---- reference algorithms, written from the papers' code ---- */

static uint64_t ref_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t ref_rotl(const uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t ref_xoshiro(uint64_t s[4])
{
	const uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ref_rotl(s[3], 45);
	return result;
}

/* FNV-1a, 64-bit (offset basis and prime from the FNV specification). */
static uint64_t ref_fnv1a(const char *p)
{
	uint64_t h = UINT64_C(14695981039346656037);
	while (*p)
		h = (h ^ (unsigned char)*p++) * UINT64_C(1099511628211);
	return h;
}

/* ---- known answers ---- */

static void test_splitmix64_known_answer(void **state)
{
	(void)state;
	static const uint64_t published[] = {
		UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
		UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec),
	};
	uint64_t x = 0, y = 0;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t got = splitmix64(&x);
		assert_int_equal(got, published[i]);
		assert_int_equal(got, ref_splitmix64(&y));
		assert_int_equal(x, y);            /* the state advances the same */
	}
	/* And far along from another state. */
	x = y = UINT64_C(0x0123456789abcdef);
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(splitmix64(&x), ref_splitmix64(&y));
}

static void test_xoshiro_known_answer(void **state)
{
	(void)state;
	static const uint64_t published[] = {
		UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240),
		UINT64_C(1215971899390074240), UINT64_C(1216172134540287360),
		UINT64_C(607988272756665600),
	};
	rng r = { { 1, 2, 3, 4 } };
	uint64_t s[4] = { 1, 2, 3, 4 };
	for (unsigned i = 0; i < 6; i++) {
		uint64_t want = ref_xoshiro(s);
		assert_int_equal(want, published[i]);   /* the reference is right */
		assert_int_equal(rng_next(&r), want);
	}
	/* Long run from a seeded state: rng_next is the reference algorithm. */
	rng_seed(&r, 7, "costs");
	memcpy(s, r.s, sizeof s);
	for (unsigned i = 0; i < 100000; i++)
		assert_int_equal(rng_next(&r), ref_xoshiro(s));
	assert_memory_equal(r.s, s, sizeof s);
}

/* rng.h: a stream's state is four splitmix64 outputs from seed ^ hash(name),
 * the hash being FNV-1a (published: fnv1a64("a") = 0xaf63dc4c8601ec8c). */
static void test_stream_seeding(void **state)
{
	(void)state;
	assert_int_equal(ref_fnv1a(""), UINT64_C(0xcbf29ce484222325));
	assert_int_equal(ref_fnv1a("a"), UINT64_C(0xaf63dc4c8601ec8c));
	static const char *const names[] = { "a", "costs", "arrivals", "explore", "" };
	static const uint64_t seeds[] = { 0, 1, UINT64_C(0x77f80e07fe485d88), UINT64_MAX };
	for (unsigned i = 0; i < 5; i++) {
		for (unsigned j = 0; j < 4; j++) {
			rng r;
			rng_seed(&r, seeds[j], names[i]);
			uint64_t x = seeds[j] ^ ref_fnv1a(names[i]);
			for (unsigned k = 0; k < 4; k++)
				assert_int_equal(r.s[k], ref_splitmix64(&x));
		}
	}
}

/* ---- streams ---- */

static void test_same_seed_same_sequence(void **state)
{
	(void)state;
	rng a, b, c;
	rng_seed(&a, 12345, "arrivals");
	rng_seed(&b, 12345, "arrivals");
	rng_seed(&c, 12346, "arrivals");
	unsigned same_c = 0;
	for (unsigned i = 0; i < 10000; i++) {
		uint64_t x = rng_next(&a);
		assert_int_equal(x, rng_next(&b));
		same_c += x == rng_next(&c);
	}
	assert_int_equal(same_c, 0);              /* another seed: another sequence */
}

static void test_streams_differ(void **state)
{
	(void)state;
	static const char *const names[] = { "costs", "arrivals", "explore", "spinlock" };
	rng r[4];
	for (unsigned i = 0; i < 4; i++)
		rng_seed(&r[i], 99, names[i]);
	for (unsigned i = 0; i < 4; i++)
		for (unsigned j = i + 1; j < 4; j++)
			assert_memory_not_equal(r[i].s, r[j].s, sizeof r[i].s);
	/* No position of their first 1000 draws coincides. */
	for (unsigned k = 0; k < 1000; k++) {
		uint64_t v[4];
		for (unsigned i = 0; i < 4; i++)
			v[i] = rng_next(&r[i]);
		for (unsigned i = 0; i < 4; i++)
			for (unsigned j = i + 1; j < 4; j++)
				assert_true(v[i] != v[j]);
	}
}

/* In a sim: drawing from one stream does not move another, and a stream's
 * sequence does not depend on which streams were registered before it. */
static void test_streams_independent_in_sim(void **state)
{
	(void)state;
	sim s1, s2;
	sim_init(&s1, 1, 2024);
	sim_init(&s2, 1, 2024);
	uint32_t a1 = sim_add_rng(&s1, "costs");
	uint32_t b1 = sim_add_rng(&s1, "arrivals");
	uint32_t x2 = sim_add_rng(&s2, "other");
	(void)sim_add_rng(&s2, "spinlock");
	uint32_t b2 = sim_add_rng(&s2, "arrivals");
	assert_int_equal(b2, b1 + 1);             /* another index, same stream */
	assert_int_equal(sim_commit(&s1), 0);
	assert_int_equal(sim_commit(&s2), 0);
	sim_reset(&s1);
	sim_reset(&s2);

	uint64_t first[64];
	for (unsigned i = 0; i < 64; i++) {
		/* s1: heavy use of "costs" between draws of "arrivals" */
		for (unsigned k = 0; k < i; k++)
			(void)rng_next(sim_rng(&s1, a1));
		first[i] = rng_next(sim_rng(&s1, b1));
		/* s2: other streams, other draws */
		if (i & 1)
			(void)rng_below(sim_rng(&s2, x2), 1000);
		assert_int_equal(rng_next(sim_rng(&s2, b2)), first[i]);
	}
	/* Reset reseeds: the stream starts over. */
	sim_reset(&s1);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(rng_next(sim_rng(&s1, b1)), first[i]);
	sim_free(&s1);
	sim_free(&s2);
}

/* ---- rng_below ---- */

static void test_below_range(void **state)
{
	(void)state;
	static const uint64_t ns[] = {
		1, 2, 3, 5, 7, 10, 41, 1000, 1u << 20, (UINT64_C(1) << 32) + 1,
		(UINT64_C(1) << 63) + 1, UINT64_C(3) << 62, UINT64_MAX,
	};
	rng r;
	rng_seed(&r, 3, "below");
	for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		uint64_t max = 0;
		for (unsigned k = 0; k < 20000; k++) {
			uint64_t v = rng_below(&r, ns[i]);
			if (v >= ns[i]) {
				print_error("rng_below(%#llx) gave %#llx\n",
					    (unsigned long long)ns[i], (unsigned long long)v);
				fail();
			}
			if (v > max)
				max = v;
		}
		/* Reaches the top of small ranges. */
		if (ns[i] <= 1000)
			assert_int_equal(max, ns[i] - 1);
	}
}

/* Chi-square over 10 and over 7 buckets, 100,000 draws each.  The seed is
 * fixed, so the statistic is one number; the bounds are the 0.999 quantiles
 * (27.88 for 9 degrees of freedom, 22.46 for 6). */
static double chi_square(rng *r, uint64_t n, unsigned draws)
{
	uint64_t count[16] = { 0 };
	for (unsigned k = 0; k < draws; k++)
		count[rng_below(r, n)]++;
	double expect = (double)draws / (double)n, chi = 0;
	for (uint64_t i = 0; i < n; i++) {
		double d = (double)count[i] - expect;
		chi += d * d / expect;
	}
	return chi;
}

static void test_below_uniform(void **state)
{
	(void)state;
	rng r;
	rng_seed(&r, 1, "chi");
	double c10 = chi_square(&r, 10, 100000);
	double c7 = chi_square(&r, 7, 100000);
	if (c10 >= 27.88 || c7 >= 22.46)
		print_error("chi-square: %.2f (10 buckets), %.2f (7 buckets)\n", c10, c7);
	assert_true(c10 < 27.88);
	assert_true(c7 < 22.46);
	/* And not suspiciously perfect (a counter, not a generator): above the
	 * 0.001 quantiles (1.15 and 0.38). */
	assert_true(c10 > 1.15);
	assert_true(c7 > 0.38);
}

/* n = 3 * 2^62: multiply-shift without rejection maps two 64-bit inputs to
 * every value v with v % 3 == 0 and one to the others, so such values would
 * come up half of the time instead of a third. */
static void test_below_rejects(void **state)
{
	(void)state;
	rng r;
	rng_seed(&r, 5, "lemire");
	const uint64_t n = UINT64_C(3) << 62;
	unsigned hits = 0;
	const unsigned draws = 100000;
	for (unsigned k = 0; k < draws; k++)
		hits += rng_below(&r, n) % 3 == 0;
	/* A third is 33333; sd ~ 149; a half would be 50000. */
	if (hits < 32500 || hits > 34200)
		print_error("v %% 3 == 0 in %u of %u draws\n", hits, draws);
	assert_in_range(hits, 32500, 34200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitmix64_known_answer),
		cmocka_unit_test(test_xoshiro_known_answer),
		cmocka_unit_test(test_stream_seeding),
		cmocka_unit_test(test_same_seed_same_sequence),
		cmocka_unit_test(test_streams_differ),
		cmocka_unit_test(test_streams_independent_in_sim),
		cmocka_unit_test(test_below_range),
		cmocka_unit_test(test_below_uniform),
		cmocka_unit_test(test_below_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
