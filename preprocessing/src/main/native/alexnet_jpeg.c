/*
 * libalexnet_jpeg: JNI over libjpeg-turbo (statically linked, SIMD) for NativeJpeg.java.
 *
 * Why: the OpenCV build that shares JavaCPP 1.5.7 with ND4J bundles a libjpeg without SIMD, which
 * made our JPEG decode ~1.6x and encode ~5x slower than Pillow's. This library does the whole
 * per-image path of a baseline/progressive YCbCr, RGB or grayscale JPEG in one call, without
 * copying pixels through Java: decode straight to RGB (with libjpeg's DCT-domain 1/2, 1/4, 1/8
 * scaling, as Pillow's draft), area-average to a short side of `size` (the same table as OpenCV's
 * INTER_AREA), encode. CMYK/YCCK and anything else it does not take return a status and Java uses
 * the OpenCV/ImageIO decoders instead.
 *
 * libjpeg's symbols are hidden in the .so (--exclude-libs) so they cannot clash with the other
 * libjpeg copies in the JVM (OpenCV's, the JDK's).
 */
#include <jni.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

/*
 * build.sh renames libjpeg.a's reference to stderr (non-PIC, cannot be linked into a .so) to this
 * variable; it is only used by libjpeg's default message printer, which we replace anyway.
 */
__attribute__((visibility("hidden"))) FILE *alexnet_jpeg_stderr;

__attribute__((constructor)) static void init_stderr(void) {
    alexnet_jpeg_stderr = stderr;
}

/* Status codes, mirrored in NativeJpeg.java. */
#define ST_OK 0
#define ST_UNSUPPORTED 1   /* a JPEG this library does not convert (CMYK, YCCK, ...): use another decoder */
#define ST_ERROR 2         /* libjpeg gave up (corrupt data, cut inside the headers, ...) */
#define ST_TOO_SMALL 3     /* short side below `size` after decoding: the caller upscales */
#define ST_NO_MEMORY 4

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
} error_mgr;

static void error_exit(j_common_ptr c) {
    longjmp(((error_mgr *) c->err)->jump, 1);
}

/* Warnings (e.g. premature end of data in a truncated file) are tolerated, as OpenCV and Pillow do. */
static void output_message(j_common_ptr c) {
    (void) c;
}

static void init_errors(error_mgr *e) {
    jpeg_std_error(&e->pub);
    e->pub.error_exit = error_exit;
    e->pub.output_message = output_message;
}

/* A decoded image; the caller owns pixels. */
typedef struct {
    unsigned char *pixels;
    int width, height;
} image;

/*
 * Decodes to RGB at 1/denom scale. Kept apart from its callers so that no automatic variable of
 * the function calling setjmp is modified after it (all state lives in *out).
 */
static int decode_rgb(const unsigned char *data, size_t len, int denom, image *out) {
    struct jpeg_decompress_struct d;
    error_mgr e;
    out->pixels = NULL;
    memset(&d, 0, sizeof d);   /* so that destroying after a failed create is a no-op */
    d.err = &e.pub;
    init_errors(&e);
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&d);
        free(out->pixels);
        out->pixels = NULL;
        return ST_ERROR;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, data, (unsigned long) len);
    jpeg_read_header(&d, TRUE);
    if (!((d.num_components == 3 && (d.jpeg_color_space == JCS_YCbCr || d.jpeg_color_space == JCS_RGB))
          || (d.num_components == 1 && d.jpeg_color_space == JCS_GRAYSCALE))) {
        jpeg_destroy_decompress(&d);
        return ST_UNSUPPORTED;
    }
    d.out_color_space = JCS_RGB;   /* grayscale too: libjpeg-turbo replicates it to three channels */
    d.scale_num = 1;
    d.scale_denom = (unsigned int) denom;
    jpeg_start_decompress(&d);
    out->width = (int) d.output_width;
    out->height = (int) d.output_height;
    size_t stride = (size_t) out->width * 3;
    out->pixels = malloc(stride * (size_t) out->height);
    if (!out->pixels) {
        jpeg_destroy_decompress(&d);
        return ST_NO_MEMORY;
    }
    while (d.output_scanline < d.output_height) {
        JSAMPROW rows[4];
        int n = 0;
        for (; n < 4 && d.output_scanline + (JDIMENSION) n < d.output_height; n++) {
            rows[n] = out->pixels + (size_t) (d.output_scanline + (JDIMENSION) n) * stride;
        }
        jpeg_read_scanlines(&d, rows, (JDIMENSION) n);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return ST_OK;
}

/* Encodes RGB pixels; *jpeg is malloc'ed by libjpeg's memory destination, the caller frees it. */
static int encode_rgb(const unsigned char *rgb, int w, int h, int quality, unsigned char **jpeg, unsigned long *size) {
    struct jpeg_compress_struct c;
    error_mgr e;
    memset(&c, 0, sizeof c);
    c.err = &e.pub;
    init_errors(&e);
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&c);
        free(*jpeg);
        *jpeg = NULL;
        return ST_ERROR;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, jpeg, size);
    c.image_width = (JDIMENSION) w;
    c.image_height = (JDIMENSION) h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);   /* 4:2:0, baseline, Huffman tables not optimised: as OpenCV and Pillow */
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    size_t stride = (size_t) w * 3;
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW) (rgb + (size_t) c.next_scanline * stride);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return ST_OK;
}

