/*
 * rng.c - deterministic pseudo-random numbers: xoshiro256** (Blackman and
 * Vigna, 2018) seeded by splitmix64, so that a seed gives the same split and
 * folds on every platform and compiler.
 */
#include "internal.h"

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64: the state advances by the golden-ratio increment 0x9e3779b97f4a7c15
 * and each output is a bijective mix of the new state. */
static uint64_t splitmix64_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* The four state words are the first four splitmix64 outputs for the seed.
 * splitmix64 is a bijection of its counter, so the four words are distinct and
 * the forbidden all-zero state cannot occur. */
void ci_rng_seed(ci_rng *rng, uint64_t seed)
{
    uint64_t state = seed;

    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64_next(&state);
}

/* xoshiro256**: output rotl(s1 * 5, 7) * 9, then the xor-shift state update. */
uint64_t ci_rng_next(ci_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

/* Rejection sampling: outputs below 2^64 mod n are drawn again, so the
 * remaining range is a multiple of n and r mod n is exactly uniform.
 * Returns 0 when n is 0 or 1, without drawing. */
uint64_t ci_rng_below(ci_rng *rng, uint64_t n)
{
    uint64_t threshold;
    uint64_t r;

    if (n <= 1)
        return 0;
    threshold = (0 - n) % n; /* 2^64 mod n */
    do {
        r = ci_rng_next(rng);
    } while (r < threshold);
    return r % n;
}

/* Fisher-Yates (Durstenfeld): for i = n-1 down to 1, swap item i with a
 * uniform j in [0, i]. */
void ci_rng_shuffle(ci_rng *rng, size_t *items, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ci_rng_below(rng, (uint64_t)i);
        size_t tmp = items[i - 1];

        items[i - 1] = items[j];
        items[j] = tmp;
    }
}
