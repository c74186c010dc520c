//===- TensorView.h - A view of caller memory -------------------*- C++ -*-===//

#ifndef EINSUM_SUPPORT_TENSORVIEW_H
#define EINSUM_SUPPORT_TENSORVIEW_H

#include "Einsum/Support/DType.h"

#include <cstdint>
#include <vector>

namespace einsum {

/// A read-only view of caller memory: element type, shape, and strides in
/// elements (any sign, 0 for broadcast; empty means row-major contiguous).
/// The number of elements of `shape`: 0 if any size is 0, whatever the
/// others (a product in shape order would overflow on (2^32, 2^32, 0)); else
/// the product, which the caller has bounded (bindSpec: at most 2^60).
int64_t numElementsOf(const std::vector<int64_t> &shape);

struct TensorView {
  const void *data = nullptr;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;

  /// Row-major strides of `shape` (all 0 for an empty tensor, which has
  /// no element to address).
  static std::vector<int64_t>
  contiguousStrides(const std::vector<int64_t> &shape);
  static TensorView contiguous(const void *data, DType dtype,
                               std::vector<int64_t> shape);
  int64_t numElements() const;
  /// The strides, contiguous ones if none were given.
  std::vector<int64_t> effectiveStrides() const;
  bool isContiguous() const;
};

/// A writable view: the output of a kernel.
struct OutputView {
  void *data = nullptr;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  /// If non-zero, the size of the buffer at `data`: a run fails rather than
  /// write outside it. (With negative strides, `data` is the first element
  /// and the buffer is assumed to start at the lowest address written.)
  size_t capacityBytes = 0;

  static OutputView contiguous(void *data, DType dtype,
                               std::vector<int64_t> shape);
  TensorView asInput() const {
    return TensorView{data, dtype, shape, strides};
  }
};

} // namespace einsum

#endif // EINSUM_SUPPORT_TENSORVIEW_H
