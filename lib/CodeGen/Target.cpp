//===- Target.cpp - What code generation knows of the CPU -----------------===//

#include "Einsum/CodeGen/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

using namespace einsum;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Cache sizes
//===----------------------------------------------------------------------===//

namespace {
struct CacheSizes {
  int64_t l1 = 0, l2 = 0;
};
} // namespace

/// Per-core L1 data and L2 sizes of the x86-64 CPU families LLVM names: what
/// the plans of a named target are chosen from (the same on every machine),
/// and the host's sizes when neither sysfs nor CPUID tells them.
static CacheSizes familyCacheSizes(llvm::StringRef cpu) {
  constexpr int64_t k = 1024;
  struct Family {
    const char *names;
    CacheSizes sizes;
  };
  static const Family families[] = {
      {"znver1 znver2 znver3", {32 * k, 512 * k}},
      {"znver4", {32 * k, 1024 * k}},
      {"znver5", {48 * k, 1024 * k}},
      {"skylake-avx512 skx cascadelake cooperlake", {32 * k, 1024 * k}},
      {"icelake-server", {48 * k, 1280 * k}},
      {"sapphirerapids emeraldrapids graniterapids graniterapids-d "
       "diamondrapids",
       {48 * k, 2048 * k}},
      {"icelake-client rocketlake cannonlake", {48 * k, 512 * k}},
      {"tigerlake alderlake raptorlake meteorlake arrowlake arrowlake-s "
       "lunarlake pantherlake",
       {48 * k, 1280 * k}},
      {"knl knm", {32 * k, 512 * k}},
      {"x86-64 x86-64-v2 x86-64-v3 x86-64-v4 generic", {32 * k, 512 * k}},
  };
  for (const Family &family : families) {
    llvm::SmallVector<llvm::StringRef> names;
    llvm::StringRef(family.names).split(names, ' ');
    if (llvm::is_contained(names, cpu))
      return family.sizes;
  }
  // Haswell, Broadwell, Skylake client and older cores.
  return {32 * k, 256 * k};
}

/// Reads a cache size such as "48K" from sysfs; 0 if unavailable.
static int64_t readSysfsCacheBytes(int level, const char *type) {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto levelBuf = llvm::MemoryBuffer::getFileAsStream(dir + "/level");
    auto typeBuf = llvm::MemoryBuffer::getFileAsStream(dir + "/type");
    auto sizeBuf = llvm::MemoryBuffer::getFileAsStream(dir + "/size");
    if (!levelBuf || !typeBuf || !sizeBuf)
      continue;
    if ((*levelBuf)->getBuffer().trim() != std::to_string(level))
      continue;
    llvm::StringRef kind = (*typeBuf)->getBuffer().trim();
    if (kind != type && kind != "Unified")
      continue;
    llvm::StringRef size = (*sizeBuf)->getBuffer().trim();
    int64_t scale = 1;
    if (size.consume_back("K"))
      scale = 1024;
    else if (size.consume_back("M"))
      scale = 1024 * 1024;
    int64_t value = 0;
    if (!size.getAsInteger(10, value))
      return value * scale;
  }
  return 0;
}

/// The host's cache sizes from CPUID (virtual machines often have no cache
/// entries in sysfs): the deterministic cache parameters (leaf 4 on Intel,
/// 0x8000001D on AMD), else AMD's L1 leaf 0x80000005 and the L2 leaf
/// 0x80000006 that Intel and AMD share. Zero where unknown.
static CacheSizes readCpuidCacheSizes() {
  CacheSizes sizes;
#if defined(__x86_64__) || defined(__i386__)
  for (unsigned leaf : {4u, 0x8000001Du}) {
    unsigned eax, ebx, ecx, edx;
    for (unsigned sub = 0; sub < 8; ++sub) {
      if (!__get_cpuid_count(leaf, sub, &eax, &ebx, &ecx, &edx))
        break;
      unsigned type = eax & 31; // 1 data, 2 instruction, 3 unified
      if (type == 0)
        break;
      unsigned level = (eax >> 5) & 7;
      int64_t bytes = int64_t((ebx >> 22) + 1) * (((ebx >> 12) & 1023) + 1) *
                      ((ebx & 4095) + 1) * (int64_t(ecx) + 1);
      if (level == 1 && type != 2 && !sizes.l1)
        sizes.l1 = bytes;
      if (level == 2 && type != 2 && !sizes.l2)
        sizes.l2 = bytes;
    }
    if (sizes.l1 && sizes.l2)
      return sizes;
  }
  unsigned eax, ebx, ecx, edx;
  if (!sizes.l1 && __get_cpuid(0x80000005, &eax, &ebx, &ecx, &edx))
    sizes.l1 = int64_t(ecx >> 24) * 1024;
  if (!sizes.l2 && __get_cpuid(0x80000006, &eax, &ebx, &ecx, &edx))
    sizes.l2 = int64_t(ecx >> 16) * 1024;
#endif
  return sizes;
}

