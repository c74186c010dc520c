//===- EinsumOps.cpp - Einsum dialect operations --------------------------===//

#include "Einsum/Dialect/Einsum/EinsumOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace einsum;

//===----------------------------------------------------------------------===//
// custom<SpecString>: the spec as a plain string literal
//===----------------------------------------------------------------------===//

/// Parses the spec string. Errors point at the culprit character inside the
/// literal when the literal has no escapes (the usual case).
static ParseResult parseSpecString(OpAsmParser &parser, SpecAttr &spec) {
  SMLoc loc = parser.getCurrentLocation();
  std::string text;
  if (parser.parseString(&text))
    return failure();
  SpecResult<Spec> parsed =
      parseSpec(std::string_view(text.data(), text.size()));
  if (!parsed) {
    const SpecError &error = parsed.error();
    // The literal is written verbatim if the source holds `"text"` at loc.
    StringRef source(loc.getPointer() + 1, text.size() + 1);
    SMLoc at = loc;
    if (!error.positions.empty() && source.drop_back() == text &&
        source.back() == '"')
      at = SMLoc::getFromPointer(loc.getPointer() + 1 + error.positions[0]);
    return parser.emitError(at) << "invalid einsum spec: " << error.message;
  }
  spec = SpecAttr::getChecked([&] { return parser.emitError(loc); },
                              parser.getContext(), *parsed);
  return success(static_cast<bool>(spec));
}

static void printSpecString(OpAsmPrinter &printer, Operation *, SpecAttr spec) {
  printer << '"' << spec.str() << '"';
}

#define GET_OP_CLASSES
#include "Einsum/Dialect/Einsum/EinsumOps.cpp.inc"

bool einsum::isSupportedElementType(Type type) {
  if (type.isF16() || type.isBF16() || type.isF32() || type.isF64())
    return true;
  auto integer = dyn_cast<IntegerType>(type);
  return integer && integer.isSignless() &&
         llvm::is_contained({8u, 16u, 32u, 64u}, integer.getWidth());
}

TypedAttr einsum::getAccumulatorInit(Type type, bool sums) {
  Builder b(type.getContext());
  if (auto floatType = dyn_cast<FloatType>(type); floatType && !sums)
    return b.getFloatAttr(floatType,
                          llvm::APFloat::getZero(floatType.getFloatSemantics(),
                                                 /*Negative=*/true));
  return b.getZeroAttr(type);
}

//===----------------------------------------------------------------------===//
// ContractOp
//===----------------------------------------------------------------------===//

Type ContractOp::getAccumulatorElementType() {
  if (std::optional<Type> acc = getAccumulatorType())
    return *acc;
  return getResult().getType().getElementType();
}

static std::vector<int64_t> shapeOf(Type type) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(type).getShape();
  return std::vector<int64_t>(shape.begin(), shape.end());
}

SpecResult<Binding> ContractOp::bind() {
  std::vector<std::vector<int64_t>> shapes;
  for (Type type : getInputs().getTypes())
    shapes.push_back(shapeOf(type));
  return bindSpec(getSpec().getSpec(), shapes);
}

/// Emits a spec error with the spec text and carets under the culprits.
static LogicalResult emitSpecError(ContractOp op, const SpecError &error) {
  Spec spec = op.getSpec().getSpec();
  return op.emitOpError() << error.render(spec.str());
}

/// Checks the element types: one input type, and the accumulator/result
/// rules for mixed precision.
static LogicalResult verifyElementTypes(ContractOp op) {
  Type input = getElementTypeOrSelf(op.getInputs().front().getType());
  for (auto [i, value] : llvm::enumerate(op.getInputs())) {
    Type type = getElementTypeOrSelf(value.getType());
    if (type != input)
      return op.emitOpError() << "operand " << i << " has element type " << type
                              << " but operand 0 has " << input
                              << "; all operands must share one element type";
  }
  Type result = op.getResult().getType().getElementType();
  std::optional<Type> acc = op.getAccumulatorType();
  if (!acc) {
    if (result != input)
      return op.emitOpError()
             << "result element type " << result
             << " differs from the operand element type " << input
             << "; use accumulate(<type>) for mixed precision";
    return success();
  }
  if (!isSupportedElementType(*acc))
    return op.emitOpError()
           << "accumulator type " << *acc
           << " is not supported (expected f16, bf16, f32, f64, i8, i16, i32 "
              "or i64)";
  if (isa<FloatType>(*acc) != isa<FloatType>(input))
    return op.emitOpError()
           << "accumulator type " << *acc << " and operand element type "
           << input << " must both be float or both be integer";
  if (acc->getIntOrFloatBitWidth() < input.getIntOrFloatBitWidth())
    return op.emitOpError()
           << "accumulator type " << *acc
           << " is narrower than the operand element type " << input;
  if (isa<FloatType>(input) && *acc != input &&
      acc->getIntOrFloatBitWidth() == input.getIntOrFloatBitWidth())
    return op.emitOpError() << "accumulator type " << *acc
                            << " cannot hold every value of the operand "
                               "element type "
                            << input << " exactly";
  if (result != input && result != *acc)
    return op.emitOpError() << "result element type " << result
                            << " must be the operand element type " << input
                            << " or the accumulator type " << *acc;
  return success();
}

