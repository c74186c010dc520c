//===- EinsumToLinalg.cpp - einsum.contract to linalg.generic -------------===//
//
// The free/summation algorithm as one linalg.generic: free indices become
// parallel iterators, summation indices reduction iterators. See the pass
// description in Passes.td for the IR before and after.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace einsum {
#define GEN_PASS_DEF_CONVERTEINSUMTOLINALG
#include "Einsum/Conversion/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// Converts a scalar of an operand's element type to the accumulator type.
static Value extendTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  if (isa<FloatType>(type))
    return arith::ExtFOp::create(b, loc, type, value);
  return arith::ExtSIOp::create(b, loc, type, value);
}

static Value multiply(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MulFOp::create(b, loc, lhs, rhs);
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

static Value add(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::AddFOp::create(b, loc, lhs, rhs);
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

namespace {
struct ContractOpLowering : OpConversionPattern<ContractOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ContractOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SpecResult<Binding> bound = op.bind();
    if (!bound)
      return rewriter.notifyMatchFailure(op, bound.error().message);
    const Binding &binding = *bound;
    Location loc = op.getLoc();
    ValueRange inputs = adaptor.getInputs();
    RankedTensorType resultType = op.getResult().getType();
    Type accType = op.getAccumulatorElementType();
    MLIRContext *context = rewriter.getContext();
    unsigned numDims = binding.numDims();

    // Dynamic output sizes come from an operand axis bound to the same dim.
    SmallVector<Value> dynamicSizes;
    for (int64_t dim = 0; dim < resultType.getRank(); ++dim) {
      if (!resultType.isDynamicDim(dim))
        continue;
      Value size;
      for (auto [i, dims] : llvm::enumerate(binding.inputDims)) {
        auto it = llvm::find(dims, dim);
        if (it == dims.end())
          continue;
        size = tensor::DimOp::create(rewriter, loc, inputs[i],
                                     it - dims.begin());
        break;
      }
      if (!size)
        return rewriter.notifyMatchFailure(op, "no operand gives the size of "
                                               "output dim " +
                                                   Twine(dim));
      dynamicSizes.push_back(size);
    }
    auto accTensorType = RankedTensorType::get(resultType.getShape(), accType);
    Value empty = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                          accType, dynamicSizes);
    Value zero = arith::ConstantOp::create(
        rewriter, loc,
        getAccumulatorInit(accType, binding.numDims() > binding.numFree));
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);

    // Indexing maps: one loop dim per operand axis (constant 0 for a
    // broadcast '...' axis); the output takes the free dims in order.
    SmallVector<AffineMap> maps;
    for (const std::vector<int64_t> &dims : binding.inputDims) {
      SmallVector<AffineExpr> exprs;
      for (int64_t dim : dims)
        exprs.push_back(dim == kBroadcastDim
                            ? getAffineConstantExpr(0, context)
                            : getAffineDimExpr(dim, context));
      maps.push_back(AffineMap::get(numDims, 0, exprs, context));
    }
    SmallVector<AffineExpr> freeDims;
    for (unsigned dim = 0; dim < binding.numFree; ++dim)
      freeDims.push_back(getAffineDimExpr(dim, context));
    maps.push_back(AffineMap::get(numDims, 0, freeDims, context));
    SmallVector<utils::IteratorType> iterators;
    for (unsigned dim = 0; dim < numDims; ++dim)
      iterators.push_back(binding.isFree(dim) ? utils::IteratorType::parallel
                                              : utils::IteratorType::reduction);

    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{accTensorType}, inputs, ValueRange{init},
            maps, iterators,
            [&](OpBuilder &b, Location loc, ValueRange args) {
              Value product = extendTo(b, loc, args[0], accType);
              for (Value arg : args.drop_front().drop_back())
                product =
                    multiply(b, loc, product, extendTo(b, loc, arg, accType));
              linalg::YieldOp::create(b, loc,
                                      add(b, loc, args.back(), product));
            })
            .getResult(0);

    // Round a wider accumulator down to the result element type.
    Type resultElement = resultType.getElementType();
    if (resultElement != accType)
      result = truncate(rewriter, loc, result, resultType, dynamicSizes);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  static Value truncate(OpBuilder &b, Location loc, Value value,
                        RankedTensorType type, ValueRange dynamicSizes) {
    Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                          type.getElementType(), dynamicSizes);
    AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, ValueRange{value}, ValueRange{empty},
               ArrayRef<AffineMap>{identity, identity}, iterators,
               [&](OpBuilder &nb, Location loc, ValueRange args) {
                 Type to = type.getElementType();
                 Value narrow =
                     isa<FloatType>(to)
                         ? arith::TruncFOp::create(nb, loc, to, args[0])
                               .getResult()
                         : arith::TruncIOp::create(nb, loc, to, args[0])
                               .getResult();
                 linalg::YieldOp::create(nb, loc, narrow);
               })
        .getResult(0);
  }
};

struct ConvertEinsumToLinalgPass
    : einsum::impl::ConvertEinsumToLinalgBase<ConvertEinsumToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<EinsumDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           tensor::TensorDialect>();
    RewritePatternSet patterns(context);
    populateEinsumToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void einsum::populateEinsumToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ContractOpLowering>(patterns.getContext());
}
