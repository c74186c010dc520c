// The verifiers of #einsum.target, #einsum.transpose_plan and
// #einsum.layout_plan name what is wrong; einsum-cpu-target refuses an
// einsum.target that is not a target, einsum-cpu-plan a plan of the wrong
// kind, einsum-cpu-tile a transpose without a plan.
// RUN: einsum-opt %s -split-input-file -verify-diagnostics --einsum-cpu-target --einsum-cpu-plan

// expected-error @+1 {{target: the cpu name is empty}}
module attributes {einsum.target = #einsum.target<cpu = "", features = "+avx2", vectorBits = 256, vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144, cacheLineBytes = 64>} {
}

// -----

// expected-error @+1 {{target: vectorRegisters is 4: expected 8 to 64}}
module attributes {einsum.target = #einsum.target<cpu = "x", features = "+avx2", vectorBits = 256, vectorRegisters = 4, l1Bytes = 32768, l2Bytes = 262144, cacheLineBytes = 64>} {
}

// -----

// expected-error @+1 {{target: l2Bytes is 100: expected 1024 to 2^30 bytes}}
module attributes {einsum.target = #einsum.target<cpu = "x", features = "+avx2", vectorBits = 256, vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 100, cacheLineBytes = 64>} {
}

// -----

// expected-error @+1 {{target: cacheLineBytes is 48: expected a power of two from 16 to 4096}}
module attributes {einsum.target = #einsum.target<cpu = "x", features = "+avx2", vectorBits = 256, vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144, cacheLineBytes = 48>} {
}

// -----

// expected-error @+1 {{target: feature 'avx2' does not start with '+' or '-'}}
module attributes {einsum.target = #einsum.target<cpu = "x", features = "avx2", vectorBits = 256, vectorRegisters = 16, l1Bytes = 32768, l2Bytes = 262144, cacheLineBytes = 64>} {
}

// -----

// expected-error @+1 {{einsum.target must be an #einsum.target attribute}}
module attributes {einsum.target = 5 : i64} {
}

// -----

func.func @t(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.transpose_plan<blocks = [0, 0], vector = [1, 8], order = [1, 1]>}  // expected-error {{transpose_plan: order is not a permutation of the 2 dims}}
  return %t : tensor<8x4xf32>
}

// -----

func.func @t(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.transpose_plan<blocks = [-1, 0], vector = [1, 8], order = [1, 0]>}  // expected-error {{transpose_plan: block of dim 0 is -1: expected 0 to 2^24}}
  return %t : tensor<8x4xf32>
}

// -----

func.func @t(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.transpose_plan<blocks = [0, 0], vector = [0, 8], order = [1, 0]>}  // expected-error {{transpose_plan: vector block of dim 0 is 0: expected 1 to 512}}
  return %t : tensor<8x4xf32>
}

// -----

func.func @t(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.transpose_plan<blocks = [0, 0], vector = [128, 64], order = [1, 0]>}  // expected-error {{transpose_plan: the vector block has 8192 elements: expected at most 4096}}
  return %t : tensor<8x4xf32>
}

// -----

func.func @t(%a: tensor<4x8xf32>, %e: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{einsum.plan of a transpose must be an #einsum.transpose_plan}}
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
         {einsum.plan = #einsum.plan<roles = "bn", cache = [1, 8], cache_order = [0, 1], reduction = [0, 0], register = [1, 8], register_order = [0, 1], inner_reduction = [0, 0], single_k_tile = true>}
  return %t : tensor<8x4xf32>
}

// -----

func.func @l(%c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{layout_plan: pack names input 1 twice}}
  %t = tensor.empty() {einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1, 1], panel = 16, rows = 4>} : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

func.func @l(%c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{layout_plan: rows is 0: expected 1 to 64}}
  %t = tensor.empty() {einsum.layout = #einsum.layout_plan<row_pack = false, pack = [1], panel = 16, rows = 0>} : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

func.func @l(%c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{expected row_pack = true or false}}
  %t = tensor.empty() {einsum.layout = #einsum.layout_plan<row_pack = maybe, pack = [1], panel = 16, rows = 4>} : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}
