// einsum-cpu-plan chooses each op's plan from the module's target: the same
// input gets different plans for an AVX2 and an AVX-512 target (register
// tiles 6 x 16 and 8 x 32 floats, cache tiles from their L1/L2, panels of 16
// and 32 lanes, transposes in 8 x 8 and 16 x 16 blocks).
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=haswell --convert-einsum-to-linalg --einsum-cpu-collapse-dims --einsum-cpu-split-reduction --canonicalize --einsum-cpu-plan=layout --einsum-cpu-layout --einsum-cpu-plan | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --convert-einsum-to-linalg --einsum-cpu-collapse-dims --einsum-cpu-split-reduction --canonicalize --einsum-cpu-plan=layout --einsum-cpu-layout --einsum-cpu-plan | FileCheck %s --check-prefixes=CHECK,AVX512
// The data layouts einsum-cpu-layout carries out, chosen the same way.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=haswell --convert-einsum-to-linalg --einsum-cpu-collapse-dims --einsum-cpu-split-reduction --canonicalize --einsum-cpu-plan=layout | FileCheck %s --check-prefix=LAYOUT2
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --convert-einsum-to-linalg --einsum-cpu-collapse-dims --einsum-cpu-split-reduction --canonicalize --einsum-cpu-plan=layout | FileCheck %s --check-prefix=LAYOUT512
// The overrides of the pass replace the chosen sizes.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --convert-einsum-to-linalg --einsum-cpu-plan="mc=64 nc=128 kc=32 mr=4 nr=16" | FileCheck %s --check-prefix=OPTS

// The GEMM packed into panels of two vectors (16 or 32 lanes); on AVX2 its
// 512 rows are tiles of 6 and an edge part of 2, each with its own plan. On
// AVX-512 the 12 panels are two even cache tiles of 6 (not 8 + 4: the
// threads' shares of the work would differ by 2x).
// CHECK-LABEL: func.func @gemm
// LAYOUT2: einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 16, rows = 6>
// LAYOUT512: einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 32, rows = 8>
// AVX2: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0], vector = [1, 1, 16], order = [1, 0, 2]>
// AVX2: einsum.plan = #einsum.plan<roles = "mpkn", cache = [30, 4, 0, 16], cache_order = [2, 0, 1, 3], reduction = [0, 0, 0, 0], register = [6, 1, 0, 16], register_order = [0, 1, 3, 2], inner_reduction = [0, 0, 1, 0], single_k_tile = true>
// AVX2: einsum.plan = #einsum.plan<roles = "mpkn", cache = [2, 4, 0, 16], {{.*}}register = [2, 1, 0, 16]
// AVX512: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0], vector = [1, 1, 32], order = [1, 0, 2]>
// AVX512: einsum.plan = #einsum.plan<roles = "mpkn", cache = [128, 6, 0, 32], cache_order = [2, 0, 1, 3], reduction = [0, 0, 0, 0], register = [8, 1, 0, 32], register_order = [0, 1, 3, 2], inner_reduction = [0, 0, 1, 0], single_k_tile = true>
// AVX512-NOT: einsum.plan
// Without einsum-cpu-layout, the overrides of the pass replace the chosen
// sizes of the plain GEMM (roles m, n, k).
// OPTS-LABEL: func.func @gemm
// OPTS: einsum.plan = #einsum.plan<roles = "mnk", cache = [64, 128, 0], cache_order = [2, 0, 1], reduction = [0, 0, 32], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>
func.func @gemm(%a: tensor<512x256xf32>, %b: tensor<256x384xf32>) -> tensor<512x384xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<512x256xf32>, tensor<256x384xf32>) -> tensor<512x384xf32>
  return %r : tensor<512x384xf32>
}

// -----

// A row sum split into lanes: the partial sums have no cache tiles of their
// own, the sum's row tiles are shared (a quarter of L1 of partial sums).
// CHECK-LABEL: func.func @rowsum
// AVX2: linalg.generic {{.*}}outs({{.*}} : tensor<4096x16xf32>)
// AVX2-SAME: einsum.plan = #einsum.plan<roles = "pkn", cache = [0, 0, 0], {{.*}}register = [4, 0, 16]
// AVX2: linalg.generic {{.*}}outs({{.*}} : tensor<4096xf32>)
// AVX2-SAME: einsum.plan = #einsum.plan<roles = "nk", cache = [128, 0], {{.*}}register = [8, 0], register_order = [0, 1], inner_reduction = [0, 8]
// AVX512: linalg.generic {{.*}}outs({{.*}} : tensor<4096x32xf32>)
// AVX512-SAME: einsum.plan = #einsum.plan<roles = "pkn", cache = [0, 0, 0], {{.*}}register = [4, 0, 32]
// AVX512: linalg.generic {{.*}}outs({{.*}} : tensor<4096xf32>)
// AVX512-SAME: einsum.plan = #einsum.plan<roles = "nk", cache = [64, 0], {{.*}}register = [16, 0], register_order = [0, 1], inner_reduction = [0, 16]
func.func @rowsum(%a: tensor<4096x256xf32>) -> tensor<4096xf32> {
  %r = einsum.contract "ij->i" ins(%a : tensor<4096x256xf32>) -> tensor<4096xf32>
  return %r : tensor<4096xf32>
}

// -----

