//===- jit_overhead.cpp - JIT compile time and cached-call overhead -------===//
//
// Reports (a benchmark, not a test):
//   * compile time per kernel (median over distinct 2-operand einsums),
//   * the cost of a cached einsum::einsum() call over Kernel::run, and of
//     Kernel::run itself on an (almost) empty kernel.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Runtime/JIT.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace einsum;
using Clock = std::chrono::steady_clock;

template <typename F> static double medianMicros(int runs, F &&f) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    f();
    times.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main() {
  Compiler compiler;
  struct Case {
    const char *spec;
    std::vector<std::vector<int64_t>> shapes;
  };
  std::vector<Case> cases;
  for (int64_t n : {64, 96, 128, 256, 512, 1024})
    cases.push_back({"ik,kj->ij", {{n, n}, {n, n}}});
  for (int64_t s : {128, 256, 512})
    cases.push_back({"bqhd,bkhd->bhqk", {{2, s, 8, 64}, {2, s, 8, 64}}});
  for (int64_t n : {100, 1000})
    cases.push_back({"bik,bkj->bij", {{4, n, 64}, {4, 64, n}}});
  std::vector<double> compileMs;
  std::printf("%-22s %-28s %10s %10s\n", "spec", "shapes", "MLIR ms", "LLVM ms");
  for (const Case &c : cases) {
    auto kernel = compiler.compile(c.spec, c.shapes, DType::F32);
    if (!kernel) {
      std::fprintf(stderr, "%s\n", llvm::toString(kernel.takeError()).c_str());
      return 1;
    }
    double ms = (*kernel)->pipelineMillis() + (*kernel)->codegenMillis();
    compileMs.push_back(ms);
    std::string shapes;
    for (const auto &s : c.shapes)
      shapes += (shapes.empty() ? "" : ",") + shapeString(s);
    std::printf("%-22s %-28s %10.1f %10.1f\n", c.spec, shapes.c_str(),
                (*kernel)->pipelineMillis(), (*kernel)->codegenMillis());
  }
  std::sort(compileMs.begin(), compileMs.end());
  std::printf("compile time per kernel: median %.1f ms, max %.1f ms "
              "(target: median <= 150 ms)\n",
              compileMs[compileMs.size() / 2], compileMs.back());

  // Cached-call overhead on a tiny einsum.
  std::vector<float> x(16, 1.0f), out(1);
  std::vector<TensorView> inputs = {
      TensorView::contiguous(x.data(), DType::F32, {16}),
      TensorView::contiguous(x.data(), DType::F32, {16})};
  OutputView output = OutputView::contiguous(out.data(), DType::F32, {});
  auto kernel = Compiler::global().getKernel("i,i->", operandTypesOf(inputs));
  if (!kernel) {
    std::fprintf(stderr, "%s\n", llvm::toString(kernel.takeError()).c_str());
    return 1;
  }
  const int runs = 200000;
  double run = medianMicros(runs, [&] {
    llvm::cantFail((*kernel)->run(inputs, output));
  });
  double cached = medianMicros(runs, [&] {
    llvm::cantFail(einsum::einsum("i,i->", inputs, output));
  });
  std::printf("Kernel::run on a 16-element dot product: %.3f us\n", run);
  std::printf("einsum::einsum (cache hit + run):          %.3f us\n", cached);
  std::printf("cached-call overhead over Kernel::run:     %.3f us "
              "(target: <= 2 us)\n",
              cached - run);
  return 0;
}
