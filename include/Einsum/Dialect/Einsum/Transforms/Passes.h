//===- Passes.h - Einsum-level transforms -----------------------*- C++ -*-===//

#ifndef EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_H
#define EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

#include <cstdint>

namespace einsum {

/// How einsum-lower-attention lowers an attention: fused with these tiles,
/// or unfused.
struct AttentionPlan {
  bool fused = false;
  int64_t tileQ = 0, tileK = 0;
};
/// Below this many keys the unfused form was faster (measured on [2, seq, 8,
/// 64] f32: equal at 48, unfused ahead at 32 and below, fused ahead from 64).
inline constexpr int64_t kMinFusedSeqK = 48;

/// The plan for `variant` ("auto", "fused", "unfused"): auto fuses when the
/// shapes are static and non-empty (`staticShapes`: no dynamic and no zero
/// size in query, key and value; the unfused form computes empty ones) and
/// seqK >= kMinFusedSeqK. A tile is the whole sequence if it is shorter,
/// else a divisor of its length in [size / 2, size] if there is one, else
/// the requested size (the rest of the sequence is one smaller tile);
/// causal key tiles are at most as long as query tiles.
AttentionPlan planAttention(llvm::StringRef variant, bool staticShapes,
                            bool causal, int64_t seqQ, int64_t seqK,
                            int64_t tileQ = 128, int64_t tileK = 256);

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "Einsum/Dialect/Einsum/Transforms/Passes.h.inc"

} // namespace einsum

#endif // EINSUM_DIALECT_EINSUM_TRANSFORMS_PASSES_H
