//===- JITTest.cpp - Tests for the JIT compiler, kernels and cache --------===//

#include "Einsum/Runtime/JIT.h"
#include "../Path/OptEinsumCases.h"
#include "Einsum/Reference/Reference.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

using namespace einsum;

namespace {

std::string message(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "";
}

template <typename T>
OutputView outputOf(std::vector<T> &buffer, DType dtype,
                    std::vector<int64_t> shape) {
  OutputView view = OutputView::contiguous(buffer.data(), dtype, shape);
  view.capacityBytes = buffer.size() * sizeof(T);
  return view;
}

TEST(JIT, CompilesAndRunsAMatmul) {
  Compiler compiler;
  auto kernel = compiler.compile("ij,jk->ik", {{2, 3}, {3, 2}}, DType::F32);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {1, 0, 0, 1, 1, 1};
  std::vector<float> c(4, -1);
  EXPECT_EQ(message((*kernel)->run(
                {TensorView::contiguous(a.data(), DType::F32, {2, 3}),
                 TensorView::contiguous(b.data(), DType::F32, {3, 2})},
                outputOf(c, DType::F32, {2, 2}))),
            "");
  EXPECT_EQ(c, (std::vector<float>{4, 5, 10, 11}));
}

TEST(JIT, EmitsTheKernelModule) {
  Compiler compiler;
  std::vector<OperandType> operands = {{DType::F16, {4, 8}}, {DType::F32, {8}}};
  auto mlir = compiler.emitMLIR("ij,j->i", operands);
  ASSERT_TRUE(static_cast<bool>(mlir)) << llvm::toString(mlir.takeError());
  // f16 is promoted to f32 before the contraction; the output is f32.
  EXPECT_NE(mlir->find("arith.extf"), std::string::npos) << *mlir;
  EXPECT_NE(mlir->find("einsum.contract \"ij,j->i\""), std::string::npos);
  EXPECT_NE(mlir->find("memref<4xf32>"), std::string::npos);
  auto lowered = compiler.emitMLIR("ij,j->i", operands, {}, /*lowered=*/true);
  ASSERT_TRUE(static_cast<bool>(lowered));
  EXPECT_NE(lowered->find("llvm.func @einsum_kernel"), std::string::npos);
}

TEST(JIT, DynamicKernelRunsOnManyShapes) {
  Compiler compiler;
  KernelOptions options;
  options.dynamicShapes = true;
  auto kernel = compiler.compile("i,i->", {{4}, {4}}, DType::F64, options);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  for (int64_t n : {1, 7, 100}) {
    std::vector<double> x(n, 2.0), out(1);
    ASSERT_EQ(message((*kernel)->run(
                  {TensorView::contiguous(x.data(), DType::F64, {n}),
                   TensorView::contiguous(x.data(), DType::F64, {n})},
                  outputOf(out, DType::F64, {}))),
              "");
    EXPECT_EQ(out[0], 4.0 * n);
  }
}

TEST(JIT, StridedViewsAsTheyAre) {
  // a: a 3x2 view of the transpose of a 2x4 buffer's first 3 columns.
  std::vector<float> buffer = {1, 2, 3, 100, 4, 5, 6, 200};
  TensorView transposed{buffer.data(), DType::F32, {3, 2}, {1, 4}};
  std::vector<float> ones = {1, 1};
  TensorView broadcast{ones.data(), DType::F32, {2, 5}, {1, 0}};
  // out[i, k] = sum_j a[i, j] * 1, written into every other column.
  std::vector<float> out(3 * 10, -7);
  OutputView strided{out.data(), DType::F32, {3, 5}, {10, 2}};
  strided.capacityBytes = out.size() * sizeof(float);
  ASSERT_EQ(
      message(einsum::einsum("ij,jk->ik", {transposed, broadcast}, strided)),
      "");
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 10; ++k)
      EXPECT_EQ(out[i * 10 + k], k % 2 ? -7.0f : float(2 * i + 5))
          << i << "," << k;
  // Negative strides: the rows of the buffer in reverse.
  TensorView reversed{buffer.data() + 4, DType::F32, {2, 3}, {-4, 1}};
  std::vector<float> sums(2);
  ASSERT_EQ(message(einsum::einsum("ij->i", {reversed},
                                   outputOf(sums, DType::F32, {2}))),
            "");
  EXPECT_EQ(sums, (std::vector<float>{15, 6}));
}