/*
 * Area-averaging weights from `ssize` to `dsize` samples (dsize <= ssize), the same table as
 * OpenCV's INTER_AREA (computeResizeAreaTab): each output sample is the mean over its cell
 * [d*scale, (d+1)*scale), partly covered source samples weighted by their coverage. Output d reads
 * count[d] consecutive samples from first[d] with weights w[d*taps ...].
 */
typedef struct {
    int *first, *count;
    float *w;
    int taps;
} area_tab;

static int area_tab_init(area_tab *t, int ssize, int dsize) {
    double scale = (double) ssize / dsize;
    t->taps = (int) ceil(scale) + 2;
    t->first = malloc(sizeof(int) * (size_t) dsize);
    t->count = malloc(sizeof(int) * (size_t) dsize);
    t->w = malloc(sizeof(float) * (size_t) dsize * (size_t) t->taps);
    if (!t->first || !t->count || !t->w) return 0;
    for (int d = 0; d < dsize; d++) {
        double f1 = d * scale, f2 = f1 + scale;
        double cell = fmin(scale, ssize - f1);
        int s1 = (int) ceil(f1), s2 = (int) floor(f2);
        if (s2 > ssize - 1) s2 = ssize - 1;
        if (s1 > s2) s1 = s2;
        float *w = t->w + (size_t) d * t->taps;
        int n = 0;
        t->first[d] = s1;
        if (s1 - f1 > 1e-3) {
            t->first[d] = s1 - 1;
            w[n++] = (float) ((s1 - f1) / cell);
        }
        for (int s = s1; s < s2; s++) w[n++] = (float) (1.0 / cell);
        if (f2 - s2 > 1e-3) w[n++] = (float) (fmin(fmin(f2 - s2, 1.0), cell) / cell);
        t->count[d] = n;
    }
    return 1;
}

static void area_tab_free(area_tab *t) {
    free(t->first);
    free(t->count);
    free(t->w);
}

/*
 * Area-averaging downscale of packed RGB, separable: for each output row the weighted sum of its
 * source rows (contiguous, vectorisable), then the horizontal taps on that one float row. Doing the
 * vertical pass first runs the scalar horizontal pass dh instead of sh times.
 */
static int resize_area(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw, int dh) {
    area_tab xt = {0}, yt = {0};
    size_t sstride = (size_t) sw * 3;
    float *acc = malloc(sizeof(float) * sstride);
    int ok = acc && area_tab_init(&xt, sw, dw) && area_tab_init(&yt, sh, dh);
    if (ok) {
        for (int dy = 0; dy < dh; dy++) {
            const float *wy = yt.w + (size_t) dy * yt.taps;
            const unsigned char *row = src + (size_t) yt.first[dy] * sstride;
            float b = wy[0];
            for (size_t i = 0; i < sstride; i++) acc[i] = b * row[i];
            for (int k = 1; k < yt.count[dy]; k++) {
                row += sstride;
                b = wy[k];
                for (size_t i = 0; i < sstride; i++) acc[i] += b * row[i];
            }
            unsigned char *out = dst + (size_t) dy * dw * 3;
            for (int dx = 0; dx < dw; dx++) {
                const float *wx = xt.w + (size_t) dx * xt.taps;
                const float *p = acc + (size_t) xt.first[dx] * 3;
                float r = 0, g = 0, bl = 0;
                for (int k = 0; k < xt.count[dx]; k++, p += 3) {
                    r += wx[k] * p[0];
                    g += wx[k] * p[1];
                    bl += wx[k] * p[2];
                }
                /* weights sum to 1 and samples are 0..255: only rounding, the clamp is a guard */
                int vr = (int) (r + 0.5f), vg = (int) (g + 0.5f), vb = (int) (bl + 0.5f);
                out[dx * 3] = (unsigned char) (vr > 255 ? 255 : vr);
                out[dx * 3 + 1] = (unsigned char) (vg > 255 ? 255 : vg);
                out[dx * 3 + 2] = (unsigned char) (vb > 255 ? 255 : vb);
            }
        }
    }
    free(acc);
    area_tab_free(&xt);
    area_tab_free(&yt);
    return ok;
}

/* The target size for a short side of `size`, rounded as ImageTransformer does (Math.round). */
static void target_size(int w, int h, int size, int *tw, int *th) {
    if (w <= h) {
        *tw = size;
        *th = (int) floor((double) h * size / w + 0.5);
    } else {
        *tw = (int) floor((double) w * size / h + 0.5);
        *th = size;
    }
}

static unsigned char *copy_in(JNIEnv *env, jbyteArray a, jsize *len) {
    *len = (*env)->GetArrayLength(env, a);
    unsigned char *b = malloc(*len > 0 ? (size_t) *len : 1);
    if (b) (*env)->GetByteArrayRegion(env, a, 0, *len, (jbyte *) b);
    return b;
}

