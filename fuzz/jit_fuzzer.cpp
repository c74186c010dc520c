//===- jit_fuzzer.cpp - Fuzz the JIT entry --------------------------------===//
//
// Input bytes choose an einsum over up to 5 labels (1-3 operands, repeated
// labels, sometimes '...' and an implicit output), sizes 0-4, an element
// type, for each operand a view inside a larger buffer (permuted axes,
// padding, negative strides), static or dynamic-shape kernels, a memory
// limit that forces slicing, and a contiguous or strided output view. The
// kernel must either return an error or compute what the reference
// evaluator computes; a wrong answer aborts.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Reference/Reference.h"
#include "Einsum/Runtime/JIT.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace einsum;

namespace {
/// Reads choices from the input bytes, front to back; zeros once they run
/// out. (Like libFuzzer's FuzzedDataProvider, which the g++ build lacks.)
class FuzzedDataProvider {
public:
  FuzzedDataProvider(const uint8_t *data, size_t size)
      : data(data), size(size) {}
  template <typename T> T ConsumeIntegralInRange(T lo, T hi) {
    uint64_t span = uint64_t(hi - lo) + 1;
    uint64_t value = 0;
    for (uint64_t reach = 1; reach < span && reach != 0; reach <<= 8)
      value = (value << 8) | next();
    return T(lo + T(value % span));
  }
  bool ConsumeBool() { return next() & 1; }

private:
  uint8_t next() { return offset < size ? data[offset++] : 0; }
  const uint8_t *data;
  size_t size;
  size_t offset = 0;
};
} // namespace

/// A view of `shape` inside a buffer: axes in a chosen memory order, each
/// axis padded, some reversed.
struct FuzzedView {
  std::vector<char> buffer;
  TensorView view;
};

