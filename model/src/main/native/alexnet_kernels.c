/*
 * Local response normalisation across channels, forward and exact backward, fp32, NCHW, for
 * org.alexnet.model.layers.NativeKernels (the CPU backend; plain ND4J ops elsewhere).
 *   d_i = k + alpha * sum_{j in N(i)} x_j^2,  y_i = x_i * d_i^-beta
 *   dx_j = g_j d_j^-beta - 2 alpha beta x_j sum_{i in N(j)} g_i y_i / d_i
 * One pass over each image's channels, vectorised over the H*W positions of a channel.
 */
#define _GNU_SOURCE
#include <jni.h>
#include "alexnet_clones.h"
#include <sched.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

/* d^-beta; the paper's beta = 0.75 as 1/(sqrt(d) sqrt(sqrt(d))), which vectorises */
static void inverse_power(const float *d, float *out, long n, float beta) {
    if (beta == 0.75f) {
        for (long i = 0; i < n; i++) {
            float r = sqrtf(d[i]);
            out[i] = 1.0f / (r * sqrtf(r));
        }
    } else {
        for (long i = 0; i < n; i++) {
            out[i] = powf(d[i], -beta);
        }
    }
}

/* dst = sum over channels c-half .. c+half that exist of src (squared when asked), one channel of hw values */
static void window_sum(const float *restrict src, float *restrict dst, long c, long channels, long hw, int half,
                       int squared) {
    long lo = c - half < 0 ? 0 : c - half;
    long hi = c + half >= channels ? channels - 1 : c + half;
    for (long p = 0; p < hw; p++) {
        dst[p] = 0.0f;
    }
    for (long j = lo; j <= hi; j++) {
        const float *restrict sj = src + j * hw;
        if (squared) {
            for (long p = 0; p < hw; p++) {
                dst[p] += sj[p] * sj[p];
            }
        } else {
            for (long p = 0; p < hw; p++) {
                dst[p] += sj[p];
            }
        }
    }
}

AVX2_CLONES
static void forward(const float *restrict x, float *restrict y, float *restrict scale, float *restrict den,
                    long channels, long hw, float k, int half, float alpha, float beta) {
    for (long c = 0; c < channels; c++) {
        float *restrict d = den + c * hw;
        window_sum(x, d, c, channels, hw, half, 1);
        for (long p = 0; p < hw; p++) {
            d[p] = k + alpha * d[p];
        }
        inverse_power(d, scale + c * hw, hw, beta);
        const float *restrict xc = x + c * hw;
        const float *restrict s = scale + c * hw;
        float *restrict yc = y + c * hw;
        for (long p = 0; p < hw; p++) {
            yc[p] = xc[p] * s[p];
        }
    }
}

/* t (scratch, channels * hw) = g * y / d; then gx = g * scale - 2 alpha beta x * windowsum(t) */
AVX2_CLONES
static void backward(const float *restrict x, const float *restrict y, const float *restrict scale,
                     const float *restrict den, const float *restrict g, float *restrict gx, float *restrict t,
                     long channels, long hw, int half, float alpha, float beta) {
    for (long i = 0; i < channels * hw; i++) {
        t[i] = g[i] * y[i] / den[i];
    }
    float factor = 2.0f * alpha * beta;
    for (long c = 0; c < channels; c++) {
        float *restrict out = gx + c * hw;
        window_sum(t, out, c, channels, hw, half, 0);
        const float *restrict xc = x + c * hw;
        const float *restrict gc = g + c * hw;
        const float *restrict s = scale + c * hw;
        for (long p = 0; p < hw; p++) {
            out[p] = gc[p] * s[p] - factor * xc[p] * out[p];
        }
    }
}

#define F(addr) ((float *) (intptr_t) (addr))

/*
 * Max pooling without padding, NCHW, one plane (image x channel) after another, as libnd4j's
 * maxpool2d / maxpool2d_bp compute it through oneDNN (whose plain-NCHW pooling, simple_nchw,
 * costs ~20x a pass over the input on AVX2): the first maximum of each window in row-major
 * order wins (strict >), its flat index within the plane is kept for the backward pass, which
 * adds each output's gradient to that input in output order.
 */
