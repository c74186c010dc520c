// RUN: einsum-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Malformed specs (rejected while parsing; the error points at the culprit).
//===----------------------------------------------------------------------===//

func.func @output_label_not_in_input(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: output label 'j' does not appear in any operand}}
  %r = einsum.contract "i->ij" ins(%a : tensor<2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @output_label_repeated(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{invalid einsum spec: output label 'j' appears more than once}}
  %r = einsum.contract "ij->jij" ins(%a : tensor<2x3xf32>) -> tensor<3x2x3xf32>
  return
}

// -----

func.func @invalid_character(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: invalid character '%' in spec}}
  %r = einsum.contract "i%" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @invalid_character_after_ellipsis(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: invalid character '$' in spec}}
  %r = einsum.contract "...j$" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @incomplete_ellipsis(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: '.' must be part of an ellipsis '...'}}
  %r = einsum.contract "i.." ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @too_many_dots(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: too many '.': an ellipsis is exactly '...'}}
  %r = einsum.contract "....i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @two_ellipses(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: operand 0 has more than one '...'}}
  %r = einsum.contract "...i...->i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @two_arrows(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: spec has more than one '->'}}
  %r = einsum.contract "i->i->i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @dash_without_arrow(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: '-' must be followed by '>' to form '->'}}
  %r = einsum.contract "i-i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @gt_without_arrow(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: '>' must be preceded by '-' to form '->'}}
  %r = einsum.contract "i>i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @comma_in_output(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: the output (after '->') cannot contain ','}}
  %r = einsum.contract "i->i,i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @digit_in_compact_label(%a: tensor<2xf32>) {
  // expected-error @+1 {{invalid einsum spec: '1' is not a label: compact labels are single letters}}
  %r = einsum.contract "i1->i" ins(%a : tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @named_label_starting_with_digit(%a: tensor<2x2xf32>) {
  // expected-error @+1 {{invalid einsum spec: label '1st' must start with a letter or '_'}}
  %r = einsum.contract "1st second -> second" ins(%a : tensor<2x2xf32>) -> tensor<2xf32>
  return
}

// -----

// expected-error @+1 {{invalid einsum spec: invalid character '+' in spec}}
func.func @bad_attribute() attributes {spec = #einsum.spec<"i+j">} {
  return
}

//===----------------------------------------------------------------------===//
// Operand count, ranks and sizes.
//===----------------------------------------------------------------------===//

// -----

func.func @operand_count(%a: tensor<2x2xf32>) {
  // expected-error @+1 {{spec 'ij,jk->ik' has 2 operand(s) but 1 were given}}
  %r = einsum.contract "ij,jk->ik" ins(%a : tensor<2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @rank_mismatch(%a: tensor<2x2xf32>, %b: tensor<2x2x2xf32>) {
  // expected-error @+1 {{operand 1 has rank 3 (shape 2x2x2) but its subscripts 'jk' name 2 dimension(s)}}
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<2x2xf32>, tensor<2x2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @rank_too_small_for_ellipsis(%a: tensor<2x2xf32>) {
  // expected-error @+1 {{operand 0 has rank 2 (shape 2x2) but its subscripts '...ijk' need at least 3 dimension(s)}}
  %r = einsum.contract "...ijk->...ijk" ins(%a : tensor<2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @label_size_mismatch(%a: tensor<4x64xf32>, %b: tensor<32x5xf32>) {
  // expected-error @+1 {{size of label 'k' differs: operand 0 has 64, operand 1 has 32}}
  %r = einsum.contract "ik,kj->ij" ins(%a, %b : tensor<4x64xf32>, tensor<32x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @named_label_size_mismatch(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x6xf32>) {
  // expected-error @+1 {{size of label 'd_head' differs: operand 0 has 8, operand 1 has 6}}
  %r = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK" ins(%q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x6xf32>) -> tensor<2x4x16x16xf32>
  return
}

// -----

func.func @labels_do_not_broadcast(%a: tensor<1xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{size of label 'i' differs: operand 0 has 1, operand 1 has 3}}
  %r = einsum.contract "i,i->i" ins(%a, %b : tensor<1xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @diagonal_of_unequal_sizes(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{label 'i' is repeated in operand 0 with different sizes: 2 and 3}}
  %r = einsum.contract "ii->i" ins(%a : tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @ellipsis_does_not_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'...' dimensions do not broadcast: operand 0 has 2 and operand 1 has 4 at '...' dimension 0}}
  %r = einsum.contract "...i,...i->..." ins(%a, %b : tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @ellipsis_dropped_from_output(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'...' covers 1 dimension(s) but the output has no '...' to keep them; add '...' to the output}}
  %r = einsum.contract "...i->i" ins(%a : tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @result_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result has rank 2 but the output 'i' has 1 dimension(s)}}
  %r = einsum.contract "ij->i" ins(%a : tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @result_size(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result dimension 0 (label 'i') has size 3 but the operands give 2 (expected result type 'tensor<2xf32>')}}
  %r = einsum.contract "ij->i" ins(%a : tensor<2x3xf32>) -> tensor<3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Element types.
//===----------------------------------------------------------------------===//

// -----

func.func @operand_element_types(%a: tensor<2xf32>, %b: tensor<2xf64>) {
  // expected-error @+1 {{operand 1 has element type 'f64' but operand 0 has 'f32'; all operands must share one element type}}
  %r = einsum.contract "i,i->" ins(%a, %b : tensor<2xf32>, tensor<2xf64>) -> tensor<f32>
  return
}

// -----

func.func @result_element_type(%a: tensor<2xf32>) {
  // expected-error @+1 {{result element type 'f64' differs from the operand element type 'f32'; use accumulate(<type>) for mixed precision}}
  %r = einsum.contract "i->" ins(%a : tensor<2xf32>) -> tensor<f64>
  return
}

// -----

func.func @accumulator_kind(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'f32' and operand element type 'i32' must both be float or both be integer}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(f32) -> tensor<i32>
  return
}

// -----

func.func @accumulator_narrower(%a: tensor<2xf32>) {
  // expected-error @+1 {{accumulator type 'f16' is narrower than the operand element type 'f32'}}
  %r = einsum.contract "i->" ins(%a : tensor<2xf32>) accumulate(f16) -> tensor<f32>
  return
}

// -----

func.func @accumulator_same_width(%a: tensor<2xbf16>) {
  // expected-error @+1 {{accumulator type 'f16' cannot hold every value of the operand element type 'bf16' exactly}}
  %r = einsum.contract "i->" ins(%a : tensor<2xbf16>) accumulate(f16) -> tensor<bf16>
  return
}

// -----

func.func @accumulator_result_type(%a: tensor<2xbf16>) {
  // expected-error @+1 {{result element type 'f64' must be the operand element type 'bf16' or the accumulator type 'f32'}}
  %r = einsum.contract "i->" ins(%a : tensor<2xbf16>) accumulate(f32) -> tensor<f64>
  return
}

// -----

func.func @unsupported_element_type(%a: tensor<2xindex>) {
  // expected-error @+1 {{operand #0 must be variadic of ranked tensor of f16, bf16, f32, f64, i8, i16, i32 or i64 values, but got 'tensor<2xindex>'}}
  %r = einsum.contract "i->" ins(%a : tensor<2xindex>) -> tensor<index>
  return
}

// -----

//===----------------------------------------------------------------------===//
// einsum.attention
//===----------------------------------------------------------------------===//

func.func @attention_rank(%q: tensor<16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) {
  // expected-error @+1 {{query must have rank 4 ([batch, seq, n_head, d_head]), got rank 3}}
  %0 = einsum.attention ins(%q, %k, %v : tensor<16x4x8xf32>, tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32>
  return
}

// -----

func.func @attention_element_type(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf64>, %v: tensor<2x16x4x8xf32>) {
  // expected-error @+1 {{key has element type 'f64' but query has 'f32'}}
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf64>, tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32>
  return
}

// -----

func.func @attention_d_head(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x6xf32>, %v: tensor<2x16x4x8xf32>) {
  // expected-error @+1 {{size of 'd_head' differs: query has 8, key has 6}}
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x4x6xf32>, tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32>
  return
}

// -----

func.func @attention_seq_k(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x12x4x8xf32>) {
  // expected-error @+1 {{size of 'seqK' differs: key has 16, value has 12}}
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>, tensor<2x12x4x8xf32>) -> tensor<2x16x4x8xf32>
  return
}

// -----

func.func @attention_result(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x6xf32>) {
  // expected-error @+1 {{size of 'd_v' differs: value has 6, result has 8}}
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>, tensor<2x16x4x6xf32>) -> tensor<2x16x4x8xf32>
  return
}

// -----

func.func @attention_integer(%q: tensor<2x16x4x8xi32>, %k: tensor<2x16x4x8xi32>, %v: tensor<2x16x4x8xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of f16, bf16, f32 or f64 values}}
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x16x4x8xi32>, tensor<2x16x4x8xi32>, tensor<2x16x4x8xi32>) -> tensor<2x16x4x8xi32>
  return
}

//===----------------------------------------------------------------------===//
// Element and accumulator types: exactly those the pipeline lowers (f16,
// bf16, f32, f64, i8, i16, i32, i64). A type that is not a number once
// crashed the verifier with integer operands.
//===----------------------------------------------------------------------===//

func.func @accumulate_index(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'index' is not supported (expected f16, bf16, f32, f64, i8, i16, i32 or i64)}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(index) -> tensor<i32>
  return
}

// -----

func.func @accumulate_none(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'none' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(none) -> tensor<i32>
  return
}

// -----

func.func @accumulate_vector(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'vector<4xf32>' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(vector<4xf32>) -> tensor<i32>
  return
}

// -----

func.func @accumulate_memref(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'memref<f32>' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(memref<f32>) -> tensor<i32>
  return
}

// -----

func.func @accumulate_pointer(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type '!llvm.ptr' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(!llvm.ptr) -> tensor<i32>
  return
}

// -----

func.func @accumulate_complex(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'complex<i32>' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(complex<i32>) -> tensor<i32>
  return
}

// -----

func.func @accumulate_tuple(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'tuple<f32>' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(tuple<f32>) -> tensor<i32>
  return
}

// -----

func.func @accumulate_unsigned(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'ui64' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(ui64) -> tensor<i32>
  return
}

// -----

func.func @accumulate_signed(%a: tensor<2xi32>) {
  // expected-error @+1 {{accumulator type 'si64' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi32>) accumulate(si64) -> tensor<i32>
  return
}

// -----

func.func @accumulate_f8(%a: tensor<2xf16>) {
  // expected-error @+1 {{accumulator type 'f8E4M3FN' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xf16>) accumulate(f8E4M3FN) -> tensor<f16>
  return
}

// -----

func.func @accumulate_tf32(%a: tensor<2xf16>) {
  // expected-error @+1 {{accumulator type 'tf32' is not supported}}
  %r = einsum.contract "i->" ins(%a : tensor<2xf16>) accumulate(tf32) -> tensor<f16>
  return
}

// -----

func.func @operand_f8(%a: tensor<2xf8E4M3FN>) {
  // expected-error @+1 {{operand #0 must be variadic of ranked tensor of f16, bf16, f32, f64, i8, i16, i32 or i64 values, but got 'tensor<2xf8E4M3FN>'}}
  %r = einsum.contract "i->" ins(%a : tensor<2xf8E4M3FN>) -> tensor<f8E4M3FN>
  return
}

// -----

func.func @operand_i1(%a: tensor<2xi1>) {
  // expected-error @+1 {{but got 'tensor<2xi1>'}}
  %r = einsum.contract "i->" ins(%a : tensor<2xi1>) -> tensor<i1>
  return
}

// -----

func.func @attention_f8(%q: tensor<1x4x1x8xf8E4M3FN>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of f16, bf16, f32 or f64 values, but got 'tensor<1x4x1x8xf8E4M3FN>'}}
  %r = einsum.attention ins(%q, %q, %q : tensor<1x4x1x8xf8E4M3FN>, tensor<1x4x1x8xf8E4M3FN>, tensor<1x4x1x8xf8E4M3FN>) -> tensor<1x4x1x8xf8E4M3FN>
  return
}

// -----

// One size limit for every op: attention's operands as einsum.contract's.
func.func @attention_too_large(%q: tensor<99999999999x99999999999x4x16xf32>) {
  // expected-error @+1 {{query of type 'tensor<99999999999x99999999999x4x16xf32>' has more than 2^60 elements}}
  %r = einsum.attention ins(%q, %q, %q : tensor<99999999999x99999999999x4x16xf32>, tensor<99999999999x99999999999x4x16xf32>, tensor<99999999999x99999999999x4x16xf32>) -> tensor<99999999999x99999999999x4x16xf32>
  return
}

// -----

func.func @attention_scores_too_large(%q: tensor<1x1073741825x1x1xf32>) {
  // expected-error @+1 {{the scores [batch, n_head, seqQ, seqK] would have more than 2^60 elements}}
  %r = einsum.attention ins(%q, %q, %q : tensor<1x1073741825x1x1xf32>, tensor<1x1073741825x1x1xf32>, tensor<1x1073741825x1x1xf32>) -> tensor<1x1073741825x1x1xf32>
  return
}
