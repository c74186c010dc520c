// RUN: einsum-opt %s --einsum-cpu-target="target-cpu=skylake-avx512 l1-bytes=49152 l2-bytes=2097152" --einsum-cpu-plan --einsum-cpu-tile --canonicalize --cse -split-input-file | FileCheck %s
// RUN: einsum-opt %s --einsum-cpu-target="target-cpu=haswell l1-bytes=49152 l2-bytes=2097152" --einsum-cpu-plan --einsum-cpu-tile --canonicalize --cse -split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: einsum-opt %s --einsum-cpu-target="target-cpu=skylake-avx512 l1-bytes=32768 l2-bytes=1048576" --einsum-cpu-plan="mc=64 nc=128 kc=32 mr=4 nr=16" --einsum-cpu-tile --canonicalize --cse -split-input-file | FileCheck %s --check-prefix=OPTS

#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>

// Cache tiles on the parallel dims (scf.forall), the K cache tile,
// register tiles (M loop before N: rows written front to back), K by one;
// the register tile is marked with its vector sizes. The first K tile is
// peeled off the K-tile loop: its register tiles start from the zero fill
// (zero registers), so the cache tile is never filled in memory.
// CHECK-LABEL: func @matmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (1024, 1024) step (256, 512)
// CHECK-NOT: linalg.fill
// CHECK:   scf.for %{{.*}} = %c0 to %c256 step %c8
// CHECK:     scf.for %{{.*}} = %c0 to %c512 step %c32
// CHECK:       linalg.fill {{.*}} -> tensor<8x32xf32>
// CHECK:       scf.for %{{.*}} = %c0 to %c256 step %c1
// CHECK:         linalg.generic
// CHECK-SAME:    ins(%{{.*}}, %{{.*}} : tensor<8x1xf32>, tensor<1x32xf32>) outs(%{{.*}} : tensor<8x32xf32>)
// CHECK-SAME:    einsum.vector_sizes = array<i64: 8, 32, 1>
// CHECK:   scf.for %{{.*}} = %c256 to %c768 step %c256
// CHECK:     scf.for %{{.*}} = %c0 to %c256 step %c8
// CHECK:       scf.for %{{.*}} = %c0 to %c512 step %c32
// CHECK-NOT:     linalg.fill
// CHECK:         scf.for %{{.*}} = %c0 to %c256 step %c1
// CHECK:           linalg.generic
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<8x1xf32>, tensor<1x32xf32>) outs(%{{.*}} : tensor<8x32xf32>)
// CHECK-SAME:      einsum.vector_sizes = array<i64: 8, 32, 1>
// CHECK: scf.forall.in_parallel

// 256-bit vectors: two 8-lane vectors per row, 6 rows (16 registers).
// AVX2-LABEL: func @matmul
// AVX2: linalg.generic
// AVX2-SAME: ins(%{{.*}}, %{{.*}} : tensor<6x1xf32>, tensor<1x16xf32>)
// AVX2-SAME: einsum.vector_sizes = array<i64: 6, 16, 1>
// AVX2-LABEL: func @short_k

// OPTS-LABEL: func @matmul
// OPTS: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (1024, 1024) step (64, 128)
// OPTS: step %c32
// OPTS: einsum.vector_sizes = array<i64: 4, 16, 1>
func.func @matmul(%a: tensor<1024x768xf32>, %b: tensor<768x1024xf32>) -> tensor<1024x1024xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %r = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<1024x768xf32>, tensor<768x1024xf32>) outs(%f : tensor<1024x1024xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1024x1024xf32>
  return %r : tensor<1024x1024xf32>
}

// -----

// When K fits one cache tile there is no K cache loop, and the zero fill
// moves into the register tile.
// CHECK-LABEL: func @short_k
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK:   scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK:     linalg.fill {{.*}} -> tensor<8x32xf32>
// CHECK:     scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK:       linalg.generic
#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @short_k(%a: tensor<64x16xf32>, %b: tensor<16x64xf32>) -> tensor<64x64xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x16xf32>, tensor<16x64xf32>) outs(%f : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// Odd sizes: the register loops are peeled (inner first), so with static
// shapes every remainder is a static tile: 997 = 124 x 8 + 5 rows,
// 1013 = 31 x 32 + 21 columns.
// CHECK-LABEL: func @odd
// CHECK-DAG: ins(%{{.*}}, %{{.*}} : tensor<8x1xf32>, tensor<1x32xf32>)
// CHECK-DAG: ins(%{{.*}}, %{{.*}} : tensor<5x1xf32>, tensor<1x32xf32>)
// CHECK-DAG: ins(%{{.*}}, %{{.*}} : tensor<8x1xf32>, tensor<1x21xf32>)
// CHECK-DAG: ins(%{{.*}}, %{{.*}} : tensor<5x1xf32>, tensor<1x21xf32>)
// CHECK-NOT: tensor<?x
#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @odd(%a: tensor<997x31xf32>, %b: tensor<31x1013xf32>) -> tensor<997x1013xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<997x1013xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<997x1013xf32>) -> tensor<997x1013xf32>
  %r = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<997x31xf32>, tensor<31x1013xf32>) outs(%f : tensor<997x1013xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<997x1013xf32>
  return %r : tensor<997x1013xf32>
}

