// RUN: einsum-opt %s --einsum-cpu-vectorize -verify-diagnostics

// A register tile the vectorizer rejects (its body calls a function) stays
// scalar, and says so.
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func private @f(f32) -> f32
func.func @rejected(%a: tensor<8x32xf32>, %acc: tensor<8x32xf32>) -> tensor<8x32xf32> {
  // expected-remark @+1 {{register tile 8x32 left as scalar loops: the vectorizer rejected it}}
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x32xf32>) outs(%acc : tensor<8x32xf32>) attrs = {einsum.vector_sizes = array<i64: 8, 32>} {
  ^bb0(%x: f32, %y: f32):
    %c = func.call @f(%x) : (f32) -> f32
    linalg.yield %c : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}
