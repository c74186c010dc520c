//===- JIT.h - Compile an einsum once, run it on caller buffers -*- C++ -*-===//
//
// The embedded JIT: builds the einsum as an MLIR function on memrefs, runs
// the one einsum-to-LLVM pipeline, and compiles it to native code for the
// host CPU with MLIR's ExecutionEngine.
//
//   einsum::Compiler compiler;                       // owns an MLIR context
//   auto kernel = compiler.getKernel("ij,jk->ik",    // cached, thread-safe
//       {{DType::F32, {64, 32}}, {DType::F32, {32, 16}}});
//   if (!kernel) ... llvm::toString(kernel.takeError()) ...
//   llvm::Error err = (*kernel)->run({a, b}, out);    // TensorViews,
//   OutputView
//
//   // or in one call, through a process-wide compiler:
//   llvm::Error err = einsum::einsum("ij,jk->ik", {a, b}, out);
//
// Errors are llvm::Error values naming the operand and label at fault;
// nothing aborts, and nothing is written outside the output view.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_RUNTIME_JIT_H
#define EINSUM_RUNTIME_JIT_H

#include "Einsum/CodeGen/Pipeline.h"
#include "Einsum/Spec/Spec.h"
#include "Einsum/Support/DType.h"
#include "Einsum/Support/TensorView.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class MLIRContext;
} // namespace mlir

namespace einsum {

/// NumPy's type promotion for einsum's element types (bf16 promotes like
/// f16, and bf16 with f16 gives f32). The result type of an einsum is the
/// promotion of its operand types.
DType promoteTypes(DType a, DType b);

/// Scaled dot-product attention (einsum.attention): see Compiler::
/// getAttentionKernel.
struct AttentionOptions {
  /// Query i attends to keys j <= i only.
  bool causal = false;
  /// The scale of the scores (any finite value); 0 for 1/sqrt(d_head).
  double scale = 0;
};

/// The shapes of attention, as an einsum: what an attention kernel checks
/// its operands against.
inline constexpr const char *kAttentionShapeSpec =
    "batch seqQ n_head d_head, batch seqK n_head d_head, "
    "batch seqK n_head d_v -> batch seqQ n_head d_v";

/// What a kernel is compiled for, per operand.
struct OperandType {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// Arbitrary strides (any view) rather than row-major contiguous. Strided
  /// kernels accept every view; contiguous ones are faster.
  bool strided = false;

  bool operator<(const OperandType &other) const {
    return std::tie(dtype, shape, strided) <
           std::tie(other.dtype, other.shape, other.strided);
  }
};

struct KernelOptions {
  /// The code generation pipeline's options.
  EinsumToLLVMOptions pipeline;
  /// Compile for any sizes (memrefs with '?' dims) instead of the given ones.
  bool dynamicShapes = false;
  /// The output may be any view (else it must be contiguous).
  bool stridedOutput = false;
  /// The most bytes the output, or any intermediate, may take; 0 for the
  /// machine's physical memory. A larger output is rejected when compiling
  /// (before anything is allocated); intermediates are kept below it by the
  /// contraction order (slicing if needed), and an unfused attention whose
  /// scores would not fit is fused (or, if asked for unfused, rejected).
  size_t memoryLimitBytes = 0;

  /// A string that differs whenever two option sets compile differently.
  std::string fingerprint() const;
};

/// A compiled einsum. Immutable; run() may be called from many threads.
class Kernel {
public:
  ~Kernel();

  const Spec &spec() const { return spec_; }
  /// The operand types it was compiled for (kDynamicSize in dynamic dims).
  const std::vector<OperandType> &inputTypes() const { return inputTypes_; }
  /// The element type of the output (the promotion of the input types).
  DType outputDType() const { return outputDType_; }
  /// Milliseconds spent compiling: MLIR pipeline, and LLVM to machine code.
  double pipelineMillis() const { return pipelineMillis_; }
  double codegenMillis() const { return codegenMillis_; }
  /// The code generator's remarks about this kernel (e.g. a register tile
  /// the vectorizer rejected, left as scalar loops); empty when every tile
  /// became vector code.
  const std::vector<std::string> &remarks() const { return remarks_; }

  /// The output shape for these input shapes, or an error naming the
  /// operand and label that do not fit the kernel.
  llvm::Expected<std::vector<int64_t>>
  outputShape(const std::vector<std::vector<int64_t>> &shapes) const;

  /// Runs on the caller's buffers. Checks the buffer count, null pointers,
  /// element types, strides (for contiguous kernels) and shapes against the
  /// kernel, and that the output view stays within its capacity and does
  /// not overlap itself.
  llvm::Error run(llvm::ArrayRef<TensorView> inputs,
                  const OutputView &output) const;

private:
  friend class Compiler;
  Kernel() = default;

  Spec spec_;
  std::vector<OperandType> inputTypes_;
  DType outputDType_ = DType::F32;
  bool stridedOutput_ = false;
  bool isDynamic_ = false;
  std::unique_ptr<mlir::ExecutionEngine> engine_;
  void (*entry_)(void **) = nullptr;
  double pipelineMillis_ = 0;
  double codegenMillis_ = 0;
  std::vector<std::string> remarks_;
};

/// Owns an MLIR context and a kernel cache. Thread-safe: any number of
/// threads may compile and run at once; compilation is serialized, and a
/// kernel requested by several threads is compiled once.
class Compiler {
public:
  /// At most this many kernels stay cached (least recently used evicted).
  static constexpr size_t kDefaultCacheCapacity = 256;