/* one output row of max pooling: each window's first maximum in row-major order (strict >) and its index */
AVX2_CLONES
static void max_pool_row(const float *restrict xp, float *restrict yp, int32_t *restrict ap, int i, int w, int ow,
                         int kh, int kw, int sh, int sw) {
    for (int j = 0; j < ow; j++) {
        const int at = i * sh * w + j * sw;
        yp[j] = xp[at];
        ap[j] = at;
    }
    /* taps in row-major order, each compared with the best so far for all the row's windows at once */
    for (int a = 0; a < kh; a++) {
        for (int b = 0; b < kw; b++) {
            if (a == 0 && b == 0) {
                continue;
            }
            const int tap = (i * sh + a) * w + b;
            for (int j = 0; j < ow; j++) {
                const float v = xp[tap + sw * j];
                const float best = yp[j];
                const int32_t better = -(int32_t) (v > best); /* all ones where v wins: a mask, so gcc vectorises */
                yp[j] = v > best ? v : best;
                ap[j] = ((tap + sw * j) & better) | (ap[j] & ~better);
            }
        }
    }
}

EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_maxPoolForward0(
        JNIEnv *env, jclass cls, jlong x, jlong y, jlong argmax, jlong planes, jint h, jint w, jint oh, jint ow,
        jint kh, jint kw, jint sh, jint sw) {
    (void) env;
    (void) cls;
    const long in_plane = (long) h * w;
    const long out_plane = (long) oh * ow;
    for (long p = 0; p < planes; p++) {
        const float *xp = F(x) + p * in_plane;
        float *yp = F(y) + p * out_plane;
        int32_t *ap = (int32_t *) (intptr_t) argmax + p * out_plane;
        for (int i = 0; i < oh; i++) {
            max_pool_row(xp, yp + (long) i * ow, ap + (long) i * ow, i, w, ow, kh, kw, sh, sw);
        }
    }
}

EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_maxPoolBackward0(
        JNIEnv *env, jclass cls, jlong g, jlong argmax, jlong gx, jlong planes, jint in_plane, jint out_plane) {
    (void) env;
    (void) cls;
    for (long p = 0; p < planes; p++) {
        const float *restrict gp = F(g) + p * out_plane;
        const int32_t *restrict ap = (const int32_t *) (intptr_t) argmax + p * out_plane;
        float *restrict gxp = F(gx) + p * in_plane;
        for (long i = 0; i < in_plane; i++) {
            gxp[i] = 0.0f;
        }
        for (long o = 0; o < out_plane; o++) {
            gxp[ap[o]] += gp[o];
        }
    }
}

EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_forward0(
        JNIEnv *env, jclass cls, jlong x, jlong y, jlong scale, jlong den, jlong batch, jlong channels, jlong hw,
        jfloat k, jint half, jfloat alpha, jfloat beta) {
    (void) env;
    (void) cls;
    long image = channels * hw;
    for (long b = 0; b < batch; b++) {
        forward(F(x) + b * image, F(y) + b * image, F(scale) + b * image, F(den) + b * image, channels, hw, k, half,
                alpha, beta);
    }
}

EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_backward0(
        JNIEnv *env, jclass cls, jlong x, jlong y, jlong scale, jlong den, jlong g, jlong gx, jlong batch,
        jlong channels, jlong hw, jint half, jfloat alpha, jfloat beta) {
    (void) env;
    (void) cls;
    long image = channels * hw;
    float *t = malloc(sizeof(float) * image);
    if (t == NULL) {
        return -1;
    }
    for (long b = 0; b < batch; b++) {
        backward(F(x) + b * image, F(y) + b * image, F(scale) + b * image, F(den) + b * image, F(g) + b * image,
                 F(gx) + b * image, t, channels, hw, half, alpha, beta);
    }
    free(t);
    return 0;
}

