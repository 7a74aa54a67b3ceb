/*
 * test_rng.c - splitmix64 / xoshiro256** generator, unbiased bounded draws
 * and the Fisher-Yates shuffle.
 *
 * Reference values were computed independently with Python big-integer
 * arithmetic from the published definitions (Blackman and Vigna, 2018, and
 * Steele, Lea and Flood, 2014, for splitmix64), for example
 *     z = (x := x + 0x9e3779b97f4a7c15 mod 2^64)
 *     z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9 mod 2^64 ...
 * The splitmix64 outputs for seed 1234567 and the xoshiro256** outputs for
 * the state {1, 2, 3, 4} are also the values widely quoted for these
 * generators. All comparisons are exact (integers).
 */
#include <check.h>
#include <stdlib.h>

#include "../lib/calci/internal.h"

START_TEST(seed_is_splitmix64_outputs)
{
    /* The state after seeding is the first four splitmix64 outputs. */
    ci_rng rng;

    ci_rng_seed(&rng, 1234567);
    ck_assert_uint_eq(rng.s[0], UINT64_C(6457827717110365317));
    ck_assert_uint_eq(rng.s[1], UINT64_C(3203168211198807973));
    ck_assert_uint_eq(rng.s[2], UINT64_C(9817491932198370423));
    ck_assert_uint_eq(rng.s[3], UINT64_C(4593380528125082431));

    ci_rng_seed(&rng, 0);
    ck_assert_uint_eq(rng.s[0], UINT64_C(16294208416658607535));
    ck_assert_uint_eq(rng.s[1], UINT64_C(7960286522194355700));
    ck_assert_uint_eq(rng.s[2], UINT64_C(487617019471545679));
    ck_assert_uint_eq(rng.s[3], UINT64_C(17909611376780542444));
}
END_TEST

START_TEST(xoshiro_outputs_from_state_1234)
{
    ci_rng rng = {{1, 2, 3, 4}};

    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(11520));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(0));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(1509978240));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(1215971899390074240));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(1216172134540287360));
}
END_TEST

START_TEST(xoshiro_outputs_from_seed_1)
{
    ci_rng rng;

    ci_rng_seed(&rng, 1);
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(12966619160104079557));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(9600361134598540522));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(10590380919521690900));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(7218738570589545383));
    ck_assert_uint_eq(ci_rng_next(&rng), UINT64_C(12860671823995680371));
}
END_TEST

START_TEST(below_matches_reference_draws)
{
    /* Python: rejection of r < 2^64 mod 6, then r mod 6, seed 7. */
    static const uint64_t expected[10] = {0, 2, 0, 4, 2, 5, 4, 4, 4, 1};
    ci_rng rng;

    ci_rng_seed(&rng, 7);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(ci_rng_below(&rng, 6), expected[i]);
}
END_TEST

START_TEST(below_degenerate_bounds)
{
    ci_rng rng;
    ci_rng copy;

    ci_rng_seed(&rng, 5);
    copy = rng;
    ck_assert_uint_eq(ci_rng_below(&rng, 0), 0);
    ck_assert_uint_eq(ci_rng_below(&rng, 1), 0);
    /* No draw is consumed for n <= 1. */
    ck_assert_uint_eq(ci_rng_next(&rng), ci_rng_next(&copy));
}
END_TEST

START_TEST(below_huge_bound_stays_in_range)
{
    /* n = 2^63 + 1 rejects almost half of all outputs: 2^64 mod n = 2^63 - 1. */
    const uint64_t n = (UINT64_C(1) << 63) + 1;
    ci_rng rng;

    ci_rng_seed(&rng, 11);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_lt(ci_rng_below(&rng, n), n);
}
END_TEST

START_TEST(below_is_uniform)
{
    /* 60000 draws in [0, 6): each count is binomial(60000, 1/6) with mean
     * 10000 and SD 91.3; the bound is 5 SD (457), which a correct generator
     * exceeds with probability about 6e-6 per count. */
    size_t counts[6] = {0};
    ci_rng rng;

    ci_rng_seed(&rng, 2024);
    for (int i = 0; i < 60000; i++)
        counts[ci_rng_below(&rng, 6)]++;
    for (int v = 0; v < 6; v++) {
        ck_assert_uint_ge(counts[v], 10000 - 457);
        ck_assert_uint_le(counts[v], 10000 + 457);
    }
}
END_TEST

START_TEST(shuffle_matches_reference)
{
    /* Python Fisher-Yates on 0..9 with seed 42: for i = 10 down to 2, swap
     * a[i-1] with a[below(i)]. */
    static const size_t expected[10] = {7, 3, 8, 9, 5, 6, 4, 1, 0, 2};
    size_t items[10];
    ci_rng rng;

    for (size_t i = 0; i < 10; i++)
        items[i] = i;
    ci_rng_seed(&rng, 42);
    ci_rng_shuffle(&rng, items, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(items[i], expected[i]);
}
END_TEST

START_TEST(shuffle_permutations_uniform)
{
    /* All 6 orders of 3 items, 60000 shuffles: same 5-SD bound as above. */
    size_t counts[6] = {0};
    ci_rng rng;

    ci_rng_seed(&rng, 99);
    for (int trial = 0; trial < 60000; trial++) {
        size_t items[3] = {0, 1, 2};

        ci_rng_shuffle(&rng, items, 3);
        ck_assert_uint_ne(items[0], items[1]);
        ck_assert_uint_ne(items[0], items[2]);
        ck_assert_uint_ne(items[1], items[2]);
        counts[items[0] * 2 + (items[1] > items[2])]++;
    }
    for (int v = 0; v < 6; v++) {
        ck_assert_uint_ge(counts[v], 10000 - 457);
        ck_assert_uint_le(counts[v], 10000 + 457);
    }
}
END_TEST

START_TEST(shuffle_empty_and_single)
{
    size_t one = 17;
    ci_rng rng;

    ci_rng_seed(&rng, 3);
    ci_rng_shuffle(&rng, NULL, 0);
    ci_rng_shuffle(&rng, &one, 1);
    ck_assert_uint_eq(one, 17);
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *suite = suite_create("rng");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, seed_is_splitmix64_outputs);
    tcase_add_test(tc, xoshiro_outputs_from_state_1234);
    tcase_add_test(tc, xoshiro_outputs_from_seed_1);
    tcase_add_test(tc, below_matches_reference_draws);
    tcase_add_test(tc, below_degenerate_bounds);
    tcase_add_test(tc, below_huge_bound_stays_in_range);
    tcase_add_test(tc, below_is_uniform);
    tcase_add_test(tc, shuffle_matches_reference);
    tcase_add_test(tc, shuffle_permutations_uniform);
    tcase_add_test(tc, shuffle_empty_and_single);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(rng_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
