//===- TilePlan.cpp - Choosing tile sizes for a contraction ---------------===//

#include "Einsum/CodeGen/TilePlan.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace einsum;

bool einsum::isTileable(linalg::GenericOp op) {
  // One or two operands: the register kernel is a (sum of) outer products;
  // longer products run as scalar loops until they are split into pairs.
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() > 2)
    return false;
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return false;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap out = maps.back();
  if (out.getNumResults() == 0)
    return false;
  // With two operands every summed dim must be in both (a contraction);
  // a dim summed in one operand only is summed out before (issue 6).
  // An operand with only summed dims (a vector against a matrix) may have
  // one of them: MLIR 22 builds an invalid vector.contract for more.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (op.getNumDpsInputs() == 2) {
    for (unsigned dim = 0; dim < op.getNumLoops(); ++dim)
      if (iterators[dim] == utils::IteratorType::reduction &&
          (!maps[0].isFunctionOfDim(dim) || !maps[1].isFunctionOfDim(dim)))
        return false;
    for (AffineMap map : ArrayRef(maps).drop_back()) {
      unsigned parallel = 0;
      for (AffineExpr e : map.getResults())
        parallel += iterators[cast<AffineDimExpr>(e).getPosition()] ==
                    utils::IteratorType::parallel;
      if (parallel == 0 && op.getNumReductionLoops() > 1)
        return false;
    }
  }
  unsigned nDim = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  if (op.getIteratorTypesArray()[nDim] != utils::IteratorType::parallel)
    return false;
  // A vector dim of static size 1 is dropped before vectorization; with two
  // or more summed dims MLIR 22 then builds an invalid vector.contract
  // (found by the NumPy differential test on `acf,cafb->fb`, f = b = 1).
  if (op.getStaticLoopRanges()[nDim] == 1 && op.getNumReductionLoops() > 1)
    return false;
  // Empty iteration spaces have nothing to tile.
  if (llvm::is_contained(op.getStaticLoopRanges(), 0))
    return false;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  return element.isIntOrFloat() && !element.isInteger(1);
}

std::optional<unsigned> einsum::rowOperand(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap out = maps.back();
  if (out.getNumResults() == 0)
    return std::nullopt;
  unsigned nDim = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  bool carries0 = maps[0].isFunctionOfDim(nDim);
  bool carries1 = maps[1].isFunctionOfDim(nDim);
  if (carries0 == carries1)
    return std::nullopt;
  return carries0 ? 1u : 0u;
}

/// The loop dim of the innermost axis of an operand (indexing `map`) that a
/// reduction dim indexes, if any.
static std::optional<unsigned> innermostSummedAxis(linalg::GenericOp op,
                                                   AffineMap map) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (AffineExpr result : llvm::reverse(map.getResults())) {
    unsigned dim = cast<AffineDimExpr>(result).getPosition();
    if (iterators[dim] == utils::IteratorType::reduction)
      return dim;
  }
  return std::nullopt;
}

/// The loop dim of the innermost axis of the tensor `operand` is read from:
/// through a packing copy (`linalg.transpose`, whose source is the operand
/// as the einsum laid it out, maybe with N split into panels and lanes), the
/// source's innermost axis.
static std::optional<unsigned> sourceInnermostDim(linalg::GenericOp op,
                                                  OpOperand &operand) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  if (map.getNumResults() == 0)
    return std::nullopt;
  unsigned axis = map.getNumResults() - 1;
  if (auto pack = operand.get().getDefiningOp<linalg::TransposeOp>()) {
    ArrayRef<int64_t> permutation = pack.getPermutation();
    auto it = llvm::find(permutation, int64_t(permutation.size()) - 1);
    if (it == permutation.end())
      return std::nullopt;
    axis = it - permutation.begin();
  }
  return map.getDimPosition(axis);
}

/// True if loop dim `dim` indexes the innermost axis an input is read from.
static bool innermostOfInput(linalg::GenericOp op, unsigned dim) {
  return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *operand) {
    return sourceInnermostDim(op, *operand) == dim;
  });
}

/// Rows per register tile of a contraction without rows to reuse (the
/// partial sums of a matrix-vector product: `ik,k->i` split into lanes).
static constexpr int64_t kStreamRows = 4;

