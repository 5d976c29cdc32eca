// Matrix multiply, float16 in and out, float32 accumulation: c = a @ b with a (m x k),
// b (k x n), c (m x n), all row-major. The harness launches `matmul` with a grid of
// ceil(n / TILE_N) x ceil(m / TILE_M) blocks of BLOCK_X x BLOCK_Y threads and
// SHARED_BYTES of dynamic shared memory (all read from the constants below), on fresh
// random inputs in every trial. Device code only: no host code, no includes beyond the
// allowed CUDA headers.
#include <cuda_fp16.h>

// EVOLVE-BLOCK-START
constexpr int kTile = 16;  // each block computes a kTile x kTile tile of c, one element per thread

extern "C" __constant__ int TILE_M = kTile;
extern "C" __constant__ int TILE_N = kTile;
extern "C" __constant__ int BLOCK_X = kTile;
extern "C" __constant__ int BLOCK_Y = kTile;
extern "C" __constant__ int SHARED_BYTES = 0;

extern "C" __global__ void matmul(const __half* a, const __half* b, __half* c, int m, int n,
                                  int k) {
  __shared__ float a_tile[kTile][kTile];
  __shared__ float b_tile[kTile][kTile];
  const int row = blockIdx.y * kTile + threadIdx.y;
  const int col = blockIdx.x * kTile + threadIdx.x;
  float acc = 0.0f;
  for (int k0 = 0; k0 < k; k0 += kTile) {
    const int ak = k0 + threadIdx.x;
    const int bk = k0 + threadIdx.y;
    a_tile[threadIdx.y][threadIdx.x] =
        (row < m && ak < k) ? __half2float(a[(size_t)row * k + ak]) : 0.0f;
    b_tile[threadIdx.y][threadIdx.x] =
        (bk < k && col < n) ? __half2float(b[(size_t)bk * n + col]) : 0.0f;
    __syncthreads();
    for (int i = 0; i < kTile; ++i) acc += a_tile[threadIdx.y][i] * b_tile[i][threadIdx.x];
    __syncthreads();
  }
  if (row < m && col < n) c[(size_t)row * n + col] = __float2half(acc);
}
// EVOLVE-BLOCK-END
