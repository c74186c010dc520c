// The README's main job: the attention example lowers to one linalg.generic
// with free batch, n_head, seqQ, seqK and summation d_head.
// RUN: einsum-opt --convert-einsum-to-linalg %S/../../examples/attention_scores.mlir | FileCheck %s

// CHECK-DAG: #[[Q:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-DAG: #[[S:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @attention_scores
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[Q]], #[[K]], #[[S]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x512x8x64xf32>, tensor<2x512x8x64xf32>)
// CHECK-NOT: linalg.generic
// CHECK-NOT: einsum.contract
