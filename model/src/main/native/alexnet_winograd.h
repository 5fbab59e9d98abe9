/*
 * What the Winograd transforms (alexnet_winograd.c, alexnet_winograd4.c, alexnet_winograd25.c)
 * share: the chunking of tiles, the layout of scratch runs, and the drivers around the per-tile
 * arithmetic of the 36-point algorithms F(4x4, 3x3) and F(2x2, 5x5), which differ only in the
 * tile's side and that arithmetic (passed as a function; the drivers are inlined into each
 * file's entry points, so gcc calls it directly).
 */
#ifndef ALEXNET_WINOGRAD_H
#define ALEXNET_WINOGRAD_H
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define F(addr) ((float *) (intptr_t) (addr))
#define MAX_TILES_W 1024
#define CHUNK_TILES 4096 /* tiles of one channel transformed in one pass: at least one image's (Java checks) */
/* the stride of scratch runs of up to CHUNK_TILES floats: an odd number of 64-byte lines, so that
   the runs do not all fall into the same cache sets, and a constant, so that gcc vectorises */
#define RUN (CHUNK_TILES + 16)

/* six values e0..e5 as row i of a tile's 6x6 points: dst[(6 i + j) * stride + at] */
#define STORE_ROW6(dst, stride, at, i, e0, e1, e2, e3, e4, e5) \
    do {                                                      \
        (dst)[(6 * (i)) * (stride) + (at)] = (e0);            \
        (dst)[(6 * (i) + 1) * (stride) + (at)] = (e1);        \
        (dst)[(6 * (i) + 2) * (stride) + (at)] = (e2);        \
        (dst)[(6 * (i) + 3) * (stride) + (at)] = (e3);        \
        (dst)[(6 * (i) + 4) * (stride) + (at)] = (e4);        \
        (dst)[(6 * (i) + 5) * (stride) + (at)] = (e5);        \
    } while (0)

/*
 * The drivers are always inlined into each entry point, so that the tile's side is a constant there
 * and the tile arithmetic a direct call: as ordinary functions the backward passes of conv2-conv5
 * took ~5 ms more each per step and column.
 */
#define DRIVER __attribute__((always_inline))

/* images per chunk: the tiles of one channel of a chunk of images are transformed in one long loop */
static inline long chunk_images(long tiles_per_image) {
    long images = CHUNK_TILES / tiles_per_image;
    return images < 1 ? 1 : images;
}

/* U of `count` filters (taps at g + f * gstep, row-major or rotated by 180 degrees) into planes `plane` apart */
typedef void (*filter_rows_fn)(const float *restrict g, long gstep, float *restrict u, long plane, long count,
                               int rotated);

/* U [points][k][c] of w [k][c][taps]; flipped, U [points][c][k] of the filters rotated by 180 degrees */
DRIVER
static inline void transform_filters(filter_rows_fn rows, int taps, const float *w, float *u, long k, long c,
                                     int flip, long plane) {
    if (!flip) {
        for (long a = 0; a < k; a++) {
            rows(w + a * c * taps, taps, u + a * c, plane, c, 0);
        }
    } else {
        for (long b = 0; b < c; b++) {
            rows(w + b * taps, c * taps, u + b * k, plane, k, 1);
        }
    }
}

/* the side x side outputs (+ b) of `count` tiles from their 36 points `ps` apart in m, into o's runs RUN apart */
typedef void (*tile_outputs_fn)(const float *m, long ps, long count, float b, float *restrict o);

/*
 * y [n][k][oh][ow] = the outputs of every side x side tile (+ bias[k] when bias != 0) from M's 36
 * planes [k][n * th * tw], `ps` apart. Returns 0, -1 beyond CHUNK_TILES tiles an image, -2
 * without memory for the scratch.
 */
