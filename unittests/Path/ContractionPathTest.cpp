//===- ContractionPathTest.cpp - Tests of the contraction-order planner ---===//
//
// The planner's FLOP count is checked against an exhaustive search written
// independently here (every pairwise tree, with the same cost model), on
// opt_einsum's published multi-operand test list and on random einsums.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Path/ContractionPath.h"
#include "OptEinsumCases.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace einsum;

namespace {

using Labels = std::multiset<char>;

struct Problem {
  std::vector<std::string> inputs;
  std::string output;
  std::map<char, int64_t> sizes;
};

Problem split(const std::string &text) {
  Problem p;
  size_t arrow = text.find("->");
  std::string lhs = text.substr(0, arrow);
  p.output = text.substr(arrow + 2);
  size_t start = 0;
  while (true) {
    size_t comma = lhs.find(',', start);
    p.inputs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return p;
}

double volume(const std::set<char> &labels, const Problem &p) {
  double v = 1;
  for (char c : labels)
    v *= double(p.sizes.at(c));
  return v;
}

double flopsOf(double points, size_t operands, bool sums) {
  return points * (double(std::max<size_t>(1, operands - 1)) + (sums ? 1 : 0));
}

/// Minimum FLOPs over every pairwise contraction tree of `tensors`.
double exhaustive(const std::vector<std::set<char>> &tensors,
                  const std::set<char> &output, const Problem &p) {
  if (tensors.size() == 1)
    return 0;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < tensors.size(); ++i) {
    for (size_t j = i + 1; j < tensors.size(); ++j) {
      std::set<char> loop = tensors[i];
      loop.insert(tensors[j].begin(), tensors[j].end());
      std::vector<std::set<char>> rest;
      std::set<char> needed = output;
      for (size_t k = 0; k < tensors.size(); ++k)
        if (k != i && k != j) {
          rest.push_back(tensors[k]);
          needed.insert(tensors[k].begin(), tensors[k].end());
        }
      std::set<char> result;
      for (char c : loop)
        if (needed.count(c))
          result.insert(c);
      double cost = flopsOf(volume(loop, p), 2, result.size() < loop.size());
      rest.push_back(result);
      best = std::min(best, cost + exhaustive(rest, output, p));
    }
  }
  return best;
}

/// The planner's cost model, computed independently: shrink each operand
/// first where that makes it smaller, then the best of every pairwise tree
/// and the single loop nest.
double expectedFlops(const Problem &p) {
  std::set<char> output(p.output.begin(), p.output.end());
  std::vector<std::set<char>> tensors;
  double flops = 0;
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    std::set<char> labels(p.inputs[i].begin(), p.inputs[i].end());
    if (p.inputs.size() < 2) {
      tensors.push_back(labels);
      continue;
    }
    std::set<char> kept;
    for (char c : labels) {
      bool elsewhere = output.count(c) > 0;
      for (size_t j = 0; j < p.inputs.size(); ++j)
        if (j != i && p.inputs[j].find(c) != std::string::npos)
          elsewhere = true;
      if (elsewhere)
        kept.insert(c);
    }
    double input = 1;
    for (char c : p.inputs[i])
      input *= double(p.sizes.at(c));
    if (volume(kept, p) < input) {
      flops += flopsOf(volume(labels, p), 1, kept.size() < labels.size());
      tensors.push_back(kept);
    } else {
      tensors.push_back(labels);
    }
  }
  std::set<char> all;
  for (const std::set<char> &t : tensors)
    all.insert(t.begin(), t.end());
  double single =
      flopsOf(volume(all, p), tensors.size(), all.size() > output.size());
  if (tensors.size() <= 2)
    return flops + single;
  return flops + std::min(single, exhaustive(tensors, output, p));
}

ContractionPath plan(const Problem &p, const PathOptions &options = {}) {
  std::string text;
  for (size_t i = 0; i < p.inputs.size(); ++i)
    text += (i ? "," : "") + p.inputs[i];
  text += "->" + p.output;
  auto spec = parseSpec(text);
  EXPECT_TRUE(bool(spec)) << text;
  std::vector<std::vector<int64_t>> shapes;
  for (const std::string &term : p.inputs) {
    shapes.emplace_back();
    for (char c : term)
      shapes.back().push_back(p.sizes.at(c));
  }
  auto binding = bindSpec(*spec, shapes);
  EXPECT_TRUE(bool(binding)) << binding.error().message;
  return planContraction(*spec, *binding, options);
}

