//===- Plan.cpp - einsum-cpu-target and einsum-cpu-plan -------------------===//
//
// The target and the plans as attributes in the IR (Plan.h), and the two
// passes that attach them; see their descriptions in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Plan.h"
#include "Einsum/CodeGen/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"

namespace einsum {
#define GEN_PASS_DEF_EINSUMCPUTARGET
#define GEN_PASS_DEF_EINSUMCPUPLAN
#include "Einsum/CodeGen/Passes.h.inc"
} // namespace einsum

using namespace mlir;
using namespace einsum;

//===----------------------------------------------------------------------===//
// The target
//===----------------------------------------------------------------------===//

TargetAttr einsum::targetToAttr(MLIRContext *context, const CPUTarget &target) {
  SmallVector<StringRef> enabled;
  for (StringRef feature : llvm::split(target.features, ','))
    if (feature.starts_with("+"))
      enabled.push_back(feature);
  llvm::sort(enabled);
  return TargetAttr::get(context, target.cpuName, llvm::join(enabled, ","),
                         target.vectorBits, target.numVectorRegisters,
                         target.l1Bytes, target.l2Bytes, target.cacheLineBytes);
}

CPUTarget einsum::targetFromAttr(TargetAttr attr) {
  CPUTarget target;
  target.cpuName = attr.getCpu().str();
  target.features = attr.getFeatures().str();
  target.vectorBits = attr.getVectorBits();
  target.numVectorRegisters = attr.getVectorRegisters();
  target.l1Bytes = attr.getL1Bytes();
  target.l2Bytes = attr.getL2Bytes();
  target.cacheLineBytes = attr.getCacheLineBytes();
  return target;
}

CPUTarget einsum::targetOf(Operation *op) {
  for (auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op)
                                       : op->getParentOfType<ModuleOp>();
       module; module = module->getParentOfType<ModuleOp>())
    if (auto attr = module->getAttrOfType<TargetAttr>(kTargetAttrName))
      return targetFromAttr(attr);
  return CPUTarget::host();
}

//===----------------------------------------------------------------------===//
// The plans
//===----------------------------------------------------------------------===//

PlanAttr einsum::planToAttr(linalg::GenericOp op, const TilePlan &plan) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  std::string roles;
  for (unsigned dim = 0; dim < plan.numLoops; ++dim) {
    char role = iterators[dim] == utils::IteratorType::reduction ? 'r' : 'b';
    if (dim == plan.nDim)
      role = 'n';
    else if (dim == plan.mDim)
      role = 'm';
    else if (dim == plan.panelDim)
      role = 'p';
    else if (dim == plan.kDim)
      role = 'k';
    roles += role;
  }
  SmallVector<int64_t> cacheOrder = plan.cacheInterchange;
  if (cacheOrder.empty())
    cacheOrder = llvm::to_vector(llvm::seq<int64_t>(0, plan.numLoops));
  return PlanAttr::get(op.getContext(), roles, plan.cacheTiles, cacheOrder,
                       plan.reductionTiles, plan.registerTiles,
                       plan.registerInterchange, plan.innerReductionTiles,
                       plan.singleKTile);
}

TilePlan einsum::planFromAttr(linalg::GenericOp op, PlanAttr attr) {
  TilePlan plan;
  StringRef roles = attr.getRoles();
  plan.numLoops = roles.size();
  for (auto [dim, role] : llvm::enumerate(roles)) {
    std::optional<unsigned> *slot = role == 'n'   ? &plan.nDim
                                    : role == 'm' ? &plan.mDim
                                    : role == 'k' ? &plan.kDim
                                    : role == 'p' ? &plan.panelDim
                                                  : nullptr;
    if (slot)
      *slot = dim;
  }
  plan.elementBits = getElementTypeOrSelf(op.getDpsInits()[0].getType())
                         .getIntOrFloatBitWidth();
  plan.cacheTiles = llvm::to_vector(attr.getCacheTiles());
  plan.cacheInterchange = llvm::to_vector(attr.getCacheOrder());
  plan.reductionTiles = llvm::to_vector(attr.getReductionTiles());
  plan.registerTiles = llvm::to_vector(attr.getRegisterTiles());
  plan.registerInterchange = llvm::to_vector(attr.getRegisterOrder());
  plan.innerReductionTiles = llvm::to_vector(attr.getInnerReductionTiles());
  plan.singleKTile = attr.getSingleKTile();
  return plan;
}

