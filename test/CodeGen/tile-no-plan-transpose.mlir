// einsum-cpu-tile only reads plans: a static transpose without its
// #einsum.transpose_plan is an error that says which pass chooses it.
// RUN: einsum-opt %s --einsum-cpu-tile -verify-diagnostics

func.func @t(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{einsum-cpu-tile: no #einsum.transpose_plan in einsum.plan (run einsum-cpu-plan first)}}
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  return %t : tensor<8x4xf32>
}