TEST(JIT, MixedTypesPromoteLikeNumPy) {
  EXPECT_EQ(promoteTypes(DType::F16, DType::F32), DType::F32);
  EXPECT_EQ(promoteTypes(DType::I32, DType::F32), DType::F64);
  EXPECT_EQ(promoteTypes(DType::I32, DType::I64), DType::I64);
  EXPECT_EQ(promoteTypes(DType::BF16, DType::F16), DType::F32);
  EXPECT_EQ(promoteTypes(DType::BF16, DType::F64), DType::F64);
  std::vector<int32_t> a = {1, 2, 3};
  std::vector<float> b = {0.5f, 0.25f, 2.0f};
  std::vector<double> out(1);
  ASSERT_EQ(message(einsum::einsum(
                "i,i->",
                {TensorView::contiguous(a.data(), DType::I32, {3}),
                 TensorView::contiguous(b.data(), DType::F32, {3})},
                outputOf(out, DType::F64, {}))),
            "");
  EXPECT_EQ(out[0], 7.0);
  std::vector<float> wrong(1);
  EXPECT_EQ(message(einsum::einsum(
                "i,i->",
                {TensorView::contiguous(a.data(), DType::I32, {3}),
                 TensorView::contiguous(b.data(), DType::F32, {3})},
                outputOf(wrong, DType::F32, {}))),
            "output has dtype f32 but the einsum gives f64");
}

TEST(JIT, CompileErrorsNameTheCulprit) {
  Compiler compiler;
  auto bad = compiler.compile("ik,kj->ij", {{4, 64}, {32, 5}}, DType::F32);
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "size of label 'k' differs: operand 0 has 64, operand 1 has 32\n"
            "  ik,kj->ij\n   ^ ^");
  auto syntax = compiler.compile("i%", {{2}}, DType::F32);
  ASSERT_FALSE(static_cast<bool>(syntax));
  EXPECT_NE(llvm::toString(syntax.takeError()).find("invalid character '%'"),
            std::string::npos);
  auto none = compiler.compile("->", std::vector<OperandType>{});
  ASSERT_FALSE(static_cast<bool>(none));
  EXPECT_EQ(llvm::toString(none.takeError()), "einsum: no operands given");
}

// Found by the JIT fuzzer: an empty output's row-major strides contain 0
// (shape 2x0 has strides 0, 1), which the overlap check rejected.
TEST(JIT, EmptyOutputWithZeroStrides) {
  Compiler compiler;
  std::vector<float> a(4, 1.0f), out(1);
  auto kernel = compiler.compile("c,ea->cea", {{2}, {0, 2}}, DType::F32);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  EXPECT_EQ(message((*kernel)->run(
                {TensorView::contiguous(a.data(), DType::F32, {2}),
                 TensorView::contiguous(a.data(), DType::F32, {0, 2})},
                OutputView::contiguous(out.data(), DType::F32, {2, 0, 2}))),
            "");
}

// Large write-only outputs are written with non-temporal stores where the
// address is 64-byte aligned and ordinary ones elsewhere: an output that
// starts one element past an aligned address gets every value right.
TEST(JIT, StreamedOutputAtAnyAlignment) {
  const int64_t n = 2048, m = 1536; // 12 MiB of output: streamed
  std::vector<float> a(n * m), expected(n * m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      a[i * m + j] = float((i * 7 + j * 3) % 101) - 50;
      expected[j * n + i] = a[i * m + j];
    }
  Compiler compiler;
  auto kernel = compiler.compile("ij->ji", {{n, m}}, DType::F32);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  std::vector<float> storage(n * m + 32);
  for (size_t shift : {size_t(0), size_t(1), size_t(5)}) {
    // Align the output to 64 bytes, then shift it by `shift` elements.
    auto base = reinterpret_cast<uintptr_t>(storage.data());
    float *out = reinterpret_cast<float *>((base + 63) / 64 * 64) + shift;
    std::fill(out, out + n * m, -1.0f);
    ASSERT_EQ(message((*kernel)->run(
                  {TensorView::contiguous(a.data(), DType::F32, {n, m})},
                  OutputView::contiguous(out, DType::F32, {m, n}))),
              "");
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out))
        << "shift " << shift;
  }
}

// Found by the JIT fuzzer: a strided operand read along an axis that is not
// its last, in a vectorized tile, gave wrong results (MLIR 22 mis-infers
// rank-reducing subviews of buffers with dynamic strides); strided operands
// are now copied to contiguous buffers first. Static and dynamic kernels.
TEST(JIT, StridedOperandInVectorizedTile) {
  std::vector<double> a(48), b = {1, 2, 3};
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = double(int(i % 7) - 3);
  TensorView va{a.data(), DType::F64, {3, 4, 2, 2}, {1, 12, 3, 6}};
  TensorView vb = TensorView::contiguous(b.data(), DType::F64, {3});
  SpecResult<ReferenceResult> reference =
      evaluateReference(*parseSpec("bc...,b"), {va, vb});
  ASSERT_TRUE(static_cast<bool>(reference));
  Compiler compiler;
  for (bool dynamic : {false, true}) {
    KernelOptions options;
    options.dynamicShapes = dynamic;
    auto kernel =
        compiler.compile("bc...,b", operandTypesOf({va, vb}), options);
    ASSERT_TRUE(static_cast<bool>(kernel))
        << llvm::toString(kernel.takeError());
    std::vector<double> out(16);
    ASSERT_EQ(message((*kernel)->run(
                  {va, vb},
                  OutputView::contiguous(out.data(), DType::F64, {2, 2, 4}))),
              "");
    EXPECT_TRUE(compareToReference(*reference, out.data(), DType::F64, 1e-14)
                    .withinTolerance)
        << "dynamic " << dynamic;
  }
}

