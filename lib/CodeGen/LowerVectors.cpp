//===- LowerVectors.cpp - einsum-cpu-lower-vectors ------------------------===//
//
// On buffers: keep accumulators in registers across the reduction loop and
// lower vector.contract to FMAs; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPULOWERVECTORS
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Unroll factor of the register kernel's K loop.
static constexpr uint64_t kKernelUnroll = 4;

namespace {
struct EinsumCPULowerVectorsPass
    : einsum::impl::EinsumCPULowerVectorsBase<EinsumCPULowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *context = &getContext();

    // Accesses through subviews become direct, so the accumulator's read
    // and write in the reduction loop are recognisably the same location.
    {
      RewritePatternSet patterns(context);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      // MLIR 22 folds a memref.expand_shape into a vector.transfer_read
      // whose vector spans several of the expanded dims as if they were
      // the source's dims (a 4x2 read of a 2x8 buffer's row becomes a read
      // of four rows: wrong results, found by the JIT's opt_einsum cases
      // after einsum-cpu-collapse-dims). Those reads stay on the view.
      llvm::erase_if(patterns.getNativePatterns(), [](const auto &pattern) {
        StringRef name = pattern->getDebugName();
        return name.contains("ExpandShapeOpFolder") &&
               name.contains("TransferReadOp");
      });
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
      // Not converging here only means some alias stays unfolded.
      (void)applyPatternsGreedily(func, std::move(patterns));
    }
    linalg::hoistRedundantVectorTransfers(func);

    // Elementwise contractions (both operands carry the vector dim, the
    // summed dims have size 1: the lanes of split-reduction partial sums)
    // become one multiply-add per vector; the outer product lowering would
    // take them lane by lane, as dot products of one element.
    SmallVector<Operation *> elementwise;
    func.walk([&](vector::ContractionOp op) {
      // Masked ones (remainder tiles) keep the lowering that knows masks.
      auto acc = dyn_cast<VectorType>(op.getAccType());
      if (!acc || isa<vector::MaskOp>(op->getParentOp()))
        return;
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      AffineExpr vectorDim = maps[2].getResults().back();
      if (llvm::is_contained(maps[0].getResults(), vectorDim) &&
          llvm::is_contained(maps[1].getResults(), vectorDim))
        elementwise.push_back(op);
    });
    if (!elementwise.empty()) {
      RewritePatternSet patterns(context);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::ParallelArith);
      (void)applyOpPatternsGreedily(elementwise, std::move(patterns));
    }

    // Contractions to outer products to FMAs; transfers to plain loads and
    // stores of 1-D vectors.
    RewritePatternSet patterns(context);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::Shuffle16x16);
    vector::populateVectorMaskOpLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();

    // The register kernel's K loop unrolled: per step it issues 2 vector
    // loads, 8 broadcasts and 16 FMAs, and its own counter, compare and
    // branch otherwise crowd the front end.
    SmallVector<scf::ForOp> kernels;
    func.walk([&](scf::ForOp loop) {
      bool innermost = true, fmas = false;
      loop.getBody()->walk([&](Operation *op) {
        innermost &= !isa<LoopLikeOpInterface>(op);
        fmas |= isa<vector::FMAOp>(op);
      });
      if (innermost && fmas && loop.getNumRegionIterArgs() > 0)
        kernels.push_back(loop);
    });
    for (scf::ForOp loop : kernels)
      (void)loopUnrollByFactor(loop, kKernelUnroll);
  }
};
} // namespace
