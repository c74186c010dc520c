//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef EINSUM_CODEGEN_PASSES_TD
#define EINSUM_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

defvar TilingPassOptions = [
    Option<"cacheTileM", "mc", "int64_t", "0", "Cache tile of M (0: choose)">,
    Option<"cacheTileN", "nc", "int64_t", "0", "Cache tile of N (0: choose)">,
    Option<"cacheTileK", "kc", "int64_t", "0", "Cache tile of K (0: choose)">,
    Option<"registerTileM", "mr", "int64_t", "0",
           "Register tile of M (0: choose)">,
    Option<"registerTileN", "nr", "int64_t", "0",
           "Register tile of N (0: choose)">
];

def EinsumCPUTarget : Pass<"einsum-cpu-target", "::mlir::ModuleOp"> {
  let summary = "Attach the target CPU's description to the module";
  let description = [{
    Puts `einsum.target = #einsum.target<...>` on the module: the CPU
    (`host`, the machine this runs on, or an LLVM x86-64 CPU name with its
    cache sizes from a table of CPU families, so plans for a named target
    are the same on every machine), its enabled features, vector width,
    register count and cache sizes, with the options' overrides applied.
    The code generation passes after it read their target from this
    attribute and from nothing else (a module without one is compiled for
    the host). A module that already carries an `einsum.target` keeps it:
    a target written by hand is an experiment that needs no rebuild.

    Before:
    ```mlir
    module { func.func @f(...) }
    ```
    After (`target-cpu=haswell`):
    ```mlir
    module attributes {einsum.target = #einsum.target<cpu = "haswell",
        features = "+64bit,+avx,+avx2,...,+fma,...", vectorBits = 256,
        vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144,
        cacheLineBytes = 64>} {
      func.func @f(...)
    }
    ```
  }];
  let options = [
    Option<"targetCPU", "target-cpu", "std::string", "\"host\"",
           "CPU: host, or an LLVM x86-64 CPU name (haswell, znver3, "
           "skylake-avx512, ...)">,
    Option<"targetFeatures", "target-features", "std::string", "\"\"",
           "Features added to or removed from the CPU's (-avx512f,+fma)">,
    Option<"vectorBits", "vector-bits", "unsigned", "0",
           "Vector register width in bits (0: the CPU's)">,
    Option<"l1Bytes", "l1-bytes", "int64_t", "0",
           "L1 data cache size in bytes (0: the CPU's)">,
    Option<"l2Bytes", "l2-bytes", "int64_t", "0",
           "L2 cache size in bytes (0: the CPU's)">
  ];
  let dependentDialects = ["::einsum::EinsumDialect"];
}

