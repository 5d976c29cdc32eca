// Layer normalisation over rows, float16 in and out, float32 statistics:
//   y[r][c] = (x[r][c] - mean_r) / sqrt(var_r + eps) * weight[c] + bias[c]
// The harness launches `layernorm` with ceil(rows / ROWS_PER_BLOCK) blocks of THREADS
// threads (both read from the constants below), on fresh random inputs in every trial.
// Device code only: no host code, no includes beyond the allowed CUDA headers.
#include <cuda_fp16.h>

// EVOLVE-BLOCK-START
constexpr int kThreads = 128;     // threads per block: a power of two (tree reductions)
constexpr int kRowsPerBlock = 1;  // rows each block handles, one after the other

extern "C" __constant__ int THREADS = kThreads;
extern "C" __constant__ int ROWS_PER_BLOCK = kRowsPerBlock;

// Sum one value per thread over the block; every thread gets the result.
__device__ float block_sum(float value, float* scratch) {
  scratch[threadIdx.x] = value;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) scratch[threadIdx.x] += scratch[threadIdx.x + stride];
    __syncthreads();
  }
  const float result = scratch[0];
  __syncthreads();
  return result;
}

extern "C" __global__ void layernorm(const __half* x, const __half* weight, const __half* bias,
                                     __half* y, int rows, int cols, float eps) {
  __shared__ float scratch[kThreads];
  for (int r = 0; r < kRowsPerBlock; ++r) {
    const int row = blockIdx.x * kRowsPerBlock + r;
    if (row >= rows) break;  // the same for every thread of the block
    const __half* in = x + (size_t)row * cols;
    __half* out = y + (size_t)row * cols;

    float local = 0.0f;
    for (int c = threadIdx.x; c < cols; c += kThreads) local += __half2float(in[c]);
    const float mean = block_sum(local, scratch) / cols;

    local = 0.0f;
    for (int c = threadIdx.x; c < cols; c += kThreads) {
      const float d = __half2float(in[c]) - mean;
      local += d * d;
    }
    const float rstd = rsqrtf(block_sum(local, scratch) / cols + eps);

    for (int c = threadIdx.x; c < cols; c += kThreads) {
      const float v = (__half2float(in[c]) - mean) * rstd;
      out[c] = __float2half(v * __half2float(weight[c]) + __half2float(bias[c]));
    }
  }
}
// EVOLVE-BLOCK-END
