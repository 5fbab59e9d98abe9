/*
 * Winograd's F(4x4, 3x3) (Lavin & Gray 2016, points 0, 1, -1, 2, -2 and infinity) for 3x3
 * stride-1 convolutions, fp32, NCHW: the transforms around the 36 matrix products, for
 * org.alexnet.model.columns.WinogradConvolution, laid out as alexnet_winograd.c's F(2x2, 3x3)
 * (which see) with 6x6 input patches, 36 points and tiles of 4x4 outputs:
 *   B^T = [4  0 -5  0 1 0;  0 -4 -4  1 1 0;  0  4 -4 -1 1 0;
 *          0 -2 -1  2 1 0;  0  2 -1 -2 1 0;  0  4  0 -5 0 1]
 *   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * On the paper's 13x13 maps a 4x4 tile costs 36 products per input channel for 16 outputs
 * (2.25 each, 16x16 covered) against F(2x2, 3x3)'s 16 for 4 (4 each, 14x14 covered).
 */
#include "alexnet_winograd.h"

#define POINTS 36

/* B^T of six values d0..d5 (a column or a row of a patch) into o0..o5 */
#define BT6(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5) \
    do {                                                     \
        o0 = 4.0f * (d0) - 5.0f * (d2) + (d4);               \
        o1 = -4.0f * ((d1) + (d2)) + (d3) + (d4);            \
        o2 = 4.0f * ((d1) - (d2)) - (d3) + (d4);             \
        o3 = 2.0f * ((d3) - (d1)) - (d2) + (d4);             \
        o4 = 2.0f * ((d1) - (d3)) - (d2) + (d4);             \
        o5 = 4.0f * (d1) - 5.0f * (d3) + (d5);               \
    } while (0)

/* A^T of six values into four */
#define AT6(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
    do {                                             \
        const float sp = (m1) + (m2), sm = (m1) - (m2); \
        const float tp = (m3) + (m4), tm = (m3) - (m4); \
        o0 = (m0) + sp + tp;                         \
        o1 = sm + 2.0f * tm;                         \
        o2 = sp + 4.0f * tp;                         \
        o3 = sm + 8.0f * tm + (m5);                  \
    } while (0)

/* A of four values into six (the adjoint of AT6) */
#define A4(a0, a1, a2, a3, o0, o1, o2, o3, o4, o5) \
    do {                                            \
        const float ep = (a0) + (a2), op = (a1) + (a3); \
        const float eq = (a0) + 4.0f * (a2), oq = 2.0f * (a1) + 8.0f * (a3); \
        o0 = (a0);                                  \
        o1 = ep + op;                               \
        o2 = ep - op;                               \
        o3 = eq + oq;                               \
        o4 = eq - oq;                               \
        o5 = (a3);                                  \
    } while (0)

/* G of three values into six */
#define G3(g0, g1, g2, o0, o1, o2, o3, o4, o5)                      \
    do {                                                            \
        o0 = 0.25f * (g0);                                          \
        o1 = (-1.0f / 6.0f) * ((g0) + (g1) + (g2));                 \
        o2 = (-1.0f / 6.0f) * ((g0) - (g1) + (g2));                 \
        o3 = (1.0f / 24.0f) * (g0) + (1.0f / 12.0f) * (g1) + (1.0f / 6.0f) * (g2); \
        o4 = (1.0f / 24.0f) * (g0) - (1.0f / 12.0f) * (g1) + (1.0f / 6.0f) * (g2); \
        o5 = (g2);                                                  \
    } while (0)

/* G^T of six values into three (the adjoint of G3) */
#define GT6(d0, d1, d2, d3, d4, d5, o0, o1, o2)                                                      \
    do {                                                                                             \
        o0 = 0.25f * (d0) - (1.0f / 6.0f) * ((d1) + (d2)) + (1.0f / 24.0f) * ((d3) + (d4));          \
        o1 = (1.0f / 6.0f) * ((d2) - (d1)) + (1.0f / 12.0f) * ((d3) - (d4));                         \
        o2 = (1.0f / 6.0f) * ((d3) + (d4) - (d1) - (d2)) + (d5);                                     \
    } while (0)