/// Rounds `value` up to a multiple of `step`.
static int64_t roundUp(int64_t value, int64_t step) {
  return llvm::divideCeil(value, step) * step;
}

/// Rounds `value` down to a multiple of `step`, at least `step`.
static int64_t roundDown(int64_t value, int64_t step) {
  return std::max(step, value / step * step);
}

TilePlan einsum::planRoles(linalg::GenericOp op) {
  TilePlan plan;
  plan.numLoops = op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto extent = [&](unsigned dim) {
    return ShapedType::isDynamic(ranges[dim]) ? INT64_MAX : ranges[dim];
  };

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap out = maps.back();
  unsigned rank = out.getNumResults();
  auto outDim = [&](unsigned axis) {
    return cast<AffineDimExpr>(out.getResult(axis)).getPosition();
  };
  plan.nDim = outDim(rank - 1);
  // Is `dim` carried by an input that carries N?
  auto withN = [&](unsigned dim) {
    for (AffineMap map : ArrayRef(maps).drop_back())
      if (map.isFunctionOfDim(*plan.nDim) && map.isFunctionOfDim(dim))
        return true;
    return false;
  };
  bool reduces = llvm::is_contained(iterators, utils::IteratorType::reduction);
  if (rank >= 2 && reduces && withN(outDim(rank - 2)))
    plan.panelDim = outDim(rank - 2);
  for (unsigned axis = rank - 1; axis-- > 0 && !plan.mDim;)
    if (!withN(outDim(axis)))
      plan.mDim = outDim(axis);
  if (!plan.mDim && rank >= 2 && !plan.panelDim)
    plan.mDim = outDim(rank - 2);
  // K: the innermost summed axis of the row operand, so that each of its
  // mr rows is read as one contiguous stream (einsum-cpu-layout packs the
  // row operand when that axis is not its innermost); without a row
  // operand, the largest reduction dim (the last one on ties).
  if (std::optional<unsigned> row = rowOperand(op))
    plan.kDim = innermostSummedAxis(op, maps[*row]);
  for (unsigned dim = 0; dim < plan.numLoops && !plan.kDim; ++dim)
    if (iterators[dim] == utils::IteratorType::reduction &&
        (!plan.kDim || extent(dim) >= extent(*plan.kDim)))
      plan.kDim = dim;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  plan.elementBits = element.getIntOrFloatBitWidth();
  return plan;
}

/// Rows of the register tile before it is capped by M: accumulators in
/// all but four registers (for the B vectors and the broadcast A element),
/// nr = two vectors wide, at most 8 rows.
static int64_t registerRows(const TilingOptions &options, int64_t lanes) {
  if (options.registerTileM)
    return options.registerTileM;
  int64_t nr = options.registerTileN ? options.registerTileN : 2 * lanes;
  return std::clamp<int64_t>(
      (options.target.numVectorRegisters - 4) /
          std::max<int64_t>(1, llvm::divideCeil(nr, lanes)),
      1, 8);
}

/// `tile` made as even as `step` allows while `extent` keeps as many tiles:
/// 160 rows in tiles of 128 were one of 128 and one of 32, on two threads
/// one thread's work four times the other's (`lki,kjl->ji`); as 80 + 80
/// they are equal.
static int64_t evenTile(int64_t extent, int64_t tile, int64_t step) {
  if (extent == INT64_MAX || tile >= extent)
    return tile;
  int64_t count = llvm::divideCeilSigned(extent, tile);
  return std::min(tile, roundUp(llvm::divideCeilSigned(extent, count), step));
}

/// The register tile's width for an N of `n` columns: of one and two
/// vectors, the width with the fewest vector FMAs per row and step of K
/// over all of N (its whole panels, and the remainder as one panel padded
/// to a power of two), then the one that pads nothing, then the wider (one
/// broadcast of A serves more lanes). A padded remainder is computed in a
/// temporary from a padded copy of its operand: N = 24 on AVX-512 as one
/// padded 32-lane panel ran `bmji,cakm->kjicba` at 37 GFLOP/s, as 16 + 8
/// lanes (the same FMAs, nothing padded) at 115.
static int64_t chooseRegisterWidth(int64_t n, int64_t lanes) {
  if (n == INT64_MAX)
    return 2 * lanes;
  struct Cost {
    int64_t fmas;
    bool padded;
    int64_t width;
  };
  std::optional<Cost> best;
  for (int64_t width : {2 * lanes, lanes}) {
    int64_t rest = n % width;
    int64_t padded = rest ? int64_t(llvm::PowerOf2Ceil(rest)) : 0;
    int64_t fmas = n / width * llvm::divideCeilSigned(width, lanes) +
                   llvm::divideCeilSigned(padded, lanes);
    Cost cost{fmas, padded != rest, width};
    if (!best || cost.fmas < best->fmas ||
        (cost.fmas == best->fmas && !cost.padded && best->padded))
      best = cost;
  }
  return best->width;
}