// Found by the JIT fuzzer: a dynamic-shape kernel indexed a size-1 '...'
// dim that should broadcast by its loop dim, reading past the operand. Such
// shapes are now rejected, at compile and at run time.
TEST(JIT, DynamicKernelsDoNotBroadcastEllipsisDims) {
  Compiler compiler;
  KernelOptions options;
  options.dynamicShapes = true;
  auto broadcasting =
      compiler.compile("...,...->...", {{1, 1}, {2, 1}}, DType::F32, options);
  EXPECT_NE(message(broadcasting.takeError())
                .find("a kernel for dynamic shapes does not do"),
            std::string::npos);
  auto kernel =
      compiler.compile("...,...->...", {{2, 1}, {2, 1}}, DType::F32, options);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  std::vector<float> a(2, 1), b(2, 2), out(2);
  EXPECT_NE(message((*kernel)->run(
                        {TensorView::contiguous(a.data(), DType::F32, {1, 1}),
                         TensorView::contiguous(b.data(), DType::F32, {2, 1})},
                        OutputView::contiguous(out.data(), DType::F32, {2, 1})))
                .find("operand 0 (shape 1x1) broadcasts its size-1 axis 0"),
            std::string::npos);
  EXPECT_EQ(message((*kernel)->run(
                {TensorView::contiguous(b.data(), DType::F32, {2, 1}),
                 TensorView::contiguous(b.data(), DType::F32, {2, 1})},
                OutputView::contiguous(out.data(), DType::F32, {2, 1}))),
            "");
  EXPECT_EQ(out, (std::vector<float>{4, 4}));
}

TEST(JIT, RunErrors) {
  Compiler compiler;
  auto kernel = compiler.compile("ij->i", {{2, 3}}, DType::F32);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  std::vector<float> a(6), out(2);
  auto view = TensorView::contiguous(a.data(), DType::F32, {2, 3});
  auto run = [&](std::vector<TensorView> inputs, OutputView output) {
    return message((*kernel)->run(inputs, output));
  };
  OutputView good = outputOf(out, DType::F32, {2});
  EXPECT_EQ(run({view}, good), "");
  EXPECT_EQ(run({view, view}, good),
            "kernel for 'ij->i' takes 1 operand(s), got 2");
  EXPECT_EQ(run({TensorView::contiguous(a.data(), DType::F32, {3, 2})}, good),
            "operand 0 has shape 3x2 but the kernel was compiled for 2x3");
  EXPECT_EQ(run({TensorView::contiguous(nullptr, DType::F32, {2, 3})}, good),
            "operand 0 is a null pointer");
  EXPECT_EQ(run({TensorView::contiguous(a.data(), DType::F64, {2, 3})}, good),
            "operand 0 has dtype f64 but the kernel takes f32");
  EXPECT_EQ(run({TensorView{a.data(), DType::F32, {2, 3}, {1, 2}}}, good),
            "operand 0 is not contiguous (row-major) but the kernel was "
            "compiled for contiguous operands");
  EXPECT_EQ(run({TensorView{a.data(), DType::F32, {2, 3}, {1}}}, good),
            "operand 0 has 1 strides for rank 2");
  EXPECT_EQ(run({view}, OutputView::contiguous(nullptr, DType::F32, {2})),
            "output is a null pointer");
  EXPECT_EQ(run({view}, outputOf(out, DType::F32, {3})),
            "output has shape 3 but the einsum gives 2");
  OutputView small = good;
  small.capacityBytes = 4;
  EXPECT_EQ(run({view}, small),
            "output view reaches 8 bytes but its buffer holds 4");
}

TEST(JIT, StridedOutputErrors) {
  std::vector<float> a(6), out(8);
  auto view = TensorView::contiguous(a.data(), DType::F32, {2, 3});
  OutputView overlap{out.data(), DType::F32, {2}, {0}};
  EXPECT_EQ(message(einsum::einsum("ij->i", {view}, overlap)),
            "output axis 0 has stride 0: its elements would overlap");
  std::vector<float> a4(4);
  OutputView diagonal{out.data(), DType::F32, {2, 2}, {1, 1}};
  EXPECT_EQ(
      message(einsum::einsum(
          "ij->ij", {TensorView::contiguous(a4.data(), DType::F32, {2, 2})},
          diagonal)),
      "output axis 1 (stride 1) overlaps the axes with smaller strides");
  OutputView transposed{out.data(), DType::F32, {2, 2}, {1, 2}};
  EXPECT_EQ(
      message(einsum::einsum(
          "ij->ij", {TensorView::contiguous(a4.data(), DType::F32, {2, 2})},
          transposed)),
      "");
  OutputView outside{out.data(), DType::F32, {2}, {8}};
  outside.capacityBytes = out.size() * sizeof(float);
  EXPECT_EQ(message(einsum::einsum("ij->i", {view}, outside)),
            "output view reaches 36 bytes but its buffer holds 32");
}

