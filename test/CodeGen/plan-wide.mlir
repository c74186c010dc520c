// The widest plans the planner makes are valid plans: i8 on AVX-512 has 64
// lanes, so a register tile of two vectors is 128 wide, a column-sum stream
// eight vectors (512), a transpose block four vectors (256). Each is built
// through the attribute's verifier (an assertion where assertions are on)
// and compiles.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --convert-einsum-to-linalg --einsum-cpu-plan | FileCheck %s
// RUN: einsum-opt %s -split-input-file --einsum-to-llvm=target-cpu=skylake-avx512 | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @gemm_i8
// CHECK: einsum.plan = #einsum.plan<roles = "mnk", {{.*}}register = [8, 128, 0]
// LLVM: llvm.func @gemm_i8
func.func @gemm_i8(%a: tensor<64x64xi8>, %b: tensor<64x256xi8>) -> tensor<64x256xi8> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<64x64xi8>, tensor<64x256xi8>) -> tensor<64x256xi8>
  return %r : tensor<64x256xi8>
}

// -----

// CHECK-LABEL: func.func @colsum_i8
// CHECK: einsum.plan = #einsum.plan<roles = "nk", {{.*}}register = [512, 0]
// LLVM: llvm.func @colsum_i8
func.func @colsum_i8(%a: tensor<64x1024xi8>) -> tensor<1024xi8> {
  %r = einsum.contract "ij->j" ins(%a : tensor<64x1024xi8>) -> tensor<1024xi8>
  return %r : tensor<1024xi8>
}

// -----

// CHECK-LABEL: func.func @copy_i8
// CHECK: einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0], vector = [1, 1, 256], order = [1, 0, 2]>
// LLVM: llvm.func @copy_i8
func.func @copy_i8(%a: tensor<8x4x512xi8>) -> tensor<4x8x512xi8> {
  %r = einsum.contract "abc->bac" ins(%a : tensor<8x4x512xi8>) -> tensor<4x8x512xi8>
  return %r : tensor<4x8x512xi8>
}
