/*
 * Winograd's F(2x2, 5x5) for 5x5 stride-1 convolutions (the paper's conv2), fp32, NCHW: with the
 * points of alexnet_winograd4.c's F(4x4, 3x3) (0, 1, -1, 2, -2 and infinity), so the same 6x6
 * input transform B^T (there: winograd25Input0, patches at stride 2) and, by the Toom-Cook
 * construction (A^T[i][j] = a_j^i, G[j][k] = a_j^k / prod_{l != j} (a_j - a_l), the last row and
 * column for the point at infinity):
 *   A^T = [1 1 1 1 1 0;  0 1 -1 2 -2 1]
 *   G   = [1/4 0 0 0 0;  -1/6 (1 1 1 1 1);  -1/6 (1 -1 1 -1 1);  1/24 (1 2 4 8 16);
 *          1/24 (1 -2 4 -8 16);  0 0 0 0 1]
 * 36 products per input channel for a 2x2 tile of outputs, against 100 direct. Layouts as
 * alexnet_winograd.c's, with 36 points.
 */
#include "alexnet_winograd.h"

#define POINTS 36

/* A^T of six values into two */
#define AT6_2(m0, m1, m2, m3, m4, m5, o0, o1)                      \
    do {                                                           \
        o0 = (m0) + ((m1) + (m2)) + ((m3) + (m4));                 \
        o1 = ((m1) - (m2)) + 2.0f * ((m3) - (m4)) + (m5);          \
    } while (0)

/* A of two values into six (the adjoint of AT6_2) */
#define A2(a0, a1, o0, o1, o2, o3, o4, o5) \
    do {                                    \
        o0 = (a0);                          \
        o1 = (a0) + (a1);                   \
        o2 = (a0) - (a1);                   \
        o3 = (a0) + 2.0f * (a1);            \
        o4 = (a0) - 2.0f * (a1);            \
        o5 = (a1);                          \
    } while (0)

/* G of five values into six */
#define G5(g0, g1, g2, g3, g4, o0, o1, o2, o3, o4, o5)                                               \
    do {                                                                                             \
        const float even = (g0) + (g2) + (g4), odd = (g1) + (g3);                                    \
        const float even2 = (g0) + 4.0f * (g2) + 16.0f * (g4), odd2 = 2.0f * (g1) + 8.0f * (g3);     \
        o0 = 0.25f * (g0);                                                                           \
        o1 = (-1.0f / 6.0f) * (even + odd);                                                          \
        o2 = (-1.0f / 6.0f) * (even - odd);                                                          \
        o3 = (1.0f / 24.0f) * (even2 + odd2);                                                        \
        o4 = (1.0f / 24.0f) * (even2 - odd2);                                                        \
        o5 = (g4);                                                                                   \
    } while (0)

/* G^T of six values into five (the adjoint of G5) */
#define GT6_5(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4)                          \
    do {                                                                           \
        const float sp = (d1) + (d2), sm = (d2) - (d1);                            \
        const float tp = (d3) + (d4), tm = (d3) - (d4);                            \
        o0 = 0.25f * (d0) - (1.0f / 6.0f) * sp + (1.0f / 24.0f) * tp;              \
        o1 = (1.0f / 6.0f) * sm + (1.0f / 12.0f) * tm;                             \
        o2 = (-1.0f / 6.0f) * sp + (1.0f / 6.0f) * tp;                             \
        o3 = (1.0f / 6.0f) * sm + (1.0f / 3.0f) * tm;                              \
        o4 = (-1.0f / 6.0f) * sp + (2.0f / 3.0f) * tp + (d5);                      \
    } while (0)

/* A^T M A of `count` tiles: M's 36 points `ps` apart from m; the 4 outputs into o (4 runs RUN apart) */
static void outputs_of_tiles(const float *m, long ps, long count, float b, float *restrict o) {
    for (long q = 0; q < count; q++) {
        const float *x = m + q;
        float u0[6], u1[6]; /* A^T M: down each of the six columns */
        for (int j = 0; j < 6; j++) {
            AT6_2(x[j * ps], x[(6 + j) * ps], x[(12 + j) * ps], x[(18 + j) * ps], x[(24 + j) * ps], x[(30 + j) * ps],
                  u0[j], u1[j]);
        }
        float y00, y01, y10, y11;
        AT6_2(u0[0], u0[1], u0[2], u0[3], u0[4], u0[5], y00, y01);
        AT6_2(u1[0], u1[1], u1[2], u1[3], u1[4], u1[5], y10, y11);
        o[q] = y00 + b;
        o[RUN + q] = y01 + b;
        o[2 * RUN + q] = y10 + b;
        o[3 * RUN + q] = y11 + b;
    }
}

