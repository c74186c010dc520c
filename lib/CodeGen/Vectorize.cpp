//===- Vectorize.cpp - einsum-cpu-vectorize: register tiles to vectors ----===//
//
// Vectorizes the register tiles marked by einsum-cpu-tile; see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPUVECTORIZE
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Fills of at most this many elements inside a loop are register-tile
/// fills worth turning into a constant vector.
static constexpr int64_t kMaxVectorFillElements = 4096;

/// Puts the operand that carries the vector dim (the output's innermost)
/// second. The contraction is lowered to outer products of its first
/// operand's elements (broadcast) with its second operand's vectors; with
/// the vector operand first, the vectorizer read the other operand as a
/// broadcast the contraction's maps could not absorb, and the lowering
/// built every lane with inserts (`ijk,jl->ilk` 64^4: 10 -> 110 GFLOP/s).
/// Returns the new generic, or `op` if the order is right already.
static linalg::GenericOp putVectorOperandLast(RewriterBase &rewriter,
                                              linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return op;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap out = maps.back();
  if (out.getNumResults() == 0)
    return op;
  auto vectorDim = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!vectorDim || !maps[0].isFunctionOfDim(vectorDim.getPosition()) ||
      maps[1].isFunctionOfDim(vectorDim.getPosition()))
    return op;
  rewriter.setInsertionPoint(op);
  SmallVector<Value> inputs = {op.getDpsInputs()[1], op.getDpsInputs()[0]};
  SmallVector<AffineMap> swapped = {maps[1], maps[0], out};
  auto result = linalg::GenericOp::create(
      rewriter, op.getLoc(), op->getResultTypes(), inputs, op.getDpsInits(),
      swapped, op.getIteratorTypesArray(),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Block &body = op.getRegion().front();
        IRMapping mapping;
        mapping.map(body.getArgument(0), args[1]);
        mapping.map(body.getArgument(1), args[0]);
        mapping.map(body.getArgument(2), args[2]);
        for (Operation &nested : body.getOperations()) {
          Operation *copy = b.clone(nested, mapping);
          // The product's factors in operand order too: the vectorizer
          // takes the contraction's operands from them.
          if (isa<arith::MulFOp, arith::MulIOp>(copy) &&
              copy->getOperand(0) == args[1] && copy->getOperand(1) == args[0])
            copy->setOperands({args[0], args[1]});
        }
      });
  result->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  rewriter.replaceOp(op, result->getResults());
  return result;
}

/// Orders the loop dims as a GEMM's (m, n, k): the output's dims in its
/// order, then the others. Einsum label order gives any order
/// (`ijk,jl->ilk` tiles to (k, m, n)); with the loops in another order
/// than (m, n, k), MLIR 22's contraction lowering built the register tile
/// lane by lane (10x slower).
static linalg::GenericOp putOutputDimsFirst(RewriterBase &rewriter,
                                            linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1)
    return op;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  SmallVector<unsigned> order;
  for (AffineExpr expr : out.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return op;
    order.push_back(dim.getPosition());
  }
  for (unsigned dim = 0; dim < op.getNumLoops(); ++dim)
    if (!llvm::is_contained(order, dim))
      order.push_back(dim);
  if (llvm::equal(order, llvm::seq<unsigned>(0, op.getNumLoops())))
    return op;
  FailureOr<linalg::GenericOp> interchanged =
      linalg::interchangeGenericOp(rewriter, op, order);
  return succeeded(interchanged) ? *interchanged : op;
}