//===----------------------------------------------------------------------===//
// Features
//===----------------------------------------------------------------------===//

/// Every x86 ISA feature LLVM knows: those of its CPUs and the host's.
static const llvm::StringSet<> &knownFeatures() {
  static const llvm::StringSet<> known = [] {
    llvm::StringSet<> set;
    llvm::SmallVector<llvm::StringRef> cpus;
    llvm::X86::fillValidCPUArchList(cpus, /*Only64Bit=*/true);
    for (llvm::StringRef cpu : cpus) {
      llvm::SmallVector<llvm::StringRef> features;
      llvm::X86::getFeaturesForCPU(cpu, features);
      for (llvm::StringRef feature : features)
        set.insert(feature);
    }
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      set.insert(feature.first());
    return set;
  }();
  return known;
}

/// True for the features compiled arithmetic code can use (vector and
/// scalar ISA extensions); system instructions (invpcid, fsgsbase, xsave,
/// rdrnd, ...) that virtual machines often hide are not.
static bool isCodeFeature(llvm::StringRef feature) {
  static const char *const prefixes[] = {
      "sse",    "ssse3",      "avx",   "fma",  "f16c", "bmi",
      "lzcnt",  "popcnt",     "movbe", "amx",  "cmov", "cx16",
      "sahf",   "xop",        "adx",   "gfni", "vaes", "aes",
      "pclmul", "vpclmulqdq", "sha",   "tbm",  "x87",  "mmx"};
  return llvm::any_of(prefixes, [&](const char *prefix) {
    return feature.starts_with(prefix);
  });
}

/// "+a,-b,..." listing every feature of `map`, sorted.
static std::string featureString(const llvm::StringMap<bool> &map) {
  llvm::SmallVector<std::string> items;
  for (const auto &feature : map)
    items.push_back((feature.second ? "+" : "-") + feature.first().str());
  llvm::sort(items, [](const std::string &a, const std::string &b) {
    return llvm::StringRef(a).drop_front() < llvm::StringRef(b).drop_front();
  });
  return llvm::join(items, ",");
}

/// Applies "+a,-b" to `map` with the features each implies; errors name a
/// feature LLVM does not know.
static llvm::Error applyFeatures(llvm::StringRef list,
                                 llvm::StringMap<bool> &map) {
  llvm::SmallVector<llvm::StringRef> items;
  list.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    item = item.trim();
    if (item.empty())
      continue;
    char sign = item.front();
    llvm::StringRef name = item.drop_front();
    if ((sign != '+' && sign != '-') || name.empty())
      return makeError("bad target feature '" + item +
                       "': expected +NAME or -NAME (e.g. +avx512bf16, "
                       "-avx512f)");
    if (!knownFeatures().contains(name))
      return makeError("unknown target feature '" + name +
                       "' (an LLVM x86 feature name such as avx2, fma, "
                       "avx512f, avx512bf16, f16c)");
    bool enabled = sign == '+';
    llvm::X86::updateImpliedFeatures(name, enabled, map);
    map[name] = enabled;
  }
  return llvm::Error::success();
}

/// Fills vector width and register count from the features.
static void setVectorFacts(CPUTarget &target) {
  if (target.has("avx512f")) {
    target.vectorBits = 512;
    target.numVectorRegisters = 32;
  } else if (target.has("avx")) {
    target.vectorBits = 256;
    target.numVectorRegisters = 16;
  } else {
    target.vectorBits = 128;
    target.numVectorRegisters = 16;
  }
}

static CPUTarget detectHost() {
  CPUTarget target;
  target.isHost = true;
  target.cpuName = llvm::sys::getHostCPUName().str();
  target.features = featureString(llvm::sys::getHostCPUFeatures());
  setVectorFacts(target);
  CacheSizes table = familyCacheSizes(target.cpuName);
  CacheSizes cpuid = readCpuidCacheSizes();
  // The first plausible size (virtual machines report odd ones).
  auto pick = [](int64_t sysfs, int64_t cpuid, int64_t table) {
    for (int64_t bytes : {sysfs, cpuid})
      if (bytes >= 1024 && bytes <= (int64_t(1) << 30))
        return bytes;
    return table;
  };
  target.l1Bytes = pick(readSysfsCacheBytes(1, "Data"), cpuid.l1, table.l1);
  target.l2Bytes = pick(readSysfsCacheBytes(2, "Unified"), cpuid.l2, table.l2);
  return target;
}

