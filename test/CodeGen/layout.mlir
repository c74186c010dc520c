// RUN: einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-layout="vector-bits=512" --canonicalize -split-input-file | FileCheck %s

// GEMM: N = j is split into 32-wide panels; B is packed panel-major
// ([panel, k, lane]); the accumulator is a view of the original one.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func @gemm
// CHECK-SAME: (%[[X:.+]]: tensor<64x128xf32>, %[[Y:.+]]: tensor<128x96xf32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[Y]] {{\[\[}}0], [1, 2]] output_shape [128, 3, 32] : tensor<128x96xf32> into tensor<128x3x32xf32>
// CHECK: %[[P:.+]] = linalg.transpose ins(%[[E]] : tensor<128x3x32xf32>) outs(%{{.*}} : tensor<3x128x32xf32>) permutation = [1, 0, 2]
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64x3x32xf32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[P]] : tensor<64x128xf32>, tensor<3x128x32xf32>) outs(%[[ACC]] : tensor<64x3x32xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<64x3x32xf32> into tensor<64x96xf32>
func.func @gemm(%a: tensor<64x128xf32>, %b: tensor<128x96xf32>) -> tensor<64x96xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x128xf32>, tensor<128x96xf32>) -> tensor<64x96xf32>
  return %r : tensor<64x96xf32>
}

// -----

// Attention scores: the transposition of K ([b, k, h, d], N = k) is folded
// into its packing: [b, panel, h, d, lane].
// CHECK-LABEL: func @attention
// CHECK-SAME: (%[[Q:.+]]: tensor<2x64x4x16xf32>, %[[K:.+]]: tensor<2x64x4x16xf32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[K]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [2, 2, 32, 4, 16]
// CHECK: linalg.transpose ins(%[[E]] : tensor<2x2x32x4x16xf32>) outs(%{{.*}} : tensor<2x2x4x16x32xf32>) permutation = [0, 1, 3, 4, 2]
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x4x64x2x32xf32>)
func.func @attention(%q: tensor<2x64x4x16xf32>, %k: tensor<2x64x4x16xf32>) -> tensor<2x4x64x64xf32> {
  %r = einsum.contract "bqhd,bkhd->bhqk" ins(%q, %k : tensor<2x64x4x16xf32>, tensor<2x64x4x16xf32>) -> tensor<2x4x64x64xf32>
  return %r : tensor<2x4x64x64xf32>
}

// -----

// N not a multiple of the panel: B is padded with zeros to whole panels and
// the padding is sliced off the result.
// CHECK-LABEL: func @padded
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 24]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<128x2x32xf32>) outs(%{{.*}} : tensor<2x128x32xf32>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<64x2x32xf32>)
// CHECK: tensor.collapse_shape
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [64, 40] [1, 1] : tensor<64x64xf32> to tensor<64x40xf32>
func.func @padded(%a: tensor<64x128xf32>, %b: tensor<128x40xf32>) -> tensor<64x40xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x128xf32>, tensor<128x40xf32>) -> tensor<64x40xf32>
  return %r : tensor<64x40xf32>
}

// -----

// M not a multiple of the row tile (8): A gets zero rows so every register
// tile is a full one, and they are sliced off with N's padding.
// CHECK-LABEL: func @padded_rows
// CHECK: tensor.pad %{{.*}} low[0, 0] high[3, 0]
// CHECK: } : tensor<61x128xf32> to tensor<64x128xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 24]
// CHECK: } : tensor<128x40xf32> to tensor<128x64xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<64x2x32xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [61, 40] [1, 1] : tensor<64x64xf32> to tensor<61x40xf32>
func.func @padded_rows(%a: tensor<61x128xf32>, %b: tensor<128x40xf32>) -> tensor<61x40xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<61x128xf32>, tensor<128x40xf32>) -> tensor<61x40xf32>
  return %r : tensor<61x40xf32>
}

// -----

// Matrix-vector: A is used once per element, so copying it would not pay.
// CHECK-LABEL: func @matvec
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic
func.func @matvec(%a: tensor<256x256xf32>, %x: tensor<256xf32>) -> tensor<256xf32> {
  %r = einsum.contract "ik,k->i" ins(%a, %x : tensor<256x256xf32>, tensor<256xf32>) -> tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

// N within one panel and innermost in B: nothing to pack. Dynamic shapes:
// left alone.
// CHECK-LABEL: func @narrow
// CHECK-NOT: linalg.transpose
// CHECK-LABEL: func @dynamic
// CHECK-NOT: linalg.transpose
func.func @narrow(%a: tensor<64x128xf32>, %b: tensor<128x32xf32>) -> tensor<64x32xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x128xf32>, tensor<128x32xf32>) -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}
func.func @dynamic(%a: tensor<?x128xf32>, %b: tensor<128x?xf32>) -> tensor<?x?xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<?x128xf32>, tensor<128x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// One panel, but N (d) is B's outermost axis (`aebf,dfce->abcd`): B is still
// transposed so the panel's lanes are contiguous.
// CHECK-LABEL: func @one_panel_strided
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x32x8x8x8xf32>) outs(%{{.*}} : tensor<1x8x8x8x32xf32>)
func.func @one_panel_strided(%x: tensor<8x8x8x8xf32>, %y: tensor<32x8x8x8xf32>) -> tensor<8x8x8x32xf32> {
  %r = einsum.contract "aebf,dfce->abcd" ins(%x, %y : tensor<8x8x8x8xf32>, tensor<32x8x8x8xf32>) -> tensor<8x8x8x32xf32>
  return %r : tensor<8x8x8x32xf32>
}