DRIVER
static inline int winograd36_output(tile_outputs_fn outputs, int side, jlong ma, jlong ya, jlong biasa, jlong n,
                                    jlong k, jint oh, jint ow, jint th, jint tw, jlong ps) {
    const long per_image = (long) th * tw;
    if (per_image > CHUNK_TILES) {
        return -1;
    }
    const long p_all = n * per_image;
    const long images = chunk_images(per_image);
    float *o = malloc(sizeof(float) * side * side * RUN);
    if (o == NULL) {
        return -2;
    }
    for (long ch = 0; ch < k; ch++) {
        const float b = biasa ? F(biasa)[ch] : 0.0f;
        for (long img0 = 0; img0 < n; img0 += images) {
            const long count = (img0 + images <= n ? images : n - img0) * per_image;
            outputs(F(ma) + ch * p_all + img0 * per_image, ps, count, b, o);
            for (long q0 = 0, img = img0; q0 < count; q0 += per_image, img++) {
                float *plane = F(ya) + (img * k + ch) * (long) oh * ow;
                for (int ty = 0; ty < th; ty++) {
                    for (int a = 0; a < side && side * ty + a < oh; a++) {
                        float *row = plane + (long) (side * ty + a) * ow;
                        for (int b2 = 0; b2 < side; b2++) {
                            const float *src = o + (side * a + b2) * RUN + q0 + (long) ty * tw;
                            for (int tx = 0; tx < tw && side * tx + b2 < ow; tx++) {
                                row[side * tx + b2] = src[tx];
                            }
                        }
                    }
                }
            }
        }
    }
    free(o);
    return 0;
}

/* the 36 points of A dY A^T of `count` tiles (their side x side dY values, runs RUN apart) into t's runs */
typedef void (*tile_gradients_fn)(const float *restrict d, long count, float *restrict t);

/*
 * dM = A dY A^T for every side x side tile of dy [n][k][oh][ow] (zeros beyond its edge) into M's
 * 36 planes [k][tiles], `ps` apart, and, when dbias != 0, dbias[k] = the sum of dy over images
 * and positions. Returns as winograd36_output.
 */
DRIVER
static inline int winograd36_output_adjoint(tile_gradients_fn gradients, int side, jlong dya, jlong dma,
                                            jlong dbiasa, jlong n, jlong k, jint oh, jint ow, jint th, jint tw,
                                            jlong ps) {
    const long per_image = (long) th * tw;
    if (per_image > CHUNK_TILES) {
        return -1;
    }
    const long p_all = n * per_image;
    const long images = chunk_images(per_image);
    const long wp = (long) side * tw;
    float *d = malloc(sizeof(float) * side * side * RUN);
    float *t = malloc(sizeof(float) * 36 * RUN);
    float *padded = calloc((size_t) (side * th * wp), sizeof(float));
    long *corners = malloc(sizeof(long) * per_image);
    if (d == NULL || t == NULL || padded == NULL || corners == NULL) {
        free(d);
        free(t);
        free(padded);
        free(corners);
        return -2;
    }
    for (long q = 0; q < per_image; q++) {
        corners[q] = side * (q / tw) * wp + side * (q % tw);
    }
    for (long ch = 0; ch < k; ch++) {
        double sum = 0.0;
        for (long img0 = 0; img0 < n; img0 += images) {
            const long count = (img0 + images <= n ? images : n - img0) * per_image;
            for (long q0 = 0, img = img0; q0 < count; q0 += per_image, img++) {
                const float *plane = F(dya) + (img * k + ch) * (long) oh * ow;
                for (int y = 0; y < oh; y++) {
                    memcpy(padded + (long) y * wp, plane + (long) y * ow, sizeof(float) * ow);
                }
                for (long q = 0; q < per_image; q++) {
                    const float *corner = padded + corners[q];
                    for (int a = 0; a < side; a++) {
                        for (int b = 0; b < side; b++) {
                            d[(side * a + b) * RUN + q0 + q] = corner[a * wp + b];
                        }
                    }
                }
            }
            gradients(d, count, t);
            float *m = F(dma) + ch * p_all + img0 * per_image;
            for (int point = 0; point < 36; point++) {
                memcpy(m + point * ps, t + (long) point * RUN, sizeof(float) * count);
            }
            if (dbiasa) {
                for (int v = 0; v < side * side; v++) {
                    for (long q = 0; q < count; q++) {
                        sum += d[v * RUN + q];
                    }
                }
            }
        }
        if (dbiasa) {
            F(dbiasa)[ch] = (float) sum;
        }
    }
    free(d);
    free(t);
    free(padded);
    free(corners);
    return 0;
}
#endif