// -----

// Diagonals (non-permutation maps) are left alone.
// CHECK-LABEL: func @diagonal
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-NOT: einsum.vector_sizes
func.func @diagonal(%a: tensor<64x64xf32>) -> tensor<64xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0, d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%a : tensor<64x64xf32>) outs(%f : tensor<64xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// Packing copies: tiled into blocks that vectorize. Innermost dim kept:
// rows of up to 64 lanes; innermost dim moved: 16x16 blocks.
// CHECK-LABEL: func @transposes
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x1x32xf32>) {{.*}}einsum.vector_sizes = array<i64: 1, 1, 32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<16x1x16xf32>) {{.*}}einsum.vector_sizes = array<i64: 1, 16, 16>
func.func @transposes(%a: tensor<64x8x32xf32>, %b: tensor<64x8x32xf32>) -> (tensor<8x64x32xf32>, tensor<8x32x64xf32>) {
  %e0 = tensor.empty() : tensor<8x64x32xf32>
  %t0 = linalg.transpose ins(%a : tensor<64x8x32xf32>) outs(%e0 : tensor<8x64x32xf32>) permutation = [1, 0, 2]
  %e1 = tensor.empty() : tensor<8x32x64xf32>
  %t1 = linalg.transpose ins(%b : tensor<64x8x32xf32>) outs(%e1 : tensor<8x32x64xf32>) permutation = [1, 2, 0]
  return %t0, %t1 : tensor<8x64x32xf32>, tensor<8x32x64xf32>
}

// -----

// A permuting einsum (`abc->cba`: zero fill plus the input) becomes the
// linalg.transpose it is: 256x256 cache blocks of the two moving dims, then
// 16x16 vector blocks, the loops walking the source in its memory order
// (its rows are streams; the output gets whole cache lines).
// CHECK-LABEL: func @einsum_transpose
// CHECK-NOT:   linalg.generic
// CHECK:       scf.for {{.*}} step %c256
// CHECK:         scf.for {{.*}} step %c256
// CHECK:           scf.for %[[A:[a-z0-9_]+]] = {{.*}} step %c16
// CHECK-NEXT:        scf.for %[[B:[a-z0-9_]+]] = {{.*}} step %c1
// CHECK-NEXT:          scf.for %[[C:[a-z0-9_]+]] = {{.*}} step %c16
// CHECK-NEXT:            tensor.extract_slice %{{.*}}[%[[A]], %[[B]], %[[C]]] [16, 1, 16]
// CHECK:       linalg.transpose ins(%{{.*}} : tensor<16x1x16xf32>) {{.*}}permutation = [2, 1, 0] {{.*}}einsum.vector_sizes = array<i64: 16, 1, 16>
#in = affine_map<(d0, d1, d2) -> (d2, d1, d0)>
#out = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @einsum_transpose(%a: tensor<512x4x512xf32>) -> tensor<512x4x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x4x512xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<512x4x512xf32>) -> tensor<512x4x512xf32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a : tensor<512x4x512xf32>) outs(%f : tensor<512x4x512xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<512x4x512xf32>
  return %r : tensor<512x4x512xf32>
}

// -----

// An elementwise generic (no reduction) does not read its zero-filled
// accumulator: the fill value takes its place in the body and the tiles
// write into the fill's destination (the output is then write-only,
// streamable, remainder tiles included).
// CHECK-LABEL: func @elementwise_drops_fill
// CHECK:       %[[ZERO:.+]] = arith.constant 0.0
// CHECK:       %[[E:.+]] = tensor.empty() : tensor<37x100xf32>
// CHECK-NOT:   linalg.fill
// CHECK:       scf.for {{.*}} iter_args(%{{.*}} = %[[E]])
// CHECK:       linalg.generic
// CHECK:       ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %{{.*}}: f32):
// CHECK-NEXT:    %[[P:.+]] = arith.mulf %[[X]], %[[Y]]
// CHECK-NEXT:    %[[S:.+]] = arith.addf %[[P]], %[[ZERO]]
// CHECK-NEXT:    linalg.yield %[[S]]
func.func @elementwise_drops_fill(%a: tensor<37xf32>, %b: tensor<100xf32>) -> tensor<37x100xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x100xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<37x100xf32>) -> tensor<37x100xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<37xf32>, tensor<100xf32>) outs(%f : tensor<37x100xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<37x100xf32>
  return %r : tensor<37x100xf32>
}

