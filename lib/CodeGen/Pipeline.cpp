//===- Pipeline.cpp - The einsum-to-LLVM pipeline -------------------------===//

#include "Einsum/CodeGen/Pipeline.h"
#include "Einsum/CodeGen/Passes.h"
#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace einsum;

/// Copies the tile size overrides of `tiling` into the options of
/// einsum-cpu-plan.
static void setTileOverrides(EinsumCPUPlanOptions &passOptions,
                             const TilingOptions &tiling) {
  passOptions.cacheTileM = tiling.cacheTileM;
  passOptions.cacheTileN = tiling.cacheTileN;
  passOptions.cacheTileK = tiling.cacheTileK;
  passOptions.registerTileM = tiling.registerTileM;
  passOptions.registerTileN = tiling.registerTileN;
}

void einsum::buildEinsumToTilingPipeline(OpPassManager &pm,
                                         const EinsumToLLVMOptions &options) {
  // The target, in the IR: every pass below reads it from there. Every
  // fact is spelled out (the features in full, the sizes), so the printed
  // pipeline names the target exactly.
  const CPUTarget &target = options.tiling.target;
  EinsumCPUTargetOptions targetOptions;
  targetOptions.targetCPU = target.isHost ? "host" : target.cpuName;
  targetOptions.targetFeatures = target.isHost ? "" : target.features;
  targetOptions.vectorBits = target.vectorBits;
  targetOptions.l1Bytes = target.l1Bytes;
  targetOptions.l2Bytes = target.l2Bytes;
  pm.addPass(createEinsumCPUTarget(targetOptions));
  // Attention -> einsums and a softmax (or the fused loop nest).
  EinsumLowerAttentionOptions attention;
  attention.variant = options.attentionVariant;
  pm.addPass(createEinsumLowerAttention(attention));
  // N operands -> pairwise einsums in the cheapest order.
  if (options.path.algorithm != PathAlgorithm::None) {
    EinsumContractionOrderOptions order;
    order.memoryLimit = static_cast<int64_t>(options.path.memoryLimit);
    order.algorithm = pathAlgorithmName(options.path.algorithm);
    pm.addPass(createEinsumContractionOrder(order));
  }
  // einsum -> linalg.generic on tensors.
  pm.addPass(createConvertEinsumToLinalg());
  // Accumulate straight into the destination buffer where there is one.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  OpPassManager &tensors = pm.nest<func::FuncOp>();
  tensors.addPass(createEinsumCPUExpandOps());
  tensors.addPass(createCanonicalizerPass());
  if (options.tile) {
    // Merged dims first: the tile plan sees the GEMM in disguise.
    tensors.addPass(createEinsumCPUCollapseDims());
    // Row sums and matrix-vector products vectorized along their
    // unit-stride summed axis.
    tensors.addPass(createEinsumCPUSplitReduction());
    tensors.addPass(createCanonicalizerPass());
  }
  if (options.layout && options.tile) {
    // The data layout chosen, then carried out.
    EinsumCPUPlanOptions layoutOptions;
    setTileOverrides(layoutOptions, options.tiling);
    layoutOptions.layout = true;
    tensors.addPass(createEinsumCPUPlan(layoutOptions));
    tensors.addPass(createEinsumCPULayout());
  }
  if (options.tile) {
    // Every tiling decision, as attributes einsum-cpu-tile reads.
    EinsumCPUPlanOptions planOptions;
    setTileOverrides(planOptions, options.tiling);
    tensors.addPass(createEinsumCPUPlan(planOptions));
  }
}

