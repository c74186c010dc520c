//===- Reference.h - The reference einsum evaluator -------------*- C++ -*-===//
//
// The one reference evaluator: the plain free/summation loop nest of the
// einsum guide, in f64 (int64 for integer types), over strided buffers. It
// is the oracle of the execution tests, einsum-run --check and the
// differential tests. No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_REFERENCE_REFERENCE_H
#define EINSUM_REFERENCE_REFERENCE_H

#include "Einsum/Spec/Spec.h"
#include "Einsum/Support/DType.h"
#include "Einsum/Support/TensorView.h"

#include <vector>

namespace einsum {

/// The exact result, row-major over the output shape.
struct ReferenceResult {
  std::vector<int64_t> shape;
  /// The result in f64.
  std::vector<double> values;
  /// Per element, the sum of |product| over the summation indices: the scale
  /// against which rounding error is measured.
  std::vector<double> magnitudes;
  /// For integer types: the result with two's-complement wrap-around in the
  /// input type, exactly as compiled code computes it.
  std::vector<int64_t> integers;
};

/// The most loop points evaluateReference visits (~10 minutes).
inline constexpr double kMaxReferencePoints = 1e11;

/// Evaluates `spec` on `inputs`. Fails if the spec does not bind to the
/// input shapes, or if the loop nest has more than kMaxReferencePoints
/// points.
SpecResult<ReferenceResult>
evaluateReference(const Spec &spec, const std::vector<TensorView> &inputs);

/// Attention, softmax(Q Kᵀ · scale) · V per batch and head, in f64: the
/// scores and the output are the two einsums of the pattern, evaluated by
/// evaluateReference; the softmax subtracts the row max. query is [batch,
/// seqQ, n_head, d_head], key [batch, seqK, n_head, d_head], value [batch,
/// seqK, n_head, d_v]; scale 0 means 1/sqrt(d_head); causal masks keys
/// j > i. The magnitudes are those of the output einsum.
SpecResult<ReferenceResult>
evaluateAttentionReference(const TensorView &query, const TensorView &key,
                           const TensorView &value, bool causal, double scale);

/// How far a computed result is from the reference.
struct Comparison {
  /// max over elements of |got - want| / max(magnitude, tiny), and where.
  double maxRelativeError = 0;
  int64_t worstIndex = -1;
  /// Integers: number of elements that differ.
  int64_t mismatches = 0;
  bool withinTolerance = true;
};

/// The default --check tolerance of a dtype: 64 times its epsilon.
double defaultTolerance(DType dtype);

/// Compares a contiguous result buffer of `dtype` against the reference:
/// floats pass if every element's error relative to its magnitude is at most
/// `tolerance`; integers must match exactly. Non-finite values where the
/// reference is finite always fail.
Comparison compareToReference(const ReferenceResult &reference,
                              const void *result, DType dtype,
                              double tolerance);

} // namespace einsum

#endif // EINSUM_REFERENCE_REFERENCE_H
