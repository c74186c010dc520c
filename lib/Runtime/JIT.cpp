//===- JIT.cpp - Compile an einsum once, run it on caller buffers ---------===//

#include "Einsum/Runtime/JIT.h"
#include "Einsum/CodeGen/Passes.h"
#include "Einsum/CodeGen/Plan.h"
#include "Einsum/CodeGen/Target.h"
#include "Einsum/Conversion/Passes.h"
#include "Einsum/Dialect/Einsum/EinsumOps.h"
#include "RuntimeSymbols.h"
#include "Workspace.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace mlir;
using namespace einsum;
using llvm::Twine;

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

/// Parses and binds the spec to the operand shapes; errors carry the
/// rendered spec and carets.
static llvm::Expected<std::pair<Spec, Binding>>
parseAndBind(llvm::StringRef text, const std::vector<OperandType> &operands) {
  std::string_view view(text.data(), text.size());
  SpecResult<Spec> spec = parseSpec(view);
  if (!spec)
    return makeError(spec.error().render(view));
  std::vector<std::vector<int64_t>> shapes;
  for (const OperandType &operand : operands)
    shapes.push_back(operand.shape);
  SpecResult<Binding> binding = bindSpec(*spec, shapes);
  if (!binding)
    return makeError(binding.error().render(view));
  return std::make_pair(std::move(*spec), std::move(*binding));
}

DType einsum::promoteTypes(DType a, DType b) {
  if (a == b)
    return a;
  bool floatA = isFloat(a), floatB = isFloat(b);
  if (!floatA && !floatB)
    return DType::I64;
  // NumPy: a 32- or 64-bit integer with any float needs f64.
  if (floatA != floatB)
    return DType::F64;
  auto rank = [](DType t) {
    switch (t) {
    case DType::F16:
    case DType::BF16:
      return 1;
    case DType::F32:
      return 2;
    default:
      return 3;
    }
  };
  if (rank(a) == rank(b)) // f16 with bf16
    return DType::F32;
  return rank(a) > rank(b) ? a : b;
}

/// The element type of the einsum: the promotion of its operands' types.
static DType commonDType(const std::vector<OperandType> &operands) {
  DType common = operands.front().dtype;
  for (const OperandType &operand : operands)
    common = promoteTypes(common, operand.dtype);
  return common;
}

std::string KernelOptions::fingerprint() const {
  const TilingOptions &t = pipeline.tiling;
  std::string out;
  llvm::raw_string_ostream os(out);
  os << pipeline.threads << ':' << pipeline.layout << pipeline.tile
     << pipeline.vectorize << pipeline.genericAllocationFunctions
     << dynamicShapes << stridedOutput << ':' << t.target.cpuName << ','
     << t.target.features << ',' << t.target.vectorBits << ','
     << t.target.numVectorRegisters << ',' << t.target.l1Bytes << ','
     << t.target.l2Bytes << ',' << t.cacheTileM << ',' << t.cacheTileN << ','
     << t.cacheTileK << ',' << t.registerTileM << ',' << t.registerTileN << ':'
     << pathAlgorithmName(pipeline.path.algorithm) << ','
     << pipeline.path.memoryLimit << ',' << pipeline.attentionVariant << ','
     << memoryLimitBytes;
  return out;
}

/// The memref type of an operand as the kernel takes it.
static MemRefType memrefTypeOf(MLIRContext *context, ArrayRef<int64_t> shape,
                               DType dtype, bool dynamic, bool strided) {
  SmallVector<int64_t> sizes(shape.begin(), shape.end());
  if (dynamic)
    sizes.assign(shape.size(), ShapedType::kDynamic);
  Type element = elementType(context, dtype);
  if (!strided)
    return MemRefType::get(sizes, element);
  SmallVector<int64_t> strides(shape.size(), ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(context, ShapedType::kDynamic, strides);
  return MemRefType::get(sizes, element, layout);
}

/// Converts a tensor elementwise to the element type `to` (promotion).
static Value convertTensor(OpBuilder &b, Location loc, Value value, Type to) {
  auto type = cast<RankedTensorType>(value.getType());
  Type from = type.getElementType();
  if (from == to)
    return value;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, value);
  Value empty = tensor::EmptyOp::create(b, loc, sizes, to);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ValueRange{value},
             ValueRange{empty}, ArrayRef<AffineMap>{identity, identity},
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value x = args[0];
               Value converted;
               if (isa<FloatType>(from) && isa<FloatType>(to))
                 converted = arith::ExtFOp::create(nb, nloc, to, x);
               else if (isa<IntegerType>(from) && isa<FloatType>(to))
                 converted = arith::SIToFPOp::create(nb, nloc, to, x);
               else
                 converted = arith::ExtSIOp::create(nb, nloc, to, x);
               linalg::YieldOp::create(nb, nloc, converted);
             })
      .getResult(0);
}

