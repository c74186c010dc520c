//===- Tile.cpp - einsum-cpu-tile: cache and register tiles ---------------===//
//
// Tiles each contraction-like linalg.generic and each transpose by the plan
// einsum-cpu-plan attached (einsum.plan); see the pass description in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Plan.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/bit.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPUTILE
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Fusion control: fuse only zero fills of the accumulator (and the
/// tensor.empty they fill).
static std::optional<scf::SCFTileAndFuseOptions::ControlFnResult>
fuseFillsOnly(tensor::ExtractSliceOp, OpResult producer, bool) {
  if (isa<linalg::FillOp>(producer.getOwner()))
    return scf::SCFTileAndFuseOptions::ControlFnResult{};
  return std::nullopt;
}

/// The sizes `value` has, as the slice or static shape it was made from
/// (through destination-passing ops: a fill has its init's sizes); empty
/// if unknown.
static SmallVector<OpFoldResult> knownSizes(Value value) {
  while (auto dps = value.getDefiningOp<DestinationStyleOpInterface>())
    value = dps.getTiedOpOperand(cast<OpResult>(value))->get();
  if (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>();
      slice && slice.getSourceType().getRank() == slice.getType().getRank())
    return slice.getMixedSizes();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return {};
  return getAsIndexOpFoldResult(value.getContext(), type.getShape());
}

/// True if `slice` is the whole of its source.
static bool isWholeSlice(tensor::ExtractSliceOp slice) {
  SmallVector<OpFoldResult> sizes = knownSizes(slice.getSource());
  return !sizes.empty() &&
         llvm::all_of(slice.getMixedOffsets(), isZeroInteger) &&
         llvm::all_of(slice.getMixedStrides(), isOneInteger) &&
         isEqualConstantIntOrValueArray(slice.getMixedSizes(), sizes);
}

/// Fewest cache tiles the scf.forall keeps when the dims that would share
/// a packed slice move to an inner loop (see planPackFusion): enough to
/// spread over the threads.
static constexpr int64_t kMinParallelTiles = 8;

namespace {
/// The packing copies a contraction's cache-tile loop takes in, and how.
struct PackFusion {
  llvm::SmallPtrSet<Operation *, 2> packs;
  /// Cache tiles of the dims the packed operands do not index, tiled by an
  /// scf.for inside each scf.forall tile (0: none); the forall takes them
  /// whole.
  SmallVector<int64_t> innerTiles;
};
} // namespace

/// The packing copies of `op`'s inputs (a linalg.transpose, from
/// einsum-cpu-layout, used by `op` alone) that its cache-tile loop can pack
/// tile by tile without packing anything twice. A tile's slice of a packed
/// operand is read by that tile alone when every cache-tiled dim with more
/// than one tile indexes the operand. Packed inside the loop, the slice is
/// still in cache (L2) when the tile reads it, and each thread packs its
/// own tiles; packed before the loop, the whole operand is one serial pass,
/// written to memory and read back (`bik,bkj->bij` b=32, 256^3: 8 MB).
/// Dims with several tiles that the operand does not index (the attention
/// output's query tiles, `bhqk,bkhd->bqhd`) move to an scf.for inside the
/// scf.forall tile when the forall keeps at least kMinParallelTiles tiles;
/// else the pack stays before the loop (GEMM: 2 tiles of N would be left).
/// The slices must be whole tiles (static shapes), which tileTranspose
/// vectorizes.
static PackFusion planPackFusion(linalg::GenericOp op, const TilePlan &plan) {
  PackFusion fusion;
  fusion.innerTiles.assign(plan.numLoops, 0);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto numTiles = [&](unsigned dim) {
    int64_t tile = plan.cacheTiles[dim];
    return tile ? llvm::divideCeilSigned(ranges[dim], tile) : int64_t(1);
  };
  for (unsigned dim = 0; dim < plan.numLoops; ++dim)
    if (plan.cacheTiles[dim] && ShapedType::isDynamic(ranges[dim]))
      return fusion;
  SmallVector<int64_t> &innerTiles = fusion.innerTiles;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto pack = input->get().getDefiningOp<linalg::TransposeOp>();
    if (!pack || !pack->hasOneUse() || !pack.hasPureTensorSemantics() ||
        !pack.getInit().getType().hasStaticShape() ||
        !pack.getInit().getDefiningOp<tensor::EmptyOp>())
      continue;
    AffineMap map = op.getMatchingIndexingMap(input);
    bool wholeTiles = true;
    SmallVector<int64_t> shared(plan.numLoops, 0);
    for (unsigned dim = 0; dim < plan.numLoops; ++dim) {
      if (numTiles(dim) <= 1)
        continue;
      if (!map.isFunctionOfDim(dim))
        shared[dim] = plan.cacheTiles[dim];
      else
        wholeTiles &= ranges[dim] % plan.cacheTiles[dim] == 0;
    }
    if (!wholeTiles)
      continue;
    // The forall's tiles with these dims (and those of the packs taken so
    // far) moved inside.
    int64_t parallelTiles = 1;
    for (unsigned dim = 0; dim < plan.numLoops; ++dim)
      if (!shared[dim] && !innerTiles[dim])
        parallelTiles *= numTiles(dim);
    bool sharesNothing = llvm::all_of(shared, [](int64_t t) { return !t; });
    if (!sharesNothing && parallelTiles < kMinParallelTiles)
      continue;
    fusion.packs.insert(pack);
    for (unsigned dim = 0; dim < plan.numLoops; ++dim)
      if (shared[dim])
        innerTiles[dim] = shared[dim];
  }
  return fusion;
}

