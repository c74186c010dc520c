// RUN: einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-target="target-cpu=skylake-avx512 l1-bytes=32768 l2-bytes=1048576" --einsum-cpu-plan=layout --einsum-cpu-layout --canonicalize -split-input-file | FileCheck %s

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

// N not a multiple of the panel: the whole panels are computed in place in
// a slice of the output; the remaining 5 columns are one panel of 8 lanes
// (B padded with zeros) computed into a temporary and copied into place.
// CHECK-LABEL: func @padded
// CHECK-SAME: (%[[X:.+]]: tensor<64x128xf32>, %[[Y:.+]]: tensor<128x37xf32>)
// CHECK: %[[OUT:.+]] = bufferization.alloc_tensor() : tensor<64x37xf32>
// CHECK: %[[Y0:.+]] = tensor.extract_slice %[[Y]][0, 0] [128, 32] [1, 1]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<128x1x32xf32>) outs(%{{.*}} : tensor<1x128x32xf32>)
// CHECK: %[[C0:.+]] = tensor.extract_slice %[[OUT]][0, 0] [64, 32] [1, 1]
// CHECK: %[[E0:.+]] = tensor.expand_shape %[[C0]] {{\[\[}}0], [1, 2]] output_shape [64, 1, 32]
// CHECK: %[[F0:.+]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<64x1x32xf32>)
// CHECK: %[[R0:.+]] = linalg.generic {{.*}} outs(%[[F0]] : tensor<64x1x32xf32>)
// CHECK: %[[M0:.+]] = tensor.collapse_shape %[[R0]]
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[M0]] into %[[OUT]][0, 0] [64, 32] [1, 1]
// CHECK: %[[Y1:.+]] = tensor.extract_slice %[[Y]][0, 32] [128, 5] [1, 1]
// CHECK: tensor.pad %[[Y1]] low[0, 0] high[0, 3]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<128x1x8xf32>) outs(%{{.*}} : tensor<1x128x8xf32>)
// CHECK: %[[R1:.+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<64x1x8xf32>)
// CHECK: %[[M1:.+]] = tensor.collapse_shape %[[R1]]
// CHECK: %[[S1:.+]] = tensor.extract_slice %[[M1]][0, 0] [64, 5] [1, 1] : tensor<64x8xf32> to tensor<64x5xf32>
// CHECK: %[[I1:.+]] = tensor.insert_slice %[[S1]] into %[[I0]][0, 32] [64, 5] [1, 1]
// CHECK: return %[[I1]]
func.func @padded(%a: tensor<64x128xf32>, %b: tensor<128x37xf32>) -> tensor<64x37xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x128xf32>, tensor<128x37xf32>) -> tensor<64x37xf32>
  return %r : tensor<64x37xf32>
}

// -----

// M not a multiple of the row tile (8): the 5 remaining rows are a generic
// of their own (its row tile is 5), reading a slice of A and the same
// packed panels of B, in place in the output like the whole row tiles.
// CHECK-LABEL: func @split_rows
// CHECK-SAME: (%[[X:.+]]: tensor<61x128xf32>, %[[Y:.+]]: tensor<128x64xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[OUT:.+]] = bufferization.alloc_tensor() : tensor<61x64xf32>
// CHECK: %[[X0:.+]] = tensor.extract_slice %[[X]][0, 0] [56, 128] [1, 1]
// CHECK: %[[P:.+]] = linalg.transpose
// CHECK: tensor.extract_slice %[[OUT]][0, 0] [56, 64] [1, 1]
// CHECK: %[[R0:.+]] = linalg.generic {{.*}} ins(%[[X0]], %[[P]] : tensor<56x128xf32>, tensor<2x128x32xf32>) outs(%{{.*}} : tensor<56x2x32xf32>)
// CHECK: %[[I0:.+]] = tensor.insert_slice %{{.*}} into %[[OUT]][0, 0] [56, 64] [1, 1]
// CHECK: %[[X1:.+]] = tensor.extract_slice %[[X]][56, 0] [5, 128] [1, 1]
// CHECK: tensor.extract_slice %[[I0]][56, 0] [5, 64] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[X1]], %[[P]] : tensor<5x128xf32>, tensor<2x128x32xf32>) outs(%{{.*}} : tensor<5x2x32xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %[[I0]][56, 0] [5, 64] [1, 1]
// CHECK-NOT: linalg.generic
func.func @split_rows(%a: tensor<61x128xf32>, %b: tensor<128x64xf32>) -> tensor<61x64xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<61x128xf32>, tensor<128x64xf32>) -> tensor<61x64xf32>
  return %r : tensor<61x64xf32>
}

// -----

