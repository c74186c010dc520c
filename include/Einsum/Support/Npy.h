//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reading and writing NumPy's .npy format (versions 1-3) for the element
// types einsum supports. Errors are one-line messages naming the file and
// the problem (quoted file contents cut short and escaped). No MLIR
// dependency.
//
// Reading checks the header before any data is read: the file must be a
// regular file, the header dict must parse as NumPy's literal_eval would
// read it (either quote style, the last of duplicate keys wins, exactly the
// keys descr, fortran_order and shape) and the file must hold the data the
// shape needs. The caller sizes its buffer from the header, and the data is
// read once, straight into it.
//
// Writing never damages what is there: a regular file (or a symlink to
// one) is replaced atomically by a temporary file created exclusively in
// the same directory and renamed into place; a file that is not a regular
// file (a device such as /dev/null, a FIFO) is written in place; a
// directory is refused. The temporary file is removed on failure and, with
// installNpySignalCleanup(), on SIGINT, SIGTERM and SIGHUP.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_SUPPORT_NPY_H
#define EINSUM_SUPPORT_NPY_H

#include "Einsum/Support/DType.h"

#include <cstddef>
#include <string>
#include <vector>

namespace einsum {

/// The largest header read (NumPy's own default limit for np.load).
inline constexpr size_t kMaxNpyHeaderBytes = 10000;

/// What a .npy header says of its array.
struct NpyHeader {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  bool fortranOrder = false;
  /// Byte offset of the data in the file.
  size_t dataOffset = 0;

  int64_t numElements() const;
  size_t dataBytes() const { return size_t(numElements()) * dtypeSize(dtype); }
};

/// An array read from a .npy file: row-major data of `dtype`.
struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
};

/// Parses the magic, version and header dict at the start of a .npy image
/// of `size` bytes (`name` is used in messages). Does not look at the data.
bool parseNpyHeader(const char *bytes, size_t size, const std::string &name,
                    NpyHeader &header, std::string &error);

/// Reads the header of the file `path` and checks that the file holds the
/// data its shape needs; reads at most the header's bytes.
bool readNpyHeader(const std::string &path, NpyHeader &header,
                   std::string &error);

/// Reads the data of `path`, whose header is `header`, into `data` (which
/// holds header.dataBytes() bytes), converting Fortran order to row-major.
bool readNpyData(const std::string &path, const NpyHeader &header, void *data,
                 std::string &error);

/// Reads `path` whole. On failure returns false and sets `error`.
/// Fortran-ordered arrays are converted to row-major; big-endian data is
/// rejected.
bool readNpy(const std::string &path, NpyArray &array, std::string &error);

/// Parses a .npy image already in memory (`name` is used in messages).
bool parseNpy(const char *bytes, size_t size, const std::string &name,
              NpyArray &array, std::string &error);

/// Writes `bytes` bytes of row-major `dtype` data of `shape` to `path` (see
/// above for what happens to what is there). bf16 has no NumPy type and is
/// rejected.
bool writeNpy(const std::string &path, DType dtype,
              const std::vector<int64_t> &shape, const void *data, size_t bytes,
              std::string &error);
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

/// Makes SIGINT, SIGTERM and SIGHUP remove the temporary file of a
/// writeNpy in progress before the process dies of the signal.
void installNpySignalCleanup();

} // namespace einsum

#endif // EINSUM_SUPPORT_NPY_H
