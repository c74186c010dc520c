//===- Pipeline.h - The einsum-to-LLVM pipeline -----------------*- C++ -*-===//
//
// The one pipeline from einsum.contract to the LLVM dialect, used by
// einsum-opt (--einsum-to-llvm), the JIT and the tests alike.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_CODEGEN_PIPELINE_H
#define EINSUM_CODEGEN_PIPELINE_H

#include "Einsum/CodeGen/TilePlan.h"
#include "Einsum/Path/ContractionPath.h"

#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace einsum {

/// The most worker threads a kernel may be compiled for.
inline constexpr unsigned kMaxThreads = 1024;

struct EinsumToLLVMOptions {
  /// The contraction-order planner's algorithm and memory limit
  /// (einsum-contraction-order); PathAlgorithm::None keeps each einsum one
  /// loop nest.
  PathOptions path;
  /// How einsum.attention is lowered: "auto", "fused" or "unfused"
  /// (einsum-lower-attention).
  std::string attentionVariant = "auto";
  /// Tile sizes and the target CPU they are chosen and compiled for
  /// (tiling.target: the host by default; CPUTarget::get for another).
  TilingOptions tiling;
  /// Move the vectorized dim of contraction operands to unit stride.
  bool layout = true;
  /// Tile contractions into cache and register tiles.
  bool tile = true;
  /// Vectorize the register tiles.
  bool vectorize = true;
  /// Worker threads for the cache tiles (scf.forall): 1 runs them in
  /// sequence; more maps them to an OpenMP parallel loop (needs libomp).
  unsigned threads = 1;
  /// Allocate scratch buffers through _mlir_memref_to_llvm_{alloc,free}
  /// (which the JIT binds to its caching workspace) instead of malloc/free.
  bool genericAllocationFunctions = false;
};

/// Checks every option against its range (tiles and target facts as
/// validateTilingOptions, memory limit >= 0, threads 1 to kMaxThreads, the
/// attention variant); the error names the option and its value.
llvm::Error validateEinsumToLLVMOptions(const EinsumToLLVMOptions &options);

/// Adds the passes taking a module of einsum.contract (or linalg) on tensors
/// to the LLVM dialect:
// clang-format off
///
///   einsum-lower-attention       attention to einsums + softmax, or fused
///   einsum-contraction-order     pairwise einsums in the cheapest order
///   convert-einsum-to-linalg
///   einsum-cpu-expand-ops        softmax to generics, f32 exp to a polynomial
///   einsum-cpu-collapse-dims     dims that move together merged
///   einsum-cpu-split-reduction   unit-stride sums split into vector lanes
///   einsum-cpu-layout            operands packed into panels of the vector dim
///   einsum-cpu-tile              cache tiles (scf.forall), reduction and
///                                register tiles
///   einsum-cpu-vectorize         register tiles to vector.contract;
///                                accumulators hoisted
///   one-shot-bufferize, buffer deallocation
///   einsum-cpu-lower-vectors     contractions to FMAs
///   einsum-cpu-lower-copies, einsum-cpu-streaming-stores
///   scf/affine/memref/func/arith/vector (and OpenMP) to LLVM
// clang-format on
void buildEinsumToLLVMPipeline(mlir::OpPassManager &pm,
                               const EinsumToLLVMOptions &options = {});

/// Adds the stages of buildEinsumToLLVMPipeline before einsum-cpu-tile
/// (through einsum-cpu-layout): the generics it leaves are those the tile
/// pass plans (einsum-run --explain describes their plans).
void buildEinsumToTilingPipeline(mlir::OpPassManager &pm,
                                 const EinsumToLLVMOptions &options = {});

/// Registers --einsum-to-llvm with einsum-opt.
void registerEinsumPipelines();

} // namespace einsum

#endif // EINSUM_CODEGEN_PIPELINE_H
