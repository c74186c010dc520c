//===- LowerAttention.cpp - einsum-lower-attention ------------------------===//
//
// Lowers einsum.attention to the einsum/softmax chain (unfused) or to a
// FlashAttention-style loop nest with an online softmax (fused); see
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Dialect/Einsum/EinsumOps.h"
#include "Einsum/Dialect/Einsum/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace einsum {
#define GEN_PASS_DEF_EINSUMLOWERATTENTION
#include "Einsum/Dialect/Einsum/Transforms/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

/// The two einsums of the pattern, in the einsum guide's named notation.
static constexpr const char *kScoresSpec =
    "batch seqQ n_head d_head, batch seqK n_head d_head -> "
    "batch n_head seqQ seqK";
static constexpr const char *kOutputSpec =
    "batch n_head seqQ seqK, batch seqK n_head d_v -> batch seqQ n_head d_v";

static Spec specOf(const char *text) {
  SpecResult<Spec> spec = parseSpec(text);
  assert(spec && "built-in spec does not parse");
  return *spec;
}

static Value floatConstant(OpBuilder &b, Location loc, Type type,
                           double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

static Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The tile of a sequence of `size` for a requested tile `limit`: the whole
/// sequence if it is shorter; else a divisor of it in [limit / 2, limit] if
/// there is one (no remainder tile); else `limit` (the rest is one smaller
/// tile: a prime length must not fall to tiles of one).
static int64_t tileSize(int64_t size, int64_t limit) {
  if (size <= limit)
    return size;
  for (int64_t d = limit; d >= std::max<int64_t>(1, limit / 2); --d)
    if (size % d == 0)
      return d;
  return limit;
}

//===----------------------------------------------------------------------===//
// Unfused: einsum, scale (and mask), softmax, einsum
//===----------------------------------------------------------------------===//

static Value lowerUnfused(OpBuilder &b, AttentionOp op) {
  Location loc = op.getLoc();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Type element = op.getQuery().getType().getElementType();
  auto size = [&](Value value, int64_t axis) -> OpFoldResult {
    return tensor::getMixedSize(b, loc, value, axis);
  };
  // [batch, n_head, seqQ, seqK]
  SmallVector<OpFoldResult> scoreSizes = {size(q, 0), size(q, 2), size(q, 1),
                                          size(k, 1)};
  auto scoresType =
      RankedTensorType::get({op.getQuery().getType().getDimSize(0),
                             op.getQuery().getType().getDimSize(2),
                             op.getQuery().getType().getDimSize(1),
                             op.getKey().getType().getDimSize(1)},
                            element);
  Value scores =
      ContractOp::create(b, loc, scoresType, specOf(kScoresSpec), {q, k});

  // Scale, and -inf where a key comes after the query (causal).
  Value empty = tensor::EmptyOp::create(b, loc, scoreSizes, element);
  AffineMap identity = b.getMultiDimIdentityMap(4);
  SmallVector<utils::IteratorType> parallel(4, utils::IteratorType::parallel);
  // The scale: a constant, or 1/sqrt(d_head) computed at run time.
  Value scale;
  if (std::optional<double> value = op.getScaleValue()) {
    scale = floatConstant(b, loc, element, *value);
  } else {
    Value dHead = tensor::DimOp::create(b, loc, q, 3);
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), dHead);
    Value asFloat = arith::SIToFPOp::create(b, loc, element, asInt);
    scale = arith::DivFOp::create(b, loc, floatConstant(b, loc, element, 1),
                                  math::SqrtOp::create(b, loc, asFloat));
  }
  bool causal = op.getCausal();
  Value scaled =
      linalg::GenericOp::create(
          b, loc, TypeRange{scoresType}, ValueRange{scores}, ValueRange{empty},
          ArrayRef<AffineMap>{identity, identity}, parallel,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            Value x = arith::MulFOp::create(nb, nloc, args[0], scale);
            if (causal) {
              Value query = linalg::IndexOp::create(nb, nloc, 2);
              Value key = linalg::IndexOp::create(nb, nloc, 3);
              Value masked = arith::CmpIOp::create(
                  nb, nloc, arith::CmpIPredicate::ugt, key, query);
              Value minusInf = floatConstant(
                  nb, nloc, element, -std::numeric_limits<double>::infinity());
              x = arith::SelectOp::create(nb, nloc, masked, minusInf, x);
            }
            linalg::YieldOp::create(nb, nloc, x);
          })
          .getResult(0);

  Value softmaxInit = tensor::EmptyOp::create(b, loc, scoreSizes, element);
  Value weights = linalg::SoftmaxOp::create(b, loc, TypeRange{scoresType},
                                            scaled, softmaxInit,
                                            /*dimension=*/uint64_t(3))
                      .getResult()[0];
  return ContractOp::create(b, loc, op.getResult().getType(),
                            specOf(kOutputSpec), {weights, v});
}

