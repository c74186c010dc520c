// einsum-cpu-layout carries out the layouts it is given; one it cannot
// carry out (the accumulator is an argument, not a fill; a packed input
// without the vector dim) is an error, not a silent no-op.
// RUN: einsum-opt %s -split-input-file --einsum-cpu-layout -verify-diagnostics

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @not_a_fill(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{einsum.layout: einsum-cpu-layout lays out static contractions whose accumulator starts as a fill}}
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 16, rows = 4>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// Input 0 (the rows) does not carry the vector dim: it has no panels.
func.func @pack_rows(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>) -> tensor<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  // expected-error @+1 {{einsum.layout packs input 0 into panels, but it does not carry the vector dim}}
  %r = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>],
                       iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.layout = #einsum.layout_plan<row_pack = false, pack = [0], panel = 16, rows = 4>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%fill : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}
