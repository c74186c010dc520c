/* The machine's limits, single core:
 *   - f32 FMA throughput: 24 independent chains of 512-bit (or, on other
 *     CPUs, the widest available) fused multiply-adds;
 *   - copy bandwidth: memcpy between two 256 MiB buffers, counting the bytes
 *     read and written (as STREAM's copy does), median of 9 runs.
 * Prints "fma_gflops X" and "copy_gbs Y". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#else
#error "needs AVX2+FMA or AVX-512"
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double copyBandwidth(void) {
  size_t bytes = (size_t)256 << 20;
  char *src = malloc(bytes), *dst = malloc(bytes);
  if (!src || !dst)
    return 0;
  memset(src, 1, bytes);
  memset(dst, 0, bytes);
  double times[9];
  for (int i = 0; i < 9; i++) {
    double t = now();
    memcpy(dst, src, bytes);
    times[i] = now() - t;
  }
  qsort(times, 9, sizeof(double), compare);
  volatile char sink = dst[bytes - 1];
  (void)sink;
  free(src);
  free(dst);
  return 2.0 * bytes / times[4] / 1e9;
}

/* More chains than FMA latency x FMA ports on any current core (4 x 2). */
enum { CHAINS = 24 };

static double fmaPeak(void) {
  /* The chains start from different values: identical chains would be
   * merged into one by the compiler (GCC does), timing FMA latency instead
   * of throughput. */
  vec a[CHAINS];
  for (int i = 0; i < CHAINS; i++)
    a[i] = SET1(0.1f + 0.01f * i);
  vec b = SET1(0.9999f), c = SET1(0.0001f);
  long n = 50000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
#pragma GCC unroll 24
    for (int j = 0; j < CHAINS; j++)
      a[j] = FMA(a[j], b, c);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  float sink[LANES * CHAINS];
  __builtin_memcpy(sink, a, sizeof(a));
  float sum = 0;
  for (int i = 0; i < LANES * CHAINS; i++)
    sum += sink[i];
  if (sum == 12345.0f) /* keeps the chains alive */
    puts("");
  return n * (double)CHAINS * LANES * 2 / s / 1e9;
}

int main(void) {
  printf("fma_gflops %.1f\n", fmaPeak());
  printf("copy_gbs %.1f\n", copyBandwidth());
  return 0;
}
