// RUN: einsum-opt %s | FileCheck %s
// Round trip: the printed form parses back to the same IR.
// RUN: einsum-opt %s | einsum-opt | FileCheck %s
// RUN: einsum-opt %s --mlir-print-op-generic | einsum-opt | FileCheck %s
// RUN: einsum-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func @matmul
// CHECK: einsum.contract "ij,jk->ik" ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
// GENERIC-LABEL: sym_name = "matmul"
// GENERIC: "einsum.contract"(%{{.*}}, %{{.*}}) <{spec = #einsum.spec<"ij,jk->ik">}>
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// Spacing is normalised and an implicit output is made explicit.
// CHECK-LABEL: func @implicit
// CHECK: einsum.contract "ij,jk->ik"
func.func @implicit(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %r = einsum.contract " ij , jk " ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// CHECK-LABEL: func @attention_scores
// CHECK: einsum.contract "bqhd,bkhd->bhqk" ins(%{{.*}}, %{{.*}} : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32>
func.func @attention_scores(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32> {
  %r = einsum.contract "bqhd,bkhd->bhqk" ins(%q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32>
  return %r : tensor<2x4x16x16xf32>
}

// CHECK-LABEL: func @attention_named
// CHECK: einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK"
// GENERIC: #einsum.spec<"batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK">
func.func @attention_named(%q: tensor<?x16x4x8xf32>, %k: tensor<?x16x4x8xf32>) -> tensor<?x4x16x16xf32> {
  %r = einsum.contract "batch   seqQ n_head d_head,batch seqK n_head d_head->batch n_head seqQ seqK" ins(%q, %k : tensor<?x16x4x8xf32>, tensor<?x16x4x8xf32>) -> tensor<?x4x16x16xf32>
  return %r : tensor<?x4x16x16xf32>
}

// CHECK-LABEL: func @trace
// CHECK: einsum.contract "ii->" ins(%{{.*}} : tensor<5x5xf64>) -> tensor<f64>
func.func @trace(%a: tensor<5x5xf64>) -> tensor<f64> {
  %r = einsum.contract "ii" ins(%a : tensor<5x5xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

// CHECK-LABEL: func @ellipsis
// CHECK: einsum.contract "...ij,...jk->...ik"
func.func @ellipsis(%a: tensor<3x1x4x8xf32>, %b: tensor<5x8x2xf32>) -> tensor<3x5x4x2xf32> {
  %r = einsum.contract "...ij,...jk" ins(%a, %b : tensor<3x1x4x8xf32>, tensor<5x8x2xf32>) -> tensor<3x5x4x2xf32>
  return %r : tensor<3x5x4x2xf32>
}

// CHECK-LABEL: func @mixed_precision
// CHECK: einsum.contract "ij,jk->ik" ins(%{{.*}}, %{{.*}} : tensor<4x8xbf16>, tensor<8x2xbf16>) accumulate(f32) -> tensor<4x2xbf16>
// GENERIC: accumulator_type = f32
func.func @mixed_precision(%a: tensor<4x8xbf16>, %b: tensor<8x2xbf16>) -> tensor<4x2xbf16> {
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<4x8xbf16>, tensor<8x2xbf16>) accumulate(f32) -> tensor<4x2xbf16>
  return %r : tensor<4x2xbf16>
}

// CHECK-LABEL: func @integer_widening
// CHECK: accumulate(i64) -> tensor<4xi64>
func.func @integer_widening(%a: tensor<4x8xi32>) -> tensor<4xi64> {
  %r = einsum.contract "ij->i" ins(%a : tensor<4x8xi32>) accumulate(i64) -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// CHECK-LABEL: func @three_operands
// CHECK: einsum.contract "bi,ij,bj->b"
func.func @three_operands(%x: tensor<4x3xf32>, %w: tensor<3x5xf32>, %y: tensor<4x5xf32>) -> tensor<4xf32> {
  %r = einsum.contract "bi,ij,bj->b" ins(%x, %w, %y : tensor<4x3xf32>, tensor<3x5xf32>, tensor<4x5xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// Discardable attributes survive.
// CHECK-LABEL: func @attributes
// CHECK: einsum.contract "i->" ins(%{{.*}} : tensor<3xf32>) {note = "x"} -> tensor<f32>
func.func @attributes(%a: tensor<3xf32>) -> tensor<f32> {
  %r = einsum.contract "i->" ins(%a : tensor<3xf32>) {note = "x"} -> tensor<f32>
  return %r : tensor<f32>
}

// The attribute on its own.
// CHECK-LABEL: func @spec_attr
// CHECK: spec = #einsum.spec<"ab,b->a">, spec2 = #einsum.spec<"seq d, d -> seq">
func.func @spec_attr() attributes {spec = #einsum.spec<"a b,b->a">, spec2 = #einsum.spec<"seq  d,d->seq">} {
  return
}

// Attention: default scale, explicit scale, causal, dynamic sizes.
// CHECK-LABEL: func @attention
// CHECK: einsum.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16x4x8xf32>, tensor<2x32x4x8xf32>, tensor<2x32x4x6xf32>) -> tensor<2x16x4x6xf32>
// CHECK: einsum.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16x4x8xf32>, tensor<2x32x4x8xf32>, tensor<2x32x4x6xf32>) scale(5.000000e-01) causal -> tensor<2x16x4x6xf32>
// CHECK: einsum.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?x4x?xf64>, tensor<?x?x4x?xf64>, tensor<?x?x4x?xf64>) scale(1.250000e-01) -> tensor<?x?x4x?xf64>
func.func @attention(%q: tensor<2x16x4x8xf32>, %k: tensor<2x32x4x8xf32>, %v: tensor<2x32x4x6xf32>,
                     %dq: tensor<?x?x4x?xf64>, %dk: tensor<?x?x4x?xf64>, %dv: tensor<?x?x4x?xf64>) {
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x32x4x8xf32>, tensor<2x32x4x6xf32>) -> tensor<2x16x4x6xf32>
  %1 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x32x4x8xf32>, tensor<2x32x4x6xf32>) scale(0.5) causal -> tensor<2x16x4x6xf32>
  %2 = einsum.attention ins(%dq, %dk, %dv : tensor<?x?x4x?xf64>, tensor<?x?x4x?xf64>, tensor<?x?x4x?xf64>) scale(0.125) -> tensor<?x?x4x?xf64>
  return
}
