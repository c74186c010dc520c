//===- EinsumOps.td - Einsum dialect operations ------------*- tablegen -*-===//

#ifndef EINSUM_DIALECT_EINSUM_EINSUMOPS_TD
#define EINSUM_DIALECT_EINSUM_EINSUMOPS_TD

include "Einsum/Dialect/Einsum/EinsumDialect.td"
include "Einsum/Dialect/Einsum/EinsumAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinTypes.td"

// The element types the pipeline lowers: the one list is
// einsum::isSupportedElementType, which also checks accumulate(T).
def Einsum_ElementType
    : Type<CPred<"::einsum::isSupportedElementType($_self)">,
           "f16, bf16, f32, f64, i8, i16, i32 or i64">;
def Einsum_Tensor : RankedTensorOf<[Einsum_ElementType]>;

def Einsum_ContractOp : Einsum_Op<"contract", [Pure]> {
  let summary = "Einstein-summation contraction of ranked tensors";
  let description = [{
    Computes `einsum(spec, inputs...)`. Each output label is a free index
    and every other label a summation index:
    `result[free] = sum over summation indices of product(inputs)`.

    ```mlir
    %r = einsum.contract "bqhd,bkhd->bhqk" ins(%q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32>
    %s = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK"
           ins(%q, %k : tensor<?x16x4x8xf32>, tensor<?x16x4x8xf32>) -> tensor<?x4x16x16xf32>
    %t = einsum.contract "ii->" ins(%a : tensor<5x5xf64>) -> tensor<f64>
    %m = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<4x8xbf16>, tensor<8x2xbf16>)
           accumulate(f32) -> tensor<4x2xf32>
    ```

    The spec string accepts compact (`ij,jk->ik`) and named
    (`batch seq d, batch d -> batch seq`) notation, implicit outputs, `...`
    broadcasting and repeated labels (diagonals, traces); it is stored as an
    `#einsum.spec` attribute and printed in canonical form.

    All inputs share one element type. Without `accumulate`, the result has
    that element type and sums are accumulated in it. With `accumulate(T)`,
    inputs are extended to `T` (same kind, float or integer, at least as
    wide), products and sums are computed in `T`, and the result element
    type is `T` or the input type (then rounded once at the end).

    The verifier checks the operand count, each operand's rank, that each
    label has one size across operands and within repeated labels, that
    `...` dimensions broadcast, and the result shape, naming the operand and
    label at fault. Dynamic sizes (`?`) are assumed to agree.
  }];

  let arguments = (ins
    Einsum_SpecAttr:$spec,
    Variadic<Einsum_Tensor>:$inputs,
    OptionalAttr<TypeAttr>:$accumulator_type
  );
  let results = (outs Einsum_Tensor:$result);

  let assemblyFormat = [{
    custom<SpecString>($spec) `ins` `(` $inputs `:` type($inputs) `)`
    (`accumulate` `(` $accumulator_type^ `)`)? attr-dict `->` type($result)
  }];
  let hasVerifier = 1;

  let builders = [
    OpBuilder<(ins "::mlir::Type":$resultType, "const ::einsum::Spec &":$spec,
                   "::mlir::ValueRange":$inputs), [{
      build($_builder, $_state, resultType,
            SpecAttr::get($_builder.getContext(), spec), inputs,
            /*accumulator_type=*/nullptr);
    }]>
  ];

  let extraClassDeclaration = [{
    /// The element type products and sums are computed in.
    ::mlir::Type getAccumulatorElementType();
    /// Binds the spec to the operand shapes (the loop nest of the
    /// free/summation algorithm). Fails only on an op that does not verify.
    ::einsum::SpecResult<::einsum::Binding> bind();
  }];
}

def Einsum_FloatTensor
    : RankedTensorOf<[AnyTypeOf<[F16, BF16, F32, F64], "f16, bf16, f32 or f64">]>;

def Einsum_AttentionOp : Einsum_Op<"attention", [Pure]> {
  let summary = "Scaled dot-product attention: softmax(Q Kᵀ · scale) · V";
  let description = [{
    The attention pattern of the einsum guide, per batch and head:

    ```
    scores = einsum("batch seqQ n_head d_head, batch seqK n_head d_head
                     -> batch n_head seqQ seqK", Q, K) * scale
    weights = softmax(scores) over seqK     (row max subtracted first)
    out = einsum("batch n_head seqQ seqK, batch seqK n_head d_v
                  -> batch seqQ n_head d_v", weights, V)
    ```

    Q is `[batch, seqQ, n_head, d_head]`, K `[batch, seqK, n_head, d_head]`,
    V `[batch, seqK, n_head, d_v]`, and the result `[batch, seqQ, n_head,
    d_v]` (the layout of Q). `scale` defaults to 1/√d_head. With `causal`,
    query `i` attends to keys `j <= i` only (masked scores are -inf before
    the softmax; top-left aligned, as PyTorch's `is_causal`).

    ```mlir
    %o = einsum.attention ins(%q, %k, %v : tensor<2x512x8x64xf32>,
           tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>) causal
           -> tensor<2x512x8x64xf32>
    ```

    `einsum-lower-attention` lowers it to the chain above (two
    `einsum.contract`, a scale/mask `linalg.generic` and `linalg.softmax`) or
    to a fused loop nest that never materializes the scores.
  }];

  let arguments = (ins
    Einsum_FloatTensor:$query,
    Einsum_FloatTensor:$key,
    Einsum_FloatTensor:$value,
    OptionalAttr<F64Attr>:$scale,
    UnitAttr:$causal
  );
  let results = (outs Einsum_FloatTensor:$result);

  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,`
    type($value) `)` (`scale` `(` $scale^ `)`)? (`causal` $causal^)? attr-dict
    `->` type($result)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// The scale of the scores: the attribute, or 1/sqrt(d_head); nullopt
    /// if that is only known at run time (dynamic d_head).
    std::optional<double> getScaleValue();
  }];
}

#endif // EINSUM_DIALECT_EINSUM_EINSUMOPS_TD