/// Builds
///   func.func @einsum_kernel(%in0: memref<...>, ..., %out: memref<...>)
///       attributes {llvm.emit_c_interface} {
///     %t0 = bufferization.to_tensor %in0 restrict ...
///     (elementwise conversion of operands to the promoted type)
///     %r = einsum.contract "spec" ins(%t0, ...) -> tensor<...>
///     bufferization.materialize_in_destination %r in restrict writable %out
///   }
///
/// With `attention`, the body is einsum.attention on the three operands
/// instead (the spec then only gives the shapes).
static OwningOpRef<ModuleOp> buildKernelModule(
    MLIRContext *context, const Spec &spec, const Binding &binding,
    const std::vector<OperandType> &operands, const KernelOptions &options,
    const AttentionOptions *attention) {
  OpBuilder b(context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  DType common = commonDType(operands);
  Type element = elementType(context, common);
  bool dynamic = options.dynamicShapes;

  SmallVector<Type> argTypes;
  for (const OperandType &operand : operands)
    argTypes.push_back(memrefTypeOf(context, operand.shape, operand.dtype,
                                    dynamic, operand.strided));
  std::vector<int64_t> outShape = binding.outputShape();
  MemRefType outMemRef =
      memrefTypeOf(context, outShape, common, dynamic, options.stridedOutput);
  argTypes.push_back(outMemRef);

  b.setInsertionPointToEnd(module->getBody());
  auto func =
      func::FuncOp::create(b, loc, kEntryName, b.getFunctionType(argTypes, {}));
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), b.getUnitAttr());
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  SmallVector<Value> tensors;
  for (size_t i = 0; i < operands.size(); ++i) {
    auto memref = cast<MemRefType>(argTypes[i]);
    auto tensorType =
        RankedTensorType::get(memref.getShape(), memref.getElementType());
    Value tensor = bufferization::ToTensorOp::create(
        b, loc, tensorType, body->getArgument(i), /*restrict=*/b.getUnitAttr(),
        /*writable=*/nullptr);
    if (operands[i].strided) {
      // A strided view is copied to a contiguous buffer first: MLIR 22
      // mis-infers the dropped dims of rank-reducing subviews of buffers
      // with dynamic strides, which tiled, vectorized code is full of (a
      // wrong answer found by the JIT fuzzer). One pass over the operand.
      // (A copy takes its sizes, dynamic ones too, from the source.)
      tensor = bufferization::AllocTensorOp::create(
          b, loc, tensorType, ValueRange{}, /*copy=*/tensor);
    }
    tensors.push_back(convertTensor(b, loc, tensor, element));
  }
  auto resultType = RankedTensorType::get(outMemRef.getShape(), element);
  Value result;
  if (attention) {
    auto op = AttentionOp::create(b, loc, resultType, tensors[0], tensors[1],
                                  tensors[2], /*scale=*/nullptr,
                                  /*causal=*/attention->causal);
    if (attention->scale != 0)
      op.setScaleAttr(b.getF64FloatAttr(attention->scale));
    result = op.getResult();
  } else {
    auto contract = ContractOp::create(b, loc, resultType, spec, tensors);
    if (common == DType::F16 || common == DType::BF16)
      contract.setAccumulatorTypeAttr(TypeAttr::get(b.getF32Type()));
    result = contract.getResult();
  }
  bufferization::MaterializeInDestinationOp::create(
      b, loc, /*result=*/Type(), result, body->getArguments().back(),
      /*restrict=*/true, /*writable=*/true);
  func::ReturnOp::create(b, loc);
  return module;
}

//===----------------------------------------------------------------------===//
// Compiler
//===----------------------------------------------------------------------===//

Compiler::Compiler(size_t cacheCapacity) : capacity(cacheCapacity) {
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
  context =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  context->loadDialect<EinsumDialect, func::FuncDialect,
                       bufferization::BufferizationDialect,
                       memref::MemRefDialect>();
}

Compiler::~Compiler() = default;

