//===- Target.h - What code generation knows of the CPU ---------*- C++ -*-===//
//
// The CPU that code is generated for: its LLVM name and features (for the
// JIT's instruction selection) and the facts tile sizes are chosen from
// (vector width, register count, cache sizes). Either the host, read from
// the machine, or a named LLVM CPU (`haswell`, `znver3`, `skylake-avx512`,
// ...) with sizes from a table of CPU families, so that plans for a named
// target are the same on every machine.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_CODEGEN_TARGET_H
#define EINSUM_CODEGEN_TARGET_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace einsum {

struct CPUTarget {
  /// Widest vector register in bits: 512 (AVX-512), 256 (AVX2), 128 (SSE).
  unsigned vectorBits = 128;
  /// Number of vector registers (32 with AVX-512, 16 otherwise).
  unsigned numVectorRegisters = 16;
  /// L1 data and L2 cache sizes in bytes.
  int64_t l1Bytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  /// Cache line size (64 bytes on every x86-64 CPU).
  int64_t cacheLineBytes = 64;
  /// LLVM CPU name and feature string ("+avx2,+fma,-avx512f,...") for the
  /// JIT; the features list every ISA feature LLVM knows, on or off.
  std::string cpuName = "generic";
  std::string features;
  /// True for the machine this process runs on (CPUTarget::host()).
  bool isHost = false;

  /// The machine this process runs on: its CPU name and features from LLVM,
  /// cache sizes from sysfs or CPUID.
  static const CPUTarget &host();

  /// The target named `cpu` ("host", or "" for the host; or any LLVM x86-64
  /// CPU name), with `features` ("+avx512bf16,-avx512f", implied features
  /// following) applied. Errors name an unknown CPU or feature.
  static llvm::Expected<CPUTarget> get(llvm::StringRef cpu,
                                       llvm::StringRef features = "");

  /// True if the target has the ISA feature `name` (an LLVM feature name,
  /// e.g. "avx512bf16").
  bool has(llvm::StringRef name) const;

  /// The ISA features the target's code may use that the host lacks (empty
  /// when the host can run the target's code).
  std::vector<std::string> missingOnHost() const;
  /// An error naming the missing features if the host cannot run the
  /// target's code.
  llvm::Error checkHostCanRun() const;

  /// One line for --explain: "znver3: AVX2, 256-bit vectors, 16 registers,
  /// L1d 32 KiB, L2 512 KiB".
  std::string describe() const;

  /// True for the vector widths code generation plans for: 128, 256, 512.
  static bool isVectorWidth(unsigned bits) {
    return bits == 128 || bits == 256 || bits == 512;
  }

  /// Lanes of a vector of `elementBits`-bit elements.
  int64_t lanes(unsigned elementBits) const { return vectorBits / elementBits; }
};

} // namespace einsum

#endif // EINSUM_CODEGEN_TARGET_H