/// Each fused pack of `loop` writes a buffer of its own: the slice of the
/// whole packed tensor that tiling gave it becomes a tensor.empty of the
/// slice's size, one allocation per tile that stays in cache (and per
/// thread) instead of one of the whole operand.
static void localizePackBuffers(RewriterBase &rewriter, Operation *loop) {
  loop->walk([&](linalg::TransposeOp pack) {
    auto slice = pack.getInit().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || !slice.getSource().getDefiningOp<tensor::EmptyOp>() ||
        slice.getSourceType().getRank() != slice.getType().getRank())
      return;
    rewriter.setInsertionPoint(pack);
    Value buffer =
        tensor::EmptyOp::create(rewriter, pack.getLoc(), slice.getMixedSizes(),
                                slice.getType().getElementType());
    rewriter.modifyOpInPlace(pack,
                             [&] { pack.getInitMutable().assign(buffer); });
  });
}

namespace {
/// Tiles one generic; returns the innermost tiled generic.
class ContractionTiler {
public:
  ContractionTiler(RewriterBase &rewriter, const TilePlan &plan)
      : rewriter(rewriter), plan(plan) {}

  LogicalResult run(linalg::GenericOp op);

private:
  /// Tiles `op` with `sizes`, fusing fills if `fuseFill` and the ops of
  /// `fusedPacks`; returns the tiled consumer and appends the loops to
  /// `loops`.
  FailureOr<linalg::GenericOp>
  tile(linalg::GenericOp op, ArrayRef<int64_t> sizes,
       scf::SCFTilingOptions::LoopType loopType, bool fuseFill,
       SmallVectorImpl<LoopLikeOpInterface> &loops,
       ArrayRef<int64_t> interchange = {},
       const llvm::SmallPtrSetImpl<Operation *> *fusedPacks = nullptr);

  /// Peels the first iteration off the K-tile loop of `reductionLoops` if
  /// its accumulator starts as a fill; returns the peeled generic, whose
  /// accumulator is then the fill itself.
  linalg::GenericOp
  peelFirstKTile(ArrayRef<LoopLikeOpInterface> reductionLoops);
  /// Steps 3 and 4 of run on one generic left by the reduction tiling.
  LogicalResult tileRegisters(linalg::GenericOp op, bool fuseFill,
                              ArrayRef<int64_t> ranges);

  RewriterBase &rewriter;
  const TilePlan &plan;
};
} // namespace

/// Tiles `op` with `sizes` (loops of `loopType`, in `interchange` order),
/// fusing the producers `fuse` accepts, and replaces it; returns the tiled
/// and fused ops, the tiled `op` first, and appends the loops to `loops`.
static FailureOr<SmallVector<Operation *>>
tileAndFuse(RewriterBase &rewriter, linalg::GenericOp op,
            ArrayRef<int64_t> sizes, scf::SCFTilingOptions::LoopType loopType,
            scf::SCFTileAndFuseOptions::ControlFnTy fuse,
            SmallVectorImpl<LoopLikeOpInterface> &loops,
            ArrayRef<int64_t> interchange = {}) {
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes))
      .setLoopType(loopType);
  if (!interchange.empty())
    tiling.setInterchange(interchange);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(fuse);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return op.emitOpError("einsum-cpu-tile: tiling failed");
  for (OpResult res : op->getResults())
    rewriter.replaceAllUsesWith(res, result->replacements.lookup(res));
  rewriter.eraseOp(op);
  loops.append(result->loops.begin(), result->loops.end());
  return SmallVector<Operation *>(result->tiledAndFusedOps.getArrayRef());
}

