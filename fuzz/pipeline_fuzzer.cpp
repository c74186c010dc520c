//===- pipeline_fuzzer.cpp - Fuzz the pass options and the pipeline -------===//
//
// Input: a first line naming one einsum pass or pipeline with options, as
// einsum-opt takes them, then an MLIR module:
//
//   einsum-to-llvm{nr=-5 target-cpu=haswell}
//   func.func(einsum-cpu-tile{mr=3 kc=7})
//   module { func.func @f(...) { ... einsum.contract ... } }
//
// The first line must be `einsum-to-llvm`, `einsum-lower-attention`,
// `einsum-contraction-order` or `einsum-cpu-target` (with options in
// braces), or an einsum-cpu-* pass inside `func.func(...)`; any option
// values are fed to them. The module may carry targets and plans
// (`#einsum.target`, `#einsum.plan`, ...) written by hand. An
// option out of range or an unknown target must be a reported error, a
// module that verifies must compile or fail with a diagnostic: nothing may
// crash, and a pass that succeeds must leave IR that verifies.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Pipeline.h"
#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Dialect/Einsum/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringRef.h"

#include <cstdlib>

using namespace mlir;

static MLIRContext &context() {
  static MLIRContext *context = [] {
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllExtensions(registry);
    registry.insert<einsum::EinsumDialect>();
    registerAllPasses();
    einsum::registerEinsumTransformsPasses();
    einsum::registerEinsumConversionPasses();
    einsum::registerEinsumCodeGenPasses();
    einsum::registerEinsumPipelines();
    auto *ctx = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    return ctx;
  }();
  return *context;
}

/// True if `line` names only einsum passes: `name{...}` for a module-level
/// einsum pass or pipeline, `func.func(einsum-cpu-...{...})` for a function
/// pass (option text is anything without parentheses).
static bool isEinsumPass(llvm::StringRef line) {
  auto optionsOnly = [](llvm::StringRef rest) {
    return rest.empty() ||
           (rest.starts_with("{") && rest.ends_with("}") &&
            !rest.contains('(') && !rest.contains(')'));
  };
  for (llvm::StringRef name :
       {"einsum-to-llvm", "einsum-lower-attention", "einsum-contraction-order",
        "convert-einsum-to-linalg", "einsum-cpu-target"})
    if (line.consume_front(name))
      return optionsOnly(line);
  if (!line.consume_front("func.func(einsum-cpu-") || !line.consume_back(")"))
    return false;
  size_t nameEnd = line.find_first_not_of("abcdefghijklmnopqrstuvwxyz-");
  return optionsOnly(nameEnd == llvm::StringRef::npos ? ""
                                                      : line.substr(nameEnd));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 8192)
    return 0;
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  auto [line, rest] = input.split('\n');
  if (!isEinsumPass(line))
    return 0;
  MLIRContext &ctx = context();
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
  // MLIR's lexer needs a NUL-terminated buffer (as a file read gives).
  std::string text = rest.str();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
  if (!module || failed(verify(*module)))
    return 0;
  PassManager pm(&ctx, ModuleOp::getOperationName());
  pm.enableVerifier(false); // checked below, once
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(line, pm, errorStream)))
    return 0; // an option out of range: reported, not crashed
  if (succeeded(pm.run(*module)) && failed(verify(*module)))
    std::abort(); // a pass produced invalid IR from valid IR
  return 0;
}
