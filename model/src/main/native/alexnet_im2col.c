/*
 * The lowering of a convolution's input to a matrix (im2col), a few output rows at a time, for
 * org.alexnet.model.columns.LoweredConvolution: conv1 (3 channels, 11x11, stride 4) as matrix
 * products over blocks small enough to stay in the cache, instead of a lowering of the whole
 * minibatch (140 MB per column for conv1) written out and read back.
 * A row of the lowered block is one tap (channel ci, kernel row a, kernel column b), its columns
 * the block's output positions: col[(ci*kh + a)*kw + b][(i - oh0)*ow + j] = x[ci][i*sh + a - ph][j*sw + b - pw],
 * zero outside the input. With stride sw the taps b of one input row are the row's sw phases
 * (every sw-th value from b mod sw), shifted by b / sw: each lowered row is one contiguous copy.
 */
#include <jni.h>
#include "alexnet_clones.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#define EXPORT __attribute__((visibility("default")))
#define F(addr) ((float *) (intptr_t) (addr))

/* value t * sw + q of the padded row: zero in the padding */
static inline float padded(const float *restrict row, long t, int w, int sw, int q, int pw) {
    const long u = t * sw + q - pw;
    return u >= 0 && u < w ? row[u] : 0.0f;
}

/*
 * The sw phases of one padded input row, phase q (at phases + q * stride) holding the row's
 * values q, q + sw, q + 2 sw, ... for t < run. For stride 4 (conv1) four positions of all four
 * phases at a time: 16 consecutive values transposed as a 4x4 block.
 */
static void phases_of_row(const float *restrict row, float *restrict phases, long stride, long run, int w, int sw,
                          int pw) {
    long t = 0;
#if defined(__SSE__)
    if (sw == 4) {
        for (; t < run && 4 * t - pw < 0; t++) {
            for (int q = 0; q < 4; q++) {
                phases[q * stride + t] = padded(row, t, w, 4, q, pw);
            }
        }
        for (; t + 4 <= run && 4 * (t + 4) - pw <= w; t += 4) {
            const float *restrict p = row + 4 * t - pw;
            __m128 r0 = _mm_loadu_ps(p);
            __m128 r1 = _mm_loadu_ps(p + 4);
            __m128 r2 = _mm_loadu_ps(p + 8);
            __m128 r3 = _mm_loadu_ps(p + 12);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            _mm_storeu_ps(phases + t, r0);
            _mm_storeu_ps(phases + stride + t, r1);
            _mm_storeu_ps(phases + 2 * stride + t, r2);
            _mm_storeu_ps(phases + 3 * stride + t, r3);
        }
    }
#endif
    for (; t < run; t++) {
        for (int q = 0; q < sw; q++) {
            phases[q * stride + t] = padded(row, t, w, sw, q, pw);
        }
    }
}

/*
 * dst[0, n) = src[0, n): in whole blocks of 8 floats when n is a multiple of 8 (each block a
 * fixed-size copy the compiler inlines: a call to memcpy per ~55-float segment cost more than the
 * copy), else one by one.
 */
static void copy_floats(float *restrict dst, const float *restrict src, int n) {
    if ((n & 7) == 0) {
        for (int j = 0; j < n; j += 8) {
            __builtin_memcpy(dst + j, src + j, 8 * sizeof(float));
        }
    } else {
        for (int j = 0; j < n; j++) {
            dst[j] = src[j];
        }
    }
}

/*
 * Output rows [oh0, oh1) of one image x [c, h, w] lowered into col, whose rows are ldcol floats
 * apart. Each input row the block reads is split into its phases once (a few KB), then every
 * lowered row segment is a copy of ow floats from one phase. Returns 0, or -2 when the phases'
 * scratch cannot be allocated.
 */
/* with AVX2 where the CPU has it (alexnet_clones.h): the copies in 32-byte moves */
AVX2_CLONES
static int lower_rows(const float *restrict x, float *restrict col, long ldcol, int c, int h, int w, int kh, int kw,
                      int sh, int sw, int ph, int pw, int oh0, int oh1, int ow) {
    /* phase q of a padded row holds its values q, q + sw, q + 2 sw, ...: ow + (kw - 1) / sw of them are read */
    const long run = ow + (kw - 1) / sw;
    const int first = oh0 * sh - ph;            /* the first input row the block reads (maybe padding) */
    const int rows = (oh1 - 1 - oh0) * sh + kh; /* input rows the block reads */
    /* segments copied in whole vectors of 8 when col's rows have room for the overrun: a segment's
       overrun is overwritten by the next segment of its row, the last one's lands in the row's slack */
    const int copy = ldcol - (long) (oh1 - oh0) * ow >= ((ow + 7) & ~7) - ow ? (ow + 7) & ~7 : ow;
    const long stride = run + 8; /* a phase's room, with the over-read of the rounded copies */
    float *phases = calloc((size_t) (stride * sw * rows), sizeof(float));
    if (phases == NULL) {
        return -2;
    }
    for (int ci = 0; ci < c; ci++) {
        for (int rr = 0; rr < rows; rr++) {
            const int r = first + rr;
            if (r >= 0 && r < h) {
                phases_of_row(x + ((long) ci * h + r) * w, phases + (long) rr * sw * stride, stride, run, w, sw, pw);
            }
        }
        for (int a = 0; a < kh; a++) {
            for (int i = oh0; i < oh1; i++) {
                const int rr = (i - oh0) * sh + a;
                const int r = first + rr;
                float *restrict tap = col + ((long) (ci * kh + a) * kw) * ldcol + (long) (i - oh0) * ow;
                for (int b = 0; b < kw; b++) {
                    float *restrict dst = tap + b * ldcol;
                    if (r < 0 || r >= h) {
                        memset(dst, 0, sizeof(float) * (size_t) copy);
                    } else {
                        const float *restrict src = phases + ((long) rr * sw + b % sw) * stride + b / sw;
                        copy_floats(dst, src, copy);
                    }
                }
            }
        }
    }
    free(phases);
    return 0;
}

EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_lowerRows0(
        JNIEnv *env, jclass cls, jlong x, jlong col, jlong ldcol, jint c, jint h, jint w, jint kh, jint kw, jint sh,
        jint sw, jint ph, jint pw, jint oh0, jint oh1, jint ow) {
    (void) env;
    (void) cls;
    return lower_rows(F(x), F(col), ldcol, c, h, w, kh, kw, sh, sw, ph, pw, oh0, oh1, ow);
}

/*
 * Rows k of len floats, ldz apart: row r += bias[r], then ReLU (x < 0 ? 0 : x, as libnd4j's relu)
 * when asked: a block of a layer's output while it is in the cache.
 */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_addRowBias0(
        JNIEnv *env, jclass cls, jlong z, jlong bias, jlong k, jlong len, jlong ldz, jint relu) {
    (void) env;
    (void) cls;
    for (long r = 0; r < k; r++) {
        float *restrict zr = F(z) + r * ldz;
        const float b = F(bias)[r];
        if (relu) {
            for (long i = 0; i < len; i++) {
                const float v = zr[i] + b;
                zr[i] = v < 0.0f ? 0.0f : v;
            }
        } else {
            for (long i = 0; i < len; i++) {
                zr[i] += b;
            }
        }
    }
}