// -----

// Transpose blocks are peeled: whole 16x16 blocks have static shapes, the
// 5-wide and 8-wide remainders are blocks of their own static shapes.
// CHECK-LABEL: func @transpose_edges
// CHECK:       linalg.transpose ins(%{{.*}} : tensor<16x16xf32>) outs(%{{.*}} : tensor<16x16xf32>)
// CHECK:       linalg.transpose ins(%{{.*}} : tensor<16x5xf32>) outs(%{{.*}} : tensor<5x16xf32>)
// CHECK:       linalg.transpose ins(%{{.*}} : tensor<8x16xf32>) outs(%{{.*}} : tensor<16x8xf32>)
// CHECK:       linalg.transpose ins(%{{.*}} : tensor<8x5xf32>) outs(%{{.*}} : tensor<5x8xf32>)
// CHECK-NOT:   tensor<?x
func.func @transpose_edges(%a: tensor<40x37xf32>) -> tensor<37x40xf32> {
  %e = tensor.empty() : tensor<37x40xf32>
  %t = linalg.transpose ins(%a : tensor<40x37xf32>) outs(%e : tensor<37x40xf32>) permutation = [1, 0]
  return %t : tensor<37x40xf32>
}

// -----

// Partial sums in lanes (einsum-cpu-split-reduction's `ij->i`) and the sum
// of their lanes share one scf.forall over row tiles: each tile's 64 x 32
// partial sums (a quarter of L1, four rows per register tile) are summed
// while in cache, 16 rows by 16 lanes per step (a transposing reduction of contiguous rows), instead of
// a 1024 x 32 tensor written to memory and read back.
// CHECK-LABEL: func @lane_sum
// CHECK:       %[[PARTIAL:.+]] = tensor.empty() : tensor<1024x32xf32>
// CHECK:       scf.forall (%[[ROW:.+]]) = (0) to (1024) step (64)
// CHECK:         %[[TILE:.+]] = tensor.extract_slice %[[PARTIAL]][%[[ROW]], 0] [64, 32]
// CHECK:         scf.for {{.*}} step %c4 iter_args(%{{.*}} = %[[TILE]]) -> (tensor<64x32xf32>)
// CHECK:           linalg.generic
// CHECK-SAME:        einsum.vector_sizes = array<i64: 4, 1, 32>
// CHECK:         scf.for {{.*}} step %c16
// CHECK:           scf.for {{.*}} step %c16
// CHECK:             linalg.generic
// CHECK-SAME:          ins(%{{.*}} : tensor<16x16xf32>) outs(%{{.*}} : tensor<16xf32>)
// CHECK-SAME:          einsum.vector_sizes = array<i64: 16, 16>
// CHECK:         scf.forall.in_parallel
// CHECK-NOT:   linalg.generic
func.func @lane_sum(%a: tensor<1024x256xf32>) -> tensor<1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1024xf32>) -> tensor<1024xf32>
  %x = tensor.expand_shape %a [[0], [1, 2]] output_shape [1024, 8, 32] : tensor<1024x256xf32> into tensor<1024x8x32xf32>
  %pe = tensor.empty() : tensor<1024x32xf32>
  %pf = linalg.fill ins(%zero : f32) outs(%pe : tensor<1024x32xf32>) -> tensor<1024x32xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(i, k, l) -> (i, k, l)>, affine_map<(i, k, l) -> (i, l)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<1024x8x32xf32>) outs(%pf : tensor<1024x32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<1024x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, l) -> (i, l)>, affine_map<(i, l) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%p : tensor<1024x32xf32>) outs(%f : tensor<1024xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<1024xf32>
  return %r : tensor<1024xf32>
}

// -----

// A short sum of whole vectors (16 floats, too short to split into lanes)
// is a lane sum by itself: 4096-row cache tiles, then 16 rows x 16 lanes
// per step, not 16 rows gathered 64 bytes apart per vector.
// CHECK-LABEL: func @short_rows
// CHECK:       scf.forall (%{{.*}}) = (0) to (8192) step (4096)
// CHECK:         scf.for {{.*}} step %c16
// CHECK:           linalg.generic
// CHECK-SAME:        ins(%{{.*}} : tensor<16x16xf32>) outs(%{{.*}} : tensor<16xf32>)
// CHECK-SAME:        einsum.vector_sizes = array<i64: 16, 16>
func.func @short_rows(%a: tensor<8192x16xf32>) -> tensor<8192xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8192xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8192xf32>) -> tensor<8192xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, l) -> (i, l)>, affine_map<(i, l) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<8192x16xf32>) outs(%f : tensor<8192xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<8192xf32>
  return %r : tensor<8192xf32>
}