void einsum::buildEinsumToLLVMPipeline(OpPassManager &pm,
                                       const EinsumToLLVMOptions &options) {
  bool vectorize = options.tile && options.vectorize;
  buildEinsumToTilingPipeline(pm, options);
  OpPassManager &tensors = pm.nest<func::FuncOp>();
  if (options.tile) {
    tensors.addPass(createEinsumCPUTile());
    tensors.addPass(createCanonicalizerPass());
    tensors.addPass(createCSEPass());
  }
  if (vectorize) {
    tensors.addPass(createEinsumCPUVectorize());
    // The accumulator becomes a loop-carried vector.
    tensors.addPass(createLoopInvariantSubsetHoistingPass());
    tensors.addPass(createCanonicalizerPass());
    tensors.addPass(createCSEPass());
  }

  // Tensors to buffers; internal buffers (transposed operands) are freed.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  OpPassManager &buffers = pm.nest<func::FuncOp>();
  buffers.addPass(createCanonicalizerPass());
  if (vectorize)
    buffers.addPass(createEinsumCPULowerVectors());
  buffers.addPass(createEinsumCPULowerCopies());
  buffers.addPass(createConvertLinalgToLoopsPass());
  if (options.threads > 1) {
    // Cache tiles on threads: scf.forall -> scf.parallel -> omp.parallel.
    buffers.addPass(createForallToParallelLoopPass());
  } else {
    buffers.addPass(createForallToForLoopPass());
  }
  // Fully unrolled: the default lowering of n-D transfers puts a stack
  // buffer (memref.alloca) in the loop body, which overflows the stack on
  // long loops (found on a 256^3 transpose).
  buffers.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  if (vectorize) {
    buffers.addPass(createEinsumCPUStreamingStores());
  }
  buffers.addPass(createLowerAffinePass());
  buffers.addPass(createCanonicalizerPass());
  buffers.addPass(createCSEPass());

  if (options.threads > 1) {
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = options.threads;
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
    // Folds the single-block alloca scopes the conversion leaves, which
    // convert-scf-to-cf cannot lower otherwise.
    pm.addPass(createCanonicalizerPass());
  }

  // To the LLVM dialect.
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle1D;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = options.genericAllocationFunctions;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  if (options.threads > 1)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {
/// The command-line face of EinsumToLLVMOptions.
struct EinsumToLLVMPipelineOptions
    : PassPipelineOptions<EinsumToLLVMPipelineOptions> {
  Option<std::string> targetCPU{
      *this, "target-cpu",
      llvm::cl::desc("CPU to generate code and plans for: host, or an LLVM "
                     "x86-64 CPU name (haswell, znver3, skylake-avx512, ...)"),
      llvm::cl::init("host")};
  Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("Features added to or removed from the target CPU's "
                     "(e.g. -avx512f,+avx512bf16)"),
      llvm::cl::init("")};
  Option<unsigned> vectorBits{*this, "vector-bits",
                              llvm::cl::desc("Vector width (0: the target's)"),
                              llvm::cl::init(0)};
  Option<int64_t> l1Bytes{*this, "l1-bytes",
                          llvm::cl::desc("L1 size (0: the target's)"),
                          llvm::cl::init(0)};
  Option<int64_t> l2Bytes{*this, "l2-bytes",
                          llvm::cl::desc("L2 size (0: the target's)"),
                          llvm::cl::init(0)};
  Option<int64_t> mc{*this, "mc", llvm::cl::desc("Cache tile of M"),
                     llvm::cl::init(0)};
  Option<int64_t> nc{*this, "nc", llvm::cl::desc("Cache tile of N"),
                     llvm::cl::init(0)};
  Option<int64_t> kc{*this, "kc", llvm::cl::desc("Cache tile of K"),
                     llvm::cl::init(0)};
  Option<int64_t> mr{*this, "mr", llvm::cl::desc("Register tile of M"),
                     llvm::cl::init(0)};
  Option<int64_t> nr{*this, "nr", llvm::cl::desc("Register tile of N"),
                     llvm::cl::init(0)};
  Option<bool> layout{*this, "layout",
                      llvm::cl::desc("Transpose operands for unit stride"),
                      llvm::cl::init(true)};
  Option<bool> tile{*this, "tile", llvm::cl::desc("Tile contractions"),
                    llvm::cl::init(true)};
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Vectorize register tiles"),
                         llvm::cl::init(true)};
  Option<int64_t> memoryLimit{
      *this, "memory-limit",
      llvm::cl::desc("Most elements an intermediate may hold (0: no limit)"),
      llvm::cl::init(0)};
  Option<PathAlgorithm> algorithm{
      *this, "algorithm", llvm::cl::desc("Contraction order search"),
      llvm::cl::init(PathAlgorithm::Auto),
      llvm::cl::values(
          clEnumValN(PathAlgorithm::Auto, "auto",
                     "optimal up to 10 operands, greedy beyond"),
          clEnumValN(PathAlgorithm::Optimal, "optimal",
                     "dynamic programming over subsets"),
          clEnumValN(PathAlgorithm::Greedy, "greedy",
                     "contract the pair that shrinks the data most"),
          clEnumValN(PathAlgorithm::None, "none",
                     "keep each einsum one loop nest"))};
  Option<std::string> attention{
      *this, "attention",
      llvm::cl::desc("einsum.attention as: auto, fused or unfused"),
      llvm::cl::init("auto")};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Worker threads for the cache tiles (OpenMP if > 1)"),
      llvm::cl::init(1)};
};
} // namespace

