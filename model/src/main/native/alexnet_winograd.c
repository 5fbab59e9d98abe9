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
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define F(addr) ((float *) (intptr_t) (addr))
#define MAX_TILES_W 1024

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

/* y [n][k][oh][ow] = A^T M A (+ bias[k] when bias != 0) for every tile */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradOutput0(
        JNIEnv *env, jclass cls, jlong ma, jlong ya, jlong biasa, jlong n, jlong k, jint oh, jint ow, jint th,
        jint tw, jlong plane_stride) {
    (void) env;
    (void) cls;
    if (tw > MAX_TILES_W) {
        return -1;
    }
    const long p_all = n * th * tw;
    float u[2][4][MAX_TILES_W];
    float o[4][MAX_TILES_W];
    for (long ch = 0; ch < k; ch++) { /* channel outer: each point's tiles are read / written in order */
        for (long img = 0; img < n; img++) {
            const float b = biasa ? F(biasa)[ch] : 0.0f;
            float *plane = F(ya) + (img * k + ch) * (long) oh * ow;
            const float *mbase = F(ma) + ch * p_all + img * th * tw;
            for (int ty = 0; ty < th; ty++) {
                const float *m = mbase + (long) ty * tw;
                for (int j = 0; j < 4; j++) {
                    const float *m0 = m + (long) (0 + j) * plane_stride;
                    const float *m1 = m + (long) (4 + j) * plane_stride;
                    const float *m2 = m + (long) (8 + j) * plane_stride;
                    const float *m3 = m + (long) (12 + j) * plane_stride;
                    for (int tx = 0; tx < tw; tx++) {
                        u[0][j][tx] = m0[tx] + m1[tx] + m2[tx];
                        u[1][j][tx] = m1[tx] - m2[tx] - m3[tx];
                    }
                }
                for (int a = 0; a < 2; a++) {
                    for (int tx = 0; tx < tw; tx++) {
                        o[2 * a][tx] = u[a][0][tx] + u[a][1][tx] + u[a][2][tx] + b;
                        o[2 * a + 1][tx] = u[a][1][tx] - u[a][2][tx] - u[a][3][tx] + b;
                    }
                }
                for (int a = 0; a < 2; a++) {
                    int y = 2 * ty + a;
                    if (y >= oh) {
                        break;
                    }
                    float *row = plane + (long) y * ow;
                    for (int tx = 0; tx < tw; tx++) {
                        int x = 2 * tx;
                        row[x] = o[2 * a][tx];
                        if (x + 1 < ow) {
                            row[x + 1] = o[2 * a + 1][tx];
                        }
                    }
                }
            }
        }
    }
    return 0;
}

/* dM = A dY A^T for every tile of dy [n][k][oh][ow] (zeros beyond its edge), as M's layout */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_winogradOutputAdjoint0(
        JNIEnv *env, jclass cls, jlong dya, jlong dma, jlong n, jlong k, jint oh, jint ow, jint th, jint tw,
        jlong plane_stride) {
    (void) env;
    (void) cls;
    if (tw > MAX_TILES_W) {
        return -1;
    }
    const long p_all = n * th * tw;
    float d[2][2 * MAX_TILES_W];
    float s[4][2 * MAX_TILES_W];
    for (long ch = 0; ch < k; ch++) { /* channel outer: each point's tiles are read / written in order */
        for (long img = 0; img < n; img++) {
            const float *plane = F(dya) + (img * k + ch) * (long) oh * ow;
            float *mbase = F(dma) + ch * p_all + img * th * tw;
            for (int ty = 0; ty < th; ty++) {
                for (int a = 0; a < 2; a++) {
                    int y = 2 * ty + a;
                    for (int x = 0; x < 2 * tw; x++) {
                        d[a][x] = y < oh && x < ow ? plane[(long) y * ow + x] : 0.0f;
                    }
                }
                /* rows: A's rows are (1,0), (1,1), (1,-1), (0,-1) */
                for (int x = 0; x < 2 * tw; x++) {
                    s[0][x] = d[0][x];
                    s[1][x] = d[0][x] + d[1][x];
                    s[2][x] = d[0][x] - d[1][x];
                    s[3][x] = -d[1][x];
                }
                float *m = mbase + (long) ty * tw;
                for (int i = 0; i < 4; i++) {
                    float *m0 = m + (long) (4 * i + 0) * plane_stride;
                    float *m1 = m + (long) (4 * i + 1) * plane_stride;
                    float *m2 = m + (long) (4 * i + 2) * plane_stride;
                    float *m3 = m + (long) (4 * i + 3) * plane_stride;
                    const float *si = s[i];
                    for (int tx = 0; tx < tw; tx++) {
                        float e0 = si[2 * tx];
                        float e1 = si[2 * tx + 1];
                        m0[tx] = e0;
                        m1[tx] = e0 + e1;
                        m2[tx] = e0 - e1;
                        m3[tx] = -e1;
                    }
                }
            }
        }
    }
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
    if (!flip) {
        for (long a = 0; a < k; a++) {
            filter_row(F(wa) + a * c * 9, 9, F(ua) + a * c, plane, c, 0);
        }
    } else {
        for (long b = 0; b < c; b++) {
            filter_row(F(wa) + b * 9, c * 9, F(ua) + b * k, plane, k, 1);
        }
    }
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