TEST(JIT, CacheSharesCanonicalSpecs) {
  Compiler compiler;
  std::vector<OperandType> operands = {{DType::F32, {4, 5}},
                                       {DType::F32, {5, 6}}};
  auto k1 = compiler.getKernel("ij,jk->ik", operands);
  auto k2 = compiler.getKernel("ab, bc -> ac", operands);
  auto k3 = compiler.getKernel("ij,jk", operands);
  ASSERT_TRUE(k1 && k2 && k3);
  EXPECT_EQ(k1->get(), k2->get());
  EXPECT_EQ(k1->get(), k3->get());
  auto other = compiler.getKernel("ij,jk->ki",
                                  {{DType::F32, {4, 5}}, {DType::F32, {5, 6}}});
  ASSERT_TRUE(static_cast<bool>(other));
  EXPECT_NE(k1->get(), other->get());
  EXPECT_EQ(compiler.compilations(), 2u);
  EXPECT_EQ(compiler.cacheHits(), 2u);
}

TEST(JIT, CacheIsBounded) {
  Compiler compiler(/*cacheCapacity=*/2);
  for (int64_t n : {2, 3, 4})
    ASSERT_TRUE(
        static_cast<bool>(compiler.getKernel("i->", {{DType::F32, {n}}})));
  EXPECT_EQ(compiler.cacheSize(), 2u);
  // The least recently used (n = 2) was evicted and compiles again.
  ASSERT_TRUE(
      static_cast<bool>(compiler.getKernel("i->", {{DType::F32, {2}}})));
  EXPECT_EQ(compiler.compilations(), 4u);
}

TEST(JIT, ConcurrentCompileAndRunFromEightThreads) {
  Compiler compiler;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      // Two specs shared by all threads, with a per-thread size for one.
      for (int round = 0; round < 3; ++round) {
        int64_t n = 8 + (t % 2);
        std::vector<float> a(n * n, 1.0f), out(n);
        auto kernel = compiler.getKernel(round % 2 ? "ij->i" : "ab->a",
                                         {{DType::F32, {n, n}}});
        if (!kernel) {
          llvm::consumeError(kernel.takeError());
          ++failures;
          continue;
        }
        OutputView view = OutputView::contiguous(out.data(), DType::F32, {n});
        if (llvm::Error e = (*kernel)->run(
                {TensorView::contiguous(a.data(), DType::F32, {n, n})}, view)) {
          llvm::consumeError(std::move(e));
          ++failures;
        }
        for (float v : out)
          if (v != float(n))
            ++failures;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
  // One kernel per size, each compiled once.
  EXPECT_EQ(compiler.compilations(), 2u);
}

//===----------------------------------------------------------------------===//
// Differential tests: random einsums against the reference evaluator.
//===----------------------------------------------------------------------===//

/// A random valid einsum: 1-4 operands over up to 6 labels, repeated labels,
/// sometimes '...', implicit or explicit output; sizes 1-5.
struct RandomEinsum {
  std::string spec;
  std::vector<std::vector<int64_t>> shapes;
};

RandomEinsum randomEinsum(std::mt19937 &rng) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int numLabels = pick(1, 6);
  std::vector<int64_t> sizes;
  for (int i = 0; i < numLabels; ++i)
    sizes.push_back(pick(1, 5));
  bool ellipsis = pick(0, 3) == 0;
  std::vector<int64_t> ellipsisDims;
  if (ellipsis)
    for (int i = pick(0, 2); i > 0; --i)
      ellipsisDims.push_back(pick(1, 3));
  RandomEinsum result;
  int numOperands = pick(1, 4);
  std::vector<int> used(numLabels, 0);
  for (int op = 0; op < numOperands; ++op) {
    if (op)
      result.spec += ',';
    std::vector<int64_t> shape;
    int rank = pick(0, 3);
    bool withEllipsis = ellipsis && pick(0, 1);
    int ellipsisAt = withEllipsis ? pick(0, rank) : -1;
    for (int axis = 0; axis <= rank; ++axis) {
      if (axis == ellipsisAt) {
        result.spec += "...";
        // Right-aligned broadcasting: a suffix of the dims, size 1 allowed.
        size_t keep = pick(0, int(ellipsisDims.size()));
        for (size_t d = ellipsisDims.size() - keep; d < ellipsisDims.size();
             ++d)
          shape.push_back(pick(0, 3) == 0 ? 1 : ellipsisDims[d]);
      }
      if (axis == rank)
        break;
      int label = pick(0, numLabels - 1);
      ++used[label];
      result.spec += char('a' + label);
      shape.push_back(sizes[label]);
    }
    result.shapes.push_back(shape);
  }
  if (pick(0, 2) == 0)
    return result; // implicit output
  result.spec += "->";
  bool anyEllipsis = result.spec.find("...") != std::string::npos;
  if (anyEllipsis)
    result.spec += "...";
  for (int label = 0; label < numLabels; ++label)
    if (used[label] && pick(0, 1))
      result.spec += char('a' + label);
  return result;
}

