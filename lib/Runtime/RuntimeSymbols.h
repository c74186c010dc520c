//===- RuntimeSymbols.h - Functions the JIT binds for kernels ---*- C++ -*-===//
//
// Compiled kernels call a few functions the JIT provides rather than a
// system library: the scratch allocator (Workspace.h), and the half-float
// conversions LLVM emits as calls on CPUs without the instructions for
// them (f32 -> bf16 without AVX512-BF16; f16 <-> f32 without F16C), which
// compiler-rt would provide to a linked program but nothing provides to the
// JIT.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_LIB_RUNTIME_RUNTIMESYMBOLS_H
#define EINSUM_LIB_RUNTIME_RUNTIMESYMBOLS_H

#include "llvm/ADT/ArrayRef.h"

namespace einsum {

struct RuntimeSymbol {
  const char *name;
  void *address;
};

/// Every function the JIT binds for compiled kernels, by symbol name.
llvm::ArrayRef<RuntimeSymbol> runtimeSymbols();

} // namespace einsum

#endif // EINSUM_LIB_RUNTIME_RUNTIMESYMBOLS_H
