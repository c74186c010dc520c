//===- Utils.h - Helpers shared by the CPU code generation passes -*- C++ -*-===//

#ifndef EINSUM_CODEGEN_UTILS_H
#define EINSUM_CODEGEN_UTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

#include <optional>

namespace einsum {

/// Number of iterations of the generic's loop nest, or nullopt if a loop
/// range is dynamic or the count overflows int64_t.
std::optional<int64_t> staticTripCount(mlir::linalg::GenericOp op);

/// True if the body is `yield add(out, f(ins))`, the accumulator used by
/// the add alone: partial sums may then be added up in any grouping
/// (floating-point sums reassociate, as in every vectorized BLAS).
bool isSumReduction(mlir::linalg::GenericOp op);

/// The static slice [offsets, offsets + sizes) of tensor `source`, unit
/// strides; `source` itself when that is all of it.
mlir::Value extractStaticSlice(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value source,
                               llvm::ArrayRef<int64_t> offsets,
                               llvm::ArrayRef<int64_t> sizes);

/// Drops the loop dims of static extent 1 of `op` (only the parallel ones if
/// `parallelOnly`), its operands rank-reduced by `strategy`. Returns the new
/// generic, or `op` if there are none, none would be left, or the rewrite
/// fails.
mlir::linalg::GenericOp dropUnitLoopDims(
    mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op, bool parallelOnly,
    mlir::linalg::ControlDropUnitDims::RankReductionStrategy strategy);

/// Rebuilds `op` with one more parallel loop dim, appended last (a lane of
/// panels or of partial sums): `inputs` with their `inputMaps` (over the new
/// loop count), the accumulator `init` indexed by the old output map plus the
/// new dim. The body is copied (one op may be rebuilt several times, once
/// per part of its iteration space); `op` is left for the caller to
/// replace.
mlir::linalg::GenericOp
rebuildWithLaneDim(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                   mlir::ValueRange inputs,
                   llvm::ArrayRef<mlir::AffineMap> inputMaps, mlir::Value init);

/// Runs of consecutive loop dims (longest first, from the outermost) of one
/// iterator type that stay contiguous and in order in every indexing map
/// (each run can be merged into one loop dim). Only runs of two or more dims
/// are returned.
llvm::SmallVector<mlir::ReassociationIndices>
collapsibleRuns(mlir::linalg::GenericOp op);

} // namespace einsum

#endif // EINSUM_CODEGEN_UTILS_H
