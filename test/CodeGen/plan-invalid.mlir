// Plans and targets that do not fit are errors that name the mismatch: in
// the attribute itself (parsing), or against the op (einsum-cpu-plan).
// RUN: einsum-opt %s -split-input-file -verify-diagnostics --einsum-cpu-plan
#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mxk", cache = [8, 16, 0], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: role 'x' is not one of n (vector dim), m (rows), p (panels), k (main sum), b (batch), r (sum)}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnm", cache = [8, 16, 0], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: roles 'mnm' have more than one m}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mbk", cache = [8, 16, 0], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: roles 'mbk' need exactly one n (the vector dim)}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [8, 16], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: cache has 2 entries for 3 loop dims}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [8, 16, 4], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: cache tiles only parallel dims, but dim 2 (role 'k') has 4}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [8, 16, 0], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [-4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: register tile of dim 0 is -4: expected 0 to 512}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [8, 16, 0], cache_order = [0, 0, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}  // expected-error {{plan: cache_order is not a permutation of the 3 loop dims}}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{einsum.plan has roles for 2 loop dims, the op has 3}}
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mn", cache = [8, 16], cache_order = [0, 1], reduction = [0, 0], register = [4, 16], register_order = [0, 1], inner_reduction = [0, 0], single_k_tile = false>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{einsum.plan gives loop dim 1 the role 'k', but it is a parallel dim}}
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mkn", cache = [8, 0, 0], cache_order = [0, 1, 2], reduction = [0, 4, 0], register = [4, 0, 16], register_order = [0, 1, 2], inner_reduction = [0, 1, 0], single_k_tile = false>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{einsum.plan: the vector dim (role 'n') must be the loop dim of the output's innermost axis}}
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "nmk", cache = [8, 16, 0], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = false>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{einsum.plan of a contraction must be an #einsum.plan}}
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.transpose_plan<blocks = [0, 0], vector = [1, 8], order = [0, 1]>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// expected-error @+1 {{target: vectorBits is 100: expected 128, 256 or 512}}
module attributes {einsum.target = #einsum.target<cpu = "x", features = "+avx2", vectorBits = 100, vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144, cacheLineBytes = 64>} {
}

// -----

func.func @transpose(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{einsum.plan has 3 dims for an output of rank 2}}
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.transpose_plan<blocks = [0, 0, 0], vector = [1, 1, 8], order = [0, 1, 2]>}
  return %t : tensor<8x4xf32>
}

// -----

func.func @layout(%c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{layout_plan: panel is 513: expected 1 to 512}}
  %t = tensor.empty() {einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 513, rows = 4>} : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

func.func @layout(%c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{layout_plan: pack names input 2: a contraction has inputs 0 and 1}}
  %t = tensor.empty() {einsum.layout = #einsum.layout_plan<row_pack = false, pack = [2], panel = 16, rows = 4>} : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

// A plan on a loop nest einsum-cpu-tile does not tile (here a diagonal) would
// be ignored: it is an error.
#diag = affine_map<(i) -> (i, i)>
#out = affine_map<(i) -> (i)>
func.func @diagonal(%a: tensor<8x8xf32>, %c: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{einsum.plan on a loop nest einsum-cpu-tile does not tile}}
  %r = linalg.generic {indexing_maps = [#diag, #out], iterator_types = ["parallel"],
                       einsum.plan = #einsum.plan<roles = "n", cache = [8], cache_order = [0], reduction = [0], register = [8], register_order = [0], inner_reduction = [0], single_k_tile = true>}
      ins(%a : tensor<8x8xf32>) outs(%c : tensor<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// One K tile moves the zero fill into the register tiles; with K tiles of
// 4 around them, each would start from zero again (a wrong sum), so the
// plan is refused.
#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @single_k(%a: tensor<8x16xf32>, %b: tensor<16x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [8, 16, 0], cache_order = [0, 1, 2], reduction = [0, 0, 4], register = [4, 16, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = true>}  // expected-error {{plan: single_k_tile = true needs no reduction tiles (reduction = all 0)}}
      ins(%a, %b : tensor<8x16xf32>, tensor<16x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// A register tile of 64 x 128 elements would unroll into an 8192-element
// vector: refused.
#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
func.func @huge(%a: tensor<64x16xf32>, %b: tensor<16x128xf32>, %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"],
                       einsum.plan = #einsum.plan<roles = "mnk", cache = [64, 128, 0], cache_order = [0, 1, 2], reduction = [0, 0, 0], register = [64, 128, 0], register_order = [0, 1, 2], inner_reduction = [0, 0, 1], single_k_tile = true>}  // expected-error {{plan: the register tile has 8192 elements: expected at most 4096}}
      ins(%a, %b : tensor<64x16xf32>, tensor<16x128xf32>) outs(%c : tensor<64x128xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x128xf32>
  return %r : tensor<64x128xf32>
}