FailureOr<linalg::GenericOp>
ContractionTiler::tile(linalg::GenericOp op, ArrayRef<int64_t> sizes,
                       scf::SCFTilingOptions::LoopType loopType, bool fuseFill,
                       SmallVectorImpl<LoopLikeOpInterface> &loops,
                       ArrayRef<int64_t> interchange,
                       const llvm::SmallPtrSetImpl<Operation *> *fusedPacks) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  auto fuse = [&](tensor::ExtractSliceOp slice, OpResult producer,
                  bool isDestination)
      -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
    if (fusedPacks && fusedPacks->contains(producer.getOwner()))
      return scf::SCFTileAndFuseOptions::ControlFnResult{};
    if (fuseFill)
      return fuseFillsOnly(slice, producer, isDestination);
    return std::nullopt;
  };
  FailureOr<SmallVector<Operation *>> tiled =
      tileAndFuse(rewriter, op, sizes, loopType, fuse, loops, interchange);
  if (failed(tiled))
    return failure();
  return cast<linalg::GenericOp>(tiled->front());
}

LogicalResult ContractionTiler::run(linalg::GenericOp op) {
  using LoopType = scf::SCFTilingOptions::LoopType;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<LoopLikeOpInterface> cacheLoops, reductionLoops;

  // 1. Cache tiles of the parallel dims, on threads later; fuse the fill
  //    and the packing copies each tile can make for itself, moving the
  //    dims that would share them to an inner scf.for.
  PackFusion fusion = planPackFusion(op, plan);
  llvm::SmallPtrSet<Operation *, 2> &packs = fusion.packs;
  SmallVector<int64_t> forallTiles = plan.cacheTiles;
  for (auto [forall, inner] : llvm::zip_equal(forallTiles, fusion.innerTiles))
    if (inner)
      forall = 0;
  FailureOr<linalg::GenericOp> tiled =
      tile(op, forallTiles, LoopType::ForallOp, /*fuseFill=*/true, cacheLoops,
           plan.cacheInterchange, &packs);
  if (!packs.empty() && !cacheLoops.empty())
    localizePackBuffers(rewriter, cacheLoops.front());
  if (succeeded(tiled))
    tiled = tile(*tiled, fusion.innerTiles, LoopType::ForOp,
                 /*fuseFill=*/true, cacheLoops, plan.cacheInterchange);
  // The packs fused in full: only the slices tiling left unused read them.
  for (Operation *pack : packs) {
    for (Operation *user : llvm::make_early_inc_range(pack->getUsers()))
      if (isa<tensor::ExtractSliceOp>(user) && user->use_empty())
        rewriter.eraseOp(user);
    if (pack->use_empty())
      rewriter.eraseOp(pack);
  }
  // 2. Reduction tiles.
  if (succeeded(tiled))
    tiled = tile(*tiled, plan.reductionTiles, LoopType::ForOp,
                 /*fuseFill=*/false, reductionLoops);
  if (failed(tiled))
    return failure();
  // Register tiles: those of the first K tile start from the fill.
  SmallVector<std::pair<linalg::GenericOp, bool>> kernels{
      {*tiled, plan.singleKTile}};
  if (linalg::GenericOp first = peelFirstKTile(reductionLoops))
    kernels.push_back({first, /*fuseFill=*/true});
  for (auto [kernel, fuseFill] : kernels)
    if (failed(tileRegisters(kernel, fuseFill, ranges)))
      return failure();
  return success();
}

