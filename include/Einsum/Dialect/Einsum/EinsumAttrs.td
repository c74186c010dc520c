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

def Einsum_TargetAttr : Einsum_Attr<"Target", "target"> {
  let summary = "The CPU that code is generated for";
  let description = [{
    Every fact about the target that code generation reads: the LLVM CPU
    name, its enabled ISA features, the vector width and register count the
    register tiles are sized for, and the cache sizes the cache tiles are
    sized for. `einsum-cpu-target` attaches it to the module as
    `einsum.target` (from the host or a named CPU, see `CPUTarget`); the
    passes after it (`einsum-cpu-split-reduction`, `einsum-cpu-layout`,
    `einsum-cpu-plan`, `einsum-cpu-streaming-stores`) read their target
    from it and from nothing else. A module that carries one already keeps
    it, so a target can be written by hand:

    ```mlir
    module attributes {einsum.target = #einsum.target<cpu = "haswell",
        features = "+avx,+avx2,+fma,+sse2", vectorBits = 256,
        vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144,
        cacheLineBytes = 64>} {
      ...
    }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"LLVM CPU name">:$cpu,
    StringRefParameter<"enabled ISA features (+avx2,+fma,...)">:$features,
    "unsigned":$vectorBits,
    "unsigned":$vectorRegisters,
    "int64_t":$l1Bytes,
    "int64_t":$l2Bytes,
    "int64_t":$cacheLineBytes
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Einsum_PlanAttr : Einsum_Attr<"Plan", "plan"> {
  let summary = "How einsum-cpu-tile tiles one contraction";
  let description = [{
    The tile plan of a `linalg.generic` (see TilePlan.h), one entry per loop
    dim in every list, chosen by `einsum-cpu-plan` and only read by
    `einsum-cpu-tile` and `--explain`:

    - `roles`: one letter per loop dim: `n` the vector dim (the output's
      innermost axis), `p` the panel dim of a packed operand, `m` the rows
      of the register tile, `k` the main summed dim, `b` another parallel
      (batch) dim, `r` another summed dim;
    - `cache`: the `scf.forall` tiles of the parallel dims (0: not tiled),
      walked in `cache_order`;
    - `reduction`: the `scf.for` tiles of the summed dims (Kc for K);
    - `register`: the register tile (mr x nr; batch dims 1), its loops in
      `register_order`;
    - `inner_reduction`: the summed dims' steps inside the register tile;
    - `single_k_tile`: K is one cache tile (the zero fill moves into the
      register tiles).

    A generic that carries a plan when `einsum-cpu-plan` runs keeps it (the
    pass verifies it against the op), so a plan can be written by hand:

    ```mlir
    %r = linalg.generic {indexing_maps = [...], iterator_types = ["parallel", "parallel", "reduction"],
           einsum.plan = #einsum.plan<roles = "mnk", cache = [64, 128, 0], cache_order = [0, 1, 2],
                                      reduction = [0, 0, 32], register = [4, 16, 0],
                                      register_order = [0, 1, 2], inner_reduction = [0, 0, 1],
                                      single_k_tile = false>} ...
    ```
  }];
  let parameters = (ins
    StringRefParameter<"role of each loop dim">:$roles,
    ArrayRefParameter<"int64_t", "cache tiles">:$cacheTiles,
    ArrayRefParameter<"int64_t", "cache tile loop order">:$cacheOrder,
    ArrayRefParameter<"int64_t", "reduction tiles">:$reductionTiles,
    ArrayRefParameter<"int64_t", "register tiles">:$registerTiles,
    ArrayRefParameter<"int64_t", "register tile loop order">:$registerOrder,
    ArrayRefParameter<"int64_t", "inner reduction tiles">:$innerReductionTiles,
    "bool":$singleKTile
  );
  let assemblyFormat = [{
    `<` `roles` `=` $roles `,` `cache` `=` `[` $cacheTiles `]` `,`
    `cache_order` `=` `[` $cacheOrder `]` `,`
    `reduction` `=` `[` $reductionTiles `]` `,`
    `register` `=` `[` $registerTiles `]` `,`
    `register_order` `=` `[` $registerOrder `]` `,`
    `inner_reduction` `=` `[` $innerReductionTiles `]` `,`
    `single_k_tile` `=` $singleKTile `>`
  }];
  let genVerifyDecl = 1;
}

def Einsum_TransposePlanAttr : Einsum_Attr<"TransposePlan", "transpose_plan"> {
  let summary = "How einsum-cpu-tile tiles one transpose";
  let description = [{
    The blocks of a static `linalg.transpose` (an operand packing copy) or
    of a permuting einsum (`abc->cba`), one entry per output dim: `blocks`
    the cache blocks of the two dims that move the data (0 elsewhere, or
    all 0: no cache blocks), `vector` the vector block (1 in every dim but
    those two), `order` the loop order (the source's memory order). Chosen
    by `einsum-cpu-plan`, read by `einsum-cpu-tile`; a copy sliced smaller
    by the cache-tile loop it moved into takes each size up to its extent.

    ```mlir
    linalg.transpose ins(%a : tensor<512x512xf32>) outs(%e : tensor<512x512xf32>)
        permutation = [1, 0]
        {einsum.plan = #einsum.transpose_plan<blocks = [256, 256], vector = [16, 16], order = [1, 0]>}
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "cache blocks">:$blocks,
    ArrayRefParameter<"int64_t", "vector block">:$vector,
    ArrayRefParameter<"int64_t", "loop order">:$order
  );
  let assemblyFormat = [{
    `<` `blocks` `=` `[` $blocks `]` `,` `vector` `=` `[` $vector `]` `,`
    `order` `=` `[` $order `]` `>`
  }];
  let genVerifyDecl = 1;
}

def Einsum_LayoutPlanAttr : Einsum_Attr<"LayoutPlan", "layout_plan"> {
  let summary = "How einsum-cpu-layout lays out the operands of one contraction";
  let description = [{
    The data layout of a contraction, chosen by `einsum-cpu-plan{layout}`
    and only read by `einsum-cpu-layout`: `row_pack` copies the row operand
    (the input without the vector dim) with its summed axes innermost;
    `pack` lists the inputs packed into panels of `panel` lanes of the
    vector dim; `rows` is the register tile's row count, by which the rows
    that are not a whole number of row tiles are split into a generic of
    their own.

    ```mlir
    %r = linalg.generic {..., einsum.layout = #einsum.layout_plan<row_pack = true, pack = [1], panel = 32, rows = 8>} ...
    ```
  }];
  let parameters = (ins
    "bool":$rowPack,
    ArrayRefParameter<"int64_t", "inputs packed into panels">:$pack,
    "int64_t":$panel,
    "int64_t":$rows
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // EINSUM_DIALECT_EINSUM_EINSUMATTRS_TD
