//===- Layout.cpp - einsum-cpu-layout: pack the vector-dim operands -------===//
//
// Splits the vector dim N of a contraction into panels (N = no x nr) and
// packs every operand that carries N into panel-major order, so the register
// kernel reads each operand panel as one contiguous stream; see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Plan.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPULAYOUT
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Sort key of summed dim `dim`: the tiled loops visit the summed dims in
/// their order, K (tiled by the register kernel) innermost.
static int64_t summedOrder(unsigned dim, std::optional<unsigned> kDim) {
  return kDim && dim == *kDim ? INT64_MAX : int64_t(dim);
}

/// Renumbers the summed loop dims of `op` in the order of the axes of its
/// row operand (input `row`), so that its innermost summed axis (K) is the
/// last summed dim. Once both operands are packed, the summed dims are then
/// adjacent and in order in both, and merge into one K.
static linalg::GenericOp orderSummedDims(RewriterBase &rewriter,
                                         linalg::GenericOp op, unsigned row) {
  AffineMap map = op.getIndexingMapsArray()[row];
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> summed;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    if (iterators[map.getDimPosition(i)] == utils::IteratorType::reduction)
      summed.push_back(map.getDimPosition(i));
  if (summed.size() != op.getNumReductionLoops())
    return op;
  SmallVector<unsigned> interchange;
  bool identity = true;
  for (unsigned dim = 0, next = 0; dim < op.getNumLoops(); ++dim) {
    interchange.push_back(iterators[dim] == utils::IteratorType::reduction
                              ? summed[next++]
                              : dim);
    identity &= interchange.back() == dim;
  }
  if (identity)
    return op;
  FailureOr<linalg::GenericOp> reordered =
      linalg::interchangeGenericOp(rewriter, op, interchange);
  return succeeded(reordered) ? *reordered : op;
}

/// Merges the runs of `type` dims of `op` that are adjacent and in order in
/// every operand into one dim each: the summed dims once both operands are
/// packed (one K), the free dims of a copied row operand (one larger M
/// instead of a batch dim around a small one: l and k of
/// `njmi,mknl->lkji`). The accumulator stays a fill, of the collapsed
/// destination. Returns the new generic, or `op`.
static linalg::GenericOp mergeDims(RewriterBase &rewriter, linalg::GenericOp op,
                                   utils::IteratorType type) {
  SmallVector<ReassociationIndices> runs = collapsibleRuns(op);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  llvm::erase_if(runs, [&](const ReassociationIndices &run) {
    return iterators[run.front()] != type;
  });
  auto fill = op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
  if (runs.empty() || !fill)
    return op;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, runs, rewriter);
  if (failed(collapsed))
    return op;
  rewriter.replaceOp(op, collapsed->results);
  auto merged = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
  OpOperand *init = merged.getDpsInitOperand(0);
  auto reshape = init->get().getDefiningOp<tensor::CollapseShapeOp>();
  if (!reshape || reshape.getSrc() != fill.getResult(0))
    return merged;
  // fill(collapse(dest)), not collapse(fill(dest)); a collapsed tensor.empty
  // is a tensor.empty (einsum-cpu-layout computes parts of it in place).
  rewriter.setInsertionPoint(merged);
  Location loc = merged.getLoc();
  Value dest = fill.getOutputs()[0];
  if (dest.getDefiningOp<tensor::EmptyOp>())
    dest = tensor::EmptyOp::create(rewriter, loc,
                                   reshape.getResultType().getShape(),
                                   reshape.getResultType().getElementType());
  else
    dest = tensor::CollapseShapeOp::create(rewriter, loc, dest,
                                           reshape.getReassociationIndices());
  Value newFill =
      linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], dest)
          .getResult(0);
  rewriter.modifyOpInPlace(merged, [&] { init->set(newFill); });
  return merged;
}

