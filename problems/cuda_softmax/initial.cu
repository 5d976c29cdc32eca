// Row-wise softmax, float32: y[r][c] = exp(x[r][c] - m_r) / sum_c' exp(x[r][c'] - m_r),
// with m_r the row's maximum. The harness launches `softmax` with
// ceil(rows / ROWS_PER_BLOCK) blocks of THREADS threads (both read from the constants
// below), on fresh random inputs in every trial, timed with CUDA events.
// Device code only: no host code, no includes beyond the allowed CUDA headers.

// EVOLVE-BLOCK-START
constexpr int kThreads = 128;     // threads per block: a power of two (tree reductions)
constexpr int kRowsPerBlock = 1;  // rows each block handles, one after the other

extern "C" __constant__ int THREADS = kThreads;
extern "C" __constant__ int ROWS_PER_BLOCK = kRowsPerBlock;

// Reduce one value per thread to one per block; every thread gets the result.
__device__ float block_reduce(float value, float* scratch, bool take_max) {
  scratch[threadIdx.x] = value;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      const float other = scratch[threadIdx.x + stride];
      scratch[threadIdx.x] = take_max ? fmaxf(scratch[threadIdx.x], other)
                                      : scratch[threadIdx.x] + other;
    }
    __syncthreads();
  }
  const float result = scratch[0];
  __syncthreads();
  return result;
}

extern "C" __global__ void softmax(const float* x, float* y, int rows, int cols) {
  __shared__ float scratch[kThreads];
  for (int r = 0; r < kRowsPerBlock; ++r) {
    const int row = blockIdx.x * kRowsPerBlock + r;
    if (row >= rows) break;  // the same for every thread of the block
    const float* in = x + (size_t)row * cols;
    float* out = y + (size_t)row * cols;

    float local_max = __int_as_float(0xff800000);  // -infinity
    for (int c = threadIdx.x; c < cols; c += kThreads) local_max = fmaxf(local_max, in[c]);
    const float row_max = block_reduce(local_max, scratch, true);

    float local_sum = 0.0f;
    for (int c = threadIdx.x; c < cols; c += kThreads) local_sum += expf(in[c] - row_max);
    const float inverse = 1.0f / block_reduce(local_sum, scratch, false);

    for (int c = threadIdx.x; c < cols; c += kThreads) out[c] = expf(in[c] - row_max) * inverse;
  }
}
// EVOLVE-BLOCK-END
