//===- Workspace.h - Scratch memory for compiled kernels --------*- C++ -*-===//
//
// Kernels allocate scratch buffers (packed operands, padded accumulators)
// through MLIR's generic allocation functions; the JIT binds those to this
// allocator, which keeps freed blocks in a small per-thread cache so that
// repeated calls reuse warm, already-mapped memory instead of paying page
// faults each time. Blocks are 64-byte aligned. Each thread keeps at most
// kMaxCachedBlocks blocks and kMaxCachedBytes bytes; the rest is freed.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_LIB_RUNTIME_WORKSPACE_H
#define EINSUM_LIB_RUNTIME_WORKSPACE_H

#include <cstddef>
#include <cstdint>

namespace einsum {
namespace workspace {

inline constexpr size_t kMaxCachedBlocks = 16;
inline constexpr size_t kMaxCachedBytes = size_t(1) << 30;

/// The three functions kernels call (C calling convention; names are bound
/// by the JIT to _mlir_memref_to_llvm_{alloc,aligned_alloc,free}).
void *allocate(uint64_t size);
void *allocateAligned(uint64_t alignment, uint64_t size);
void release(void *pointer);

/// The most scratch memory kernels held at once (all threads) since the
/// last resetPeak().
size_t peakBytes();
void resetPeak();

} // namespace workspace
} // namespace einsum

#endif // EINSUM_LIB_RUNTIME_WORKSPACE_H
