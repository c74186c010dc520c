//===- Passes.h - Einsum-level transforms -----------------------*- C++ -*-===//

#ifndef EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_H
#define EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace einsum {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "Einsum/Dialect/Einsum/Transforms/Passes.h.inc"

} // namespace einsum

#endif // EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_H
