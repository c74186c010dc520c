//===- Reference.cpp - The reference einsum evaluator ---------------------===//

#include "Einsum/Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace einsum;

SpecResult<ReferenceResult>
einsum::evaluateReference(const Spec &spec,
                          const std::vector<TensorView> &inputs) {
  std::vector<std::vector<int64_t>> shapes;
  for (const TensorView &input : inputs)
    shapes.push_back(input.shape);
  SpecResult<Binding> bound = bindSpec(spec, shapes);
  if (!bound)
    return bound.error();
  const Binding &binding = *bound;
  // The loop nest visits every point: refuse what would not finish (a
  // 300-operand einsum over 2^300 points), rather than hang.
  double points = 1;
  for (int64_t size : binding.dimSizes)
    points *= double(size);
  if (points > kMaxReferencePoints) {
    char text[160];
    std::snprintf(text, sizeof(text),
                  "the reference loop nest has %.3g points, more than the "
                  "%.3g it evaluates; check a smaller instance",
                  points, kMaxReferencePoints);
    return SpecError{text, {}, {}};
  }

  ReferenceResult result;
  result.shape = binding.outputShape();
  int64_t outputSize = numElementsOf(result.shape);
  // Exact integer arithmetic only when every operand is an integer (a
  // float anywhere makes the result a float).
  bool integer = !inputs.empty() && std::none_of(inputs.begin(), inputs.end(),
                                                 [](const TensorView &t) {
                                                   return isFloat(t.dtype);
                                                 });
  result.values.assign(outputSize, 0.0);
  result.magnitudes.assign(outputSize, 0.0);
  if (integer)
    result.integers.assign(outputSize, 0);

  // Per operand and loop dim: the element stride that dim contributes.
  size_t numDims = binding.numDims();
  std::vector<std::vector<int64_t>> dimStrides(
      inputs.size(), std::vector<int64_t>(numDims, 0));
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<int64_t> strides = inputs[i].effectiveStrides();
    for (size_t axis = 0; axis < binding.inputDims[i].size(); ++axis)
      if (binding.inputDims[i][axis] != kBroadcastDim)
        dimStrides[i][binding.inputDims[i][axis]] += strides[axis];
  }
  std::vector<int64_t> outputStrides =
      TensorView::contiguousStrides(result.shape);

  for (int64_t size : binding.dimSizes)
    if (size == 0)
      return result;

  // The loop nest as an odometer over all loop dims (free dims outermost).
  std::vector<int64_t> index(numDims, 0);
  std::vector<int64_t> offsets(inputs.size(), 0);
  int64_t outOffset = 0;
  while (true) {
    double product = 1.0;
    int64_t exact = 1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (integer)
        exact = int64_t(
            uint64_t(exact) *
            uint64_t(loadInt(inputs[i].data, inputs[i].dtype, offsets[i])));
      product *= loadDouble(inputs[i].data, inputs[i].dtype, offsets[i]);
    }
    result.values[outOffset] += product;
    result.magnitudes[outOffset] += std::fabs(product);
    if (integer)
      result.integers[outOffset] =
          int64_t(uint64_t(result.integers[outOffset]) + uint64_t(exact));

    // Advance the innermost dim; carry outwards.
    size_t dim = numDims;
    while (dim > 0) {
      --dim;
      ++index[dim];
      for (size_t i = 0; i < inputs.size(); ++i)
        offsets[i] += dimStrides[i][dim];
      if (dim < binding.numFree)
        outOffset += outputStrides[dim];
      if (index[dim] < binding.dimSizes[dim])
        break;
      for (size_t i = 0; i < inputs.size(); ++i)
        offsets[i] -= dimStrides[i][dim] * index[dim];
      if (dim < binding.numFree)
        outOffset -= outputStrides[dim] * index[dim];
      index[dim] = 0;
      if (dim == 0)
        return result;
    }
    if (numDims == 0)
      return result;
  }
}

double einsum::defaultTolerance(DType dtype) {
  return 64 * dtypeEpsilon(dtype);
}

Comparison einsum::compareToReference(const ReferenceResult &reference,
                                      const void *result, DType dtype,
                                      double tolerance) {
  Comparison comparison;
  int64_t size = reference.values.size();
  if (!isFloat(dtype)) {
    for (int64_t i = 0; i < size; ++i) {
      int64_t want = reference.integers[i];
      // Wrap the reference to the result type.
      if (dtype == DType::I32)
        want = int32_t(uint32_t(uint64_t(want)));
      if (loadInt(result, dtype, i) != want) {
        if (comparison.worstIndex < 0)
          comparison.worstIndex = i;
        ++comparison.mismatches;
      }
    }
    comparison.withinTolerance = comparison.mismatches == 0;
    comparison.maxRelativeError = comparison.mismatches ? 1.0 : 0.0;
    return comparison;
  }
  for (int64_t i = 0; i < size; ++i) {
    double got = loadDouble(result, dtype, i);
    double want = reference.values[i];
    double error;
    if (!std::isfinite(got) || !std::isfinite(want)) {
      // NaN matches NaN and an infinity the same infinity (inputs with NaN
      // or Inf give them); anything else against a non-finite is wrong.
      bool same = (std::isnan(got) && std::isnan(want)) || got == want;
      error = same ? 0 : INFINITY;
    } else {
      error = std::fabs(got - want) / std::max(reference.magnitudes[i], 1e-300);
      if (std::isnan(error)) // an infinite magnitude
        error = got == want ? 0 : INFINITY;
    }
    if (error > comparison.maxRelativeError || comparison.worstIndex < 0) {
      comparison.maxRelativeError =
          std::max(error, comparison.maxRelativeError);
      comparison.worstIndex = i;
    }
  }
  comparison.withinTolerance = comparison.maxRelativeError <= tolerance;
  return comparison;
}

SpecResult<ReferenceResult> einsum::evaluateAttentionReference(
    const TensorView &query, const TensorView &key, const TensorView &value,
    bool causal, double scale) {
  SpecResult<Spec> scoresSpec = parseSpec("bqhd,bkhd->bhqk");
  SpecResult<Spec> outputSpec = parseSpec("bhqk,bkhe->bqhe");
  SpecResult<ReferenceResult> scores =
      evaluateReference(*scoresSpec, {query, key});
  if (!scores)
    return scores.error();
  if (scale == 0)
    scale = 1.0 / std::sqrt(double(query.shape[3]));
  // Row-wise softmax over the last axis (seqK), masked keys at -inf.
  std::vector<double> &s = scores->values;
  int64_t seqQ = scores->shape[2], seqK = scores->shape[3];
  int64_t rows = seqK ? int64_t(s.size()) / seqK : 0;
  for (int64_t r = 0; r < rows; ++r) {
    double *row = s.data() + r * seqK;
    int64_t q = r % seqQ;
    double max = -INFINITY;
    for (int64_t k = 0; k < seqK; ++k) {
      row[k] = causal && k > q ? -INFINITY : row[k] * scale;
      max = std::max(max, row[k]);
    }
    double sum = 0;
    for (int64_t k = 0; k < seqK; ++k)
      sum += row[k] = std::exp(row[k] - max);
    for (int64_t k = 0; k < seqK; ++k)
      row[k] /= sum;
  }
  TensorView weights =
      TensorView::contiguous(s.data(), DType::F64, scores->shape);
  return evaluateReference(*outputSpec, {weights, value});
}
