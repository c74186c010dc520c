// RUN: einsum-opt %s --einsum-cpu-target=target-cpu=skylake-avx512 --einsum-cpu-plan --einsum-cpu-tile -verify-diagnostics

// A loop nest the tile pass cannot tile (a diagonal: a map that is not a
// projected permutation) runs as plain loops, and says so.
#diag = affine_map<(d0) -> (d0, d0)>
#out = affine_map<(d0) -> (d0)>
func.func @diagonal(%a: tensor<16x16xf32>, %acc: tensor<16xf32>) -> tensor<16xf32> {
  // expected-remark @+1 {{loop nest of 1 loop dims left as plain loops, not a tiled and vectorized contraction}}
  %r = linalg.generic {indexing_maps = [#diag, #out], iterator_types = ["parallel"]}
      ins(%a : tensor<16x16xf32>) outs(%acc : tensor<16xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}
