//===- EinsumDialect.h - The einsum dialect ---------------------*- C++ -*-===//

#ifndef EINSUM_DIALECT_EINSUM_EINSUMDIALECT_H
#define EINSUM_DIALECT_EINSUM_EINSUMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "Einsum/Dialect/Einsum/EinsumOpsDialect.h.inc"

#endif // EINSUM_DIALECT_EINSUM_EINSUMDIALECT_H
