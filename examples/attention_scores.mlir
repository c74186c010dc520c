// The attention scores Q·Kᵀ of softmax(Q·Kᵀ/√d)·V, written as in the einsum
// guide with named labels. Q and K are [batch, seq, n_head, d_head]; the
// scores are [batch, n_head, seqQ, seqK]. Free indices: batch, n_head, seqQ,
// seqK; summation index: d_head.
func.func @attention_scores(%q: tensor<2x512x8x64xf32>, %k: tensor<2x512x8x64xf32>) -> tensor<2x8x512x512xf32> {
  %scores = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK"
      ins(%q, %k : tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>) -> tensor<2x8x512x512xf32>
  return %scores : tensor<2x8x512x512xf32>
}