// An operand that carries N but is used too few times to pack is split
// into panels in place (a view); the one reused is packed.
// CHECK-LABEL: func @carries_n_unpacked
// CHECK-SAME: (%[[X:.+]]: tensor<8x16x64xf32>, %[[Y:.+]]: tensor<16x64xf32>)
// CHECK: %[[XE:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1], [2, 3]] output_shape [8, 16, 2, 32]
// CHECK: %[[YP:.+]] = linalg.transpose
// CHECK: linalg.generic {{.*}} ins(%[[XE]], %[[YP]] : tensor<8x16x2x32xf32>, tensor<2x16x32xf32>)
func.func @carries_n_unpacked(%a: tensor<8x16x64xf32>, %b: tensor<16x64xf32>) -> tensor<8x64xf32> {
  %r = einsum.contract "ikj,kj->ij" ins(%a, %b : tensor<8x16x64xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
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

// -----

// N narrower than the register tile (31 < 32): one panel of 32 lanes, the
// 31 columns padded with a zero column, not a 31-lane vector.
// CHECK-LABEL: func @narrow_n
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 1]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<64x1x32xf32>) outs(%{{.*}} : tensor<1x64x32xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<64x1x32xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [64, 31] [1, 1] : tensor<64x32xf32> to tensor<64x31xf32>
func.func @narrow_n(%a: tensor<64x64xf32>, %b: tensor<64x31xf32>) -> tensor<64x31xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x64xf32>, tensor<64x31xf32>) -> tensor<64x31xf32>
  return %r : tensor<64x31xf32>
}

// -----

// The row operand (mknl: M = k, l a batch dim, its summed axes m and n not
// innermost) is copied with its free axes first in the output's order (l,
// k) and its summed axes last; l and k then merge into one M of 128. The N
// operand's summed axes are packed in the same order before the lane, and
// m x n merges into one K of 64. (N = i = 48: a 32-lane panel, then a
// 16-lane one.)
// CHECK-DAG: #[[PB:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d3, d4)>
// CHECK-DAG: #[[PA:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3)>
// CHECK-LABEL: func @row_pack
// CHECK-SAME: (%[[B:.+]]: tensor<8x8x8x48xf32>, %[[A:.+]]: tensor<8x16x8x8xf32>)
// CHECK: %[[ROWS:.+]] = linalg.transpose ins(%[[A]] : tensor<8x16x8x8xf32>) outs(%{{.*}} : tensor<8x16x8x8xf32>) permutation = [3, 1, 0, 2] {einsum.row_pack}
// CHECK: linalg.transpose ins(%{{.*}} : tensor<8x8x8x1x32xf32>) outs(%{{.*}} : tensor<8x1x8x8x32xf32>) permutation = [1, 3, 2, 0, 4]
// CHECK-NOT: einsum.row_pack
// CHECK: %[[KA:.+]] = tensor.collapse_shape %[[ROWS]] {{\[\[}}0, 1], [2, 3]] : tensor<8x16x8x8xf32> into tensor<128x64xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PB]], #[[PA]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %[[KA]] : tensor<8x1x64x32xf32>, tensor<128x64xf32>) outs(%{{.*}} : tensor<128x8x1x32xf32>)
func.func @row_pack(%b: tensor<8x8x8x48xf32>, %a: tensor<8x16x8x8xf32>) -> tensor<8x16x8x48xf32> {
  %r = einsum.contract "njmi,mknl->lkji" ins(%b, %a : tensor<8x8x8x48xf32>, tensor<8x16x8x8xf32>) -> tensor<8x16x8x48xf32>
  return %r : tensor<8x16x8x48xf32>
}

// -----

// A row operand whose summed axes are already innermost (jlk) is read in
// place; K = k (its innermost), and l x k merges into one K of 1024 once the
// N operand (lik) is packed as [panel, l, k, lane].
// CHECK-LABEL: func @no_row_pack
// CHECK-SAME: (%[[B:.+]]: tensor<64x32x16xf32>, %[[A:.+]]: tensor<48x64x16xf32>)
// CHECK-NOT: einsum.row_pack
// CHECK: linalg.transpose ins(%{{.*}} : tensor<64x1x32x16xf32>) outs(%{{.*}} : tensor<1x64x16x32xf32>) permutation = [1, 0, 3, 2]
// CHECK: %[[KA:.+]] = tensor.collapse_shape %[[A]] {{\[\[}}0], [1, 2]] : tensor<48x64x16xf32> into tensor<48x1024xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %[[KA]] : tensor<1x1024x32xf32>, tensor<48x1024xf32>)
func.func @no_row_pack(%b: tensor<64x32x16xf32>, %a: tensor<48x64x16xf32>) -> tensor<48x32xf32> {
  %r = einsum.contract "lik,jlk->ji" ins(%b, %a : tensor<64x32x16xf32>, tensor<48x64x16xf32>) -> tensor<48x32xf32>
  return %r : tensor<48x32xf32>
}