/// Vectorizes one register tile; a tile the vectorizer rejects is left as
/// it is, with a remark.
static LogicalResult vectorizeRegisterTile(RewriterBase &rewriter,
                                           linalg::GenericOp op) {
  op = putVectorOperandLast(rewriter, op);
  ArrayRef<int64_t> sizes =
      cast<DenseI64ArrayAttr>(op->getAttr(kVectorSizesAttrName)).asArrayRef();
  SmallVector<int64_t> vectorSizes;
  if (op.hasDynamicShape()) {
    // Masked: static dims at their size, dynamic ones at their bound.
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    for (auto [range, size] : llvm::zip_equal(ranges, sizes))
      vectorSizes.push_back(ShapedType::isDynamic(range) ? size : range);
  } else {
    // Reduction dims stay, so that the tile still vectorizes to a
    // vector.contract.
    op = dropUnitLoopDims(
        rewriter, op, /*parallelOnly=*/true,
        linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice);
    op = putOutputDimsFirst(rewriter, op);
  }
  rewriter.setInsertionPoint(op);
  // An explicit all-false list: with an empty one, masks are built with a
  // vector type that differs from the one transfer ops expect.
  SmallVector<bool> scalable(vectorSizes.size(), false);
  FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
      rewriter, op, vectorSizes, scalable,
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      // Static tiles go straight to vector.contract; masked ones take the
      // multi_reduction path (the named path mis-builds masks in MLIR 22).
      /*createNamedContraction=*/vectorSizes.empty());
  if (failed(result)) {
    std::string extents;
    for (int64_t range : op.getStaticLoopRanges())
      extents += (extents.empty() ? "" : "x") + (ShapedType::isDynamic(range)
                                                     ? std::string("?")
                                                     : std::to_string(range));
    op.emitRemark() << "register tile " << extents
                    << " left as scalar loops: the vectorizer rejected it";
    return failure();
  }
  rewriter.replaceOp(op, result->replacements);
  return success();
}

namespace {
struct EinsumCPUVectorizePass
    : einsum::impl::EinsumCPUVectorizeBase<EinsumCPUVectorizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    SmallVector<linalg::GenericOp> tiles;
    // Vectorized whole: packing-copy blocks and register-tile fills.
    SmallVector<Operation *> wholeOps;
    func.walk([&](Operation *op) {
      if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
        if (generic->hasAttr(kVectorSizesAttrName))
          tiles.push_back(generic);
        return;
      }
      if (auto transpose = dyn_cast<linalg::TransposeOp>(op)) {
        if (transpose->hasAttr(kVectorSizesAttrName) &&
            !transpose.hasDynamicShape())
          wholeOps.push_back(transpose);
        return;
      }
      auto fill = dyn_cast<linalg::FillOp>(op);
      if (!fill || !fill.hasPureTensorSemantics() ||
          !op->getParentOfType<scf::ForOp>())
        return;
      auto type = cast<ShapedType>(fill.getResult(0).getType());
      if (type.hasStaticShape() &&
          type.getNumElements() <= kMaxVectorFillElements)
        wholeOps.push_back(fill);
    });
    // A tile the vectorizer rejects stays scalar: still correct, but slow,
    // so vectorizeRegisterTile says so (einsum-run --remarks).
    for (linalg::GenericOp tile : tiles)
      (void)vectorizeRegisterTile(rewriter, tile);
    // Static blocks only: remainders of packing copies stay scalar.
    for (Operation *op : wholeOps) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, op);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
      else
        op->emitRemark() << "block left as scalar loops: the vectorizer "
                            "rejected it";
    }

    // Tidy the vectors: broadcasts done by transfer reads become explicit
    // and fold into the vector.contract indexing maps (so each operand is
    // read at its own shape); drop leading unit dims; fold a read of a
    // freshly written zero vector into the constant.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns,
                                                        &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns,
                                                         &getContext());
    tensor::populateFoldTensorEmptyPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();

    // Masked transfers (loop remainders) take their mask as an operand, so
    // later lowering sees plain transfer ops.
    {
      RewritePatternSet maskPatterns(&getContext());
      vector::populateVectorMaskLoweringPatternsForSideEffectingOps(
          maskPatterns);
      if (failed(applyPatternsGreedily(func, std::move(maskPatterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