TilePlan einsum::planTiles(linalg::GenericOp op, const TilingOptions &options) {
  const CPUTarget &target = options.target;
  TilePlan plan = planRoles(op);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto extent = [&](unsigned dim) {
    return ShapedType::isDynamic(ranges[dim]) ? INT64_MAX : ranges[dim];
  };
  bool reduces = llvm::is_contained(iterators, utils::IteratorType::reduction);
  int64_t elementBytes = std::max<int64_t>(1, plan.elementBits / 8);
  int64_t lanes = std::max<int64_t>(1, target.lanes(plan.elementBits));

  // Register tile: nr lanes (chooseRegisterWidth), mr rows (registerRows).
  int64_t nr = options.registerTileN
                   ? options.registerTileN
                   : chooseRegisterWidth(extent(*plan.nDim), lanes);
  int64_t mr = registerRows(options, lanes);
  // A reduction with no rows to reuse B across (`ij->j`: column sums) is
  // a stream: eight vectors of accumulators per register tile read 512
  // contiguous bytes of each row, and wider cache tiles keep the rows'
  // pages in use longer (measured 12.5 -> 16 GB/s on 4096 x 8192).
  bool stream = reduces && !plan.mDim && !plan.panelDim &&
                !options.registerTileN;
  if (stream)
    nr = 8 * lanes;
  nr = std::min(nr, extent(*plan.nDim));
  if (plan.mDim)
    mr = std::min(mr, extent(*plan.mDim));

  // Cache tiles. Kc: the A micro-panel (mr x Kc) takes at most 1/6 of L1 so
  // it stays there across the column tiles, capped at 256 (longer K tiles
  // measured slower), but a K of at most two such tiles is one tile: a
  // split costs a round trip of the accumulators through L2 and a second
  // pass over each row of A (`bhqk,bkhd->bqhd`, K = 512: 3.79 -> 3.64 ms).
  // Nc: a Kc x Nc block of B fills at most 1/4 of L2.
  // Mc: a Mc x Kc block of A fills at most 1/8 of L2.
  int64_t kc = options.cacheTileK;
  int64_t k = plan.kDim ? extent(*plan.kDim) : 1;
  if (!kc) {
    kc = std::clamp<int64_t>(
        llvm::bit_floor(uint64_t(target.l1Bytes / (6 * mr * elementBytes))),
        16, 256);
    if (k <= 2 * kc)
      kc = k;
  }
  kc = std::min(kc, k);
  int64_t nc = options.cacheTileN;
  if (!nc)
    nc = roundDown(target.l2Bytes / (stream ? 2 : 4) / (kc * elementBytes),
                   nr);
  // N in full: panels x lanes when packed.
  int64_t n = extent(*plan.nDim);
  if (plan.panelDim)
    n = extent(*plan.panelDim) == INT64_MAX ? INT64_MAX
                                            : n * extent(*plan.panelDim);
  nc = std::min(nc, roundUp(std::min(n, INT64_MAX / 2), nr));
  if (!options.cacheTileN)
    nc = evenTile(n, nc, nr);
  int64_t mc = options.cacheTileM;
  if (!mc)
    mc = roundDown(target.l2Bytes / 8 / (kc * elementBytes), mr);
  if (plan.mDim) {
    mc = std::min(mc, roundUp(std::min(extent(*plan.mDim), INT64_MAX / 2), mr));
    if (!options.cacheTileM)
      mc = evenTile(extent(*plan.mDim), mc, mr);
  }

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
      plan.cacheTiles[dim] = plan.panelDim ? nr : nc;
      plan.registerTiles[dim] = nr;
    } else if (plan.panelDim && dim == *plan.panelDim) {
      // Nc / nr panels per cache tile, one per register tile.
      plan.cacheTiles[dim] = std::max<int64_t>(1, nc / nr);
      plan.registerTiles[dim] =
          plan.mDim ? 1 : std::min<int64_t>(kStreamRows, extent(dim));
    } else if (plan.mDim && dim == *plan.mDim) {
      plan.cacheTiles[dim] = mc;
      plan.registerTiles[dim] = mr;
    } else if (innermostOfInput(op, dim)) {
      // A batch dim that is an input's innermost axis: a cache line of it
      // per tile, so that the tile reads whole lines of that input (one at
      // a time, every line is read again by the next 15 tiles, long after
      // it left the cache: `akdbc,jk->cjbda` read its 22 MB input 16 times).
      plan.cacheTiles[dim] =
          std::min(extent(dim),
                   std::max<int64_t>(1, target.cacheLineBytes / elementBytes));
      plan.registerTiles[dim] = 1;
    } else {
      plan.cacheTiles[dim] = 1; // batch dim
    }
  }
  // Cache loops: batch dims first. In the dims' own order a batch dim can
  // sit inside M (`bhqk,bkhd->bqhd`: b, q, h, d), and consecutive tiles
  // then switch batch slices, each bringing its packed B block back from
  // L3 (case 5: 3.93 -> 3.79 ms; 3.64 with K in one tile, above).
  auto isBatchOrSummed = [&](unsigned dim) {
    return dim != *plan.nDim && (!plan.panelDim || dim != *plan.panelDim) &&
           (!plan.mDim || dim != *plan.mDim);
  };
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (isBatchOrSummed(dim))
      plan.cacheInterchange.push_back(dim);
  if (plan.mDim)
    plan.cacheInterchange.push_back(*plan.mDim);
  if (plan.panelDim)
    plan.cacheInterchange.push_back(*plan.panelDim);
  plan.cacheInterchange.push_back(*plan.nDim);
  // Register loops: M, then the panel (or N). A row tile's A micro-panel
  // stays in L1 while the B panels stream from L2, and each output row is
  // written front to back, a stream the prefetcher follows; with the
  // panel loop outside, the output tiles hop down the rows, every store a
  // demand miss where the output is not streamed (an N of 497 floats
  // leaves the rows unaligned: 8192 x 64 x 497 went 9.8 -> 3.8 ms).
  if (plan.mDim)
    plan.registerInterchange.push_back(*plan.mDim);
  if (plan.panelDim)
    plan.registerInterchange.push_back(*plan.panelDim);
  plan.registerInterchange.push_back(*plan.nDim);
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (isBatchOrSummed(dim))
      plan.registerInterchange.push_back(dim);
  plan.singleKTile = !otherReductions && (!plan.kDim || k <= kc);
  // One K tile: no reduction loop above the register tiles, so the zero
  // fill can move into them.
  if (plan.singleKTile)
    plan.reductionTiles.assign(plan.numLoops, 0);
  return plan;
}

