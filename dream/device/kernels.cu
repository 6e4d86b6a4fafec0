// The device loop's kernels (dream/device/loop.py), each the formula of its numpy reference in
// dream/device/reference.py, so that a GPU gives the host loop's bytes: every product and sum rounded
// on its own (the __*_rn intrinsics, which nvcc never fuses into a multiply-add), doubles where the
// host computes in double, the reference's order of terms. Pointers are Caffe's own buffers and
// arrays this library allocates; everything runs on the legacy default stream, as Caffe's kernels do.
// Built by scripts/build_device_kernels.sh into libdream_device.so, called through ctypes.
#include <cuda_runtime.h>
#include <stdint.h>

#define THREADS 256
#define PAIRWISE_BLOCK 128

static int blocks_for(long n) { return (int)((n + THREADS - 1) / THREADS); }

// out[c, y, x] = in[c, (y - oy) mod h, (x - ox) mod w]: np.roll(np.roll(in, ox, -1), oy, -2)
__global__ void roll_kernel(float *out, const float *in, int c, int h, int w, int ox, int oy) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  long n = (long)c * h * w;
  if (i >= n) return;
  int x = i % w, y = (i / w) % h;
  long plane = i / ((long)h * w);
  int sy = ((y - oy) % h + h) % h, sx = ((x - ox) % w + w) % w;
  out[i] = in[plane * h * w + (long)sy * w + sx];
}

__global__ void add_kernel(float *out, const float *a, const float *b, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) out[i] = __fadd_rn(a[i], b[i]);
}

__global__ void subtract_kernel(float *out, const float *a, const float *b, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) out[i] = __fsub_rn(a[i], b[i]);
}

// image += scale * g, the product rounded before the sum (the host's two numpy operations)
__global__ void ascend_kernel(float *image, const float *g, float scale, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) image[i] = __fadd_rn(image[i], __fmul_rn(scale, g[i]));
}

// a term's seed, 0 + w * a (reference.scaled_seed: the sum from 0 makes a -0.0 product +0.0)
__global__ void scale_kernel(float *out, float w, const float *a, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) out[i] = __fadd_rn(0.0f, __fmul_rn(w, a[i]));
}

// channel c's seed, 0 + w * (1 in channel c, else 0) (reference.channel_seed)
__global__ void channel_seed_kernel(float *out, float w, int c, long plane, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) out[i] = __fadd_rn(0.0f, __fmul_rn(w, i / plane == c ? 1.0f : 0.0f));
}

// g[c, y, x] * mask[y, x]: the host's g * np.roll(mask) (float32 both), each product rounded on its own
__global__ void mask_kernel(float *g, const float *mask, long plane, long n) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < n) g[i] = __fmul_rn(g[i], mask[i % plane]);
}

// np.clip(image, -mean, 255 - mean) per channel, numpy's maximum and minimum written out
__global__ void clip_kernel(float *image, float m0, float m1, float m2, int c, long plane) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= c * plane) return;
  int channel = i / plane;
  float m = channel == 0 ? m0 : channel == 1 ? m1 : m2;
  float low = -m, high = __fsub_rn(255.0f, m), x = image[i];
  x = x >= low ? x : low;
  x = x <= high ? x : high;
  image[i] = x;
}

// numpy's pairwise sum of |a| over one leaf of its recursion (at most PAIRWISE_BLOCK + 7 values)
__device__ float leaf_sum(const float *a, long n) {
  if (n < 8) {
    float total = 0.0f;
    for (long i = 0; i < n; i++) total = __fadd_rn(total, fabsf(a[i]));
    return total;
  }
  float r[8];
  for (int j = 0; j < 8; j++) r[j] = fabsf(a[j]);
  long i = 8, whole = n - n % 8;
  for (; i < whole; i += 8)
    for (int j = 0; j < 8; j++) r[j] = __fadd_rn(r[j], fabsf(a[i + j]));
  float total = __fadd_rn(__fadd_rn(__fadd_rn(r[0], r[1]), __fadd_rn(r[2], r[3])),
                          __fadd_rn(__fadd_rn(r[4], r[5]), __fadd_rn(r[6], r[7])));
  for (; i < n; i++) total = __fadd_rn(total, fabsf(a[i]));
  return total;
}