/// Builds the kernel module and, if `lower`, runs the pipeline on it.
static llvm::Expected<OwningOpRef<ModuleOp>>
buildAndLower(MLIRContext *context, const Spec &spec, const Binding &binding,
              const std::vector<OperandType> &operands,
              const KernelOptions &options, bool lower,
              const AttentionOptions *attention = nullptr,
              std::vector<std::string> *remarks = nullptr) {
  if (llvm::Error error = validateEinsumToLLVMOptions(options.pipeline))
    return std::move(error);
  OwningOpRef<ModuleOp> module =
      buildKernelModule(context, spec, binding, operands, options, attention);
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  // Remarks (a register tile left as scalar loops) are kept apart from
  // the errors, for Kernel::remarks().
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Remark) {
      if (remarks)
        remarks->push_back(diag.str());
      return success();
    }
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
                   const std::vector<OperandType> &operands,
                   const KernelOptions &options, bool lowered) {
  auto bound = parseAndBind(specText, operands);
  if (!bound)
    return bound.takeError();
  std::lock_guard<std::mutex> lock(compileMutex);
  auto module = buildAndLower(context.get(), bound->first, bound->second,
                              operands, options, lowered);
  if (!module)
    return module.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  (*module)->print(os);
  return text;
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::compile(llvm::StringRef specText,
                  const std::vector<OperandType> &operands,
                  const KernelOptions &options) {
  std::lock_guard<std::mutex> lock(compileMutex);
  return compileLocked(specText, operands, options);
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::compile(llvm::StringRef spec,
                  const std::vector<std::vector<int64_t>> &shapes, DType dtype,
                  const KernelOptions &options) {
  std::vector<OperandType> operands;
  for (const std::vector<int64_t> &shape : shapes)
    operands.push_back({dtype, shape, /*strided=*/false});
  return compile(spec, operands, options);
}

/// A kernel for dynamic shapes indexes every '...' dim by its loop dim: it
/// cannot broadcast a size-1 '...' dim against a larger one (found by the
/// JIT fuzzer: it read past the operand). Such shapes need a kernel of
/// their own.
static llvm::Error
checkNoBroadcast(const Binding &binding,
                 const std::vector<std::vector<int64_t>> &shapes) {
  for (size_t i = 0; i < binding.inputDims.size(); ++i)
    for (size_t axis = 0; axis < binding.inputDims[i].size(); ++axis)
      if (binding.inputDims[i][axis] == kBroadcastDim)
        return makeError("operand " + Twine(i) + " (shape " +
                         shapeString(shapes[i]) +
                         ") broadcasts its size-1 "
                         "axis " +
                         Twine(axis) +
                         " under '...', which a kernel for dynamic shapes "
                         "does not do; compile one for these shapes");
  return llvm::Error::success();
}

size_t einsum::physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0)
    return size_t(1) << 40;
  return size_t(pages) * size_t(pageSize);
}

std::string einsum::bytesString(double bytes) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  char buf[48];
  double scaled = bytes / 1024.0;
  size_t unit = 0;
  while (scaled >= 1024.0 && unit + 1 < std::size(units)) {
    scaled /= 1024.0;
    ++unit;
  }
  // Beyond exbibytes (shapes of many dims), in powers of ten.
  if (scaled >= 1024.0)
    std::snprintf(buf, sizeof(buf), "%.3g bytes", bytes);
  else
    std::snprintf(buf, sizeof(buf), "%.1f %s", scaled, units[unit]);
  return buf;
}

/// Checks the output against the memory limit and makes the planners keep
/// intermediates below it: the contraction order's limit (in elements) and,
/// for attention, the fused form when the unfused scores would not fit.
static llvm::Error applyMemoryLimit(const Binding &binding,
                                    const std::vector<OperandType> &operands,
                                    KernelOptions &options,
                                    const AttentionOptions *attention) {
  double limit = double(options.memoryLimitBytes ? options.memoryLimitBytes
                                                 : physicalMemoryBytes());
  DType common = commonDType(operands);
  // f16/bf16 intermediates are accumulated in f32.
  double elementBytes = double(std::max<size_t>(dtypeSize(common), 4));
  double outputBytes = double(dtypeSize(common));
  for (int64_t size : binding.outputShape())
    outputBytes *= size == kDynamicSize ? 1 : double(size);
  if (outputBytes > limit)
    return makeError("einsum: the output (shape " +
                     shapeString(binding.outputShape()) + ", " +
                     bytesString(outputBytes) +
                     ") exceeds the memory limit of " + bytesString(limit));
  double elements = std::floor(limit / elementBytes);
  PathOptions &path = options.pipeline.path;
  path.memoryLimit =
      path.memoryLimit > 0 ? std::min(path.memoryLimit, elements) : elements;
  if (attention) {
    const std::vector<int64_t> &q = operands[0].shape, &k = operands[1].shape;
    double scores = double(q[0]) * q[1] * q[2] * k[1] * elementBytes;
    if (scores > limit) {
      if (options.pipeline.attentionVariant == "unfused")
        return makeError("attention: the unfused scores tensor (" +
                         bytesString(scores) +
                         ") exceeds the memory limit "
                         "of " +
                         bytesString(limit) + "; use the fused variant");
      options.pipeline.attentionVariant = "fused";
    }
  }
  return llvm::Error::success();
}

