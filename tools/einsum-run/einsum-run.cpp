//===- einsum-run.cpp - Run any einsum from the shell ---------------------===//
//
// Compiles an einsum to native code with the JIT and runs it on .npy files
// or random data; optionally checks it against the reference evaluator,
// benchmarks it, or explains the loop nest and the code generation plan.
//
// Exit status: 0 success; 1 bad input (spec, shapes, files, dtype) or a
// result that fails --check; 2 bad usage.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Dialect/Einsum/Transforms/Passes.h"
#include "Einsum/Reference/Reference.h"
#include "Einsum/Runtime/JIT.h"
#include "Einsum/Support/AlignedBuffer.h"
#include "Einsum/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>

using namespace einsum;

static const char kUsage[] = R"(usage: einsum-run [options] SPEC [INPUT.npy ...]
       einsum-run --attention [--causal] [options] [Q.npy K.npy V.npy]

Compiles the einsum SPEC to native code and runs it, on the given .npy files
or on random inputs.

  -o, --output FILE.npy   compute on the given .npy inputs and write the result as .npy
  --shapes S1,S2,...      random inputs of these shapes (e.g. 2x512x8x64,2x512x8x64) instead of files
  --sizes L=N,...         random inputs, sizes given per label (e.g. batch=2,seqQ=512,...);
                          '...=AxB' gives the dims under an ellipsis
  --dtype T               element type of random inputs: f32 (default), f64, i32, i64, f16, bf16
  --threads N             worker threads (default 1)
  --target-cpu NAME       CPU to generate code and plans for: host (default) or an LLVM x86-64
                          CPU name (haswell, znver3, skylake-avx512, sapphirerapids, ...); a
                          CPU the host cannot run is for --explain only (default:
                          $EINSUM_TARGET_CPU if set)
  --target-features F     features added to or removed from the target's, e.g. -avx512f or
                          +avx512bf16 (default: $EINSUM_TARGET_FEATURES if set)
  --max-memory SIZE       no input, output or intermediate may take more than SIZE bytes (suffix
                          K, M, G): checked before allocating anything; intermediates are
                          sliced to fit (default: physical memory)
  --bench                 time the compiled kernel: warm-up, then repeated runs; report the median
  --repeat N              timed runs for --bench (default: enough for ~1 s)
  --json                  with --bench or --explain: one line of JSON
  --explain               print the free and summation indices, the loop nest, the FLOP count and the plan
  --remarks               print the code generator's remarks about the compiled kernel (a
                          register tile left as scalar loops), or "remarks: none"
  --check                 also compute the reference and report the max relative error
  --seed N                seed of the random inputs (default 0)
  --dynamic               compile for any shapes (dynamic sizes) instead of the given ones
  --tolerance X           --check passes if the error is at most X (default: 64 x the dtype's epsilon)
  --tiles MC,NC,KC,MR,NR  tile sizes for contractions (0: chosen from the shapes and the CPU)
  --path ALG              contraction order of 3+ operands: auto (default: optimal up to 10
                          operands, greedy beyond), optimal, greedy, or none (one loop nest)
  --memory-limit N        no intermediate may hold more than N elements (slices if needed)
  --attention             instead of SPEC: attention softmax(Q Kᵀ/√d_head) V on Q K V .npy files
                          [batch, seq, n_head, d_head] (output: Q's layout), or random with
                          --sizes batch=2,seq=512,n_head=8,d_head=64 (seq sets seqQ and seqK;
                          d_v defaults to d_head)
  --causal                with --attention: query i attends to keys j <= i only
  --scale X               with --attention: scale of the scores (default 1/sqrt(d_head))
  --variant V             with --attention: fused (score tiles, online softmax), unfused
                          (whole scores tensor), or auto (default: fused for static shapes)
  -h, --help              this message

SPEC is compact ('ij,jk->ik') or named ('batch seq d, batch d -> batch seq')
notation; see the README.

Exit status: 0 success, 1 bad input or failed --check, 2 bad usage.
)";

/// The most timed runs of --bench (their times are kept for the median).
static constexpr int64_t kMaxRepeat = 1000000;

namespace {
struct Options {
  std::string spec;
  std::vector<std::string> inputs;
  std::string output;
  std::string shapes;
  std::string sizes;
  DType dtype = DType::F32;
  bool dtypeGiven = false;
  int64_t threads = 1;
  std::string targetCPU = "host";
  std::string targetFeatures;
  bool bench = false;
  int64_t repeat = 0;
  bool json = false;
  bool explain = false;
  bool remarks = false;
  bool check = false;
  uint64_t seed = 0;
  bool dynamic = false;
  std::optional<double> tolerance; // default: the dtype's
  std::vector<int64_t> tiles;
  PathAlgorithm path = PathAlgorithm::Auto;
  int64_t memoryLimit = 0;
  // --attention
  size_t maxMemory = 0; // 0: physical memory
  bool attention = false;
  bool causal = false;
  double scale = 0;
  std::string variant = "auto";
};

/// A usage error (exit 2).
struct UsageError {
  std::string message;
};
} // namespace

static int usageError(const std::string &message) {
  llvm::errs() << "einsum-run: " << message
               << "\nTry 'einsum-run --help' for more information.\n";
  return 2;
}

static int inputError(const std::string &message) {
  llvm::errs() << "einsum-run: error: " << message << "\n";
  return 1;
}

static bool parseInt(llvm::StringRef text, int64_t &value) {
  return !text.getAsInteger(10, value);
}

/// Parses "4096", "512M", "2G" into bytes (> 0).
static bool parseBytes(llvm::StringRef text, size_t &bytes) {
  uint64_t scale = 1;
  if (!text.empty() && std::strchr("KMG", text.back())) {
    scale = uint64_t(1) << (10 * (std::strchr("KMG", text.back()) -
                                  std::strchr("KMG", 'K') + 1));
    text = text.drop_back();
  }
  uint64_t value;
  if (text.getAsInteger(10, value) || value == 0 ||
      value > std::numeric_limits<uint64_t>::max() / scale)
    return false;
  bytes = size_t(value * scale);
  return true;
}

/// Parses argv; returns an error message for bad usage.
static std::optional<std::string> parseArgs(int argc, char **argv,
                                            Options &options, bool &help) {
  std::vector<std::string> positional;
  // The environment's target, for running a whole test suite for another
  // CPU; the options override it.
  if (const char *cpu = std::getenv("EINSUM_TARGET_CPU"); cpu && *cpu)
    options.targetCPU = cpu;
  if (const char *features = std::getenv("EINSUM_TARGET_FEATURES"))
    options.targetFeatures = features;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    auto value = [&](std::string &out) -> bool {
      size_t eq = arg.find('=');
      if (arg.starts_with("--") && eq != llvm::StringRef::npos) {
        out = arg.substr(eq + 1).str();
        return true;
      }
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    llvm::StringRef name = arg.split('=').first;
    std::string text;
    if (arg == "-h" || arg == "--help") {
      help = true;
      return std::nullopt;
    }
    if (arg == "-o" || name == "--output") {
      if (!value(options.output))
        return "option '" + arg.str() + "' needs a file name";
    } else if (name == "--shapes") {
      if (!value(options.shapes))
        return std::string("option '--shapes' needs a value");
    } else if (name == "--sizes") {
      if (!value(options.sizes))
        return std::string("option '--sizes' needs a value");
    } else if (name == "--dtype") {
      if (!value(text))
        return std::string("option '--dtype' needs a value");
      std::optional<DType> dtype = parseDType(text);
      if (!dtype)
        return "unknown dtype '" + text +
               "' (expected f32, f64, i32, i64, f16 or bf16)";
      options.dtype = *dtype;
      options.dtypeGiven = true;
    } else if (name == "--threads") {
      if (!value(text) || !parseInt(text, options.threads) ||
          options.threads < 1 || options.threads > kMaxThreads)
        return "option '--threads' needs an integer from 1 to " +
               std::to_string(kMaxThreads);
    } else if (name == "--target-cpu") {
      if (!value(options.targetCPU) || options.targetCPU.empty())
        return std::string("option '--target-cpu' needs a CPU name");
    } else if (name == "--target-features") {
      if (!value(options.targetFeatures))
        return std::string("option '--target-features' needs a value");
    } else if (name == "--repeat") {
      if (!value(text) || !parseInt(text, options.repeat) ||
          options.repeat < 1 || options.repeat > kMaxRepeat)
        return "option '--repeat' needs an integer from 1 to " +
               std::to_string(kMaxRepeat);
    } else if (name == "--seed") {
      int64_t seed;
      if (!value(text) || !parseInt(text, seed))
        return std::string("option '--seed' needs an integer");
      options.seed = uint64_t(seed);
    } else if (name == "--tolerance") {
      double tolerance;
      if (!value(text) || llvm::StringRef(text).getAsDouble(tolerance) ||
          !(tolerance >= 0))
        return std::string("option '--tolerance' needs a number >= 0");
      options.tolerance = tolerance;
    } else if (name == "--tiles") {
      llvm::SmallVector<llvm::StringRef> items;
      if (!value(text))
        return std::string("option '--tiles' needs MC,NC,KC,MR,NR");
      llvm::StringRef(text).split(items, ',');
      options.tiles.clear();
      for (llvm::StringRef item : items) {
        int64_t size;
        if (!parseInt(item.trim(), size) || size < 0)
          return std::string("option '--tiles' needs five sizes >= 0");
        options.tiles.push_back(size);
      }
      if (options.tiles.size() != 5)
        return std::string("option '--tiles' needs MC,NC,KC,MR,NR");
    } else if (name == "--path") {
      std::optional<PathAlgorithm> path;
      if (!value(text) || !(path = parsePathAlgorithm(text)))
        return std::string(
            "option '--path' needs auto, optimal, greedy or none");
      options.path = *path;
    } else if (name == "--memory-limit") {
      if (!value(text) || !parseInt(text, options.memoryLimit) ||
          options.memoryLimit < 0)
        return std::string(
            "option '--memory-limit' needs a number of elements >= 0");
    } else if (name == "--max-memory") {
      if (!value(text) || !parseBytes(text, options.maxMemory))
        return std::string("option '--max-memory' needs a size in bytes "
                           "(suffix K, M or G allowed)");
    } else if (name == "--scale") {
      if (!value(text) || llvm::StringRef(text).getAsDouble(options.scale) ||
          !(options.scale > 0) || std::isinf(options.scale))
        return std::string("option '--scale' needs a number > 0");
    } else if (name == "--variant") {
      if (!value(options.variant) ||
          (options.variant != "auto" && options.variant != "fused" &&
           options.variant != "unfused"))
        return std::string("option '--variant' needs auto, fused or unfused");
    } else if (arg == "--attention") {
      options.attention = true;
    } else if (arg == "--causal") {
      options.causal = true;
    } else if (arg == "--bench") {
      options.bench = true;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--explain") {
      options.explain = true;
    } else if (arg == "--remarks") {
      options.remarks = true;
    } else if (arg == "--check") {
      options.check = true;
    } else if (arg == "--dynamic") {
      options.dynamic = true;
    } else if (arg == "--") {
      // Everything after '--' is the spec and inputs.
      for (++i; i < argc; ++i)
        positional.push_back(argv[i]);
    } else if (arg.starts_with("-") && arg.size() > 1 &&
               !arg.starts_with("->")) {
      // ("->" starts a spec with no inputs, e.g. "->" for a scalar.)
      return "unknown option '" + arg.str() + "'";
    } else {
      positional.push_back(arg.str());
    }
  }
  if (options.attention) {
    // The operands are query, key, value; the spec gives their shapes.
    options.spec = kAttentionShapeSpec;
    options.inputs = positional;
    if (!options.inputs.empty() && options.inputs.size() != 3)
      return std::string(
          "--attention takes three .npy files: query, key, value");
    if (options.path != PathAlgorithm::Auto || options.memoryLimit)
      return std::string("--path and --memory-limit do not apply to "
                         "--attention");
  } else {
    if (options.causal || options.scale || options.variant != "auto")
      return std::string("--causal, --scale and --variant need --attention");
    if (positional.empty())
      return std::string("missing SPEC");
    options.spec = positional.front();
    options.inputs.assign(positional.begin() + 1, positional.end());
  }
  int sources = !options.inputs.empty() + !options.shapes.empty() +
                !options.sizes.empty();
  if (sources == 0)
    return std::string("no inputs: give .npy files, --shapes or --sizes");
  if (sources > 1)
    return std::string("give inputs one way: .npy files, --shapes or --sizes");
  if (!options.inputs.empty() && options.dtypeGiven)
    return std::string("--dtype applies to random inputs only; .npy files "
                       "carry their own dtype");
  if (options.json && !options.bench && !options.explain)
    return std::string("--json needs --bench or --explain");
  if (options.repeat && !options.bench)
    return std::string("--repeat needs --bench");
  return std::nullopt;
}

/// Parses "2x512x8x64" into a shape ("" or "scalar" is rank 0).
static bool parseShape(llvm::StringRef text, std::vector<int64_t> &shape) {
  shape.clear();
  text = text.trim();
  if (text.empty() || text == "scalar")
    return true;
  llvm::SmallVector<llvm::StringRef> dims;
  text.split(dims, 'x');
  for (llvm::StringRef dim : dims) {
    int64_t size;
    if (!parseInt(dim.trim(), size) || size < 0)
      return false;
    shape.push_back(size);
  }
  return true;
}

/// Shapes from --sizes: each operand's labels looked up by name.
static std::optional<std::string>
shapesFromSizes(const Spec &spec, llvm::StringRef text,
                std::vector<std::vector<int64_t>> &shapes) {
  std::map<std::string, int64_t> sizes;
  std::vector<int64_t> ellipsis;
  bool haveEllipsis = false;
  llvm::SmallVector<llvm::StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    auto [label, value] = item.split('=');
    label = label.trim();
    if (label == "...") {
      if (haveEllipsis)
        return std::string("--sizes: '...' is given twice");
      if (!parseShape(value, ellipsis))
        return "--sizes: bad dims '" + value.str() + "' for '...'";
      haveEllipsis = true;
      continue;
    }
    int64_t size;
    if (!parseInt(value.trim(), size) || size < 0)
      return "--sizes: bad size in '" + item.str() +
             "' (expected LABEL=N with N >= 0)";
    if (spec.findLabel(std::string_view(label.data(), label.size())) < 0)
      return "--sizes: label '" + label.str() + "' is not in the spec '" +
             spec.str() + "'";
    if (!sizes.emplace(label.str(), size).second)
      return "--sizes: label '" + label.str() + "' is given twice";
  }
  for (const Term &term : spec.inputs) {
    std::vector<int64_t> shape;
    for (const Subscript &sub : term.subscripts) {
      if (sub.isEllipsis()) {
        if (!haveEllipsis)
          return std::string("--sizes: the spec has '...'; give its dims "
                             "as '...=AxB'");
        shape.insert(shape.end(), ellipsis.begin(), ellipsis.end());
        continue;
      }
      auto it = sizes.find(spec.labels[sub.label]);
      if (it == sizes.end())
        return "--sizes: no size for label '" + spec.labels[sub.label] + "'";
      shape.push_back(it->second);
    }
    shapes.push_back(std::move(shape));
  }
  return std::nullopt;
}

