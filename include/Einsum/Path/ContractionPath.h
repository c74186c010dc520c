//===- ContractionPath.h - Contraction order for N operands -----*- C++ -*-===//
//
// Plans an N-operand einsum as a sequence of smaller einsums, the way
// opt_einsum's contract_path does: first single-operand steps that shrink an
// operand (take a diagonal, sum a label no one else has), then pairwise
// contractions in the order with the fewest FLOPs. Plain C++17 on top of the
// spec language: the einsum-contraction-order pass, the JIT's explain report
// and the unit tests all use this one planner.
//
//   auto path = planContraction(spec, binding, {});
//   for (const ContractionStep &step : path.steps)
//     ... step.spec.str(), step.inputs, step.flops ...
//
// Cost model (as opt_einsum): a step over the loop points P of all its labels
// costs |P| * (max(1, operands - 1) + (1 if it sums a label)) FLOPs. The
// order minimizes total FLOPs, then the largest intermediate.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_PATH_CONTRACTIONPATH_H
#define EINSUM_PATH_CONTRACTIONPATH_H

#include "Einsum/Spec/Spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace einsum {

/// How the pairwise order is searched.
enum class PathAlgorithm {
  /// Optimal up to kOptimalOperandLimit operands, greedy beyond.
  Auto,
  /// Dynamic programming over subsets of operands (exact, O(3^N)).
  Optimal,
  /// Repeatedly contract the pair that shrinks the data most (O(N^3)).
  Greedy,
  /// No planning: the einsum stays one loop nest.
  None,
};

/// "auto", "optimal", "greedy" or "none".
const char *pathAlgorithmName(PathAlgorithm algorithm);
/// The algorithm of that name, or nullopt.
std::optional<PathAlgorithm> parsePathAlgorithm(std::string_view name);

/// Auto uses the exact search up to this many operands (3^10 = 59049 pairs of
/// subsets, well under a millisecond), the greedy one beyond.
inline constexpr size_t kOptimalOperandLimit = 10;

/// Sizes unknown at compile time count as this in the cost model.
inline constexpr int64_t kNominalDynamicSize = 64;

struct PathOptions {
  PathAlgorithm algorithm = PathAlgorithm::Auto;
  /// The most elements any intermediate may hold; 0 for no limit. When no
  /// order fits, the computation is sliced along labels (see
  /// ContractionPath::slices) so that every intermediate of one slice fits.
  double memoryLimit = 0;
};

/// One step: an einsum over earlier values. Values are numbered: operands
/// 0..N-1, then the result of step k is value N+k. The last step's result is
/// the output.
struct ContractionStep {
  /// The step's einsum, with the original labels (and fresh names for '...'
  /// and broadcast dimensions).
  Spec spec;
  /// The values it consumes, in the order of spec.inputs.
  std::vector<size_t> inputs;
  /// Its cost, and the number of elements of its result (at sliced sizes).
  double flops = 0;
  double resultElements = 0;
};

/// A label the computation is split along to honour the memory limit: the
/// steps run once per chunk of `chunk` indices (chunk divides size). Slices of
/// a free label write disjoint parts of the output; slices of a summed label
/// are added up.
struct PathSlice {
  /// The loop dim of the binding (free dims are output axes in order).
  size_t dim = 0;
  std::string label;
  int64_t size = 0;
  int64_t chunk = 0;
  bool summed = false;
};

struct ContractionPath {
  /// In execution order. A single step over all operands (fused) means the
  /// einsum is best left as one loop nest.
  std::vector<ContractionStep> steps;
  std::vector<PathSlice> slices;
  /// "optimal", "greedy", or "single loop nest".
  std::string algorithm;
  size_t numOperands = 0;
  /// FLOPs of the einsum as one loop nest over all labels.
  double naiveFlops = 0;
  /// FLOPs of the plan, over all slices (with the adds that combine slices).
  double totalFlops = 0;
  /// The largest intermediate, in elements (one slice's).
  double largestIntermediate = 0;
  /// The memory limit could not be met even with every label sliced to 1;
  /// the plan is the single loop nest, which needs no intermediate.
  bool memoryLimitUnmet = false;

  /// True if the plan is the einsum itself: nothing to rewrite.
  bool isSingleStep() const { return steps.size() == 1 && slices.empty(); }
  /// An opt_einsum-style report: each step's spec, FLOPs and result size,
  /// and the totals against the single loop nest.
  std::string describe() const;
};

/// Plans `spec` bound to `binding`. Never fails: with fewer than two
/// operands, or when nothing beats the single loop nest, the plan is one
/// step equal to the einsum.
ContractionPath planContraction(const Spec &spec, const Binding &binding,
                                const PathOptions &options = {});

} // namespace einsum

#endif // EINSUM_PATH_CONTRACTIONPATH_H