//===----------------------------------------------------------------------===//
// Fused: tiles of scores with an online softmax
//===----------------------------------------------------------------------===//

namespace {
/// Emits the fused loop nest for one op.
class FusedAttention {
public:
  FusedAttention(AttentionOp op, int64_t tileQ, int64_t tileK)
      : op(op), loc(op.getLoc()) {
    auto qType = op.getQuery().getType();
    batch = qType.getDimSize(0);
    seqQ = qType.getDimSize(1);
    heads = qType.getDimSize(2);
    dHead = qType.getDimSize(3);
    seqK = op.getKey().getType().getDimSize(1);
    dV = op.getValue().getType().getDimSize(3);
    element = qType.getElementType();
    this->tileQ = tileQ;
    this->tileK = tileK;
  }

  Value emit(OpBuilder &b);

private:
  /// A [rows, cols] slice of a [batch, seq, n_head, d] tensor at (b, s0, h).
  Value slice2d(OpBuilder &b, Value source, Value bIv, Value s0, Value hIv,
                int64_t rows, int64_t cols);
  /// Query tiles of `rows` queries from `first`, `count` of them, for
  /// every batch and head, written into `init`: one scf.forall.
  Value queryTiles(OpBuilder &b, Value init, int64_t first, int64_t count,
                   int64_t rows);
  /// One key tile of `keys` keys at k0 for a query tile of `rows` queries
  /// at q0: scores, online softmax update, weighted values.
  SmallVector<Value> keyTile(OpBuilder &b, Value qTile, Value bIv, Value hIv,
                             Value q0, Value k0, int64_t rows, int64_t keys,
                             ValueRange state);
  /// acc[i, :] = acc[i, :] * alpha[i] + pv[i, :] for each row.
  Value rescaleAndAdd(OpBuilder &b, Value acc, Value alpha, Value pv,
                      int64_t rows);
  /// out[i, :] = acc[i, :] / l[i] for each row.
  Value normalize(OpBuilder &b, Value acc, Value l, int64_t rows);
  VectorType vectorOf(int64_t n) { return VectorType::get({n}, element); }

  AttentionOp op;
  Location loc;
  int64_t batch, seqQ, heads, dHead, seqK, dV;
  int64_t tileQ, tileK;
  Type element;
};
} // namespace

Value FusedAttention::slice2d(OpBuilder &b, Value source, Value bIv, Value s0,
                              Value hIv, int64_t rows, int64_t cols) {
  auto type = RankedTensorType::get({rows, cols}, element);
  SmallVector<OpFoldResult> offsets = {bIv, s0, hIv, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(rows),
                                     b.getIndexAttr(1), b.getIndexAttr(cols)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, type, source, offsets, sizes,
                                        strides);
}

