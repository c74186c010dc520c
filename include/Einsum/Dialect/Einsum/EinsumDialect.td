//===- EinsumDialect.td - The einsum dialect ---------------*- tablegen -*-===//

#ifndef EINSUM_DIALECT_EINSUM_EINSUMDIALECT_TD
#define EINSUM_DIALECT_EINSUM_EINSUMDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Einsum_Dialect : Dialect {
  let name = "einsum";
  let cppNamespace = "::einsum";
  let summary = "Einstein-summation contractions on tensors";
  let description = [{
    The `einsum` dialect expresses tensor contractions the way users write
    them: an einsum equation over labelled dimensions, e.g.

    ```mlir
    %r = einsum.contract "bqhd,bkhd->bhqk" ins(%q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32>
    ```

    Labels in the output are free indices (parallel loops); all others are
    summation indices (reduction loops). The dialect is lowered to
    `linalg.generic` by `--convert-einsum-to-linalg`.
  }];
  let dependentDialects = [];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Einsum_Op<string mnemonic, list<Trait> traits = []>
    : Op<Einsum_Dialect, mnemonic, traits>;

class Einsum_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Einsum_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // EINSUM_DIALECT_EINSUM_EINSUMDIALECT_TD
