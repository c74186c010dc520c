// RUN: einsum-opt %s --einsum-cpu-streaming-stores=min-bytes=4096 | FileCheck %s

// A large output the kernel only writes: a full-line store is streamed
// when its address is 64-byte aligned at run time.
// CHECK-LABEL: func.func @write_only
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index
// CHECK: %[[A:.*]] = arith.addi %[[P]], %{{.*}} : index
// CHECK: %[[M:.*]] = arith.remui %[[A]], %{{.*}} : index
// CHECK: %[[ALIGNED:.*]] = arith.cmpi eq, %[[M]], %{{.*}} : index
// CHECK: scf.if %[[ALIGNED]] {
// CHECK:   vector.store %{{.*}} {alignment = 64 : i64, nontemporal = true} : memref<64xf32, strided<[1], offset: ?>>, vector<16xf32>
// CHECK: } else {
// CHECK:   vector.store %{{.*}} : memref<64xf32, strided<[1], offset: ?>>, vector<16xf32>
// CHECK: }
// Partial lines keep ordinary stores. A fence orders the streamed stores
// before the return.
// CHECK: vector.store %{{.*}} : memref<64x64xf32>, vector<8xf32>
// CHECK: llvm.fence seq_cst
// CHECK-NEXT: return
func.func @write_only(%out: memref<64x64xf32>, %v: vector<16xf32>, %w: vector<8xf32>, %i: index, %j: index) {
  %view = memref.subview %out[%i, 0] [1, 64] [1, 1] : memref<64x64xf32> to memref<64xf32, strided<[1], offset: ?>>
  vector.transfer_write %v, %view[%j] {in_bounds = [true]} : vector<16xf32>, memref<64xf32, strided<[1], offset: ?>>
  vector.store %w, %out[%i, %j] : memref<64x64xf32>, vector<8xf32>
  return
}

// An accumulator the kernel also reads keeps ordinary stores; so does a
// buffer below the size threshold.
// CHECK-LABEL: func.func @read_too
// CHECK-NOT: nontemporal
// CHECK-NOT: llvm.fence
func.func @read_too(%out: memref<64x64xf32>, %small: memref<16x16xf32>, %i: index, %j: index) {
  %acc = vector.load %out[%i, %j] : memref<64x64xf32>, vector<16xf32>
  %sum = arith.addf %acc, %acc : vector<16xf32>
  vector.store %sum, %out[%i, %j] : memref<64x64xf32>, vector<16xf32>
  vector.store %sum, %small[%i, %j] : memref<16x16xf32>, vector<16xf32>
  return
}
