// RUN: einsum-opt %s --einsum-cpu-lower-vectors --canonicalize | FileCheck %s

#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>

// The accumulator tile is read before the K loop and written after it (it
// lives in registers); the contraction becomes one FMA per row per step,
// and the K loop is unrolled by 4.
// CHECK-LABEL: func @kernel
// CHECK-SAME: (%[[A:.+]]: memref<8x256xf32>, %[[B:.+]]: memref<256x64xf32>, %[[C:.+]]: memref<8x64xf32>, %[[J:.+]]: index)
// CHECK: %[[ACC:.+]] = vector.transfer_read %[[C]][%{{.*}}, %[[J]]]{{.*}} : memref<8x64xf32>, vector<8x32xf32>
// CHECK: %[[R:.+]] = scf.for {{.*}} step %c4 iter_args(%{{.*}} = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK:   vector.load %[[B]][%{{.*}}, %[[J]]] : memref<256x64xf32>, vector<32xf32>
// CHECK-COUNT-32: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<32xf32>
// CHECK-NOT: vector.contract
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[R]], %[[C]][%{{.*}}, %[[J]]]
func.func @kernel(%A: memref<8x256xf32>, %B: memref<256x64xf32>, %C: memref<8x64xf32>, %j: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %pad = arith.constant 0.0 : f32
  %tile = memref.subview %C[0, %j] [8, 32] [1, 1] : memref<8x64xf32> to memref<8x32xf32, strided<[64, 1], offset: ?>>
  scf.for %k = %c0 to %c256 step %c1 {
    %a = vector.transfer_read %A[%c0, %k], %pad {in_bounds = [true, true]} : memref<8x256xf32>, vector<8x1xf32>
    %b = vector.transfer_read %B[%k, %j], %pad {in_bounds = [true, true]} : memref<256x64xf32>, vector<1x32xf32>
    %acc = vector.transfer_read %tile[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x32xf32, strided<[64, 1], offset: ?>>, vector<8x32xf32>
    %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %acc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    vector.transfer_write %r, %tile[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[64, 1], offset: ?>>
  }
  return
}

// An elementwise contraction (both operands carry the vector dim, the
// summed dim has size 1: the lanes of a split matrix-vector product,
// `ik,k->i`) is one FMA per row and vector, not a one-element dot product
// per lane.
// CHECK-LABEL: func @elementwise
// CHECK-NOT: vector.reduction
// CHECK: vector.fma {{.*}} : vector<4x32xf32>
// CHECK-NOT: vector.reduction
func.func @elementwise(%a: vector<4x1x32xf32>, %x: vector<1x32xf32>, %acc: vector<4x32xf32>) -> vector<4x32xf32> {
  %r = vector.contract {indexing_maps = [affine_map<(i, k, l) -> (i, k, l)>, affine_map<(i, k, l) -> (k, l)>, affine_map<(i, k, l) -> (i, l)>], iterator_types = ["parallel", "reduction", "parallel"], kind = #vector.kind<add>} %a, %x, %acc : vector<4x1x32xf32>, vector<1x32xf32> into vector<4x32xf32>
  return %r : vector<4x32xf32>
}