LogicalResult einsum::verifyPlan(linalg::GenericOp op, PlanAttr attr) {
  StringRef roles = attr.getRoles();
  if (roles.size() != op.getNumLoops())
    return op.emitOpError("einsum.plan has roles for ")
           << roles.size() << " loop dims, the op has " << op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [dim, role] : llvm::enumerate(roles)) {
    bool summed = role == 'k' || role == 'r';
    if (summed != (iterators[dim] == utils::IteratorType::reduction))
      return op.emitOpError("einsum.plan gives loop dim ")
             << dim << " the role '" << role << "', but it is a "
             << (summed ? "parallel" : "reduction") << " dim";
  }
  AffineMap out = op.getIndexingMapsArray().back();
  auto inner = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!inner || roles[inner.getPosition()] != 'n')
    return op.emitOpError("einsum.plan: the vector dim (role 'n') must be "
                          "the loop dim of the output's innermost axis");
  return success();
}

linalg::GenericOp einsum::partialSumsOf(linalg::GenericOp sum) {
  linalg::GenericOp partial = splitSumProducer(sum);
  if (!partial || !sum->getAttrOfType<PlanAttr>(kPlanAttrName))
    return nullptr;
  auto plan = partial->getAttrOfType<PlanAttr>(kPlanAttrName);
  if (!plan || !llvm::all_of(plan.getCacheTiles(),
                             [](int64_t tile) { return tile == 0; }))
    return nullptr;
  return partial;
}

LayoutPlanAttr einsum::layoutPlanToAttr(MLIRContext *context,
                                        const LayoutPlan &plan) {
  return LayoutPlanAttr::get(context, plan.rowPack, plan.packed, plan.panel,
                             plan.rows);
}

LayoutPlan einsum::layoutPlanFromAttr(LayoutPlanAttr attr) {
  return {attr.getRowPack(), llvm::to_vector(attr.getPack()), attr.getPanel(),
          attr.getRows()};
}

TransposePlanAttr einsum::transposePlanToAttr(MLIRContext *context,
                                              const TransposePlan &plan) {
  return TransposePlanAttr::get(context, plan.blocks, plan.vector, plan.order);
}

TransposePlan einsum::transposePlanFromAttr(TransposePlanAttr attr) {
  return {llvm::to_vector(attr.getBlocks()), llvm::to_vector(attr.getVector()),
          llvm::to_vector(attr.getOrder())};
}

LogicalResult einsum::verifyTransposePlan(Operation *op,
                                          TransposePlanAttr attr) {
  auto type = cast<ShapedType>(op->getResult(0).getType());
  if (int64_t(attr.getVector().size()) != type.getRank())
    return op->emitOpError("einsum.plan has ")
           << attr.getVector().size() << " dims for an output of rank "
           << type.getRank();
  return success();
}

//===----------------------------------------------------------------------===//
// einsum-cpu-target
//===----------------------------------------------------------------------===//

