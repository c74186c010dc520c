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

#define GET_OP_CLASSES
#include "Einsum/Dialect/Einsum/EinsumOps.h.inc"

#endif // EINSUM_DIALECT_EINSUM_EINSUMOPS_H
