//===- SpecAttrTest.cpp - Tests for #einsum.spec built from C++ -----------===//
//
// The attribute's verifier guards specs built from C++ (the textual parser
// only produces valid ones); each of its checks is exercised here.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Dialect/Einsum/EinsumAttrs.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace einsum;

namespace {

class SpecAttrTest : public ::testing::Test {
protected:
  SpecAttrTest() { context.loadDialect<EinsumDialect>(); }

  /// Runs the attribute verifier on the parameters and returns its
  /// diagnostic, or "" if they verify.
  std::string verify(ArrayRef<StringRef> names,
                     ArrayRef<SmallVector<int32_t>> inputs,
                     ArrayRef<int32_t> output) {
    SmallVector<StringAttr> labels;
    for (StringRef name : names)
      labels.push_back(StringAttr::get(&context, name));
    SmallVector<DenseI32ArrayAttr> terms;
    for (const SmallVector<int32_t> &input : inputs)
      terms.push_back(DenseI32ArrayAttr::get(&context, input));
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    LogicalResult result = SpecAttr::verify(
        [&] { return emitError(UnknownLoc::get(&context)); }, labels, terms,
        DenseI32ArrayAttr::get(&context, output));
    EXPECT_EQ(succeeded(result), message.empty()) << message;
    return message;
  }

  MLIRContext context;
};

TEST_F(SpecAttrTest, RoundTripsThroughSpec) {
  SpecResult<Spec> spec = parseSpec("batch seq d, batch d -> batch seq");
  ASSERT_TRUE(static_cast<bool>(spec));
  SpecAttr attr = SpecAttr::get(&context, *spec);
  EXPECT_EQ(attr.getSpec(), *spec);
  EXPECT_EQ(attr.str(), "batch seq d, batch d -> batch seq");
  EXPECT_EQ(attr.getNumInputs(), 2u);
  // Uniqued: the same spec gives the same attribute.
  EXPECT_EQ(attr, SpecAttr::get(&context,
                               *parseSpec("batch seq d,batch d->batch seq")));
}

TEST_F(SpecAttrTest, Valid) {
  EXPECT_EQ(verify({"i", "j", "k"}, {{0, 1}, {1, 2}}, {0, 2}), "");
  EXPECT_EQ(verify({"i"}, {{-1, 0}}, {-1}), "");
}

TEST_F(SpecAttrTest, Errors) {
  EXPECT_EQ(verify({"i"}, {}, {}), "einsum spec needs at least one operand");
  EXPECT_EQ(verify({"1x"}, {{0}}, {}),
            "invalid label name '1x': expected [A-Za-z_][A-Za-z0-9_]*");
  EXPECT_EQ(verify({"i", "i"}, {{0, 1}}, {}), "label 'i' is declared twice");
  EXPECT_EQ(verify({"i"}, {{-1, 0, -1}}, {}),
            "operand 0 has more than one '...'");
  EXPECT_EQ(verify({"i"}, {{0, 3}}, {}),
            "operand 0 refers to label id 3, but there are 1 labels");
  EXPECT_EQ(verify({"i", "j"}, {{0}, {0}}, {}),
            "label 'j' appears in no operand");
  EXPECT_EQ(verify({"i"}, {{0}}, {1}),
            "the output refers to label id 1, but there are 1 labels");
  EXPECT_EQ(verify({"i", "j"}, {{0}, {1}}, {0, 0}),
            "output label 'i' appears more than once");
  EXPECT_EQ(verify({"seq"}, {{0}, {0}}, {}),
            "named-notation spec has no operand or output with two "
            "subscripts, so its text would read as compact notation");
}

} // namespace
