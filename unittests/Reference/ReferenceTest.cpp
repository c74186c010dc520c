//===- ReferenceTest.cpp - Tests for the reference evaluator --------------===//

#include "Einsum/Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace einsum;

namespace {

ReferenceResult evaluate(std::string_view text,
                         const std::vector<TensorView> &inputs) {
  SpecResult<Spec> spec = parseSpec(text);
  EXPECT_TRUE(static_cast<bool>(spec));
  SpecResult<ReferenceResult> result = evaluateReference(*spec, inputs);
  EXPECT_TRUE(static_cast<bool>(result))
      << (result ? "" : result.error().message);
  return result ? *result : ReferenceResult{};
}

TEST(Reference, Matmul) {
  std::vector<float> a = {1, 2, 3, 4, 5, 6};    // 2x3
  std::vector<float> b = {1, 0, 0, 1, 1, 1};    // 3x2
  ReferenceResult r =
      evaluate("ij,jk->ik", {TensorView::contiguous(a.data(), DType::F32, {2, 3}),
                             TensorView::contiguous(b.data(), DType::F32, {3, 2})});
  EXPECT_EQ(r.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(r.values, (std::vector<double>{4, 5, 10, 11}));
  EXPECT_EQ(r.magnitudes, (std::vector<double>{4, 5, 10, 11}));
}

TEST(Reference, TraceDiagonalAndScalar) {
  std::vector<double> a = {1, 2, 3, 4};
  auto view = TensorView::contiguous(a.data(), DType::F64, {2, 2});
  EXPECT_EQ(evaluate("ii->", {view}).values, (std::vector<double>{5}));
  EXPECT_EQ(evaluate("ii->i", {view}).values, (std::vector<double>{1, 4}));
  EXPECT_EQ(evaluate("ij->", {view}).values, (std::vector<double>{10}));
}

TEST(Reference, StridedAndTransposedViews) {
  // A 2x3 view of a 2x4 buffer, and the same data read transposed.
  std::vector<float> buffer = {1, 2, 3, -1, 4, 5, 6, -1};
  TensorView sliced{buffer.data(), DType::F32, {2, 3}, {4, 1}};
  EXPECT_EQ(evaluate("ij->i", {sliced}).values, (std::vector<double>{6, 15}));
  TensorView transposed{buffer.data(), DType::F32, {3, 2}, {1, 4}};
  EXPECT_EQ(evaluate("ij->j", {transposed}).values,
            (std::vector<double>{6, 15}));
  // Stride 0: a broadcast view.
  TensorView broadcast{buffer.data(), DType::F32, {3}, {0}};
  EXPECT_EQ(evaluate("i->", {broadcast}).values, (std::vector<double>{3}));
}

TEST(Reference, EllipsisBroadcast) {
  std::vector<float> a = {1, 2};       // 2x1 under '...'
  std::vector<float> b = {10, 20, 30}; // 3
  ReferenceResult r =
      evaluate("...,...->...", {TensorView::contiguous(a.data(), DType::F32, {2, 1}),
                                TensorView::contiguous(b.data(), DType::F32, {3})});
  EXPECT_EQ(r.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.values, (std::vector<double>{10, 20, 30, 20, 40, 60}));
}

TEST(Reference, EmptyDims) {
  std::vector<float> a;
  ReferenceResult r = evaluate(
      "ij->i", {TensorView::contiguous(a.data(), DType::F32, {3, 0})});
  EXPECT_EQ(r.values, (std::vector<double>{0, 0, 0}));
}

TEST(Reference, IntegersWrapLikeTheKernel) {
  std::vector<int32_t> a = {65536, 65536};
  ReferenceResult r = evaluate(
      "i,i->", {TensorView::contiguous(a.data(), DType::I32, {2}),
                TensorView::contiguous(a.data(), DType::I32, {2})});
  int32_t wrapped = 0; // 2 * 2^32 wraps to 0 in i32
  EXPECT_TRUE(compareToReference(r, &wrapped, DType::I32, 0).withinTolerance);
  int32_t wrong = 1;
  Comparison c = compareToReference(r, &wrong, DType::I32, 0);
  EXPECT_FALSE(c.withinTolerance);
  EXPECT_EQ(c.mismatches, 1);
}

TEST(Reference, ComparisonCatchesErrors) {
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  std::vector<float> b = {1, 0, 0, 1, 1, 1};
  ReferenceResult r =
      evaluate("ij,jk->ik", {TensorView::contiguous(a.data(), DType::F32, {2, 3}),
                             TensorView::contiguous(b.data(), DType::F32, {3, 2})});
  std::vector<float> good = {4, 5, 10, 11};
  EXPECT_TRUE(compareToReference(r, good.data(), DType::F32,
                                 defaultTolerance(DType::F32))
                  .withinTolerance);
  std::vector<float> bad = {4, 5, 10, 11.01f};
  Comparison c = compareToReference(r, bad.data(), DType::F32,
                                    defaultTolerance(DType::F32));
  EXPECT_FALSE(c.withinTolerance);
  EXPECT_EQ(c.worstIndex, 3);
  std::vector<float> nan = {4, 5, NAN, 11};
  EXPECT_FALSE(compareToReference(r, nan.data(), DType::F32, 1.0).withinTolerance);
}

TEST(Reference, BindErrorsPropagate) {
  std::vector<float> a(4);
  SpecResult<Spec> spec = parseSpec("ij,jk->ik");
  SpecResult<ReferenceResult> r = evaluateReference(
      *spec, {TensorView::contiguous(a.data(), DType::F32, {2, 2}),
              TensorView::contiguous(a.data(), DType::F32, {3, 2})});
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().message,
            "size of label 'j' differs: operand 0 has 2, operand 1 has 3");
}

} // namespace