SmallVector<Value> FusedAttention::keyTile(OpBuilder &b, Value qTile, Value bIv,
                                           Value hIv, Value q0, Value k0,
                                           int64_t rows, int64_t keys,
                                           ValueRange state) {
  Value m = state[0], l = state[1], acc = state[2];
  Value kTile = slice2d(b, op.getKey(), bIv, k0, hIv, keys, dHead);
  Value vTile = slice2d(b, op.getValue(), bIv, k0, hIv, keys, dV);
  auto scoresType = RankedTensorType::get({rows, keys}, element);
  Value scores = ContractOp::create(b, loc, scoresType, specOf("qd,kd->qk"),
                                    {qTile, kTile});

  // Row by row, in vectors of tileK: scale (and mask), the new row max, the
  // weights exp(s - max), the rescale factor of the old state, the new sum.
  Value zero = indexConstant(b, loc, 0);
  Value one = indexConstant(b, loc, 1);
  Value rowsEnd = indexConstant(b, loc, rows);
  Value weightsInit =
      tensor::EmptyOp::create(b, loc, scoresType.getShape(), element);
  Value alphaInit = tensor::EmptyOp::create(b, loc, {rows}, element);
  Value padding = floatConstant(b, loc, element, 0);
  VectorType row = vectorOf(keys);
  Value scale = vector::BroadcastOp::create(
      b, loc, row, floatConstant(b, loc, element, *op.getScaleValue()));
  Value minusInf = vector::BroadcastOp::create(
      b, loc, row,
      floatConstant(b, loc, element, -std::numeric_limits<double>::infinity()));
  bool causal = op.getCausal();
  auto rowLoop = scf::ForOp::create(
      b, loc, zero, rowsEnd, one, ValueRange{weightsInit, m, l, alphaInit},
      [&](OpBuilder &nb, Location, Value i, ValueRange args) {
        Value s = vector::TransferReadOp::create(nb, loc, row, scores,
                                                 ValueRange{i, zero}, padding,
                                                 ArrayRef<bool>{true});
        s = arith::MulFOp::create(nb, loc, s, scale);
        if (causal) {
          // Keys k0 + j with k0 + j <= q0 + i: the first q0 + i - k0 + 1.
          Value query = arith::AddIOp::create(nb, loc, q0, i);
          Value allowed = arith::SubIOp::create(
              nb, loc, arith::AddIOp::create(nb, loc, query, one), k0);
          allowed = arith::MaxSIOp::create(nb, loc, allowed, zero);
          Value mask = vector::CreateMaskOp::create(
              nb, loc, VectorType::get({keys}, nb.getI1Type()),
              ValueRange{allowed});
          s = arith::SelectOp::create(nb, loc, mask, s, minusInf);
        }
        Value mOld = tensor::ExtractOp::create(nb, loc, args[1], i);
        Value mNew = vector::ReductionOp::create(
            nb, loc, vector::CombiningKind::MAXIMUMF, s, mOld);
        Value p = math::ExpOp::create(
            nb, loc,
            arith::SubFOp::create(
                nb, loc, s, vector::BroadcastOp::create(nb, loc, row, mNew)));
        Value alpha = math::ExpOp::create(
            nb, loc, arith::SubFOp::create(nb, loc, mOld, mNew));
        Value lOld = tensor::ExtractOp::create(nb, loc, args[2], i);
        Value lNew = vector::ReductionOp::create(
            nb, loc, vector::CombiningKind::ADD, p,
            arith::MulFOp::create(nb, loc, lOld, alpha),
            arith::FastMathFlags::reassoc);
        Value weights = vector::TransferWriteOp::create(nb, loc, p, args[0],
                                                        ValueRange{i, zero},
                                                        ArrayRef<bool>{true})
                            .getResult();
        Value mOut = tensor::InsertOp::create(nb, loc, mNew, args[1], i);
        Value lOut = tensor::InsertOp::create(nb, loc, lNew, args[2], i);
        Value alphaOut = tensor::InsertOp::create(nb, loc, alpha, args[3], i);
        scf::YieldOp::create(nb, loc,
                             ValueRange{weights, mOut, lOut, alphaOut});
      });
  Value weights = rowLoop.getResult(0);
  auto pvType = RankedTensorType::get({rows, dV}, element);
  Value pv =
      ContractOp::create(b, loc, pvType, specOf("qk,ke->qe"), {weights, vTile});
  Value accOut = rescaleAndAdd(b, acc, rowLoop.getResult(3), pv, rows);
  return {rowLoop.getResult(1), rowLoop.getResult(2), accOut};
}

Value FusedAttention::rescaleAndAdd(OpBuilder &b, Value acc, Value alpha,
                                    Value pv, int64_t rows) {
  Value zero = indexConstant(b, loc, 0);
  Value one = indexConstant(b, loc, 1);
  Value padding = floatConstant(b, loc, element, 0);
  VectorType row = vectorOf(dV);
  auto loop = scf::ForOp::create(
      b, loc, zero, indexConstant(b, loc, rows), one, ValueRange{acc},
      [&](OpBuilder &nb, Location, Value i, ValueRange args) {
        Value a = vector::TransferReadOp::create(nb, loc, row, args[0],
                                                 ValueRange{i, zero}, padding,
                                                 ArrayRef<bool>{true});
        Value x = vector::TransferReadOp::create(nb, loc, row, pv,
                                                 ValueRange{i, zero}, padding,
                                                 ArrayRef<bool>{true});
        Value factor = vector::BroadcastOp::create(
            nb, loc, row, tensor::ExtractOp::create(nb, loc, alpha, i));
        Value sum = math::FmaOp::create(nb, loc, a, factor, x);
        Value out = vector::TransferWriteOp::create(nb, loc, sum, args[0],
                                                    ValueRange{i, zero},
                                                    ArrayRef<bool>{true})
                        .getResult();
        scf::YieldOp::create(nb, loc, out);
      });
  return loop.getResult(0);
}