/* B^T d down the columns of six rows of `wp` values, r's rows and t's `wp` apart */
static void patch_rows(const float *restrict r, long wp, float *restrict t0, float *restrict t1, float *restrict t2,
                       float *restrict t3, float *restrict t4, float *restrict t5) {
    for (long j = 0; j < wp; j++) {
        BT6(r[j], r[wp + j], r[2 * wp + j], r[3 * wp + j], r[4 * wp + j], r[5 * wp + j], t0[j], t1[j], t2[j], t3[j],
            t4[j], t5[j]);
    }
}

/*
 * V = B^T d B for every 6x6 patch (rows and columns step t - pad ..) of every plane of x
 * [n][c][h][w]: step 4 for F(4x4, 3x3), 2 for F(2x2, 5x5), whose 6 points are the same
 */
static jint input6(jlong xa, jlong va, jlong n, jlong c, jint h, jint w, jint pad, jint th, jint tw, jlong ps, int step) {
    if (tw > MAX_TILES_W) {
        return -1;
    }
    const long p_all = n * th * tw;
    const int wp = step * tw + 6 - step;
    const int hp = step * th + 6 - step;
    float *padded = calloc((size_t) hp * wp, sizeof(float));
    float *t = malloc(sizeof(float) * 6 * wp);
    if (padded == NULL || t == NULL) {
        free(padded);
        free(t);
        return -2;
    }
    const int rows = h < hp - pad ? h : hp - pad;
    const int cols = w < wp - pad ? w : wp - pad;
    for (long ch = 0; ch < c; ch++) { /* channel outer: each point's tiles are written in order */
        for (long img = 0; img < n; img++) {
            const float *plane = F(xa) + (img * c + ch) * (long) h * w;
            for (int y = 0; y < rows; y++) {
                memcpy(padded + (long) (y + pad) * wp + pad, plane + (long) y * w, sizeof(float) * cols);
            }
            float *v = F(va) + ch * p_all + img * th * tw;
            for (int ty = 0; ty < th; ty++, v += tw) {
                patch_rows(padded + (long) (step * ty) * wp, wp, t, t + wp, t + 2 * wp, t + 3 * wp, t + 4 * wp,
                           t + 5 * wp);
                for (int i = 0; i < 6; i++) { /* (B^T d) B along each row, tile by tile */
                    const float *ti = t + i * wp;
                    float *v0 = v + (6 * i) * ps, *v1 = v0 + ps, *v2 = v1 + ps, *v3 = v2 + ps, *v4 = v3 + ps,
                          *v5 = v4 + ps;
                    for (int tx = 0; tx < tw; tx++) {
                        const float *q = ti + step * tx;
                        BT6(q[0], q[1], q[2], q[3], q[4], q[5], v0[tx], v1[tx], v2[tx], v3[tx], v4[tx], v5[tx]);
                    }
                }
            }
        }
    }
    free(padded);
    free(t);
    return 0;
}

EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd4Input0(
        JNIEnv *env, jclass cls, jlong xa, jlong va, jlong n, jlong c, jint h, jint w, jint pad, jint th, jint tw,
        jlong ps) {
    (void) env;
    (void) cls;
    return input6(xa, va, n, c, h, w, pad, th, tw, ps, 4);
}

EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd25Input0(
        JNIEnv *env, jclass cls, jlong xa, jlong va, jlong n, jlong c, jint h, jint w, jint pad, jint th, jint tw,
        jlong ps) {
    (void) env;
    (void) cls;
    return input6(xa, va, n, c, h, w, pad, th, tw, ps, 2);
}

