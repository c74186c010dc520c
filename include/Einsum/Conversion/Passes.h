//===- Passes.h - Einsum conversion passes ----------------------*- C++ -*-===//

#ifndef EINSUM_CONVERSION_PASSES_H
#define EINSUM_CONVERSION_PASSES_H

#include "Einsum/Conversion/EinsumToLinalg/EinsumToLinalg.h"
#include "mlir/Pass/Pass.h"

namespace einsum {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "Einsum/Conversion/Passes.h.inc"

} // namespace einsum

#endif // EINSUM_CONVERSION_PASSES_H