/// Checks what the run holds at once against --max-memory (default: the
/// physical memory) before anything is allocated: the inputs, the output
/// and, with --check, the reference (per output element its f64 value and
/// magnitude, and for integers its wrapped value; for attention also the
/// f64 scores). Returns the bytes left for the kernel's intermediates and
/// scratch.
static llvm::Expected<double>
checkMemory(const Options &options,
            const std::vector<std::vector<int64_t>> &shapes,
            const std::vector<DType> &dtypes,
            const std::vector<int64_t> &outShape, DType outDType) {
  double limit =
      double(options.maxMemory ? options.maxMemory : physicalMemoryBytes());
  auto bytesOf = [](const std::vector<int64_t> &shape, double elementBytes) {
    double bytes = elementBytes;
    for (int64_t size : shape)
      bytes *= double(size);
    return bytes;
  };
  auto error = [&](const std::string &what, double bytes) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + " would take " + bytesString(bytes) +
                                       ", more than the memory limit of " +
                                       bytesString(limit) + " (--max-memory)");
  };
  double inputs = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    double bytes = bytesOf(shapes[i], double(dtypeSize(dtypes[i])));
    if (bytes > limit)
      return error("operand " + std::to_string(i) + " (shape " +
                       shapeString(shapes[i]) + ")",
                   bytes);
    inputs += bytes;
  }
  double output = bytesOf(outShape, double(dtypeSize(outDType)));
  double reference = 0;
  if (options.check) {
    reference = bytesOf(outShape, isFloat(outDType) ? 16 : 24);
    if (options.attention && shapes.size() == 3)
      reference += 8 * double(shapes[0][0]) * double(shapes[0][1]) *
                   double(shapes[0][2]) * double(shapes[1][1]);
  }
  double total = inputs + output + reference;
  if (total > limit)
    return error("the inputs (" + bytesString(inputs) + ")" +
                     (options.check ? ", " : " and ") + "the output (" +
                     bytesString(output) + ")" +
                     (options.check ? " and the reference of --check (" +
                                          bytesString(reference) + ")"
                                    : std::string()),
                 total);
  return limit - total;
}

