/*
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016) for 3x3 stride-1 convolutions, fp32, NCHW: the transforms around the
 * 16 matrix products that replace the convolution's arithmetic, for
 * org.alexnet.model.columns.WinogradConvolution. With the tile transforms
 *   V = B^T d B (input, 4x4 patch d),  U = G g G^T (filter g),  Y = A^T M A (output, 2x2 tile)
 * and M = sum over channels of U .* V (the products, done as 16 GEMMs by the caller):
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1].
 * Layouts: V [16][C][P], U [16][K][C], M [16][K][P], each point's plane `plane_stride` floats after
 * the previous one (a little more than a plane: planes a multiple of 4 KB apart would all map to
 * the same cache sets, and the transforms touch all 16 at once), with P = N * tilesH * tilesW the tiles of all
 * images, tile p = (n * tilesH + ty) * tilesW + tx covering output rows 2ty, 2ty+1 and columns
 * 2tx, 2tx+1, its input patch starting at row 2ty - pad, column 2tx - pad (zeros outside).
 * The weight gradient is the adjoint: dU = sum over tiles of (A dY A^T) .* V, dW = G^T dU G.
 */
#include "alexnet_winograd.h"

/* V = B^T d B for every tile of every (image, channel) plane of x [n][c][h][w] */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradInput0(
        JNIEnv *env, jclass cls, jlong xa, jlong va, jlong n, jlong c, jint h, jint w, jint pad, jint th, jint tw,
        jlong plane_stride) {
    (void) env;
    (void) cls;
    if (tw > MAX_TILES_W) {
        return -1;
    }
    const long p_all = n * th * tw;
    const int wp = 2 * tw + 2; /* the padded columns the tiles of a row read */
    const int hp = 2 * th + 2; /* and rows; both cover the input and its padding (more when the last tile sticks out) */
    /* one padded plane: its border stays zero, each plane's rows are copied into the middle */
    float *padded = calloc((size_t) hp * wp, sizeof(float));
    if (padded == NULL) {
        return -2;
    }
    const int rows = h < hp - pad ? h : hp - pad;
    const int cols = w < wp - pad ? w : wp - pad;
    float t[4][2 * MAX_TILES_W + 2];
    for (long ch = 0; ch < c; ch++) { /* channel outer: each point's tiles are written in order */
        for (long img = 0; img < n; img++) {
            const float *plane = F(xa) + (img * c + ch) * (long) h * w;
            for (int y = 0; y < rows; y++) {
                memcpy(padded + (long) (y + pad) * wp + pad, plane + (long) y * w, sizeof(float) * cols);
            }
            float *v = F(va) + ch * p_all + img * th * tw;
            for (int ty = 0; ty < th; ty++, v += tw) {
                const float *r0 = padded + (long) (2 * ty) * wp;
                const float *r1 = r0 + wp;
                const float *r2 = r1 + wp;
                const float *r3 = r2 + wp;
                for (int j = 0; j < wp; j++) { /* B^T d: rows d0 - d2, d1 + d2, d2 - d1, d1 - d3 */
                    t[0][j] = r0[j] - r2[j];
                    t[1][j] = r1[j] + r2[j];
                    t[2][j] = r2[j] - r1[j];
                    t[3][j] = r1[j] - r3[j];
                }
                for (int i = 0; i < 4; i++) { /* (B^T d) B: the same along each row */
                    const float *ti = t[i];
                    float *v0 = v + (4 * i + 0) * plane_stride;
                    float *v1 = v + (4 * i + 1) * plane_stride;
                    float *v2 = v + (4 * i + 2) * plane_stride;
                    float *v3 = v + (4 * i + 3) * plane_stride;
                    for (int tx = 0; tx < tw; tx++) {
                        const float *q = ti + 2 * tx;
                        v0[tx] = q[0] - q[2];
                        v1[tx] = q[1] + q[2];
                        v2[tx] = q[2] - q[1];
                        v3[tx] = q[1] - q[3];
                    }
                }
            }
        }
    }
    free(padded);
    return 0;
}