/// Output elements per cache tile of a lane sum.
static constexpr int64_t kLaneSumCacheRows = 4096;

TilePlan einsum::planLaneSum(linalg::GenericOp op,
                             const TilingOptions &options) {
  TilePlan plan;
  plan.numLoops = op.getNumLoops();
  AffineMap out = op.getIndexingMapsArray().back();
  plan.nDim = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (iterators[dim] == utils::IteratorType::reduction)
      plan.kDim = dim;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  plan.elementBits = element.getIntOrFloatBitWidth();
  int64_t lanes = std::max<int64_t>(1, options.target.lanes(plan.elementBits));
  int64_t rows = op.getStaticLoopRanges()[*plan.nDim];
  plan.cacheTiles.assign(plan.numLoops, 0);
  plan.reductionTiles.assign(plan.numLoops, 0);
  plan.registerTiles.assign(plan.numLoops, 0);
  plan.innerReductionTiles.assign(plan.numLoops, 0);
  // Register loops: the parallel dims (1 each but N), then the lanes.
  for (unsigned dim = 0; dim < plan.numLoops; ++dim) {
    if (iterators[dim] == utils::IteratorType::reduction) {
      plan.innerReductionTiles[dim] = dim == *plan.kDim ? lanes : 1;
      continue;
    }
    plan.cacheTiles[dim] = 1;
    plan.registerTiles[dim] = 1;
    plan.registerInterchange.push_back(dim);
  }
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (iterators[dim] == utils::IteratorType::reduction)
      plan.registerInterchange.push_back(dim);
  plan.registerTiles[*plan.nDim] =
      ShapedType::isDynamic(rows) ? lanes : std::min(lanes, rows);
  // Cache tiles (the scf.forall, for threads): 4096 output elements.
  plan.cacheTiles[*plan.nDim] = kLaneSumCacheRows;
  plan.singleKTile = true;
  return plan;
}