static FuzzedView makeView(FuzzedDataProvider &fdp, DType dtype,
                           const std::vector<int64_t> &shape) {
  size_t rank = shape.size();
  std::vector<size_t> order(rank);
  for (size_t i = 0; i < rank; ++i)
    order[i] = i;
  for (size_t i = rank; i > 1; --i)
    std::swap(order[i - 1],
              order[fdp.ConsumeIntegralInRange<size_t>(0, i - 1)]);
  std::vector<int64_t> strides(rank);
  int64_t stride = 1;
  for (size_t k = rank; k-- > 0;) {
    size_t axis = order[k];
    strides[axis] = stride;
    stride *= shape[axis] + fdp.ConsumeIntegralInRange<int64_t>(0, 2);
  }
  FuzzedView result;
  size_t elements = size_t(std::max<int64_t>(stride, 1));
  result.buffer.assign(elements * dtypeSize(dtype), 0);
  for (size_t i = 0; i < elements; ++i) {
    double value = fdp.ConsumeIntegralInRange<int>(-4, 4);
    if (isFloat(dtype))
      storeDouble(result.buffer.data(), dtype, int64_t(i), value);
    else
      storeInt(result.buffer.data(), dtype, int64_t(i), int64_t(value));
  }
  // Reverse some axes: start at their last element, negative stride.
  int64_t offset = 0;
  for (size_t axis = 0; axis < rank; ++axis)
    if (shape[axis] > 1 && fdp.ConsumeBool()) {
      offset += (shape[axis] - 1) * strides[axis];
      strides[axis] = -strides[axis];
    }
  result.view.data = result.buffer.data() + offset * int64_t(dtypeSize(dtype));
  result.view.dtype = dtype;
  result.view.shape = shape;
  result.view.strides = strides;
  return result;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const char labels[] = "abcde";
  std::vector<int64_t> labelSize(5);
  for (int64_t &s : labelSize)
    s = fdp.ConsumeIntegralInRange<int64_t>(0, 4);
  int ellipsisRank = fdp.ConsumeIntegralInRange<int>(0, 2);
  std::string spec;
  std::vector<std::vector<int64_t>> shapes;
  int operands = fdp.ConsumeIntegralInRange<int>(1, 3);
  for (int op = 0; op < operands; ++op) {
    spec += op ? "," : "";
    shapes.emplace_back();
    int rank = fdp.ConsumeIntegralInRange<int>(0, 3);
    bool ellipsis = ellipsisRank && fdp.ConsumeBool();
    for (int axis = 0; axis < rank; ++axis) {
      int label = fdp.ConsumeIntegralInRange<int>(0, 4);
      spec += labels[label];
      shapes.back().push_back(labelSize[label]);
    }
    if (ellipsis) {
      spec += "...";
      for (int d = 0; d < ellipsisRank; ++d)
        shapes.back().push_back(fdp.ConsumeBool() ? 1 : 2);
    }
  }
  if (fdp.ConsumeBool()) {
    spec += "->";
    if (spec.find("...") != std::string::npos)
      spec += "...";
    for (int label = 0; label < 5; ++label)
      if (spec.find(labels[label]) != std::string::npos && fdp.ConsumeBool())
        spec += labels[label];
  }
  const DType dtypes[] = {DType::F32, DType::F64, DType::I32, DType::I64};
  DType dtype = dtypes[fdp.ConsumeIntegralInRange<int>(0, 3)];

  std::vector<FuzzedView> views;
  std::vector<TensorView> inputs;
  for (const std::vector<int64_t> &shape : shapes) {
    views.push_back(makeView(fdp, dtype, shape));
    inputs.push_back(views.back().view);
  }
  SpecResult<Spec> parsed = parseSpec(spec);
  if (!parsed)
    std::abort(); // the generator only writes valid syntax
  SpecResult<ReferenceResult> reference = evaluateReference(*parsed, inputs);

  KernelOptions options;
  options.pipeline.path.memoryLimit = fdp.ConsumeBool() ? 4 : 0;
  options.dynamicShapes = fdp.ConsumeIntegralInRange<int>(0, 3) == 0;
  options.stridedOutput = fdp.ConsumeBool();
  auto kernel =
      Compiler::global().getKernel(spec, operandTypesOf(inputs), options);
  if (std::getenv("EINSUM_FUZZ_VERBOSE"))
    std::fprintf(stderr, "jit_fuzzer: %s\n", spec.c_str());
  if (!kernel) {
    std::string error = llvm::toString(kernel.takeError());
    // What binds must compile, but for the documented limits: dynamic
    // kernels do not broadcast '...' dims.
    bool documented =
        error.find("a kernel for dynamic shapes does not") != std::string::npos;
    if (reference && !documented) {
      std::fprintf(stderr, "jit_fuzzer: %s binds but does not compile: %s\n",
                   spec.c_str(), error.c_str());
      std::abort();
    }
    return 0;
  }
  if (!reference)
    std::abort(); // compiled what does not bind
  // The output: contiguous, or (strided kernels) a permuted, padded view
  // inside a larger buffer, gathered back to row-major for the comparison.
  const std::vector<int64_t> &shape = reference->shape;
  FuzzedView outView = makeView(fdp, dtype, shape);
  if (!options.stridedOutput) {
    outView.buffer.assign(reference->values.size() * dtypeSize(dtype) + 64, 0);
    outView.view = TensorView::contiguous(outView.buffer.data(), dtype, shape);
  } else {
    // No reversed axes: capacityBytes counts from the view's first element.
    std::vector<int64_t> strides = outView.view.strides;
    for (int64_t &stride : strides)
      stride = std::abs(stride);
    outView.view.strides = strides;
    outView.view.data = outView.buffer.data();
  }
  OutputView output;
  output.data = const_cast<void *>(outView.view.data);
  output.dtype = dtype;
  output.shape = shape;
  output.strides = outView.view.strides;
  output.capacityBytes = outView.buffer.size();
  std::vector<char> out(reference->values.size() * dtypeSize(dtype) + 64);
  auto gather = [&] {
    std::vector<int64_t> strides = outView.view.effectiveStrides();
    int64_t count = int64_t(reference->values.size());
    for (int64_t flat = 0; flat < count; ++flat) {
      int64_t offset = 0, rest = flat;
      for (size_t axis = shape.size(); axis-- > 0;) {
        offset += (rest % shape[axis]) * strides[axis];
        rest /= shape[axis];
      }
      std::memcpy(out.data() + flat * int64_t(dtypeSize(dtype)),
                  static_cast<const char *>(outView.view.data) +
                      offset * int64_t(dtypeSize(dtype)),
                  dtypeSize(dtype));
    }
  };
  if (llvm::Error error = (*kernel)->run(inputs, output)) {
    std::fprintf(stderr, "jit_fuzzer: %s: %s\n", spec.c_str(),
                 llvm::toString(std::move(error)).c_str());
    std::abort();
  }
  gather();
  Comparison c = compareToReference(*reference, out.data(), dtype,
                                    defaultTolerance(dtype));
  if (!c.withinTolerance) {
    std::fprintf(stderr,
                 "jit_fuzzer: %s differs from the reference (%g) at "
                 "element %lld; dtype %s, memory limit %g, dynamic %d, "
                 "strided output %d (strides %s)\n",
                 spec.c_str(), c.maxRelativeError, (long long)c.worstIndex,
                 std::string(dtypeName(dtype)).c_str(),
                 options.pipeline.path.memoryLimit, options.dynamicShapes,
                 options.stridedOutput,
                 shapeString(outView.view.strides).c_str());
    for (const TensorView &view : inputs)
      std::fprintf(stderr, "  operand shape %s strides %s\n",
                   shapeString(view.shape).c_str(),
                   shapeString(view.strides).c_str());
    std::abort();
  }
  return 0;
}
