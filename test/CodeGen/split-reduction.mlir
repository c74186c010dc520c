// RUN: einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-target=target-cpu=skylake-avx512 --einsum-cpu-split-reduction --canonicalize | FileCheck %s

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

// Untouched: the summed axis is not innermost (ij->j), shorter than a
// vector, or one input's sum of whole vectors (a lane sum for
// einsum-cpu-tile as it is).
// CHECK-LABEL: func.func @untouched
// CHECK-NOT:     tensor.expand_shape
func.func @untouched(%a: tensor<64x256xf32>, %b: tensor<64x12xf32>, %c: tensor<64x16xf32>) -> (tensor<256xf32>, tensor<64xf32>, tensor<64xf32>) {
  %0 = einsum.contract "ij->j" ins(%a : tensor<64x256xf32>) -> tensor<256xf32>
  %1 = einsum.contract "ij->i" ins(%b : tensor<64x12xf32>) -> tensor<64xf32>
  %2 = einsum.contract "ij->i" ins(%c : tensor<64x16xf32>) -> tensor<64xf32>
  return %0, %1, %2 : tensor<256xf32>, tensor<64xf32>, tensor<64xf32>
}

// A product summed over one vector (`ij,j->i`, 16 floats): one vector of
// lanes, whose sum einsum-cpu-tile then takes 16 rows at a time.
// CHECK-LABEL: func.func @one_vector
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] {{.*}} into tensor<64x1x16xf32>
// CHECK:         %[[P:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:         linalg.generic {{.*}}ins(%[[P]] : tensor<64x16xf32>)
func.func @one_vector(%a: tensor<64x16xf32>, %x: tensor<16xf32>) -> tensor<64xf32> {
  %0 = einsum.contract "ij,j->i" ins(%a, %x : tensor<64x16xf32>, tensor<16xf32>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// Not a multiple of the lanes (i32, 100 = 3 x 32 + 4): the first 96 are
// split, the last 4 summed by a copy of the op on the tails, accumulating
// into the combined partial sums.
// CHECK-LABEL: func.func @tail
// CHECK-SAME:    (%[[A:.*]]: tensor<4x100xi32>)
// CHECK:         %[[HEAD:.*]] = tensor.extract_slice %[[A]][0, 0] [4, 96] [1, 1]
// CHECK:         tensor.expand_shape %[[HEAD]] {{\[}}[0], [1, 2]] {{.*}} into tensor<4x3x32xi32>
// CHECK:         %[[P:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:         %[[C:.*]] = linalg.generic {{.*}}ins(%[[P]] : tensor<4x32xi32>)
// CHECK:         %[[TAIL:.*]] = tensor.extract_slice %[[A]][0, 96] [4, 4] [1, 1]
// CHECK:         %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[TAIL]] : tensor<4x4xi32>) outs(%[[C]] : tensor<4xi32>)
// CHECK:         return %[[R]]
func.func @tail(%c: tensor<4x100xi32>) -> tensor<4xi32> {
  %0 = einsum.contract "ij->i" ins(%c : tensor<4x100xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
