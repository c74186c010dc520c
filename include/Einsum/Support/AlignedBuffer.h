//===- AlignedBuffer.h - Cache-line aligned memory --------------*- C++ -*-===//
//
// An owning, zero-initialised byte buffer aligned to 64 bytes, so that the
// 512-bit vector loads of compiled kernels never split cache lines.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_SUPPORT_ALIGNEDBUFFER_H
#define EINSUM_SUPPORT_ALIGNEDBUFFER_H

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace einsum {

class AlignedBuffer {
public:
  static constexpr size_t kAlignment = 64;

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) : size_(bytes) {
    // aligned_alloc needs a multiple of the alignment, and non-zero.
    size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    data_.reset(static_cast<char *>(
        std::aligned_alloc(kAlignment, rounded ? rounded : kAlignment)));
    if (data_)
      std::memset(data_.get(), 0, rounded ? rounded : kAlignment);
  }

  char *data() { return data_.get(); }
  const char *data() const { return data_.get(); }
  size_t size() const { return size_; }
  /// False if the allocation failed.
  explicit operator bool() const { return data_ != nullptr; }

private:
  struct Free {
    void operator()(char *p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> data_;
  size_t size_ = 0;
};

} // namespace einsum

#endif // EINSUM_SUPPORT_ALIGNEDBUFFER_H