  explicit Compiler(size_t cacheCapacity = kDefaultCacheCapacity);
  ~Compiler();

  /// The process-wide compiler behind einsum::einsum().
  static Compiler &global();

  /// Compiles `spec` for these operands (not cached).
  llvm::Expected<std::shared_ptr<const Kernel>>
  compile(llvm::StringRef spec, const std::vector<OperandType> &operands,
          const KernelOptions &options = {});

  /// Like compile(), through the cache. The key is the canonical spec
  /// (labels renamed in order of appearance, so "ij,jk->ik" and
  /// "ab,bc->ac" share a kernel), the operand types and the options.
  llvm::Expected<std::shared_ptr<const Kernel>>
  getKernel(llvm::StringRef spec, const std::vector<OperandType> &operands,
            const KernelOptions &options = {});

  /// Attention, softmax(Q Kᵀ · scale) · V per batch and head, through the
  /// cache: query [batch, seqQ, n_head, d_head], key [batch, seqK, n_head,
  /// d_head], value [batch, seqK, n_head, d_v], all f32 or all f64; the
  /// output is [batch, seqQ, n_head, d_v]. options.pipeline.attentionVariant
  /// picks the fused or unfused form ("auto": fused when shapes are static).
  llvm::Expected<std::shared_ptr<const Kernel>>
  getAttentionKernel(const std::vector<OperandType> &operands,
                     const AttentionOptions &attention = {},
                     const KernelOptions &options = {});
  /// Convenience: contiguous operands of one dtype.
  llvm::Expected<std::shared_ptr<const Kernel>>
  compile(llvm::StringRef spec, const std::vector<std::vector<int64_t>> &shapes,
          DType dtype, const KernelOptions &options = {});

  /// The MLIR module compile() would lower (the einsum on memrefs), as text;
  /// with `lowered`, after the pipeline.
  llvm::Expected<std::string> emitMLIR(llvm::StringRef spec,
                                       const std::vector<OperandType> &operands,
                                       const KernelOptions &options = {},
                                       bool lowered = false);

  /// How the einsum will be compiled: the contraction order (for several
  /// steps), then per einsum the operands packed into panels and the roles
  /// and tile sizes of the loop dims. One item per line.
  llvm::Expected<std::string>
  describePlan(llvm::StringRef spec, const std::vector<OperandType> &operands,
               const KernelOptions &options = {});

  /// Cache statistics.
  size_t cacheSize() const;
  size_t cacheHits() const;
  size_t compilations() const;

private:
  llvm::Expected<std::shared_ptr<const Kernel>>
  compileLocked(llvm::StringRef spec, const std::vector<OperandType> &operands,
                const KernelOptions &options,
                const AttentionOptions *attention = nullptr);
  /// The cached kernel under `key`, compiled by `compile` on a miss.
  llvm::Expected<std::shared_ptr<const Kernel>>
  getCached(const std::string &key,
            llvm::function_ref<llvm::Expected<std::shared_ptr<const Kernel>>()>
                compile);

  std::unique_ptr<mlir::MLIRContext> context;
  /// Serializes all use of the MLIR context.
  std::mutex compileMutex;
  /// Guards the cache.
  mutable std::mutex cacheMutex;
  size_t capacity;
  /// Least recently used first.
  std::list<std::string> order;
  std::map<std::string, std::pair<std::shared_ptr<const Kernel>,
                                  std::list<std::string>::iterator>>
      cache;
  size_t hits = 0, misses = 0;
};

/// The contraction order compile() follows for these operands: the steps
/// (each an einsum of its own), their FLOPs, slices under a memory limit, and
/// the totals against one loop nest. See Einsum/Path/ContractionPath.h.
llvm::Expected<ContractionPath>
contractionPath(llvm::StringRef spec, const std::vector<OperandType> &operands,
                const KernelOptions &options = {});

/// The machine's physical memory in bytes (the default memory limit).
size_t physicalMemoryBytes();
/// "1.5 GiB", "12.0 MiB", "3.2 KiB".
std::string bytesString(double bytes);

/// The operand types of these views (strided unless contiguous).
std::vector<OperandType> operandTypesOf(llvm::ArrayRef<TensorView> inputs);

/// The most scratch memory (packed operands, intermediates of a contraction
/// order, attention scores or score tiles) compiled kernels held at once,
/// over all threads, since the last resetScratchPeak(). Caller buffers are
/// not counted.
size_t scratchPeakBytes();
void resetScratchPeak();

/// Computes attention in one call, through the process-wide compiler.
llvm::Error attention(const TensorView &query, const TensorView &key,
                      const TensorView &value, const OutputView &output,
                      const AttentionOptions &attention = {},
                      const KernelOptions &options = {});

/// Computes `spec` on `inputs` into `output` in one call: compiles through
/// the process-wide compiler's cache and runs.
llvm::Error einsum(llvm::StringRef spec, llvm::ArrayRef<TensorView> inputs,
                   const OutputView &output);

} // namespace einsum

#endif // EINSUM_RUNTIME_JIT_H
