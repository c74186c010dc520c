//===- Target.h - What code generation knows of the CPU ---------*- C++ -*-===//
//
// The CPU facts tile sizes are chosen from: vector width and cache sizes.
// Read from the host by default; every field can be overridden (tests use
// fixed targets so their output does not depend on the machine).
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_CODEGEN_TARGET_H
#define EINSUM_CODEGEN_TARGET_H

#include <cstdint>
#include <string>

namespace einsum {

struct CPUTarget {
  /// Widest vector register in bits: 512 (AVX-512), 256 (AVX2), 128 (SSE).
  unsigned vectorBits = 128;
  /// Number of vector registers (32 with AVX-512, 16 otherwise).
  unsigned numVectorRegisters = 16;
  /// L1 data and L2 cache sizes in bytes.
  int64_t l1Bytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  /// LLVM CPU name and feature string ("+avx2,+fma,...") for the JIT.
  std::string cpuName = "generic";
  std::string features;

  /// The machine this process runs on.
  static const CPUTarget &host();
  /// Lanes of a vector of `elementBits`-bit elements.
  int64_t lanes(unsigned elementBits) const {
    return vectorBits / elementBits;
  }
};

} // namespace einsum

#endif // EINSUM_CODEGEN_TARGET_H
