//===- TilePlan.h - Choosing tile sizes for a contraction -------*- C++ -*-===//
//
// Reads a linalg.generic as a GEMM-like loop nest and chooses its tiles:
//
//   N   the vector dim: the loop dim of the output's innermost axis
//   N'  the panel dim of a packed contraction (einsum-cpu-layout): the
//       output's next axis, when an operand carrying N carries it too
//   M   the row dim: the innermost other output axis that no operand
//       carrying N has (the rows of "A"); else the output's next axis
//   K   the main reduction dim: the innermost summed axis of the row
//       operand (the input without N), else the largest one
//   other parallel dims are batch dims (tile 1); other reductions tile 1.
//
// Cache tiles (Mc x Nc x Kc) come from L1/L2 sizes; register tiles (mr x nr)
// from the vector width and register count.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_CODEGEN_TILEPLAN_H
#define EINSUM_CODEGEN_TILEPLAN_H

#include "Einsum/CodeGen/Target.h"

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace mlir {
namespace linalg {
class GenericOp;
} // namespace linalg
} // namespace mlir

namespace einsum {

/// Target and overrides for tile sizes; 0 means "choose".
struct TilingOptions {
  CPUTarget target = CPUTarget::host();
  int64_t cacheTileM = 0;
  int64_t cacheTileN = 0;
  int64_t cacheTileK = 0;
  int64_t registerTileM = 0;
  int64_t registerTileN = 0;
};

/// The roles of the loop dims of a linalg.generic and its tile sizes, one
/// entry per loop dim (0: not tiled at that level).
struct TilePlan {
  unsigned numLoops = 0;
  std::optional<unsigned> mDim, nDim, kDim, panelDim;
  /// Element width in bits of the output.
  unsigned elementBits = 32;
  /// Tiles of the parallel dims for the scf.forall.
  llvm::SmallVector<int64_t> cacheTiles;
  /// Loop order of the cache tiles (a permutation of the loop dims, empty:
  /// the dims' order): batch dims, then M, then the panel and N, so the
  /// tiles of one batch slice run one after another and share its operand
  /// blocks in cache.
  llvm::SmallVector<int64_t> cacheInterchange;
  /// Tiles of the reduction dims (Kc for K, 1 for the others).
  llvm::SmallVector<int64_t> reductionTiles;
  /// Register tiles of the parallel dims (mr, nr, 1 for batch dims).
  llvm::SmallVector<int64_t> registerTiles;
  /// Loop order of the register tile loops (a permutation of the loop dims):
  /// M before the panel and N, so an A micro-panel is reused across the
  /// column tiles and the output is written row by row.
  llvm::SmallVector<int64_t> registerInterchange;
  /// Register tile of K (1) and the other reductions (1).
  llvm::SmallVector<int64_t> innerReductionTiles;
  /// Whether the whole K range fits one cache tile (then the zero fill can
  /// move into the register tile).
  bool singleKTile = false;
};

/// True if the generic is one this code generator tiles and vectorizes: one
/// or two operands, an output of rank >= 1 whose innermost axis is a
/// parallel dim, projected
/// permutation indexing maps (no diagonals, no broadcast constants), and
/// int or float elements.
bool isTileable(mlir::linalg::GenericOp op);

/// The row operand of a two-input contraction: the input that does not
/// carry N (the "A" of a GEMM, read by broadcasts of mr rows), if exactly
/// one input carries N.
std::optional<unsigned> rowOperand(mlir::linalg::GenericOp op);

/// TilingOptions for `target`, with the non-zero overrides applied (the
/// command-line options of the code generation passes).
TilingOptions makeTilingOptions(const CPUTarget &target, unsigned vectorBits,
                                int64_t l1Bytes, int64_t l2Bytes,
                                int64_t cacheTileM, int64_t cacheTileN,
                                int64_t cacheTileK, int64_t registerTileM,
                                int64_t registerTileN);

/// Checks the tile size overrides and target facts of `options` against
/// their ranges (tiles >= 0 and at most kMaxRegisterTile / kMaxCacheTile;
/// vector width 128, 256 or 512; cache sizes from 1 KiB to 1 GiB); the
/// error names the option (`nr`, `l1-bytes`, ...) and its value.
llvm::Error validateTilingOptions(const TilingOptions &options);
inline constexpr int64_t kMaxRegisterTile = 64;
inline constexpr int64_t kMaxCacheTile = int64_t(1) << 24;

/// Chooses the tile plan of a tileable generic.
TilePlan planTiles(mlir::linalg::GenericOp op, const TilingOptions &options);

/// The roles of the loop dims of a tileable generic (N, M, K, the panel
/// dim) and its element width, as planTiles gives them, without tiles: the
/// structure einsum-cpu-layout rewrites by.
TilePlan planRoles(mlir::linalg::GenericOp op);

/// True if the summed axes of an operand of `op` (indexing `map`) are its
/// innermost axes: a row operand read in place then streams every row.
bool summedAxesInnermost(mlir::linalg::GenericOp op, mlir::AffineMap map);

/// How einsum-cpu-layout lays out the operands of a contraction (see its
/// description in Passes.td), as #einsum.layout_plan holds it.
struct LayoutPlan {
  /// Copy the row operand with its summed axes innermost.
  bool rowPack = false;
  /// The inputs packed into panels of the vector dim.
  llvm::SmallVector<int64_t> packed;
  /// Lanes per panel: the register tile's width, a power of two.
  int64_t panel = 1;
  /// Rows of the register tile: the rows past the last whole row tile
  /// become a generic of their own.
  int64_t rows = 1;
};

/// True if einsum-cpu-layout can lay out `op`: a tileable contraction on
/// tensors with a summed dim, a static loop nest (its iteration count fits
/// int64_t) and an accumulator that starts as a fill.
bool isLayoutCandidate(mlir::linalg::GenericOp op);

/// The layout of a static contraction whose accumulator starts as a fill
/// (isLayoutCandidate; else none): the row operand copied where its summed axes
/// are not innermost, the operands that carry N packed into panels, each only
/// where the contraction does at least `minReuse` multiply-adds per element
/// of the copy.
std::optional<LayoutPlan> planLayout(mlir::linalg::GenericOp op,
                                     const TilingOptions &options,
                                     int64_t minReuse);

/// True if the tileable generic `op` sums the innermost axis of its one
/// input into an output of the other axes (`ij->i`), that axis static and
/// whole vectors: the lanes of partial sums einsum-cpu-split-reduction
/// leaves, or a short sum (16 floats) it does not split.
bool isLaneSum(mlir::linalg::GenericOp op, const TilingOptions &options);

/// The tiles of a generic that sums the innermost axis of its one input,
/// that axis whole vectors (the lanes of partial sums left by
/// einsum-cpu-split-reduction, or a short sum it does not split): cache
/// tiles of 4096 output elements, and register tiles of a vector of output
/// elements (N) by a vector of lanes (K) per step, each step a transposing
/// reduction of contiguous rows.
TilePlan planLaneSum(mlir::linalg::GenericOp op, const TilingOptions &options);

/// If `op` is a static permuting copy (`abc->cba`: one input, every dim
/// free, the result a zero fill plus the input of the same type), the
/// permutation of its linalg.transpose (output axis i reads input axis
/// permutation[i]), which einsum-cpu-tile tiles into vectorized blocks.
std::optional<llvm::SmallVector<int64_t>>
permutingCopy(mlir::linalg::GenericOp op);

/// The generic whose result the lane sum `op` sums, `op` being its only
/// user (the partial sums of einsum-cpu-split-reduction): einsum-cpu-tile
/// tiles the two together. Null if there is none.
mlir::linalg::GenericOp laneSumProducer(mlir::linalg::GenericOp op,
                                        const TilingOptions &options);

/// The generic that produces the one input of `sum`, if `sum` sums that
/// input's innermost axis and the producer is a tileable generic used by
/// `sum` alone whose accumulator starts as a fill: the structure of
/// laneSumProducer without the target's facts, by which einsum-cpu-tile
/// finds the two generics of a split sum (the producer's plan has no cache
/// tiles of its own).
mlir::linalg::GenericOp splitSumProducer(mlir::linalg::GenericOp sum);

/// The plan einsum-cpu-plan chooses for a tileable generic: planLaneSum for
/// a lane sum, planTiles otherwise.
TilePlan choosePlan(mlir::linalg::GenericOp op, const TilingOptions &options);

/// The plans of partial sums in lanes (`partial`, from
/// einsum-cpu-split-reduction) and of the lane sum `sum` that sums them
/// (laneSumProducer(sum) == partial), tiled together: one scf.forall over
/// row tiles of the sum's output, sized so that a tile's partial sums fill
/// at most a quarter of L1 (the sum's cache tiles), each tile computing
/// its partial sums (no cache tiles of their own) and summing their lanes.
std::pair<TilePlan, TilePlan> planSplitSum(mlir::linalg::GenericOp partial,
                                           mlir::linalg::GenericOp sum,
                                           const TilingOptions &options);

/// How a static transpose (`out[i...] = in[permutation applied]`) is tiled,
/// one entry per output dim: 1 in every dim except the two that move the
/// data, the output's innermost and the one the source's innermost lands
/// on (a vector of lanes each, or the output's innermost up to four vectors
/// wide when it stays innermost); cache blocks of 256 x 256 of those two
/// when either is longer, so the source rows a block reads (a page each
/// when far apart) stay in the TLB; the loops in the source's memory order.
struct TransposePlan {
  /// Cache blocks (0: not blocked; all 0: no block level).
  llvm::SmallVector<int64_t> blocks;
  /// The vector block.
  llvm::SmallVector<int64_t> vector;
  /// Loop order (a permutation of the output dims).
  llvm::SmallVector<int64_t> order;
};
TransposePlan planTranspose(llvm::ArrayRef<int64_t> permutation,
                            llvm::ArrayRef<int64_t> outputShape,
                            unsigned elementBits, const CPUTarget &target);

} // namespace einsum

#endif // EINSUM_CODEGEN_TILEPLAN_H
