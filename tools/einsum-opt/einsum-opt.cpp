//===- einsum-opt.cpp - The einsum pass driver ----------------------------===//
//
// mlir-opt with the einsum dialect and its passes registered alongside the
// upstream dialects, passes and extensions.
//
//===----------------------------------------------------------------------===//

#include "Einsum/CodeGen/Passes.h"
#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumDialect.h"
#include "Einsum/Dialect/Einsum/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  einsum::registerEinsumTransformsPasses();
  einsum::registerEinsumConversionPasses();
  einsum::registerEinsumCodeGenPasses();
  einsum::registerEinsumPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<einsum::EinsumDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "einsum compiler pass driver\n", registry));
}
