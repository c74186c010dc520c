//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reading and writing NumPy's .npy format (versions 1-3) for the element
// types einsum supports. Errors are one-line messages naming the file and
// the problem; a write goes to a temporary file renamed into place, so a
// failed write never leaves a partial file. No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_SUPPORT_NPY_H
#define EINSUM_SUPPORT_NPY_H

#include "Einsum/Support/DType.h"

#include <string>
#include <vector>

namespace einsum {

/// An array read from a .npy file: row-major data of `dtype`.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
};

/// Reads `path`. On failure returns false and sets `error`. Fortran-ordered
/// arrays are converted to row-major; big-endian data is rejected.
bool readNpy(const std::string &path, NpyArray &array, std::string &error);

/// Parses a .npy image already in memory (`name` is used in messages).
bool parseNpy(const char *bytes, size_t size, const std::string &name,
              NpyArray &array, std::string &error);

/// Writes `array` to `path` atomically. bf16 has no NumPy type and is
/// rejected.
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

} // namespace einsum

#endif // EINSUM_SUPPORT_NPY_H
