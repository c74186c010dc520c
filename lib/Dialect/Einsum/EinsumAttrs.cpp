//===- EinsumAttrs.cpp - Einsum dialect attributes ------------------------===//
//
// #einsum.spec: the structured form of an einsum equation; #einsum.target
// and the plans (#einsum.plan, #einsum.transpose_plan) code generation
// chooses and reads.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Dialect/Einsum/EinsumAttrs.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

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

//===----------------------------------------------------------------------===//
// #einsum.target, #einsum.plan, #einsum.transpose_plan
//===----------------------------------------------------------------------===//

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef cpu, StringRef features,
                                 unsigned vectorBits, unsigned vectorRegisters,
                                 int64_t l1Bytes, int64_t l2Bytes,
                                 int64_t cacheLineBytes) {
  if (cpu.empty())
    return emitError() << "target: the cpu name is empty";
  if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512)
    return emitError() << "target: vectorBits is " << vectorBits
                       << ": expected 128, 256 or 512";
  if (vectorRegisters < 8 || vectorRegisters > 64)
    return emitError() << "target: vectorRegisters is " << vectorRegisters
                       << ": expected 8 to 64";
  constexpr int64_t kib = 1024, gib = int64_t(1) << 30;
  for (auto [name, bytes] : {std::pair<StringRef, int64_t>{"l1Bytes", l1Bytes},
                             {"l2Bytes", l2Bytes}})
    if (bytes < kib || bytes > gib)
      return emitError() << "target: " << name << " is " << bytes
                         << ": expected 1024 to 2^30 bytes";
  if (cacheLineBytes < 16 || cacheLineBytes > 4096 ||
      !llvm::isPowerOf2_64(cacheLineBytes))
    return emitError() << "target: cacheLineBytes is " << cacheLineBytes
                       << ": expected a power of two from 16 to 4096";
  for (StringRef feature : llvm::split(features, ','))
    if (!feature.empty() && feature.front() != '+' && feature.front() != '-')
      return emitError() << "target: feature '" << feature
                         << "' does not start with '+' or '-'";
  return success();
}

/// The most elements a register tile or vector block of a plan may have (a
/// hand-written plan beyond it would unroll into an enormous vector).
static constexpr int64_t kMaxVectorElements = 4096;

/// True if `order` holds each of 0 .. size - 1 once.
static bool isPermutation(ArrayRef<int64_t> order, size_t size) {
  return order.size() == size && isPermutationVector(order);
}

LogicalResult PlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringRef roles, ArrayRef<int64_t> cacheTiles,
                               ArrayRef<int64_t> cacheOrder,
                               ArrayRef<int64_t> reductionTiles,
                               ArrayRef<int64_t> registerTiles,
                               ArrayRef<int64_t> registerOrder,
                               ArrayRef<int64_t> innerReductionTiles,
                               bool singleKTile) {
  size_t numLoops = roles.size();
  if (numLoops == 0)
    return emitError() << "plan: no roles (one letter per loop dim)";
  for (char role : roles)
    if (!StringRef("nmpkbr").contains(role))
      return emitError() << "plan: role '" << role
                         << "' is not one of n (vector dim), m (rows), p "
                            "(panels), k (main sum), b (batch), r (sum)";
  if (roles.count('n') != 1)
    return emitError() << "plan: roles '" << roles
                       << "' need exactly one n (the vector dim)";
  for (char role : {'m', 'p', 'k'})
    if (roles.count(role) > 1)
      return emitError() << "plan: roles '" << roles << "' have more than one "
                         << role;
  auto isSummed = [&](size_t dim) {
    return roles[dim] == 'k' || roles[dim] == 'r';
  };
  // Cache tiles up to 2^24 (as the pipeline's mc/nc/kc); register tiles
  // (vectors) up to 512 per dim and kMaxVectorElements in all: the widest
  // the planner makes are i8 streams on AVX-512 (8 vectors of 64 lanes) and
  // i8 lane sums (64 x 64).
  struct Tiles {
    StringRef name;
    ArrayRef<int64_t> sizes;
    bool summed;
    int64_t max;
    StringRef maxText;
  };
  constexpr int64_t cacheMax = int64_t(1) << 24, registerMax = 512;
  for (Tiles tiles :
       {Tiles{"cache", cacheTiles, false, cacheMax, "2^24"},
        Tiles{"reduction", reductionTiles, true, cacheMax, "2^24"},
        Tiles{"register", registerTiles, false, registerMax, "512"},
        Tiles{"inner_reduction", innerReductionTiles, true, registerMax,
              "512"}}) {
    if (tiles.sizes.size() != numLoops)
      return emitError() << "plan: " << tiles.name << " has "
                         << tiles.sizes.size() << " entries for " << numLoops
                         << " loop dims";
    for (auto [dim, size] : llvm::enumerate(tiles.sizes)) {
      if (size < 0 || size > tiles.max)
        return emitError() << "plan: " << tiles.name << " tile of dim " << dim
                           << " is " << size << ": expected 0 to "
                           << tiles.maxText;
      if (size && isSummed(dim) != tiles.summed)
        return emitError() << "plan: " << tiles.name << " tiles only "
                           << (tiles.summed ? "summed" : "parallel")
                           << " dims, but dim " << dim << " (role '"
                           << roles[dim] << "') has " << size;
    }
  }
  int64_t elements = 1;
  for (auto [reg, inner] : llvm::zip(registerTiles, innerReductionTiles))
    elements *= std::max<int64_t>(1, std::max(reg, inner));
  if (elements > kMaxVectorElements)
    return emitError() << "plan: the register tile has " << elements
                       << " elements: expected at most " << kMaxVectorElements;
  // One K tile moves the zero fill into the register tiles: with a K-tile
  // loop around them, each K tile would start from zero again.
  if (singleKTile && llvm::any_of(reductionTiles,
                                  [](int64_t tile) { return tile != 0; }))
    return emitError() << "plan: single_k_tile = true needs no reduction "
                          "tiles (reduction = all 0)";
  for (auto [name, order] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"cache_order", cacheOrder},
        {"register_order", registerOrder}})
    if (!isPermutation(order, numLoops))
      return emitError() << "plan: " << name << " is not a permutation of the "
                         << numLoops << " loop dims";
  return success();
}