TEST(JITDifferential, RandomEinsumsMatchTheReference) {
  Compiler compiler;
  std::mt19937 rng(::testing::GTEST_FLAG(random_seed)
                       ? ::testing::GTEST_FLAG(random_seed)
                       : 2026);
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    RandomEinsum e = randomEinsum(rng);
    DType dtype = i % 3 == 0 ? DType::F64 : DType::F32;
    SpecResult<Spec> spec = parseSpec(e.spec);
    ASSERT_TRUE(static_cast<bool>(spec)) << e.spec;
    if (!bindSpec(*spec, e.shapes))
      continue; // e.g. '...' of unequal broadcast sizes
    std::vector<std::vector<double>> data;
    std::vector<TensorView> views;
    std::uniform_real_distribution<double> value(-1, 1);
    for (const std::vector<int64_t> &shape : e.shapes) {
      int64_t count = 1;
      for (int64_t s : shape)
        count *= s;
      data.emplace_back(count);
      std::vector<char> raw(count * dtypeSize(dtype));
      for (double &v : data.back())
        v = value(rng);
    }
    // Stored in the dtype; views over those buffers.
    std::vector<std::vector<char>> buffers;
    for (size_t op = 0; op < e.shapes.size(); ++op) {
      buffers.emplace_back(data[op].size() * dtypeSize(dtype) + 1);
      for (size_t k = 0; k < data[op].size(); ++k)
        storeDouble(buffers.back().data(), dtype, k, data[op][k]);
      views.push_back(
          TensorView::contiguous(buffers.back().data(), dtype, e.shapes[op]));
    }
    SpecResult<ReferenceResult> reference = evaluateReference(*spec, views);
    ASSERT_TRUE(static_cast<bool>(reference)) << e.spec;
    std::vector<char> out(reference->values.size() * dtypeSize(dtype) + 1);
    OutputView view =
        OutputView::contiguous(out.data(), dtype, reference->shape);
    auto kernel = compiler.getKernel(e.spec, operandTypesOf(views));
    ASSERT_TRUE(static_cast<bool>(kernel))
        << e.spec << ": " << llvm::toString(kernel.takeError());
    ASSERT_EQ(message((*kernel)->run(views, view)), "") << e.spec;
    Comparison c = compareToReference(*reference, out.data(), dtype,
                                      defaultTolerance(dtype));
    EXPECT_TRUE(c.withinTolerance) << e.spec << " error " << c.maxRelativeError;
    ++compared;
  }
  EXPECT_GT(compared, 200);
}

//===----------------------------------------------------------------------===//
// Contraction order
//===----------------------------------------------------------------------===//

/// Random data of `dtype` for `shapes`, and views over it.
struct RandomOperands {
  std::vector<std::vector<char>> buffers;
  std::vector<TensorView> views;
};

RandomOperands randomOperands(const std::vector<std::vector<int64_t>> &shapes,
                              DType dtype, std::mt19937 &rng) {
  RandomOperands result;
  std::uniform_real_distribution<double> value(-1, 1);
  for (const std::vector<int64_t> &shape : shapes) {
    int64_t count = 1;
    for (int64_t s : shape)
      count *= s;
    result.buffers.emplace_back(count * dtypeSize(dtype) + 1);
    for (int64_t k = 0; k < count; ++k)
      storeDouble(result.buffers.back().data(), dtype, k, value(rng));
  }
  for (size_t i = 0; i < shapes.size(); ++i)
    result.views.push_back(
        TensorView::contiguous(result.buffers[i].data(), dtype, shapes[i]));
  return result;
}

TEST(JITContractionOrder, PathOfTheFourIndexTransform) {
  std::vector<OperandType> operands;
  for (std::vector<int64_t> shape : {std::vector<int64_t>{16, 16},
                                     {16, 16},
                                     {16, 16, 16, 16},
                                     {16, 16},
                                     {16, 16}})
    operands.push_back({DType::F32, shape, false});
  auto path = contractionPath("pi,qj,ijkl,rk,sl->pqrs", operands);
  ASSERT_TRUE(static_cast<bool>(path)) << llvm::toString(path.takeError());
  EXPECT_EQ(path->steps.size(), 4u);
  EXPECT_EQ(path->naiveFlops / path->totalFlops, 2560);

  KernelOptions none;
  none.pipeline.path.algorithm = PathAlgorithm::None;
  auto single = contractionPath("pi,qj,ijkl,rk,sl->pqrs", operands, none);
  ASSERT_TRUE(static_cast<bool>(single));
  EXPECT_TRUE(single->isSingleStep());

  auto bad = contractionPath(
      "ij,jk->ik", {{DType::F32, {2, 3}, false}, {DType::F32, {4, 5}, false}});
  EXPECT_NE(message(bad.takeError()).find("size of label 'j' differs"),
            std::string::npos);
}

