// RUN: einsum-opt %s --convert-einsum-to-linalg -split-input-file | FileCheck %s

// Free dims (output order) are parallel, summation dims reduction.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @matmul
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[Y:.+]]: tensor<8x2xf32>)
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x2xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x2xf32>)
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[A]], #[[B]], #[[C]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<4x8xf32>, tensor<8x2xf32>) outs(%[[INIT]] : tensor<4x2xf32>)
// CHECK: ^bb0(%[[IN0:.+]]: f32, %[[IN1:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[P:.+]] = arith.mulf %[[IN0]], %[[IN1]] : f32
// CHECK:   %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
// CHECK-NOT: einsum.
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// -----

// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @batched_matmul
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[A]], #[[B]], #[[C]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
func.func @batched_matmul(%a: tensor<3x4x8xf32>, %b: tensor<3x8x2xf32>) -> tensor<3x4x2xf32> {
  %r = einsum.contract "bik,bkj->bij" ins(%a, %b : tensor<3x4x8xf32>, tensor<3x8x2xf32>) -> tensor<3x4x2xf32>
  return %r : tensor<3x4x2xf32>
}

// -----

// The attention scores with named labels: free batch, n_head, seqQ, seqK
// (d0..d3), summation d_head (d4).
// CHECK-DAG: #[[Q:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-DAG: #[[S:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @attention_scores
// CHECK: tensor.empty() : tensor<2x4x16x16xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[Q]], #[[K]], #[[S]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: } -> tensor<2x4x16x16xf32>
// CHECK-NOT: linalg.generic
func.func @attention_scores(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32> {
  %r = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK" ins(%q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32>
  return %r : tensor<2x4x16x16xf32>
}

// -----

// CHECK-DAG: #[[DIAG:.+]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @trace
// CHECK: tensor.empty() : tensor<f64>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[DIAG]], #[[SCALAR]]]
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK: ^bb0(%[[IN:.+]]: f64, %[[ACC:.+]]: f64):
// CHECK:   arith.addf %[[ACC]], %[[IN]] : f64
func.func @trace(%a: tensor<5x5xf64>) -> tensor<f64> {
  %r = einsum.contract "ii->" ins(%a : tensor<5x5xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

// -----

// CHECK-DAG: #[[DIAG:.+]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func @diagonal
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[DIAG]], #[[ID]]]
// CHECK-SAME: iterator_types = ["parallel"]
func.func @diagonal(%a: tensor<5x5xf32>) -> tensor<5xf32> {
  %r = einsum.contract "ii->i" ins(%a : tensor<5x5xf32>) -> tensor<5xf32>
  return %r : tensor<5xf32>
}

// -----

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @transpose
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
func.func @transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %r = einsum.contract "ij->ji" ins(%a : tensor<2x3xf32>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @sum_all
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[IN]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
func.func @sum_all(%a: tensor<2x3xf32>) -> tensor<f32> {
  %r = einsum.contract "ij->" ins(%a : tensor<2x3xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// CHECK-DAG: #[[I:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[J:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[IJ:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @outer_product
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[I]], #[[J]], #[[IJ]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
func.func @outer_product(%a: tensor<3xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %r = einsum.contract "i,j->ij" ins(%a, %b : tensor<3xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}

// -----

// '...' is expanded to explicit dims, right-aligned; a size-1 dim broadcast
// against a larger one is indexed at 0.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @ellipsis
// CHECK: tensor.empty() : tensor<3x5x4x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[A]], #[[B]], #[[C]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
func.func @ellipsis(%a: tensor<3x1x4x8xf32>, %b: tensor<5x8x2xf32>) -> tensor<3x5x4x2xf32> {
  %r = einsum.contract "...ij,...jk" ins(%a, %b : tensor<3x1x4x8xf32>, tensor<5x8x2xf32>) -> tensor<3x5x4x2xf32>
  return %r : tensor<3x5x4x2xf32>
}

// -----

// Three operands multiply in one body; summation dims i, j in order of
// first appearance.
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[Y:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[R:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func @three_operands
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[X]], #[[W]], #[[Y]], #[[R]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %[[C:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[AB:.+]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK:   %[[ABC:.+]] = arith.mulf %[[AB]], %[[C]] : f32
// CHECK:   arith.addf %[[ACC]], %[[ABC]] : f32
func.func @three_operands(%x: tensor<4x3xf32>, %w: tensor<3x5xf32>, %y: tensor<4x5xf32>) -> tensor<4xf32> {
  %r = einsum.contract "bi,ij,bj->b" ins(%x, %w, %y : tensor<4x3xf32>, tensor<3x5xf32>, tensor<4x5xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Dynamic output sizes come from the operand axis carrying the label.
// CHECK-LABEL: func @dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x8xf32>, %[[B:.+]]: tensor<8x?xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[M:.+]] = tensor.dim %[[A]], %[[C0]] : tensor<?x8xf32>
// CHECK-DAG: %[[N:.+]] = tensor.dim %[[B]], %[[C1]] : tensor<8x?xf32>
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK: linalg.generic
// CHECK: } -> tensor<?x?xf32>
func.func @dynamic(%a: tensor<?x8xf32>, %b: tensor<8x?xf32>) -> tensor<?x?xf32> {
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<?x8xf32>, tensor<8x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// bf16 operands accumulate in f32; the result is rounded back to bf16.
// CHECK-LABEL: func @mixed_precision
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<4x2xf32>
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.generic
// CHECK: ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %[[OUT:.+]]: f32):
// CHECK:   %[[AW:.+]] = arith.extf %[[A]] : bf16 to f32
// CHECK:   %[[BW:.+]] = arith.extf %[[B]] : bf16 to f32
// CHECK:   %[[P:.+]] = arith.mulf %[[AW]], %[[BW]] : f32
// CHECK:   arith.addf %[[OUT]], %[[P]] : f32
// CHECK: } -> tensor<4x2xf32>
// CHECK: %[[RES:.+]] = tensor.empty() : tensor<4x2xbf16>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[ACC]] : tensor<4x2xf32>) outs(%[[RES]] : tensor<4x2xbf16>)
// CHECK:   arith.truncf %{{.+}} : f32 to bf16
func.func @mixed_precision(%a: tensor<4x8xbf16>, %b: tensor<8x2xbf16>) -> tensor<4x2xbf16> {
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<4x8xbf16>, tensor<8x2xbf16>) accumulate(f32) -> tensor<4x2xbf16>
  return %r : tensor<4x2xbf16>
}

// -----

// Integer einsums use integer arithmetic; a wider accumulator sign-extends.
// CHECK-LABEL: func @integer
// CHECK: arith.constant 0 : i64
// CHECK: ^bb0(%[[A:.+]]: i32, %[[OUT:.+]]: i64):
// CHECK:   %[[W:.+]] = arith.extsi %[[A]] : i32 to i64
// CHECK:   arith.addi %[[OUT]], %[[W]] : i64
// CHECK-NOT: linalg.generic
func.func @integer(%a: tensor<4x8xi32>) -> tensor<4xi64> {
  %r = einsum.contract "ij->i" ins(%a : tensor<4x8xi32>) accumulate(i64) -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

// CHECK-LABEL: func @integer_product
// CHECK: arith.muli
// CHECK: arith.addi
func.func @integer_product(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<i32> {
  %r = einsum.contract "i,i->" ins(%a, %b : tensor<4xi32>, tensor<4xi32>) -> tensor<i32>
  return %r : tensor<i32>
}
