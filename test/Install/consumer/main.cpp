// Computes a matrix product through the installed library and checks it.
#include "Einsum/Runtime/JIT.h"

#include <cstdio>
#include <vector>

int main() {
  std::vector<float> a = {1, 2, 3, 4, 5, 6}; // 2x3
  std::vector<float> b = {1, 0, 0, 1, 1, 1}; // 3x2
  std::vector<float> c(4);
  llvm::Error error = einsum::einsum(
      "ij,jk->ik",
      {einsum::TensorView::contiguous(a.data(), einsum::DType::F32, {2, 3}),
       einsum::TensorView::contiguous(b.data(), einsum::DType::F32, {3, 2})},
      einsum::OutputView::contiguous(c.data(), einsum::DType::F32, {2, 2}));
  if (error) {
    std::fprintf(stderr, "error: %s\n", llvm::toString(std::move(error)).c_str());
    return 1;
  }
  bool ok = c == std::vector<float>{4, 5, 10, 11};
  std::printf("consumer: %g %g %g %g: %s\n", c[0], c[1], c[2], c[3],
              ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
