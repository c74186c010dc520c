//===- TensorView.cpp - A view of caller memory ---------------------------===//

#include "Einsum/Support/TensorView.h"

using namespace einsum;

int64_t einsum::numElementsOf(const std::vector<int64_t> &shape) {
  for (int64_t size : shape)
    if (size == 0)
      return 0;
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

std::vector<int64_t>
TensorView::contiguousStrides(const std::vector<int64_t> &shape) {
  if (numElementsOf(shape) == 0)
    return std::vector<int64_t>(shape.size(), 0);
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  return strides;
}

TensorView TensorView::contiguous(const void *data, DType dtype,
                                  std::vector<int64_t> shape) {
  TensorView view;
  view.data = data;
  view.dtype = dtype;
  view.strides = contiguousStrides(shape);
  view.shape = std::move(shape);
  return view;
}

int64_t TensorView::numElements() const { return numElementsOf(shape); }

std::vector<int64_t> TensorView::effectiveStrides() const {
  return strides.empty() ? contiguousStrides(shape) : strides;
}

bool TensorView::isContiguous() const {
  // An empty tensor addresses no element: any strides will do.
  if (strides.empty() || numElements() == 0)
    return true;
  if (strides.size() != shape.size())
    return false;
  std::vector<int64_t> expected = contiguousStrides(shape);
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1 && strides[i] != expected[i])
      return false;
  return true;
}

OutputView OutputView::contiguous(void *data, DType dtype,
                                  std::vector<int64_t> shape) {
  OutputView view;
  view.data = data;
  view.dtype = dtype;
  view.strides = TensorView::contiguousStrides(shape);
  view.shape = std::move(shape);
  return view;
}