Problem withSizes(const std::string &text, std::mt19937 &rng) {
  Problem p = split(text);
  std::uniform_int_distribution<int64_t> size(2, 9);
  for (const std::string &term : p.inputs)
    for (char c : term)
      if (!p.sizes.count(c))
        p.sizes[c] = size(rng);
  return p;
}

/// Checks the steps form a valid program: each value used once, the last
/// step's result is the output, every step's spec binds.
void checkWellFormed(const ContractionPath &path, const Problem &p) {
  ASSERT_FALSE(path.steps.empty());
  std::vector<int> uses(p.inputs.size() + path.steps.size(), 0);
  for (size_t s = 0; s < path.steps.size(); ++s)
    for (size_t v : path.steps[s].inputs) {
      ASSERT_LT(v, p.inputs.size() + s) << "step " << s << " reads the future";
      ++uses[v];
    }
  for (size_t v = 0; v + 1 < uses.size(); ++v)
    EXPECT_EQ(uses[v], 1) << "value " << v;
  const Spec &last = path.steps.back().spec;
  std::string out = last.termString(last.output);
  EXPECT_EQ(out, p.output);
}

TEST(ContractionPath, MatchesExhaustiveSearchOnOptEinsumCases) {
  std::mt19937 rng(7);
  for (const char *text : einsum::test::kOptEinsumCases) {
    for (int trial = 0; trial < 3; ++trial) {
      Problem p = withSizes(text, rng);
      ContractionPath path = plan(p);
      checkWellFormed(path, p);
      double expected = expectedFlops(p);
      EXPECT_DOUBLE_EQ(path.totalFlops, expected) << text;
      double sum = 0;
      for (const ContractionStep &step : path.steps)
        sum += step.flops;
      EXPECT_DOUBLE_EQ(sum, path.totalFlops) << text;
    }
  }
}

TEST(ContractionPath, MatchesExhaustiveSearchOnRandomEinsums) {
  std::mt19937 rng(11);
  const std::string letters = "abcdefgh";
  for (int trial = 0; trial < 200; ++trial) {
    int operands = 3 + int(rng() % 4);
    Problem p;
    std::set<char> used;
    for (int i = 0; i < operands; ++i) {
      std::string term;
      int rank = 1 + int(rng() % 3);
      for (int r = 0; r < rank; ++r)
        term += letters[rng() % letters.size()];
      p.inputs.push_back(term);
      used.insert(term.begin(), term.end());
    }
    for (char c : used)
      if (rng() % 3 == 0)
        p.output += c;
    for (char c : used)
      p.sizes[c] = 1 + int64_t(rng() % 8);
    ContractionPath path = plan(p);
    checkWellFormed(path, p);
    std::string sizes;
    for (auto [c, n] : p.sizes)
      sizes += std::string(1, c) + "=" + std::to_string(n) + " ";
    EXPECT_DOUBLE_EQ(path.totalFlops, expectedFlops(p)) << sizes << "\n"
                                                        << path.describe();
  }
}

TEST(ContractionPath, FourIndexTransformIsFarCheaperThanOneLoopNest) {
  Problem p = split("pi,qj,ijkl,rk,sl->pqrs");
  for (char c : std::string("pqrsijkl"))
    p.sizes[c] = 16;
  ContractionPath path = plan(p);
  EXPECT_EQ(path.algorithm, "optimal");
  EXPECT_EQ(path.steps.size(), 4u);
  // 16^8 points times 5 operations against four 16^5 contractions: 2560x.
  EXPECT_DOUBLE_EQ(path.naiveFlops, std::pow(16.0, 8) * 5);
  EXPECT_DOUBLE_EQ(path.totalFlops, 4 * std::pow(16.0, 5) * 2);
  EXPECT_DOUBLE_EQ(path.largestIntermediate, std::pow(16.0, 4));
  EXPECT_NE(path.describe().find("speed-up 2560x"), std::string::npos)
      << path.describe();
}

TEST(ContractionPath, ElementwiseChainStaysOneLoopNest) {
  Problem p = split("ij,ij,ij->");
  p.sizes = {{'i', 100}, {'j', 100}};
  ContractionPath path = plan(p);
  EXPECT_TRUE(path.isSingleStep());
  EXPECT_EQ(path.algorithm, "single loop nest");
}

TEST(ContractionPath, DiagonalIsTakenFirst) {
  Problem p = split("ii,ij->j");
  p.sizes = {{'i', 50}, {'j', 40}};
  ContractionPath path = plan(p);
  ASSERT_EQ(path.steps.size(), 2u);
  EXPECT_EQ(path.steps[0].spec.str(), "ii->i");
  EXPECT_EQ(path.steps[0].inputs, std::vector<size_t>{0});
  EXPECT_EQ(path.steps[1].spec.str(), "i,ij->j");
  EXPECT_EQ(path.steps[1].inputs, (std::vector<size_t>{2, 1}));
}

