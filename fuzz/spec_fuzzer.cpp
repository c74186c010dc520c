//===- spec_fuzzer.cpp - Fuzz the spec language and the planner -----------===//
//
// Input: an einsum spec, then (after a NUL byte) bytes giving operand sizes.
// Properties checked (abort on violation):
//   * parseSpec never crashes; an error has a message and in-range carets;
//   * a parsed spec prints canonically, and the canonical text parses back to
//     an equal spec (round trip);
//   * bindSpec on sizes derived from the input never crashes; a binding has
//     one loop dim per label (and '...' dim) and the output shape agrees;
//   * planContraction (with and without a small memory limit) returns steps
//     that each bind, that use every value once, and end in the output.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Path/ContractionPath.h"
#include "Einsum/Spec/Spec.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace einsum;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "spec_fuzzer: check failed: %s\n", #cond);          \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

static void checkPath(const Spec &spec, const Binding &binding,
                      const std::vector<std::vector<int64_t>> &shapes,
                      double limit) {
  PathOptions options;
  options.memoryLimit = limit;
  ContractionPath path = planContraction(spec, binding, options);
  CHECK(!path.steps.empty());
  std::vector<std::vector<int64_t>> values = shapes;
  // Sliced steps see chunked sizes: apply the slices to the operands.
  for (size_t i = 0; i < shapes.size(); ++i)
    for (size_t axis = 0; axis < shapes[i].size(); ++axis)
      for (const PathSlice &slice : path.slices)
        if (binding.inputDims[i][axis] == int64_t(slice.dim)) {
          CHECK(slice.chunk >= 1 && slice.size % slice.chunk == 0);
          values[i][axis] = slice.chunk;
        }
  std::vector<int> uses(shapes.size() + path.steps.size(), 0);
  for (const ContractionStep &step : path.steps) {
    std::vector<std::vector<int64_t>> stepShapes;
    for (size_t value : step.inputs) {
      CHECK(value < values.size());
      ++uses[value];
      stepShapes.push_back(values[value]);
    }
    SpecResult<Binding> bound = bindSpec(step.spec, stepShapes);
    CHECK(bound);
    values.push_back(bound->outputShape());
  }
  for (size_t v = 0; v + 1 < uses.size(); ++v)
    CHECK(uses[v] == 1);
  // The limit holds for every plan (the single loop nest needs nothing).
  CHECK(limit <= 0 || path.largestIntermediate <= limit);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string input(reinterpret_cast<const char *>(data), size);
  size_t nul = input.find('\0');
  std::string text = input.substr(0, nul);
  std::string sizes = nul == std::string::npos ? "" : input.substr(nul + 1);
  if (text.size() > 4096)
    return 0;

  for (Notation notation :
       {Notation::Auto, Notation::Compact, Notation::Named}) {
    SpecResult<Spec> spec = parseSpec(text, notation);
    if (!spec) {
      CHECK(!spec.error().message.empty());
      for (size_t position : spec.error().positions)
        CHECK(position <= text.size());
      (void)spec.error().render(text);
      continue;
    }
    std::string canonical = spec->str();
    SpecResult<Spec> again =
        parseSpec(canonical,
                  notation == Notation::Auto ? Notation::Auto : spec->notation);
    CHECK(again);
    CHECK(*again == *spec);
    CHECK(again->str() == canonical);

    // Shapes: each label and '...' dim gets a size from the input bytes
    // (0-4); a byte of 0xff makes an operand's '...' dim 1 (broadcast).
    size_t next = 0;
    auto byte = [&]() -> unsigned {
      return next < sizes.size() ? static_cast<unsigned char>(sizes[next++])
                                 : 2;
    };
    std::vector<int64_t> labelSize(spec->labels.size());
    for (int64_t &s : labelSize)
      s = byte() % 5;
    size_t ellipsisRank = byte() % 3;
    std::vector<std::vector<int64_t>> shapes;
    for (const Term &term : spec->inputs) {
      std::vector<int64_t> shape;
      for (const Subscript &sub : term.subscripts) {
        if (!sub.isEllipsis()) {
          shape.push_back(labelSize[sub.label]);
          continue;
        }
        for (size_t d = 0; d < ellipsisRank; ++d)
          shape.push_back(byte() == 0xff ? 1 : 3);
      }
      shapes.push_back(shape);
    }
    SpecResult<Binding> binding = bindSpec(*spec, shapes);
    if (!binding) {
      CHECK(!binding.error().message.empty());
      (void)binding.error().render(canonical);
      continue;
    }
    CHECK(binding->numFree <= binding->numDims());
    CHECK(binding->inputDims.size() == shapes.size());
    (void)describeLoopNest(*spec, *binding);
    if (spec->inputs.size() <= 12) {
      checkPath(*spec, *binding, shapes, 0);
      checkPath(*spec, *binding, shapes, double(byte() % 64 + 1));
    }
  }
  return 0;
}
