/*
 * Local response normalisation across channels, forward and exact backward, fp32, NCHW, for
 * org.alexnet.model.layers.NativeKernels (the CPU backend; plain ND4J ops elsewhere).
 *   d_i = k + alpha * sum_{j in N(i)} x_j^2,  y_i = x_i * d_i^-beta
 *   dx_j = g_j d_j^-beta - 2 alpha beta x_j sum_{i in N(j)} g_i y_i / d_i
 * One pass over each image's channels, vectorised over the H*W positions of a channel.
 */
#include <jni.h>
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
