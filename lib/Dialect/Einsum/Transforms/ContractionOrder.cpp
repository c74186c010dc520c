//===- ContractionOrder.cpp - einsum-contraction-order --------------------===//
//
// Rewrites each N-operand einsum.contract into the sequence of smaller
// einsum.contract ops the contraction-order planner chose, sliced into
// scf.for loops when a memory limit requires it; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Dialect/Einsum/EinsumOps.h"
#include "Einsum/Dialect/Einsum/Transforms/Passes.h"
#include "Einsum/Path/ContractionPath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCONTRACTIONORDER
#include "Einsum/Dialect/Einsum/Transforms/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

namespace {

/// Emits the planned steps for one op.
class PathEmitter {
public:
  PathEmitter(ContractOp op, const Binding &binding,
              const ContractionPath &path)
      : op(op), binding(binding), path(path) {}

  /// Replaces the op by the steps (and slice loops); returns the result.
  Value emit(OpBuilder &b);

private:
  /// The steps on `inputs`; the last one's result has `resultType`.
  Value emitSteps(OpBuilder &b, ValueRange inputs, RankedTensorType resultType);
  /// The loop over slice `index` (and, inside, the ones after it).
  Value emitSliceLoop(OpBuilder &b, size_t index, Value init,
                      SmallVector<Value> &ivs);

  ContractOp op;
  const Binding &binding;
  const ContractionPath &path;
};

} // namespace

Value PathEmitter::emitSteps(OpBuilder &b, ValueRange inputs,
                             RankedTensorType resultType) {
  Location loc = op.getLoc();
  Type inputElement = getElementTypeOrSelf(op.getInputs().front().getType());
  SmallVector<Value> values(inputs.begin(), inputs.end());
  for (auto [index, step] : llvm::enumerate(path.steps)) {
    SmallVector<Value> stepInputs;
    std::vector<std::vector<int64_t>> shapes;
    for (size_t value : step.inputs) {
      stepInputs.push_back(values[value]);
      auto type = cast<RankedTensorType>(values[value].getType());
      shapes.emplace_back(type.getShape().begin(), type.getShape().end());
    }
    RankedTensorType type = resultType;
    if (index + 1 < path.steps.size()) {
      // The planner's steps always bind: their sizes come from the operands.
      SpecResult<Binding> bound = bindSpec(step.spec, shapes);
      assert(bound && "planned step does not bind");
      type = RankedTensorType::get(bound->outputShape(), inputElement);
    }
    auto contract = ContractOp::create(b, loc, type, step.spec, stepInputs);
    if (TypeAttr accumulator = op.getAccumulatorTypeAttr())
      contract.setAccumulatorTypeAttr(accumulator);
    values.push_back(contract.getResult());
  }
  return values.back();
}