def EinsumCPUPlan : Pass<"einsum-cpu-plan", "::mlir::func::FuncOp"> {
  let summary = "Choose how each contraction and transpose is tiled";
  let description = [{
    The one place tile plans are chosen. For each op `einsum-cpu-tile`
    tiles, from the module's `einsum.target` (see `einsum-cpu-target`):

    - a contraction (a tileable `linalg.generic`, `isTileable`) gets
      `einsum.plan = #einsum.plan<...>` from `planTiles` (TilePlan.h): the
      role of each loop dim (M, N, K, panel, batch), its cache, reduction
      and register tiles and their loop orders;
    - a lane sum (one input, its innermost axis summed, whole vectors)
      gets `planLaneSum`'s; with the partial sums of
      `einsum-cpu-split-reduction` as its input, the two get
      `planSplitSum`'s: the sum's cache tiles are row tiles shared by both,
      the partial sums have none of their own;
    - a static `linalg.transpose` (a packing copy) or a permuting einsum
      (`abc->cba`) gets `einsum.plan = #einsum.transpose_plan<...>`: its
      cache and vector blocks and loop order (`planTranspose`).

    With `layout`, it instead chooses each static contraction's data layout
    for `einsum-cpu-layout` (`planLayout`): `einsum.layout =
    #einsum.layout_plan<row_pack = true, pack = [1], panel = 32, rows = 8>`
    (copy the row operand, pack input 1 into panels of 32 lanes, split off
    the rows past the last whole tile of 8). The pipeline runs it so before
    the layout pass and plainly after it, on the ops the layout made.

    An op that carries a plan already keeps it, after checking that it fits
    the op (one role per loop dim, summed roles on reduction dims, the
    vector dim the output's innermost): a plan written by hand in the IR
    bypasses the selection. The options override tile sizes (0: choose).

    Before (`target-cpu=skylake-avx512`):
    ```mlir
    %r = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>,
                                          affine_map<(i, j, k) -> (k, j)>,
                                          affine_map<(i, j, k) -> (i, j)>],
                         iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) ...
    ```
    After:
    ```mlir
    %r = linalg.generic {einsum.plan = #einsum.plan<roles = "mnk",
             cache = [96, 512, 0], cache_order = [0, 1, 2],
             reduction = [0, 0, 256], register = [8, 32, 0],
             register_order = [0, 1, 2], inner_reduction = [0, 0, 1],
             single_k_tile = false>, indexing_maps = ...} ...
    ```
  }];
  let options = !listconcat(TilingPassOptions, [
    Option<"layout", "layout", "bool", "false",
           "Choose each contraction's data layout (#einsum.layout_plan, for "
           "einsum-cpu-layout) instead of its tiles">,
    Option<"minReuse", "min-reuse", "int64_t", "8",
           "Copy an operand only if the contraction does at least this many "
           "multiply-adds per element of it">
  ]);
  let dependentDialects = ["::einsum::EinsumDialect"];
}

def EinsumCPUCollapseDims
    : Pass<"einsum-cpu-collapse-dims", "::mlir::func::FuncOp"> {
  let summary = "Merge loop dims that move together in every operand";
  let description = [{
    Adjacent loop dims of a `linalg.generic` with the same iterator type that
    appear next to each other, in the same order, in every operand that has
    them (or in none) are one dim in disguise: they are merged into one
    (`linalg::collapseOpIterationDims`, operands reshaped by
    `tensor.collapse_shape`, free on contiguous tensors). The tile planner
    then sees the real problem: `abcd,cdef->abef` with all sizes 32 is a
    1024 x 1024 x 1024 GEMM, not a 6-deep nest of 32s. Loop dims of static
    extent 1 are dropped first (`linalg::dropUnitDims`, operands reshaped):
    `ik,kj->ij` with one column is the matrix-vector product `ik,k->i`.

    Before:
    ```mlir
    linalg.generic {indexing_maps = [affine_map<(a, b, c, d, e, f) -> (a, b, e, f)>,
                                     affine_map<(a, b, c, d, e, f) -> (e, f, c, d)>,
                                     affine_map<(a, b, c, d, e, f) -> (a, b, c, d)>],
                    iterator_types = ["parallel", "parallel", "parallel",
                                      "parallel", "reduction", "reduction"]}
        ins(%x, %y : tensor<32x32x32x32xf32>, tensor<32x32x32x32xf32>) ...
    ```
    After:
    ```mlir
    %x2 = tensor.collapse_shape %x [[0, 1], [2, 3]] : tensor<32x32x32x32xf32> into tensor<1024x1024xf32>
    ...
    %r = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>,
                                          affine_map<(i, j, k) -> (k, j)>,
                                          affine_map<(i, j, k) -> (i, j)>],
                         iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x2, %y2 : tensor<1024x1024xf32>, tensor<1024x1024xf32>) ...
    %c = tensor.expand_shape %r [[0, 1], [2, 3]] ...
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EinsumCPUSplitReduction
    : Pass<"einsum-cpu-split-reduction", "::mlir::func::FuncOp"> {
  let summary = "Vectorize reductions along their unit-stride summed axis";
  let description = [{
    When every operand's innermost axis is the same summed dim R (a row
    sum `ij->i`, a matrix-vector product `ik,k->i`), the output's lanes
    would be strided reads. This pass splits R into (R / L, L), L = two
    vectors' worth of lanes, and makes the lane a parallel dim: the
    contraction accumulates L partial sums per output element, each read
    contiguously, and a small second generic adds the L partial sums into
    the original accumulator. When L does not divide R, the last R mod L
    iterations are a copy of the op on the inputs' tails, accumulating into
    that result. Applies to static R >= 2L (L is one vector for short R,
    down to R = L: `ij,j->i` with 16 floats), with an add as the combiner;
    a sum of one input over exactly one vector is left as it is
    (einsum-cpu-tile sums its lanes directly).

    Before (`ik,k->i`):
    ```mlir
    linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>,
                                     affine_map<(i, k) -> (k)>,
                                     affine_map<(i, k) -> (i)>],
                    iterator_types = ["parallel", "reduction"]}
        ins(%a, %x : tensor<4096x4096xf32>, tensor<4096xf32>) outs(%acc : tensor<4096xf32>)
    ```
    After (L = 32):
    ```mlir
    %a2 = tensor.expand_shape %a [[0], [1, 2]] ... into tensor<4096x128x32xf32>
    %x2 = tensor.expand_shape %x [[0, 1]] ... into tensor<128x32xf32>
    %p = linalg.generic {indexing_maps = [affine_map<(i, k, l) -> (i, k, l)>,
                                          affine_map<(i, k, l) -> (k, l)>,
                                          affine_map<(i, k, l) -> (i, l)>],
                         iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%a2, %x2 ...) outs(%zeros : tensor<4096x32xf32>)
    %r = linalg.generic {indexing_maps = [affine_map<(i, l) -> (i, l)>,
                                          affine_map<(i, l) -> (i)>],
                         iterator_types = ["parallel", "reduction"]}
        ins(%p : tensor<4096x32xf32>) outs(%acc : tensor<4096xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EinsumCPUStreamingStores
    : Pass<"einsum-cpu-streaming-stores", "::mlir::func::FuncOp"> {
  let summary = "Stream large write-only outputs past the caches";
  let description = [{
    A store to a cache line not in cache first reads the line (write
    allocate): writing a 64 MiB transpose or outer product costs twice its
    bytes and ran at ~8 GB/s here against ~20 GB/s for memcpy. This pass
    streams whole-cache-line `vector.store`s (after lowering 1-D transfers
    to them) into a buffer the function only writes (stores, copies into
    it, fills, return) and that holds at least `min-bytes`: each becomes a
    run-time alignment test choosing an aligned `nontemporal` store
    (vmovntps) or, for an address not 64-byte aligned, the ordinary store
    (an unaligned non-temporal vector store would be split into scalar
    movnti). Non-temporal stores are weakly ordered, so an `llvm.fence`
    ends each `scf.parallel` body that streams and precedes the return. A
    buffer the kernel also reads (a GEMM accumulating over several K tiles)
    keeps ordinary stores.

    Before:
    ```mlir
    vector.transfer_write %v, %out[%i, %j] {in_bounds = [true]} : vector<16xf32>, memref<4096x4096xf32>
    ```
    After:
    ```mlir
    %base, %offset, %sizes:2, %strides:2 = memref.extract_strided_metadata %out ...
    %p = memref.extract_aligned_pointer_as_index %out : memref<4096x4096xf32> -> index
    // %aligned = (%p + 4 * (%offset + %i * %strides#0 + %j * %strides#1)) % 64 == 0
    scf.if %aligned {
      vector.store %v, %out[%i, %j] {alignment = 64 : i64, nontemporal = true} : memref<4096x4096xf32>, vector<16xf32>
    } else {
      vector.store %v, %out[%i, %j] : memref<4096x4096xf32>, vector<16xf32>
    }
    ```
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", "0",
           "Smallest buffer to stream (0: four times the target's L2)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def EinsumCPULayout : Pass<"einsum-cpu-layout", "::mlir::func::FuncOp"> {
  let summary = "Pack the operands that carry the vector dim into panels";
  let description = [{
    The register kernel vectorizes along N, the loop dim of the output's
    innermost axis, nr lanes at a time (`planTiles`). An operand that carries
    N is read one nr-wide row per step of the summation; unpacked, those
    rows lie a whole row of the operand apart (and, as in K of
    `bqhd,bkhd->bhqk`, may not even be contiguous). This pass splits N into
    panels (N = no x nr) and copies each such operand once into panel-major
    order: panel index before the summed axes, lane last, so a register tile
    streams its panel contiguously. The transposition of non-GEMM layouts is
    folded into this one copy. The output is computed as [..., no, nr] and
    collapsed afterwards.

    Edges become generics of their own: the remaining columns of N one
    panel of the next power of two lanes (zero-padded), the remaining rows
    of M (not a whole number of row tiles) a generic with that many rows.
    Unpadded parts compute in place in a slice of the output; padded ones
    in a temporary inserted into it.

    The row operand (the input without N: the GEMM's A, read by
    broadcasts of mr rows) decides the order of the summation: the summed
    loop dims are renumbered in the order of its axes, so that its
    innermost summed axis is K (the last summed dim, `planTiles`). Where its
    summed axes are not its innermost ones, it is copied first (a
    `linalg.transpose` marked `einsum.row_pack`): its free axes in the
    dims' (the output's) order, then the summed axes, so each row of a
    register tile is one contiguous stream (BLIS's packed A, with the
    einsum's permutation folded into the copy), and free dims adjacent in
    the output merge into one M. The panel packing puts the summed axes of
    the N operands in the same order, just before the lane. The summed dims
    are then adjacent and in order in every operand, and merge into one K.

    Before (`njmi,mknl->lkji`: M = k, K = n, the rows of A 44 floats apart,
    l a batch dim around them):
    ```mlir
    linalg.generic {indexing_maps = [affine_map<(l, k, j, i, m, n) -> (n, j, m, i)>,
                                     affine_map<(l, k, j, i, m, n) -> (m, k, n, l)>,
                                     affine_map<(l, k, j, i, m, n) -> (l, k, j, i)>], ...}
    ```
    After (A copied to [l, k, m, n]; l x k merged into one M, m x n into one
    K; B packed to [j, panel, m, n, lane]):
    ```mlir
    %a = linalg.transpose ins(%in1 : tensor<44x44x44x44xf32>)
           outs(%e : tensor<44x44x44x44xf32>) permutation = [3, 1, 0, 2] {einsum.row_pack}
    %ak = tensor.collapse_shape %a [[0, 1], [2, 3]] : tensor<44x44x44x44xf32> into tensor<1936x1936xf32>
    linalg.generic {indexing_maps = [affine_map<(lk, j, p, mn, i) -> (j, p, mn, i)>,
                                     affine_map<(lk, j, p, mn, i) -> (lk, mn)>,
                                     affine_map<(lk, j, p, mn, i) -> (lk, j, p, i)>], ...}
    ```

    Every decision is read from the op's `einsum.layout =
    #einsum.layout_plan<row_pack, pack, panel, rows>` (chosen by
    `einsum-cpu-plan{layout}`, `planLayout`, or written by hand): whether
    the row operand is copied, which inputs are packed, the panel width and
    the register tile's rows. Ops without one are left alone. A layout
    plan applies to static contractions whose accumulator starts as a
    `linalg.fill` (anything else is an error); the planner chooses copies
    only of operands the contraction reuses at least `min-reuse` times per
    element.

    Before (GEMM, N = 1024):
    ```mlir
    linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>,
                                     affine_map<(i, j, k) -> (k, j)>,
                                     affine_map<(i, j, k) -> (i, j)>], ...}
        ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) ...
    ```
    After (panels of 32):
    ```mlir
    %e = tensor.expand_shape %b [[0], [1, 2]] : tensor<1024x1024xf32> into tensor<1024x32x32xf32>
    %p = linalg.transpose ins(%e : tensor<1024x32x32xf32>)
           outs(%empty : tensor<32x1024x32xf32>) permutation = [1, 0, 2]
    %r = linalg.generic {indexing_maps = [affine_map<(i, j, k, l) -> (i, k)>,
                                          affine_map<(i, j, k, l) -> (j, k, l)>,
                                          affine_map<(i, j, k, l) -> (i, j, l)>], ...}
        ins(%a, %p : ...) outs(%acc : tensor<1024x32x32xf32>)
    %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<1024x32x32xf32> into tensor<1024x1024xf32>
    ```
  }];

  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EinsumCPUTile : Pass<"einsum-cpu-tile", "::mlir::func::FuncOp"> {
  let summary = "Tile contractions into cache and register tiles";
  let description = [{
    Tiles each contraction-like `linalg.generic` (see `isTileable`) by its
    `einsum.plan` (`#einsum.plan`, chosen by `einsum-cpu-plan`, usually
    `planTiles` of TilePlan.h; a tileable generic without one is an error):

    1. the parallel dims by cache tiles (Mc x Nc, batch dims 1) with
       `scf.forall`, batch dims first, then M, then N (the tiles of one
       batch slice run one after another), fusing the zero `linalg.fill`
       of the accumulator and the packing copies (`linalg.transpose` of an
       operand, from `einsum-cpu-layout`) whose slices no two tiles share:
       each tile then packs its own slice into a buffer of that size, in
       cache when it reads it, on its own thread;
    2. the reduction dims with `scf.for` (Kc for the main reduction K, 1 for
       others); with static bounds, the first iteration of a K-tile loop
       (the only reduction loop) is peeled off and inlined;
    3. M and N by the register tile (mr x nr) with `scf.for`, fusing the fill
       when K fits one cache tile and in the peeled first K tile (its
       accumulators start as zero registers, and the cache tile is never
       zeroed in memory), then peeling both loops so full tiles have
       static shapes;
    4. K by 1 with `scf.for`.

    The innermost generic is marked `einsum.vector_sizes` (its static upper
    bound per loop dim) for `einsum-cpu-vectorize`.

    An elementwise generic (no reduction) stops reading its zero-filled
    accumulator: the fill value replaces it in the body and the generic
    writes into the fill's destination (a write-only, streamable output).
    A permuting einsum becomes the `linalg.transpose` it is; transposes are
    tiled by their `#einsum.transpose_plan` (`planTranspose`: on AVX-512,
    256 x 256 cache blocks and 16 x 16 vector blocks), the loops in the
    source's memory order, the vector-block loops peeled:
    ```mlir
    linalg.transpose ins(%a : tensor<40x37xf32>) outs(%e : tensor<37x40xf32>) permutation = [1, 0]
    ```
    becomes
    ```mlir
    scf.for %i = %c0 to %c32 step %c16 {     // source rows
      scf.for %j = %c0 to %c32 step %c16 {   // source columns
        linalg.transpose ins(... : tensor<16x16xf32>) outs(... : tensor<16x16xf32>)
            permutation = [1, 0] {einsum.vector_sizes = array<i64: 16, 16>}
      }
      linalg.transpose ins(... : tensor<16x5xf32>) outs(... : tensor<5x16xf32>) ...
    }
    scf.for %j = ... { linalg.transpose ins(... : tensor<8x16xf32>) ... }
    linalg.transpose ins(... : tensor<8x5xf32>) outs(... : tensor<5x8xf32>) ...
    ```

    A lane sum (one input, its innermost axis summed, that axis whole
    vectors) is planned by `planLaneSum`: 16 output elements by 16 lanes per step,
    a transposing reduction of contiguous rows. When its input is the
    partial sums of `einsum-cpu-split-reduction`, the two share one
    `scf.forall` over row tiles, so each tile's partial sums stay in L1:
    ```mlir
    %p = linalg.generic {iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%x : tensor<1024x8x32xf32>) outs(%zeros : tensor<1024x32xf32>)
    %r = linalg.generic {iterator_types = ["parallel", "reduction"]}
        ins(%p : tensor<1024x32xf32>) outs(%out : tensor<1024xf32>)
    ```
    becomes
    ```mlir
    scf.forall (%i) = (0) to (1024) step (64) shared_outs(%o = %out) {
      scf.for %ii = %c0 to %c64 step %c4 ... {      // the rows' partial sums
        scf.for %k = %c0 to %c8 step %c1 ... {
          linalg.generic ... {einsum.vector_sizes = array<i64: 4, 1, 32>}
      }
      scf.for %ii = %c0 to %c64 step %c16 ... {     // their lanes summed
        scf.for %l = %c0 to %c32 step %c16 ... {
          linalg.generic ins(... : tensor<16x16xf32>) outs(... : tensor<16xf32>)
              {einsum.vector_sizes = array<i64: 16, 16>}
    ```

    A pack that every tile reads a slice of alone (here each tile is one
    batch slice: M = 64 is one tile)
    ```mlir
    %packed = linalg.transpose ins(%b : tensor<4x128x2x32xf32>)
        outs(%e : tensor<4x2x128x32xf32>) permutation = [0, 2, 1, 3]
    %r = linalg.generic ... ins(%a, %packed : tensor<4x64x128xf32>, tensor<4x2x128x32xf32>)
    ```
    moves into the cache-tile loop:
    ```mlir
    scf.forall (%b) in (4) shared_outs(%o = %init) {
      %buf = tensor.empty() : tensor<1x2x128x32xf32>
      %p = scf.for %k = %c0 to %c128 step %c1 iter_args(%t = %buf) {
        scf.for %panel = %c0 to %c2 step %c1 iter_args(...) {
          linalg.transpose ins(... : tensor<1x1x1x32xf32>) ...
              {einsum.vector_sizes = array<i64: 1, 1, 1, 32>}
      scf.for %ii = %c0 to %c64 step %c8 ... {   // register tiles read %p
    ```
    With several M tiles per batch slice, each would pack the same slice:
    the M tiles move to an `scf.for` inside each forall tile, after its
    pack, if the forall keeps at least 8 tiles without them (enough for
    the threads); else the pack stays before the loop, packed once (GEMM).

    Before: `linalg.generic ... -> tensor<1024x1024xf32>` (GEMM). After:
    ```mlir
    scf.forall (%i, %j) = (0, 0) to (1024, 1024) step (256, 512) shared_outs(%o = %init) {
      // K tile 0: the register tiles start from zero.
      %first = scf.for %ii = %c0 to %c256 step %c8 iter_args(...) {
        scf.for %jj = %c0 to %c512 step %c32 iter_args(...) {
          %f = linalg.fill ins(%zero : f32) outs(...) -> tensor<8x32xf32>
          scf.for %kk = %c0 to %c256 step %c1 iter_args(%acc = %f) {
            linalg.generic {einsum.vector_sizes = array<i64: 8, 32, 1>, ...}
                ins(... : tensor<8x1xf32>, tensor<1x32xf32>) outs(... : tensor<8x32xf32>)
      // K tiles 1, 2, 3 accumulate onto it.
      scf.for %k = %c256 to %c1024 step %c256 iter_args(%acc = %first) {
        scf.for %ii = %c0 to %c256 step %c8 iter_args(...) {
          scf.for %jj = %c0 to %c512 step %c32 iter_args(...) {
            scf.for %kk = %c0 to %c256 step %c1 iter_args(...) {
              linalg.generic {einsum.vector_sizes = array<i64: 8, 32, 1>, ...}
                  ins(... : tensor<8x1xf32>, tensor<1x32xf32>) outs(... : tensor<8x32xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def EinsumCPUVectorize : Pass<"einsum-cpu-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Vectorize the register tiles marked by einsum-cpu-tile";
  let description = [{
    Vectorizes each `linalg.generic` marked `einsum.vector_sizes` (and the
    zero fills of register tiles): static unit parallel dims are dropped
    first, and the tile is put in a GEMM's shape: the operand that carries
    the vector dim (the output's innermost) second, the loop dims in (m, n,
    k) order (the output's dims, then the reductions). Einsum operand and
    label orders give others (`ijk,jl->ilk` tiles to loops (k, m, n) with
    the vector operand first), which the contraction lowering built lane by
    lane (10x slower). Contractions become `vector.contract`, and tiles with dynamic
    sizes (loop remainders) are vectorized with masks. Then the vector
    transfers are simplified so the zero fill of an accumulator folds into a
    constant vector.

    Before:
    ```mlir
    %r = linalg.generic {einsum.vector_sizes = array<i64: 8, 32, 1>,
                         iterator_types = ["parallel", "parallel", "reduction"], ...}
        ins(%a, %b : tensor<8x1xf32>, tensor<1x32xf32>) outs(%c : tensor<8x32xf32>)
    ```
    After:
    ```mlir
    %va = vector.transfer_read %a[...] : tensor<8x1xf32>, vector<8x1xf32>
    %vb = vector.transfer_read %b[...] : tensor<1x32xf32>, vector<1x32xf32>
    %vc = vector.transfer_read %c[...] : tensor<8x32xf32>, vector<8x32xf32>
    %vr = vector.contract {...} %va, %vb, %vc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    %r = vector.transfer_write %vr, %c[...] : vector<8x32xf32>, tensor<8x32xf32>
    ```
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EinsumCPULowerVectors
    : Pass<"einsum-cpu-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Keep accumulators in registers and lower contractions to FMAs";
  let description = [{
    Runs on buffers, after bufferization: folds memref aliases so that
    accumulator transfers in the reduction loop are recognisably the same,
    hoists them out of the loop (the accumulator stays in registers), then
    lowers `vector.contract` to `vector.outerproduct` and on to `vector.fma`
    (one FMA per row of the register tile per step), and lowers transfers,
    broadcasts and shape casts to 1-D vector loads and stores. An
    elementwise contraction (both operands carry the vector dim, the summed
    dims have size 1: the lanes of split partial sums, `vector<4x1x32xf32>`
    times `vector<1x32xf32>` into `vector<4x32xf32>`) becomes one
    `vector.fma` instead of a one-element dot product per lane.

    Before (inside the K loop):
    ```mlir
    %acc = vector.transfer_read %C[%i, %j] : memref<...>, vector<8x32xf32>
    %r = vector.contract ... %a, %b, %acc
    vector.transfer_write %r, %C[%i, %j]
    ```
    After: the read before and the write after the K loop, and in it
    ```mlir
    %row0 = vector.fma %a0, %b, %acc0 : vector<32xf32>
    ...
    ```
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect"];
}

def EinsumCPULowerCopies
    : Pass<"einsum-cpu-lower-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy loops";
  let description = [{
    Bufferization copies strided buffers with `memref.copy`, which the LLVM
    lowering turns into a call to `memrefCopy` from MLIR's runner-utils
    library. Rewriting each copy as `linalg.copy` makes it a loop nest in
    the kernel itself, so compiled kernels need no runtime library.

    Before:
    ```mlir
    memref.copy %src, %dst : memref<4x5xf32, strided<[8, 1]>> to memref<4x5xf32>
    ```
    After:
    ```mlir
    linalg.copy ins(%src : memref<4x5xf32, strided<[8, 1]>>) outs(%dst : memref<4x5xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}


def EinsumCPUExpandOps : Pass<"einsum-cpu-expand-ops", "::mlir::func::FuncOp"> {
  let summary = "Decompose linalg.softmax; expand f32 exp into a polynomial";
  let description = [{
    Two rewrites of ops the CPU has no instruction for, so the rest of the
    pipeline sees plain loops and arithmetic:

    * aggregated linalg ops (`linalg.softmax`) become their `linalg.generic`
      steps: row max, exp(x - max), row sum, division;
    * `math.exp` on f32 (scalar or vector) becomes MLIR's polynomial
      approximation (arith and `math.fma` only, ~1 ulp), so vectors of exp
      stay vectors instead of one libm call per lane.

    Before:
    ```mlir
    %p = linalg.softmax dimension(1) ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
    After (sketch):
    ```mlir
    %max = linalg.generic {iterator_types = ["parallel", "reduction"]} ... arith.maxnumf
    %exp = linalg.generic ... arith.subf, (polynomial of exp)
    %sum = linalg.generic {iterator_types = ["parallel", "reduction"]} ... arith.addf
    %p   = linalg.generic ... arith.divf
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // EINSUM_CODEGEN_PASSES_TD
