// RUN: einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-split-reduction=vector-bits=512 --canonicalize | FileCheck %s

// ik,k->i: 32 partial sums per row, read contiguously, then added up.
// CHECK-LABEL: func.func @matvec
// CHECK-DAG:     %[[A:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] {{.*}} : tensor<64x256xf32> into tensor<64x8x32xf32>
// CHECK-DAG:     %[[X:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1]] {{.*}} : tensor<256xf32> into tensor<8x32xf32>
// CHECK:         %[[P:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME:      ins(%[[A]], %[[X]] : tensor<64x8x32xf32>, tensor<8x32xf32>) outs(%{{.*}} : tensor<64x32xf32>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[P]] : tensor<64x32xf32>) outs(%{{.*}} : tensor<64xf32>)
// CHECK:           arith.addf
func.func @matvec(%a: tensor<64x256xf32>, %x: tensor<256xf32>) -> tensor<64xf32> {
  %r = einsum.contract "ik,k->i" ins(%a, %x : tensor<64x256xf32>, tensor<256xf32>) -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// A full sum of f64 (8 lanes per vector): 16 partial sums into a 0-d output.
// CHECK-LABEL: func.func @full_sum
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK-SAME:      outs(%{{.*}} : tensor<16xf64>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<f64>)
func.func @full_sum(%a: tensor<96xf64>) -> tensor<f64> {
  %r = einsum.contract "i->" ins(%a : tensor<96xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

// Untouched: the summed axis is not innermost (ij->j), too short, or not a
// multiple of a vector (i32, 100 = 4 x 25).
// CHECK-LABEL: func.func @untouched
// CHECK-NOT:     tensor.expand_shape
func.func @untouched(%a: tensor<64x256xf32>, %b: tensor<64x24xf32>, %c: tensor<4x100xi32>) -> (tensor<256xf32>, tensor<64xf32>, tensor<4xi32>) {
  %0 = einsum.contract "ij->j" ins(%a : tensor<64x256xf32>) -> tensor<256xf32>
  %1 = einsum.contract "ij->i" ins(%b : tensor<64x24xf32>) -> tensor<64xf32>
  %2 = einsum.contract "ij->i" ins(%c : tensor<4x100xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<256xf32>, tensor<64xf32>, tensor<4xi32>
}
