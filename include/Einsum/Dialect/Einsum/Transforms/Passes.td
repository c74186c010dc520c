//===- Passes.td - Einsum-level transforms -----------------*- tablegen -*-===//

#ifndef EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_TD
#define EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def EinsumContractionOrder : Pass<"einsum-contraction-order"> {
  let summary = "Rewrite N-operand einsums into pairwise einsums in the "
                "cheapest order";
  let description = [{
    Plans each `einsum.contract` with the contraction-order planner
    (`Einsum/Path/ContractionPath.h`) and rewrites it into the planned
    sequence of smaller `einsum.contract` ops:

    * single-operand steps first where they shrink an operand (take a
      diagonal, sum a label that no other operand nor the output has);
    * then pairwise contractions in the order with the fewest FLOPs: exact
      dynamic programming over subsets up to 10 operands, greedy beyond
      (`algorithm=optimal|greedy` forces one); the largest intermediate
      breaks ties;
    * an einsum that no order makes cheaper (`ij,ij,ij->`) stays one op;
    * with `memory-limit=N`, no intermediate holds more than N elements:
      another order is taken, or the computation is sliced along labels into
      `scf.for` loops over `tensor.extract_slice`s of the operands, whose
      results are inserted (free labels) or added up (summed labels). Ops
      with dynamic sizes are not sliced.

    Intermediates have the input element type; with `accumulate(T)` every
    step accumulates in `T`.

    Before:
    ```mlir
    %r = einsum.contract "pi,qj,ijkl,rk,sl->pqrs"
           ins(%c0, %c1, %g, %c2, %c3 : tensor<16x16xf32>, tensor<16x16xf32>,
               tensor<16x16x16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>)
           -> tensor<16x16x16x16xf32>
    ```
    After (16^8 loop points become four contractions of 16^5):
    ```mlir
    %0 = einsum.contract "pi,ijkl->pjkl" ins(%c0, %g : ...) -> tensor<16x16x16x16xf32>
    %1 = einsum.contract "pjkl,sl->psjk" ins(%0, %c3 : ...) -> tensor<16x16x16x16xf32>
    %2 = einsum.contract "psjk,rk->prsj" ins(%1, %c2 : ...) -> tensor<16x16x16x16xf32>
    %r = einsum.contract "prsj,qj->pqrs" ins(%2, %c1 : ...) -> tensor<16x16x16x16xf32>
    ```
  }];
  let options = [
    Option<"memoryLimit", "memory-limit", "int64_t", /*default=*/"0",
           "Most elements any intermediate may hold (0: no limit)">,
    Option<"algorithm", "algorithm", "std::string", /*default=*/"\"auto\"",
           "Pairwise order search: auto, optimal, greedy or none">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def EinsumLowerAttention : Pass<"einsum-lower-attention"> {
  let summary = "Lower einsum.attention to einsums and a softmax, unfused or "
                "fused (FlashAttention-style)";
  let description = [{
    Unfused, `einsum.attention` becomes the chain of the einsum guide: the
    scores einsum (named notation), one `linalg.generic` that scales them
    (and sets the causally masked ones to -inf), `linalg.softmax` over seqK,
    and the output einsum. It materializes the whole
    [batch, n_head, seqQ, seqK] scores tensor.

    Fused, it becomes one `scf.forall` over (batch, n_head, tile of
    `tile-q` queries); each iteration walks the keys in tiles of `tile-k`
    with an online softmax (running row max `m` and sum `l`, rescaling the
    accumulator when the max grows), so only a tile-q x tile-k block of
    scores ever exists. The default 128 x 256 tiles (128 x 128 when causal,
    so fewer masked scores are computed on the diagonal) were the fastest
    measured for [2, 512, 8, 64] on AVX-512 (docs/passes.md). Per tile: `einsum.contract "qd,kd->qk"` for the
    scores, a row loop of vector ops for the softmax update, and
    `einsum.contract "qk,ke->qe"` for the weighted values. With `causal`,
    key tiles past the diagonal are skipped.

    Any length: a tile is the whole sequence if it is shorter, else a
    divisor of the length in [tile / 2, tile] if there is one, else the
    requested size, and the remaining queries (keys) form one smaller tile
    after the whole ones: a second `scf.forall` over the last query tile, a
    last key tile after the key loop (inside an `scf.if` when causal). A
    prime length such as 509 thus runs as 3 x 128 + 125 queries and
    256 + 253 keys, not in tiles of one.

    `variant=auto` takes the fused form when the shapes are static and there
    are at least 48 keys (below that the unfused form measured faster), else
    the unfused one.

    Before:
    ```mlir
    %o = einsum.attention ins(%q, %k, %v : tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>) -> tensor<2x512x8x64xf32>
    ```
    After (unfused):
    ```mlir
    %s = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK" ins(%q, %k : ...) -> tensor<2x8x512x512xf32>
    %t = linalg.generic {...} ins(%s : ...) outs(%e : ...) { %x * 0.125 }
    %p = linalg.softmax dimension(3) ins(%t : ...) outs(%e2 : ...) -> tensor<2x8x512x512xf32>
    %o = einsum.contract "batch n_head seqQ seqK, batch seqK n_head d_v -> batch seqQ n_head d_v" ins(%p, %v : ...) -> tensor<2x512x8x64xf32>
    ```
  }];
  let options = [
    Option<"variant", "variant", "std::string", /*default=*/"\"auto\"",
           "auto, fused or unfused">,
    Option<"tileQ", "tile-q", "int64_t", /*default=*/"128",
           "Queries per tile of the fused form (a divisor of seqQ in "
           "[tile-q / 2, tile-q] if there is one; the rest is one smaller tile)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"256",
           "Keys per tile of the fused form (as tile-q; causal: at most the "
           "query tile)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_TD
