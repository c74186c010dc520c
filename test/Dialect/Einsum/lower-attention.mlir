// RUN: einsum-opt %s -split-input-file --einsum-lower-attention=variant=unfused | FileCheck %s --check-prefix=UNFUSED
// RUN: einsum-opt %s -split-input-file --einsum-lower-attention | FileCheck %s --check-prefix=FUSED
// RUN: einsum-opt %s -split-input-file --einsum-lower-attention="tile-q=8 tile-k=16" | FileCheck %s --check-prefix=TILES
// RUN: not einsum-opt %s -split-input-file --einsum-lower-attention=variant=flash 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: einsum-lower-attention: unknown variant 'flash' (expected auto, fused or unfused)

// Unfused: the chain of the einsum guide.
// UNFUSED-LABEL: func.func @attention
// UNFUSED:         %[[S:.*]] = einsum.contract "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK" ins(%arg0, %arg1 : tensor<2x32x4x16xf32>, tensor<2x48x4x16xf32>) -> tensor<2x4x32x48xf32>
// UNFUSED:         %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// UNFUSED:         %[[T:.*]] = linalg.generic
// UNFUSED-SAME:      ins(%[[S]] : tensor<2x4x32x48xf32>)
// UNFUSED:           arith.mulf %{{.*}}, %[[SCALE]] : f32
// UNFUSED-NOT:       linalg.index
// UNFUSED:         %[[P:.*]] = linalg.softmax dimension(3) ins(%[[T]] : tensor<2x4x32x48xf32>)
// UNFUSED:         einsum.contract "batch n_head seqQ seqK, batch seqK n_head d_v -> batch seqQ n_head d_v" ins(%[[P]], %arg2 : tensor<2x4x32x48xf32>, tensor<2x48x4x8xf32>) -> tensor<2x32x4x8xf32>

// Fused: one forall over (batch, head, query tile), key tiles with the
// running max, sum and accumulator, scores only per tile.
// FUSED-LABEL: func.func @attention
// FUSED:         scf.forall (%[[B:.*]], %[[H:.*]], %[[QT:.*]]) in (2, 4, 1) shared_outs(%[[OUT:.*]] = %{{.*}})
// FUSED:           %[[Q:.*]] = tensor.extract_slice %arg0[%[[B]], %{{.*}}, %[[H]], 0] [1, 32, 1, 16] [1, 1, 1, 1] : tensor<2x32x4x16xf32> to tensor<32x16xf32>
// FUSED:           linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<32xf32>)
// FUSED:           scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<32xf32>, tensor<32xf32>, tensor<32x8xf32>)
// FUSED:             %[[K:.*]] = tensor.extract_slice %arg1[%[[B]], %[[K0]], %[[H]], 0] [1, 48, 1, 16]
// FUSED:             %[[S:.*]] = einsum.contract "qd,kd->qk" ins(%[[Q]], %[[K]] : tensor<32x16xf32>, tensor<48x16xf32>) -> tensor<32x48xf32>
// FUSED:             scf.for
// FUSED:               vector.transfer_read %[[S]]
// FUSED:               vector.reduction <maximumf>
// FUSED:               math.exp %{{.*}} : vector<48xf32>
// FUSED:               vector.reduction <add>, %{{.*}}, %{{.*}} fastmath<reassoc> : vector<48xf32> into f32
// FUSED:             einsum.contract "qk,ke->qe" ins(%{{.*}}, %{{.*}} : tensor<32x48xf32>, tensor<48x8xf32>) -> tensor<32x8xf32>
// FUSED:             math.fma %{{.*}} : vector<8xf32>
// FUSED:           arith.divf %{{.*}} : vector<8xf32>
// FUSED:           scf.forall.in_parallel
// FUSED-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], %{{.*}}, %[[H]], 0] [1, 32, 1, 8] [1, 1, 1, 1] : tensor<32x8xf32> into tensor<2x32x4x8xf32>
// TILES-LABEL: func.func @attention
// TILES:         scf.forall ({{.*}}) in (2, 4, 4)
// TILES:           einsum.contract "qd,kd->qk" {{.*}} -> tensor<8x16xf32>
func.func @attention(%q: tensor<2x32x4x16xf32>, %k: tensor<2x48x4x16xf32>, %v: tensor<2x48x4x8xf32>) -> tensor<2x32x4x8xf32> {
  %0 = einsum.attention ins(%q, %k, %v : tensor<2x32x4x16xf32>, tensor<2x48x4x16xf32>, tensor<2x48x4x8xf32>) -> tensor<2x32x4x8xf32>
  return %0 : tensor<2x32x4x8xf32>
}

// -----

// Causal: unfused masks with the loop indices; fused masks the first
// q0 + i - k0 + 1 keys of each row and stops at the last key tile that
// starts at or before the tile's last query.
// UNFUSED-LABEL: func.func @causal
// UNFUSED:         linalg.generic
// UNFUSED:           %[[I:.*]] = linalg.index 2 : index
// UNFUSED:           %[[J:.*]] = linalg.index 3 : index
// UNFUSED:           %[[M:.*]] = arith.cmpi ugt, %[[J]], %[[I]] : index
// UNFUSED:           arith.select %[[M]], %{{.*}}, %{{.*}} : f32
// FUSED-LABEL: func.func @causal
// FUSED:         scf.forall ({{.*}}) in (1, 2, 1)
// FUSED:         arith.minui
// FUSED:         scf.for
// FUSED:           scf.for
// FUSED:             vector.create_mask %{{.*}} : vector<64xi1>
func.func @causal(%q: tensor<1x64x2x16xf32>, %k: tensor<1x64x2x16xf32>, %v: tensor<1x64x2x16xf32>) -> tensor<1x64x2x16xf32> {
  %0 = einsum.attention ins(%q, %k, %v : tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>) scale(0.25) causal -> tensor<1x64x2x16xf32>
  return %0 : tensor<1x64x2x16xf32>
}

// -----

// Dynamic sizes: always the unfused chain.
// FUSED-LABEL: func.func @dynamic
// FUSED-NOT:     scf.forall
// FUSED:         linalg.softmax
func.func @dynamic(%q: tensor<?x?x2x16xf32>, %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x2x16xf32>) -> tensor<?x?x2x16xf32> {
  %0 = einsum.attention ins(%q, %k, %v : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>) -> tensor<?x?x2x16xf32>
  return %0 : tensor<?x?x2x16xf32>
}

// -----

// Fewer than 48 keys: auto keeps the unfused chain (measured faster there).
// FUSED-LABEL: func.func @short
// FUSED-NOT:     scf.forall
// FUSED:         linalg.softmax
func.func @short(%q: tensor<1x32x2x16xf32>, %k: tensor<1x32x2x16xf32>, %v: tensor<1x32x2x16xf32>) -> tensor<1x32x2x16xf32> {
  %0 = einsum.attention ins(%q, %k, %v : tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>) -> tensor<1x32x2x16xf32>
  return %0 : tensor<1x32x2x16xf32>
}