/* A^T M of `count` tiles: M's 16 points `ps` apart from m (x[k * ps] below: gcc vectorises this form) */
static void rows_of_tiles(const float *m, long ps, long count, float b, float *restrict o0, float *restrict o1,
                          float *restrict o2, float *restrict o3) {
    for (long q = 0; q < count; q++) {
        const float *x = m + q;
        /* A^T M: rows m0 + m1 + m2 and m1 - m2 - m3; then the same along each row */
        const float u00 = x[0] + x[4 * ps] + x[8 * ps], u01 = x[ps] + x[5 * ps] + x[9 * ps];
        const float u02 = x[2 * ps] + x[6 * ps] + x[10 * ps], u03 = x[3 * ps] + x[7 * ps] + x[11 * ps];
        const float u10 = x[4 * ps] - x[8 * ps] - x[12 * ps], u11 = x[5 * ps] - x[9 * ps] - x[13 * ps];
        const float u12 = x[6 * ps] - x[10 * ps] - x[14 * ps], u13 = x[7 * ps] - x[11 * ps] - x[15 * ps];
        o0[q] = u00 + u01 + u02 + b;
        o1[q] = u01 - u02 - u03 + b;
        o2[q] = u10 + u11 + u12 + b;
        o3[q] = u11 - u12 - u13 + b;
    }
}

/* A dY A^T of `count` tiles (their dY d0 d1 / d2 d3) into the 16 points' runs m0..m15 */
static void tiles_of_gradient(const float *restrict d0, const float *restrict d1, const float *restrict d2,
                              const float *restrict d3, long count, float *restrict m0, float *restrict m1,
                              float *restrict m2, float *restrict m3, float *restrict m4, float *restrict m5,
                              float *restrict m6, float *restrict m7, float *restrict m8, float *restrict m9,
                              float *restrict m10, float *restrict m11, float *restrict m12, float *restrict m13,
                              float *restrict m14, float *restrict m15) {
    for (long q = 0; q < count; q++) {
        /* A's rows are (1, 0), (1, 1), (1, -1), (0, -1): down the tile's columns, then along its rows */
        const float s00 = d0[q], s01 = d1[q], s10 = d0[q] + d2[q], s11 = d1[q] + d3[q];
        const float s20 = d0[q] - d2[q], s21 = d1[q] - d3[q], s30 = -d2[q], s31 = -d3[q];
        m0[q] = s00, m1[q] = s00 + s01, m2[q] = s00 - s01, m3[q] = -s01;
        m4[q] = s10, m5[q] = s10 + s11, m6[q] = s10 - s11, m7[q] = -s11;
        m8[q] = s20, m9[q] = s20 + s21, m10[q] = s20 - s21, m11[q] = -s21;
        m12[q] = s30, m13[q] = s30 + s31, m14[q] = s30 - s31, m15[q] = -s31;
    }
}

/*
 * y [n][k][oh][ow] = A^T M A (+ bias[k] when bias != 0) for every tile: per channel, the tiles
 * of a chunk of images in one vectorised pass (reading each point's plane in order), then the
 * 2x2 results scattered to the output rows.
 */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradOutput0(
        JNIEnv *env, jclass cls, jlong ma, jlong ya, jlong biasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong plane_stride) {
    (void) env;
    (void) cls;
    const long per_image = (long) th * tw;
    if (per_image > CHUNK_TILES) {
        return -1;
    }
    const long p_all = n * per_image;
    const long images = chunk_images(per_image);
    float o[4][CHUNK_TILES];
    for (long ch = 0; ch < k; ch++) {
        const float b = biasa ? F(biasa)[ch] : 0.0f;
        for (long img0 = 0; img0 < n; img0 += images) {
            const long count = (img0 + images <= n ? images : n - img0) * per_image;
            const float *m = F(ma) + ch * p_all + img0 * per_image;
            rows_of_tiles(m, plane_stride, count, b, o[0], o[1], o[2], o[3]);
            for (long q0 = 0, img = img0; q0 < count; q0 += per_image, img++) {
                float *plane = F(ya) + (img * k + ch) * (long) oh * ow;
                for (int ty = 0; ty < th; ty++) {
                    for (int a = 0; a < 2 && 2 * ty + a < oh; a++) {
                        float *row = plane + (long) (2 * ty + a) * ow;
                        const float *even = o[2 * a] + q0 + (long) ty * tw;
                        const float *odd = o[2 * a + 1] + q0 + (long) ty * tw;
                        for (int tx = 0; tx < ow / 2; tx++) {
                            row[2 * tx] = even[tx];
                            row[2 * tx + 1] = odd[tx];
                        }
                        if (ow % 2) {
                            row[ow - 1] = even[ow / 2];
                        }
                    }
                }
            }
        }
    }
    return 0;
}

