//===- LowerCopies.cpp - einsum-cpu-lower-copies --------------------------===//
//
// memref.copy -> linalg.copy, so copies become loops in the kernel instead of
// calls into MLIR's runner-utils library.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPULOWERCOPIES
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

namespace {
struct EinsumCPULowerCopiesPass
    : einsum::impl::EinsumCPULowerCopiesBase<EinsumCPULowerCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
