//===- Workspace.cpp - Scratch memory for compiled kernels ----------------===//

#include "Workspace.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

using namespace einsum;

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kHugeThreshold = size_t(4) << 20;

/// Every block starts with this header, one alignment unit long; the caller
/// gets the memory after it.
struct Header {
  size_t capacity; // usable bytes after the header
  size_t offset;   // from the allocation start to the user pointer
};
constexpr size_t kAlignment = 64;

struct Block {
  char *user;
  size_t capacity;
};

/// Freed blocks of this thread, reused by later allocations.
class Cache {
public:
  ~Cache() {
    for (Block &block : blocks)
      freeBlock(block.user);
  }

  char *take(size_t size) {
    // The smallest cached block that fits without wasting more than half.
    auto best = blocks.end();
    for (auto it = blocks.begin(); it != blocks.end(); ++it)
      if (it->capacity >= size && it->capacity / 2 <= size &&
          (best == blocks.end() || it->capacity < best->capacity))
        best = it;
    if (best == blocks.end())
      return nullptr;
    char *user = best->user;
    bytes -= best->capacity;
    blocks.erase(best);
    return user;
  }

  void give(char *user) {
    size_t capacity = header(user)->capacity;
    if (capacity > workspace::kMaxCachedBytes) {
      freeBlock(user);
      return;
    }
    blocks.push_back({user, capacity});
    bytes += capacity;
    // Evict the oldest blocks beyond the limits.
    while (blocks.size() > workspace::kMaxCachedBlocks ||
           bytes > workspace::kMaxCachedBytes) {
      bytes -= blocks.front().capacity;
      freeBlock(blocks.front().user);
      blocks.erase(blocks.begin());
    }
  }

  static Header *header(char *user) {
    return reinterpret_cast<Header *>(user - kAlignment);
  }
  static void freeBlock(char *user) { std::free(user - header(user)->offset); }

private:
  std::vector<Block> blocks;
  size_t bytes = 0;
};

thread_local Cache cache;

char *allocateBlock(size_t alignment, size_t size) {
  alignment = std::max(alignment, kAlignment);
  size_t capacity = (size + kAlignment - 1) / kAlignment * kAlignment;
  if (char *user = cache.take(capacity)) {
    if (reinterpret_cast<uintptr_t>(user) % alignment == 0)
      return user;
    cache.give(user); // not aligned enough for this request
  }
  // Room for the header before an aligned user pointer.
  size_t total = capacity + alignment + kAlignment;
  // Large blocks (packed operands, intermediates) on transparent huge
  // pages, as AlignedBuffer does for einsum-run's arrays.
  size_t baseAlignment = total >= kHugeThreshold ? kHugePage : kAlignment;
  size_t bytes = (total + baseAlignment - 1) / baseAlignment * baseAlignment;
  char *base = static_cast<char *>(std::aligned_alloc(baseAlignment, bytes));
  if (!base)
    return nullptr;
#ifdef __linux__
  if (baseAlignment == kHugePage)
    (void)madvise(base, bytes, MADV_HUGEPAGE);
#endif
  uintptr_t first = reinterpret_cast<uintptr_t>(base) + kAlignment;
  uintptr_t aligned = (first + alignment - 1) / alignment * alignment;
  char *user = reinterpret_cast<char *>(aligned);
  Header *h = Cache::header(user);
  h->capacity = capacity;
  h->offset = size_t(user - base);
  return user;
}
} // namespace

/// Bytes of scratch held by kernels now, and the most ever held since the
/// last resetPeak(), over all threads.
static std::atomic<int64_t> inUse{0};
static std::atomic<int64_t> peak{0};

static char *track(char *user) {
  if (!user)
    return user;
  int64_t now = inUse += int64_t(Cache::header(user)->capacity);
  int64_t seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now))
    ;
  return user;
}

void *workspace::allocate(uint64_t size) {
  return track(allocateBlock(kAlignment, size));
}

void *workspace::allocateAligned(uint64_t alignment, uint64_t size) {
  return track(allocateBlock(alignment, size));
}

void workspace::release(void *pointer) {
  if (!pointer)
    return;
  inUse -= int64_t(Cache::header(static_cast<char *>(pointer))->capacity);
  cache.give(static_cast<char *>(pointer));
}

size_t workspace::peakBytes() { return size_t(std::max<int64_t>(peak, 0)); }

void workspace::resetPeak() { peak = inUse.load(); }
