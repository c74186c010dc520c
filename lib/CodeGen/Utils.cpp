//===- Utils.cpp - Helpers shared by the CPU code generation passes -------===//

#include "Einsum/CodeGen/Utils.h"

using namespace mlir;

std::optional<int64_t> einsum::staticTripCount(linalg::GenericOp op) {
  int64_t count = 1;
  for (int64_t range : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      return std::nullopt;
    count *= range;
  }
  return count;
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
