//===- TilePlan.cpp - Choosing tile sizes for a contraction ---------------===//

#include "Einsum/CodeGen/TilePlan.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace einsum;

bool einsum::isTileable(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1)
    return false;
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return false;
  AffineMap out = op.getIndexingMapsArray().back();
  if (out.getNumResults() == 0)
    return false;
  unsigned nDim = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  if (op.getIteratorTypesArray()[nDim] != utils::IteratorType::parallel)
    return false;
  // Empty iteration spaces have nothing to tile.
  if (llvm::is_contained(op.getStaticLoopRanges(), 0))
    return false;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  return element.isIntOrFloat() && !element.isInteger(1);
}

/// Rounds `value` up to a multiple of `step`.
static int64_t roundUp(int64_t value, int64_t step) {
  return llvm::divideCeil(value, step) * step;
}

/// Rounds `value` down to a multiple of `step`, at least `step`.
static int64_t roundDown(int64_t value, int64_t step) {
  return std::max(step, value / step * step);
}

TilePlan einsum::planTiles(linalg::GenericOp op, const TilingOptions &options) {
  const CPUTarget &target = options.target;
  TilePlan plan;
  plan.numLoops = op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto extent = [&](unsigned dim) {
    return ShapedType::isDynamic(ranges[dim]) ? INT64_MAX : ranges[dim];
  };

  AffineMap out = op.getIndexingMapsArray().back();
  unsigned rank = out.getNumResults();
  plan.nDim = cast<AffineDimExpr>(out.getResult(rank - 1)).getPosition();
  if (rank >= 2)
    plan.mDim = cast<AffineDimExpr>(out.getResult(rank - 2)).getPosition();
  // K: the largest reduction dim (the last one on ties).
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (iterators[dim] == utils::IteratorType::reduction &&
        (!plan.kDim || extent(dim) >= extent(*plan.kDim)))
      plan.kDim = dim;

  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  plan.elementBits = element.getIntOrFloatBitWidth();
  int64_t elementBytes = std::max<int64_t>(1, plan.elementBits / 8);
  int64_t lanes = std::max<int64_t>(1, target.lanes(plan.elementBits));

  // Register tile: nr = two vectors; mr rows of accumulators using all but
  // four registers (for the B vectors and the broadcast A element), at most 8.
  int64_t nr = options.registerTileN ? options.registerTileN : 2 * lanes;
  int64_t mr = options.registerTileM
                   ? options.registerTileM
                   : std::clamp<int64_t>(
                         (target.numVectorRegisters - 4) / (nr / lanes), 1, 8);
  nr = std::min(nr, extent(*plan.nDim));
  if (plan.mDim)
    mr = std::min(mr, extent(*plan.mDim));

  // Cache tiles. Kc: the A micro-panel (mr x Kc) takes at most 1/6 of L1 so
  // it stays there across the column tiles, capped at 256 (longer K tiles
  // measured slower). Nc: a Kc x Nc block of B fills at most 1/4 of L2.
  // Mc: a Mc x Kc block of A fills at most 1/8 of L2.
  int64_t kc = options.cacheTileK;
  if (!kc)
    kc = std::clamp<int64_t>(
        llvm::bit_floor(uint64_t(target.l1Bytes / (6 * mr * elementBytes))),
        16, 256);
  int64_t k = plan.kDim ? extent(*plan.kDim) : 1;
  kc = std::min(kc, k);
  int64_t nc = options.cacheTileN;
  if (!nc)
    nc = roundDown(target.l2Bytes / 4 / (kc * elementBytes), nr);
  nc = std::min(nc, roundUp(std::min(extent(*plan.nDim), INT64_MAX / 2), nr));
  int64_t mc = options.cacheTileM;
  if (!mc)
    mc = roundDown(target.l2Bytes / 8 / (kc * elementBytes), mr);
  if (plan.mDim)
    mc = std::min(mc, roundUp(std::min(extent(*plan.mDim), INT64_MAX / 2), mr));

  plan.cacheTiles.assign(plan.numLoops, 0);
  plan.reductionTiles.assign(plan.numLoops, 0);
  plan.registerTiles.assign(plan.numLoops, 0);
  plan.innerReductionTiles.assign(plan.numLoops, 0);
  bool otherReductions = false;
  for (unsigned dim = 0; dim < plan.numLoops; ++dim) {
    if (iterators[dim] == utils::IteratorType::reduction) {
      if (dim == *plan.kDim) {
        plan.reductionTiles[dim] = kc;
        plan.innerReductionTiles[dim] = 1;
      } else {
        plan.reductionTiles[dim] = 1;
        otherReductions |= extent(dim) != 1;
      }
      continue;
    }
    if (dim == *plan.nDim) {
      plan.cacheTiles[dim] = nc;
      plan.registerTiles[dim] = nr;
    } else if (plan.mDim && dim == *plan.mDim) {
      plan.cacheTiles[dim] = mc;
      plan.registerTiles[dim] = mr;
    } else {
      plan.cacheTiles[dim] = 1; // batch dim
    }
  }
  plan.registerInterchange.push_back(*plan.nDim);
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (dim != *plan.nDim)
      plan.registerInterchange.push_back(dim);
  plan.singleKTile = !otherReductions && (!plan.kDim || k <= kc);
  return plan;
}