/// Copies the row operand `operand` of `op` (the GEMM's "A") so that its
/// free axes come first, in the dims' order, and its summed axes last, in
/// the order the tiled loops visit them, K innermost: each row of a register
/// tile is then one contiguous stream, whatever the einsum's layout (`mknl`
/// with K = n, M = k and l innermost read every element from its own cache
/// line). The copy is marked kRowPackAttrName.
static void packRowOperand(RewriterBase &rewriter, linalg::GenericOp op,
                           OpOperand &operand, unsigned kDim) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> permutation, summed;
  for (unsigned i = 0; i < map.getNumResults(); ++i) {
    unsigned dim = cast<AffineDimExpr>(map.getResult(i)).getPosition();
    (iterators[dim] == utils::IteratorType::reduction ? summed : permutation)
        .push_back(i);
  }
  llvm::stable_sort(summed, [&](int64_t a, int64_t b) {
    return summedOrder(map.getDimPosition(a), kDim) <
           summedOrder(map.getDimPosition(b), kDim);
  });
  // The free axes in the dims' order (the output's), so that free dims
  // adjacent in the output are adjacent here too and merge.
  llvm::stable_sort(permutation, [&](int64_t a, int64_t b) {
    return map.getDimPosition(a) < map.getDimPosition(b);
  });
  llvm::append_range(permutation, summed);
  auto type = cast<RankedTensorType>(operand.get().getType());
  SmallVector<int64_t> shape(type.getShape());
  applyPermutationToVector(shape, permutation);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  auto pack = linalg::TransposeOp::create(rewriter, loc, operand.get(), empty,
                                          permutation);
  pack->setAttr(kRowPackAttrName, rewriter.getUnitAttr());
  Value packed = pack->getResult(0);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<AffineExpr> results(map.getResults());
  applyPermutationToVector(results, permutation);
  maps[operand.getOperandNumber()] =
      AffineMap::get(map.getNumDims(), 0, results, op.getContext());
  rewriter.modifyOpInPlace(op, [&] {
    operand.set(packed);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
}

namespace {
/// Iterations [offset, offset + size) of a loop dim, computed as `padded`
/// (>= size) iterations, the extra ones on zeros.
struct Part {
  int64_t offset, size, padded;
  bool isPadded() const { return padded != size; }
};

/// The whole tiles of `extent` as one part, then the remainder (if any) as
/// another, padded to `remainderPadding(remainder)`.
SmallVector<Part> partition(int64_t extent, int64_t tile,
                            function_ref<int64_t(int64_t)> remainderPadding) {
  SmallVector<Part> parts;
  int64_t whole = extent / tile * tile;
  if (whole > 0)
    parts.push_back({0, whole, whole});
  if (whole < extent)
    parts.push_back(
        {whole, extent - whole, remainderPadding(extent - whole)});
  return parts;
}

/// Rewrites one generic into its panel form, one generic per part of its
/// iteration space (N: whole panels, then the remainder as one narrower
/// panel padded to a power of two; M: whole row tiles, then the remainder
/// rows, a generic whose row tile is that remainder). Unpadded parts are
/// computed in place in the output; padded ones in small temporaries
/// copied into place.
class PanelPacker {
public:
  /// `mDim`, if set, is split into whole `mr` row tiles and the remainder.
  PanelPacker(RewriterBase &rewriter, linalg::GenericOp op, unsigned nDim,
              int64_t panel, std::optional<unsigned> mDim, int64_t mr,
              std::optional<unsigned> kDim)
      : rewriter(rewriter), op(op), nDim(nDim), panel(panel), mDim(mDim),
        kDim(kDim), context(op.getContext()) {
    nParts = partition(op.getStaticLoopRanges()[nDim], panel,
                       [&](int64_t rest) {
                         return std::min<int64_t>(panel,
                                                  llvm::PowerOf2Ceil(rest));
                       });
    if (mDim)
      mParts = partition(op.getStaticLoopRanges()[*mDim], mr,
                         [](int64_t rest) { return rest; });
    else
      mParts = {Part{0, 0, 0}}; // M is not split
    newDim = op.getNumLoops();
  }

  /// Rewrites the op; returns the generics of its parts.
  SmallVector<linalg::GenericOp>
  run(const llvm::SmallDenseSet<unsigned> &packedInputs);

private:
  /// The map of an operand after the split: N becomes its panel index and
  /// (for operands that carry N and the output) the lane `newDim` is
  /// appended.
  AffineMap splitMap(ArrayRef<AffineExpr> results) {
    return AffineMap::get(newDim + 1, 0, results, context);
  }
  /// Lanes of the panels of N part `n`: a narrower remainder is one panel.
  int64_t lanes(Part n) const { return std::min(panel, n.padded); }
  /// Position of a summed dim in the order the tiled loops visit them.
  int64_t summedRank(AffineExpr dim) const {
    return summedOrder(cast<AffineDimExpr>(dim).getPosition(), kDim);
  }
  /// Axis of `value` that loop dim `dim` indexes under `map`, if any.
  std::optional<unsigned> axisOf(AffineMap map, unsigned dim) {
    return map.getResultPosition(rewriter.getAffineDimExpr(dim));
  }
  /// The parts of `source` along their axes (one extract_slice), padded
  /// with zeros where a part is.
  Value slice(Value source, ArrayRef<std::pair<unsigned, Part>> parts);
  /// Input `operand` restricted to the parts; if it carries N, split into
  /// panels, and if `pack`, transposed to panel-major order.
  std::pair<Value, AffineMap> partInput(OpOperand &operand, Part m, Part n,
                                        bool pack);
  /// Computes one part: returns its result in the original output layout
  /// (padding dropped) and whether it was computed in place in `acc`.
  Value runPart(const llvm::SmallDenseSet<unsigned> &packedInputs,
                unsigned mIndex, unsigned nIndex, Value acc, bool inPlace);

  RewriterBase &rewriter;
  linalg::GenericOp op;
  unsigned nDim;
  int64_t panel;
  std::optional<unsigned> mDim, kDim;
  MLIRContext *context;
  SmallVector<Part> mParts, nParts;
  unsigned newDim;
  SmallVector<linalg::GenericOp> partOps;
  /// Inputs already prepared, by (operand, M part if it carries M, N part
  /// if it carries N): a packed operand is copied once, not once per part.
  llvm::DenseMap<std::tuple<unsigned, int64_t, int64_t>,
                 std::pair<Value, AffineMap>>
      prepared;
};
} // namespace

Value PanelPacker::slice(Value source,
                         ArrayRef<std::pair<unsigned, Part>> parts) {
  Location loc = op.getLoc();
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<int64_t> offsets(shape.size(), 0);
  bool padded = false;
  for (auto [axis, part] : parts) {
    padded |= part.isPadded();
    offsets[axis] = part.offset;
    shape[axis] = part.size;
  }
  source = extractStaticSlice(rewriter, loc, source, offsets, shape);
  if (padded) {
    // Zeros: their products land in output rows or columns that are
    // dropped.
    for (auto [axis, part] : parts)
      shape[axis] = part.padded;
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
    source = tensor::createPadHighOp(
        RankedTensorType::get(shape, type.getElementType()), source, zero,
        /*nofold=*/false, loc, rewriter);
  }
  return source;
}

std::pair<Value, AffineMap> PanelPacker::partInput(OpOperand &operand, Part m,
                                                   Part n, bool pack) {
  Location loc = op.getLoc();
  AffineMap map = op.getMatchingIndexingMap(&operand);
  std::optional<unsigned> mAxis = mDim ? axisOf(map, *mDim) : std::nullopt;
  std::optional<unsigned> nAxis = axisOf(map, nDim);
  SmallVector<std::pair<unsigned, Part>> parts;
  if (mAxis)
    parts.push_back({*mAxis, m});
  if (nAxis)
    parts.push_back({*nAxis, n});
  Value source = slice(operand.get(), parts);
  if (!nAxis)
    return {source, splitMap(map.getResults())};

  // Split N into (panel index, lane): axis -> (axis, axis + 1).
  auto type = cast<RankedTensorType>(source.getType());
  unsigned axis = *nAxis, rank = type.getRank();
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> expandedShape;
  for (unsigned i = 0; i < rank; ++i) {
    if (i == axis) {
      groups.push_back({int64_t(expandedShape.size()),
                        int64_t(expandedShape.size()) + 1});
      expandedShape.push_back(n.padded / lanes(n));
      expandedShape.push_back(lanes(n));
      continue;
    }
    groups.push_back({int64_t(expandedShape.size())});
    expandedShape.push_back(type.getDimSize(i));
  }
  Value expanded = tensor::ExpandShapeOp::create(
      rewriter, loc,
      RankedTensorType::get(expandedShape, type.getElementType()), source,
      groups);
  SmallVector<AffineExpr> dims; // loop dim of each expanded axis
  for (unsigned i = 0; i < rank; ++i) {
    dims.push_back(map.getResult(i));
    if (i == axis)
      dims.push_back(rewriter.getAffineDimExpr(newDim));
  }
  if (!pack)
    return {expanded, splitMap(dims)};

  // Panel-major order: the other axes (the panel index in N's place), then
  // the summed axes in the order the tiled loops visit them (the dims' order,
  // K last: K is the innermost loop), then the lane.
  unsigned panelAxis = axis, laneAxis = axis + 1;
  SmallVector<int64_t> permutation, summed;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < expandedShape.size(); ++i) {
    if (i == laneAxis)
      continue;
    unsigned dim = cast<AffineDimExpr>(dims[i]).getPosition();
    if (i != panelAxis && iterators[dim] == utils::IteratorType::reduction)
      summed.push_back(i);
    else
      permutation.push_back(i);
  }
  llvm::stable_sort(summed, [&](int64_t a, int64_t b) {
    return summedRank(dims[a]) < summedRank(dims[b]);
  });
  llvm::append_range(permutation, summed);
  permutation.push_back(laneAxis);

  SmallVector<int64_t> packedShape(expandedShape);
  applyPermutationToVector(packedShape, permutation);
  Value empty = tensor::EmptyOp::create(rewriter, loc, packedShape,
                                        type.getElementType());
  Value packed =
      linalg::TransposeOp::create(rewriter, loc, expanded, empty, permutation)
          ->getResult(0);
  applyPermutationToVector(dims, permutation);
  return {packed, splitMap(dims)};
}

