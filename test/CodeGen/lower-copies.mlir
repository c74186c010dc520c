// RUN: einsum-opt %s --einsum-cpu-lower-copies | FileCheck %s

// CHECK-LABEL: func @copy
// CHECK-SAME: (%[[S:.+]]: memref<4x5xf32, strided<[8, 1]>>, %[[D:.+]]: memref<4x5xf32>)
// CHECK: linalg.copy ins(%[[S]] : memref<4x5xf32, strided<[8, 1]>>) outs(%[[D]] : memref<4x5xf32>)
// CHECK-NOT: memref.copy
func.func @copy(%src: memref<4x5xf32, strided<[8, 1]>>, %dst: memref<4x5xf32>) {
  memref.copy %src, %dst : memref<4x5xf32, strided<[8, 1]>> to memref<4x5xf32>
  return
}
