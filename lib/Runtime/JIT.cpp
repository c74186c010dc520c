//===- JIT.cpp - Compile an einsum once, run it on caller buffers ---------===//

#include "Einsum/Runtime/JIT.h"
#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Target.h"
#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumOps.h"
#include "Workspace.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>

using namespace mlir;
using namespace einsum;

static constexpr llvm::StringLiteral kEntryName = "einsum_kernel";

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static double millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

static Type elementType(MLIRContext *context, DType dtype) {
  Builder b(context);
  switch (dtype) {
  case DType::F32:
    return b.getF32Type();
  case DType::F64:
    return b.getF64Type();
  case DType::I32:
    return b.getI32Type();
  case DType::I64:
    return b.getI64Type();
  case DType::F16:
    return b.getF16Type();
  case DType::BF16:
    return b.getBF16Type();
  }
  return {};
}

/// Parses and binds the spec; errors carry the rendered spec and carets.
static llvm::Expected<std::pair<Spec, Binding>>
parseAndBind(llvm::StringRef text,
             const std::vector<std::vector<int64_t>> &shapes) {
  std::string_view view(text.data(), text.size());
  SpecResult<Spec> spec = parseSpec(view);
  if (!spec)
    return makeError(spec.error().render(view));
  SpecResult<Binding> binding = bindSpec(*spec, shapes);
  if (!binding)
    return makeError(binding.error().render(view));
  return std::make_pair(std::move(*spec), std::move(*binding));
}

/// Builds
///   func.func @einsum_kernel(%in0: memref<...>, ..., %out: memref<...>)
///       attributes {llvm.emit_c_interface} {
///     %t0 = bufferization.to_tensor %in0 restrict ...
///     %r = einsum.contract "spec" ins(%t0, ...) -> tensor<...>
///     bufferization.materialize_in_destination %r in restrict writable %out
///   }
static OwningOpRef<ModuleOp>
buildKernelModule(MLIRContext *context, const Spec &spec,
                  const Binding &binding,
                  const std::vector<std::vector<int64_t>> &shapes, DType dtype,
                  bool dynamic) {
  OpBuilder b(context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  Type element = elementType(context, dtype);
  bool narrowFloat = dtype == DType::F16 || dtype == DType::BF16;

  auto shapeOf = [&](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> result(shape.begin(), shape.end());
    if (dynamic)
      result.assign(shape.size(), ShapedType::kDynamic);
    return result;
  };
  SmallVector<Type> argTypes;
  for (const std::vector<int64_t> &shape : shapes)
    argTypes.push_back(MemRefType::get(shapeOf(shape), element));
  std::vector<int64_t> outShape = binding.outputShape();
  auto outMemRef = MemRefType::get(shapeOf(outShape), element);
  argTypes.push_back(outMemRef);

  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, loc, kEntryName,
                                   b.getFunctionType(argTypes, {}));
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                b.getUnitAttr());
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  SmallVector<Value> tensors;
  for (size_t i = 0; i < shapes.size(); ++i) {
    auto memref = cast<MemRefType>(argTypes[i]);
    auto tensorType = RankedTensorType::get(memref.getShape(), element);
    tensors.push_back(bufferization::ToTensorOp::create(
        b, loc, tensorType, body->getArgument(i), /*restrict=*/b.getUnitAttr(),
        /*writable=*/nullptr));
  }
  auto resultType = RankedTensorType::get(outMemRef.getShape(), element);
  auto contract = ContractOp::create(b, loc, resultType, spec, tensors);
  if (narrowFloat)
    contract.setAccumulatorTypeAttr(TypeAttr::get(b.getF32Type()));
  bufferization::MaterializeInDestinationOp::create(
      b, loc, /*result=*/Type(), contract.getResult(), body->getArguments().back(),
      /*restrict=*/true, /*writable=*/true);
  func::ReturnOp::create(b, loc);
  return module;
}

//===----------------------------------------------------------------------===//
// Compiler
//===----------------------------------------------------------------------===//