bool einsum::isLaneSum(linalg::GenericOp op, const TilingOptions &options) {
  if (op.getNumDpsInputs() != 1 || !isSumReduction(op))
    return false;
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // in[d0, ..., dn] summed into out[d0, ..., dn-1].
  SmallVector<AffineExpr> leading;
  for (unsigned dim = 0; dim + 1 < numLoops; ++dim)
    leading.push_back(getAffineDimExpr(dim, op.getContext()));
  if (numLoops < 2 || !maps[0].isIdentity() ||
      maps[1] != AffineMap::get(numLoops, 0, leading, op.getContext()) ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return false;
  // isTileable: int or float elements.
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  int64_t lanes = options.target.lanes(element.getIntOrFloatBitWidth());
  int64_t extent = op.getStaticLoopRanges().back();
  return lanes >= 2 && !ShapedType::isDynamic(extent) && extent % lanes == 0;
}

linalg::GenericOp einsum::splitSumProducer(linalg::GenericOp sum) {
  if (sum.getNumDpsInputs() != 1 || sum.getNumLoops() < 2 ||
      sum.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return nullptr;
  auto producer = sum.getDpsInputs()[0].getDefiningOp<linalg::GenericOp>();
  if (!producer || !producer->hasOneUse() || !isTileable(producer) ||
      !producer.getDpsInits()[0].getDefiningOp<linalg::FillOp>())
    return nullptr;
  return producer;
}

linalg::GenericOp einsum::laneSumProducer(linalg::GenericOp op,
                                          const TilingOptions &options) {
  return isLaneSum(op, options) ? splitSumProducer(op) : nullptr;
}

std::optional<SmallVector<int64_t>>
einsum::permutingCopy(linalg::GenericOp op) {
  // Static only: tileTranspose leaves dynamic transposes as scalar loops,
  // where the generic's register tiles are vectorized with masks.
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 || !op.hasPureTensorSemantics() ||
      op.hasDynamicShape())
    return std::nullopt;
  AffineMap in = op.getIndexingMapsArray()[0];
  AffineMap out = op.getIndexingMapsArray()[1];
  Type element = getElementTypeOrSelf(op.getDpsInputs()[0].getType());
  if (!in.isPermutation() || !out.isIdentity() || in.isIdentity() ||
      element != getElementTypeOrSelf(op.getDpsInits()[0].getType()))
    return std::nullopt;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || (!matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) &&
                !matchPattern(fill.getInputs()[0], m_Zero())))
    return std::nullopt;
  // The body: yield(add(out, in)) or yield(in).
  Block &body = op.getRegion().front();
  Value yielded = body.getTerminator()->getOperand(0);
  Value inArg = body.getArgument(0), outArg = body.getArgument(1);
  if (yielded != inArg) {
    Operation *add = yielded.getDefiningOp();
    if (!add || !isa<arith::AddFOp, arith::AddIOp>(add) ||
        !((add->getOperand(0) == outArg && add->getOperand(1) == inArg) ||
          (add->getOperand(0) == inArg && add->getOperand(1) == outArg)))
      return std::nullopt;
  }
  // Output axis i reads input axis permutation[i].
  SmallVector<int64_t> permutation;
  for (AffineExpr expr : out.getResults())
    permutation.push_back(*in.getResultPosition(expr));
  return permutation;
}

TilePlan einsum::choosePlan(linalg::GenericOp op,
                            const TilingOptions &options) {
  return isLaneSum(op, options) ? planLaneSum(op, options)
                                : planTiles(op, options);
}

