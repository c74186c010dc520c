//===- EinsumAttrs.h - Einsum dialect attributes ----------------*- C++ -*-===//

#ifndef EINSUM_DIALECT_EINSUM_EINSUMATTRS_H
#define EINSUM_DIALECT_EINSUM_EINSUMATTRS_H

#include "Einsum/Spec/Spec.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

#define GET_ATTRDEF_CLASSES
#include "Einsum/Dialect/Einsum/EinsumAttrs.h.inc"

#endif // EINSUM_DIALECT_EINSUM_EINSUMATTRS_H