Compiler::Compiler() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<EinsumDialect>();
  context = std::make_unique<MLIRContext>(registry,
                                          MLIRContext::Threading::DISABLED);
  context->loadDialect<EinsumDialect, func::FuncDialect,
                       bufferization::BufferizationDialect,
                       memref::MemRefDialect>();
}

Compiler::~Compiler() = default;

/// Builds the kernel module and, if `lower`, runs the pipeline on it.
static llvm::Expected<OwningOpRef<ModuleOp>>
buildAndLower(MLIRContext *context, const Spec &spec, const Binding &binding,
              const std::vector<std::vector<int64_t>> &shapes, DType dtype,
              const KernelOptions &options, bool lower) {
  OwningOpRef<ModuleOp> module = buildKernelModule(
      context, spec, binding, shapes, dtype, options.dynamicShapes);
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    os << diag << "\n";
    return success();
  });
  if (failed(verify(*module)))
    return makeError("einsum: generated kernel does not verify: " +
                     diagnostics);
  if (!lower)
    return std::move(module);
  PassManager pm(context, ModuleOp::getOperationName());
  EinsumToLLVMOptions pipeline = options.pipeline;
  pipeline.genericAllocationFunctions = true; // bound to the workspace
  buildEinsumToLLVMPipeline(pm, pipeline);
  if (failed(pm.run(*module)))
    return makeError("einsum: code generation failed: " + diagnostics);
  return std::move(module);
}

llvm::Expected<std::string>
Compiler::emitMLIR(llvm::StringRef specText,
                   const std::vector<std::vector<int64_t>> &shapes, DType dtype,
                   const KernelOptions &options, bool lowered) {
  auto bound = parseAndBind(specText, shapes);
  if (!bound)
    return bound.takeError();
  auto module = buildAndLower(context.get(), bound->first, bound->second,
                              shapes, dtype, options, lowered);
  if (!module)
    return module.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  (*module)->print(os);
  return text;
}

llvm::Expected<std::unique_ptr<Kernel>>
Compiler::compile(llvm::StringRef specText,
                  const std::vector<std::vector<int64_t>> &shapes, DType dtype,
                  const KernelOptions &options) {
  auto bound = parseAndBind(specText, shapes);
  if (!bound)
    return bound.takeError();
  std::unique_ptr<Kernel> kernel(new Kernel());
  kernel->spec_ = bound->first;
  kernel->dtype_ = dtype;
  kernel->inputShapes_ = shapes;
  kernel->outputShape_ = bound->second.outputShape();
  if (options.dynamicShapes) {
    for (std::vector<int64_t> &shape : kernel->inputShapes_)
      shape.assign(shape.size(), kDynamicSize);
    kernel->outputShape_.assign(kernel->outputShape_.size(), kDynamicSize);
  }

  auto start = std::chrono::steady_clock::now();
  auto module = buildAndLower(context.get(), bound->first, bound->second,
                              shapes, dtype, options, /*lower=*/true);
  if (!module)
    return module.takeError();
  kernel->pipelineMillis_ = millisSince(start);

  // Native code for this CPU: its name and features on every function.
  start = std::chrono::steady_clock::now();
  const CPUTarget &host = CPUTarget::host();
  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    return tmBuilder.takeError();
  tmBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = tmBuilder->createTargetMachine();
  if (!tm)
    return tm.takeError();
  auto optimize = makeOptimizingTransformer(3, 0, tm->get());
  auto transformer = [&](llvm::Module *llvmModule) -> llvm::Error {
    for (llvm::Function &fn : *llvmModule) {
      if (fn.isDeclaration())
        continue;
      fn.addFnAttr("target-cpu", host.cpuName);
      fn.addFnAttr("target-features", host.features);
    }
    return optimize(llvmModule);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  const char *dumpPath = std::getenv("EINSUM_DUMP_OBJECT");
  engineOptions.enableObjectDump = dumpPath != nullptr;
  auto engine = ExecutionEngine::create(**module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto bind = [&](llvm::StringRef name, void *address) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    };
    bind("_mlir_memref_to_llvm_alloc",
         reinterpret_cast<void *>(&workspace::allocate));
    bind("_mlir_memref_to_llvm_aligned_alloc",
         reinterpret_cast<void *>(&workspace::allocateAligned));
    bind("_mlir_memref_to_llvm_free",
         reinterpret_cast<void *>(&workspace::release));
    return symbols;
  });
  auto entry = (*engine)->lookupPacked(("_mlir_ciface_" + kEntryName).str());
  if (!entry)
    return entry.takeError();
  if (dumpPath)
    (*engine)->dumpToObjectFile(dumpPath);
  kernel->engine_ = std::move(*engine);
  kernel->entry_ = *entry;
  kernel->codegenMillis_ = millisSince(start);
  return std::move(kernel);
}