llvm::Error
einsum::validateEinsumToLLVMOptions(const EinsumToLLVMOptions &options) {
  auto bad = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  if (llvm::Error error = validateTilingOptions(options.tiling))
    return error;
  if (options.path.memoryLimit < 0)
    return bad("option 'memory-limit' is " +
               llvm::Twine(int64_t(options.path.memoryLimit)) +
               ": expected a number of elements >= 0");
  if (options.threads < 1 || options.threads > kMaxThreads)
    return bad("option 'threads' is " + llvm::Twine(options.threads) +
               ": expected 1 to " + llvm::Twine(kMaxThreads));
  const std::string &attention = options.attentionVariant;
  if (attention != "auto" && attention != "fused" && attention != "unfused")
    return bad("option 'attention' is '" + attention +
               "': expected auto, fused or unfused");
  return llvm::Error::success();
}

/// EinsumToLLVMOptions from the pipeline's command-line options; errors
/// name the option out of range or the unknown target.
static llvm::Expected<EinsumToLLVMOptions>
toOptions(const EinsumToLLVMPipelineOptions &cl) {
  auto target = CPUTarget::get(cl.targetCPU, cl.targetFeatures);
  if (!target)
    return target.takeError();
  EinsumToLLVMOptions options;
  options.tiling =
      makeTilingOptions(*target, cl.vectorBits, cl.l1Bytes, cl.l2Bytes, cl.mc,
                        cl.nc, cl.kc, cl.mr, cl.nr);
  options.layout = cl.layout;
  options.tile = cl.tile;
  options.vectorize = cl.vectorize;
  options.threads = cl.threads;
  options.path.memoryLimit = static_cast<double>(cl.memoryLimit);
  options.path.algorithm = cl.algorithm;
  options.attentionVariant = cl.attention;
  if (llvm::Error error = validateEinsumToLLVMOptions(options))
    return std::move(error);
  return options;
}

void einsum::registerEinsumPipelines() {
  // As PassPipelineRegistration, but an option out of range or an unknown
  // target is an error of the pipeline, reported through errorHandler.
  registerPassPipeline(
      "einsum-to-llvm",
      "Compile einsum.contract on tensors to the LLVM dialect (tiled, "
      "vectorized CPU code)",
      [](OpPassManager &pm, StringRef optionsText,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        EinsumToLLVMPipelineOptions cl;
        if (failed(cl.parseFromString(optionsText)))
          return failure();
        auto options = toOptions(cl);
        if (!options)
          return errorHandler("einsum-to-llvm: " +
                              llvm::toString(options.takeError()));
        buildEinsumToLLVMPipeline(pm, *options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(EinsumToLLVMPipelineOptions());
      });
}
