//===- SupportTest.cpp - Tests for element types and .npy files -----------===//

#include "Einsum/Support/AlignedBuffer.h"
#include "Einsum/Support/DType.h"
#include "Einsum/Support/Npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace einsum;

namespace {

TEST(DType, Names) {
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64, DType::F16,
                  DType::BF16})
    EXPECT_EQ(parseDType(dtypeName(t)), t);
  EXPECT_FALSE(parseDType("f8").has_value());
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_FALSE(isFloat(DType::I64));
}

TEST(DType, HalfConversions) {
  for (float v : {0.0f, 1.0f, -2.5f, 65504.0f, 0x1p-14f, 0x1p-24f})
    EXPECT_EQ(halfToFloat(floatToHalf(v)), v) << v;
  // Not representable: rounded to within half an ulp (2^-11 relative).
  EXPECT_NEAR(halfToFloat(floatToHalf(1e-3f)), 1e-3f, 1e-3f * 0x1p-11f);
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_TRUE(std::isinf(halfToFloat(floatToHalf(1e6f))));
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(NAN))));
  // Round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(halfToFloat(floatToHalf(1.0f + 0x1p-11f)), 1.0f);
}

TEST(DType, Bfloat16Conversions) {
  for (float v : {0.0f, 1.0f, -3.0f, 1.5f, 0x1p100f})
    EXPECT_EQ(bfloat16ToFloat(floatToBfloat16(v)), v) << v;
  EXPECT_EQ(floatToBfloat16(1.0f), 0x3f80);
  EXPECT_EQ(bfloat16ToFloat(floatToBfloat16(1.0f + 0x1p-8f)), 1.0f);
}

TEST(DType, IntegerStoresWrap) {
  int32_t x = 0;
  storeInt(&x, DType::I32, 0, (int64_t(1) << 32) + 7);
  EXPECT_EQ(x, 7);
}

TEST(AlignedBuffer, AlignedAndZeroed) {
  AlignedBuffer buffer(100);
  ASSERT_TRUE(static_cast<bool>(buffer));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) % 64, 0u);
  for (size_t i = 0; i < 100; ++i)
    EXPECT_EQ(buffer.data()[i], 0);
}

std::string npyImage(const std::string &header, const std::string &data) {
  std::string padded = header;
  while ((10 + padded.size() + 1) % 64)
    padded += ' ';
  padded += '\n';
  std::string image("\x93NUMPY\x01\x00", 8);
  image += char(padded.size() & 0xff);
  image += char(padded.size() >> 8);
  return image + padded + data;
}

TEST(Npy, RoundTrip) {
  NpyArray array;
  array.dtype = DType::F64;
  array.shape = {2, 3};
  array.data.resize(6 * sizeof(double));
  for (int i = 0; i < 6; ++i)
    storeDouble(array.data.data(), DType::F64, i, i * 1.5);
  std::string path = ::testing::TempDir() + "/einsum-npy-roundtrip.npy";
  std::string error;
  ASSERT_TRUE(writeNpy(path, array, error)) << error;
  NpyArray back;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_EQ(back.dtype, DType::F64);
  EXPECT_EQ(back.shape, array.shape);
  EXPECT_EQ(back.data, array.data);
  std::remove(path.c_str());
}

TEST(Npy, FortranOrderIsConvertedToRowMajor) {
  float column[6] = {1, 4, 2, 5, 3, 6}; // [[1,2,3],[4,5,6]] in column order
  std::string image = npyImage(
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
      std::string(reinterpret_cast<char *>(column), sizeof(column)));
  NpyArray array;
  std::string error;
  ASSERT_TRUE(parseNpy(image.data(), image.size(), "x.npy", array, error))
      << error;
  float row[6];
  std::memcpy(row, array.data.data(), sizeof(row));
  EXPECT_EQ(std::vector<float>(row, row + 6),
            (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, Errors) {
  struct Case {
    std::string image;
    const char *message;
  };
  std::string four(16, '\0');
  std::vector<Case> cases = {
      {"garbage", "x.npy: not a .npy file (bad magic)"},
      {npyImage("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", four),
       "x.npy: unsupported dtype '<u2'"},
      {npyImage("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", four),
       "x.npy: big-endian data ('>f4') is not supported"},
      {npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (9,), }", four),
       "x.npy: truncated data: shape needs 9 elements, file has 4"},
      {npyImage("{'descr': '<f4', 'fortran_order': False, }", four),
       "x.npy: header has no 'shape'"},
  };
  for (const Case &c : cases) {
    NpyArray array;
    std::string error;
    EXPECT_FALSE(parseNpy(c.image.data(), c.image.size(), "x.npy", array, error));
    EXPECT_EQ(error.rfind(c.message, 0), 0u) << error;
  }
  NpyArray bf16;
  bf16.dtype = DType::BF16;
  std::string error;
  EXPECT_FALSE(writeNpy(::testing::TempDir() + "/x.npy", bf16, error));
  EXPECT_NE(error.find("bf16 has no NumPy .npy type"), std::string::npos);
}

} // namespace