/// "a 8, b 32" for the tiled dims of `sizes`.
static std::string tileList(ArrayRef<int64_t> sizes,
                            ArrayRef<std::string> names) {
  std::string out;
  for (auto [dim, size] : llvm::enumerate(sizes)) {
    if (!size)
      continue;
    out += (out.empty() ? "" : ", ") + names[dim] + " " + std::to_string(size);
  }
  return out.empty() ? "none" : out;
}

llvm::Expected<std::string>
Compiler::describePlan(llvm::StringRef specText,
                       const std::vector<std::vector<int64_t>> &shapes,
                       DType dtype, const KernelOptions &options) {
  auto bound = parseAndBind(specText, shapes);
  if (!bound)
    return bound.takeError();
  const Binding &binding = bound->second;
  auto module = buildAndLower(context.get(), bound->first, binding, shapes,
                              dtype, options, /*lower=*/false);
  if (!module)
    return module.takeError();
  // The pipeline's first stages: to linalg, and the layout changes.
  PassManager pm(context.get(), ModuleOp::getOperationName());
  pm.addPass(createConvertEinsumToLinalg());
  if (options.pipeline.layout)
    pm.nest<func::FuncOp>().addPass(createEinsumCPULayout());
  if (failed(pm.run(**module)))
    return makeError("einsum: code generation failed");

  std::string out;
  // The kernel argument a packed value comes from (through pads, reshapes
  // and to_tensor), for the message.
  auto operandOf = [](Value value) -> std::string {
    while (Operation *def = value.getDefiningOp()) {
      if (def->getNumOperands() == 0)
        break;
      value = def->getOperand(0);
    }
    if (auto arg = dyn_cast<BlockArgument>(value))
      return "operand " + std::to_string(arg.getArgNumber());
    return "an operand";
  };
  (*module)->walk([&](linalg::TransposeOp op) {
    out += "  layout: " + operandOf(op.getInput()) +
           " packed into panels of the vector dim, axes [";
    for (auto [i, axis] : llvm::enumerate(op.getPermutation()))
      out += (i ? ", " : "") + std::to_string(axis);
    out += "] of its split shape\n";
  });
  (*module)->walk([&](linalg::GenericOp op) {
    // The einsum's labels name the loop dims (a packed contraction has one
    // more: the lanes of the split vector dim).
    std::vector<std::string> names;
    bool einsumDims = op.getNumLoops() == binding.numDims() ||
                      op.getNumLoops() == binding.numDims() + 1;
    for (unsigned dim = 0; dim < op.getNumLoops(); ++dim)
      names.push_back(einsumDims && dim < binding.numDims()
                          ? binding.dimNames[dim]
                          : "d" + std::to_string(dim));
    if (!options.pipeline.tile || !isTileable(op)) {
      out += "  loops: " + std::to_string(op.getNumLoops()) +
             " loop dim(s) as plain scalar loops (not a tiled contraction: " +
             "diagonal, broadcast, full reduction or empty)\n";
      return;
    }
    TilePlan plan = planTiles(op, options.pipeline.tiling);
    if (plan.panelDim && einsumDims) {
      names[*plan.nDim] = names[*plan.panelDim] + ".lanes";
      names[*plan.panelDim] += ".panels";
    }
    out += "  tiles: N (vector dim) = " + names[*plan.nDim];
    if (plan.mDim)
      out += ", M = " + names[*plan.mDim];
    if (plan.kDim)
      out += ", K = " + names[*plan.kDim];
    out += "\n    cache tiles (scf.forall): " +
           tileList(plan.cacheTiles, names) + "\n";
    out += "    reduction tiles (scf.for): " +
           tileList(plan.reductionTiles, names) + "\n";
    out += "    register tile: " + tileList(plan.registerTiles, names) +
           " (" + std::to_string(options.pipeline.tiling.target.vectorBits) +
           "-bit vectors" + (options.pipeline.vectorize ? "" : ", scalar") +
           ")\n";
  });
  return out;
}