const CPUTarget &CPUTarget::host() {
  static const CPUTarget target = detectHost();
  return target;
}

llvm::Expected<CPUTarget> CPUTarget::get(llvm::StringRef cpu,
                                         llvm::StringRef features) {
  CPUTarget target;
  llvm::StringMap<bool> map;
  if (cpu.empty() || cpu == "host" || cpu == "native") {
    target = host();
    if (features.trim().empty())
      return target;
    map = llvm::sys::getHostCPUFeatures();
  } else {
    if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) ==
        llvm::X86::CK_None) {
      std::string message = "unknown target CPU '" + cpu.str() +
                            "': expected host or an LLVM x86-64 CPU name "
                            "(e.g. haswell, znver3, skylake-avx512, "
                            "sapphirerapids)";
      llvm::SmallVector<llvm::StringRef> cpus;
      llvm::X86::fillValidCPUArchList(cpus, /*Only64Bit=*/true);
      llvm::StringRef best;
      unsigned bestDistance = 3;
      for (llvm::StringRef name : cpus) {
        unsigned distance = name.edit_distance_insensitive(cpu);
        if (distance < bestDistance) {
          best = name;
          bestDistance = distance;
        }
      }
      if (!best.empty())
        message += "; did you mean '" + best.str() + "'?";
      return makeError(message);
    }
    target.cpuName = cpu.str();
    for (const auto &known : knownFeatures())
      map[known.first()] = false;
    // The CPU's features with those they imply, on the x86-64 baseline
    // (64-bit, SSE2, CMOV, ...), which LLVM's lists for the newer CPUs
    // leave out (haswell lists sse3 but not sse2, znver3 not cmov).
    llvm::SmallVector<llvm::StringRef> cpuFeatures;
    llvm::X86::getFeaturesForCPU("x86-64", cpuFeatures);
    llvm::X86::getFeaturesForCPU(cpu, cpuFeatures);
    cpuFeatures.append({"64bit", "sse2"});
    for (llvm::StringRef feature : cpuFeatures) {
      map[feature] = true;
      llvm::X86::updateImpliedFeatures(feature, true, map);
    }
    CacheSizes sizes = familyCacheSizes(cpu);
    target.l1Bytes = sizes.l1;
    target.l2Bytes = sizes.l2;
  }
  if (llvm::Error error = applyFeatures(features, map))
    return std::move(error);
  target.isHost = false;
  target.features = featureString(map);
  setVectorFacts(target);
  return target;
}

/// True if the feature string `features` lists `name` with `sign` ('+' on,
/// '-' off).
static bool listsFeature(llvm::StringRef features, char sign,
                         llvm::StringRef name) {
  llvm::SmallVector<llvm::StringRef> items;
  features.split(items, ',');
  return llvm::any_of(items, [&](llvm::StringRef item) {
    return item.consume_front(llvm::StringRef(&sign, 1)) && item == name;
  });
}

bool CPUTarget::has(llvm::StringRef name) const {
  return listsFeature(features, '+', name);
}

std::vector<std::string> CPUTarget::missingOnHost() const {
  // Off in the host's list (which holds every feature LLVM detects; one it
  // does not mention is not known to be missing).
  std::vector<std::string> missing;
  llvm::SmallVector<llvm::StringRef> items;
  llvm::StringRef(features).split(items, ',');
  for (llvm::StringRef item : items)
    if (item.consume_front("+") && isCodeFeature(item) &&
        listsFeature(host().features, '-', item))
      missing.push_back(item.str());
  return missing;
}

llvm::Error CPUTarget::checkHostCanRun() const {
  std::vector<std::string> missing = missingOnHost();
  if (missing.empty())
    return llvm::Error::success();
  return makeError("this host (" + host().cpuName +
                   ") cannot run code for target '" + cpuName +
                   "': it lacks " + llvm::join(missing, ", ") +
                   " (a target the host cannot run is for --explain and "
                   "einsum-opt only)");
}

std::string CPUTarget::describe() const {
  std::string isa = has("avx512f") ? "AVX-512"
                    : has("avx2")  ? "AVX2"
                    : has("avx")   ? "AVX"
                                   : "SSE";
  if (has("fma") && !has("avx512f"))
    isa += "+FMA";
  if (has("avx512bf16"))
    isa += ", BF16";
  if (has("avx512fp16"))
    isa += ", FP16";
  auto kib = [](int64_t bytes) {
    return std::to_string(bytes / 1024) + " KiB";
  };
  return (isHost ? "host (" + cpuName + ")" : cpuName) + ": " + isa + ", " +
         std::to_string(vectorBits) + "-bit vectors, " +
         std::to_string(numVectorRegisters) + " registers, L1d " +
         kib(l1Bytes) + ", L2 " + kib(l2Bytes);
}
