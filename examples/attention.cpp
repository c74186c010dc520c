//===- attention.cpp - Attention from C++ with the einsum JIT library -----===//
//
// softmax(Q·Kᵀ/√d)·V on the application's own buffers, through
// einsum::attention(): once fused (the default) and once unfused, each
// checked against the plain loops below, with the time per call.
//
//   build/bin/einsum-attention-example [batch seq n_head d_head] [--causal]
//
//===----------------------------------------------------------------------===//

#include "Einsum/Runtime/JIT.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

using einsum::DType;

/// The textbook computation, in double, for the check.
static std::vector<double>
attentionLoops(const std::vector<float> &q, const std::vector<float> &k,
               const std::vector<float> &v, int64_t batch, int64_t seq,
               int64_t heads, int64_t d, bool causal) {
  std::vector<double> out(q.size()), row(seq);
  auto at = [&](int64_t b, int64_t s, int64_t h) {
    return ((b * seq + s) * heads + h) * d;
  };
  double scale = 1.0 / std::sqrt(double(d));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < seq; ++i) {
        double max = -INFINITY, sum = 0;
        for (int64_t j = 0; j < seq; ++j) {
          double s = 0;
          for (int64_t x = 0; x < d; ++x)
            s += double(q[at(b, i, h) + x]) * k[at(b, j, h) + x];
          row[j] = causal && j > i ? -INFINITY : s * scale;
          max = std::max(max, row[j]);
        }
        for (int64_t j = 0; j < seq; ++j)
          sum += row[j] = std::exp(row[j] - max);
        for (int64_t x = 0; x < d; ++x) {
          double acc = 0;
          for (int64_t j = 0; j < seq; ++j)
            acc += row[j] / sum * v[at(b, j, h) + x];
          out[at(b, i, h) + x] = acc;
        }
      }
  return out;
}

int main(int argc, char **argv) {
  int64_t sizes[4] = {2, 512, 8, 64}; // batch, seq, n_head, d_head
  bool causal = false;
  for (int i = 1, n = 0; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--causal"))
      causal = true;
    else if (n < 4)
      sizes[n++] = std::atoll(argv[i]);
  }
  auto [batch, seq, heads, d] =
      std::make_tuple(sizes[0], sizes[1], sizes[2], sizes[3]);
  std::vector<int64_t> shape = {batch, seq, heads, d};
  size_t count = size_t(batch * seq * heads * d);
  std::vector<float> q(count), k(count), v(count), out(count);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (std::vector<float> *data : {&q, &k, &v})
    for (float &x : *data)
      x = uniform(rng);

  std::vector<double> want =
      attentionLoops(q, k, v, batch, seq, heads, d, causal);
  std::printf("attention: batch %lld, seq %lld, n_head %lld, d_head %lld%s\n",
              (long long)batch, (long long)seq, (long long)heads, (long long)d,
              causal ? ", causal" : "");
  int failures = 0;
  for (const char *variant : {"fused", "unfused"}) {
    einsum::KernelOptions options;
    options.pipeline.attentionVariant = variant;
    einsum::AttentionOptions attention;
    attention.causal = causal;
    auto call = [&] {
      return einsum::attention(
          einsum::TensorView::contiguous(q.data(), DType::F32, shape),
          einsum::TensorView::contiguous(k.data(), DType::F32, shape),
          einsum::TensorView::contiguous(v.data(), DType::F32, shape),
          einsum::OutputView::contiguous(out.data(), DType::F32, shape),
          attention, options);
    };
    if (llvm::Error error = call()) { // compiles, then runs
      std::fprintf(stderr, "error: %s\n",
                   llvm::toString(std::move(error)).c_str());
      return 1;
    }
    double worst = 0;
    for (size_t i = 0; i < count; ++i)
      worst = std::max(worst, std::fabs(out[i] - want[i]));
    const int runs = 10;
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < runs; ++r)
      llvm::cantFail(call());
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count() /
                runs;
    bool ok = worst < 1e-5;
    failures += !ok;
    std::printf("  %-8s %8.3f ms per call, max |error| %.2e: %s\n", variant, ms,
                worst, ok ? "ok" : "WRONG");
  }
  return failures ? 1 : 0;
}
