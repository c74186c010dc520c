// einsum-cpu-tile only reads plans: a contraction without one is an error
// that says which pass chooses it.
// RUN: einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-tile -verify-diagnostics

func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{einsum-cpu-tile: no #einsum.plan in einsum.plan (run einsum-cpu-plan first)}}
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}
