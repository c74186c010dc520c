//===- Plan.h - The target and the plans, as attributes in the IR -*- C++
//-*-===//
//
// Code generation keeps its decisions in the IR, as IREE keeps its
// lowering_config: the module carries one #einsum.target (einsum-cpu-target
// attaches it), the only source of target facts for the passes after it;
// einsum-cpu-plan chooses an #einsum.plan (or #einsum.transpose_plan) for
// every op einsum-cpu-tile tiles, and einsum-cpu-tile only reads it. This
// header converts between the attributes and the C++ structures the
// planners work on (CPUTarget, TilePlan, TransposePlan) and checks that a
// plan fits its op.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_CODEGEN_PLAN_H
#define EINSUM_CODEGEN_PLAN_H

#include "Einsum/CodeGen/Target.h"
#include "Einsum/CodeGen/TilePlan.h"
#include "Einsum/Dialect/Einsum/EinsumAttrs.h"

#include "mlir/IR/Operation.h"

namespace einsum {

/// The op attribute holding a contraction's data layout
/// (#einsum.layout_plan), read by einsum-cpu-layout.
inline constexpr const char *kLayoutAttrName = "einsum.layout";
/// The module attribute holding the target (#einsum.target).
inline constexpr const char *kTargetAttrName = "einsum.target";
/// The op attribute holding an op's plan (#einsum.plan on a contraction,
/// #einsum.transpose_plan on a transpose or permuting copy).
inline constexpr const char *kPlanAttrName = "einsum.plan";

/// `target` as an attribute (its enabled features only).
TargetAttr targetToAttr(mlir::MLIRContext *context, const CPUTarget &target);
/// The CPUTarget an attribute describes.
CPUTarget targetFromAttr(TargetAttr attr);
/// The target of the code `op` belongs to: the einsum.target of the nearest
/// enclosing module that has one, else the host.
CPUTarget targetOf(mlir::Operation *op);

/// `plan`, a plan of `op`, as an attribute.
PlanAttr planToAttr(mlir::linalg::GenericOp op, const TilePlan &plan);
/// The TilePlan of `op` its attribute describes (`attr` fits `op`).
TilePlan planFromAttr(mlir::linalg::GenericOp op, PlanAttr attr);
/// Checks that `attr` fits `op`: one role per loop dim, summed roles on
/// reduction dims, n the output's innermost axis; the error names the
/// mismatch.
mlir::LogicalResult verifyPlan(mlir::linalg::GenericOp op, PlanAttr attr);

/// The partial sums einsum-cpu-tile tiles inside the cache tiles of the
/// lane sum `sum` (planSplitSum): its splitSumProducer, if that one's plan
/// has no cache tiles of its own; null otherwise.
mlir::linalg::GenericOp partialSumsOf(mlir::linalg::GenericOp sum);

LayoutPlanAttr layoutPlanToAttr(mlir::MLIRContext *context,
                                const LayoutPlan &plan);
LayoutPlan layoutPlanFromAttr(LayoutPlanAttr attr);

TransposePlanAttr transposePlanToAttr(mlir::MLIRContext *context,
                                      const TransposePlan &plan);
TransposePlan transposePlanFromAttr(TransposePlanAttr attr);
/// Checks that `attr` has one entry per dim of `op`'s output.
mlir::LogicalResult verifyTransposePlan(mlir::Operation *op,
                                        TransposePlanAttr attr);

} // namespace einsum

#endif // EINSUM_CODEGEN_PLAN_H