/*
 * One parameter array's training update, fused (org.alexnet.model.columns.ParamUpdate), in the
 * order and rounding of the ND4J operations it replaces:
 *   g <- g / batch + wd * w;  v <- momentum * v - lr * g;  w <- w + v
 * (DL4J's gradient division, the project's weight decay before the updater, classical momentum,
 * then params minus the step -v). w, g, v are the graph's flat vectors; offset/length the array.
 */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_momentumStep0(
        JNIEnv *env, jclass cls, jlong params, jlong grads, jlong state, jlong offset, jlong length,
        jfloat batch, jfloat decay, jfloat momentum, jfloat lr) {
    (void) env;
    (void) cls;
    float *restrict w = F(params) + offset;
    float *restrict g = F(grads) + offset;
    float *restrict v = F(state) + offset;
    for (long i = 0; i < length; i++) {
        float gi = g[i] / batch;
        gi = gi + decay * w[i];
        float vi = momentum * v[i] - lr * gi;
        v[i] = vi;
        g[i] = -vi;
        w[i] = w[i] - (-vi);
    }
}

/*
 * Binds the calling thread to share `part` of `parts` of the CPUs this process may use (contiguous
 * slices of its affinity mask): each column thread, and the OpenMP threads it starts (they inherit
 * the mask), keeps to its own cores instead of migrating onto the other column's. Returns the
 * number of CPUs in the slice, or -1 when the mask cannot be read or set.
 */
EXPORT JNIEXPORT jint JNICALL Java_org_alexnet_model_layers_NativeKernels_bindToShare0(
        JNIEnv *env, jclass cls, jint part, jint parts) {
    (void) env;
    (void) cls;
    cpu_set_t allowed;
    if (parts < 1 || part < 0 || part >= parts || sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
        return -1;
    }
    int count = CPU_COUNT(&allowed);
    if (count < parts) {
        return -1;
    }
    int from = part * count / parts;
    int to = (part + 1) * count / parts;
    cpu_set_t mine;
    CPU_ZERO(&mine);
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE && seen < to; cpu++) {
        if (CPU_ISSET(cpu, &allowed)) {
            if (seen >= from) {
                CPU_SET(cpu, &mine);
            }
            seen++;
        }
    }
    return sched_setaffinity(0, sizeof(mine), &mine) == 0 ? to - from : -1;
}

/*
 * out = a + b for `rows` rows of `len` floats, a's and b's rows `a_stride` and `b_stride` floats
 * apart (e.g. one channel range of every image of two NCHW arrays), out dense: the sum of the two
 * columns' parts of an input gradient, which ND4J's add computes ~10x slower on such views.
 */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_addRows0(
        JNIEnv *env, jclass cls, jlong a, jlong a_stride, jlong b, jlong b_stride, jlong out, jlong rows, jlong len) {
    (void) env;
    (void) cls;
    for (long r = 0; r < rows; r++) {
        const float *restrict ar = F(a) + r * a_stride;
        const float *restrict br = F(b) + r * b_stride;
        float *restrict o = F(out) + r * len;
        for (long i = 0; i < len; i++) {
            o[i] = ar[i] + br[i];
        }
    }
}

/*
 * ReLU in place, y = y < 0 ? 0 : y, as libnd4j's relu computes it (NaN stays NaN). One pass at
 * memory speed: libnd4j's transform took ~3x that on a column's single thread.
 */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_reluForward0(
        JNIEnv *env, jclass cls, jlong y, jlong n) {
    (void) env;
    (void) cls;
    float *restrict v = F(y);
    for (long i = 0; i < n; i++) {
        v[i] = v[i] < 0.0f ? 0.0f : v[i];
    }
}

/*
 * ReLU's backward pass from its output, in place: out = out > 0 ? g : 0, as libnd4j's relu_bp
 * (whose test of the input, input > 0, is the same test on the output).
 */
EXPORT JNIEXPORT void JNICALL Java_org_alexnet_model_layers_NativeKernels_reluBackward0(
        JNIEnv *env, jclass cls, jlong out, jlong g, jlong n) {
    (void) env;
    (void) cls;
    float *restrict o = F(out);
    const float *restrict gv = F(g);
    for (long i = 0; i < n; i++) {
        /* both loads unconditional, so that gcc vectorises the select (a branch per value mispredicts half the time) */
        const float gi = gv[i];
        o[i] = o[i] > 0.0f ? gi : 0.0f;
    }
}
