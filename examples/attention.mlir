// attention = softmax(Q·Kᵀ/√d)·V, the motivating example of the einsum
// guide, written out in the einsum dialect and the upstream ops it lowers
// with. Q, K, V are [batch, seq, n_head, d_head] = [2, 512, 8, 64]; the
// output has Q's layout.
//
//   einsum-opt --einsum-to-llvm examples/attention.mlir
//
// compiles both functions to native-code-ready LLVM IR; einsum-run
// --attention and einsum::attention() run the same computation.

// The chain step by step.
func.func @attention_chain(%q: tensor<2x512x8x64xf32>, %k: tensor<2x512x8x64xf32>,
                           %v: tensor<2x512x8x64xf32>) -> tensor<2x512x8x64xf32> {
  // 1. Scores: free batch, n_head, seqQ, seqK; summation d_head.
  %scores = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK"
      ins(%q, %k : tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>) -> tensor<2x8x512x512xf32>

  // 2. Scale by 1/√d_head = 1/8.
  %empty = tensor.empty() : tensor<2x8x512x512xf32>
  %scaled = linalg.generic {
      indexing_maps = [affine_map<(b, h, q, k) -> (b, h, q, k)>,
                       affine_map<(b, h, q, k) -> (b, h, q, k)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scores : tensor<2x8x512x512xf32>) outs(%empty : tensor<2x8x512x512xf32>) {
  ^bb0(%s: f32, %unused: f32):
    %inv_sqrt_d = arith.constant 0.125 : f32
    %x = arith.mulf %s, %inv_sqrt_d : f32
    linalg.yield %x : f32
  } -> tensor<2x8x512x512xf32>

  // 3. Softmax over seqK; linalg.softmax subtracts the row max first.
  %init = tensor.empty() : tensor<2x8x512x512xf32>
  %weights = linalg.softmax dimension(3)
      ins(%scaled : tensor<2x8x512x512xf32>) outs(%init : tensor<2x8x512x512xf32>) -> tensor<2x8x512x512xf32>

  // 4. Output: free batch, seqQ, n_head, d_head; summation seqK.
  %out = einsum.contract "batch n_head seqQ seqK, batch seqK n_head d_head -> batch seqQ n_head d_head"
      ins(%weights, %v : tensor<2x8x512x512xf32>, tensor<2x512x8x64xf32>) -> tensor<2x512x8x64xf32>
  return %out : tensor<2x512x8x64xf32>
}

// The same as one op: einsum-lower-attention turns it into the chain above,
// or (the default for static shapes) into a fused loop nest that keeps only
// 64x128 tiles of the scores, with an online softmax. `causal` would mask
// the keys after each query.
func.func @attention(%q: tensor<2x512x8x64xf32>, %k: tensor<2x512x8x64xf32>,
                     %v: tensor<2x512x8x64xf32>) -> tensor<2x512x8x64xf32> {
  %out = einsum.attention ins(%q, %k, %v : tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>)
      -> tensor<2x512x8x64xf32>
  return %out : tensor<2x512x8x64xf32>
}