/*
 * dM = A dY A^T for every tile of dy [n][k][oh][ow] (zeros beyond its edge), as M's layout, and,
 * when dbias != 0, the bias gradient dbias[k] = the sum of dy over images and positions.
 */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradOutputAdjoint0(
        JNIEnv *env, jclass cls, jlong dya, jlong dma, jlong dbiasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong plane_stride) {
    (void) env;
    (void) cls;
    const long per_image = (long) th * tw;
    if (per_image > CHUNK_TILES) {
        return -1;
    }
    const long p_all = n * per_image;
    const long images = chunk_images(per_image);
    float d[4][CHUNK_TILES]; /* a tile's dY: d0 d1 in its first row, d2 d3 in its second */
    /* dY's plane with a zero border up to whole tiles, and each tile's top-left corner in it */
    const long wp = 2L * tw;
    float *padded = calloc((size_t) (2L * th * wp), sizeof(float));
    long *corners = malloc(sizeof(long) * per_image);
    if (padded == NULL || corners == NULL) {
        free(padded);
        free(corners);
        return -2;
    }
    for (long q = 0; q < per_image; q++) {
        corners[q] = 2 * (q / tw) * wp + 2 * (q % tw);
    }
    for (long ch = 0; ch < k; ch++) {
        double sum = 0.0;
        for (long img0 = 0; img0 < n; img0 += images) {
            const long count = (img0 + images <= n ? images : n - img0) * per_image;
            for (long q0 = 0, img = img0; q0 < count; q0 += per_image, img++) {
                /* the image's plane into the zero-bordered one, then each tile's four values by the table */
                const float *plane = F(dya) + (img * k + ch) * (long) oh * ow;
                for (int y = 0; y < oh; y++) {
                    memcpy(padded + (long) y * wp, plane + (long) y * ow, sizeof(float) * ow);
                }
                for (long q = 0; q < per_image; q++) {
                    const float *corner = padded + corners[q];
                    d[0][q0 + q] = corner[0];
                    d[1][q0 + q] = corner[1];
                    d[2][q0 + q] = corner[wp];
                    d[3][q0 + q] = corner[wp + 1];
                }
            }
            float *m = F(dma) + ch * p_all + img0 * per_image;
            const long ps = plane_stride;
            tiles_of_gradient(d[0], d[1], d[2], d[3], count, m, m + ps, m + 2 * ps, m + 3 * ps, m + 4 * ps,
                              m + 5 * ps, m + 6 * ps, m + 7 * ps, m + 8 * ps, m + 9 * ps, m + 10 * ps, m + 11 * ps,
                              m + 12 * ps, m + 13 * ps, m + 14 * ps, m + 15 * ps);
            if (dbiasa) { /* apart from the loop above, which this strictly ordered sum would keep scalar */
                for (long q = 0; q < count; q++) {
                    sum += (double) d[0][q] + d[1][q] + d[2][q] + d[3][q];
                }
            }
        }
        if (dbiasa) {
            F(dbiasa)[ch] = (float) sum;
        }
    }
    free(padded);
    free(corners);
    return 0;
}