// -----

// The attention output after einsum-cpu-layout (`hqk,hkd->qhd` with d in
// panels p x l): the batch dim h comes after M (q) in the dims' order, but
// the cache tiles walk it first, so one head's tiles run one after another
// and share its packed block of B. K = 512 is at most two K tiles: one
// tile, so the zero fill moves into the register tile.
// CHECK-LABEL: func @batch_before_m
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 512) step (1, 128)
// CHECK-NOT:     linalg.fill {{.*}} -> tensor<128x1x2x32xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c128 step %c8
// CHECK:           scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:             linalg.fill {{.*}} -> tensor<8x1x1x32xf32>
// CHECK:             scf.for %{{.*}} = %c0 to %c512 step %c1
// CHECK:               linalg.generic
// CHECK-SAME:          einsum.vector_sizes = array<i64: 8, 1, 1, 1, 32>
#mapA = affine_map<(q, h, p, k, l) -> (h, q, k)>
#mapB = affine_map<(q, h, p, k, l) -> (h, p, k, l)>
#mapO = affine_map<(q, h, p, k, l) -> (q, h, p, l)>
func.func @batch_before_m(%a: tensor<8x512x512xf32>, %b: tensor<8x2x512x32xf32>) -> tensor<512x8x2x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x8x2x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<512x8x2x32xf32>) -> tensor<512x8x2x32xf32>
  %r = linalg.generic {indexing_maps = [#mapA, #mapB, #mapO], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x512x512xf32>, tensor<8x2x512x32xf32>) outs(%f : tensor<512x8x2x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<512x8x2x32xf32>
  return %r : tensor<512x8x2x32xf32>
}

// -----

// A partial last cache tile (100 rows in tiles of 64) has dynamic sizes;
// the first K tile still starts from zero registers and no fill of the
// cache tile is left behind.
// OPTS-LABEL: func @partial_cache_tile
// OPTS:       scf.forall (%{{.*}}) = (0) to (100) step (64)
// OPTS-NOT:     linalg.fill {{.*}} -> tensor<?x128xf32>
// OPTS:         scf.for %{{.*}} = %c0 to %{{.*}} step %c4
// OPTS:           scf.for %{{.*}} = %c0 to %c128 step %c16
// OPTS:             linalg.fill {{.*}} -> tensor<4x16xf32>
// OPTS-NOT:     linalg.fill {{.*}} -> tensor<?x128xf32>
// OPTS:         scf.for %{{.*}} = %c32 to %c96 step %c32
// OPTS-NOT:     linalg.fill {{.*}} -> tensor<?x128xf32>
// OPTS:       scf.forall.in_parallel
#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @partial_cache_tile(%a: tensor<100x96xf32>, %b: tensor<96x128xf32>) -> tensor<100x128xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<100x128xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<100x128xf32>) -> tensor<100x128xf32>
  %r = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<100x96xf32>, tensor<96x128xf32>) outs(%f : tensor<100x128xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<100x128xf32>
  return %r : tensor<100x128xf32>
}

// -----