Value FusedAttention::normalize(OpBuilder &b, Value acc, Value l,
                                int64_t rows) {
  Value zero = indexConstant(b, loc, 0);
  Value one = indexConstant(b, loc, 1);
  Value padding = floatConstant(b, loc, element, 0);
  VectorType row = vectorOf(dV);
  Value init = tensor::EmptyOp::create(b, loc, {rows, dV}, element);
  auto loop = scf::ForOp::create(
      b, loc, zero, indexConstant(b, loc, rows), one, ValueRange{init},
      [&](OpBuilder &nb, Location, Value i, ValueRange args) {
        Value a = vector::TransferReadOp::create(nb, loc, row, acc,
                                                 ValueRange{i, zero}, padding,
                                                 ArrayRef<bool>{true});
        Value sum = vector::BroadcastOp::create(
            nb, loc, row, tensor::ExtractOp::create(nb, loc, l, i));
        Value out = vector::TransferWriteOp::create(
                        nb, loc, arith::DivFOp::create(nb, loc, a, sum),
                        args[0], ValueRange{i, zero}, ArrayRef<bool>{true})
                        .getResult();
        scf::YieldOp::create(nb, loc, out);
      });
  return loop.getResult(0);
}

Value FusedAttention::emit(OpBuilder &b) {
  auto resultType = op.getResult().getType();
  Value out = tensor::EmptyOp::create(b, loc, resultType.getShape(), element);
  // Whole query tiles, then the remaining queries as one smaller tile.
  int64_t whole = seqQ / tileQ, rest = seqQ % tileQ;
  if (whole)
    out = queryTiles(b, out, 0, whole, tileQ);
  if (rest)
    out = queryTiles(b, out, whole * tileQ, 1, rest);
  return out;
}

