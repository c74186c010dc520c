//===- SplitReduction.cpp - einsum-cpu-split-reduction --------------------===//
//
// Turns the unit-stride summed axis of a reduction into vector lanes of
// partial sums; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Plan.h"
#include "Einsum/CodeGen/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPUSPLITREDUCTION
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Reuse (loop iterations per element of the largest operand) above which
/// an op is a contraction for the GEMM kernel, not a stream to reduce.
static constexpr int64_t kMaxReuse = 4;

/// The loop dim that is every input's innermost axis, if there is one and
/// it is a reduction dim.
static std::optional<unsigned> innermostReduction(linalg::GenericOp op) {
  std::optional<unsigned> dim;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    if (map.getNumResults() == 0)
      return std::nullopt;
    unsigned inner = cast<AffineDimExpr>(map.getResults().back()).getPosition();
    if (!dim)
      dim = inner;
    if (inner != *dim)
      return std::nullopt;
  }
  if (!dim || op.getIteratorTypesArray()[*dim] != utils::IteratorType::reduction)
    return std::nullopt;
  return dim;
}

/// `[offset, offset + size)` of the innermost axis of `value`.
static Value sliceInnermost(RewriterBase &rewriter, Location loc, Value value,
                            int64_t offset, int64_t size) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0);
  SmallVector<int64_t> sizes(type.getShape());
  offsets.back() = offset;
  sizes.back() = size;
  return extractStaticSlice(rewriter, loc, value, offsets, sizes);
}

/// Splits the first `whole` iterations of reduction dim `dim` of `op` into
/// (whole / lanes, lanes), the lanes a new parallel loop dim, and adds the
/// partial sums up afterwards; the remaining iterations (fewer than
/// `lanes`) are a copy of `op` on the inputs' tails, accumulating into that.
static void splitReduction(RewriterBase &rewriter, linalg::GenericOp op,
                           unsigned dim, int64_t lanes, int64_t whole) {
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  unsigned laneDim = op.getNumLoops();
  AffineExpr lane = getAffineDimExpr(laneDim, context);
  rewriter.setInsertionPoint(op);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    SmallVector<AffineExpr> results(map.getResults());
    Value value = operand->get();
    if (map.isFunctionOfDim(dim)) {
      // [..., R] -> [..., R / lanes, lanes]: a free reshape (of the first
      // `whole` elements: dim is every input's innermost axis).
      value = sliceInnermost(rewriter, loc, value, 0, whole);
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape.back() /= lanes;
      shape.push_back(lanes);
      SmallVector<ReassociationIndices> groups;
      for (int64_t i = 0; i + 1 < type.getRank(); ++i)
        groups.push_back({i});
      groups.push_back({type.getRank() - 1, type.getRank()});
      value = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
          value, groups);
      results.push_back(lane);
    }
    inputs.push_back(value);
    maps.push_back(AffineMap::get(laneDim + 1, 0, results, context));
  }

  // The partial sums: the output with a lane axis, starting at zero.
  OpOperand *init = op.getDpsInitOperand(0);
  auto outType = cast<RankedTensorType>(init->get().getType());
  SmallVector<int64_t> partialShape(outType.getShape());
  partialShape.push_back(lanes);
  Type element = outType.getElementType();
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(element));
  Value empty = tensor::EmptyOp::create(rewriter, loc, partialShape, element);
  Value zeros = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  linalg::GenericOp partial =
      rebuildWithLaneDim(rewriter, op, inputs, maps, zeros);

  // out[...] += sum over the lanes of partial[..., lane].
  unsigned rank = outType.getRank();
  SmallVector<AffineExpr> outerDims;
  for (unsigned i = 0; i < rank; ++i)
    outerDims.push_back(getAffineDimExpr(i, context));
  SmallVector<AffineMap> combineMaps = {
      AffineMap::getMultiDimIdentityMap(rank + 1, context),
      AffineMap::get(rank + 1, 0, outerDims, context)};
  SmallVector<utils::IteratorType> combineIterators(
      rank, utils::IteratorType::parallel);
  combineIterators.push_back(utils::IteratorType::reduction);
  auto combine = linalg::GenericOp::create(
      rewriter, loc, TypeRange{outType}, ValueRange{partial.getResult(0)},
      ValueRange{init->get()}, combineMaps, combineIterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value sum = isa<FloatType>(element)
                        ? arith::AddFOp::create(b, loc, args[1], args[0])
                              .getResult()
                        : arith::AddIOp::create(b, loc, args[1], args[0])
                              .getResult();
        linalg::YieldOp::create(b, loc, sum);
      });
  Value result = combine.getResult(0);

  int64_t extent = op.getStaticLoopRanges()[dim];
  if (whole < extent) {
    SmallVector<Value> tails;
    for (OpOperand *operand : op.getDpsInputOperands())
      tails.push_back(
          op.getMatchingIndexingMap(operand).isFunctionOfDim(dim)
              ? sliceInnermost(rewriter, loc, operand->get(), whole,
                               extent - whole)
              : operand->get());
    auto tail = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, tails, ValueRange{result},
        op.getIndexingMapsArray(), op.getIteratorTypesArray());
    rewriter.cloneRegionBefore(op.getRegion(), tail.getRegion(),
                               tail.getRegion().begin());
    result = tail.getResult(0);
  }
  rewriter.replaceOp(op, result);
}

namespace {
struct EinsumCPUSplitReductionPass
    : einsum::impl::EinsumCPUSplitReductionBase<
          EinsumCPUSplitReductionPass> {
  using EinsumCPUSplitReductionBase::EinsumCPUSplitReductionBase;

  void runOnOperation() override {
    CPUTarget target = targetOf(getOperation());
    SmallVector<std::pair<linalg::GenericOp, unsigned>> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
          op.getNumDpsInputs() == 0 || !isSumReduction(op))
        return;
      if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
            return map.isProjectedPermutation(/*allowZeroInResults=*/false);
          }))
        return;
      if (std::optional<unsigned> dim = innermostReduction(op))
        work.push_back({op, *dim});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, dim] : work) {
      Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() < 8)
        continue;
      int64_t vector = target.lanes(element.getIntOrFloatBitWidth());
      int64_t extent = op.getStaticLoopRanges()[dim];
      if (ShapedType::isDynamic(extent) || vector < 2)
        continue;
      // Only where the loop nest streams its largest operand about once
      // (a GEMM with K innermost in both operands, `bqhd,bkhd->bhqk`, is
      // packed by einsum-cpu-layout instead).
      std::optional<int64_t> iterations = staticTripCount(op);
      int64_t largest = 0;
      for (Value input : op.getDpsInputs())
        largest = std::max(
            largest, cast<ShapedType>(input.getType()).getNumElements());
      if (!iterations || *iterations > kMaxReuse * largest)
        continue;
      // Two vectors of lanes (two independent add chains), one for short
      // sums; the iterations past the last whole group of lanes are summed
      // by a copy of the op (4095 = 127 x 32 + 31). A sum of one input
      // over exactly one vector is a lane sum for einsum-cpu-tile as it is
      // (`ij->i` with 16 floats per row); shorter than a vector stays.
      int64_t lanes = 2 * vector;
      if (extent < 2 * lanes)
        lanes = vector;
      if (extent < lanes || (extent < 2 * lanes && extent % lanes == 0 &&
                             op.getNumDpsInputs() == 1))
        continue;
      splitReduction(rewriter, op, dim, lanes, extent / lanes * lanes);
    }
  }
};
} // namespace