/* A^T M A of `count` tiles: M's 36 points `ps` apart from m; the 16 outputs into o (16 runs, RUN apart) */
static void outputs_of_tiles(const float *m, long ps, long count, float b, float *restrict o) {
    for (long q = 0; q < count; q++) {
        const float *x = m + q;
        float u[4][6]; /* A^T M: down each of the six columns */
        for (int j = 0; j < 6; j++) {
            AT6(x[j * ps], x[(6 + j) * ps], x[(12 + j) * ps], x[(18 + j) * ps], x[(24 + j) * ps], x[(30 + j) * ps],
                u[0][j], u[1][j], u[2][j], u[3][j]);
        }
        for (int i = 0; i < 4; i++) { /* (A^T M) A along each row */
            float y0, y1, y2, y3;
            AT6(u[i][0], u[i][1], u[i][2], u[i][3], u[i][4], u[i][5], y0, y1, y2, y3);
            o[(4 * i) * RUN + q] = y0 + b;
            o[(4 * i + 1) * RUN + q] = y1 + b;
            o[(4 * i + 2) * RUN + q] = y2 + b;
            o[(4 * i + 3) * RUN + q] = y3 + b;
        }
    }
}

/* y [n][k][oh][ow] = A^T M A (+ bias[k] when bias != 0) for every 4x4 tile */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd4Output0(
        JNIEnv *env, jclass cls, jlong ma, jlong ya, jlong biasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong ps) {
    (void) env;
    (void) cls;
    return winograd36_output(outputs_of_tiles, 4, ma, ya, biasa, n, k, oh, ow, th, tw, ps);
}

/* A dY A^T of `count` tiles (their 16 dY values, 16 runs RUN apart) into t (36 runs RUN apart) */
static void gradient_tiles(const float *restrict d, long count, float *restrict t) {
    for (long q = 0; q < count; q++) {
        float s[6][4]; /* A dY: down each of the four columns */
        for (int b = 0; b < 4; b++) {
            A4(d[b * RUN + q], d[(4 + b) * RUN + q], d[(8 + b) * RUN + q], d[(12 + b) * RUN + q], s[0][b], s[1][b],
               s[2][b], s[3][b], s[4][b], s[5][b]);
        }
        for (int i = 0; i < 6; i++) { /* (A dY) A^T along each row */
            float e0, e1, e2, e3, e4, e5;
            A4(s[i][0], s[i][1], s[i][2], s[i][3], e0, e1, e2, e3, e4, e5);
            STORE_ROW6(t, RUN, q, i, e0, e1, e2, e3, e4, e5);
        }
    }
}

/* dM = A dY A^T for every 4x4 tile of dy [n][k][oh][ow] (zeros beyond its edge), and dbias[k] = sum of dy */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd4OutputAdjoint0(
        JNIEnv *env, jclass cls, jlong dya, jlong dma, jlong dbiasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong ps) {
    (void) env;
    (void) cls;
    return winograd36_output_adjoint(gradient_tiles, 4, dya, dma, dbiasa, n, k, oh, ow, th, tw, ps);
}

/* U = G g G^T of `count` filters (taps at g + f * gstep, row-major or rotated by 180 degrees) */
static void filter_row4(const float *restrict g, long gstep, float *restrict u, long plane, long count, int rotated) {
    for (long f = 0; f < count; f++) {
        const float *q = g + f * gstep;
        float k[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                k[i][j] = rotated ? q[(2 - i) * 3 + (2 - j)] : q[i * 3 + j];
            }
        }
        float t[6][3]; /* G g: down each column */
        for (int j = 0; j < 3; j++) {
            G3(k[0][j], k[1][j], k[2][j], t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j]);
        }
        for (int i = 0; i < 6; i++) { /* (G g) G^T along each row */
            float e0, e1, e2, e3, e4, e5;
            G3(t[i][0], t[i][1], t[i][2], e0, e1, e2, e3, e4, e5);
            STORE_ROW6(u, plane, f, i, e0, e1, e2, e3, e4, e5);
        }
    }
}