/// --sizes of --attention: 'seq' stands for seqQ and seqK, and d_v is d_head
/// unless given.
static std::string attentionSizes(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  // Every item is kept (a label given twice is reported as such); seqQ and
  // seqK come from seq, d_v from d_head, unless given.
  std::vector<std::pair<std::string, std::string>> sizes;
  auto given = [&](llvm::StringRef name) {
    return llvm::any_of(sizes,
                        [&](const auto &item) { return item.first == name; });
  };
  for (llvm::StringRef item : items) {
    auto [label, value] = item.split('=');
    sizes.emplace_back(label.trim().str(), value.trim().str());
  }
  std::vector<std::pair<std::string, std::string>> derived;
  for (const auto &[label, value] : sizes) {
    if (label == "seq") {
      for (const char *name : {"seqQ", "seqK"})
        if (!given(name))
          derived.emplace_back(name, value);
    } else {
      derived.emplace_back(label, value);
    }
    if (label == "d_head" && !given("d_v"))
      derived.emplace_back("d_v", value);
  }
  std::string out;
  for (auto &[label, value] : derived)
    out += (out.empty() ? "" : ",") + label + "=" + value;
  return out;
}

/// FLOPs of attention: 2 per multiply-add of the two einsums, over the
/// (query, key) pairs not masked.
static double attentionFlops(const std::vector<std::vector<int64_t>> &shapes,
                             bool causal) {
  double batch = double(shapes[0][0]), heads = double(shapes[0][2]);
  int64_t seqQ = shapes[0][1], seqK = shapes[1][1];
  double pairs = 0;
  for (int64_t q = 0; q < seqQ; ++q)
    pairs += double(causal ? std::min(q + 1, seqK) : seqK);
  return 2 * batch * heads * pairs * double(shapes[0][3] + shapes[2][3]);
}

