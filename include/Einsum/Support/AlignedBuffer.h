//===- AlignedBuffer.h - Cache-line aligned memory --------------*- C++ -*-===//
//
// An owning, zero-initialised byte buffer aligned to 64 bytes, so that the
// 512-bit vector loads of compiled kernels never split cache lines. Large
// buffers (4 MiB and up) are aligned to 2 MiB and, on Linux, advised to use
// transparent huge pages, as NumPy does for its arrays: strided walks
// (a diagonal, a transpose) then miss the TLB once per 2 MiB, not per 4 KiB.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_SUPPORT_ALIGNEDBUFFER_H
#define EINSUM_SUPPORT_ALIGNEDBUFFER_H

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace einsum {

class AlignedBuffer {
public:
  static constexpr size_t kAlignment = 64;
  static constexpr size_t kHugePage = size_t(2) << 20;
  static constexpr size_t kHugeThreshold = size_t(4) << 20;

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) : size_(bytes) {
    // aligned_alloc needs a multiple of the alignment, and non-zero.
    size_t alignment = bytes >= kHugeThreshold ? kHugePage : kAlignment;
    size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    if (!rounded)
      rounded = alignment;
    data_.reset(static_cast<char *>(std::aligned_alloc(alignment, rounded)));
    if (!data_)
      return;
#ifdef __linux__
    // Advice only: without huge pages the buffer works the same.
    if (alignment == kHugePage)
      (void)madvise(data_.get(), rounded, MADV_HUGEPAGE);
#endif
    std::memset(data_.get(), 0, rounded);
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