/* U [36][k][c] of w [k][c][3][3]; flipped, U [36][c][k] of the filters rotated by 180 degrees */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd4Filter0(
        JNIEnv *env, jclass cls, jlong wa, jlong ua, jlong k, jlong c, jint flip, jlong plane) {
    (void) env;
    (void) cls;
    transform_filters(filter_row4, 9, F(wa), F(ua), k, c, flip, plane);
}

/* G^T dU G of `count` (at most CHUNK_TILES) filters (dU's 36 points `plane` apart from du + f) into 9 tap runs RUN apart */
static void filter_adjoint_row(const float *restrict du, long plane, long count, float *restrict taps) {
#define E(i, j) du[(6 * (i) + (j)) * plane + f]
    for (long f = 0; f < count; f++) {
        /* G^T dU: down each of the six columns */
        float t00, t01, t02, t03, t04, t05, t10, t11, t12, t13, t14, t15, t20, t21, t22, t23, t24, t25;
        GT6(E(0, 0), E(1, 0), E(2, 0), E(3, 0), E(4, 0), E(5, 0), t00, t10, t20);
        GT6(E(0, 1), E(1, 1), E(2, 1), E(3, 1), E(4, 1), E(5, 1), t01, t11, t21);
        GT6(E(0, 2), E(1, 2), E(2, 2), E(3, 2), E(4, 2), E(5, 2), t02, t12, t22);
        GT6(E(0, 3), E(1, 3), E(2, 3), E(3, 3), E(4, 3), E(5, 3), t03, t13, t23);
        GT6(E(0, 4), E(1, 4), E(2, 4), E(3, 4), E(4, 4), E(5, 4), t04, t14, t24);
        GT6(E(0, 5), E(1, 5), E(2, 5), E(3, 5), E(4, 5), E(5, 5), t05, t15, t25);
        /* (G^T dU) G along each of the three rows */
        GT6(t00, t01, t02, t03, t04, t05, taps[f], taps[RUN + f], taps[2 * RUN + f]);
        GT6(t10, t11, t12, t13, t14, t15, taps[3 * RUN + f], taps[4 * RUN + f], taps[5 * RUN + f]);
        GT6(t20, t21, t22, t23, t24, t25, taps[6 * RUN + f], taps[7 * RUN + f], taps[8 * RUN + f]);
    }
#undef E
}

/* dW [k][c][3][3] = G^T dU G for dU [36][k][c] */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_winograd4FilterAdjoint0(
        JNIEnv *env, jclass cls, jlong dua, jlong dwa, jlong k, jlong c, jlong plane) {
    (void) env;
    (void) cls;
    float *taps = malloc(sizeof(float) * 9 * RUN);
    for (long a = 0; a < k; a++) {
        for (long b0 = 0; b0 < c; b0 += CHUNK_TILES) {
            const long count = c - b0 < CHUNK_TILES ? c - b0 : CHUNK_TILES;
            float *dw = F(dwa) + (a * c + b0) * 9;
            if (taps == NULL) { /* no scratch: the same sums through a one-filter detour */
                for (long b = 0; b < count; b++) {
                    const float *du = F(dua) + a * c + b0 + b;
                    float e[6][6], t[3][6];
                    for (int i = 0; i < POINTS; i++) {
                        e[i / 6][i % 6] = du[i * plane];
                    }
                    for (int j = 0; j < 6; j++) {
                        GT6(e[0][j], e[1][j], e[2][j], e[3][j], e[4][j], e[5][j], t[0][j], t[1][j], t[2][j]);
                    }
                    for (int i = 0; i < 3; i++) {
                        GT6(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], dw[b * 9 + 3 * i],
                            dw[b * 9 + 3 * i + 1], dw[b * 9 + 3 * i + 2]);
                    }
                }
                continue;
            }
            filter_adjoint_row(F(dua) + a * c + b0, plane, count, taps);
            for (long b = 0; b < count; b++) {
                for (int tap = 0; tap < 9; tap++) {
                    dw[b * 9 + tap] = taps[tap * RUN + b];
                }
            }
        }
    }
    free(taps);
}