/// Whether the fused attention can take these shapes: static, no size 0.
static bool fusableShapes(const Options &options,
                          const std::vector<std::vector<int64_t>> &shapes) {
  return !options.dynamic && llvm::all_of(shapes, [](const auto &shape) {
    return !llvm::is_contained(shape, 0);
  });
}

/// What --explain prints for --attention.
static std::string
describeAttention(const Options &options,
                  const std::vector<std::vector<int64_t>> &shapes, DType dtype,
                  const CPUTarget &target) {
  const std::vector<int64_t> &q = shapes[0], &k = shapes[1], &v = shapes[2];
  double scale = options.scale ? options.scale : 1.0 / std::sqrt(double(q[3]));
  AttentionPlan plan =
      planAttention(options.variant, fusableShapes(options, shapes),
                    options.causal, q[1], k[1]);
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "attention: softmax(Q Kᵀ * scale) V"
     << (options.causal ? ", causal" : "") << "\n  query [batch=" << q[0]
     << ", seqQ=" << q[1] << ", n_head=" << q[2] << ", d_head=" << q[3]
     << "], key [seqK=" << k[1] << "], value [d_v=" << v[3] << "] ("
     << dtypeName(dtype) << ")\n"
     << "  target:  " << target.describe() << "\n"
     << "  scores:  einsum \"batch seqQ n_head d_head, batch seqK n_head "
        "d_head -> batch n_head seqQ seqK\"\n"
     << llvm::format("  scale:   %.6g", scale)
     << (options.causal ? "; keys after the query masked to -inf" : "")
     << "\n  softmax: over seqK, row max subtracted\n"
     << "  output:  einsum \"batch n_head seqQ seqK, batch seqK n_head d_v "
        "-> batch seqQ n_head d_v\"\n";
  double scoreBytes =
      double(q[0]) * q[2] * q[1] * k[1] * double(dtypeSize(dtype));
  // The last tile of a sequence that is not a whole number of tiles.
  auto rest = [](int64_t size, int64_t tile) {
    return size % tile ? " (the last " + std::to_string(size % tile) + ")"
                       : std::string();
  };
  if (plan.fused)
    os << "  variant: fused: per (batch, head, " << plan.tileQ << " queries"
       << rest(q[1], plan.tileQ) << "), key tiles of " << plan.tileK
       << rest(k[1], plan.tileK)
       << " with an online softmax; scores never materialized ("
       << llvm::format("%.1f", double(plan.tileQ) * plan.tileK *
                                   dtypeSize(dtype) / 1024.0)
       << " KiB score tile per thread)\n";
  else
    os << "  variant: unfused: the whole scores tensor ("
       << llvm::format("%.1f", scoreBytes / (1 << 20)) << " MiB)\n";
  return out;
}

