//===- mlir_fuzzer.cpp - Fuzz the einsum dialect's parser and verifier ----===//
//
// Input: MLIR text, as einsum-opt reads it, with the einsum dialect and the
// upstream dialects it uses registered. Parsing and verification must never
// crash; diagnostics are collected and dropped. A module that verifies is
// also run through the einsum-level passes and the conversion to linalg
// (whose results must verify again).
//
//===----------------------------------------------------------------------===//

#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Dialect/Einsum/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstdlib>

using namespace mlir;

static MLIRContext &context() {
  static MLIRContext *context = [] {
    DialectRegistry registry;
    registry
        .insert<einsum::EinsumDialect, func::FuncDialect, arith::ArithDialect,
                linalg::LinalgDialect, math::MathDialect, scf::SCFDialect,
                tensor::TensorDialect, vector::VectorDialect>();
    auto *ctx = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    return ctx;
  }();
  return *context;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384)
    return 0;
  MLIRContext &ctx = context();
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
  // MLIR's lexer needs a NUL-terminated buffer (as a file read gives).
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
  if (!module || failed(verify(*module)))
    return 0;
  PassManager pm(&ctx, ModuleOp::getOperationName());
  pm.enableVerifier(false); // checked below, once
  pm.addPass(einsum::createEinsumLowerAttention());
  pm.addPass(einsum::createEinsumContractionOrder());
  pm.addPass(einsum::createConvertEinsumToLinalg());
  if (succeeded(pm.run(*module)) && failed(verify(*module)))
    std::abort(); // a pass produced invalid IR from valid IR
  return 0;
}
