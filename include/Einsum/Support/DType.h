//===- DType.h - Element types of einsum buffers ----------------*- C++ -*-===//
//
// The element types the JIT, the reference evaluator and the tools share,
// with scalar conversions (f16 and bf16 included). No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_SUPPORT_DTYPE_H
#define EINSUM_SUPPORT_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace einsum {

enum class DType { F32, F64, I32, I64, F16, BF16 };

/// "f32", "f64", "i32", "i64", "f16", "bf16".
std::string_view dtypeName(DType type);
std::optional<DType> parseDType(std::string_view name);
size_t dtypeSize(DType type);
bool isFloat(DType type);
/// Machine epsilon of a float type (0 for integers).
double dtypeEpsilon(DType type);

/// Reads element `index` of a buffer of `type` as a double / an integer.
double loadDouble(const void *data, DType type, int64_t index);
int64_t loadInt(const void *data, DType type, int64_t index);
/// Writes element `index` (rounding to nearest even for f16/bf16; integers
/// wrap as two's complement).
void storeDouble(void *data, DType type, int64_t index, double value);
void storeInt(void *data, DType type, int64_t index, int64_t value);

/// IEEE half and bfloat16 conversions.
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bfloat16ToFloat(uint16_t bits);
uint16_t floatToBfloat16(float value);

} // namespace einsum

#endif // EINSUM_SUPPORT_DTYPE_H