/* y [n][k][oh][ow] = A^T M A (+ bias[k] when bias != 0) for every 2x2 tile */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd25Output0(
        JNIEnv *env, jclass cls, jlong ma, jlong ya, jlong biasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong ps) {
    (void) env;
    (void) cls;
    return winograd36_output(outputs_of_tiles, 2, ma, ya, biasa, n, k, oh, ow, th, tw, ps);
}

/* A dY A^T of `count` tiles (their dY d0 d1 / d2 d3, runs RUN apart) into t (36 runs RUN apart) */
static void gradient_tiles(const float *restrict d, long count, float *restrict t) {
    for (long q = 0; q < count; q++) {
        float s0[6], s1[6]; /* A dY: down each of the two columns */
        A2(d[q], d[2 * RUN + q], s0[0], s0[1], s0[2], s0[3], s0[4], s0[5]);
        A2(d[RUN + q], d[3 * RUN + q], s1[0], s1[1], s1[2], s1[3], s1[4], s1[5]);
        for (int i = 0; i < 6; i++) { /* (A dY) A^T along each row */
            float e0, e1, e2, e3, e4, e5;
            A2(s0[i], s1[i], e0, e1, e2, e3, e4, e5);
            STORE_ROW6(t, RUN, q, i, e0, e1, e2, e3, e4, e5);
        }
    }
}

/* dM = A dY A^T for every 2x2 tile of dy [n][k][oh][ow] (zeros beyond its edge), and dbias[k] = sum of dy */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd25OutputAdjoint0(
        JNIEnv *env, jclass cls, jlong dya, jlong dma, jlong dbiasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong ps) {
    (void) env;
    (void) cls;
    return winograd36_output_adjoint(gradient_tiles, 2, dya, dma, dbiasa, n, k, oh, ow, th, tw, ps);
}

/* U = G g G^T of `count` 5x5 filters (taps at g + f * gstep, row-major or rotated by 180 degrees) */
static void filter_row25(const float *restrict g, long gstep, float *restrict u, long plane, long count,
                         int rotated) {
    for (long f = 0; f < count; f++) {
        const float *q = g + f * gstep;
        float k5[5][5];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                k5[i][j] = rotated ? q[(4 - i) * 5 + (4 - j)] : q[i * 5 + j];
            }
        }
        float t[6][5]; /* G g: down each column */
        for (int j = 0; j < 5; j++) {
            G5(k5[0][j], k5[1][j], k5[2][j], k5[3][j], k5[4][j], t[0][j], t[1][j], t[2][j], t[3][j], t[4][j],
               t[5][j]);
        }
        for (int i = 0; i < 6; i++) { /* (G g) G^T along each row */
            float e0, e1, e2, e3, e4, e5;
            G5(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], e0, e1, e2, e3, e4, e5);
            STORE_ROW6(u, plane, f, i, e0, e1, e2, e3, e4, e5);
        }
    }
}

/* U [36][k][c] of w [k][c][5][5]; flipped, U [36][c][k] of the filters rotated by 180 degrees */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd25Filter0(
        JNIEnv *env, jclass cls, jlong wa, jlong ua, jlong k, jlong c, jint flip, jlong plane) {
    (void) env;
    (void) cls;
    transform_filters(filter_row25, 25, F(wa), F(ua), k, c, flip, plane);
}

/* dW [k][c][5][5] = G^T dU G for dU [36][k][c] */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd25FilterAdjoint0(
        JNIEnv *env, jclass cls, jlong dua, jlong dwa, jlong k, jlong c, jlong plane) {
    (void) env;
    (void) cls;
    for (long a = 0; a < k; a++) {
        for (long b = 0; b < c; b++) {
            const float *du = F(dua) + a * c + b;
            float e[6][6];
            for (int i = 0; i < POINTS; i++) {
                e[i / 6][i % 6] = du[i * plane];
            }
            float t[5][6]; /* G^T dU: down each column */
            for (int j = 0; j < 6; j++) {
                GT6_5(e[0][j], e[1][j], e[2][j], e[3][j], e[4][j], e[5][j], t[0][j], t[1][j], t[2][j], t[3][j],
                      t[4][j]);
            }
            float *dw = F(dwa) + (a * c + b) * 25;
            for (int i = 0; i < 5; i++) { /* (G^T dU) G along each row */
                GT6_5(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], dw[i * 5], dw[i * 5 + 1], dw[i * 5 + 2],
                      dw[i * 5 + 3], dw[i * 5 + 4]);
            }
        }
    }
}