namespace {
struct EinsumCPUTargetPass
    : einsum::impl::EinsumCPUTargetBase<EinsumCPUTargetPass> {
  using EinsumCPUTargetBase::EinsumCPUTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // A target written in the IR stays: it is the experiment.
    if (module->hasAttr(kTargetAttrName)) {
      if (!module->getAttrOfType<TargetAttr>(kTargetAttrName)) {
        module.emitError() << kTargetAttrName
                           << " must be an #einsum.target attribute";
        return signalPassFailure();
      }
      return;
    }
    auto target = CPUTarget::get(targetCPU, targetFeatures);
    if (!target) {
      module.emitError() << "einsum-cpu-target: "
                         << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    TilingOptions tiling =
        makeTilingOptions(*target, vectorBits, l1Bytes, l2Bytes, 0, 0, 0, 0, 0);
    if (llvm::Error error = validateTilingOptions(tiling)) {
      module.emitError() << "einsum-cpu-target: "
                         << llvm::toString(std::move(error));
      return signalPassFailure();
    }
    module->setAttr(kTargetAttrName,
                    targetToAttr(&getContext(), tiling.target));
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// einsum-cpu-plan
//===----------------------------------------------------------------------===//

/// The largest min-reuse the option takes (the copy-worth test divides by
/// it, so the bound only keeps the option's values meaningful).
static constexpr int64_t kMaxMinReuse = int64_t(1) << 20;

namespace {
struct EinsumCPUPlanPass : einsum::impl::EinsumCPUPlanBase<EinsumCPUPlanPass> {
  using EinsumCPUPlanBase::EinsumCPUPlanBase;

  void runOnOperation() override {
    TilingOptions options =
        makeTilingOptions(targetOf(getOperation()), 0, 0, 0, cacheTileM,
                          cacheTileN, cacheTileK, registerTileM, registerTileN);
    if (llvm::Error error = validateTilingOptions(options)) {
      getOperation().emitError(llvm::toString(std::move(error)));
      return signalPassFailure();
    }
    if (minReuse < 0 || minReuse > kMaxMinReuse) {
      getOperation().emitError()
          << "option 'min-reuse' is " << static_cast<int64_t>(minReuse)
          << ": expected 0 to " << kMaxMinReuse;
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    if (layout) {
      // The data layouts einsum-cpu-layout then carries out; one written in
      // the IR stays, and an op with a tile plan keeps the layout that plan
      // was written for.
      getOperation().walk([&](linalg::GenericOp op) {
        if (op->hasAttr(kLayoutAttrName) || op->hasAttr(kPlanAttrName))
          return;
        if (std::optional<LayoutPlan> plan =
                planLayout(op, options, minReuse))
          op->setAttr(kLayoutAttrName, layoutPlanToAttr(context, *plan));
      });
      return;
    }
    // Plans written by hand (or by an earlier run) are verified and kept.
    bool failedVerify = false;
    auto keep = [&](Operation *op) {
      Attribute attr = op->getAttr(kPlanAttrName);
      if (!attr)
        return false;
      LogicalResult verified = failure();
      auto generic = dyn_cast<linalg::GenericOp>(op);
      if (generic && !permutingCopy(generic)) {
        auto plan = dyn_cast<PlanAttr>(attr);
        verified = plan ? verifyPlan(generic, plan)
                        : op->emitOpError("einsum.plan of a contraction must "
                                          "be an #einsum.plan");
      } else {
        auto plan = dyn_cast<TransposePlanAttr>(attr);
        verified = plan ? verifyTransposePlan(op, plan)
                        : op->emitOpError("einsum.plan of a transpose must be "
                                          "an #einsum.transpose_plan");
      }
      failedVerify |= failed(verified);
      return true;
    };
    SmallVector<linalg::TransposeOp> transposes;
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](Operation *op) {
      if (auto transpose = dyn_cast<linalg::TransposeOp>(op)) {
        auto type = cast<ShapedType>(transpose.getInit().getType());
        if (!keep(op) && transpose.hasPureTensorSemantics() &&
            type.hasStaticShape() && type.getRank() > 0)
          transposes.push_back(transpose);
      } else if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
        if (generic->hasAttr(kVectorSizesAttrName))
          return;
        if (!isTileable(generic)) {
          if (generic->hasAttr(kPlanAttrName)) {
            generic.emitOpError("einsum.plan on a loop nest einsum-cpu-tile "
                                "does not tile (a diagonal, a broadcast, a "
                                "full reduction, three or more operands or an "
                                "empty dim)");
            failedVerify = true;
          }
          return;
        }
        if (!keep(op))
          generics.push_back(generic);
      }
    });
    auto planCopy = [&](Operation *op, ArrayRef<int64_t> permutation) {
      auto type = cast<ShapedType>(op->getResult(0).getType());
      op->setAttr(kPlanAttrName,
                  transposePlanToAttr(
                      context, planTranspose(permutation, type.getShape(),
                                             type.getElementTypeBitWidth(),
                                             options.target)));
    };
    for (linalg::TransposeOp transpose : transposes)
      planCopy(transpose, transpose.getPermutation());
    // Split sums first: their partial sums take the plan that tiles them
    // inside the sum's row tiles.
    for (linalg::GenericOp sum : generics) {
      linalg::GenericOp partial = laneSumProducer(sum, options);
      if (!partial || !llvm::is_contained(generics, partial) ||
          partial->hasAttr(kPlanAttrName))
        continue;
      auto [partialPlan, sumPlan] = planSplitSum(partial, sum, options);
      partial->setAttr(kPlanAttrName, planToAttr(partial, partialPlan));
      sum->setAttr(kPlanAttrName, planToAttr(sum, sumPlan));
    }
    for (linalg::GenericOp op : generics) {
      if (op->hasAttr(kPlanAttrName))
        continue;
      if (std::optional<SmallVector<int64_t>> permutation = permutingCopy(op))
        planCopy(op, *permutation);
      else
        op->setAttr(kPlanAttrName, planToAttr(op, choosePlan(op, options)));
    }
    if (failedVerify)
      signalPassFailure();
  }
};
} // namespace