Value PathEmitter::emitSliceLoop(OpBuilder &b, size_t index, Value init,
                                 SmallVector<Value> &ivs) {
  Location loc = op.getLoc();
  if (index == path.slices.size()) {
    // The innermost body: slice the operands, run the steps on the slices,
    // and insert (or add) the partial result into the output.
    auto sliceOf = [&](Value value, ArrayRef<int64_t> axisDims) {
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<OpFoldResult> offsets, sizes, strides;
      bool sliced = false;
      for (auto [axis, dim] : llvm::enumerate(axisDims)) {
        OpFoldResult offset = b.getIndexAttr(0);
        OpFoldResult size = b.getIndexAttr(type.getDimSize(axis));
        for (auto [s, slice] : llvm::enumerate(path.slices)) {
          if (dim != static_cast<int64_t>(slice.dim))
            continue;
          offset = ivs[s];
          size = b.getIndexAttr(slice.chunk);
          sliced = true;
        }
        offsets.push_back(offset);
        sizes.push_back(size);
        strides.push_back(b.getIndexAttr(1));
      }
      return std::make_tuple(sliced, offsets, sizes, strides);
    };
    SmallVector<Value> inputs;
    for (auto [i, input] : llvm::enumerate(op.getInputs())) {
      auto [sliced, offsets, sizes, strides] =
          sliceOf(input, binding.inputDims[i]);
      inputs.push_back(sliced ? tensor::ExtractSliceOp::create(
                                    b, loc, input, offsets, sizes, strides)
                                    .getResult()
                              : input);
    }
    SmallVector<int64_t> outputDims;
    for (size_t d = 0; d < binding.numFree; ++d)
      outputDims.push_back(static_cast<int64_t>(d));
    auto [sliced, offsets, sizes, strides] = sliceOf(init, outputDims);
    auto initType = cast<RankedTensorType>(init.getType());
    SmallVector<int64_t> partialShape;
    for (OpFoldResult size : sizes)
      partialShape.push_back(*getConstantIntValue(size));
    auto partialType =
        RankedTensorType::get(partialShape, initType.getElementType());
    Value partial = emitSteps(b, inputs, partialType);
    bool summed =
        llvm::any_of(path.slices, [](const PathSlice &s) { return s.summed; });
    if (summed) {
      Value current = sliced ? tensor::ExtractSliceOp::create(
                                   b, loc, init, offsets, sizes, strides)
                                   .getResult()
                             : init;
      partial = linalg::AddOp::create(b, loc, ValueRange{current, partial},
                                      ValueRange{current})
                    .getResult(0);
    }
    if (!sliced)
      return partial;
    return tensor::InsertSliceOp::create(b, loc, partial, init, offsets, sizes,
                                         strides);
  }

  const PathSlice &slice = path.slices[index];
  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = arith::ConstantIndexOp::create(b, loc, slice.size);
  Value step = arith::ConstantIndexOp::create(b, loc, slice.chunk);
  auto loop = scf::ForOp::create(
      b, loc, lower, upper, step, ValueRange{init},
      [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
        ivs.push_back(iv);
        Value next = emitSliceLoop(nb, index + 1, args.front(), ivs);
        ivs.pop_back();
        scf::YieldOp::create(nb, loc, next);
      });
  return loop.getResult(0);
}

Value PathEmitter::emit(OpBuilder &b) {
  RankedTensorType resultType = op.getResult().getType();
  if (path.slices.empty())
    return emitSteps(b, op.getInputs(), resultType);
  Location loc = op.getLoc();
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  if (llvm::any_of(path.slices, [](const PathSlice &s) { return s.summed; })) {
    Value zero = arith::ConstantOp::create(
        b, loc, b.getZeroAttr(resultType.getElementType()));
    init = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  }
  SmallVector<Value> ivs;
  return emitSliceLoop(b, 0, init, ivs);
}

namespace {
struct EinsumContractionOrderPass
    : einsum::impl::EinsumContractionOrderBase<EinsumContractionOrderPass> {
  using Base::Base;

  void runOnOperation() override {
    PathOptions options;
    std::optional<PathAlgorithm> parsed = parsePathAlgorithm(algorithm);
    if (!parsed) {
      getOperation()->emitError()
          << "einsum-contraction-order: unknown algorithm '" << algorithm
          << "' (expected auto, optimal, greedy or none)";
      return signalPassFailure();
    }
    options.algorithm = *parsed;
    if (memoryLimit < 0) {
      getOperation()->emitError()
          << "einsum-contraction-order: option 'memory-limit' is "
          << static_cast<int64_t>(memoryLimit)
          << ": expected a number of elements >= 0";
      return signalPassFailure();
    }
    options.memoryLimit = static_cast<double>(memoryLimit);

    SmallVector<ContractOp> ops;
    getOperation()->walk([&](ContractOp op) { ops.push_back(op); });
    for (ContractOp op : ops) {
      SpecResult<Binding> binding = op.bind();
      if (!binding)
        continue; // the verifier reports it
      PathOptions opOptions = options;
      if (!op.getResult().getType().hasStaticShape() ||
          llvm::any_of(op.getInputs().getTypes(), [](Type type) {
            return !cast<RankedTensorType>(type).hasStaticShape();
          }))
        opOptions.memoryLimit = 0; // only static shapes are sliced
      ContractionPath path =
          planContraction(op.getSpec().getSpec(), *binding, opOptions);
      if (path.isSingleStep())
        continue;
      OpBuilder b(op);
      Value result = PathEmitter(op, *binding, path).emit(b);
      op.getResult().replaceAllUsesWith(result);
      op.erase();
    }
  }
};
} // namespace