//===----------------------------------------------------------------------===//
// Kernel
//===----------------------------------------------------------------------===//

Kernel::~Kernel() = default;

llvm::Expected<std::vector<int64_t>>
Kernel::outputShape(const std::vector<std::vector<int64_t>> &shapes) const {
  SpecResult<Binding> binding = bindSpec(spec_, shapes);
  if (!binding)
    return makeError(binding.error().render(spec_.str()));
  for (size_t i = 0; i < shapes.size(); ++i)
    for (size_t axis = 0; axis < shapes[i].size(); ++axis) {
      int64_t compiled = inputShapes_[i][axis];
      if (compiled != kDynamicSize && compiled != shapes[i][axis])
        return makeError("operand " + llvm::Twine(i) + " has shape " +
                         shapeString(shapes[i]) +
                         " but the kernel was compiled for " +
                         shapeString(inputShapes_[i]));
    }
  return binding->outputShape();
}

namespace {
/// A memref descriptor {allocated, aligned, offset, sizes[], strides[]}.
struct Descriptor {
  Descriptor(const void *data, ArrayRef<int64_t> shape) {
    auto pointer = reinterpret_cast<intptr_t>(data);
    fields = {pointer, pointer, 0};
    fields.append(shape.begin(), shape.end());
    std::vector<int64_t> strides = TensorView::contiguousStrides(
        std::vector<int64_t>(shape.begin(), shape.end()));
    fields.append(strides.begin(), strides.end());
  }
  SmallVector<int64_t, 16> fields;
};
} // namespace

llvm::Error Kernel::run(llvm::ArrayRef<TensorView> inputs, void *output,
                        llvm::ArrayRef<int64_t> outShape) const {
  if (inputs.size() != inputShapes_.size())
    return makeError("kernel for '" + spec_.str() + "' takes " +
                     llvm::Twine(inputShapes_.size()) + " operand(s), got " +
                     llvm::Twine(inputs.size()));
  std::vector<std::vector<int64_t>> shapes;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    if (input.dtype != dtype_)
      return makeError("operand " + llvm::Twine(i) + " has dtype " +
                       dtypeName(input.dtype) + " but the kernel takes " +
                       dtypeName(dtype_));
    if (!input.strides.empty() &&
        input.strides != TensorView::contiguousStrides(input.shape))
      return makeError("operand " + llvm::Twine(i) +
                       " is not contiguous (row-major)");
    if (!input.data && input.numElements() > 0)
      return makeError("operand " + llvm::Twine(i) + " is a null pointer");
    shapes.push_back(input.shape);
  }
  auto expected = outputShape(shapes);
  if (!expected)
    return expected.takeError();
  if (std::vector<int64_t>(outShape.begin(), outShape.end()) != *expected)
    return makeError("output has shape " +
                     shapeString({outShape.begin(), outShape.end()}) +
                     " but the einsum gives " + shapeString(*expected));
  int64_t outElements = 1;
  for (int64_t size : outShape)
    outElements *= size;
  if (!output && outElements > 0)
    return makeError("output is a null pointer");

  SmallVector<Descriptor> descriptors;
  for (const TensorView &input : inputs)
    descriptors.emplace_back(input.data, input.shape);
  descriptors.emplace_back(output, outShape);
  SmallVector<void *> pointers, args;
  for (Descriptor &descriptor : descriptors)
    pointers.push_back(descriptor.fields.data());
  for (void *&pointer : pointers)
    args.push_back(&pointer);
  entry_(args.data());
  return llvm::Error::success();
}