/// Every multi-operand case of opt_einsum's test list runs through its
/// planned order and matches the reference (which runs one loop nest).
TEST(JITContractionOrder, OptEinsumCasesMatchTheReference) {
  Compiler compiler;
  std::mt19937 rng(3);
  for (const char *text : test::kOptEinsumCases) {
    SpecResult<Spec> spec = parseSpec(text);
    ASSERT_TRUE(static_cast<bool>(spec)) << text;
    std::vector<int64_t> sizes;
    for (size_t l = 0; l < spec->labels.size(); ++l)
      sizes.push_back(std::uniform_int_distribution<int64_t>(2, 4)(rng));
    std::vector<std::vector<int64_t>> shapes;
    for (const Term &term : spec->inputs) {
      shapes.emplace_back();
      for (const Subscript &sub : term.subscripts)
        shapes.back().push_back(sizes[sub.label]);
    }
    RandomOperands operands = randomOperands(shapes, DType::F64, rng);
    SpecResult<ReferenceResult> reference =
        evaluateReference(*spec, operands.views);
    ASSERT_TRUE(static_cast<bool>(reference)) << text;
    std::vector<char> out(reference->values.size() * sizeof(double) + 1);
    auto kernel = compiler.getKernel(text, operandTypesOf(operands.views));
    ASSERT_TRUE(static_cast<bool>(kernel))
        << text << ": " << llvm::toString(kernel.takeError());
    ASSERT_EQ(message((*kernel)->run(
                  operands.views, OutputView::contiguous(out.data(), DType::F64,
                                                         reference->shape))),
              "")
        << text;
    Comparison c = compareToReference(*reference, out.data(), DType::F64,
                                      defaultTolerance(DType::F64));
    EXPECT_TRUE(c.withinTolerance) << text << " error " << c.maxRelativeError;
  }
}