__global__ void leaves_kernel(float *sums, const float *a, const long *starts, const long *lengths, long leaves) {
  long k = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (k < leaves) sums[k] = leaf_sum(a + starts[k], lengths[k]);
}

// The recursion's inner nodes over the leaves' sums, in its order (leaves are met left to right), walked
// with a stack of its own rather than by recursion: a 48 MP image is 21 levels deep, near CUDA's default
// 1 KB stack per thread. Each level: its size, where it is (0: left child next, 1: right child next,
// 2: both done) and its left child's sum.
__global__ void mean_kernel(float *mean, const float *sums, long n) {
  long size[64];
  float left[64];
  unsigned char stage[64];
  int top = 0;
  long next = 0;
  float result = 0.0f;
  size[0] = n;
  stage[0] = 0;
  while (top >= 0) {
    long m = size[top], half = m / 2;
    half -= half % 8;
    if (m <= PAIRWISE_BLOCK) {
      result = sums[next++];
      top--;
    } else if (stage[top] == 0) {
      stage[top] = 1;
      top++, size[top] = half, stage[top] = 0;
    } else if (stage[top] == 1) {
      left[top] = result, stage[top] = 2;
      top++, size[top] = m - half, stage[top] = 0;
    } else {
      result = __fadd_rn(left[top], result);
      top--;
    }
  }
  *mean = (float)__ddiv_rn((double)result, (double)n);
}

// scipy's order-1 zoom of a 3-D array, per output element the sum from 0.0 of the 8 corners' terms,
// in double, the last axis fastest, each term a * w_axis0 * w_axis1 * w_axis2 multiplied in that
// order; 0 where an axis is outside. Per axis and output index: first, second input index, w0, w1,
// outside (computed on the host by reference.zoom_axis, the same doubles).
struct Axis { const long *first, *second; const double *w0, *w1; const unsigned char *outside; };

__global__ void zoom_kernel(float *out, const float *in, int ic, int ih, int iw, int oc, int oh, int ow,
                            Axis c, Axis y, Axis x) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)oc * oh * ow) return;
  int ox = i % ow, oy = (i / ow) % oh, oz = i / ((long)oh * ow);
  if (c.outside[oz] || y.outside[oy] || x.outside[ox]) { out[i] = 0.0f; return; }
  double total = 0.0;
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
      for (int d = 0; d < 2; d++) {
        long zi = a ? c.second[oz] : c.first[oz], yi = b ? y.second[oy] : y.first[oy];
        long xi = d ? x.second[ox] : x.first[ox];
        double term = (double)in[(zi * ih + yi) * iw + xi];
        term = __dmul_rn(term, a ? c.w1[oz] : c.w0[oz]);
        term = __dmul_rn(term, b ? y.w1[oy] : y.w0[oy]);
        term = __dmul_rn(term, d ? x.w1[ox] : x.w0[ox]);
        total = __dadd_rn(total, term);
      }
  out[i] = (float)total;
}

