//===- JITTest.cpp - Tests for the JIT compiler and kernels ---------------===//

#include "Einsum/Runtime/JIT.h"

#include <gtest/gtest.h>

using namespace einsum;

namespace {

std::string message(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "";
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
                c.data(), {2, 2})),
            "");
  EXPECT_EQ(c, (std::vector<float>{4, 5, 10, 11}));
}

TEST(JIT, DynamicKernelRunsOnManyShapes) {
  Compiler compiler;
  KernelOptions options;
  options.dynamicShapes = true;
  auto kernel = compiler.compile("i,i->", {{4}, {4}}, DType::F64, options);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  for (int64_t n : {1, 7, 100}) {
    std::vector<double> x(n, 2.0);
    double out = 0;
    ASSERT_EQ(message((*kernel)->run(
                  {TensorView::contiguous(x.data(), DType::F64, {n}),
                   TensorView::contiguous(x.data(), DType::F64, {n})},
                  &out, {})),
              "");
    EXPECT_EQ(out, 4.0 * n);
  }
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
}

TEST(JIT, RunErrors) {
  Compiler compiler;
  auto kernel = compiler.compile("ij->i", {{2, 3}}, DType::F32);
  ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
  std::vector<float> a(6), out(2);
  auto view = TensorView::contiguous(a.data(), DType::F32, {2, 3});
  EXPECT_EQ(message((*kernel)->run({view, view}, out.data(), {2})),
            "kernel for 'ij->i' takes 1 operand(s), got 2");
  EXPECT_EQ(message((*kernel)->run(
                {TensorView::contiguous(a.data(), DType::F32, {3, 2})},
                out.data(), {3})),
            "operand 0 has shape 3x2 but the kernel was compiled for 2x3");
  EXPECT_EQ(message((*kernel)->run(
                {TensorView::contiguous(nullptr, DType::F32, {2, 3})},
                out.data(), {2})),
            "operand 0 is a null pointer");
  EXPECT_EQ(message((*kernel)->run({view}, nullptr, {2})),
            "output is a null pointer");
  EXPECT_EQ(message((*kernel)->run({view}, out.data(), {3})),
            "output has shape 3 but the einsum gives 2");
  EXPECT_EQ(message((*kernel)->run(
                {TensorView::contiguous(a.data(), DType::F64, {2, 3})},
                out.data(), {2})),
            "operand 0 has dtype f64 but the kernel takes f32");
  TensorView strided{a.data(), DType::F32, {2, 3}, {1, 2}};
  EXPECT_EQ(message((*kernel)->run({strided}, out.data(), {2})),
            "operand 0 is not contiguous (row-major)");
}

} // namespace