/*
 * U = G g G^T of `count` filters, filter f's taps at g + f * gstep (in row-major order, or
 * rotated by 180 degrees), its 16 values written plane apart from u + f: the loop runs along
 * U's rows, so each of the 16 planes is written in order and gcc vectorises it.
 */
static void filter_row(const float *restrict g, long gstep, float *restrict u, long plane, long count, int rotated) {
    for (long f = 0; f < count; f++) {
        const float *q = g + f * gstep;
        const float g00 = q[rotated ? 8 : 0], g01 = q[rotated ? 7 : 1], g02 = q[rotated ? 6 : 2];
        const float g10 = q[rotated ? 5 : 3], g11 = q[4], g12 = q[rotated ? 3 : 5];
        const float g20 = q[rotated ? 2 : 6], g21 = q[rotated ? 1 : 7], g22 = q[rotated ? 0 : 8];
        /* t = G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 */
        const float t10 = 0.5f * (g00 + g10 + g20), t11 = 0.5f * (g01 + g11 + g21), t12 = 0.5f * (g02 + g12 + g22);
        const float t20 = 0.5f * (g00 - g10 + g20), t21 = 0.5f * (g01 - g11 + g21), t22 = 0.5f * (g02 - g12 + g22);
        /* (G g) G^T: the same combination along each row of t */
#define ROW(i, a, b, c)                                        \
        u[(4 * (i) + 0) * plane + f] = (a);                    \
        u[(4 * (i) + 1) * plane + f] = 0.5f * ((a) + (b) + (c)); \
        u[(4 * (i) + 2) * plane + f] = 0.5f * ((a) - (b) + (c)); \
        u[(4 * (i) + 3) * plane + f] = (c);
        ROW(0, g00, g01, g02)
        ROW(1, t10, t11, t12)
        ROW(2, t20, t21, t22)
        ROW(3, g20, g21, g22)
#undef ROW
    }
}

/*
 * U = G g G^T of every 3x3 filter of w [k][c][3][3]: into U [16][k][c]; or, flipped (for the
 * input gradient, a convolution of dY with the filters rotated by 180 degrees and the roles of
 * k and c swapped), U [16][c][k] from the rotated filters.
 */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradFilter0(
        JNIEnv *env, jclass cls, jlong wa, jlong ua, jlong k, jlong c, jint flip, jlong plane) {
    (void) env;
    (void) cls;
    transform_filters(filter_row, 9, F(wa), F(ua), k, c, flip, plane);
}

/* dW [k][c][3][3] = G^T dU G for dU [16][k][c] */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradFilterAdjoint0(
        JNIEnv *env, jclass cls, jlong dua, jlong dwa, jlong k, jlong c, jlong plane) {
    (void) env;
    (void) cls;
    for (long a = 0; a < k; a++) {
        for (long b = 0; b < c; b++) {
            const float *du = F(dua) + a * c + b;
            float e[4][4];
            for (int i = 0; i < 16; i++) {
                e[i / 4][i % 4] = du[i * plane];
            }
            float t[3][4]; /* G^T e: G^T's rows are (1, .5, .5, 0), (0, .5, -.5, 0), (0, .5, .5, 1) */
            for (int j = 0; j < 4; j++) {
                t[0][j] = e[0][j] + 0.5f * (e[1][j] + e[2][j]);
                t[1][j] = 0.5f * (e[1][j] - e[2][j]);
                t[2][j] = 0.5f * (e[1][j] + e[2][j]) + e[3][j];
            }
            float *dw = F(dwa) + (a * c + b) * 9;
            for (int i = 0; i < 3; i++) { /* (G^T e) G */
                dw[i * 3 + 0] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
                dw[i * 3 + 1] = 0.5f * (t[i][1] - t[i][2]);
                dw[i * 3 + 2] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
            }
        }
    }
}
