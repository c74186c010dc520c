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

#endif // EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_TD
