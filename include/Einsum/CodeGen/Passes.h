//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//

#ifndef EINSUM_CODEGEN_PASSES_H
#define EINSUM_CODEGEN_PASSES_H

#include "Einsum/CodeGen/Pipeline.h"
#include "Einsum/CodeGen/TilePlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace einsum {

/// Name of the attribute einsum-cpu-tile puts on register tiles: the vector
/// size of each loop dim.
inline constexpr const char *kVectorSizesAttrName = "einsum.vector_sizes";

/// Name of the unit attribute einsum-cpu-layout puts on the copy of a row
/// operand (its summed axes moved innermost), to tell it from the panel
/// packing copies.
inline constexpr const char *kRowPackAttrName = "einsum.row_pack";

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "Einsum/CodeGen/Passes.h.inc"

} // namespace einsum

#endif // EINSUM_CODEGEN_PASSES_H