static jbyteArray copy_out(JNIEnv *env, const unsigned char *b, size_t len) {
    jbyteArray a = (*env)->NewByteArray(env, (jsize) len);   /* NULL with OutOfMemoryError pending */
    if (a) (*env)->SetByteArrayRegion(env, a, 0, (jsize) len, (const jbyte *) b);
    return a;
}

static void set_result(JNIEnv *env, jintArray result, int status, int w, int h) {
    jint r[3] = {status, w, h};
    (*env)->SetIntArrayRegion(env, result, 0, 3, r);
}

/* byte[] decodeRgb0(byte[] jpeg, int denom, int[3] result): RGB pixels, result = {status, w, h}. */
JNIEXPORT jbyteArray JNICALL Java_org_alexnet_preprocessing_NativeJpeg_decodeRgb0(
        JNIEnv *env, jclass cls, jbyteArray file, jint denom, jintArray result) {
    (void) cls;
    jsize len;
    unsigned char *in = copy_in(env, file, &len);
    if (!in) {
        set_result(env, result, ST_NO_MEMORY, 0, 0);
        return NULL;
    }
    image img;
    int st = decode_rgb(in, (size_t) len, denom, &img);
    free(in);
    jbyteArray out = NULL;
    if (st == ST_OK && (size_t) img.width * img.height * 3 > (size_t) INT32_MAX) {
        st = ST_NO_MEMORY;   /* more than a Java array holds */
    }
    if (st == ST_OK) {
        out = copy_out(env, img.pixels, (size_t) img.width * img.height * 3);
        set_result(env, result, ST_OK, img.width, img.height);
    } else {
        set_result(env, result, st, 0, 0);
    }
    free(img.pixels);
    return out;
}

/* byte[] encodeRgb0(byte[] rgb, int w, int h, int quality): JPEG bytes, NULL on failure. */
JNIEXPORT jbyteArray JNICALL Java_org_alexnet_preprocessing_NativeJpeg_encodeRgb0(
        JNIEnv *env, jclass cls, jbyteArray rgb, jint w, jint h, jint quality) {
    (void) cls;
    jsize len;
    unsigned char *in = copy_in(env, rgb, &len);
    if (!in) return NULL;
    unsigned char *jpeg = NULL;
    unsigned long size = 0;
    jbyteArray out = NULL;
    if ((size_t) len >= (size_t) w * h * 3 && encode_rgb(in, w, h, quality, &jpeg, &size) == ST_OK) {
        out = copy_out(env, jpeg, size);
    }
    free(jpeg);
    free(in);
    return out;
}

/*
 * byte[] transform0(byte[] jpeg, int denom, int size, int quality, int[3] result): decode at
 * 1/denom, area-average to a short side of `size` (when larger), encode; result = {status, w, h}.
 */
JNIEXPORT jbyteArray JNICALL Java_org_alexnet_preprocessing_NativeJpeg_transform0(
        JNIEnv *env, jclass cls, jbyteArray file, jint denom, jint size, jint quality, jintArray result) {
    (void) cls;
    jsize len;
    unsigned char *in = copy_in(env, file, &len);
    if (!in) {
        set_result(env, result, ST_NO_MEMORY, 0, 0);
        return NULL;
    }
    image img;
    int st = decode_rgb(in, (size_t) len, denom, &img);
    free(in);
    if (st != ST_OK) {
        set_result(env, result, st, 0, 0);
        return NULL;
    }
    int w = img.width, h = img.height;
    if ((w < h ? w : h) < size) {
        free(img.pixels);
        set_result(env, result, ST_TOO_SMALL, w, h);
        return NULL;
    }
    unsigned char *pixels = img.pixels;
    if ((w < h ? w : h) > size) {
        int tw, th;
        target_size(w, h, size, &tw, &th);
        pixels = malloc((size_t) tw * th * 3);
        if (!pixels || !resize_area(img.pixels, w, h, pixels, tw, th)) {
            free(pixels);
            free(img.pixels);
            set_result(env, result, ST_NO_MEMORY, 0, 0);
            return NULL;
        }
        free(img.pixels);
        w = tw;
        h = th;
    }
    unsigned char *jpeg = NULL;
    unsigned long jsize = 0;
    st = encode_rgb(pixels, w, h, quality, &jpeg, &jsize);
    free(pixels);
    jbyteArray out = NULL;
    if (st == ST_OK) out = copy_out(env, jpeg, jsize);
    free(jpeg);
    set_result(env, result, st, w, h);
    return out;
}

/* The libjpeg-turbo version linked in, for logs and the benchmark's label. */
JNIEXPORT jint JNICALL Java_org_alexnet_preprocessing_NativeJpeg_libjpegTurboVersion0(JNIEnv *env, jclass cls) {
    (void) env;
    (void) cls;
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    return LIBJPEG_TURBO_VERSION_NUMBER;
#else
    return 0;
#endif
}