LogicalResult ContractOp::verify() {
  SpecAttr specAttr = getSpec();
  if (specAttr.getNumInputs() != getInputs().size())
    return emitOpError() << "spec '" << specAttr.str() << "' has "
                         << specAttr.getNumInputs() << " operand(s) but "
                         << getInputs().size() << " were given";
  if (failed(verifyElementTypes(*this)))
    return failure();

  SpecResult<Binding> binding = bind();
  if (!binding)
    return emitSpecError(*this, binding.error());

  Spec spec = specAttr.getSpec();
  RankedTensorType resultType = getResult().getType();
  std::vector<int64_t> expected = binding->outputShape();
  if (resultType.getRank() != static_cast<int64_t>(expected.size()))
    return emitOpError() << "result has rank " << resultType.getRank()
                         << " but the output '" << spec.termString(spec.output)
                         << "' has " << expected.size() << " dimension(s)";
  for (auto [dim, size] : llvm::enumerate(resultType.getShape())) {
    int64_t want = expected[dim];
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(want) ||
        size == want)
      continue;
    return emitOpError() << "result dimension " << dim << " (label '"
                         << binding->dimNames[dim] << "') has size " << size
                         << " but the operands give " << want
                         << " (expected result type "
                         << RankedTensorType::get(expected,
                                                  resultType.getElementType())
                         << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

std::optional<double> AttentionOp::getScaleValue() {
  if (std::optional<llvm::APFloat> scale = getScale())
    return scale->convertToDouble();
  int64_t dHead = getQuery().getType().getDimSize(3);
  if (ShapedType::isDynamic(dHead))
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(dHead));
}

LogicalResult AttentionOp::verify() {
  struct Operand {
    const char *name;
    RankedTensorType type;
  };
  Operand query{"query", getQuery().getType()};
  Operand key{"key", getKey().getType()};
  Operand value{"value", getValue().getType()};
  Operand result{"result", getResult().getType()};
  for (const Operand &operand : {query, key, value, result}) {
    if (operand.type.getRank() != 4)
      return emitOpError() << operand.name
                           << " must have rank 4 ([batch, seq, n_head, "
                              "d_head]), got rank "
                           << operand.type.getRank();
    if (operand.type.getElementType() != query.type.getElementType())
      return emitOpError() << operand.name << " has element type "
                           << operand.type.getElementType() << " but query has "
                           << query.type.getElementType();
  }
  // Each size of the pattern, and where it must agree.
  struct Axis {
    const char *label;
    const Operand &a;
    unsigned axisA;
    const Operand &b;
    unsigned axisB;
  };
  const Axis axes[] = {
      {"batch", query, 0, key, 0},     {"batch", query, 0, value, 0},
      {"n_head", query, 2, key, 2},    {"n_head", query, 2, value, 2},
      {"d_head", query, 3, key, 3},    {"seqK", key, 1, value, 1},
      {"batch", query, 0, result, 0},  {"seqQ", query, 1, result, 1},
      {"n_head", query, 2, result, 2}, {"d_v", value, 3, result, 3},
  };
  for (const Axis &axis : axes) {
    int64_t a = axis.a.type.getDimSize(axis.axisA);
    int64_t b = axis.b.type.getDimSize(axis.axisB);
    if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b)
      continue;
    return emitOpError() << "size of '" << axis.label
                         << "' differs: " << axis.a.name << " has " << a << ", "
                         << axis.b.name << " has " << b;
  }
  // The size limit of every einsum op, on the operands, the result and the
  // scores [batch, n_head, seqQ, seqK] of the unfused form.
  auto sizes = [](RankedTensorType type) {
    std::vector<int64_t> shape;
    for (int64_t size : type.getShape())
      shape.push_back(ShapedType::isDynamic(size) ? kDynamicSize : size);
    return shape;
  };
  for (const Operand &operand : {query, key, value, result})
    if (exceedsMaxElements(sizes(operand.type)))
      return emitOpError() << operand.name << " of type " << operand.type
                           << " has more than 2^60 elements; its offsets "
                              "would overflow 64-bit index arithmetic";
  std::vector<int64_t> q = sizes(query.type), k = sizes(key.type);
  if (exceedsMaxElements({q[0], q[2], q[1], k[1]}))
    return emitOpError() << "the scores [batch, n_head, seqQ, seqK] would "
                            "have more than 2^60 elements";
  return success();
}