linalg::GenericOp
ContractionTiler::peelFirstKTile(ArrayRef<LoopLikeOpInterface> reductionLoops) {
  // One K-tile loop with static bounds (a peeled first iteration of a
  // dynamic loop would keep the whole step), over an accumulator that
  // starts as a fill.
  if (reductionLoops.size() != 1)
    return nullptr;
  auto loop = dyn_cast<scf::ForOp>(*reductionLoops.front());
  if (!loop || loop.getInitArgs().size() != 1 ||
      !loop.getInitArgs()[0].getDefiningOp<linalg::FillOp>() ||
      !getConstantIntValue(loop.getLowerBound()) ||
      !getConstantIntValue(loop.getUpperBound()) ||
      !getConstantIntValue(loop.getStep()))
    return nullptr;
  scf::ForOp first;
  if (failed(scf::peelForLoopFirstIteration(rewriter, loop, first)))
    return nullptr; // a single K tile
  linalg::GenericOp kernel;
  first.walk([&](linalg::GenericOp op) { kernel = op; });
  if (!kernel)
    return nullptr;
  // Inlined, the peeled iteration reads its accumulator from a slice of
  // the fill and inserts its result back, both the whole tensor (the K
  // tiling slices no output dim): the kernel then works on the fill
  // itself, which register tiling fuses.
  if (failed(first.promoteIfSingleIteration(rewriter)) || !kernel->hasOneUse())
    return kernel;
  OpOperand *init = kernel.getDpsInitOperand(0);
  auto slice = init->get().getDefiningOp<tensor::ExtractSliceOp>();
  auto insert = dyn_cast<tensor::InsertSliceOp>(*kernel->user_begin());
  if (!slice || !insert || !isWholeSlice(slice) ||
      insert.getDest() != slice.getSource() ||
      !insert.isSameAs(slice, isEqualConstantIntOrValue))
    return kernel;
  rewriter.modifyOpInPlace(kernel, [&] { init->set(slice.getSource()); });
  rewriter.replaceOp(insert, kernel->getResults());
  return kernel;
}

LogicalResult ContractionTiler::tileRegisters(linalg::GenericOp op,
                                              bool fuseFill,
                                              ArrayRef<int64_t> ranges) {
  using LoopType = scf::SCFTilingOptions::LoopType;
  SmallVector<LoopLikeOpInterface> registerLoops, innerLoops;
  // 3. Register tiles of M and N; the fill moves in when no reduction loop
  //    separates it from the register tile.
  FailureOr<linalg::GenericOp> tiled =
      tile(op, plan.registerTiles, LoopType::ForOp, fuseFill, registerLoops,
           plan.registerInterchange);
  // 4. K by one.
  if (succeeded(tiled))
    tiled = tile(*tiled, plan.innerReductionTiles, LoopType::ForOp,
                 /*fuseFill=*/false, innerLoops);
  if (failed(tiled))
    return failure();

  // Mark the register tile with its vector sizes: the register tile for
  // tiled dims, 1 for dims tiled by one, the full extent otherwise.
  SmallVector<int64_t> vectorSizes;
  for (unsigned dim = 0; dim < plan.numLoops; ++dim) {
    int64_t size = plan.registerTiles[dim];
    if (!size && plan.innerReductionTiles[dim])
      size = plan.innerReductionTiles[dim];
    if (!size && plan.reductionTiles[dim])
      size = plan.reductionTiles[dim];
    if (!size && plan.cacheTiles[dim])
      size = plan.cacheTiles[dim];
    if (!size)
      size = ranges[dim];
    vectorSizes.push_back(size);
  }
  (*tiled)->setAttr(kVectorSizesAttrName,
                    rewriter.getDenseI64ArrayAttr(vectorSizes));

  // Peel the register loops so full tiles get static shapes; the remainder
  // keeps dynamic sizes (vectorized with masks). Inner loops first, so the
  // outer loop's remainder copy holds an already peeled inner loop.
  for (LoopLikeOpInterface loop : llvm::reverse(registerLoops)) {
    auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
    if (!forOp)
      continue;
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
  }
  return success();
}

