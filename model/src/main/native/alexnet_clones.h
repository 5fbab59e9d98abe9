/*
 * AVX2_CLONES on a function: gcc builds it twice, for AVX2 and for any x86-64, and picks one when
 * the library loads (an ifunc), so the library stays portable while the loops that the compiler
 * vectorises run 8 floats wide where the CPU can. The clones compute the same roundings (no FMA
 * contraction: -ffp-contract=off). Elsewhere (another architecture or compiler) one plain build.
 */
#ifndef ALEXNET_CLONES_H
#define ALEXNET_CLONES_H
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define AVX2_CLONES
#endif
#endif
