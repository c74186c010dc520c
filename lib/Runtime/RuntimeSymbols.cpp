//===- RuntimeSymbols.cpp - Functions the JIT binds for kernels -----------===//

#include "RuntimeSymbols.h"
#include "Workspace.h"

#include "Einsum/Support/DType.h"

#include <cstdint>
#include <emmintrin.h>

using namespace einsum;

// The x86-64 psABI passes and returns half and bfloat16 values in the low
// 16 bits of an XMM register, as LLVM's calls to these functions expect;
// __m128 gives plain C++ that register without relying on the compiler's
// _Float16/__bf16 support. The execution tests run these for targets without
// the instructions (dtypes-targets.test: x86-64, sandybridge, haswell), so a
// change of convention fails there.
namespace {
__m128 fromBits(uint16_t bits) {
  return _mm_castsi128_ps(_mm_cvtsi32_si128(int(bits)));
}
uint16_t toBits(__m128 value) {
  return uint16_t(_mm_cvtsi128_si32(_mm_castps_si128(value)) & 0xffff);
}

/// f32 -> bf16, rounding to nearest even (compiler-rt's __truncsfbf2).
__m128 truncFloatToBfloat16(float value) {
  return fromBits(floatToBfloat16(value));
}
/// f32 -> f16, rounding to nearest even (__truncsfhf2).
__m128 truncFloatToHalf(float value) { return fromBits(floatToHalf(value)); }
/// f16 -> f32, exact (__extendhfsf2).
float extendHalfToFloat(__m128 half) { return halfToFloat(toBits(half)); }
} // namespace

llvm::ArrayRef<RuntimeSymbol> einsum::runtimeSymbols() {
  static const RuntimeSymbol symbols[] = {
      {"_mlir_memref_to_llvm_alloc",
       reinterpret_cast<void *>(&workspace::allocate)},
      {"_mlir_memref_to_llvm_aligned_alloc",
       reinterpret_cast<void *>(&workspace::allocateAligned)},
      {"_mlir_memref_to_llvm_free",
       reinterpret_cast<void *>(&workspace::release)},
      {"__truncsfbf2", reinterpret_cast<void *>(&truncFloatToBfloat16)},
      {"__truncsfhf2", reinterpret_cast<void *>(&truncFloatToHalf)},
      {"__extendhfsf2", reinterpret_cast<void *>(&extendHalfToFloat)},
  };
  return symbols;
}
