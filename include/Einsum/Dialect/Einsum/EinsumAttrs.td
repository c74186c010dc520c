//===- EinsumAttrs.td - Einsum dialect attributes ----------*- tablegen -*-===//

#ifndef EINSUM_DIALECT_EINSUM_EINSUMATTRS_TD
#define EINSUM_DIALECT_EINSUM_EINSUMATTRS_TD

include "Einsum/Dialect/Einsum/EinsumDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Einsum_SpecAttr : Einsum_Attr<"Spec", "spec"> {
  let summary = "A parsed einsum equation";
  let description = [{
    The structured form of an einsum equation: the label names, and for each
    operand and for the output the list of label ids, with `-1` standing for
    the ellipsis `...`. Its textual form is the canonical equation string:

    ```mlir
    #einsum.spec<"bqhd,bkhd->bhqk">
    #einsum.spec<"batch seqQ d, batch seqK d -> batch seqQ seqK">
    ```

    Compact notation (one letter per label) is printed when every label is a
    single letter; otherwise named notation, with labels separated by spaces.
    An implicit output (`"ij,jk"`) is printed explicitly (`"ij,jk->ik"`).
  }];
  let parameters = (ins
    ArrayRefParameter<"::mlir::StringAttr", "label names, by label id">:$labels,
    ArrayRefParameter<"::mlir::DenseI32ArrayAttr",
                      "label ids of each operand (-1: '...')">:$inputs,
    "::mlir::DenseI32ArrayAttr":$output
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "const ::einsum::Spec &":$spec)>
  ];
  let extraClassDeclaration = [{
    /// The spec as the spec library's structure (without source positions).
    ::einsum::Spec getSpec() const;
    /// Canonical equation text.
    std::string str() const { return getSpec().str(); }
    unsigned getNumInputs() const { return getInputs().size(); }

    /// Parses `text`; on error, reports it through `emitError` with the
    /// rendered spec and caret and returns null.
    static SpecAttr fromString(::mlir::MLIRContext *context, ::llvm::StringRef text,
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError);
  }];
}

#endif // EINSUM_DIALECT_EINSUM_EINSUMATTRS_TD
