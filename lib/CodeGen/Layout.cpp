//===- Layout.cpp - einsum-cpu-layout: pack the vector-dim operands -------===//
//
// Splits the vector dim N of a contraction into panels (N = no x nr) and
// packs every operand that carries N into panel-major order, so the register
// kernel reads each operand panel as one contiguous stream; see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPULAYOUT
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

namespace {
/// Rewrites one generic into its panel form.
class PanelPacker {
public:
  /// `mDim`, if set, is padded to a multiple of `mr` too, so every row
  /// tile of the register kernel is a full one.
  PanelPacker(RewriterBase &rewriter, linalg::GenericOp op, unsigned nDim,
              int64_t panel, std::optional<unsigned> mDim, int64_t mr)
      : rewriter(rewriter), op(op), nDim(nDim), panel(panel), mDim(mDim),
        context(op.getContext()) {
    extent = op.getStaticLoopRanges()[nDim];
    padded = llvm::divideCeil(extent, panel) * panel;
    if (mDim) {
      mExtent = op.getStaticLoopRanges()[*mDim];
      mPadded = llvm::divideCeil(mExtent, mr) * mr;
    }
    newDim = op.getNumLoops();
  }

  void run(llvm::SmallDenseSet<unsigned> packedInputs);

private:
  /// The map of an operand after the split: N becomes its panel index and
  /// (for packed operands and the output) the lane `newDim` is appended.
  AffineMap splitMap(ArrayRef<AffineExpr> results) {
    return AffineMap::get(newDim + 1, 0, results, context);
  }
  /// Pads (if needed), splits and transposes input `operand` into panels.
  std::pair<Value, AffineMap> packInput(OpOperand &operand);
  /// Pads the M axis of an input that carries M with zero rows.
  Value padRows(OpOperand &operand);
  bool padsRows() const { return mPadded != mExtent; }

  RewriterBase &rewriter;
  linalg::GenericOp op;
  unsigned nDim;
  int64_t panel;
  std::optional<unsigned> mDim;
  MLIRContext *context;
  int64_t extent, padded;
  int64_t mExtent = 0, mPadded = 0;
  unsigned newDim;
};
} // namespace

std::pair<Value, AffineMap> PanelPacker::packInput(OpOperand &operand) {
  Location loc = op.getLoc();
  AffineMap map = op.getMatchingIndexingMap(&operand);
  Value source = operand.get();
  auto type = cast<RankedTensorType>(source.getType());
  unsigned axis = *map.getResultPosition(rewriter.getAffineDimExpr(nDim));
  unsigned rank = type.getRank();

  // Pad N to a whole number of panels with zeros (their products land in
  // output columns that are dropped).
  SmallVector<int64_t> shape(type.getShape());
  if (padded != extent) {
    shape[axis] = padded;
    auto paddedType = RankedTensorType::get(shape, type.getElementType());
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
    source = tensor::createPadHighOp(paddedType, source, zero,
                                     /*nofold=*/false, loc, rewriter);
  }
  // Split N into (panel index, lane): axis -> (axis, axis + 1).
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> expandedShape;
  for (unsigned i = 0; i < rank; ++i) {
    if (i == axis) {
      groups.push_back({int64_t(expandedShape.size()),
                        int64_t(expandedShape.size()) + 1});
      expandedShape.push_back(padded / panel);
      expandedShape.push_back(panel);
      continue;
    }
    groups.push_back({int64_t(expandedShape.size())});
    expandedShape.push_back(shape[i]);
  }
  Value expanded = tensor::ExpandShapeOp::create(
      rewriter, loc,
      RankedTensorType::get(expandedShape, type.getElementType()), source,
      groups);

  // Panel-major order: the panel index moves before the first summed axis,
  // the lane goes last.
  SmallVector<AffineExpr> dims; // loop dim of each expanded axis
  for (unsigned i = 0; i < rank; ++i) {
    dims.push_back(map.getResult(i));
    if (i == axis)
      dims.push_back(rewriter.getAffineDimExpr(newDim));
  }
  unsigned panelAxis = axis, laneAxis = axis + 1;
  SmallVector<int64_t> permutation;
  bool placed = false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < expandedShape.size(); ++i) {
    if (i == panelAxis || i == laneAxis)
      continue;
    unsigned dim = cast<AffineDimExpr>(dims[i]).getPosition();
    if (!placed && iterators[dim] == utils::IteratorType::reduction) {
      permutation.push_back(panelAxis);
      placed = true;
    }
    if (!placed && i > panelAxis) {
      permutation.push_back(panelAxis);
      placed = true;
    }
    permutation.push_back(i);
  }
  if (!placed)
    permutation.push_back(panelAxis);
  permutation.push_back(laneAxis);

  SmallVector<int64_t> packedShape(expandedShape);
  applyPermutationToVector(packedShape, permutation);
  Value empty = tensor::EmptyOp::create(rewriter, loc, packedShape,
                                        type.getElementType());
  Value packed =
      linalg::TransposeOp::create(rewriter, loc, expanded, empty, permutation)
          ->getResult(0);
  SmallVector<AffineExpr> results(dims);
  applyPermutationToVector(results, permutation);
  return {packed, splitMap(results)};
}

