// The attention example: the chain written out (einsum.contract, a scale
// generic, linalg.softmax, einsum.contract) and the one-op form both compile
// to LLVM; the C++ example runs them on its own buffers against plain loops.
// RUN: einsum-opt --einsum-to-llvm=target-cpu=skylake-avx512 %S/../../examples/attention.mlir | FileCheck %s
// RUN: einsum-opt --einsum-lower-attention %S/../../examples/attention.mlir | FileCheck %s --check-prefix=LOWER
// RUN: einsum-attention-example 2 64 4 32 | FileCheck %s --check-prefix=EXAMPLE
// RUN: einsum-attention-example 1 50 2 16 --causal | FileCheck %s --check-prefix=EXAMPLE

// CHECK: llvm.func @attention_chain(
// CHECK: llvm.func @attention(
// CHECK-NOT: einsum.
// CHECK-NOT: linalg.

// LOWER-LABEL: func.func @attention_chain
// LOWER: linalg.softmax dimension(3)
// LOWER-LABEL: func.func @attention
// LOWER-NOT: einsum.attention
// LOWER: scf.forall

// EXAMPLE: fused {{.*}} ms per call, max |error| {{.*}}: ok
// EXAMPLE: unfused {{.*}} ms per call, max |error| {{.*}}: ok
