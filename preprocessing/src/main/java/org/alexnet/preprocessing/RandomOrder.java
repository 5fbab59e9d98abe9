package org.alexnet.preprocessing;

/** The seeded sort key that puts rows in a random, reproducible order (a 64-bit hash of seed and key). */
final class RandomOrder {
    private RandomOrder() {
    }

    static long of(long seed, String key) {
        long h = seed ^ 0x9E3779B97F4A7C15L;
        for (int i = 0; i < key.length(); i++) {
            h = mix(h + key.charAt(i));
        }
        return mix(h + key.length());
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