Value PanelPacker::padRows(OpOperand &operand) {
  Value source = operand.get();
  if (!padsRows())
    return source;
  AffineMap map = op.getMatchingIndexingMap(&operand);
  std::optional<unsigned> axis =
      map.getResultPosition(rewriter.getAffineDimExpr(*mDim));
  if (!axis)
    return source;
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[*axis] = mPadded;
  Value zero = arith::ConstantOp::create(
      rewriter, op.getLoc(), rewriter.getZeroAttr(type.getElementType()));
  return tensor::createPadHighOp(
      RankedTensorType::get(shape, type.getElementType()), source, zero,
      /*nofold=*/false, op.getLoc(), rewriter);
}

void PanelPacker::run(llvm::SmallDenseSet<unsigned> packedInputs) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    if (packedInputs.contains(operand->getOperandNumber())) {
      auto [value, map] = packInput(*operand);
      inputs.push_back(value);
      maps.push_back(map);
      continue;
    }
    inputs.push_back(padRows(*operand));
    maps.push_back(
        splitMap(op.getMatchingIndexingMap(operand).getResults()));
  }

  // The accumulator in panel form: [..., panels, lanes], filled like the
  // original. Without padding it is a view of the original accumulator
  // (which may be the caller's output buffer).
  OpOperand *init = op.getDpsInitOperand(0);
  auto fill = init->get().getDefiningOp<linalg::FillOp>();
  auto outType = cast<RankedTensorType>(init->get().getType());
  SmallVector<int64_t> outShape(outType.getShape().drop_back());
  outShape.push_back(padded / panel);
  outShape.push_back(panel);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (padsRows())
    outShape[*outMap.getResultPosition(rewriter.getAffineDimExpr(*mDim))] =
        mPadded;
  SmallVector<ReassociationIndices> groups;
  for (unsigned i = 0; i + 2 < outShape.size(); ++i)
    groups.push_back({int64_t(i)});
  groups.push_back({int64_t(outShape.size()) - 2, int64_t(outShape.size()) - 1});
  Value dest;
  bool sliced = padded != extent || padsRows();
  if (!sliced)
    dest = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(outShape, outType.getElementType()),
        fill.getOutputs()[0], groups);
  else
    dest = tensor::EmptyOp::create(rewriter, loc, outShape,
                                   outType.getElementType());
  Value newInit =
      linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], dest)
          .getResult(0);
  linalg::GenericOp packedOp =
      rebuildWithLaneDim(rewriter, op, inputs, maps, newInit);

  // Back to the original layout: merge panels and lanes, drop the padding.
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, packedOp.getResult(0), groups);
  if (sliced) {
    SmallVector<OpFoldResult> offsets(outType.getRank(),
                                      rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(outType.getRank(),
                                             rewriter.getIndexAttr(1));
    for (int64_t size : outType.getShape())
      sizes.push_back(rewriter.getIndexAttr(size));
    result = tensor::ExtractSliceOp::create(rewriter, loc, outType, result,
                                            offsets, sizes, strides);
  }
  rewriter.replaceOp(op, result);
}

namespace {
struct EinsumCPULayoutPass
    : einsum::impl::EinsumCPULayoutBase<EinsumCPULayoutPass> {
  using EinsumCPULayoutBase::EinsumCPULayoutBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isTileable(op) && op.getNumReductionLoops() > 0 &&
          op.hasPureTensorSemantics())
        ops.push_back(op);
    });
    TilingOptions tiling = makeTilingOptions(
        vectorBits, l1Bytes, l2Bytes, cacheTileM, cacheTileN, cacheTileK,
        registerTileM, registerTileN);
    for (linalg::GenericOp op : ops) {
      // Only static contractions whose accumulator starts as a fill.
      std::optional<int64_t> iterations = staticTripCount(op);
      if (!iterations ||
          !op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>())
        continue;
      TilePlan plan = planTiles(op, tiling);
      unsigned nDim = *plan.nDim;
      int64_t panel = plan.registerTiles[nDim];
      bool onePanel = op.getStaticLoopRanges()[nDim] <= panel;
      // Pack the operands that carry N, where the copy is cheap next to
      // the contraction. With one panel only an operand whose N axis is
      // not innermost needs it (`aebf,dfce->abcd`: d strided by 32^3).
      llvm::SmallDenseSet<unsigned> packed;
      for (OpOperand *operand : op.getDpsInputOperands()) {
        AffineMap map = op.getMatchingIndexingMap(operand);
        auto type = dyn_cast<RankedTensorType>(operand->get().getType());
        if (!type || !map.isFunctionOfDim(nDim))
          continue;
        if (onePanel && map.getResults().back() ==
                            rewriter.getAffineDimExpr(nDim))
          continue;
        if (!type.hasStaticShape() ||
            *iterations < minReuse * type.getNumElements())
          continue;
        packed.insert(operand->getOperandNumber());
      }
      if (packed.empty())
        continue;
      // Rows padded when M is not a whole number of row tiles (997 x 1013
      // x 1031: the 5-row remainder would run as masked vectors).
      std::optional<unsigned> mDim = plan.mDim;
      int64_t mr = mDim ? plan.registerTiles[*mDim] : 1;
      if (mDim && op.getStaticLoopRanges()[*mDim] % mr == 0)
        mDim.reset();
      PanelPacker(rewriter, op, nDim, panel, mDim, mr).run(packed);
    }
  }
};
} // namespace
