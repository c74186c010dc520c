//===- EinsumOps.cpp - Einsum dialect operations --------------------------===//

#include "Einsum/Dialect/Einsum/EinsumOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

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

static void printSpecString(OpAsmPrinter &printer, Operation *,
                            SpecAttr spec) {
  printer << '"' << spec.str() << '"';
}

#define GET_OP_CLASSES
#include "Einsum/Dialect/Einsum/EinsumOps.cpp.inc"

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
      return op.emitOpError()
             << "operand " << i << " has element type " << type
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
  if (isa<FloatType>(*acc) != isa<FloatType>(input))
    return op.emitOpError() << "accumulator type " << *acc
                            << " and operand element type " << input
                            << " must both be float or both be integer";
  if (acc->getIntOrFloatBitWidth() < input.getIntOrFloatBitWidth())
    return op.emitOpError() << "accumulator type " << *acc
                            << " is narrower than the operand element type "
                            << input;
  if (isa<FloatType>(input) && *acc != input &&
      acc->getIntOrFloatBitWidth() == input.getIntOrFloatBitWidth())
    return op.emitOpError() << "accumulator type " << *acc
                            << " cannot hold every value of the operand "
                               "element type "
                            << input << " exactly";
  if (result != input && result != *acc)
    return op.emitOpError()
           << "result element type " << result
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