/// Fills a buffer with deterministic random values: floats in [-1, 1),
/// integers in [-8, 8].
static void fillRandom(AlignedBuffer &data, DType dtype, int64_t count,
                       std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> integer(-8, 8);
  for (int64_t i = 0; i < count; ++i) {
    if (isFloat(dtype))
      storeDouble(data.data(), dtype, i, real(rng));
    else
      storeInt(data.data(), dtype, i, integer(rng));
  }
}

static std::string jsonShapes(const std::vector<std::vector<int64_t>> &shapes) {
  std::string out = "[";
  for (size_t i = 0; i < shapes.size(); ++i) {
    out += i ? ",[" : "[";
    for (size_t d = 0; d < shapes[i].size(); ++d)
      out += (d ? "," : "") + std::to_string(shapes[i][d]);
    out += "]";
  }
  return out + "]";
}

/// A JSON string: quotes, backslashes and control characters (the plan's
/// line breaks) escaped, so that --json output is one line of valid JSON.
static std::string jsonString(llvm::StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", unsigned(c));
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// Prints a small result in full, a large one summarised.
static void printResult(const std::vector<int64_t> &shape, DType dtype,
                        const AlignedBuffer &data) {
  int64_t count = numElementsOf(shape);
  llvm::outs() << "result: " << shapeString(shape) << " " << dtypeName(dtype)
               << "\n";
  if (count <= 64) {
    llvm::outs() << "[";
    for (int64_t i = 0; i < count; ++i) {
      if (i)
        llvm::outs() << ", ";
      if (isFloat(dtype))
        llvm::outs() << llvm::format("%.6g", loadDouble(data.data(), dtype, i));
      else
        llvm::outs() << loadInt(data.data(), dtype, i);
    }
    llvm::outs() << "]\n";
    return;
  }
  double sum = 0, lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < count; ++i) {
    double v = loadDouble(data.data(), dtype, i);
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  llvm::outs() << llvm::format("sum %.9g, min %.6g, max %.6g\n", sum, lo, hi);
}

int main(int argc, char **argv) {
  // An interrupted -o write leaves no temporary file behind.
  installNpySignalCleanup();
  Options options;
  bool help = false;
  if (std::optional<std::string> error = parseArgs(argc, argv, options, help))
    return usageError(*error);
  if (help) {
    llvm::outs() << kUsage;
    return 0;
  }
  auto target = CPUTarget::get(options.targetCPU, options.targetFeatures);
  if (!target)
    return usageError(llvm::toString(target.takeError()));
  // Only explaining does not run the code: any target will do.
  bool explainOnly = options.explain && !options.bench && !options.check &&
                     options.output.empty();
  llvm::Error runnable = target->checkHostCanRun();
  if (runnable && !explainOnly)
    return inputError(llvm::toString(std::move(runnable)));
  llvm::consumeError(std::move(runnable));

  std::string_view specView(options.spec);
  SpecResult<Spec> spec = parseSpec(specView);
  if (!spec)
    return inputError(spec.error().render(specView));

  // Inputs: the shapes and dtypes first (.npy headers, --shapes or
  // --sizes), so that the memory the run needs is checked before any data
  // is allocated or read; then each input is read once, into its buffer.
  std::vector<std::vector<int64_t>> shapes;
  std::vector<DType> dtypes;
  std::vector<NpyHeader> headers;
  if (!options.inputs.empty()) {
    for (const std::string &path : options.inputs) {
      NpyHeader header;
      std::string error;
      if (!readNpyHeader(path, header, error))
        return inputError(error);
      dtypes.push_back(header.dtype);
      shapes.push_back(header.shape);
      headers.push_back(std::move(header));
    }
  } else {
    if (!options.shapes.empty()) {
      llvm::SmallVector<llvm::StringRef> items;
      llvm::StringRef(options.shapes).split(items, ',');
      for (llvm::StringRef item : items) {
        std::vector<int64_t> shape;
        if (!parseShape(item, shape))
          return usageError("--shapes: bad shape '" + item.str() +
                            "' (expected e.g. 2x512x64)");
        shapes.push_back(shape);
      }
    } else if (std::optional<std::string> error = shapesFromSizes(
                   *spec,
                   options.attention ? attentionSizes(options.sizes)
                                     : options.sizes,
                   shapes)) {
      return inputError(*error);
    }
    dtypes.assign(shapes.size(), options.dtype);
  }

  SpecResult<Binding> binding = bindSpec(*spec, shapes);
  if (!binding)
    return inputError(binding.error().render(specView));
  // The result type: NumPy's promotion of the operand types.
  DType dtype = dtypes.front();
  for (DType operand : dtypes)
    dtype = promoteTypes(dtype, operand);
  auto leftForKernel =
      checkMemory(options, shapes, dtypes, binding->outputShape(), dtype);
  if (!leftForKernel)
    return inputError(llvm::toString(leftForKernel.takeError()));

  std::vector<AlignedBuffer> buffers;
  std::mt19937_64 rng(options.seed);
  for (size_t i = 0; i < shapes.size(); ++i) {
    size_t bytes = size_t(numElementsOf(shapes[i])) * dtypeSize(dtypes[i]);
    buffers.emplace_back(bytes);
    if (!buffers.back())
      return inputError("out of memory for operand " + std::to_string(i) +
                        " of shape " + shapeString(shapes[i]));
    std::string error;
    if (!headers.empty() && !readNpyData(options.inputs[i], headers[i],
                                         buffers.back().data(), error))
      return inputError(error);
    if (headers.empty())
      fillRandom(buffers.back(), dtypes[i], numElementsOf(shapes[i]), rng);
  }
  std::vector<OperandType> operands;
  for (size_t i = 0; i < shapes.size(); ++i)
    operands.push_back({dtypes[i], shapes[i], /*strided=*/false});
  Compiler compiler;
  KernelOptions kernelOptions;
  kernelOptions.pipeline.tiling.target = *target;
  kernelOptions.pipeline.path.algorithm = options.path;
  kernelOptions.pipeline.path.memoryLimit = double(options.memoryLimit);
  kernelOptions.dynamicShapes = options.dynamic;
  kernelOptions.pipeline.threads = unsigned(options.threads);
  if (!options.tiles.empty()) {
    TilingOptions &tiling = kernelOptions.pipeline.tiling;
    tiling.cacheTileM = options.tiles[0];
    tiling.cacheTileN = options.tiles[1];
    tiling.cacheTileK = options.tiles[2];
    tiling.registerTileM = options.tiles[3];
    tiling.registerTileN = options.tiles[4];
  }

  kernelOptions.pipeline.attentionVariant = options.variant;
  kernelOptions.memoryLimitBytes = options.maxMemory;
  // Intermediates of a contraction order (a step's operands and result live
  // at once) and scratch share what the inputs, output and reference leave.
  double intermediateElements =
      std::max(1.0, std::floor(*leftForKernel / 2 /
                               double(std::max<size_t>(dtypeSize(dtype), 4))));
  double &pathLimit = kernelOptions.pipeline.path.memoryLimit;
  pathLimit = pathLimit > 0 ? std::min(pathLimit, intermediateElements)
                            : intermediateElements;
  AttentionOptions attention;
  attention.causal = options.causal;
  attention.scale = options.scale;

  if (options.attention) {
    if (options.explain) {
      std::string text = describeAttention(options, shapes, dtype, *target);
      double flops = attentionFlops(shapes, options.causal);
      if (options.json)
        llvm::outs() << "{\"attention\":true,\"causal\":"
                     << (options.causal ? "true" : "false")
                     << ",\"shapes\":" << jsonShapes(shapes) << ",\"dtype\":\""
                     << dtypeName(dtype) << "\""
                     << llvm::format(",\"flops\":%.0f", flops)
                     << ",\"plan\":" << jsonString(text) << "}\n";
      else
        llvm::outs() << text << llvm::format("FLOPs: %.0f\n", flops);
      if (!options.bench && !options.check && options.output.empty())
        return 0;
    }
  }

  // FLOPs of the einsum as one loop nest (per point, operands - 1
  // multiplies and an add), and of the contraction order that runs.
  double naiveFlops = 0, flops = 0;
  std::optional<ContractionPath> path;
  if (options.attention) {
    naiveFlops = flops = attentionFlops(shapes, options.causal);
  } else {
    auto planned = contractionPath(options.spec, operands, kernelOptions);
    if (!planned)
      return inputError(llvm::toString(planned.takeError()));
    path = std::move(*planned);
    naiveFlops = path->naiveFlops;
    flops = path->totalFlops;
  }

  if (options.explain && !options.attention) {
    auto plan = compiler.describePlan(options.spec, operands, kernelOptions);
    if (!plan)
      return inputError(llvm::toString(plan.takeError()));
    if (options.json) {
      llvm::outs() << "{\"spec\":" << jsonString(spec->str())
                   << ",\"shapes\":" << jsonShapes(shapes) << ",\"dtype\":\""
                   << dtypeName(dtype) << "\",\"free\":[";
      for (size_t d = 0; d < binding->numFree; ++d)
        llvm::outs() << (d ? "," : "") << jsonString(binding->dimNames[d]);
      llvm::outs() << "],\"summation\":[";
      for (size_t d = binding->numFree; d < binding->numDims(); ++d)
        llvm::outs() << (d > binding->numFree ? "," : "")
                     << jsonString(binding->dimNames[d]);
      llvm::outs() << "],\"naive_flops\":" << llvm::format("%.0f", naiveFlops)
                   << ",\"flops\":" << llvm::format("%.0f", flops)
                   << ",\"path\":[";
      for (auto [i, step] : llvm::enumerate(path->steps)) {
        llvm::outs() << (i ? "," : "")
                     << "{\"spec\":" << jsonString(step.spec.str())
                     << ",\"inputs\":[";
        for (auto [j, value] : llvm::enumerate(step.inputs))
          llvm::outs() << (j ? "," : "") << value;
        llvm::outs() << "]" << llvm::format(",\"flops\":%.0f", step.flops)
                     << llvm::format(",\"result_elements\":%.0f",
                                     step.resultElements)
                     << "}";
      }
      llvm::outs() << "],\"plan\":" << jsonString(*plan) << "}\n";
    } else {
      llvm::outs() << describeLoopNest(*spec, *binding);
      if (flops != naiveFlops)
        llvm::outs() << llvm::format("FLOPs: %.0f (one loop nest: %.0f)\n",
                                     flops, naiveFlops);
      else
        llvm::outs() << llvm::format("FLOPs: %.0f\n", flops);
      llvm::outs() << "plan:\n" << *plan;
    }
    if (!options.bench && !options.check && options.output.empty())
      return 0;
  }

  auto kernel =
      options.attention
          ? compiler.getAttentionKernel(operands, attention, kernelOptions)
          : compiler.compile(options.spec, operands, kernelOptions);
  if (!kernel)
    return inputError(llvm::toString(kernel.takeError()));
  double compileMillis =
      (*kernel)->pipelineMillis() + (*kernel)->codegenMillis();
  if (options.remarks) {
    for (const std::string &remark : (*kernel)->remarks())
      llvm::outs() << "remark: " << remark << "\n";
    if ((*kernel)->remarks().empty())
      llvm::outs() << "remarks: none (every register tile is vector code)\n";
  }

  std::vector<int64_t> outShape = binding->outputShape();
  int64_t outCount = numElementsOf(outShape);
  AlignedBuffer result(size_t(outCount) * dtypeSize(dtype));
  if (!result)
    return inputError("out of memory for the result of shape " +
                      shapeString(outShape));
  std::vector<TensorView> views;
  for (size_t i = 0; i < shapes.size(); ++i)
    views.push_back(
        TensorView::contiguous(buffers[i].data(), dtypes[i], shapes[i]));
  OutputView outView = OutputView::contiguous(result.data(), dtype, outShape);
  outView.capacityBytes = result.size();
  auto runOnce = [&]() -> llvm::Error {
    return (*kernel)->run(views, outView);
  };
  if (llvm::Error error = runOnce())
    return inputError(llvm::toString(std::move(error)));

  // Timing: repeated runs after the warm-up run above.
  std::vector<double> times;
  size_t scratchBytes = 0;
  if (options.bench) {
    resetScratchPeak();
    using Clock = std::chrono::steady_clock;
    auto timeOne = [&]() -> double {
      auto start = Clock::now();
      llvm::cantFail(runOnce());
      return std::chrono::duration<double, std::milli>(Clock::now() - start)
          .count();
    };
    int64_t repeat = options.repeat;
    if (!repeat) {
      double first = std::max(timeOne(), 1e-4);
      repeat = std::clamp<int64_t>(int64_t(1000.0 / first), 5, 100000);
    }
    for (int64_t i = 0; i < repeat; ++i)
      times.push_back(timeOne());
    std::sort(times.begin(), times.end());
    scratchBytes = scratchPeakBytes();
  }

  std::optional<Comparison> comparison;
  double tolerance = options.tolerance.value_or(defaultTolerance(dtype));
  if (options.check) {
    SpecResult<ReferenceResult> reference =
        options.attention
            ? evaluateAttentionReference(views[0], views[1], views[2],
                                         options.causal, options.scale)
            : evaluateReference(*spec, views);
    if (!reference)
      return inputError(reference.error().render(specView));
    comparison =
        compareToReference(*reference, result.data(), dtype, tolerance);
  }

  if (!options.output.empty()) {
    std::string error;
    if (!writeNpy(options.output, dtype, outShape, result.data(),
                  size_t(outCount) * dtypeSize(dtype), error))
      return inputError(error);
  }

  if (options.bench) {
    double median = times[times.size() / 2];
    double best = times.front();
    double gflops = median > 0 ? flops / (median * 1e6) : 0;
    if (options.json) {
      llvm::outs() << "{\"spec\":" << jsonString(spec->str());
      if (options.attention)
        llvm::outs() << ",\"attention\":true,\"causal\":"
                     << (options.causal ? "true" : "false") << ",\"variant\":"
                     << jsonString(planAttention(options.variant,
                                                 fusableShapes(options, shapes),
                                                 options.causal, shapes[0][1],
                                                 shapes[1][1])
                                           .fused
                                       ? "fused"
                                       : "unfused");
      llvm::outs() << ",\"shapes\":" << jsonShapes(shapes) << ",\"dtype\":\""
                   << dtypeName(dtype) << "\",\"threads\":" << options.threads
                   << llvm::format(",\"compile_ms\":%.3f", compileMillis)
                   << llvm::format(",\"median_ms\":%.6f", median)
                   << llvm::format(",\"min_ms\":%.6f", best)
                   << llvm::format(",\"gflops\":%.3f", gflops)
                   << llvm::format(",\"flops\":%.0f", flops)
                   << ",\"scratch_peak_bytes\":" << scratchBytes
                   << ",\"remarks\":" << (*kernel)->remarks().size()
                   << ",\"runs\":" << times.size();
      if (comparison)
        llvm::outs() << llvm::format(",\"max_rel_error\":%.3g",
                                     comparison->maxRelativeError)
                     << ",\"check\":"
                     << (comparison->withinTolerance ? "true" : "false");
      llvm::outs() << "}\n";
    } else {
      llvm::outs() << "spec:     "
                   << (options.attention
                           ? std::string(options.causal ? "causal attention"
                                                        : "attention")
                           : spec->str())
                   << "\n"
                   << "shapes:   ";
      for (size_t i = 0; i < shapes.size(); ++i)
        llvm::outs() << (i ? ", " : "") << shapeString(shapes[i]);
      llvm::outs() << " (" << dtypeName(dtype) << ")\n"
                   << llvm::format("compile:  %.1f ms\n", compileMillis)
                   << llvm::format("time:     %.4f ms median, %.4f ms min "
                                   "over %zu runs\n",
                                   median, best, times.size())
                   << llvm::format("speed:    %.2f GFLOP/s\n", gflops)
                   << llvm::format("scratch:  %.3f MiB peak (kernel "
                                   "scratch memory, all threads)\n",
                                   double(scratchBytes) / (1 << 20));
    }
  } else if (options.output.empty() && !options.check) {
    printResult(outShape, dtype, result);
  }

  if (comparison) {
    if (!options.json)
      llvm::outs() << llvm::format("check:    max relative error %.3g "
                                   "(tolerance %.3g) against the f64 "
                                   "reference: %s\n",
                                   comparison->maxRelativeError, tolerance,
                                   comparison->withinTolerance ? "ok"
                                                               : "FAILED");
    if (!comparison->withinTolerance)
      return inputError("result differs from the reference at element " +
                        std::to_string(comparison->worstIndex) +
                        (isFloat(dtype)
                             ? ""
                             : " (" + std::to_string(comparison->mismatches) +
                                   " element(s) differ)"));
  }
  return 0;
}