LogicalResult
TransposePlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          ArrayRef<int64_t> blocks, ArrayRef<int64_t> vector,
                          ArrayRef<int64_t> order) {
  if (vector.empty() || blocks.size() != vector.size())
    return emitError() << "transpose_plan: blocks and vector need one entry "
                          "per dim each (got "
                       << blocks.size() << " and " << vector.size() << ")";
  for (auto [dim, block] : llvm::enumerate(blocks))
    if (block < 0 || block > (int64_t(1) << 24))
      return emitError() << "transpose_plan: block of dim " << dim << " is "
                         << block << ": expected 0 to 2^24";
  for (auto [dim, size] : llvm::enumerate(vector))
    if (size < 1 || size > 512)
      return emitError() << "transpose_plan: vector block of dim " << dim
                         << " is " << size << ": expected 1 to 512";
  int64_t elements = 1;
  for (int64_t size : vector)
    elements *= size;
  if (elements > kMaxVectorElements)
    return emitError() << "transpose_plan: the vector block has " << elements
                       << " elements: expected at most " << kMaxVectorElements;
  if (!isPermutation(order, vector.size()))
    return emitError() << "transpose_plan: order is not a permutation of the "
                       << vector.size() << " dims";
  return success();
}

LogicalResult
LayoutPlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       bool rowPack, ArrayRef<int64_t> pack, int64_t panel,
                       int64_t rows) {
  for (int64_t input : pack)
    if (input < 0 || input > 1)
      return emitError() << "layout_plan: pack names input " << input
                         << ": a contraction has inputs 0 and 1";
  if (pack.size() == 2 && pack[0] == pack[1])
    return emitError() << "layout_plan: pack names input " << pack[0]
                       << " twice";
  if (panel < 1 || panel > 512)
    return emitError() << "layout_plan: panel is " << panel
                       << ": expected 1 to 512";
  if (rows < 1 || rows > 64)
    return emitError() << "layout_plan: rows is " << rows
                       << ": expected 1 to 64";
  return success();
}

Attribute LayoutPlanAttr::parse(AsmParser &parser, Type) {
  bool rowPack = false;
  SmallVector<int64_t> pack;
  int64_t panel = 0, rows = 0;
  StringRef flag;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword("row_pack") ||
      parser.parseEqual() || parser.parseKeyword(&flag))
    return {};
  if (flag != "true" && flag != "false") {
    parser.emitError(loc, "expected row_pack = true or false");
    return {};
  }
  rowPack = flag == "true";
  if (parser.parseComma() || parser.parseKeyword("pack") ||
      parser.parseEqual() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        return parser.parseInteger(pack.emplace_back());
      }) ||
      parser.parseComma() || parser.parseKeyword("panel") ||
      parser.parseEqual() || parser.parseInteger(panel) ||
      parser.parseComma() || parser.parseKeyword("rows") ||
      parser.parseEqual() || parser.parseInteger(rows) || parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), rowPack, pack, panel, rows);
}

void LayoutPlanAttr::print(AsmPrinter &printer) const {
  printer << "<row_pack = " << (getRowPack() ? "true" : "false")
          << ", pack = [";
  llvm::interleaveComma(getPack(), printer);
  printer << "], panel = " << getPanel() << ", rows = " << getRows() << ">";
}