/// Random 3-5 operand einsums under a tiny memory limit (so most are
/// sliced), and unlimited, against the reference.
TEST(JITContractionOrder, SlicedAndUnslicedPathsMatchTheReference) {
  Compiler compiler;
  std::mt19937 rng(99);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int sliced = 0;
  for (int i = 0; i < 40; ++i) {
    int numLabels = pick(3, 6);
    std::vector<int64_t> sizes;
    for (int l = 0; l < numLabels; ++l)
      sizes.push_back(pick(1, 3) * 2);
    std::string spec;
    std::vector<std::vector<int64_t>> shapes;
    std::vector<bool> used(numLabels, false);
    int numOperands = pick(3, 5);
    for (int op = 0; op < numOperands; ++op) {
      spec += op ? "," : "";
      shapes.emplace_back();
      for (int r = pick(1, 3); r > 0; --r) {
        int label = pick(0, numLabels - 1);
        spec += char('a' + label);
        shapes.back().push_back(sizes[label]);
        used[label] = true;
      }
    }
    spec += "->";
    for (int l = 0; l < numLabels; ++l)
      if (used[l] && pick(0, 1))
        spec += char('a' + l);
    SpecResult<Spec> parsed = parseSpec(spec);
    ASSERT_TRUE(static_cast<bool>(parsed)) << spec;
    if (!bindSpec(*parsed, shapes))
      continue;
    DType dtype = i % 2 ? DType::F64 : DType::F32;
    RandomOperands operands = randomOperands(shapes, dtype, rng);
    SpecResult<ReferenceResult> reference =
        evaluateReference(*parsed, operands.views);
    ASSERT_TRUE(static_cast<bool>(reference)) << spec;
    for (double limit : {0.0, 4.0}) {
      KernelOptions options;
      options.pipeline.path.memoryLimit = limit;
      auto path =
          contractionPath(spec, operandTypesOf(operands.views), options);
      ASSERT_TRUE(static_cast<bool>(path)) << spec;
      sliced += !path->slices.empty();
      if (limit > 0) {
        EXPECT_LE(path->largestIntermediate, limit) << spec;
      }
      std::vector<char> out(reference->values.size() * dtypeSize(dtype) + 1);
      auto kernel =
          compiler.getKernel(spec, operandTypesOf(operands.views), options);
      ASSERT_TRUE(static_cast<bool>(kernel))
          << spec << ": " << llvm::toString(kernel.takeError());
      ASSERT_EQ(message((*kernel)->run(
                    operands.views, OutputView::contiguous(out.data(), dtype,
                                                           reference->shape))),
                "")
          << spec;
      Comparison c = compareToReference(*reference, out.data(), dtype,
                                        defaultTolerance(dtype));
      EXPECT_TRUE(c.withinTolerance) << spec << " limit " << limit << " error "
                                     << c.maxRelativeError << "\n"
                                     << path->describe();
    }
  }
  EXPECT_GT(sliced, 5);
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// Runs attention through the JIT and compares with the f64 reference.
double attentionError(Compiler &compiler, DType dtype,
                      std::vector<int64_t> qShape, std::vector<int64_t> kShape,
                      std::vector<int64_t> vShape, AttentionOptions attention,
                      const std::string &variant) {
  std::mt19937 rng(5);
  RandomOperands operands =
      randomOperands({qShape, kShape, vShape}, dtype, rng);
  KernelOptions options;
  options.pipeline.attentionVariant = variant;
  auto kernel = compiler.getAttentionKernel(operandTypesOf(operands.views),
                                            attention, options);
  EXPECT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  if (!kernel)
    return INFINITY;
  SpecResult<ReferenceResult> reference = evaluateAttentionReference(
      operands.views[0], operands.views[1], operands.views[2], attention.causal,
      attention.scale);
  EXPECT_TRUE(static_cast<bool>(reference));
  std::vector<char> out(reference->values.size() * dtypeSize(dtype));
  EXPECT_EQ(message((*kernel)->run(
                operands.views,
                OutputView::contiguous(out.data(), dtype, reference->shape))),
            "");
  return compareToReference(*reference, out.data(), dtype,
                            defaultTolerance(dtype))
      .maxRelativeError;
}

TEST(JITAttention, FusedAndUnfusedMatchTheReference) {
  Compiler compiler;
  struct Case {
    std::vector<int64_t> q, k, v;
  };
  for (const Case &c : {Case{{2, 64, 3, 32}, {2, 64, 3, 32}, {2, 64, 3, 32}},
                        Case{{1, 33, 2, 8}, {1, 47, 2, 8}, {1, 47, 2, 24}},
                        Case{{1, 1, 1, 4}, {1, 1, 1, 4}, {1, 1, 1, 4}}})
    for (bool causal : {false, true})
      for (const char *variant : {"fused", "unfused"})
        for (DType dtype : {DType::F32, DType::F64}) {
          AttentionOptions attention;
          attention.causal = causal;
          double error = attentionError(compiler, dtype, c.q, c.k, c.v,
                                        attention, variant);
          EXPECT_LE(error, defaultTolerance(dtype))
              << variant << (causal ? " causal " : " ") << dtypeName(dtype)
              << " seqQ " << c.q[1] << " seqK " << c.k[1];
        }
  AttentionOptions scaled;
  scaled.scale = 0.3;
  EXPECT_LE(attentionError(compiler, DType::F32, {1, 16, 2, 8}, {1, 16, 2, 8},
                           {1, 16, 2, 8}, scaled, "fused"),
            defaultTolerance(DType::F32));
}

/// The fused form keeps tiles of the scores; the unfused one all of them.
/// Scratch memory is counted by the kernel allocator, not timed.
TEST(JITAttention, FusedScratchDoesNotGrowWithSeqSquared) {
  Compiler compiler;
  auto peak = [&](int64_t seq, const char *variant) {
    std::vector<int64_t> shape = {1, seq, 2, 32};
    std::vector<float> q(seq * 64, 0.5f), out(seq * 64);
    KernelOptions options;
    options.pipeline.attentionVariant = variant;
    auto kernel = compiler.getAttentionKernel({{DType::F32, shape, false},
                                               {DType::F32, shape, false},
                                               {DType::F32, shape, false}},
                                              {}, options);
    EXPECT_TRUE(static_cast<bool>(kernel));
    TensorView view = TensorView::contiguous(q.data(), DType::F32, shape);
    EXPECT_EQ(message((*kernel)->run(
                  {view, view, view},
                  OutputView::contiguous(out.data(), DType::F32, shape))),
              "");
    resetScratchPeak();
    EXPECT_EQ(message((*kernel)->run(
                  {view, view, view},
                  OutputView::contiguous(out.data(), DType::F32, shape))),
              "");
    // Softmax of equal scores: the mean of the (equal) values.
    EXPECT_FLOAT_EQ(out[seq * 64 - 1], 0.5f);
    return scratchPeakBytes();
  };
  size_t fusedSmall = peak(256, "fused"), fusedLarge = peak(1024, "fused");
  size_t unfusedSmall = peak(256, "unfused"),
         unfusedLarge = peak(1024, "unfused");
  EXPECT_LE(fusedLarge, fusedSmall + 4096);
  EXPECT_GE(unfusedLarge, 2 * 1024 * 1024 * 4); // the 2x1024x1024 scores
  EXPECT_GE(unfusedLarge, 12 * unfusedSmall);
  EXPECT_LT(fusedLarge * 50, unfusedLarge);
}

TEST(JITAttention, Errors) {
  Compiler compiler;
  OperandType q{DType::F32, {2, 16, 4, 8}, false};
  auto error = [&](std::vector<OperandType> operands,
                   AttentionOptions attention = {}) {
    auto kernel = compiler.getAttentionKernel(operands, attention);
    return kernel ? std::string() : llvm::toString(kernel.takeError());
  };
  EXPECT_EQ(error({q, q}),
            "attention takes 3 operands (query, key, value), got 2");
  EXPECT_EQ(error({q, {DType::F16, {2, 16, 4, 8}, false}, q}),
            "attention: key has dtype f16; f32 and f64 are supported");
  EXPECT_EQ(error({q, {DType::F64, {2, 16, 4, 8}, false}, q}),
            "attention: key has dtype f64 but query has f32");
  EXPECT_EQ(error({q, {DType::F32, {2, 16, 8}, false}, q}),
            "attention: key has shape 2x16x8; expected [batch, seq, n_head, "
            "d_head]");
  EXPECT_NE(error({q, {DType::F32, {2, 16, 4, 6}, false}, q})
                .find("size of label 'd_head' differs: operand 0 has 8, "
                      "operand 1 has 6"),
            std::string::npos);
  AttentionOptions infinite;
  infinite.scale = INFINITY;
  EXPECT_NE(error({q, q, q}, infinite).find("scale must be finite"),
            std::string::npos);
  // The one-call API checks the output too.
  std::vector<float> data(2 * 16 * 4 * 8);
  TensorView view =
      TensorView::contiguous(data.data(), DType::F32, {2, 16, 4, 8});
  EXPECT_NE(message(attention(view, view, view,
                              OutputView::contiguous(data.data(), DType::F32,
                                                     {2, 16, 4, 7})))
                .find("output has shape 2x16x4x7 but the einsum gives "
                      "2x16x4x8"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Resource limits
//===----------------------------------------------------------------------===//

TEST(JITLimits, MemoryLimitRejectsOutputsAndSlicesIntermediates) {
  Compiler compiler;
  KernelOptions options;
  options.memoryLimitBytes = 1 << 20;
  auto big = compiler.compile("i,j->ij", {{1024}, {1024}}, DType::F32, options);
  EXPECT_EQ(message(big.takeError()),
            "einsum: the output (shape 1024x1024, 4.0 MiB) exceeds the memory "
            "limit of 1.0 MiB");

  // 'ab,bc,cd->ad' over a=d=2, b=c=1024 (inputs 8 KiB, 4 MiB, 8 KiB):
  // every order has a 2x1024 intermediate (8 KiB); limit it to 4 KiB and
  // the plan slices, and still computes the right thing.
  std::mt19937 rng(1);
  std::vector<std::vector<int64_t>> shapes = {
      {2, 1024}, {1024, 1024}, {1024, 2}};
  RandomOperands operands = randomOperands(shapes, DType::F64, rng);
  options.memoryLimitBytes = 4 << 20; // the 8 MiB input is the caller's
  options.pipeline.path.memoryLimit = 0;
  KernelOptions tight = options;
  tight.memoryLimitBytes = 4096 * 2; // 8 KiB: 1024 f64 elements
  auto path =
      contractionPath("ab,bc,cd->ad", operandTypesOf(operands.views), tight);
  ASSERT_TRUE(static_cast<bool>(path)) << llvm::toString(path.takeError());
  EXPECT_LE(path->largestIntermediate, 1024) << path->describe();
  auto kernel =
      compiler.compile("ab,bc,cd->ad", operandTypesOf(operands.views), tight);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  SpecResult<ReferenceResult> reference =
      evaluateReference(*parseSpec("ab,bc,cd->ad"), operands.views);
  std::vector<double> out(4);
  ASSERT_EQ(message((*kernel)->run(
                operands.views,
                OutputView::contiguous(out.data(), DType::F64, {2, 2}))),
            "");
  EXPECT_TRUE(compareToReference(*reference, out.data(), DType::F64,
                                 defaultTolerance(DType::F64))
                  .withinTolerance);
}

TEST(JITLimits, HundredsOfLabels) {
  // 200 vectors of 2, contracted pairwise (greedy) into a 2x2 output.
  std::string spec;
  for (int i = 0; i < 200; ++i)
    spec += (i ? ", l" : "l") + std::to_string(i);
  spec += " -> l0 l1";
  std::vector<std::vector<int64_t>> shapes(200, std::vector<int64_t>{2});
  std::vector<std::vector<double>> data(200, std::vector<double>{1.0, 1.0});
  std::vector<TensorView> views;
  for (auto &d : data)
    views.push_back(TensorView::contiguous(d.data(), DType::F64, {2}));
  Compiler compiler;
  auto path = contractionPath(spec, operandTypesOf(views));
  ASSERT_TRUE(static_cast<bool>(path));
  EXPECT_EQ(path->algorithm, "greedy");
  auto kernel = compiler.compile(spec, operandTypesOf(views));
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  std::vector<double> out(4);
  ASSERT_EQ(message((*kernel)->run(
                views, OutputView::contiguous(out.data(), DType::F64, {2, 2}))),
            "");
  // Each output element sums 2^198 products of ones.
  EXPECT_DOUBLE_EQ(out[3], std::ldexp(1.0, 198));
}

} // namespace
