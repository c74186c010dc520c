//===- Target.cpp - What code generation knows of the CPU -----------------===//

#include "Einsum/CodeGen/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"

#include <string>

using namespace einsum;

/// Reads a cache size such as "48K" from sysfs; 0 if unavailable.
static int64_t readCacheBytes(int level, const char *type) {
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

static CPUTarget detectHost() {
  CPUTarget target;
  target.cpuName = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string list;
  for (const auto &feature : features) {
    if (!list.empty())
      list += ',';
    list += (feature.second ? "+" : "-") + feature.first().str();
  }
  target.features = list;
  auto has = [&](llvm::StringRef name) {
    auto it = features.find(name);
    return it != features.end() && it->second;
  };
  if (has("avx512f")) {
    target.vectorBits = 512;
    target.numVectorRegisters = 32;
  } else if (has("avx2") || has("avx")) {
    target.vectorBits = 256;
  }
  if (int64_t l1 = readCacheBytes(1, "Data"))
    target.l1Bytes = l1;
  if (int64_t l2 = readCacheBytes(2, "Unified"))
    target.l2Bytes = l2;
  return target;
}

const CPUTarget &CPUTarget::host() {
  static const CPUTarget target = detectHost();
  return target;
}