bool einsum::summedAxesInnermost(linalg::GenericOp op, AffineMap map) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned rank = map.getNumResults(), summed = op.getNumReductionLoops();
  if (rank < summed)
    return false;
  for (unsigned i = rank - summed; i < rank; ++i)
    if (iterators[map.getDimPosition(i)] != utils::IteratorType::reduction)
      return false;
  return true;
}

bool einsum::isLayoutCandidate(linalg::GenericOp op) {
  // The trip count last: it is only meaningful for a tileable generic.
  return isTileable(op) && op.getNumReductionLoops() > 0 &&
         op.hasPureTensorSemantics() &&
         op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>() &&
         staticTripCount(op);
}

std::optional<LayoutPlan> einsum::planLayout(linalg::GenericOp op,
                                             const TilingOptions &options,
                                             int64_t minReuse) {
  if (!isLayoutCandidate(op))
    return std::nullopt;
  int64_t iterations = *staticTripCount(op);
  // A copy of an operand pays off if the contraction does at least
  // min-reuse multiply-adds per element of it.
  auto worthCopying = [&](Value operand) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    // iterations >= minReuse x elements, without the product.
    return type && type.hasStaticShape() &&
           (minReuse == 0 || iterations / minReuse >= type.getNumElements());
  };
  TilePlan plan = planTiles(op, options);
  LayoutPlan layout;
  // The row operand, copied where its summed axes are not its innermost
  // ones (K strided, or summed dims that cannot merge into one K), if the
  // copy is cheap next to the contraction.
  if (std::optional<unsigned> row = rowOperand(op); row && plan.kDim) {
    OpOperand &operand = op->getOpOperand(*row);
    layout.rowPack =
        !summedAxesInnermost(op, op.getMatchingIndexingMap(&operand)) &&
        worthCopying(operand.get());
  }
  unsigned nDim = *plan.nDim;
  // The register tile's width, a power of two even where N is narrower
  // (planTiles caps nr at N: 31 lanes would be one odd-sized vector).
  layout.panel = llvm::PowerOf2Ceil(plan.registerTiles[nDim]);
  int64_t lanes = std::max<int64_t>(1, options.target.lanes(plan.elementBits));
  layout.rows = registerRows(options, lanes);
  int64_t n = op.getStaticLoopRanges()[nDim];
  bool onePanel = n <= layout.panel && n % lanes == 0;
  // Pack the operands that carry N, where the copy is cheap next to the
  // contraction. With one panel of whole vectors only an operand whose N
  // axis is not innermost needs it (`aebf,dfce->abcd`: d strided by 32^3);
  // an N that is not whole vectors is padded (2048 x 1024 x 31 ran as
  // 31-lane vectors: 10 -> 100 GFLOP/s).
  for (OpOperand *operand : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    if (!map.isFunctionOfDim(nDim))
      continue;
    if (onePanel &&
        map.getResults().back() == getAffineDimExpr(nDim, op.getContext()))
      continue;
    if (worthCopying(operand->get()))
      layout.packed.push_back(operand->getOperandNumber());
  }
  return layout;
}

std::pair<TilePlan, TilePlan>
einsum::planSplitSum(linalg::GenericOp partial, linalg::GenericOp sum,
                     const TilingOptions &options) {
  TilePlan partialPlan = planTiles(partial, options);
  partialPlan.cacheTiles.assign(partialPlan.numLoops, 0);
  TilePlan sumPlan = planLaneSum(sum, options);
  // Rows per tile: a power of two whose partial sums fill at most a
  // quarter of L1, counted from the output's innermost axis outwards.
  SmallVector<int64_t> ranges = sum.getStaticLoopRanges();
  int64_t laneBytes =
      ranges.back() * std::max<int64_t>(1, sumPlan.elementBits / 8);
  int64_t budget =
      std::max<int64_t>(1, llvm::bit_floor(uint64_t(std::max<int64_t>(
                               1, options.target.l1Bytes / 4 / laneBytes))));
  sumPlan.cacheTiles.assign(ranges.size(), 0);
  for (unsigned dim = ranges.size() - 1; dim-- > 0;) {
    int64_t size = ShapedType::isDynamic(ranges[dim])
                       ? budget
                       : std::min(ranges[dim], budget);
    sumPlan.cacheTiles[dim] = size;
    budget = std::max<int64_t>(1, budget / size);
  }
  return {partialPlan, sumPlan};
}