/// Tiles a static transpose (an operand packing copy or a permuting einsum)
/// by its plan (planTranspose): cache blocks, then vector blocks, the loops
/// in the plan's order. A copy the cache-tile loop of a contraction took in
/// is a slice of the planned one: each size is taken up to its extent.
static LogicalResult tileTranspose(RewriterBase &rewriter,
                                   linalg::TransposeOp op) {
  auto type = cast<RankedTensorType>(op.getInit().getType());
  if (!op.hasPureTensorSemantics() || !type.hasStaticShape() ||
      type.getRank() == 0)
    return success();
  auto attr = op->getAttrOfType<TransposePlanAttr>(kPlanAttrName);
  if (!attr)
    return op.emitOpError("einsum-cpu-tile: no #einsum.transpose_plan in "
                          "einsum.plan (run einsum-cpu-plan first)");
  if (failed(verifyTransposePlan(op, attr)))
    return failure();
  TransposePlan plan = transposePlanFromAttr(attr);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank();
  SmallVector<int64_t> sizes(rank), blocks(rank, 0);
  bool blocked = false;
  for (int64_t dim = 0; dim < rank; ++dim) {
    sizes[dim] = std::min(plan.vector[dim], shape[dim]);
    if (plan.blocks[dim] && plan.blocks[dim] < shape[dim]) {
      blocks[dim] = plan.blocks[dim];
      blocked = true;
    }
  }
  SmallVector<SmallVector<int64_t>> levels;
  if (blocked)
    levels.push_back(blocks);
  levels.push_back(sizes);
  ArrayRef<int64_t> sourceOrder = plan.order;
  Operation *current = op;
  SmallVector<LoopLikeOpInterface> vectorLoops;
  for (ArrayRef<int64_t> level : levels) {
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), level))
        .setInterchange(sourceOrder)
        .setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(current);
    FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(current), tiling);
    if (failed(result))
      return op.emitOpError("einsum-cpu-tile: tiling failed");
    rewriter.replaceOp(current, result->replacements);
    current = result->tiledOps.back();
    vectorLoops = result->loops;
  }
  current->setAttr(kVectorSizesAttrName, rewriter.getDenseI64ArrayAttr(sizes));
  // Peeled like the register loops of a contraction: whole blocks get
  // static shapes (unmasked vectors, streamed stores); only the remainder
  // is masked (ij->ji 2048 x 2047: 7.6 -> 1.7 ms).
  for (LoopLikeOpInterface loop : llvm::reverse(vectorLoops)) {
    scf::ForOp partial;
    if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation()))
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
  }
  return success();
}

/// A permuting copy (see permutingCopy) as the linalg.transpose it is,
/// which tiles into vectorized blocks; nullptr if `op` is not one.
static linalg::TransposeOp asTranspose(RewriterBase &rewriter,
                                       linalg::GenericOp op) {
  std::optional<SmallVector<int64_t>> permutation = permutingCopy(op);
  if (!permutation)
    return nullptr;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  rewriter.setInsertionPoint(op);
  auto transpose =
      linalg::TransposeOp::create(rewriter, op.getLoc(), op.getDpsInputs()[0],
                                  fill.getOutputs()[0], *permutation);
  if (Attribute plan = op->getAttr(kPlanAttrName))
    transpose->setAttr(kPlanAttrName, plan);
  rewriter.replaceOp(op, transpose->getResults());
  return transpose;
}

/// An elementwise generic (no reduction, every output element computed
/// once) does not need to read its filled accumulator: the fill value
/// replaces the accumulator in the body and the generic writes into the
/// fill's destination. Its output is then only written (streamed when
/// large, einsum-cpu-streaming-stores), also in the remainder tiles, which
/// otherwise read back the fill (`i,j->ij` 4097 x 4096: 12 -> 3 ms).
static void dropFilledAccumulator(RewriterBase &rewriter,
                                  linalg::GenericOp op) {
  if (op.getNumReductionLoops() != 0 || op.getNumDpsInits() != 1 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isPermutation())
    return;
  OpOperand *init = op.getDpsInitOperand(0);
  auto fill = init->get().getDefiningOp<linalg::FillOp>();
  if (!fill)
    return;
  BlockArgument acc = op.getMatchingBlockArgument(init);
  rewriter.modifyOpInPlace(op, [&] {
    acc.replaceAllUsesWith(fill.getInputs()[0]);
    init->set(fill.getOutputs()[0]);
  });
}

