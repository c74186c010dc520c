// Attention with d_v = 0 and d_head = 0: an empty output, and scores of an
// empty sum.
func.func @attention_dv0(%q: tensor<1x64x2x8xf32>, %k: tensor<1x64x2x8xf32>, %v: tensor<1x64x2x0xf32>) -> tensor<1x64x2x0xf32> {
  %r = einsum.attention ins(%q, %k, %v : tensor<1x64x2x8xf32>, tensor<1x64x2x8xf32>, tensor<1x64x2x0xf32>) -> tensor<1x64x2x0xf32>
  return %r : tensor<1x64x2x0xf32>
}
func.func @attention_dhead0(%q: tensor<1x64x2x0xf32>, %v: tensor<1x64x2x8xf32>) -> tensor<1x64x2x8xf32> {
  %r = einsum.attention ins(%q, %q, %v : tensor<1x64x2x0xf32>, tensor<1x64x2x0xf32>, tensor<1x64x2x8xf32>) -> tensor<1x64x2x8xf32>
  return %r : tensor<1x64x2x8xf32>
}
