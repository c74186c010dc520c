// RUN: einsum-opt %s --einsum-cpu-expand-ops | FileCheck %s

// linalg.softmax becomes its generics: max, exp(x - max), sum, divide.
// CHECK-LABEL: func.func @softmax
// CHECK-NOT:     linalg.softmax
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maxnumf
// CHECK:         linalg.generic
// CHECK:           arith.subf
// CHECK-NOT:       math.exp
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           arith.addf
// CHECK:         linalg.generic
// CHECK:           arith.divf
func.func @softmax(%s: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %p : tensor<4x8xf32>
}

// f32 exp, scalar or vector, becomes a polynomial; f64 keeps math.exp.
// CHECK-LABEL: func.func @exp
// CHECK-NOT:     math.exp %{{.*}} : vector<16xf32>
// CHECK:         math.fma {{.*}} : vector<16xf32>
// CHECK:         math.exp %{{.*}} : f64
func.func @exp(%x: vector<16xf32>, %y: f64) -> (vector<16xf32>, f64) {
  %0 = math.exp %x : vector<16xf32>
  %1 = math.exp %y : f64
  return %0, %1 : vector<16xf32>, f64
}
