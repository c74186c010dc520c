// einsum-cpu-target puts the target's description on the module; the passes
// after it read their target from there and from nothing else.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=haswell | FileCheck %s --check-prefix=HSW
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target="target-cpu=skylake-avx512 l1-bytes=49152" | FileCheck %s --check-prefix=SKX
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target="target-cpu=skylake-avx512 target-features=-avx512f" | FileCheck %s --check-prefix=NO512
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target="target-cpu=skylake-avx512 target-features=-avx512f" | grep -o 'features = "[^"]*"' | FileCheck %s --check-prefix=NO512F
// A target written in the IR is kept, and decides the plans.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-target=target-cpu=skylake-avx512 --convert-einsum-to-linalg --einsum-cpu-plan | FileCheck %s --check-prefix=KEPT

// HSW: module attributes {einsum.target = #einsum.target<cpu = "haswell", features = "{{.*}}+avx2,{{.*}}+fma,{{.*}}", vectorBits = 256, vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144, cacheLineBytes = 64>}
// SKX: module attributes {einsum.target = #einsum.target<cpu = "skylake-avx512", features = "{{.*}}+avx512f,{{.*}}", vectorBits = 512, vectorRegisters = 32, l1Bytes = 49152, l2Bytes = 1048576, cacheLineBytes = 64>}
// NO512: module attributes {einsum.target = #einsum.target<cpu = "skylake-avx512", features = "{{.*}}", vectorBits = 256, vectorRegisters = 16,
// NO512F: features = "{{.*}}+avx2
// NO512F-NOT: avx512
// KEPT-LABEL: func.func @gemm
// KEPT: einsum.plan = #einsum.plan<roles = "mnk", {{.*}}register = [8, 32, 0]
func.func @gemm(%a: tensor<48x32xf32>, %b: tensor<32x64xf32>) -> tensor<48x64xf32> {
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<48x32xf32>, tensor<32x64xf32>) -> tensor<48x64xf32>
  return %r : tensor<48x64xf32>
}

// -----

// KEPT: module attributes {einsum.target = #einsum.target<cpu = "by-hand", features = "+avx2,+fma", vectorBits = 256, vectorRegisters = 16, l1Bytes = 16384, l2Bytes = 131072, cacheLineBytes = 64>}
// KEPT-LABEL: func.func @gemm_by_hand
// KEPT: einsum.plan = #einsum.plan<roles = "mnk", {{.*}}register = [6, 16, 0]
module attributes {einsum.target = #einsum.target<cpu = "by-hand", features = "+avx2,+fma", vectorBits = 256, vectorRegisters = 16, l1Bytes = 16384, l2Bytes = 131072, cacheLineBytes = 64>} {
  func.func @gemm_by_hand(%a: tensor<48x32xf32>, %b: tensor<32x64xf32>) -> tensor<48x64xf32> {
    %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<48x32xf32>, tensor<32x64xf32>) -> tensor<48x64xf32>
    return %r : tensor<48x64xf32>
  }
}
