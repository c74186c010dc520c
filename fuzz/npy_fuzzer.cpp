//===- npy_fuzzer.cpp - Fuzz the .npy reader ------------------------------===//
//
// Any byte string: parseNpy either fails with a message or returns an array
// whose data size is exactly its element count times the element size.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Support/Npy.h"

#include <cstdio>
#include <cstdlib>

using namespace einsum;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  NpyArray array;
  std::string error;
  if (!parseNpy(reinterpret_cast<const char *>(data), size, "fuzz.npy", array,
                error)) {
    if (error.empty())
      std::abort();
    return 0;
  }
  int64_t count = array.numElements();
  if (count < 0 || array.data.size() != size_t(count) * dtypeSize(array.dtype))
    std::abort();
  return 0;
}
