// A plan written in the IR bypasses the selection: einsum-cpu-plan checks
// that it fits its op and keeps it, einsum-cpu-tile tiles by it (here 32-row
// cache tiles, K in tiles of 16, 4 x 16 register tiles, none of which the
// planner would choose for this GEMM).
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --einsum-cpu-plan | FileCheck %s --check-prefix=KEPT
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --einsum-cpu-plan --einsum-cpu-tile --canonicalize --cse | FileCheck %s

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>

// KEPT-LABEL: func.func @gemm
// KEPT: einsum.plan = #einsum.plan<roles = "mnk", cache = [32, 0, 0], cache_order = [0, 1, 2], reduction = [0, 0, 16], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>
// KEPT: einsum.plan = #einsum.transpose_plan<blocks = [0, 0], vector = [4, 8], order = [0, 1]>
// CHECK-LABEL: func.func @gemm
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (32)
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c48 step %c16
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<4x1xf32>, tensor<1x16xf32>) outs({{.*}} : tensor<4x16xf32>) attrs = {einsum.vector_sizes = array<i64: 4, 16, 1>}
// The copy, in vector blocks of 4 x 8 walked in the output's order.
// CHECK: scf.for %{{.*}} = %c0 to %c48 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c8
// CHECK: linalg.transpose ins({{.*}} : tensor<8x4xf32>) outs({{.*}} : tensor<4x8xf32>) permutation = [1, 0]  {einsum.vector_sizes = array<i64: 4, 8>}
// CHECK-NOT: einsum.plan
func.func @gemm(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>, %c: tensor<32x48xf32>) -> (tensor<64x48xf32>, tensor<48x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x48xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x48xf32>) -> tensor<64x48xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC],
                       iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [32, 0, 0], cache_order = [0, 1, 2],
                                                  reduction = [0, 0, 16], register = [4, 16, 0],
                                                  register_order = [0, 1, 2], inner_reduction = [0, 0, 1],
                                                  single_k_tile = false>}
      ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) outs(%fill : tensor<64x48xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x48xf32>
  %te = tensor.empty() : tensor<48x32xf32>
  %t = linalg.transpose ins(%c : tensor<32x48xf32>) outs(%te : tensor<48x32xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.transpose_plan<blocks = [0, 0], vector = [4, 8], order = [0, 1]>}
  return %r, %t : tensor<64x48xf32>, tensor<48x32xf32>
}

// -----

// A data layout written by hand: einsum-cpu-layout packs B into panels of 8
// lanes and splits the 64 rows by row tiles of 5 (60 + 4), as written; the
// plan pass then plans the parts.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --einsum-cpu-plan=layout --einsum-cpu-layout --canonicalize | FileCheck %s --check-prefix=LAYOUT
// LAYOUT-LABEL: func.func @layout_by_hand
// LAYOUT: linalg.transpose ins({{.*}} : tensor<32x6x8xf32>) outs({{.*}} : tensor<6x32x8xf32>) permutation = [1, 0, 2]
// LAYOUT: linalg.generic {{.*}} ins({{.*}} : tensor<60x32xf32>, tensor<6x32x8xf32>) outs({{.*}} : tensor<60x6x8xf32>)
// LAYOUT: linalg.generic {{.*}} ins({{.*}} : tensor<4x32xf32>, tensor<6x32x8xf32>) outs({{.*}} : tensor<4x6x8xf32>)
// LAYOUT-NOT: einsum.layout
#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @layout_by_hand(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>) -> tensor<64x48xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x48xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<64x48xf32>) -> tensor<64x48xf32>
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC],
                       iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 8, rows = 5>}
      ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) outs(%fill : tensor<64x48xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x48xf32>
  return %r : tensor<64x48xf32>
}