extern "C" {

// 0, or the CUDA error code, of the launches so far
int dd_last_error() { return (int)cudaGetLastError(); }
const char *dd_error_string(int code) { return cudaGetErrorString((cudaError_t)code); }

// every kernel launched so far finished (a timing's fence: Caffe's layers launch and return)
int dd_synchronize() { return (int)cudaDeviceSynchronize(); }

int dd_alloc(uintptr_t *ptr, long bytes) { return (int)cudaMalloc((void **)ptr, bytes); }
int dd_free(uintptr_t ptr) { return (int)cudaFree((void *)ptr); }
int dd_to_device(uintptr_t dst, const void *src, long bytes) {
  return (int)cudaMemcpy((void *)dst, src, bytes, cudaMemcpyHostToDevice);
}
int dd_to_host(void *dst, uintptr_t src, long bytes) {
  return (int)cudaMemcpy(dst, (const void *)src, bytes, cudaMemcpyDeviceToHost);
}
int dd_copy(uintptr_t dst, uintptr_t src, long bytes) {
  return (int)cudaMemcpy((void *)dst, (const void *)src, bytes, cudaMemcpyDeviceToDevice);
}

void dd_roll(uintptr_t out, uintptr_t in, int c, int h, int w, int ox, int oy) {
  roll_kernel<<<blocks_for((long)c * h * w), THREADS>>>((float *)out, (const float *)in, c, h, w, ox, oy);
}
void dd_add(uintptr_t out, uintptr_t a, uintptr_t b, long n) {
  add_kernel<<<blocks_for(n), THREADS>>>((float *)out, (const float *)a, (const float *)b, n);
}
void dd_subtract(uintptr_t out, uintptr_t a, uintptr_t b, long n) {
  subtract_kernel<<<blocks_for(n), THREADS>>>((float *)out, (const float *)a, (const float *)b, n);
}
void dd_ascend(uintptr_t image, uintptr_t g, float scale, long n) {
  ascend_kernel<<<blocks_for(n), THREADS>>>((float *)image, (const float *)g, scale, n);
}
int dd_zero(uintptr_t out, long bytes) { return (int)cudaMemset((void *)out, 0, bytes); }
void dd_scale(uintptr_t out, float w, uintptr_t a, long n) {
  scale_kernel<<<blocks_for(n), THREADS>>>((float *)out, w, (const float *)a, n);
}
void dd_channel_seed(uintptr_t out, float w, int c, long plane, long n) {
  channel_seed_kernel<<<blocks_for(n), THREADS>>>((float *)out, w, c, plane, n);
}
void dd_mask(uintptr_t g, uintptr_t mask, long plane, long n) {
  mask_kernel<<<blocks_for(n), THREADS>>>((float *)g, (const float *)mask, plane, n);
}
void dd_clip(uintptr_t image, float m0, float m1, float m2, int c, long plane) {
  clip_kernel<<<blocks_for(c * plane), THREADS>>>((float *)image, m0, m1, m2, c, plane);
}
// the mean of |a| (n values) into *mean_host: the leaves in parallel, their sums combined by one
// thread, then the one copy to the host a step makes
int dd_mean_abs(float *mean_host, uintptr_t a, long n, uintptr_t starts, uintptr_t lengths, long leaves,
                uintptr_t sums, uintptr_t mean) {
  leaves_kernel<<<blocks_for(leaves), THREADS>>>((float *)sums, (const float *)a, (const long *)starts,
                                                 (const long *)lengths, leaves);
  mean_kernel<<<1, 1>>>((float *)mean, (const float *)sums, n);
  return (int)cudaMemcpy(mean_host, (const void *)mean, sizeof(float), cudaMemcpyDeviceToHost);
}
// axes: per axis (channel, row, column) five device pointers: first, second, w0, w1, outside
void dd_zoom(uintptr_t out, uintptr_t in, int ic, int ih, int iw, int oc, int oh, int ow, const uintptr_t *axes) {
  Axis a[3];
  for (int k = 0; k < 3; k++)
    a[k] = Axis{(const long *)axes[5 * k], (const long *)axes[5 * k + 1], (const double *)axes[5 * k + 2],
                (const double *)axes[5 * k + 3], (const unsigned char *)axes[5 * k + 4]};
  zoom_kernel<<<blocks_for((long)oc * oh * ow), THREADS>>>((float *)out, (const float *)in, ic, ih, iw, oc, oh,
                                                           ow, a[0], a[1], a[2]);
}

}  // extern "C"