llvm::Expected<std::shared_ptr<const Kernel>> Compiler::compileLocked(
    llvm::StringRef specText, const std::vector<OperandType> &operands,
    const KernelOptions &options, const AttentionOptions *attention) {
  if (operands.empty())
    return makeError("einsum: no operands given");
  auto bound = parseAndBind(specText, operands);
  if (!bound)
    return bound.takeError();
  if (llvm::Error error =
          options.pipeline.tiling.target.checkHostCanRun())
    return std::move(error);
  KernelOptions limited = options;
  if (llvm::Error error =
          applyMemoryLimit(bound->second, operands, limited, attention))
    return std::move(error);
  if (options.dynamicShapes) {
    std::vector<std::vector<int64_t>> shapes;
    for (const OperandType &operand : operands)
      shapes.push_back(operand.shape);
    if (llvm::Error error = checkNoBroadcast(bound->second, shapes))
      return std::move(error);
  }
  std::shared_ptr<Kernel> kernel(new Kernel());
  kernel->spec_ = bound->first;
  kernel->inputTypes_ = operands;
  kernel->outputDType_ = commonDType(operands);
  kernel->stridedOutput_ = options.stridedOutput;
  kernel->isDynamic_ = options.dynamicShapes;
  if (options.dynamicShapes)
    for (OperandType &operand : kernel->inputTypes_)
      operand.shape.assign(operand.shape.size(), kDynamicSize);

  auto start = std::chrono::steady_clock::now();
  auto module =
      buildAndLower(context.get(), bound->first, bound->second, operands,
                    limited, /*lower=*/true, attention, &kernel->remarks_);
  if (!module)
    return module.takeError();
  kernel->pipelineMillis_ = millisSince(start);

  // Native code for the target CPU: its name and features on every
  // function.
  start = std::chrono::steady_clock::now();
  const CPUTarget &target = options.pipeline.tiling.target;
  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    return tmBuilder.takeError();
  tmBuilder->setCPU(target.cpuName);
  tmBuilder->setFeatures(target.features);
  tmBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = tmBuilder->createTargetMachine();
  if (!tm)
    return tm.takeError();
  auto optimize = makeOptimizingTransformer(3, 0, tm->get());
  auto transformer = [&](llvm::Module *llvmModule) -> llvm::Error {
    for (llvm::Function &fn : *llvmModule) {
      if (fn.isDeclaration())
        continue;
      fn.addFnAttr("target-cpu", target.cpuName);
      fn.addFnAttr("target-features", target.features);
    }
    return optimize(llvmModule);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  // Multithreaded kernels call into the OpenMP runtime.
  SmallVector<StringRef> libraries;
  if (options.pipeline.threads > 1) {
#ifdef EINSUM_LIBOMP_PATH
    libraries.push_back(EINSUM_LIBOMP_PATH);
#else
    return makeError("einsum: multithreaded kernels need LLVM's OpenMP "
                     "runtime (Debian package libomp-22-dev), which was not "
                     "found when this library was built");
#endif
  }
  engineOptions.sharedLibPaths = libraries;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // No debugger/profiler registration (it costs compile time).
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  const char *dumpPath = std::getenv("EINSUM_DUMP_OBJECT");
  engineOptions.enableObjectDump = dumpPath != nullptr;
  auto engine =
      ExecutionEngine::create(**module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    for (const RuntimeSymbol &symbol : runtimeSymbols())
      symbols[interner(symbol.name)] = {
          llvm::orc::ExecutorAddr::fromPtr(symbol.address),
          llvm::JITSymbolFlags::Exported};
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
  ++misses;
  return std::shared_ptr<const Kernel>(std::move(kernel));
}

/// The cache key: canonical spec (label ids in order of first appearance),
/// operand types, options.
static std::string cacheKey(llvm::StringRef specText,
                            const std::vector<OperandType> &operands,
                            const KernelOptions &options) {
  std::string key;
  llvm::raw_string_ostream os(key);
  SpecResult<Spec> spec =
      parseSpec(std::string_view(specText.data(), specText.size()));
  if (spec) {
    auto term = [&](const Term &t) {
      for (const Subscript &sub : t.subscripts)
        os << sub.label << ' ';
    };
    for (const Term &t : spec->inputs) {
      term(t);
      os << ',';
    }
    os << '>';
    term(spec->output);
  } else {
    os << "!" << specText; // errors are not cached anyway
  }
  for (const OperandType &operand : operands) {
    os << '|' << dtypeName(operand.dtype) << (operand.strided ? 's' : 'c');
    for (int64_t size : operand.shape)
      os << 'x' << size;
  }
  os << '|' << options.fingerprint();
  return key;
}

llvm::Expected<std::shared_ptr<const Kernel>> Compiler::getCached(
    const std::string &key,
    llvm::function_ref<llvm::Expected<std::shared_ptr<const Kernel>>()>
        compile) {
  auto lookup = [&]() -> std::shared_ptr<const Kernel> {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = cache.find(key);
    if (it == cache.end())
      return nullptr;
    order.splice(order.end(), order, it->second.second);
    ++hits;
    return it->second.first;
  };
  if (std::shared_ptr<const Kernel> kernel = lookup())
    return kernel;
  // Compile once: a thread that waited here finds the kernel cached.
  std::lock_guard<std::mutex> compileLock(compileMutex);
  if (std::shared_ptr<const Kernel> kernel = lookup())
    return kernel;
  auto kernel = compile();
  if (!kernel)
    return kernel.takeError();
  std::lock_guard<std::mutex> lock(cacheMutex);
  order.push_back(key);
  cache[key] = {*kernel, std::prev(order.end())};
  while (cache.size() > capacity) {
    cache.erase(order.front());
    order.pop_front();
  }
  return *kernel;
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::getKernel(llvm::StringRef specText,
                    const std::vector<OperandType> &operands,
                    const KernelOptions &options) {
  return getCached(cacheKey(specText, operands, options),
                   [&] { return compileLocked(specText, operands, options); });
}

/// Checks the operands of attention: three, each [batch, seq, n_head, d],
/// all f32 or all f64.
static llvm::Error
checkAttentionOperands(const std::vector<OperandType> &operands) {
  if (operands.size() != 3)
    return makeError("attention takes 3 operands (query, key, value), got " +
                     Twine(operands.size()));
  const char *names[] = {"query", "key", "value"};
  for (auto [i, operand] : llvm::enumerate(operands)) {
    if (operand.dtype != DType::F32 && operand.dtype != DType::F64)
      return makeError(Twine("attention: ") + names[i] + " has dtype " +
                       dtypeName(operand.dtype) +
                       "; f32 and f64 are supported");
    if (operand.dtype != operands.front().dtype)
      return makeError(Twine("attention: ") + names[i] + " has dtype " +
                       dtypeName(operand.dtype) + " but query has " +
                       dtypeName(operands.front().dtype));
    if (operand.shape.size() != 4)
      return makeError(Twine("attention: ") + names[i] + " has shape " +
                       shapeString(operand.shape) +
                       "; expected [batch, seq, n_head, d_head]");
  }
  return llvm::Error::success();
}

llvm::Expected<std::shared_ptr<const Kernel>>
Compiler::getAttentionKernel(const std::vector<OperandType> &operands,
                             const AttentionOptions &attention,
                             const KernelOptions &options) {
  if (llvm::Error error = checkAttentionOperands(operands))
    return std::move(error);
  if (!std::isfinite(attention.scale))
    return makeError("attention: the scale must be finite (0: "
                     "1/sqrt(d_head))");
  std::string key = "attention:" + std::to_string(attention.causal) + ":" +
                    std::to_string(attention.scale) + "|" +
                    cacheKey(kAttentionShapeSpec, operands, options);
  return getCached(key, [&] {
    return compileLocked(kAttentionShapeSpec, operands, options, &attention);
  });
}

size_t einsum::scratchPeakBytes() { return workspace::peakBytes(); }

void einsum::resetScratchPeak() { workspace::resetPeak(); }

llvm::Error einsum::attention(const TensorView &query, const TensorView &key,
                              const TensorView &value, const OutputView &output,
                              const AttentionOptions &attention,
                              const KernelOptions &options) {
  std::vector<OperandType> operands = operandTypesOf({query, key, value});
  auto kernel =
      Compiler::global().getAttentionKernel(operands, attention, options);
  if (!kernel)
    return kernel.takeError();
  return (*kernel)->run({query, key, value}, output);
}

size_t Compiler::cacheSize() const {
  std::lock_guard<std::mutex> lock(cacheMutex);
  return cache.size();
}

size_t Compiler::cacheHits() const {
  std::lock_guard<std::mutex> lock(cacheMutex);
  return hits;
}

size_t Compiler::compilations() const {
  std::lock_guard<std::mutex> lock(cacheMutex);
  return misses;
}

Compiler &Compiler::global() {
  // Never destroyed: tearing JIT engines down during static destruction
  // runs LLVM code after LLVM's own statics are gone.
  static Compiler *compiler = new Compiler();
  return *compiler;
}

std::vector<OperandType>
einsum::operandTypesOf(llvm::ArrayRef<TensorView> inputs) {
  std::vector<OperandType> types;
  for (const TensorView &input : inputs)
    types.push_back({input.dtype, input.shape, !input.isContiguous()});
  return types;
}

llvm::Error einsum::einsum(llvm::StringRef spec,
                           llvm::ArrayRef<TensorView> inputs,
                           const OutputView &output) {
  KernelOptions options;
  options.stridedOutput = !output.asInput().isContiguous();
  auto kernel =
      Compiler::global().getKernel(spec, operandTypesOf(inputs), options);
  if (!kernel)
    return kernel.takeError();
  return (*kernel)->run(inputs, output);
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

/// The tile plan of one einsum (no contraction order): its operands packed
/// into panels, and the roles and tile sizes of the loop dims.
static llvm::Expected<std::string>
describeTiles(MLIRContext *context, const Spec &spec, const Binding &binding,
              const std::vector<OperandType> &operands,
              const KernelOptions &options) {
  auto module = buildAndLower(context, spec, binding, operands, options,
                              /*lower=*/false);
  if (!module)
    return module.takeError();
  // The pipeline's stages before tiling: the generics einsum-cpu-tile sees.
  PassManager pm(context, ModuleOp::getOperationName());
  buildEinsumToTilingPipeline(pm, options.pipeline);
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
  // The plan einsum-cpu-plan attached, as einsum-cpu-tile reads it.
  auto planLine = [](Operation *op) -> std::string {
    Attribute plan = op->getAttr(kPlanAttrName);
    if (!plan)
      return "";
    std::string text;
    llvm::raw_string_ostream os(text);
    plan.print(os);
    return "    einsum.plan = " + text + "\n";
  };
  (*module)->walk([&](linalg::TransposeOp op) {
    out += "  layout: " + operandOf(op.getInput()) +
           (op->hasAttr(kRowPackAttrName)
                ? " copied with its summed axes innermost (the rows of the "
                  "register tile), axes ["
                : " packed into panels of the vector dim, axes [");
    for (auto [i, axis] : llvm::enumerate(op.getPermutation()))
      out += (i ? ", " : "") + std::to_string(axis);
    out += op->hasAttr(kRowPackAttrName) ? "]\n" : "] of its split shape\n";
    out += planLine(op);
  });
  (*module)->walk([&](linalg::GenericOp op) {
    auto planAttr = op->getAttrOfType<PlanAttr>(kPlanAttrName);
    if (!options.pipeline.tile || !isTileable(op) ||
        (!planAttr && !op->hasAttr(kPlanAttrName))) {
      out += "  loops: " + std::to_string(op.getNumLoops()) +
             " loop dim(s) as plain scalar loops (not a tiled contraction: " +
             "diagonal, broadcast, full reduction or empty)\n";
      return;
    }
    if (std::optional<SmallVector<int64_t>> permutation = permutingCopy(op)) {
      out += "  transpose: the output's axes are the input's axes [";
      for (auto [i, axis] : llvm::enumerate(*permutation))
        out += (i ? ", " : "") + std::to_string(axis);
      out += "], copied in cache blocks, then vector blocks, of the two "
             "axes that move\n" +
             planLine(op);
      return;
    }
    if (!planAttr)
      return;
    TilePlan plan = planFromAttr(op, planAttr);
    // The einsum's labels name the loop dims when they are the einsum's
    // (a packed contraction has one more, appended: the lanes of the vector
    // dim split into panels); dims merged (einsum-cpu-collapse-dims), split
    // into lanes (einsum-cpu-split-reduction: partial sums in lanes, then
    // the sum of the lanes) or cut into edge parts (einsum-cpu-layout) are
    // d0, d1, ... with their extents.
    auto sum = op->hasOneUse() ? dyn_cast<linalg::GenericOp>(*op->user_begin())
                               : linalg::GenericOp();
    bool splitSum = partialSumsOf(op) || (sum && partialSumsOf(sum) == op);
    // The einsum's dims if every one has its extent (the panel dim its
    // number of panels).
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    bool panels = plan.panelDim && ranges.size() == binding.numDims() + 1;
    bool einsumDims =
        !splitSum && (ranges.size() == binding.numDims() || panels);
    for (size_t dim = 0; einsumDims && dim < binding.numDims(); ++dim) {
      int64_t size = binding.dimSizes[dim];
      if (size == kDynamicSize || ShapedType::isDynamic(ranges[dim]))
        einsumDims = size == kDynamicSize && ShapedType::isDynamic(ranges[dim]);
      else if (panels && dim == *plan.panelDim)
        einsumDims = ranges[dim] == llvm::divideCeilSigned(size, ranges.back());
      else
        einsumDims = ranges[dim] == size;
    }
    std::vector<std::string> names;
    for (unsigned dim = 0; dim < op.getNumLoops(); ++dim)
      names.push_back(einsumDims && dim < binding.numDims()
                          ? binding.dimNames[dim]
                          : "d" + std::to_string(dim));
    if (plan.panelDim && einsumDims) {
      names[*plan.nDim] = names[*plan.panelDim] + ".lanes";
      names[*plan.panelDim] += ".panels";
    }
    if (!einsumDims) {
      out += "  loop dims (merged, split into lanes, or an edge part):";
      for (auto [dim, range] : llvm::enumerate(ranges))
        out += (dim ? ", " : " ") + names[dim] + " " +
               (ShapedType::isDynamic(range) ? std::string("?")
                                             : std::to_string(range));
      out += "\n";
    }
    out += "  tiles: N (vector dim) = " + names[*plan.nDim];
    if (plan.mDim)
      out += ", M = " + names[*plan.mDim];
    if (plan.kDim)
      out += ", K = " + names[*plan.kDim];
    // A split sum's two generics share one scf.forall over row tiles
    // (sized by einsum-cpu-tile), not their plans' cache tiles.
    out += splitSum ? "\n    cache tiles (scf.forall): row tiles shared by "
                      "the partial sums and the sum of their lanes\n"
                    : "\n    cache tiles (scf.forall): " +
                          tileList(plan.cacheTiles, names) + "\n";
    out += "    reduction tiles (scf.for): " +
           tileList(plan.reductionTiles, names) + "\n";
    out += "    register tile: " + tileList(plan.registerTiles, names) + " (" +
           std::to_string(options.pipeline.tiling.target.vectorBits) +
           "-bit vectors" + (options.pipeline.vectorize ? "" : ", scalar") +
           ")\n" + planLine(op);
  });
  return out;
}

llvm::Expected<ContractionPath>
einsum::contractionPath(llvm::StringRef specText,
                        const std::vector<OperandType> &operands,
                        const KernelOptions &options) {
  auto bound = parseAndBind(specText, operands);
  if (!bound)
    return bound.takeError();
  KernelOptions limited = options;
  if (llvm::Error error =
          applyMemoryLimit(bound->second, operands, limited, nullptr))
    return std::move(error);
  PathOptions path = limited.pipeline.path;
  if (options.dynamicShapes) {
    // As the einsum-contraction-order pass sees a dynamic kernel: no sizes,
    // so no slicing either.
    std::vector<std::vector<int64_t>> shapes;
    for (const OperandType &operand : operands)
      shapes.emplace_back(operand.shape.size(), kDynamicSize);
    SpecResult<Binding> binding = bindSpec(bound->first, shapes);
    if (!binding)
      return makeError(binding.error().message);
    bound->second = std::move(*binding);
    path.memoryLimit = 0;
  }
  return planContraction(bound->first, bound->second, path);
}

/// Indents every line of `text` by `indent`.
static std::string indented(llvm::StringRef text, llvm::StringRef indent) {
  std::string out;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    out += (indent + line + "\n").str();
    text = rest;
  }
  return out;
}

llvm::Expected<std::string>
Compiler::describePlan(llvm::StringRef specText,
                       const std::vector<OperandType> &operands,
                       const KernelOptions &options) {
  auto bound = parseAndBind(specText, operands);
  if (!bound)
    return bound.takeError();
  if (llvm::Error error = validateEinsumToLLVMOptions(options.pipeline))
    return std::move(error);
  auto path = contractionPath(specText, operands, options);
  if (!path)
    return path.takeError();
  std::string target =
      "target: " + options.pipeline.tiling.target.describe() + "\n";
  std::lock_guard<std::mutex> lock(compileMutex);
  if (path->isSingleStep()) {
    auto tiles = describeTiles(context.get(), bound->first, bound->second,
                               operands, options);
    if (!tiles)
      return tiles;
    if (operands.size() < 3)
      return target + *tiles;
    return target + path->describe() + *tiles;
  }

  // Each step is compiled as an einsum of its own: describe it so, on the
  // shapes it sees (one slice's, when sliced).
  const Binding &binding = bound->second;
  DType common = commonDType(operands);
  std::vector<std::vector<int64_t>> shapes;
  for (auto [i, operand] : llvm::enumerate(operands)) {
    shapes.push_back(operand.shape);
    for (auto [axis, dim] : llvm::enumerate(binding.inputDims[i]))
      for (const PathSlice &slice : path->slices)
        if (dim == static_cast<int64_t>(slice.dim))
          shapes.back()[axis] = slice.chunk;
  }
  KernelOptions stepOptions = options;
  stepOptions.pipeline.path.algorithm = PathAlgorithm::None;
  std::string out = target + path->describe();
  for (auto [index, step] : llvm::enumerate(path->steps)) {
    std::vector<OperandType> stepOperands;
    std::vector<std::vector<int64_t>> stepShapes;
    for (size_t value : step.inputs) {
      stepOperands.push_back({common, shapes[value], /*strided=*/false});
      stepShapes.push_back(shapes[value]);
    }
    SpecResult<Binding> stepBinding = bindSpec(step.spec, stepShapes);
    if (!stepBinding)
      return makeError("einsum: planned step does not bind: " +
                       stepBinding.error().message);
    shapes.push_back(stepBinding->outputShape());
    auto tiles = describeTiles(context.get(), step.spec, *stepBinding,
                               stepOperands, stepOptions);
    if (!tiles)
      return tiles.takeError();
    out += "  step " + std::to_string(index + 1) + " (" + step.spec.str() +
           "):\n" + indented(*tiles, "  ");
  }
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
  if (isDynamic_)
    if (llvm::Error error = checkNoBroadcast(*binding, shapes))
      return std::move(error);
  for (size_t i = 0; i < shapes.size(); ++i)
    for (size_t axis = 0; axis < shapes[i].size(); ++axis) {
      int64_t compiled = inputTypes_[i].shape[axis];
      if (compiled != kDynamicSize && compiled != shapes[i][axis])
        return makeError("operand " + llvm::Twine(i) + " has shape " +
                         shapeString(shapes[i]) +
                         " but the kernel was compiled for " +
                         shapeString(inputTypes_[i].shape));
    }
  return binding->outputShape();
}

namespace {
/// A memref descriptor {allocated, aligned, offset, sizes[], strides[]}.
struct Descriptor {
  Descriptor(const void *data, ArrayRef<int64_t> shape,
             ArrayRef<int64_t> strides) {
    auto pointer = reinterpret_cast<intptr_t>(data);
    fields = {pointer, pointer, 0};
    fields.append(shape.begin(), shape.end());
    fields.append(strides.begin(), strides.end());
  }
  SmallVector<int64_t, 16> fields;
};
} // namespace

/// Checks a view's strides: one per axis.
static llvm::Error checkStrides(const TensorView &view, const Twine &what) {
  if (!view.strides.empty() && view.strides.size() != view.shape.size())
    return makeError(what + " has " + Twine(view.strides.size()) +
                     " strides for rank " + Twine(view.shape.size()));
  return llvm::Error::success();
}

llvm::Error Kernel::run(llvm::ArrayRef<TensorView> inputs,
                        const OutputView &output) const {
  if (inputs.size() != inputTypes_.size())
    return makeError("kernel for '" + spec_.str() + "' takes " +
                     llvm::Twine(inputTypes_.size()) + " operand(s), got " +
                     llvm::Twine(inputs.size()));
  std::vector<std::vector<int64_t>> shapes;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    const OperandType &type = inputTypes_[i];
    if (input.dtype != type.dtype)
      return makeError("operand " + llvm::Twine(i) + " has dtype " +
                       dtypeName(input.dtype) + " but the kernel takes " +
                       dtypeName(type.dtype));
    if (llvm::Error error = checkStrides(input, "operand " + Twine(i)))
      return error;
    if (!type.strided && !input.isContiguous())
      return makeError("operand " + llvm::Twine(i) +
                       " is not contiguous (row-major) but the kernel was "
                       "compiled for contiguous operands");
    if (!input.data && input.numElements() > 0)
      return makeError("operand " + llvm::Twine(i) + " is a null pointer");
    shapes.push_back(input.shape);
  }
  auto expected = outputShape(shapes);
  if (!expected)
    return expected.takeError();

  TensorView out = output.asInput();
  if (output.dtype != outputDType_)
    return makeError(Twine("output has dtype ") + dtypeName(output.dtype) +
                     " but the einsum gives " + dtypeName(outputDType_));
  if (out.shape != *expected)
    return makeError("output has shape " + shapeString(out.shape) +
                     " but the einsum gives " + shapeString(*expected));
  if (llvm::Error error = checkStrides(out, "output"))
    return error;
  if (!stridedOutput_ && !out.isContiguous())
    return makeError("output is not contiguous (row-major) but the kernel "
                     "was compiled for a contiguous output");
  int64_t outElements = out.numElements();
  if (!output.data && outElements > 0)
    return makeError("output is a null pointer");
  // An empty output has nothing to write (its strides may be anything,
  // e.g. 0 in row-major strides of a shape with a 0).
  if (outElements == 0)
    return llvm::Error::success();
  // The output must not overlap itself, and must fit its buffer. No
  // overlap: taking the axes by increasing |stride|, each stride must step
  // past everything the smaller ones reach.
  std::vector<int64_t> outStrides = out.effectiveStrides();
  int64_t lowest = 0, highest = 0;
  SmallVector<size_t> axes;
  for (size_t axis = 0; axis < out.shape.size(); ++axis) {
    if (out.shape[axis] > 1 && outStrides[axis] == 0)
      return makeError("output axis " + Twine(axis) +
                       " has stride 0: its elements would overlap");
    if (out.shape[axis] > 1)
      axes.push_back(axis);
    int64_t reach = (out.shape[axis] - 1) * outStrides[axis];
    (reach < 0 ? lowest : highest) += out.shape[axis] > 0 ? reach : 0;
  }
  llvm::sort(axes, [&](size_t a, size_t b) {
    return std::abs(outStrides[a]) < std::abs(outStrides[b]);
  });
  int64_t span = 0; // elements reached by the axes so far, minus one
  for (size_t axis : axes) {
    if (std::abs(outStrides[axis]) <= span)
      return makeError("output axis " + Twine(axis) + " (stride " +
                       Twine(outStrides[axis]) +
                       ") overlaps the axes with smaller strides");
    span += (out.shape[axis] - 1) * std::abs(outStrides[axis]);
  }
  if (output.capacityBytes && outElements > 0 &&
      size_t(highest - lowest + 1) * dtypeSize(outputDType_) >
          output.capacityBytes)
    return makeError("output view reaches " +
                     Twine((highest - lowest + 1) * dtypeSize(outputDType_)) +
                     " bytes but its buffer holds " +
                     Twine(output.capacityBytes));

  SmallVector<Descriptor> descriptors;
  for (const TensorView &input : inputs)
    descriptors.emplace_back(input.data, input.shape, input.effectiveStrides());
  descriptors.emplace_back(output.data, out.shape, outStrides);
  SmallVector<void *> pointers, args;
  for (Descriptor &descriptor : descriptors)
    pointers.push_back(descriptor.fields.data());
  for (void *&pointer : pointers)
    args.push_back(&pointer);
  entry_(args.data());
  return llvm::Error::success();
}
