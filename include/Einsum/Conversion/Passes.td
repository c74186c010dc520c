//===- Passes.td - Einsum conversion passes ----------------*- tablegen -*-===//

#ifndef EINSUM_CONVERSION_PASSES_TD
#define EINSUM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEinsumToLinalg : Pass<"convert-einsum-to-linalg"> {
  let summary = "Lower einsum.contract to linalg.generic (free/summation loops)";
  let description = [{
    Rewrites each `einsum.contract` into the free/summation loop nest as one
    `linalg.generic`:

    * loop dims are the free indices (output labels, in output order) as
      `parallel` iterators, then the summation indices (every other label,
      in order of first appearance) as `reduction` iterators;
    * each operand's indexing map lists the loop dim of each of its labels;
      a repeated label repeats the dim (a diagonal), a `...` dimension of
      size 1 broadcast against a larger one is indexed at constant 0;
    * the accumulator is `linalg.fill` of zero on `tensor.empty` (dynamic
      sizes come from `tensor.dim` of an operand carrying the label);
    * the body multiplies the operands and adds into the accumulator; with
      `accumulate(T)` operands are first extended to `T`, and a result of
      the operand type is produced by a final elementwise `linalg.generic`
      that rounds it.

    Before:
    ```mlir
    %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
    ```
    After:
    ```mlir
    #A = affine_map<(d0, d1, d2) -> (d0, d2)>
    #B = affine_map<(d0, d1, d2) -> (d2, d1)>
    #C = affine_map<(d0, d1, d2) -> (d0, d1)>
    %zero = arith.constant 0.000000e+00 : f32
    %empty = tensor.empty() : tensor<4x2xf32>
    %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x2xf32>) -> tensor<4x2xf32>
    %r = linalg.generic {indexing_maps = [#A, #B, #C],
                         iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%init : tensor<4x2xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<4x2xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // EINSUM_CONVERSION_PASSES_TD