Value FusedAttention::queryTiles(OpBuilder &b, Value init, int64_t first,
                                 int64_t count, int64_t rows) {
  SmallVector<OpFoldResult> upper = {
      b.getIndexAttr(batch), b.getIndexAttr(heads), b.getIndexAttr(count)};
  auto forall = scf::ForallOp::create(b, loc, upper, ValueRange{init},
                                      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value bIv = forall.getInductionVar(0);
  Value hIv = forall.getInductionVar(1);
  Value q0 = arith::AddIOp::create(
      b, loc, indexConstant(b, loc, first),
      arith::MulIOp::create(b, loc, forall.getInductionVar(2),
                            indexConstant(b, loc, rows)));
  Value qTile = slice2d(b, op.getQuery(), bIv, q0, hIv, rows, dHead);

  // State: running row max m (-inf), row sum l (0), accumulator (0).
  auto fill = [&](ArrayRef<int64_t> shape, double value) {
    Value empty = tensor::EmptyOp::create(b, loc, shape, element);
    return linalg::FillOp::create(b, loc, floatConstant(b, loc, element, value),
                                  empty)
        .getResult(0);
  };
  Value m = fill({rows}, -std::numeric_limits<double>::infinity());
  Value l = fill({rows}, 0);
  Value acc = fill({rows, dV}, 0);

  // Whole key tiles, then the remaining keys as one smaller tile. Causal:
  // only the tiles that start at or before the last query of this tile
  // (the first key tile always does, so every row has a finite max before
  // a tile masks it whole).
  int64_t wholeKeys = seqK / tileK * tileK, restKeys = seqK % tileK;
  Value lastQuery =
      arith::AddIOp::create(b, loc, q0, indexConstant(b, loc, rows - 1));
  Value keysEnd = indexConstant(b, loc, wholeKeys);
  if (op.getCausal()) {
    Value tiles = arith::AddIOp::create(
        b, loc,
        arith::DivUIOp::create(b, loc, lastQuery, indexConstant(b, loc, tileK)),
        indexConstant(b, loc, 1));
    keysEnd = arith::MinUIOp::create(
        b, loc, keysEnd,
        arith::MulIOp::create(b, loc, tiles, indexConstant(b, loc, tileK)));
  }
  SmallVector<Value> state = {m, l, acc};
  if (wholeKeys) {
    auto keys = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), keysEnd, indexConstant(b, loc, tileK),
        state, [&](OpBuilder &nb, Location, Value k0, ValueRange iterArgs) {
          scf::YieldOp::create(
              nb, loc,
              keyTile(nb, qTile, bIv, hIv, q0, k0, rows, tileK, iterArgs));
        });
    state.assign(keys.getResults().begin(), keys.getResults().end());
  }
  SmallVector<Value> finalState(state);
  if (restKeys) {
    Value k0 = indexConstant(b, loc, wholeKeys);
    if (op.getCausal()) {
      Value needed = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                                           k0, lastQuery);
      auto lastTile = [&](OpBuilder &nb, Location) {
        scf::YieldOp::create(
            nb, loc,
            keyTile(nb, qTile, bIv, hIv, q0, k0, rows, restKeys, state));
      };
      auto skip = [&](OpBuilder &nb, Location) {
        scf::YieldOp::create(nb, loc, state);
      };
      finalState =
          scf::IfOp::create(b, loc, needed, lastTile, skip).getResults();
    } else {
      finalState = keyTile(b, qTile, bIv, hIv, q0, k0, rows, restKeys, state);
    }
  }
  Value tileOut = normalize(b, finalState[2], finalState[1], rows);

  b.setInsertionPointToEnd(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> offsets = {bIv, q0, hIv, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(rows),
                                     b.getIndexAttr(1), b.getIndexAttr(dV)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  tensor::ParallelInsertSliceOp::create(
      b, loc, tileOut, forall.getRegionIterArgs()[0], offsets, sizes, strides);
  return forall.getResult(0);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

AttentionPlan einsum::planAttention(llvm::StringRef variant, bool staticShapes,
                                    bool causal, int64_t seqQ, int64_t seqK,
                                    int64_t tileQ, int64_t tileK) {
  AttentionPlan plan;
  bool possible = staticShapes && seqQ > 0 && seqK > 0;
  plan.fused = variant == "fused" ||
               (variant == "auto" && possible && seqK >= kMinFusedSeqK);
  if (plan.fused && possible) {
    plan.tileQ = tileSize(seqQ, tileQ);
    plan.tileK = tileSize(seqK, causal ? std::min(tileK, plan.tileQ) : tileK);
  }
  return plan;
}

/// The plan of one op.
static AttentionPlan planOf(AttentionOp op, llvm::StringRef variant,
                            int64_t tileQ, int64_t tileK) {
  bool staticShapes =
      llvm::all_of(ArrayRef<Value>{op.getQuery(), op.getKey(), op.getValue()},
                   [](Value operand) {
                     auto type = cast<RankedTensorType>(operand.getType());
                     return type.hasStaticShape() && type.getNumElements() > 0;
                   });
  return planAttention(variant, staticShapes, op.getCausal(),
                       op.getQuery().getType().getDimSize(1),
                       op.getKey().getType().getDimSize(1), tileQ, tileK);
}

namespace {
struct EinsumLowerAttentionPass
    : einsum::impl::EinsumLowerAttentionBase<EinsumLowerAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    if (variant != "auto" && variant != "fused" && variant != "unfused") {
      getOperation()->emitError()
          << "einsum-lower-attention: unknown variant '" << variant
          << "' (expected auto, fused or unfused)";
      return signalPassFailure();
    }
    if (tileQ < 1 || tileK < 1) {
      getOperation()->emitError()
          << "einsum-lower-attention: tile sizes must be positive";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    for (AttentionOp op : ops) {
      AttentionPlan plan = planOf(op, variant, tileQ, tileK);
      if (plan.fused && !plan.tileQ) {
        op.emitOpError() << "the fused form needs static shapes and no "
                            "size 0 (use the unfused form)";
        return signalPassFailure();
      }
      OpBuilder b(op);
      Value result = plan.fused
                         ? FusedAttention(op, plan.tileQ, plan.tileK).emit(b)
                         : lowerUnfused(b, op);
      op.getResult().replaceAllUsesWith(result);
      op.erase();
    }
  }
};
} // namespace