TEST(ContractionPath, LoneLabelIsSummedFirst) {
  Problem p = split("ijx,jk->ik");
  p.sizes = {{'i', 8}, {'j', 8}, {'k', 8}, {'x', 8}};
  ContractionPath path = plan(p);
  ASSERT_EQ(path.steps.size(), 2u);
  EXPECT_EQ(path.steps[0].spec.str(), "ijx->ij");
  EXPECT_EQ(path.steps[1].spec.str(), "ij,jk->ik");
}

TEST(ContractionPath, TwoOperandsWithNothingToShrinkIsOneStep) {
  Problem p = split("ij,jk->ik");
  p.sizes = {{'i', 8}, {'j', 8}, {'k', 8}};
  EXPECT_TRUE(plan(p).isSingleStep());
}

TEST(ContractionPath, EllipsisAndBroadcastDimsGetFreshNames) {
  auto spec = parseSpec("...ij,...jk,...kl->...il");
  ASSERT_TRUE(bool(spec));
  auto binding = bindSpec(*spec, {{5, 1, 8, 9}, {5, 3, 9, 10}, {5, 3, 10, 2}});
  ASSERT_TRUE(bool(binding)) << binding.error().message;
  ContractionPath path = planContraction(*spec, *binding);
  ASSERT_EQ(path.steps.size(), 2u);
  for (const ContractionStep &step : path.steps) {
    std::string text = step.spec.str();
    EXPECT_EQ(text.find('.'), std::string::npos) << text;
    EXPECT_TRUE(bool(parseSpec(text))) << text;
  }
  // The broadcast axis (size 1 against 3) is a label of its own, summed in
  // the step that reads operand 0.
  EXPECT_EQ(path.steps.back().spec.output.subscripts.size(), 4u);
}

TEST(ContractionPath, GreedyBeyondTheThreshold) {
  // A chain of 16 matrices: greedy, and far cheaper than one loop nest.
  Problem p;
  std::string letters = "abcdefghijklmnopq";
  for (size_t i = 0; i + 1 < letters.size(); ++i)
    p.inputs.push_back(letters.substr(i, 2));
  p.output = "aq";
  for (char c : letters)
    p.sizes[c] = 10;
  ContractionPath path = plan(p);
  EXPECT_EQ(path.algorithm, "greedy");
  checkWellFormed(path, p);
  EXPECT_EQ(path.steps.size(), 15u);
  EXPECT_DOUBLE_EQ(path.totalFlops, 15 * 2 * 1000.0);

  // Asked for explicitly, the exact search runs beyond the Auto threshold
  // (here 12 operands) and agrees.
  Problem shorter;
  for (size_t i = 0; i + 1 < 13; ++i)
    shorter.inputs.push_back(letters.substr(i, 2));
  shorter.output = "am";
  shorter.sizes = p.sizes;
  PathOptions optimal;
  optimal.algorithm = PathAlgorithm::Optimal;
  ContractionPath exact = plan(shorter, optimal);
  EXPECT_EQ(exact.algorithm, "optimal");
  EXPECT_EQ(plan(shorter).algorithm, "greedy");
  EXPECT_DOUBLE_EQ(exact.totalFlops, 11 * 2 * 1000.0);
}

TEST(ContractionPath, HundredsOfOperands) {
  Problem p;
  std::vector<char> labels;
  for (int c = 'a'; c <= 'z'; ++c)
    labels.push_back(char(c));
  // 300 vectors, each over one of 26 labels: greedy must handle it.
  for (int i = 0; i < 300; ++i)
    p.inputs.push_back(std::string(1, labels[size_t(i) % labels.size()]));
  p.output = "";
  for (char c : labels)
    p.sizes[c] = 3;
  ContractionPath path = plan(p);
  checkWellFormed(path, p);
}

/// The path of a named spec with every size `size`.
static ContractionPath planNamed(const std::string &text, int64_t size) {
  SpecResult<Spec> spec = parseSpec(text);
  EXPECT_TRUE(bool(spec)) << spec.error().message;
  std::vector<std::vector<int64_t>> shapes;
  for (const Term &term : spec->inputs)
    shapes.emplace_back(term.subscripts.size(), size);
  SpecResult<Binding> binding = bindSpec(*spec, shapes);
  EXPECT_TRUE(bool(binding)) << binding.error().message;
  return planContraction(*spec, *binding, PathOptions());
}

