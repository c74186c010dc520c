//===- Utils.cpp - Helpers shared by the CPU code generation passes -------===//

#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

std::optional<int64_t> einsum::staticTripCount(linalg::GenericOp op) {
  int64_t count = 1;
  for (int64_t range : op.getStaticLoopRanges()) {
    // Dynamic, or more iterations than int64_t holds (2^32 x 2^32 x 0 is
    // an empty loop nest, but the product of the first two overflows).
    if (ShapedType::isDynamic(range) ||
        llvm::MulOverflow(count, range, count))
      return std::nullopt;
  }
  return count;
}

bool einsum::isSumReduction(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  Value out = body.getArguments().back();
  return out.hasOneUse() &&
         (add->getOperand(0) == out || add->getOperand(1) == out);
}

Value einsum::extractStaticSlice(OpBuilder &b, Location loc, Value source,
                                 ArrayRef<int64_t> offsets,
                                 ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(source.getType());
  if (llvm::all_of(offsets, [](int64_t offset) { return offset == 0; }) &&
      sizes == type.getShape())
    return source;
  MLIRContext *context = b.getContext();
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(sizes, type.getElementType()), source,
      getAsIndexOpFoldResult(context, offsets),
      getAsIndexOpFoldResult(context, sizes),
      SmallVector<OpFoldResult>(sizes.size(), b.getIndexAttr(1)));
}

linalg::GenericOp einsum::dropUnitLoopDims(
    RewriterBase &rewriter, linalg::GenericOp op, bool parallelOnly,
    linalg::ControlDropUnitDims::RankReductionStrategy strategy) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> unitDims;
  for (unsigned dim = 0; dim < ranges.size(); ++dim)
    if (ranges[dim] == 1 &&
        (!parallelOnly || iterators[dim] == utils::IteratorType::parallel))
      unitDims.push_back(dim);
  if (unitDims.empty() || unitDims.size() == ranges.size())
    return op;
  linalg::ControlDropUnitDims control;
  control.rankReductionStrategy = strategy;
  control.controlFn = [&](Operation *) { return unitDims; };
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::DropUnitDimsResult> result =
      linalg::dropUnitDims(rewriter, op, control);
  if (failed(result))
    return op;
  rewriter.replaceOp(op, result->replacements);
  return cast<linalg::GenericOp>(result->resultOp.getOperation());
}

linalg::GenericOp einsum::rebuildWithLaneDim(RewriterBase &rewriter,
                                             linalg::GenericOp op,
                                             ValueRange inputs,
                                             ArrayRef<AffineMap> inputMaps,
                                             Value init) {
  unsigned laneDim = op.getNumLoops();
  SmallVector<AffineMap> maps(inputMaps);
  SmallVector<AffineExpr> outResults(
      op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getResults());
  outResults.push_back(rewriter.getAffineDimExpr(laneDim));
  maps.push_back(
      AffineMap::get(laneDim + 1, 0, outResults, rewriter.getContext()));
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.push_back(utils::IteratorType::parallel);
  auto rebuilt = linalg::GenericOp::create(rewriter, op.getLoc(),
                                           TypeRange{init.getType()}, inputs,
                                           ValueRange{init}, maps, iterators);
  rewriter.cloneRegionBefore(op.getRegion(), rebuilt.getRegion(),
                             rebuilt.getRegion().begin());
  return rebuilt;
}

SmallVector<ReassociationIndices>
einsum::collapsibleRuns(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<ReassociationIndices> runs;
  ReassociationIndices run;
  auto flush = [&] {
    if (run.size() > 1)
      runs.push_back(run);
    run.clear();
  };
  for (int64_t dim = 0, e = op.getNumLoops(); dim < e; ++dim) {
    if (!run.empty()) {
      ReassociationIndices extended(run);
      extended.push_back(dim);
      if (iterators[dim] == iterators[run.front()] &&
          linalg::areDimSequencesPreserved(maps, {extended})) {
        run = std::move(extended);
        continue;
      }
      flush();
    }
    run.push_back(dim);
  }
  flush();
  return runs;
}
