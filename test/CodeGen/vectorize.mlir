// RUN: einsum-opt %s --einsum-cpu-vectorize -split-input-file | FileCheck %s

#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>

// A static register tile becomes one vector.contract on its own operand
// shapes; the register-tile zero fill becomes a constant vector.
// CHECK-LABEL: func @register_tile
// CHECK-DAG: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// CHECK-DAG: %[[A:.+]] = vector.transfer_read %{{.*}} : tensor<8x1xf32>, vector<8x1xf32>
// CHECK-DAG: %[[B:.+]] = vector.transfer_read %{{.*}} : tensor<1x32xf32>, vector<32xf32>
// CHECK: vector.contract {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} %[[A]], %{{.*}}, %[[ZERO]] : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.
func.func @register_tile(%a: tensor<8x1xf32>, %b: tensor<1x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %cst = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%acc = %c) -> tensor<8x32xf32> {
    %f = linalg.fill ins(%cst : f32) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
    %g = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x1xf32>, tensor<1x32xf32>) outs(%f : tensor<8x32xf32>) attrs = {einsum.vector_sizes = array<i64: 8, 32, 1>} {
    ^bb0(%x: f32, %y: f32, %o: f32):
      %m = arith.mulf %x, %y : f32
      %s = arith.addf %o, %m : f32
      linalg.yield %s : f32
    } -> tensor<8x32xf32>
    scf.yield %g : tensor<8x32xf32>
  }
  return %r : tensor<8x32xf32>
}

// -----

// A remainder tile of dynamic size is vectorized with masks at its bound.
// CHECK-LABEL: func @remainder
// CHECK: %[[M:.+]] = vector.create_mask %{{.*}}, %{{.*}} : vector<8x16xi1>
// CHECK: vector.transfer_read {{.*}}, %[[M]]
// CHECK: vector.transfer_write {{.*}}, %[[M]]
#a2 = affine_map<(d0, d1, d2) -> (d0, d2)>
#b2 = affine_map<(d0, d1, d2) -> (d2, d1)>
#c2 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @remainder(%a: tensor<?x1xf32>, %b: tensor<1x16xf32>, %c: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %g = linalg.generic {indexing_maps = [#a2, #b2, #c2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x1xf32>, tensor<1x16xf32>) outs(%c : tensor<?x16xf32>) attrs = {einsum.vector_sizes = array<i64: 8, 32, 1>} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x16xf32>
  return %g : tensor<?x16xf32>
}

// -----

// A 16x16 block of a packing transpose becomes a vector transpose.
// CHECK-LABEL: func @transpose_block
// CHECK: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// CHECK: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK: vector.transfer_write
func.func @transpose_block(%a: tensor<16x16xf32>, %b: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %t = linalg.transpose ins(%a : tensor<16x16xf32>) outs(%b : tensor<16x16xf32>) permutation = [1, 0] {einsum.vector_sizes = array<i64: 16, 16>}
  return %t : tensor<16x16xf32>
}

// -----

// Unmarked ops are left alone.
// CHECK-LABEL: func @unmarked
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @unmarked(%a: tensor<8x8xf32>, %c: tensor<8xf32>) -> tensor<8xf32> {
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<8x8xf32>) outs(%c : tensor<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %o, %x : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %g : tensor<8xf32>
}

// -----

// The operand that carries the vector dim (the output's innermost) goes
// second and the loops take a GEMM's (m, n, k) order, whatever the einsum's
// operand and label order (`ijk,jl->ilk` tiles to this: (k, m, n), the
// vector operand first). The contraction is then the one of a GEMM with
// A stored K-major (`ki,kj->ij`), lowered to broadcasts and FMAs; before,
// the contraction lowering built every lane with inserts (10x slower).
// CHECK-LABEL: func @vector_operand_first
// CHECK: %[[W:.+]] = vector.transfer_read %{{.*}} : tensor<1x8xf32>, vector<8xf32>
// CHECK: %[[X:.+]] = vector.transfer_read %{{.*}} : tensor<1x32xf32>, vector<32xf32>
// CHECK: vector.contract {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} : vector<32x1x8xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @vector_operand_first(%x: tensor<1x32xf32>, %w: tensor<1x8xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %g = linalg.generic {indexing_maps = [affine_map<(k, m, n) -> (k, n)>, affine_map<(k, m, n) -> (k, m)>, affine_map<(k, m, n) -> (m, n)>], iterator_types = ["reduction", "parallel", "parallel"]} ins(%x, %w : tensor<1x32xf32>, tensor<1x8xf32>) outs(%c : tensor<8x32xf32>) attrs = {einsum.vector_sizes = array<i64: 1, 8, 32>} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  return %g : tensor<8x32xf32>
}
