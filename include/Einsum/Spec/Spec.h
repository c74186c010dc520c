//===- Spec.h - The einsum equation language --------------------*- C++ -*-===//
//
// Parsing and binding of einsum equations ("ij,jk->ik", or named labels as in
// "batch seqQ d, batch seqK d -> batch seqQ seqK"). This library has no MLIR
// or LLVM dependency: the dialect, the JIT and the tools all build on it, and
// it can be fuzzed and unit-tested on its own.
//
// Two steps:
//   1. parseSpec(text)        syntax only: labels, operands, output.
//   2. bindSpec(spec, shapes) against operand shapes: expands '...', checks
//                             ranks and sizes, and numbers the loop dims of
//                             the free/summation loop nest.
//
// Errors are values (SpecError) carrying a one-line message that names the
// culprit and the byte offsets in the spec text to point a caret at.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_SPEC_SPEC_H
#define EINSUM_SPEC_SPEC_H

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace einsum {

/// Size of a dimension unknown until run time. Equal to
/// mlir::ShapedType::kDynamic so shapes pass between the layers unchanged.
inline constexpr int64_t kDynamicSize = std::numeric_limits<int64_t>::min();

/// How labels are written. Compact: one letter per label ("ij,jk->ik").
/// Named: labels are identifiers separated by whitespace
/// ("batch seqQ d, batch seqK d -> batch seqQ seqK"). Auto picks one by the
/// rule documented at parseSpec.
enum class Notation { Auto, Compact, Named };

/// An error in a spec or in binding it to shapes.
struct SpecError {
  /// One line, lower-case, naming the culprit (label, operand, size).
  std::string message;
  /// Byte offsets into the spec text to mark, most important first. Empty
  /// when the spec has no source text (e.g. built from an MLIR attribute).
  std::vector<size_t> positions;
  /// The likely fix, where one is obvious (empty otherwise), e.g. "operand 1
  /// fits the spec transposed: write its labels 'jk', or transpose it".
  std::string hint;

  /// Renders the message, then the spec and a line of carets under the
  /// marked positions, then the hint:
  ///   size of label 'k' differs: operand 0 has 64, operand 1 has 32
  ///     ik,kj->ij
  ///      ^  ^
  ///   hint: ...
  std::string render(std::string_view text, std::string_view indent = "  ") const;
};

/// Either a value or a SpecError.
template <typename T> class SpecResult {
public:
  SpecResult(T value) : storage(std::move(value)) {}
  SpecResult(SpecError error) : storage(std::move(error)) {}

  explicit operator bool() const { return storage.index() == 0; }
  T &operator*() { return std::get<0>(storage); }
  const T &operator*() const { return std::get<0>(storage); }
  T *operator->() { return &std::get<0>(storage); }
  const T *operator->() const { return &std::get<0>(storage); }
  const SpecError &error() const { return std::get<1>(storage); }

private:
  std::variant<T, SpecError> storage;
};

/// One subscript of an operand or of the output: a label or the ellipsis.
struct Subscript {
  static constexpr int kEllipsis = -1;
  /// Index into Spec::labels, or kEllipsis.
  int label = kEllipsis;
  /// Byte offset of the subscript in the spec text (0 if there is none).
  size_t position = 0;

  bool isEllipsis() const { return label == kEllipsis; }
  bool operator==(const Subscript &other) const { return label == other.label; }
};

/// The subscripts of one operand, or of the output.
struct Term {
  std::vector<Subscript> subscripts;
  /// Byte offset of the term in the spec text.
  size_t position = 0;

  bool hasEllipsis() const;
  /// Number of subscripts that are labels (not the ellipsis).
  size_t numLabels() const;
  bool operator==(const Term &other) const {
    return subscripts == other.subscripts;
  }
};

/// A parsed einsum equation.
struct Spec {
  /// Compact or Named, never Auto.
  Notation notation = Notation::Compact;
  /// Label names, numbered by first appearance.
  std::vector<std::string> labels;
  std::vector<Term> inputs;
  /// The output; for an implicit output ("ij,jk") it is derived as NumPy
  /// does: '...' (if any operand has one), then the labels that appear exactly
  /// once, sorted by name.
  Term output;
  /// False if the text had no '->'.
  bool explicitOutput = true;

  /// Canonical text: explicit output, no redundant spaces. Compact specs
  /// print as "ij,jk->ik", named ones as "batch seq d, batch d -> batch seq".
  std::string str() const;
  /// Canonical text of one term.
  std::string termString(const Term &term) const;
  /// Sets the source positions to those of the canonical text, and returns
  /// that text: for specs built without source (e.g. from an attribute), so
  /// errors can still point into a text.
  std::string relocateToCanonical();
  /// Label id of `name`, or -1.
  int findLabel(std::string_view name) const;
  bool hasEllipsis() const;

  /// Structural equality: same notation, labels and terms (source positions
  /// and the explicit/implicit spelling are not compared).
  bool operator==(const Spec &other) const;
  bool operator!=(const Spec &other) const { return !(*this == other); }
};

/// Parses an einsum equation.
///
/// Notation::Auto decides as follows: the spec is Named if some operand or
/// the output, with leading and trailing whitespace removed, still contains
/// whitespace (i.e. two subscripts separated by spaces); otherwise Compact.
/// So "ij, jk -> ik" is compact (i, j, k) and "ij k, k -> ij" is named (labels
/// ij and k). Where every label is a single letter the two readings agree.
///
/// Compact labels are ASCII letters; named labels are identifiers
/// ([A-Za-z_][A-Za-z0-9_]*). '...' stands for broadcast dimensions, at most
/// once per term.
SpecResult<Spec> parseSpec(std::string_view text,
                           Notation notation = Notation::Auto);

/// Limits of an einsum (errors beyond them name the limit): operands,
/// distinct labels, and dimensions of a tensor (NumPy 2's NPY_MAXDIMS).
/// A contraction order over kMaxOperands operands plans in about a second
/// (greedy); compiling it takes longer, each step being a loop nest.
inline constexpr size_t kMaxOperands = 1024;
inline constexpr size_t kMaxLabels = 4096;
inline constexpr size_t kMaxRank = 64;

/// The most elements an operand or output may have: byte offsets of 8-byte
/// elements must fit signed 64-bit index arithmetic.
inline constexpr int64_t kMaxElements = int64_t(1) << 60;

/// True if a tensor of `shape` has more than kMaxElements elements (never
/// for an empty tensor, a size 0 anywhere, or a dynamic size).
bool exceedsMaxElements(const std::vector<int64_t> &shape);

/// Marks an axis of an operand that is broadcast (size 1 under '...' while
/// other operands have a larger size): it is always indexed at 0.
inline constexpr int64_t kBroadcastDim = -1;

/// A spec bound to operand shapes: the loop nest of the free/summation
/// algorithm. Loop dims are numbered free dims first, in output order, then
/// summation dims in order of first appearance in the operands.
struct Binding {
  /// One name per loop dim: the label, or "...N" for the N-th dimension
  /// covered by the ellipsis.
  std::vector<std::string> dimNames;
  /// Size of each loop dim (kDynamicSize if unknown).
  std::vector<int64_t> dimSizes;
  /// The first numFree loop dims are free (output) dims.
  size_t numFree = 0;
  /// For each operand and axis: its loop dim, or kBroadcastDim. Repeated
  /// labels give repeated loop dims (diagonals).
  std::vector<std::vector<int64_t>> inputDims;

  size_t numDims() const { return dimSizes.size(); }
  bool isFree(size_t dim) const { return dim < numFree; }
  /// Shape of the output: the sizes of the free dims.
  std::vector<int64_t> outputShape() const;
};

/// Binds `spec` to operand shapes (kDynamicSize for unknown sizes). Checks the
/// operand count, each operand's rank, that every label has one size across
/// operands and within repeated labels, and that '...' dimensions broadcast
/// (right-aligned; size 1 broadcasts, as in NumPy). Labels do not broadcast:
/// sizes 1 and 3 for the same label is an error. Dynamic sizes are assumed to
/// match, and are never treated as broadcast. Operands and the output may
/// have at most kMaxElements elements. On a size error the SpecError's hint
/// names an operand that would fit with its axes permuted, if one does.
SpecResult<Binding> bindSpec(const Spec &spec,
                             const std::vector<std::vector<int64_t>> &shapes);

/// Describes the free/summation loop nest of a bound spec, as the einsum
/// guide writes it:
///   free indices:      i=4 k=2
///   summation indices: j=8
///   for i in range(4):
///     for k in range(2):
///       acc = 0
///       for j in range(8):
///         acc += in0[i, j] * in1[j, k]
///       out[i, k] = acc
std::string describeLoopNest(const Spec &spec, const Binding &binding);

/// Renders a shape as "2x3x?".
std::string shapeString(const std::vector<int64_t> &shape);

} // namespace einsum

#endif // EINSUM_SPEC_SPEC_H
