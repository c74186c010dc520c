//===- StreamingStores.cpp - einsum-cpu-streaming-stores ------------------===//
//
// Non-temporal stores for outputs that are only written and much larger
// than the caches; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Plan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

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

/// Streams one full-line store: at run time, a 64-byte aligned address
/// takes an aligned non-temporal store (vmovntps), any other the ordinary
/// store (LLVM would split an unaligned non-temporal vector store into
/// eight scalar movnti, slower than the store it replaces).
static void streamStore(OpBuilder &b, vector::StoreOp store) {
  Location loc = store.getLoc();
  b.setInsertionPoint(store);
  Value base = store.getBase();
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, base);
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, base);
  // Element offset of the stored vector: offset + sum(index * stride).
  Value elements = metadata.getOffset();
  for (auto [index, stride] :
       llvm::zip_equal(store.getIndices(), metadata.getStrides()))
    elements = arith::AddIOp::create(
        b, loc, elements, arith::MulIOp::create(b, loc, index, stride));
  unsigned bytes = llvm::divideCeil(store.getVectorType().getElementTypeBitWidth(), 8);
  Value byteOffset = arith::MulIOp::create(
      b, loc, elements, arith::ConstantIndexOp::create(b, loc, bytes));
  address = arith::AddIOp::create(b, loc, address, byteOffset);
  Value misalignment = arith::RemUIOp::create(
      b, loc, address, arith::ConstantIndexOp::create(b, loc, 64));
  Value aligned = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, misalignment,
      arith::ConstantIndexOp::create(b, loc, 0));
  scf::IfOp::create(
      b, loc, aligned,
      [&](OpBuilder &then, Location loc) {
        vector::StoreOp::create(then, loc, store.getValueToStore(), base,
                                store.getIndices(), /*nontemporal=*/true,
                                llvm::MaybeAlign(64));
        scf::YieldOp::create(then, loc);
      },
      [&](OpBuilder &otherwise, Location loc) {
        vector::StoreOp::create(otherwise, loc, store.getValueToStore(),
                                base, store.getIndices());
        scf::YieldOp::create(otherwise, loc);
      });
  store.erase();
}

/// Streams full-cache-line vector stores into a large write-only buffer:
/// they bypass the caches instead of reading every line before
/// overwriting it (a 64 MiB outer product: 5 -> 19 GB/s).
static void streamStores(func::FuncOp func, int64_t minBytes) {
  llvm::DenseMap<Value, bool> streamed;
  SmallVector<vector::StoreOp> stores;
  func.walk([&](vector::StoreOp store) {
    VectorType vector = store.getVectorType();
    int64_t bits = vector.getNumElements() * vector.getElementTypeBitWidth();
    if (bits < 512 || bits % 512 != 0 || store.getNontemporal())
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
      stores.push_back(store);
  });
  if (stores.empty())
    return;
  // Non-temporal stores are weakly ordered: a fence at the end of each
  // parallel worker's body (the tiles other threads hand back) and before
  // the return makes the output visible to whoever reads it next.
  OpBuilder b(func.getContext());
  llvm::SetVector<Block *> fenced;
  for (vector::StoreOp store : stores)
    if (auto parallel = store->getParentOfType<scf::ParallelOp>())
      fenced.insert(parallel.getBody());
  func.walk([&](func::ReturnOp ret) { fenced.insert(ret->getBlock()); });
  for (Block *block : fenced) {
    b.setInsertionPoint(block->getTerminator());
    LLVM::FenceOp::create(b, block->getTerminator()->getLoc(),
                          LLVM::AtomicOrdering::seq_cst, StringRef());
  }
  for (vector::StoreOp store : stores)
    streamStore(b, store);
}

namespace {
struct EinsumCPUStreamingStoresPass
    : einsum::impl::EinsumCPUStreamingStoresBase<
          EinsumCPUStreamingStoresPass> {
  using EinsumCPUStreamingStoresBase::EinsumCPUStreamingStoresBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (minBytes < 0) {
      func.emitError() << "option 'min-bytes' is "
                       << static_cast<int64_t>(minBytes)
                       << ": expected 0 (four times the host's L2) or more";
      return signalPassFailure();
    }
    // 1-D transfers to plain vector loads and stores first.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    streamStores(func, minBytes ? minBytes : 4 * targetOf(func).l2Bytes);
  }
};
} // namespace