/// Tiles the partial sums `partial` and the sum of their lanes `sum`
/// together (planSplitSum): one scf.forall over the row tiles of the sum's
/// plan, each computing its rows' partial sums into a buffer of its own
/// and adding their lanes up while they are in cache. Apart, the partial
/// sums were a tensor of the output's size times the lanes, written to
/// memory and read back: for `ij->i` on 131072 x 64, twice the input's
/// bytes again.
static LogicalResult tileLaneSum(RewriterBase &rewriter, linalg::GenericOp sum,
                                 TilePlan sumPlan, linalg::GenericOp partial,
                                 const TilePlan &partialPlan) {
  SmallVector<int64_t> sizes = sumPlan.cacheTiles;
  sumPlan.cacheTiles.assign(sumPlan.numLoops, 0);
  Operation *partialOp = partial.getOperation();
  auto fusePartialSums =
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
    if (producer.getOwner() == partialOp ||
        isa<linalg::FillOp>(producer.getOwner()))
      return scf::SCFTileAndFuseOptions::ControlFnResult{};
    return std::nullopt;
  };
  SmallVector<LoopLikeOpInterface> loops;
  FailureOr<SmallVector<Operation *>> tiled = tileAndFuse(
      rewriter, sum, sizes, scf::SCFTilingOptions::LoopType::ForallOp,
      fusePartialSums, loops);
  if (failed(tiled))
    return failure();
  if (partial->use_empty())
    rewriter.eraseOp(partial);

  auto tiledSum = cast<linalg::GenericOp>(tiled->front());
  linalg::GenericOp tiledPartial;
  for (Operation *op : *tiled)
    if (auto generic = dyn_cast<linalg::GenericOp>(op);
        generic && generic != tiledSum)
      tiledPartial = generic;
  if (!tiledPartial)
    return tiledSum.emitOpError(
        "einsum-cpu-tile: the partial sums did not fuse");
  if (failed(ContractionTiler(rewriter, partialPlan).run(tiledPartial)))
    return failure();
  return ContractionTiler(rewriter, sumPlan).run(tiledSum);
}

namespace {
struct EinsumCPUTilePass
    : einsum::impl::EinsumCPUTileBase<EinsumCPUTilePass> {
  using EinsumCPUTileBase::EinsumCPUTileBase;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kVectorSizesAttrName))
        return;
      if (isTileable(op)) {
        ops.push_back(op);
        return;
      }
      // Not silently: einsum-run --remarks shows it.
      if (op.hasPureTensorSemantics())
        op.emitRemark() << "loop nest of " << op.getNumLoops()
                        << " loop dims left as plain loops, not a tiled and "
                           "vectorized contraction (a diagonal, a broadcast, "
                           "a full reduction, three or more operands or an "
                           "empty dim)";
    });
    // Every tileable generic is tiled by its plan (einsum-cpu-plan).
    llvm::DenseMap<Operation *, TilePlan> plans;
    for (linalg::GenericOp op : ops) {
      Attribute attr = op->getAttr(kPlanAttrName);
      if (isa_and_nonnull<TransposePlanAttr>(attr) && permutingCopy(op))
        continue;
      auto plan = dyn_cast_or_null<PlanAttr>(attr);
      if (!plan) {
        op.emitOpError("einsum-cpu-tile: no #einsum.plan in einsum.plan (run "
                       "einsum-cpu-plan first)");
        return signalPassFailure();
      }
      if (failed(verifyPlan(op, plan)))
        return signalPassFailure();
      plans[op] = planFromAttr(op, plan);
    }
    IRRewriter rewriter(&getContext());
    ops.erase(llvm::remove_if(ops,
                              [&](linalg::GenericOp op) {
                                return asTranspose(rewriter, op) != nullptr;
                              }),
              ops.end());
    // Partial sums in lanes are tiled together with the sum of their lanes:
    // the partial sums' plan has no cache tiles, the sum's are shared.
    SmallVector<std::pair<linalg::GenericOp, linalg::GenericOp>> laneSums;
    for (linalg::GenericOp op : ops)
      if (linalg::GenericOp partial = partialSumsOf(op))
        if (plans.count(op) && plans.count(partial))
          laneSums.push_back({op, partial});
    for (auto [sum, partial] : laneSums) {
      llvm::erase(ops, sum);
      llvm::erase(ops, partial);
    }
    for (auto [sum, partial] : laneSums)
      if (failed(
              tileLaneSum(rewriter, sum, plans[sum], partial, plans[partial])))
        return signalPassFailure();
    for (linalg::GenericOp op : ops) {
      TilePlan plan = plans[op];
      dropFilledAccumulator(rewriter, op);
      if (failed(ContractionTiler(rewriter, plan).run(op)))
        return signalPassFailure();
    }
    // Transposes last: the packing copies the cache-tile loops took in are
    // tiled there.
    SmallVector<linalg::TransposeOp> transposes;
    getOperation().walk([&](linalg::TransposeOp op) {
      if (!op->hasAttr(kVectorSizesAttrName))
        transposes.push_back(op);
    });
    for (linalg::TransposeOp op : transposes)
      if (failed(tileTranspose(rewriter, op)))
        return signalPassFailure();
    // The plans are spent: the tiled ops are not the ops they describe.
    getOperation().walk([](Operation *op) { op->removeAttr(kPlanAttrName); });
  }
};
} // namespace
