//===- StreamingStores.cpp - einsum-cpu-streaming-stores ------------------===//
//
// Non-temporal stores for outputs that are only written and much larger
// than the caches; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPUSTREAMINGSTORES
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// The buffer a memref value is a view of: a function argument or an
/// allocation.
static Value rootBuffer(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(op);
    if (!view)
      break;
    value = view.getViewSource();
  }
  return value;
}

/// True if the kernel only writes `buffer` (the output of a transpose, an
/// outer product, a GEMM with one K tile): every use, through views, is a
/// store, a copy into it, a fill, its return or its deallocation.
static bool isWriteOnly(Value buffer) {
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == value) {
          worklist.push_back(view->getResult(0));
          continue;
        }
      }
      if (auto store = dyn_cast<vector::StoreOp>(user);
          store && store.getBase() == value)
        continue;
      if (auto store = dyn_cast<memref::StoreOp>(user);
          store && store.getMemRef() == value)
        continue;
      if (auto copy = dyn_cast<memref::CopyOp>(user);
          copy && copy.getTarget() == value)
        continue;
      if (auto fill = dyn_cast<linalg::FillOp>(user);
          fill && llvm::is_contained(fill.getOutputs(), value))
        continue;
      if (isa<func::ReturnOp, memref::DeallocOp>(user))
        continue;
      return false;
    }
  }
  return true;
}

/// Marks full-cache-line vector stores into a large write-only output
/// argument non-temporal: they bypass the caches instead of reading every
/// line before overwriting it (a 64 MiB outer product: 5 -> 15 GB/s).
/// LLVM emits vmovntps where the address is known to be aligned and
/// movnti (no alignment needed) otherwise.
static void markStreamingStores(func::FuncOp func, int64_t minBytes) {
  llvm::DenseMap<Value, bool> streamed;
  func.walk([&](vector::StoreOp store) {
    VectorType vector = store.getVectorType();
    if (vector.getNumElements() * vector.getElementTypeBitWidth() < 512)
      return;
    Value buffer = rootBuffer(store.getBase());
    auto [it, inserted] = streamed.try_emplace(buffer, false);
    if (inserted) {
      auto type = dyn_cast<MemRefType>(buffer.getType());
      it->second = type && type.hasStaticShape() &&
                   type.getElementType().isIntOrFloat() &&
                   type.getNumElements() *
                           llvm::divideCeil(type.getElementTypeBitWidth(),
                                            8) >=
                       minBytes &&
                   isWriteOnly(buffer);
    }
    if (it->second)
      store.setNontemporal(true);
  });
}

namespace {
struct EinsumCPUStreamingStoresPass
    : einsum::impl::EinsumCPUStreamingStoresBase<
          EinsumCPUStreamingStoresPass> {
  using EinsumCPUStreamingStoresBase::EinsumCPUStreamingStoresBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // 1-D transfers to plain vector loads and stores first.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    markStreamingStores(func, minBytes ? minBytes
                                       : 4 * CPUTarget::host().l2Bytes);
  }
};
} // namespace
