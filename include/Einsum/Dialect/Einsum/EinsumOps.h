//===- EinsumOps.h - Einsum dialect operations ------------------*- C++ -*-===//

#ifndef EINSUM_DIALECT_EINSUM_EINSUMOPS_H
#define EINSUM_DIALECT_EINSUM_EINSUMOPS_H

#include "Einsum/Dialect/Einsum/EinsumAttrs.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Spec/Spec.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace einsum {

/// True for the element types einsum ops take and the pipeline lowers:
/// f16, bf16, f32, f64 and signless i8, i16, i32, i64.
bool isSupportedElementType(mlir::Type type);

/// The value an einsum's accumulator starts from, as in NumPy's einsum:
/// with summation indices 0 (NumPy's sums start at +0.0), without -0.0 for
/// floats (x + -0.0 is x for every x, -0.0 included: each output element,
/// a single product, is copied exactly, its sign of zero kept).
mlir::TypedAttr getAccumulatorInit(mlir::Type type, bool sums);

} // namespace einsum

#define GET_OP_CLASSES
#include "Einsum/Dialect/Einsum/EinsumOps.h.inc"

#endif // EINSUM_DIALECT_EINSUM_EINSUMOPS_H