Value PanelPacker::runPart(const llvm::SmallDenseSet<unsigned> &packedInputs,
                           unsigned mIndex, unsigned nIndex, Value acc,
                           bool inPlace) {
  Location loc = op.getLoc();
  Part m = mParts[mIndex], n = nParts[nIndex];
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    std::tuple<unsigned, int64_t, int64_t> key{
        operand->getOperandNumber(),
        mDim && map.isFunctionOfDim(*mDim) ? int64_t(mIndex) : -1,
        map.isFunctionOfDim(nDim) ? int64_t(nIndex) : -1};
    auto [it, inserted] = prepared.try_emplace(key);
    if (inserted)
      it->second = partInput(*operand, m, n,
                             packedInputs.contains(operand->getOperandNumber()));
    inputs.push_back(it->second.first);
    maps.push_back(it->second.second);
  }

  // The accumulator in panel form: [..., panels, lanes], filled like the
  // original. In place, it is a view of the original accumulator (which
  // may be the caller's output buffer).
  OpOperand *init = op.getDpsInitOperand(0);
  auto fill = init->get().getDefiningOp<linalg::FillOp>();
  AffineMap outMap = op.getMatchingIndexingMap(init);
  std::optional<unsigned> mAxis = mDim ? axisOf(outMap, *mDim) : std::nullopt;
  unsigned nAxis = outMap.getNumResults() - 1;
  SmallVector<std::pair<unsigned, Part>> parts{{nAxis, n}};
  if (mAxis)
    parts.push_back({*mAxis, m});
  Value dest;
  if (inPlace)
    dest = slice(acc, parts);
  auto outType = cast<RankedTensorType>(acc.getType());
  SmallVector<int64_t> outShape(outType.getShape());
  if (mAxis)
    outShape[*mAxis] = m.padded;
  outShape.back() = n.padded / lanes(n);
  outShape.push_back(lanes(n));
  SmallVector<ReassociationIndices> groups;
  for (unsigned i = 0; i + 2 < outShape.size(); ++i)
    groups.push_back({int64_t(i)});
  groups.push_back({int64_t(outShape.size()) - 2, int64_t(outShape.size()) - 1});
  if (inPlace)
    dest = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(outShape, outType.getElementType()),
        dest, groups);
  else
    dest = tensor::EmptyOp::create(rewriter, loc, outShape,
                                   outType.getElementType());
  Value newInit =
      linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], dest)
          .getResult(0);
  linalg::GenericOp packedOp =
      rebuildWithLaneDim(rewriter, op, inputs, maps, newInit);
  partOps.push_back(packedOp);

  // Back to the original layout: merge panels and lanes, drop the padding.
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, packedOp.getResult(0), groups);
  for (auto &[axis, part] : parts)
    part = Part{0, part.size, part.size};
  return slice(result, parts);
}

