//===- CollapseDims.cpp - einsum-cpu-collapse-dims ------------------------===//
//
// Merges runs of loop dims that every operand indexes as one contiguous
// block (a GEMM in disguise becomes a GEMM); see the pass description in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPUCOLLAPSEDIMS
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

namespace {
struct EinsumCPUCollapseDimsPass
    : einsum::impl::EinsumCPUCollapseDimsBase<EinsumCPUCollapseDimsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureTensorSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      // Static shapes only: MLIR 22 crashes folding the collapsed views of
      // dynamic kernels' buffers (memref.reinterpret_cast built from a
      // null size; found by JIT.StridedOperandInVectorizedTile).
      if (!llvm::all_of(op->getOperandTypes(), [](Type type) {
            auto shaped = dyn_cast<ShapedType>(type);
            return shaped && shaped.hasStaticShape();
          }))
        continue;
      // Every map a projected permutation: reshaping an operand is then a
      // plain collapse of adjacent axes.
      if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
            return map.isProjectedPermutation(/*allowZeroInResults=*/false);
          }))
        continue;
      // Unit dims first: `ik,kj->ij` with one column is the `ik,k->i` it
      // is (the operands reshaped, free on contiguous tensors).
      op = dropUnitLoopDims(rewriter, op, /*parallelOnly=*/false,
                            linalg::ControlDropUnitDims::RankReductionStrategy::
                                ReassociativeReshape);
      SmallVector<ReassociationIndices> runs = collapsibleRuns(op);
      if (runs.empty())
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, runs, rewriter);
      if (failed(collapsed))
        continue;
      rewriter.replaceOp(op, collapsed->results);
    }
  }
};
} // namespace
