// RUN: einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-collapse-dims --canonicalize | FileCheck %s

// abcd,cdef->abef is a 1024 x 1024 x 1024 GEMM.
// CHECK-LABEL: func.func @gemm_in_disguise
// CHECK-DAG:     tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2, 3]] : tensor<32x32x32x32xf32> into tensor<1024x1024xf32>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<1024x1024xf32>, tensor<1024x1024xf32>)
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2, 3]]
func.func @gemm_in_disguise(%x: tensor<32x32x32x32xf32>, %y: tensor<32x32x32x32xf32>) -> tensor<32x32x32x32xf32> {
  %r = einsum.contract "abcd,cdef->abef" ins(%x, %y : tensor<32x32x32x32xf32>, tensor<32x32x32x32xf32>) -> tensor<32x32x32x32xf32>
  return %r : tensor<32x32x32x32xf32>
}

// In aebf,dfce->abcd no two dims move together in every operand.
// CHECK-LABEL: func.func @nothing_to_merge
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
func.func @nothing_to_merge(%x: tensor<4x5x6x7xf32>, %y: tensor<3x7x2x5xf32>) -> tensor<4x6x2x3xf32> {
  %r = einsum.contract "aebf,dfce->abcd" ins(%x, %y : tensor<4x5x6x7xf32>, tensor<3x7x2x5xf32>) -> tensor<4x6x2x3xf32>
  return %r : tensor<4x6x2x3xf32>
}

// Dims absent from an operand merge where they are present: b c f move
// together in the second operand and the output, the first has none.
// CHECK-LABEL: func.func @partial_presence
// CHECK:         tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : tensor<3x4x5x6xf32> into tensor<60x6xf32>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @partial_presence(%x: tensor<2x6xf32>, %y: tensor<3x4x5x6xf32>) -> tensor<2x3x4x5xf32> {
  %r = einsum.contract "ad,bcfd->abcf" ins(%x, %y : tensor<2x6xf32>, tensor<3x4x5x6xf32>) -> tensor<2x3x4x5xf32>
  return %r : tensor<2x3x4x5xf32>
}

// Dynamic shapes are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT:     tensor.collapse_shape
func.func @dynamic(%x: tensor<?x?x?xf32>) -> tensor<?x?xf32> {
  %r = einsum.contract "abc->ab" ins(%x : tensor<?x?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Loop dims of extent 1 are dropped: a GEMM with one column is a
// matrix-vector product (which einsum-cpu-split-reduction then vectorizes
// along k).
// CHECK-LABEL: func.func @unit_column
// CHECK:         tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<512x1xf32> into tensor<512xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<256x512xf32>, tensor<512xf32>) outs(%{{.*}} : tensor<256xf32>)
// CHECK:         tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [256, 1] : tensor<256xf32> into tensor<256x1xf32>
func.func @unit_column(%a: tensor<256x512xf32>, %x: tensor<512x1xf32>) -> tensor<256x1xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %x : tensor<256x512xf32>, tensor<512x1xf32>) -> tensor<256x1xf32>
  return %r : tensor<256x1xf32>
}
