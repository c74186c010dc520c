// The whole pipeline takes the attention example to the LLVM dialect only,
// with the register kernel as FMAs on 512-bit (2 x 16 lanes) or, for an
// AVX2-class target, 256-bit vectors. The target is pinned: plans depend
// on it.
// RUN: einsum-opt %S/../../examples/attention_scores.mlir --einsum-to-llvm="target-cpu=sapphirerapids" | FileCheck %s --check-prefix=AVX512
// RUN: einsum-opt %S/../../examples/attention_scores.mlir --einsum-to-llvm="target-cpu=sapphirerapids" | not grep -E '^ *(%[^ ]+ = )?"?(einsum|linalg|tensor|memref|vector|scf|affine|arith|bufferization|cf|func|math|index|ub)\.'
// RUN: einsum-opt %S/../../examples/attention_scores.mlir --einsum-to-llvm="target-cpu=haswell" | FileCheck %s --check-prefix=AVX2
// RUN: einsum-opt %s --einsum-to-llvm="target-cpu=skylake-avx512 tile=false" | FileCheck %s --check-prefix=SCALAR
// RUN: einsum-opt %S/../../examples/attention_scores.mlir --einsum-to-llvm="target-cpu=skylake-avx512 threads=2" | FileCheck %s --check-prefix=THREADS

// With threads, the cache tiles become an OpenMP worksharing loop.
// THREADS-LABEL: llvm.func @attention_scores
// THREADS: omp.parallel num_threads(%{{.*}} : i32)
// THREADS: omp.wsloop
// THREADS: llvm.intr.fmuladd

// AVX512-LABEL: llvm.func @attention_scores
// AVX512-COUNT-8: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>

// AVX2-LABEL: llvm.func @attention_scores
// AVX2-COUNT-6: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>

// Without tiling the einsum still compiles, as scalar loops.
// SCALAR-LABEL: llvm.func @trace
// SCALAR-NOT: vector<
// SCALAR: llvm.fadd
func.func @trace(%a: tensor<5x5xf64>) -> tensor<f64> {
  %r = einsum.contract "ii->" ins(%a : tensor<5x5xf64>) -> tensor<f64>
  return %r : tensor<f64>
}