/// Side of the cache blocks of a transpose (see planTranspose).
static constexpr int64_t kTransposeBlock = 256;

TransposePlan einsum::planTranspose(ArrayRef<int64_t> permutation,
                                    ArrayRef<int64_t> outputShape,
                                    unsigned elementBits,
                                    const CPUTarget &target) {
  int64_t rank = outputShape.size();
  int64_t lanes = std::max<int64_t>(1, target.lanes(elementBits));
  TransposePlan plan;
  plan.vector.assign(rank, 1);
  plan.blocks.assign(rank, 0);
  int64_t sourceInner = llvm::find(permutation, rank - 1) - permutation.begin();
  if (sourceInner == rank - 1) {
    plan.vector[rank - 1] = std::min<int64_t>(outputShape[rank - 1], 4 * lanes);
  } else {
    plan.vector[rank - 1] = std::min<int64_t>(outputShape[rank - 1], lanes);
    plan.vector[sourceInner] =
        std::min<int64_t>(outputShape[sourceInner], lanes);
    if (outputShape[rank - 1] > kTransposeBlock ||
        outputShape[sourceInner] > kTransposeBlock) {
      plan.blocks[rank - 1] = kTransposeBlock;
      plan.blocks[sourceInner] = kTransposeBlock;
    }
  }
  // The loops walk the source in its own order (its innermost dim
  // innermost): each vector tile's rows then continue the previous tile's
  // rows, streams the hardware prefetcher follows, while the output is
  // written a whole cache line per row, which needs no prefetch.
  plan.order.assign(rank, 0);
  for (int64_t i = 0; i < rank; ++i)
    plan.order[permutation[i]] = i;
  return plan;
}

TilingOptions einsum::makeTilingOptions(const CPUTarget &target,
                                        unsigned vectorBits, int64_t l1Bytes,
                                        int64_t l2Bytes, int64_t cacheTileM,
                                        int64_t cacheTileN, int64_t cacheTileK,
                                        int64_t registerTileM,
                                        int64_t registerTileN) {
  TilingOptions options;
  options.target = target;
  if (vectorBits) {
    options.target.vectorBits = vectorBits;
    options.target.numVectorRegisters = vectorBits >= 512 ? 32 : 16;
  }
  if (l1Bytes)
    options.target.l1Bytes = l1Bytes;
  if (l2Bytes)
    options.target.l2Bytes = l2Bytes;
  options.cacheTileM = cacheTileM;
  options.cacheTileN = cacheTileN;
  options.cacheTileK = cacheTileK;
  options.registerTileM = registerTileM;
  options.registerTileN = registerTileN;
  return options;
}

llvm::Error einsum::validateTilingOptions(const TilingOptions &options) {
  auto bad = [](const char *name, int64_t value, const char *range) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::Twine("tiling option '") + name +
                                       "' is " + llvm::Twine(value) +
                                       ": expected " + range);
  };
  const CPUTarget &target = options.target;
  if (!CPUTarget::isVectorWidth(target.vectorBits))
    return bad("vector-bits", target.vectorBits, "128, 256 or 512");
  constexpr int64_t kib = 1024, gib = int64_t(1) << 30;
  if (target.l1Bytes < kib || target.l1Bytes > gib)
    return bad("l1-bytes", target.l1Bytes, "1024 to 2^30 bytes");
  if (target.l2Bytes < kib || target.l2Bytes > gib)
    return bad("l2-bytes", target.l2Bytes, "1024 to 2^30 bytes");
  struct Tile {
    const char *name;
    int64_t value, max;
  };
  for (Tile tile : {Tile{"mc", options.cacheTileM, kMaxCacheTile},
                    Tile{"nc", options.cacheTileN, kMaxCacheTile},
                    Tile{"kc", options.cacheTileK, kMaxCacheTile},
                    Tile{"mr", options.registerTileM, kMaxRegisterTile},
                    Tile{"nr", options.registerTileN, kMaxRegisterTile}}) {
    if (tile.value < 0 || tile.value > tile.max)
      return bad(tile.name, tile.value,
                 tile.max == kMaxCacheTile ? "0 (choose) to 2^24"
                                           : "0 (choose) to 64");
  }
  return llvm::Error::success();
}
