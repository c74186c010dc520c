//===- EinsumDialect.cpp - The einsum dialect -----------------------------===//

#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Dialect/Einsum/EinsumAttrs.h"
#include "Einsum/Dialect/Einsum/EinsumOps.h"


using namespace mlir;
using namespace einsum;

#include "Einsum/Dialect/Einsum/EinsumOpsDialect.cpp.inc"

void EinsumDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "Einsum/Dialect/Einsum/EinsumOps.cpp.inc"
      >();
}
