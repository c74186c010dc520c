//===- DType.cpp - Element types of einsum buffers ------------------------===//

#include "Einsum/Support/DType.h"

#include <cmath>
#include <cstring>

using namespace einsum;

std::string_view einsum::dtypeName(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  }
  return "?";
}

std::optional<DType> einsum::parseDType(std::string_view name) {
  for (DType type : {DType::F32, DType::F64, DType::I32, DType::I64,
                     DType::F16, DType::BF16})
    if (dtypeName(type) == name)
      return type;
  return std::nullopt;
}

size_t einsum::dtypeSize(DType type) {
  switch (type) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F16:
  case DType::BF16:
    return 2;
  }
  return 0;
}

bool einsum::isFloat(DType type) {
  return type != DType::I32 && type != DType::I64;
}

double einsum::dtypeEpsilon(DType type) {
  switch (type) {
  case DType::F32:
    return 0x1p-23;
  case DType::F64:
    return 0x1p-52;
  case DType::F16:
    return 0x1p-10;
  case DType::BF16:
    return 0x1p-7;
  default:
    return 0;
  }
}

float einsum::halfToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000) << 16;
  int exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(float(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(float(mantissa | 0x400), exponent - 25);
  uint32_t result;
  std::memcpy(&result, &magnitude, 4);
  result |= sign;
  float value;
  std::memcpy(&value, &result, 4);
  return value;
}

uint16_t einsum::floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint16_t sign = (bits >> 16) & 0x8000;
  float magnitude = std::fabs(value);
  if (std::isnan(value))
    return sign | 0x7e00;
  if (magnitude >= 65520.0f) // rounds to infinity
    return sign | 0x7c00;
  if (magnitude < 0x1p-14f) {
    // Subnormal: units of 2^-24, round to nearest even.
    float units = std::nearbyint(magnitude * 0x1p24f);
    return sign | uint16_t(units);
  }
  int exponent;
  float fraction = std::frexp(magnitude, &exponent); // [0.5, 1)
  // 11 significant bits, round to nearest even.
  float significand = std::nearbyint(std::ldexp(fraction, 11));
  if (significand >= 2048.0f) {
    significand /= 2;
    ++exponent;
  }
  uint16_t biased = uint16_t(exponent - 1 + 15);
  return sign | uint16_t(biased << 10) | (uint16_t(significand) & 0x3ff);
}

float einsum::bfloat16ToFloat(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

uint16_t einsum::floatToBfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if (std::isnan(value))
    return uint16_t((bits >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
  return uint16_t((bits + rounding) >> 16);
}

template <typename T> static T read(const void *data, int64_t index) {
  T value;
  std::memcpy(&value,
              static_cast<const char *>(data) + index * int64_t(sizeof(T)),
              sizeof(T));
  return value;
}

template <typename T> static void write(void *data, int64_t index, T value) {
  std::memcpy(static_cast<char *>(data) + index * int64_t(sizeof(T)), &value,
              sizeof(T));
}

double einsum::loadDouble(const void *data, DType type, int64_t index) {
  switch (type) {
  case DType::F32:
    return read<float>(data, index);
  case DType::F64:
    return read<double>(data, index);
  case DType::I32:
    return read<int32_t>(data, index);
  case DType::I64:
    return double(read<int64_t>(data, index));
  case DType::F16:
    return halfToFloat(read<uint16_t>(data, index));
  case DType::BF16:
    return bfloat16ToFloat(read<uint16_t>(data, index));
  }
  return 0;
}

int64_t einsum::loadInt(const void *data, DType type, int64_t index) {
  if (type == DType::I32)
    return read<int32_t>(data, index);
  if (type == DType::I64)
    return read<int64_t>(data, index);
  return int64_t(loadDouble(data, type, index));
}

void einsum::storeDouble(void *data, DType type, int64_t index, double value) {
  switch (type) {
  case DType::F32:
    return write<float>(data, index, float(value));
  case DType::F64:
    return write<double>(data, index, value);
  case DType::I32:
  case DType::I64:
    return storeInt(data, type, index, int64_t(value));
  case DType::F16:
    return write<uint16_t>(data, index, floatToHalf(float(value)));
  case DType::BF16:
    return write<uint16_t>(data, index, floatToBfloat16(float(value)));
  }
}

void einsum::storeInt(void *data, DType type, int64_t index, int64_t value) {
  if (type == DType::I32)
    return write<int32_t>(data, index, int32_t(uint32_t(uint64_t(value))));
  if (type == DType::I64)
    return write<int64_t>(data, index, value);
  storeDouble(data, type, index, double(value));
}
