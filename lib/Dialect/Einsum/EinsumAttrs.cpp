//===- EinsumAttrs.cpp - Einsum dialect attributes ------------------------===//
//
// #einsum.spec: the structured form of an einsum equation.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Dialect/Einsum/EinsumAttrs.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace einsum;

#define GET_ATTRDEF_CLASSES
#include "Einsum/Dialect/Einsum/EinsumAttrs.cpp.inc"

void EinsumDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Einsum/Dialect/Einsum/EinsumAttrs.cpp.inc"
      >();
}

static DenseI32ArrayAttr termToAttr(MLIRContext *context, const Term &term) {
  SmallVector<int32_t> ids;
  for (const Subscript &sub : term.subscripts)
    ids.push_back(sub.label);
  return DenseI32ArrayAttr::get(context, ids);
}

static Term attrToTerm(DenseI32ArrayAttr attr) {
  Term term;
  for (int32_t id : attr.asArrayRef())
    term.subscripts.push_back({id, 0});
  return term;
}

/// True if every label is a single ASCII letter, so compact notation can
/// print the spec.
static bool allSingleLetters(ArrayRef<StringAttr> labels) {
  return llvm::all_of(labels, [](StringAttr label) {
    return label.size() == 1 && llvm::isAlpha(label.getValue()[0]);
  });
}

namespace {
/// The attribute parameters of a spec.
struct SpecParams {
  SpecParams(MLIRContext *context, const Spec &spec) {
    for (const std::string &label : spec.labels)
      labels.push_back(StringAttr::get(context, label));
    for (const Term &term : spec.inputs)
      inputs.push_back(termToAttr(context, term));
    output = termToAttr(context, spec.output);
  }
  SmallVector<StringAttr> labels;
  SmallVector<DenseI32ArrayAttr> inputs;
  DenseI32ArrayAttr output;
};
} // namespace

SpecAttr SpecAttr::get(MLIRContext *context, const Spec &spec) {
  SpecParams params(context, spec);
  return Base::get(context, params.labels, params.inputs, params.output);
}

SpecAttr SpecAttr::getChecked(function_ref<InFlightDiagnostic()> emitError,
                              MLIRContext *context, const Spec &spec) {
  SpecParams params(context, spec);
  return Base::getChecked(emitError, context, params.labels, params.inputs,
                          params.output);
}

Spec SpecAttr::getSpec() const {
  Spec spec;
  spec.notation =
      allSingleLetters(getLabels()) ? Notation::Compact : Notation::Named;
  for (StringAttr label : getLabels())
    spec.labels.push_back(label.str());
  for (DenseI32ArrayAttr input : getInputs())
    spec.inputs.push_back(attrToTerm(input));
  spec.output = attrToTerm(getOutput());
  spec.relocateToCanonical();
  return spec;
}

SpecAttr SpecAttr::fromString(MLIRContext *context, StringRef text,
                              function_ref<InFlightDiagnostic()> emitError) {
  SpecResult<Spec> spec = parseSpec(std::string_view(text.data(), text.size()));
  if (!spec) {
    emitError() << "invalid einsum spec: " << spec.error().message;
    return {};
  }
  return getChecked(emitError, context, *spec);
}

/// True if `name` is a label the spec language can spell.
static bool isValidLabel(StringRef name) {
  if (name.empty() || llvm::isDigit(name[0]))
    return false;
  return llvm::all_of(
      name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

LogicalResult SpecAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<StringAttr> labels,
                               ArrayRef<DenseI32ArrayAttr> inputs,
                               DenseI32ArrayAttr output) {
  if (inputs.empty())
    return emitError() << "einsum spec needs at least one operand";
  llvm::StringSet<> seen;
  for (StringAttr label : labels) {
    if (!isValidLabel(label.getValue()))
      return emitError() << "invalid label name '" << label.getValue()
                         << "': expected [A-Za-z_][A-Za-z0-9_]*";
    if (!seen.insert(label.getValue()).second)
      return emitError() << "label '" << label.getValue()
                         << "' is declared twice";
  }

  int numLabels = labels.size();
  SmallVector<bool> used(numLabels, false);
  auto checkTerm = [&](DenseI32ArrayAttr term, const Twine &what,
                       bool isOutput) -> LogicalResult {
    bool ellipsis = false;
    SmallVector<bool> inTerm(numLabels, false);
    for (int32_t id : term.asArrayRef()) {
      if (id == Subscript::kEllipsis) {
        if (ellipsis)
          return emitError() << what << " has more than one '...'";
        ellipsis = true;
        continue;
      }
      if (id < 0 || id >= numLabels)
        return emitError() << what << " refers to label id " << id
                           << ", but there are " << numLabels << " labels";
      if (isOutput && !used[id])
        return emitError() << "output label '" << labels[id].getValue()
                           << "' does not appear in any operand";
      if (isOutput && inTerm[id])
        return emitError() << "output label '" << labels[id].getValue()
                           << "' appears more than once";
      inTerm[id] = true;
      used[id] = true;
    }
    return success();
  };
  for (auto [i, input] : llvm::enumerate(inputs))
    if (failed(checkTerm(input, "operand " + Twine(i), false)))
      return failure();
  if (failed(checkTerm(output, "the output", true)))
    return failure();
  for (auto [id, label] : llvm::enumerate(labels))
    if (!used[id])
      return emitError() << "label '" << label.getValue()
                         << "' appears in no operand";

  // Named notation is recognised by a term with two subscripts; without one,
  // the printed text would read back as compact notation.
  bool compact = allSingleLetters(labels);
  auto hasTwo = [](DenseI32ArrayAttr term) { return term.size() >= 2; };
  if (!compact && !llvm::any_of(inputs, hasTwo) && !hasTwo(output))
    return emitError()
           << "named-notation spec has no operand or output with two "
              "subscripts, so its text would read as compact notation";
  return success();
}

Attribute SpecAttr::parse(AsmParser &parser, Type) {
  std::string text;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseString(&text) || parser.parseGreater())
    return {};
  return fromString(parser.getContext(), text,
                    [&] { return parser.emitError(loc); });
}

void SpecAttr::print(AsmPrinter &printer) const {
  printer << "<\"" << str() << "\">";
}
