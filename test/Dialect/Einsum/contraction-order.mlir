// RUN: einsum-opt %s -split-input-file --einsum-contraction-order | FileCheck %s
// RUN: einsum-opt %s -split-input-file --einsum-contraction-order=memory-limit=256 | FileCheck %s --check-prefix=LIMIT
// RUN: einsum-opt %s -split-input-file --einsum-contraction-order=algorithm=greedy | FileCheck %s --check-prefix=GREEDY
// RUN: not einsum-opt %s -split-input-file --einsum-contraction-order=algorithm=fastest 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: einsum-contraction-order: unknown algorithm 'fastest' (expected auto, optimal, greedy or none)

// The four-index transform: 16^8 loop points become four contractions of
// 16^5 each, every intermediate 16^4.
// CHECK-LABEL: func.func @four_index
// CHECK-SAME:    (%[[P:.*]]: tensor<16x16xf32>, %[[Q:.*]]: tensor<16x16xf32>, %[[G:.*]]: tensor<16x16x16x16xf32>, %[[R:.*]]: tensor<16x16xf32>, %[[S:.*]]: tensor<16x16xf32>)
// CHECK:         %[[T0:.*]] = einsum.contract "pi,ijkl->pjkl" ins(%[[P]], %[[G]] :
// CHECK:         %[[T1:.*]] = einsum.contract "pjkl,sl->pjks" ins(%[[T0]], %[[S]] :
// CHECK:         %[[T2:.*]] = einsum.contract "pjks,rk->pjsr" ins(%[[T1]], %[[R]] :
// CHECK:         %[[T3:.*]] = einsum.contract "pjsr,qj->pqrs" ins(%[[T2]], %[[Q]] : {{.*}}) -> tensor<16x16x16x16xf32>
// CHECK:         return %[[T3]]
// GREEDY-LABEL: func.func @four_index
// GREEDY-COUNT-4: einsum.contract
// GREEDY-NEXT:  return
func.func @four_index(%p: tensor<16x16xf32>, %q: tensor<16x16xf32>, %g: tensor<16x16x16x16xf32>, %r: tensor<16x16xf32>, %s: tensor<16x16xf32>) -> tensor<16x16x16x16xf32> {
  %0 = einsum.contract "pi,qj,ijkl,rk,sl->pqrs" ins(%p, %q, %g, %r, %s : tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16x16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16x16x16xf32>
  return %0 : tensor<16x16x16x16xf32>
}

// -----

// A matrix chain is contracted through the smaller intermediate; under a
// limit of 256 elements it is sliced along i, and each slice's result is
// inserted into the output.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[AB:.*]] = einsum.contract "ij,jk->ik" ins(%arg0, %arg1 : tensor<32x64xf32>, tensor<64x64xf32>) -> tensor<32x64xf32>
// CHECK:         einsum.contract "ik,kl->il" ins(%[[AB]], %arg2 : tensor<32x64xf32>, tensor<64x32xf32>) -> tensor<32x32xf32>
// LIMIT-LABEL: func.func @chain
// LIMIT:         %[[EMPTY:.*]] = tensor.empty() : tensor<32x32xf32>
// LIMIT:         %[[C32:.*]] = arith.constant 32 : index
// LIMIT:         %[[C4:.*]] = arith.constant 4 : index
// LIMIT:         scf.for %[[I:.*]] = %{{.*}} to %[[C32]] step %[[C4]] iter_args(%[[OUT:.*]] = %[[EMPTY]])
// LIMIT:           %[[A:.*]] = tensor.extract_slice %arg0[%[[I]], 0] [4, 64] [1, 1]
// LIMIT:           %[[AB:.*]] = einsum.contract "ij,jk->ik" ins(%[[A]], %arg1 : tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
// LIMIT:           %[[ABC:.*]] = einsum.contract "ik,kl->il" ins(%[[AB]], %arg2 : tensor<4x64xf32>, tensor<64x32xf32>) -> tensor<4x32xf32>
// LIMIT:           tensor.insert_slice %[[ABC]] into %[[OUT]][%[[I]], 0] [4, 32] [1, 1]
func.func @chain(%a: tensor<32x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x32xf32>) -> tensor<32x32xf32> {
  %0 = einsum.contract "ij,jk,kl->il" ins(%a, %b, %c : tensor<32x64xf32>, tensor<64x64xf32>, tensor<64x32xf32>) -> tensor<32x32xf32>
  return %0 : tensor<32x32xf32>
}

// -----

// A long summed label: a slice of it leaves a partial output, added up.
// LIMIT-LABEL: func.func @summed_slices
// LIMIT:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// LIMIT:         %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// LIMIT:         scf.for %[[K:.*]] = {{.*}} iter_args(%[[OUT:.*]] = %[[INIT]])
// LIMIT:           tensor.extract_slice %arg1[0, %[[K]]] [4096, 256]
// LIMIT:           tensor.extract_slice %arg2[%[[K]], 0] [256, 1]
// LIMIT:           %[[PART:.*]] = einsum.contract "ik,kl->il"
// LIMIT:           %[[SUM:.*]] = linalg.add ins(%[[OUT]], %[[PART]] : tensor<1x1xf32>, tensor<1x1xf32>) outs(%[[OUT]] : tensor<1x1xf32>)
// LIMIT:           scf.yield %[[SUM]]
func.func @summed_slices(%a: tensor<1x4096xf32>, %b: tensor<4096x1024xf32>, %c: tensor<1024x1xf32>) -> tensor<1x1xf32> {
  %0 = einsum.contract "ij,jk,kl->il" ins(%a, %b, %c : tensor<1x4096xf32>, tensor<4096x1024xf32>, tensor<1024x1xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Shrinking steps first: the diagonal, and a label only one operand has;
// accumulate(f32) carries over to every step.
// CHECK-LABEL: func.func @shrink_first
// CHECK:         %[[D:.*]] = einsum.contract "ii->i" ins(%arg0 : tensor<5x5xf16>) accumulate(f32) -> tensor<5xf16>
// CHECK:         %[[S:.*]] = einsum.contract "ijx->ij" ins(%arg1 : tensor<5x7x3xf16>) accumulate(f32) -> tensor<5x7xf16>
// CHECK:         einsum.contract "i,ij->j" ins(%[[D]], %[[S]] : tensor<5xf16>, tensor<5x7xf16>) accumulate(f32) -> tensor<7xf16>
func.func @shrink_first(%a: tensor<5x5xf16>, %b: tensor<5x7x3xf16>) -> tensor<7xf16> {
  %0 = einsum.contract "ii,ijx->j" ins(%a, %b : tensor<5x5xf16>, tensor<5x7x3xf16>) accumulate(f32) -> tensor<7xf16>
  return %0 : tensor<7xf16>
}

// -----

// Nothing beats one loop nest: left alone.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK-NEXT:    einsum.contract "ij,ij,ij->" ins(%arg0, %arg1, %arg2 :
// CHECK-NEXT:    return
func.func @elementwise_chain(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %c: tensor<8x8xf32>) -> tensor<f32> {
  %0 = einsum.contract "ij,ij,ij->" ins(%a, %b, %c : tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Named labels, '...' and a broadcast axis: the steps name the '...' dim
// (dim0) and the size-1 broadcast axis of %a (dim1) with fresh labels; dim1
// is summed in the step reading %a.
// CHECK-LABEL: func.func @named_ellipsis
// CHECK:         %[[T:.*]] = einsum.contract "batch dim0 d e, batch dim0 e f -> batch dim0 d f" ins(%arg1, %arg2 : tensor<2x3x4x6xf32>, tensor<2x3x6x5xf32>) -> tensor<2x3x4x5xf32>
// CHECK:         einsum.contract "batch dim1 seq d, batch dim0 d f -> batch dim0 seq f" ins(%arg0, %[[T]] : tensor<2x1x8x4xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x8x5xf32>
func.func @named_ellipsis(%a: tensor<2x1x8x4xf32>, %b: tensor<2x3x4x6xf32>, %c: tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32> {
  %0 = einsum.contract "batch ... seq d, batch ... d e, batch ... e f -> batch ... seq f" ins(%a, %b, %c : tensor<2x1x8x4xf32>, tensor<2x3x4x6xf32>, tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32>
  return %0 : tensor<2x3x8x5xf32>
}

// -----

// Dynamic sizes: planned with a nominal size, never sliced.
// LIMIT-LABEL: func.func @dynamic
// LIMIT-NOT:     scf.for
// LIMIT:         %[[BC:.*]] = einsum.contract "jk,kl->jl" ins(%arg1, %arg2 : tensor<64x64xf32>, tensor<64x32xf32>) -> tensor<64x32xf32>
// LIMIT:         einsum.contract "ij,jl->il" ins(%arg0, %[[BC]] : tensor<?x64xf32>, tensor<64x32xf32>) -> tensor<?x32xf32>
func.func @dynamic(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x32xf32>) -> tensor<?x32xf32> {
  %0 = einsum.contract "ij,jk,kl->il" ins(%a, %b, %c : tensor<?x64xf32>, tensor<64x64xf32>, tensor<64x32xf32>) -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}
