//===- JIT.h - Compile an einsum once, run it on caller buffers -*- C++ -*-===//
//
// The embedded JIT: builds the einsum as an MLIR function on memrefs, runs
// the one einsum-to-LLVM pipeline, and compiles it to native code for the
// host CPU with MLIR's ExecutionEngine.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_RUNTIME_JIT_H
#define EINSUM_RUNTIME_JIT_H

#include "Einsum/CodeGen/Pipeline.h"
#include "Einsum/Reference/Reference.h"
#include "Einsum/Support/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class MLIRContext;
} // namespace mlir

namespace einsum {

struct KernelOptions {
  /// The code generation pipeline's options.
  EinsumToLLVMOptions pipeline;
  /// Compile for any sizes (memrefs with '?' dims) instead of the given ones.
  bool dynamicShapes = false;
};

/// A compiled einsum. Thread-compatible: run() may be called concurrently.
class Kernel {
public:
  ~Kernel();

  const Spec &spec() const { return spec_; }
  DType dtype() const { return dtype_; }
  /// The operand shapes it was compiled for (kDynamicSize where dynamic).
  const std::vector<std::vector<int64_t>> &inputShapes() const {
    return inputShapes_;
  }
  /// Milliseconds spent compiling: MLIR pipeline, and LLVM to machine code.
  double pipelineMillis() const { return pipelineMillis_; }
  double codegenMillis() const { return codegenMillis_; }

  /// The output shape for these input shapes, or an error naming the
  /// operand and label that do not fit the kernel.
  llvm::Expected<std::vector<int64_t>>
  outputShape(const std::vector<std::vector<int64_t>> &shapes) const;

  /// Runs on contiguous row-major buffers of the kernel's dtype. Checks the
  /// buffer count, null pointers, and shapes against the kernel.
  llvm::Error run(llvm::ArrayRef<TensorView> inputs, void *output,
                  llvm::ArrayRef<int64_t> outputShape) const;

private:
  friend class Compiler;
  Kernel() = default;

  Spec spec_;
  DType dtype_ = DType::F32;
  std::vector<std::vector<int64_t>> inputShapes_;
  std::vector<int64_t> outputShape_;
  std::unique_ptr<mlir::ExecutionEngine> engine_;
  void (*entry_)(void **) = nullptr;
  double pipelineMillis_ = 0;
  double codegenMillis_ = 0;
};

/// Owns an MLIR context; compiles kernels. Not thread-safe.
class Compiler {
public:
  Compiler();
  ~Compiler();

  /// Compiles `spec` for operands of `shapes` and `dtype` (f16/bf16
  /// accumulate in f32; the output has the input dtype).
  llvm::Expected<std::unique_ptr<Kernel>>
  compile(llvm::StringRef spec, const std::vector<std::vector<int64_t>> &shapes,
          DType dtype, const KernelOptions &options = {});

  /// The MLIR module compile() would lower (the einsum on memrefs), as text;
  /// with `lowered`, after the pipeline.
  llvm::Expected<std::string>
  emitMLIR(llvm::StringRef spec, const std::vector<std::vector<int64_t>> &shapes,
           DType dtype, const KernelOptions &options = {}, bool lowered = false);

  /// How the einsum will be compiled: operands copied to a new layout, and
  /// the roles and tile sizes of the loop dims. One item per line.
  llvm::Expected<std::string>
  describePlan(llvm::StringRef spec,
               const std::vector<std::vector<int64_t>> &shapes, DType dtype,
               const KernelOptions &options = {});

private:
  std::unique_ptr<mlir::MLIRContext> context;
};

} // namespace einsum

#endif // EINSUM_RUNTIME_JIT_H