// A permuting einsum: vector blocks of a vector's lanes in the two axes that
// move, 256 x 256 cache blocks of them, loops in the source's order.
// CHECK-LABEL: func.func @permute
// AVX2: einsum.plan = #einsum.transpose_plan<blocks = [256, 0, 256], vector = [8, 1, 8], order = [2, 1, 0]>
// AVX512: einsum.plan = #einsum.transpose_plan<blocks = [256, 0, 256], vector = [16, 1, 16], order = [2, 1, 0]>
func.func @permute(%a: tensor<300x200x100xf32>) -> tensor<100x200x300xf32> {
  %r = einsum.contract "abc->cba" ins(%a : tensor<300x200x100xf32>) -> tensor<100x200x300xf32>
  return %r : tensor<100x200x300xf32>
}

// -----

// Packed into panels of the register tile's width (16 or 32 lanes); on AVX2
// the 64 rows are 10 tiles of 6 and an edge part of 4, each with its plan.
// CHECK-LABEL: func.func @packed
// AVX2: linalg.transpose {{.*}}outs({{.*}} : tensor<128x128x16xf32>)
// AVX2-SAME: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0], vector = [1, 1, 16], order = [1, 0, 2]>
// AVX2: einsum.plan = #einsum.plan<roles = "mpkn", cache = [60, 8, 0, 16], cache_order = [2, 0, 1, 3], reduction = [0, 0, 0, 0], register = [6, 1, 0, 16]
// AVX2: einsum.plan = #einsum.plan<roles = "mpkn", cache = [4, 8, 0, 16], cache_order = [2, 0, 1, 3], reduction = [0, 0, 0, 0], register = [4, 1, 0, 16]
// AVX512: linalg.transpose {{.*}}outs({{.*}} : tensor<64x128x32xf32>)
// AVX512-SAME: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0], vector = [1, 1, 32], order = [1, 0, 2]>
// AVX512: einsum.plan = #einsum.plan<roles = "mpkn", cache = [64, 16, 0, 32], cache_order = [2, 0, 1, 3], reduction = [0, 0, 0, 0], register = [8, 1, 0, 32]
// AVX512-NOT: einsum.plan
func.func @packed(%a: tensor<64x128xf32>, %b: tensor<128x64x32xf32>) -> tensor<64x64x32xf32> {
  %r = einsum.contract "ik,kjl->ijl" ins(%a, %b : tensor<64x128xf32>, tensor<128x64x32xf32>) -> tensor<64x64x32xf32>
  return %r : tensor<64x64x32xf32>
}

// -----

// A row operand whose summed axes are not innermost (`njmi`: K = n outside)
// is copied (row_pack). N = 8 floats is one whole AVX2 vector, innermost in
// its operand: read in place; half an AVX-512 vector: packed and padded.
// CHECK-LABEL: func.func @rowpack
// LAYOUT2: einsum.layout = #einsum.layout_plan<row_pack = true, pack = [], panel = 8, rows = 6>
// LAYOUT512: einsum.layout = #einsum.layout_plan<row_pack = true, pack = [0], panel = 8, rows = 8>
// CHECK: linalg.transpose
// CHECK-SAME: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0, 0], vector = [8, 1, 1, 8], order = [2, 1, 3, 0]>, einsum.row_pack
// AVX2: einsum.plan = #einsum.plan<roles = "mpnrk",
// AVX512: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0, 0, 0], vector = [1, 1, 1, 1, 8], order = [3, 0, 2, 1, 4]>
// AVX512: einsum.plan = #einsum.plan<roles = "mbpkn",
func.func @rowpack(%a: tensor<8x8x8x8xf32>, %b: tensor<8x8x8x8xf32>) -> tensor<8x8x8x8xf32> {
  %r = einsum.contract "njmi,mknl->lkji" ins(%a, %b : tensor<8x8x8x8xf32>, tensor<8x8x8x8xf32>) -> tensor<8x8x8x8xf32>
  return %r : tensor<8x8x8x8xf32>
}

// -----

// The register tile's width: of one and two vectors, the fewest FMAs over
// all of N, then nothing padded. N = 24: 16 + 8 lanes on both targets (on
// AVX-512 a padded 32-lane panel has as many FMAs, plus a padded copy and
// a temporary output). N = 12: 8 + 4 on AVX2 (a padded 16 costs as many
// FMAs), one padded 16-lane panel on AVX-512 (one FMA instead of two).
// CHECK-LABEL: func.func @n24
// LAYOUT2: einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 16, rows = 6>
// LAYOUT512: einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 16, rows = 8>
// AVX512: einsum.plan = #einsum.plan<roles = "mpkn", cache = [64, 1, 0, 16], {{.*}}register = [8, 1, 0, 16]
// AVX512: einsum.plan = #einsum.plan<roles = "mpkn", cache = [64, 1, 0, 8], {{.*}}register = [8, 1, 0, 8]
// AVX512-NOT: einsum.plan
func.func @n24(%a: tensor<64x256xf32>, %b: tensor<256x24xf32>) -> tensor<64x24xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x256xf32>, tensor<256x24xf32>) -> tensor<64x24xf32>
  return %r : tensor<64x24xf32>
}

// -----

// CHECK-LABEL: func.func @n12
// LAYOUT2: einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 8, rows = 6>
// LAYOUT512: einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 16, rows = 8>
// AVX2: linalg.generic {{.*}}outs({{.*}} : tensor<60x1x8xf32>)
// AVX2: linalg.generic {{.*}}outs({{.*}} : tensor<60x1x4xf32>)
// AVX512: linalg.generic {{.*}}outs({{.*}} : tensor<64x1x16xf32>)
// AVX512-SAME: register = [8, 1, 0, 16]
func.func @n12(%a: tensor<64x256xf32>, %b: tensor<256x12xf32>) -> tensor<64x12xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x256xf32>, tensor<256x12xf32>) -> tensor<64x12xf32>
  return %r : tensor<64x12xf32>
}
