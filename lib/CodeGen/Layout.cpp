//===- Layout.cpp - einsum-cpu-layout: unit-stride vector dim -------------===//
//
// Transposes contraction operands that carry the vector dim N but not as
// their innermost axis; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPULAYOUT
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Number of iterations of the loop nest, or nullopt if dynamic.
static std::optional<int64_t> tripCount(linalg::GenericOp op) {
  int64_t count = 1;
  for (int64_t range : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      return std::nullopt;
    count *= range;
  }
  return count;
}

/// Transposes input `index` of `op` so that loop dim `nDim` is its innermost
/// axis.
static void transposeOperand(RewriterBase &rewriter, linalg::GenericOp op,
                             unsigned index, unsigned nDim) {
  OpOperand &operand = op->getOpOperand(index);
  AffineMap map = op.getMatchingIndexingMap(&operand);
  unsigned rank = map.getNumResults();
  // Permutation: every axis but N in order, then N.
  SmallVector<int64_t> permutation;
  unsigned nAxis = *map.getResultPosition(rewriter.getAffineDimExpr(nDim));
  for (unsigned axis = 0; axis < rank; ++axis)
    if (axis != nAxis)
      permutation.push_back(axis);
  permutation.push_back(nAxis);

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = operand.get();
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, input);
  applyPermutationToVector(sizes, permutation);
  Value empty = tensor::EmptyOp::create(
      rewriter, loc, sizes, getElementTypeOrSelf(input.getType()));
  Value transposed =
      linalg::TransposeOp::create(rewriter, loc, input, empty, permutation)
          ->getResult(0);

  SmallVector<AffineExpr> results(map.getResults());
  applyPermutationToVector(results, permutation);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[index] = AffineMap::get(map.getNumDims(), 0, results, op.getContext());
  rewriter.modifyOpInPlace(op, [&] {
    operand.set(transposed);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
}

namespace {
struct EinsumCPULayoutPass
    : einsum::impl::EinsumCPULayoutBase<EinsumCPULayoutPass> {
  using EinsumCPULayoutBase::EinsumCPULayoutBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isTileable(op) && op.getNumReductionLoops() > 0)
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      AffineMap out = op.getIndexingMapsArray().back();
      unsigned nDim = cast<AffineDimExpr>(out.getResults().back()).getPosition();
      std::optional<int64_t> iterations = tripCount(op);
      for (OpOperand *operand : op.getDpsInputOperands()) {
        AffineMap map = op.getMatchingIndexingMap(operand);
        auto type = dyn_cast<RankedTensorType>(operand->get().getType());
        if (!type || map.getNumResults() < 2 ||
            !map.isFunctionOfDim(nDim) ||
            map.getResults().back() == rewriter.getAffineDimExpr(nDim))
          continue;
        // Copy only where the copy is cheap next to the contraction.
        if (!type.hasStaticShape() || !iterations ||
            *iterations < minReuse * type.getNumElements())
          continue;
        transposeOperand(rewriter, op, operand->getOperandNumber(), nDim);
      }
    }
  }
};
} // namespace