SmallVector<linalg::GenericOp>
PanelPacker::run(const llvm::SmallDenseSet<unsigned> &packedInputs) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  // Every output element is in one part, and each part fills its own
  // accumulator: the parts go into the fill's destination.
  Value acc = init->get().getDefiningOp<linalg::FillOp>().getOutputs()[0];
  auto outType = cast<RankedTensorType>(acc.getType());
  std::optional<unsigned> mAxis = mDim ? axisOf(outMap, *mDim) : std::nullopt;
  bool whole = mParts.size() == 1 && nParts.size() == 1;
  // The in-place part is a slice of `acc`; a slice of a tensor.empty would
  // fold into a new, separate tensor.empty (and a copy after bufferization),
  // an alloc_tensor does not.
  if (!whole && acc.getDefiningOp<tensor::EmptyOp>())
    acc = bufferization::AllocTensorOp::create(rewriter, loc, outType,
                                               ValueRange{});
  for (unsigned mIndex = 0; mIndex < mParts.size(); ++mIndex) {
    for (unsigned nIndex = 0; nIndex < nParts.size(); ++nIndex) {
      Part m = mParts[mIndex], n = nParts[nIndex];
      // In place: a slice of the very tensor it is inserted back into.
      bool inPlace = !m.isPadded() && !n.isPadded();
      Value result = runPart(packedInputs, mIndex, nIndex, acc, inPlace);
      if (whole) {
        acc = result;
        continue;
      }
      SmallVector<int64_t> offsets(outType.getRank(), 0);
      offsets.back() = n.offset;
      if (mAxis)
        offsets[*mAxis] = m.offset;
      ArrayRef<int64_t> sizes =
          cast<RankedTensorType>(result.getType()).getShape();
      acc = tensor::InsertSliceOp::create(
          rewriter, loc, result, acc,
          getAsIndexOpFoldResult(rewriter.getContext(), offsets),
          getAsIndexOpFoldResult(rewriter.getContext(), sizes),
          SmallVector<OpFoldResult>(sizes.size(), rewriter.getIndexAttr(1)));
    }
  }
  rewriter.replaceOp(op, acc);
  return partOps;
}