// A packing copy (einsum-cpu-layout's panels of B) moves into the cache-tile
// loop when no other tile reads its slice: here every tile is one batch
// slice b (M = 64 is one tile). Each tile packs its own slice into a buffer
// of that size, read while it is still in cache; the whole packed tensor
// is never made.
// CHECK-LABEL: func @pack_per_tile
// CHECK-NOT:   linalg.transpose
// CHECK:       scf.forall (%{{.*}}) in (4)
// CHECK:         tensor.empty() : tensor<1x2x128x32xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c128 step %c1
// CHECK:           linalg.transpose ins(%{{.*}} : tensor<1x1x1x32xf32>) {{.*}}permutation = [0, 2, 1, 3] {{.*}}einsum.vector_sizes = array<i64: 1, 1, 1, 32>
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK:           linalg.generic
// CHECK-SAME:      einsum.vector_sizes = array<i64: 1, 8, 1, 1, 32>
// CHECK:       scf.forall.in_parallel
#mapA = affine_map<(b, i, p, k, l) -> (b, i, k)>
#mapB = affine_map<(b, i, p, k, l) -> (b, p, k, l)>
#mapO = affine_map<(b, i, p, k, l) -> (b, i, p, l)>
func.func @pack_per_tile(%a: tensor<4x64x128xf32>, %b: tensor<4x128x2x32xf32>, %init: tensor<4x64x2x32xf32>) -> tensor<4x64x2x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2x128x32xf32>
  %packed = linalg.transpose ins(%b : tensor<4x128x2x32xf32>) outs(%e : tensor<4x2x128x32xf32>) permutation = [0, 2, 1, 3]
  %f = linalg.fill ins(%cst : f32) outs(%init : tensor<4x64x2x32xf32>) -> tensor<4x64x2x32xf32>
  %r = linalg.generic {indexing_maps = [#mapA, #mapB, #mapO], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %packed : tensor<4x64x128xf32>, tensor<4x2x128x32xf32>) outs(%f : tensor<4x64x2x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x64x2x32xf32>
  return %r : tensor<4x64x2x32xf32>
}

// -----

// Two M tiles per batch slice (M = 1024) would pack the same slice of B:
// with 8 batch slices, the scf.forall keeps enough tiles over them alone,
// so the M tiles move to an scf.for inside each forall tile, after its
// pack.
// CHECK-LABEL: func @pack_inner
// CHECK-NOT:   linalg.transpose
// CHECK:       scf.forall (%{{.*}}) in (8)
// CHECK:         tensor.empty() : tensor<1x2x128x32xf32>
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<1x1x1x32xf32>)
// CHECK:         scf.for %{{.*}} = %c0 to %c1024 step %c512
// CHECK:           scf.for %{{.*}} = %c0 to %c512 step %c8
// CHECK:             linalg.generic
// CHECK-SAME:        einsum.vector_sizes = array<i64: 1, 8, 1, 1, 32>
// CHECK:       scf.forall.in_parallel
#mapA = affine_map<(b, i, p, k, l) -> (b, i, k)>
#mapB = affine_map<(b, i, p, k, l) -> (b, p, k, l)>
#mapO = affine_map<(b, i, p, k, l) -> (b, i, p, l)>
func.func @pack_inner(%a: tensor<8x1024x128xf32>, %b: tensor<8x128x2x32xf32>, %init: tensor<8x1024x2x32xf32>) -> tensor<8x1024x2x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x2x128x32xf32>
  %packed = linalg.transpose ins(%b : tensor<8x128x2x32xf32>) outs(%e : tensor<8x2x128x32xf32>) permutation = [0, 2, 1, 3]
  %f = linalg.fill ins(%cst : f32) outs(%init : tensor<8x1024x2x32xf32>) -> tensor<8x1024x2x32xf32>
  %r = linalg.generic {indexing_maps = [#mapA, #mapB, #mapO], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %packed : tensor<8x1024x128xf32>, tensor<8x2x128x32xf32>) outs(%f : tensor<8x1024x2x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x1024x2x32xf32>
  return %r : tensor<8x1024x2x32xf32>
}

// -----

// With two M tiles per batch slice (M = 1024) and only 4 batch slices, the
// forall would keep too few tiles without M: the pack stays whole, before
// the cache-tile loop, and both M tiles read it.
// CHECK-LABEL: func @pack_shared
// CHECK:       tensor.empty() : tensor<4x2x128x32xf32>
// CHECK:       linalg.transpose ins(%{{.*}} : tensor<1x1x1x32xf32>)
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 1024) step (1, 512)
// CHECK-NOT:     linalg.transpose
// CHECK:       scf.forall.in_parallel
#mapA = affine_map<(b, i, p, k, l) -> (b, i, k)>
#mapB = affine_map<(b, i, p, k, l) -> (b, p, k, l)>
#mapO = affine_map<(b, i, p, k, l) -> (b, i, p, l)>
func.func @pack_shared(%a: tensor<4x1024x128xf32>, %b: tensor<4x128x2x32xf32>, %init: tensor<4x1024x2x32xf32>) -> tensor<4x1024x2x32xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2x128x32xf32>
  %packed = linalg.transpose ins(%b : tensor<4x128x2x32xf32>) outs(%e : tensor<4x2x128x32xf32>) permutation = [0, 2, 1, 3]
  %f = linalg.fill ins(%cst : f32) outs(%init : tensor<4x1024x2x32xf32>) -> tensor<4x1024x2x32xf32>
  %r = linalg.generic {indexing_maps = [#mapA, #mapB, #mapO], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %packed : tensor<4x1024x128xf32>, tensor<4x2x128x32xf32>) outs(%f : tensor<4x1024x2x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x1024x2x32xf32>
  return %r : tensor<4x1024x2x32xf32>
}
