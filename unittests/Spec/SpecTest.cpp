//===- SpecTest.cpp - Tests for the einsum spec language ------------------===//

#include "Einsum/Spec/Spec.h"

#include <gtest/gtest.h>

using namespace einsum;

namespace {

constexpr int64_t D = kDynamicSize;

Spec parseOk(std::string_view text, Notation notation = Notation::Auto) {
  SpecResult<Spec> spec = parseSpec(text, notation);
  EXPECT_TRUE(static_cast<bool>(spec))
      << text << ": " << (spec ? "" : spec.error().message);
  return spec ? *spec : Spec{};
}

/// Canonical form of `text`.
std::string canon(std::string_view text) { return parseOk(text).str(); }

/// The error of parsing `text`; fails the test if it parses.
SpecError parseError(std::string_view text) {
  SpecResult<Spec> spec = parseSpec(text);
  EXPECT_FALSE(static_cast<bool>(spec)) << text << " parsed as " << spec->str();
  return spec ? SpecError{} : spec.error();
}

Binding bindOk(std::string_view text,
               const std::vector<std::vector<int64_t>> &shapes) {
  Spec spec = parseOk(text);
  SpecResult<Binding> binding = bindSpec(spec, shapes);
  EXPECT_TRUE(static_cast<bool>(binding))
      << text << ": " << (binding ? "" : binding.error().message);
  return binding ? *binding : Binding{};
}

SpecError bindError(std::string_view text,
                    const std::vector<std::vector<int64_t>> &shapes) {
  Spec spec = parseOk(text);
  SpecResult<Binding> binding = bindSpec(spec, shapes);
  EXPECT_FALSE(static_cast<bool>(binding)) << text;
  return binding ? SpecError{} : binding.error();
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

TEST(SpecParse, CompactMatmul) {
  Spec spec = parseOk("ij,jk->ik");
  EXPECT_EQ(spec.notation, Notation::Compact);
  EXPECT_EQ(spec.labels, (std::vector<std::string>{"i", "j", "k"}));
  ASSERT_EQ(spec.inputs.size(), 2u);
  EXPECT_EQ(spec.inputs[1].subscripts[0].label, 1);
  EXPECT_EQ(spec.inputs[1].subscripts[0].position, 3u);
  EXPECT_TRUE(spec.explicitOutput);
  EXPECT_EQ(spec.str(), "ij,jk->ik");
}

TEST(SpecParse, SpacesAnywhereInCompact) {
  EXPECT_EQ(canon("ij, jk -> ik"), "ij,jk->ik");
  EXPECT_EQ(canon("  ij ,jk->  ik "), "ij,jk->ik");
  EXPECT_EQ(parseOk(" ij , jk -> ik ").notation, Notation::Compact);
}

TEST(SpecParse, NamedAttention) {
  Spec spec = parseOk("batch seqQ n_head d_head, batch seqK n_head d_head -> "
                      "batch n_head seqQ seqK");
  EXPECT_EQ(spec.notation, Notation::Named);
  EXPECT_EQ(spec.labels, (std::vector<std::string>{"batch", "seqQ", "n_head",
                                                   "d_head", "seqK"}));
  EXPECT_EQ(spec.str(), "batch seqQ n_head d_head, batch seqK n_head d_head "
                        "-> batch n_head seqQ seqK");
}

TEST(SpecParse, NotationRule) {
  // Whitespace inside a term (after trimming) selects named notation.
  EXPECT_EQ(parseOk("ab,bc->ac").notation, Notation::Compact);
  EXPECT_EQ(parseOk("ab, bc -> ac").notation, Notation::Compact);
  Spec named = parseOk("ab c,c->ab");
  EXPECT_EQ(named.notation, Notation::Named);
  EXPECT_EQ(named.labels, (std::vector<std::string>{"ab", "c"}));
  // Only the output has interior whitespace: still named.
  EXPECT_EQ(parseOk("seq,d->seq d").notation, Notation::Named);
  // Single-letter labels read the same either way.
  EXPECT_EQ(parseOk("a b, b c -> a c").labels, parseOk("ab,bc->ac").labels);
  // A lone multi-letter word is compact: one label per letter.
  EXPECT_EQ(parseOk("batch->batch").labels.size(), 5u);
  // Forcing the notation.
  EXPECT_EQ(parseOk("seq,seq->", Notation::Named).labels,
            (std::vector<std::string>{"seq"}));
  EXPECT_EQ(parseOk("a b->b a", Notation::Compact).str(), "ab->ba");
}

TEST(SpecParse, ImplicitOutputIsSortedSingletons) {
  Spec spec = parseOk("ij,jk");
  EXPECT_FALSE(spec.explicitOutput);
  EXPECT_EQ(spec.str(), "ij,jk->ik");
  EXPECT_EQ(canon("ba"), "ba->ab");
  EXPECT_EQ(canon("Ba"), "Ba->Ba"); // ASCII order, as NumPy
  EXPECT_EQ(canon("ii"), "ii->");
  EXPECT_EQ(canon("...ij,...jk"), "...ij,...jk->...ik");
  EXPECT_EQ(canon("seqK d, seqQ d"), "seqK d, seqQ d -> seqK seqQ");
}

TEST(SpecParse, ShapesOfSpecs) {
  EXPECT_EQ(canon("ii->i"), "ii->i");
  EXPECT_EQ(canon("ij->"), "ij->");
  EXPECT_EQ(canon("ij->ji"), "ij->ji");
  EXPECT_EQ(canon("i,j->ij"), "i,j->ij");
  EXPECT_EQ(canon("ea,fb,abcd,gc,hd->efgh"), "ea,fb,abcd,gc,hd->efgh");
  EXPECT_EQ(canon(""), "->");
  EXPECT_EQ(canon(",->"), ",->");
  EXPECT_EQ(canon("... i, ... i -> ..."), "... i, ... i -> ...");
  EXPECT_EQ(canon("...batch, batch->..."), "...batch,batch->...");
}

TEST(SpecParse, Ellipsis) {
  Spec spec = parseOk("...ij,j...->i...");
  EXPECT_TRUE(spec.inputs[0].subscripts[0].isEllipsis());
  EXPECT_TRUE(spec.inputs[1].subscripts[1].isEllipsis());
  EXPECT_TRUE(spec.output.hasEllipsis());
  // Named notation: '...' may touch a label.
  Spec named = parseOk("...batch seq, seq -> ...batch");
  EXPECT_EQ(named.labels, (std::vector<std::string>{"batch", "seq"}));
}

TEST(SpecParse, Errors) {
  struct Case {
    const char *text;
    const char *message;
    size_t position;
  };
  const Case cases[] = {
      {"i->ij", "output label 'j' does not appear in any operand", 4},
      {"ij->jij", "output label 'j' appears more than once", 4},
      {"i%", "invalid character '%' in spec", 1},
      {"...j$", "invalid character '$' in spec", 4},
      {"i..", "'.' must be part of an ellipsis '...'", 1},
      {"i....", "too many '.'", 1},
      {"...i...", "operand 0 has more than one '...'", 0},
      {"i->i->i", "spec has more than one '->'", 4},
      {"i-i", "'-' must be followed by '>'", 1},
      {"i>i", "'>' must be preceded by '-'", 1},
      {"ij,jk->i,k", "the output (after '->') cannot contain ','", 8},
      {"i1", "'1' is not a label: compact labels are single letters", 1},
      {"a_b", "'_' is not a label", 1},
      {"2x y", "label '2x' must start with a letter or '_'", 0},
      {"i\x01", "invalid character '\\x01' in spec", 1},
  };
  for (const Case &c : cases) {
    SpecError error = parseError(c.text);
    EXPECT_NE(error.message.find(c.message), std::string::npos)
        << c.text << ": " << error.message;
    ASSERT_FALSE(error.positions.empty()) << c.text;
    EXPECT_EQ(error.positions[0], c.position) << c.text;
  }
}

TEST(SpecParse, RenderPutsCaretsUnderCulprits) {
  SpecError error{"size of label 'k' differs", {1, 3}};
  EXPECT_EQ(error.render("ik,kj->ij"),
            "size of label 'k' differs\n  ik,kj->ij\n   ^ ^");
  EXPECT_EQ((SpecError{"m", {}}.render("ij")), "m");
}

TEST(SpecParse, Equality) {
  EXPECT_EQ(parseOk("ij,jk"), parseOk("ij, jk -> ik"));
  EXPECT_NE(parseOk("ij,jk->ik"), parseOk("ij,jk->ki"));
}

TEST(SpecParse, RelocateToCanonical) {
  Spec spec = parseOk("  ij ,  jk  ");
  std::string text = spec.relocateToCanonical();
  EXPECT_EQ(text, "ij,jk->ik");
  EXPECT_EQ(spec.inputs[1].position, 3u);
  EXPECT_EQ(spec.inputs[1].subscripts[1].position, 4u);
  EXPECT_EQ(spec.output.subscripts[1].position, 8u);
}

//===----------------------------------------------------------------------===//
// Binding
//===----------------------------------------------------------------------===//

TEST(SpecBind, MatmulLoopOrder) {
  Binding b = bindOk("ij,jk->ik", {{4, 8}, {8, 2}});
  EXPECT_EQ(b.dimNames, (std::vector<std::string>{"i", "k", "j"}));
  EXPECT_EQ(b.dimSizes, (std::vector<int64_t>{4, 2, 8}));
  EXPECT_EQ(b.numFree, 2u);
  EXPECT_EQ(b.inputDims,
            (std::vector<std::vector<int64_t>>{{0, 2}, {2, 1}}));
  EXPECT_EQ(b.outputShape(), (std::vector<int64_t>{4, 2}));
}

TEST(SpecBind, Attention) {
  Binding b = bindOk("batch seqQ n_head d_head, batch seqK n_head d_head -> "
                     "batch n_head seqQ seqK",
                     {{2, 16, 4, 8}, {2, 16, 4, 8}});
  EXPECT_EQ(b.dimNames, (std::vector<std::string>{"batch", "n_head", "seqQ",
                                                  "seqK", "d_head"}));
  EXPECT_EQ(b.numFree, 4u);
  EXPECT_EQ(b.inputDims,
            (std::vector<std::vector<int64_t>>{{0, 2, 1, 4}, {0, 3, 1, 4}}));
}

TEST(SpecBind, TraceAndDiagonal) {
  Binding trace = bindOk("ii->", {{5, 5}});
  EXPECT_EQ(trace.numFree, 0u);
  EXPECT_EQ(trace.inputDims, (std::vector<std::vector<int64_t>>{{0, 0}}));
  Binding diag = bindOk("ii->i", {{5, 5}});
  EXPECT_EQ(diag.numFree, 1u);
  EXPECT_EQ(diag.dimSizes, (std::vector<int64_t>{5}));
}

TEST(SpecBind, EllipsisBroadcast) {
  // Right-aligned; size 1 broadcasts.
  Binding b = bindOk("...i,...i->...", {{3, 1, 5}, {4, 5}});
  EXPECT_EQ(b.dimNames, (std::vector<std::string>{"...0", "...1", "i"}));
  EXPECT_EQ(b.dimSizes, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(b.inputDims, (std::vector<std::vector<int64_t>>{
                             {0, kBroadcastDim, 2}, {1, 2}}));
  // All ones: no broadcast needed.
  Binding ones = bindOk("...,...->...", {{1}, {1}});
  EXPECT_EQ(ones.inputDims, (std::vector<std::vector<int64_t>>{{0}, {0}}));
  // '...' covering no dimension.
  Binding none = bindOk("...ij->...ji", {{2, 3}});
  EXPECT_EQ(none.outputShape(), (std::vector<int64_t>{3, 2}));
  // Output '...' without any operand '...' is allowed (NumPy too).
  EXPECT_EQ(bindOk("ij->...ij", {{2, 3}}).outputShape(),
            (std::vector<int64_t>{2, 3}));
}

TEST(SpecBind, DynamicSizes) {
  Binding b = bindOk("ij,jk->ik", {{D, 8}, {D, D}});
  EXPECT_EQ(b.dimSizes, (std::vector<int64_t>{D, D, 8}));
  // A static 1 broadcasts against a dynamic size.
  Binding e = bindOk("...,...->...", {{1}, {D}});
  EXPECT_EQ(e.inputDims,
            (std::vector<std::vector<int64_t>>{{kBroadcastDim}, {0}}));
  EXPECT_EQ(e.dimSizes, (std::vector<int64_t>{D}));
  // Static wins over dynamic in the loop size.
  EXPECT_EQ(bindOk("...,...->...", {{D}, {7}}).dimSizes,
            (std::vector<int64_t>{7}));
}

TEST(SpecBind, ZeroSizes) {
  EXPECT_EQ(bindOk("ij,jk->ik", {{0, 3}, {3, 2}}).outputShape(),
            (std::vector<int64_t>{0, 2}));
}

TEST(SpecBind, Errors) {
  SpecError count = bindError("ij,jk->ik", {{2, 2}});
  EXPECT_EQ(count.message,
            "spec 'ij,jk->ik' has 2 operand(s) but 1 were given");

  SpecError rank = bindError("ij,jk->ik", {{2, 2}, {2, 2, 2}});
  EXPECT_EQ(rank.message, "operand 1 has rank 3 (shape 2x2x2) but its "
                          "subscripts 'jk' name 2 dimension(s)");
  EXPECT_EQ(rank.positions, (std::vector<size_t>{3}));

  SpecError ell = bindError("...ijk->...", {{2, 2}});
  EXPECT_NE(ell.message.find("need at least 3"), std::string::npos);

  SpecError size = bindError("ik,kj->ij", {{4, 64}, {32, 5}});
  EXPECT_EQ(size.message,
            "size of label 'k' differs: operand 0 has 64, operand 1 has 32");
  EXPECT_EQ(size.positions, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(size.render("ik,kj->ij"),
            "size of label 'k' differs: operand 0 has 64, operand 1 has 32\n"
            "  ik,kj->ij\n   ^ ^");

  SpecError diag = bindError("ii->i", {{2, 3}});
  EXPECT_EQ(diag.message,
            "label 'i' is repeated in operand 0 with different sizes: 2 and 3");

  // Labels do not broadcast (a deliberate difference from NumPy).
  SpecError one = bindError("i,i->i", {{1}, {3}});
  EXPECT_NE(one.message.find("size of label 'i' differs"), std::string::npos);

  SpecError bcast = bindError("...i,...i->...", {{2, 3}, {4, 3}});
  EXPECT_EQ(bcast.message, "'...' dimensions do not broadcast: operand 0 has "
                           "2 and operand 1 has 4 at '...' dimension 0");

  SpecError dropped = bindError("...i->i", {{2, 3}});
  EXPECT_NE(dropped.message.find("the output has no '...'"),
            std::string::npos);

  SpecError negative = bindError("i->i", {{-3}});
  EXPECT_NE(negative.message.find("negative size"), std::string::npos);
}

TEST(SpecHints, OperandThatFitsPermuted) {
  SpecError matmul = bindError("ik,kj->ij", {{5, 64}, {32, 64}});
  EXPECT_EQ(matmul.hint, "operand 1 (shape 32x64) fits the spec with its axes "
                         "permuted: write its labels 'jk', or pass it "
                         "transposed (shape 64x32)");
  EXPECT_EQ(matmul.render("ik,kj->ij"),
            "size of label 'k' differs: operand 0 has 64, operand 1 has 32\n"
            "  ik,kj->ij\n"
            "   ^ ^\n"
            "  hint: operand 1 (shape 32x64) fits the spec with its axes "
            "permuted: write its labels 'jk', or pass it transposed (shape "
            "64x32)");
  SpecError attention = bindError(
      "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head "
      "seqQ seqK",
      {{2, 16, 4, 8}, {2, 8, 4, 16}});
  EXPECT_NE(attention.hint.find("write its labels 'batch d_head n_head "
                                "seqK'"),
            std::string::npos)
      << attention.hint;
  // No permutation fits: no hint.
  EXPECT_EQ(bindError("ij,jk->ik", {{2, 3}, {4, 5}}).hint, "");
  // Rank errors are not permutations either.
  EXPECT_EQ(bindError("ij,jk->ik", {{2, 3}, {3}}).hint, "");
}

TEST(SpecHints, OutputLabelInNoOperand) {
  auto hint = [](const char *text) {
    SpecResult<Spec> spec = parseSpec(text);
    EXPECT_FALSE(static_cast<bool>(spec)) << text;
    return spec ? std::string() : spec.error().hint;
  };
  EXPECT_EQ(hint("ij,jk->iK"), "did you mean 'k'?");
  EXPECT_EQ(hint("batch seqQ d, batch seqK d -> batch seqQ seqk"),
            "did you mean 'seqK'?");
  EXPECT_EQ(hint("batch seq d, d e -> batch seq f"),
            "every output label must appear in an operand; remove 'f' from "
            "the output or add it to an operand");
}

TEST(SpecLimits, ElementCountsFitIndexArithmetic) {
  SpecError output = bindError("i,j,k->ijk", {{2000000}, {2000000}, {2000000}});
  EXPECT_NE(output.message.find("would have more than 2^60 elements"),
            std::string::npos);
  SpecError operand =
      bindError("ijk->", {{int64_t(1) << 30, int64_t(1) << 30, 4}});
  EXPECT_NE(operand.message.find("operand 0 of shape"), std::string::npos);
  // Exactly representable sizes still bind; zero sizes never overflow.
  EXPECT_TRUE(static_cast<bool>(
      bindSpec(*parseSpec("ij->"), {{int64_t(1) << 30, int64_t(1) << 30}})));
  EXPECT_TRUE(static_cast<bool>(bindSpec(
      *parseSpec("ijk->"), {{0, int64_t(1) << 40, int64_t(1) << 40}})));
}

} // namespace