TEST(ContractionPath, AThousandOperandsPlanGreedily) {
  // A chain of 1000 2x2 matrices (999 products of 8 multiply-adds) and
  // 1000 vectors over one label (999 multiplies of 2): the greedy search
  // considers only pairs that share a label, from a heap (it took 25-40 s
  // when it scored every pair at every step).
  std::string chain;
  for (int i = 0; i < 1000; ++i)
    chain +=
        (i ? ", a" : "a") + std::to_string(i) + " a" + std::to_string(i + 1);
  chain += " -> a0 a1000";
  ContractionPath path = planNamed(chain, 2);
  EXPECT_EQ(path.algorithm, "greedy");
  EXPECT_EQ(path.steps.size(), 999u);
  EXPECT_DOUBLE_EQ(path.totalFlops, 999 * 16.0);
  EXPECT_DOUBLE_EQ(path.largestIntermediate, 4);

  std::string vectors = "i";
  for (int i = 1; i < 1000; ++i)
    vectors += ",i";
  vectors += "->i";
  path = planNamed(vectors, 2);
  // (The pairwise order costs what one loop nest does, which wins ties.)
  EXPECT_EQ(path.steps.size(), 1u);
  EXPECT_DOUBLE_EQ(path.totalFlops, 999 * 2.0);

  // Disconnected operands are joined smallest first (outer products).
  path = planNamed("a,b,c,d,e,f,g,h,i,j,k,l->abcdefghijkl", 2);
  EXPECT_EQ(path.steps.size(), 11u);
}

TEST(ContractionPath, SpecLimits) {
  std::string many = "i";
  for (size_t i = 1; i <= kMaxOperands; ++i)
    many += ",i";
  SpecResult<Spec> spec = parseSpec(many + "->i");
  ASSERT_FALSE(bool(spec));
  EXPECT_EQ(spec.error().message,
            "spec has 1025 operands; at most 1024 are supported");
  std::string wide;
  for (int i = 0; i < 65; ++i)
    wide += " l" + std::to_string(i);
  spec = parseSpec(wide + " ->");
  ASSERT_FALSE(bool(spec));
  EXPECT_EQ(spec.error().message,
            "operand 0 has 65 labels; a tensor has at most 64 dimensions");
}

TEST(ContractionPath, MemoryLimitIsHonouredByOrder) {
  // ab,bc,cd->ad: the cheapest order (400 FLOPs) goes through
  // an a*c = 50 element intermediate; with a limit of 10 the b*d = 4 one
  // (408 FLOPs) is taken, unsliced.
  Problem p = split("ab,bc,cd->ad");
  p.sizes = {{'a', 1}, {'b', 2}, {'c', 50}, {'d', 2}};
  ContractionPath free = plan(p);
  EXPECT_DOUBLE_EQ(free.totalFlops, 400);
  EXPECT_DOUBLE_EQ(free.largestIntermediate, 50);
  PathOptions options;
  options.memoryLimit = 10;
  ContractionPath limited = plan(p, options);
  EXPECT_TRUE(limited.slices.empty());
  EXPECT_DOUBLE_EQ(limited.totalFlops, 408);
  EXPECT_DOUBLE_EQ(limited.largestIntermediate, 4);
}

TEST(ContractionPath, MemoryLimitSlicesWhenNoOrderFits) {
  Problem p = split("pi,qj,ijkl,rk,sl->pqrs");
  for (char c : std::string("pqrsijkl"))
    p.sizes[c] = 16;
  PathOptions options;
  options.memoryLimit = 1024; // every order needs 16^4 = 65536
  ContractionPath path = plan(p, options);
  ASSERT_FALSE(path.slices.empty()) << path.describe();
  EXPECT_LE(path.largestIntermediate, 1024) << path.describe();
  EXPECT_LT(path.totalFlops, path.naiveFlops);
  for (const PathSlice &slice : path.slices)
    EXPECT_EQ(slice.size % slice.chunk, 0);
  EXPECT_NE(path.describe().find("sliced along"), std::string::npos);
}

TEST(ContractionPath, SlicingASummedLabelCountsThePartialOutput) {
  // ij,jk,kl->il with a tiny limit: whatever is sliced, each slice's
  // partial output must fit too.
  Problem p = split("ij,jk,kl->il");
  p.sizes = {{'i', 32}, {'j', 64}, {'k', 64}, {'l', 32}};
  PathOptions options;
  options.memoryLimit = 256;
  ContractionPath path = plan(p, options);
  EXPECT_LE(path.largestIntermediate, 256) << path.describe();
}

} // namespace