namespace {
struct EinsumCPULayoutPass
    : einsum::impl::EinsumCPULayoutBase<EinsumCPULayoutPass> {
  using EinsumCPULayoutBase::EinsumCPULayoutBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<std::pair<linalg::GenericOp, LayoutPlan>> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (auto attr = op->getAttrOfType<LayoutPlanAttr>(kLayoutAttrName))
        work.push_back({op, layoutPlanFromAttr(attr)});
    });
    SmallVector<linalg::GenericOp> rewritten;
    for (auto [op, layout] : work) {
      op->removeAttr(kLayoutAttrName);
      if (!isLayoutCandidate(op)) {
        op.emitOpError("einsum.layout: einsum-cpu-layout lays out static "
                       "contractions whose accumulator starts as a fill");
        return signalPassFailure();
      }
      std::optional<unsigned> row = rowOperand(op);
      if (row)
        op = orderSummedDims(rewriter, op, *row);
      TilePlan roles = planRoles(op);
      // The row operand copied, its free dims then merged (one larger M
      // instead of a batch dim around a small one).
      if (layout.rowPack && row && roles.kDim) {
        packRowOperand(rewriter, op, op->getOpOperand(*row), *roles.kDim);
        op = mergeDims(rewriter, op, utils::IteratorType::parallel);
        roles = planRoles(op);
      }
      llvm::SmallDenseSet<unsigned> packed;
      for (int64_t input : layout.packed) {
        if (input >= int64_t(op.getNumDpsInputs()) ||
            !op.getMatchingIndexingMap(op.getDpsInputOperand(input))
                 .isFunctionOfDim(*roles.nDim)) {
          op.emitOpError("einsum.layout packs input ")
              << input << " into panels, but it does not carry the vector dim";
          return signalPassFailure();
        }
        packed.insert(input);
      }
      if (packed.empty()) {
        rewritten.push_back(op);
        continue;
      }
      // Rows split when M is not a whole number of row tiles (997 x 1013
      // x 1031: the 5-row remainder would run as masked vectors; as a
      // generic of its own its row tile is 5).
      std::optional<unsigned> mDim = roles.mDim;
      int64_t mr = 1;
      if (mDim) {
        int64_t m = op.getStaticLoopRanges()[*mDim];
        mr = std::min(layout.rows, m);
        if (m % mr == 0)
          mDim.reset();
      }
      llvm::append_range(rewritten,
                         PanelPacker(rewriter, op, *roles.nDim, layout.panel,
                                     mDim, mr, roles.kDim)
                             .run(packed));
    }
    for (linalg::GenericOp op : rewritten)
      mergeDims(rewriter, op, utils::IteratorType::reduction);
  }
};
} // namespace
