//===- ContractionPath.cpp - Contraction order for N operands -------------===//
//
// The planner behind ContractionPath.h: single-operand steps that shrink an
// operand, an exact (subset dynamic programming) or greedy pairwise order,
// the single-loop-nest alternative, and slicing under a memory limit.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Path/ContractionPath.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <tuple>

using namespace einsum;

namespace {

/// Explicitly requested exact search stops here (3^14 pairs of subsets).
constexpr size_t kMaxOptimalOperands = 14;
/// Up to this many operands the slicing search scores each candidate
/// slicing with the exact order; beyond, with the greedy one.
constexpr size_t kMaxExactSlicingOperands = 6;

/// A set of dims, as a bit vector.
class DimSet {
public:
  explicit DimSet(size_t numDims = 0) : words((numDims + 63) / 64, 0) {}
  void insert(int dim) { words[dim / 64] |= uint64_t(1) << (dim % 64); }
  bool contains(int dim) const { return (words[dim / 64] >> (dim % 64)) & 1; }
  DimSet operator|(const DimSet &other) const {
    DimSet result = *this;
    for (size_t i = 0; i < words.size(); ++i)
      result.words[i] |= other.words[i];
    return result;
  }
  DimSet operator&(const DimSet &other) const {
    DimSet result = *this;
    for (size_t i = 0; i < words.size(); ++i)
      result.words[i] &= other.words[i];
    return result;
  }
  /// True if some dim is in this set and not in `other`.
  bool hasAnyNotIn(const DimSet &other) const {
    for (size_t i = 0; i < words.size(); ++i)
      if (words[i] & ~other.words[i])
        return true;
    return false;
  }
  template <typename Fn> void forEach(Fn fn) const {
    for (size_t i = 0; i < words.size(); ++i)
      for (uint64_t w = words[i]; w; w &= w - 1)
        fn(static_cast<int>(i * 64 + __builtin_ctzll(w)));
  }
  /// Dims in increasing order.
  std::vector<int> list() const {
    std::vector<int> dims;
    forEach([&](int d) { dims.push_back(d); });
    return dims;
  }

private:
  std::vector<uint64_t> words;
};

/// The einsum in terms of dims: binding loop dims, plus one fresh size-1 dim
/// per broadcast axis (it appears in that operand only, so the first step
/// that reads the operand sums it away).
struct Problem {
  std::vector<std::string> names;
  std::vector<int64_t> sizes; ///< kDynamicSize if unknown
  std::vector<std::vector<int>> operands;
  std::vector<int> output;
  DimSet outputSet;
  Notation notation = Notation::Compact;

  size_t numDims() const { return names.size(); }
};

/// An abstract step: values consumed (with their axes' dims) and the dims of
/// the result.
struct Step {
  std::vector<size_t> inputs;
  std::vector<std::vector<int>> inputDims;
  std::vector<int> resultDims;
  double flops = 0;
  double resultElements = 0;
};

/// A complete plan at some sizes.
struct Plan {
  std::vector<Step> steps;
  std::string algorithm;
  double flops = 0;
  /// Largest intermediate, and the dims of it.
  double peak = 0;
  std::vector<int> peakDims;
};

/// A node of a contraction tree: a leaf (tensor index) or a pair.
struct Node {
  int left = -1, right = -1;
  size_t leaf = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Problem set-up
//===----------------------------------------------------------------------===//

static bool isLetterName(const std::string &name) {
  return name.size() == 1 && ((name[0] >= 'a' && name[0] <= 'z') ||
                              (name[0] >= 'A' && name[0] <= 'Z'));
}

static Problem makeProblem(const Spec &spec, const Binding &binding) {
  Problem problem;
  problem.notation = spec.notation;
  for (size_t d = 0; d < binding.numDims(); ++d) {
    problem.names.push_back(binding.dimNames[d]);
    problem.sizes.push_back(binding.dimSizes[d]);
  }
  for (const std::vector<int64_t> &axes : binding.inputDims) {
    std::vector<int> dims;
    for (int64_t dim : axes) {
      if (dim != kBroadcastDim) {
        dims.push_back(static_cast<int>(dim));
        continue;
      }
      problem.names.push_back("...");
      problem.sizes.push_back(1);
      dims.push_back(static_cast<int>(problem.names.size() - 1));
    }
    problem.operands.push_back(std::move(dims));
  }
  for (size_t d = 0; d < binding.numFree; ++d)
    problem.output.push_back(static_cast<int>(d));
  problem.outputSet = DimSet(problem.numDims());
  for (int d : problem.output)
    problem.outputSet.insert(d);

  // '...' dims and broadcast axes have no label: give them fresh names,
  // letters while some are left, else identifiers (then the steps use named
  // notation, where letters are identifiers too).
  std::vector<bool> used(128, false);
  for (const std::string &name : problem.names)
    if (isLetterName(name))
      used[static_cast<unsigned char>(name[0])] = true;
  const std::string letters =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  size_t nextLetter = 0, nextNamed = 0;
  for (std::string &name : problem.names) {
    if (name.rfind("...", 0) != 0)
      continue;
    while (nextLetter < letters.size() &&
           used[static_cast<unsigned char>(letters[nextLetter])])
      ++nextLetter;
    if (problem.notation == Notation::Compact && nextLetter < letters.size()) {
      name = std::string(1, letters[nextLetter]);
      used[static_cast<unsigned char>(letters[nextLetter])] = true;
      continue;
    }
    problem.notation = Notation::Named;
    std::string fresh;
    do
      fresh = "dim" + std::to_string(nextNamed++);
    while (std::find(problem.names.begin(), problem.names.end(), fresh) !=
           problem.names.end());
    name = fresh;
  }
  return problem;
}

/// The einsum of one step, with the problem's names for its dims.
static Spec makeStepSpec(const Problem &problem,
                         const std::vector<std::vector<int>> &inputs,
                         const std::vector<int> &output) {
  Spec spec;
  spec.notation = problem.notation;
  std::vector<int> labelOf(problem.numDims(), -1);
  auto term = [&](const std::vector<int> &dims) {
    Term t;
    for (int d : dims) {
      if (labelOf[d] < 0) {
        labelOf[d] = static_cast<int>(spec.labels.size());
        spec.labels.push_back(problem.names[d]);
      }
      t.subscripts.push_back(Subscript{labelOf[d], 0});
    }
    return t;
  };
  for (const std::vector<int> &dims : inputs)
    spec.inputs.push_back(term(dims));
  spec.output = term(output);
  spec.explicitOutput = true;
  return spec;
}

//===----------------------------------------------------------------------===//
// Cost model
//===----------------------------------------------------------------------===//

namespace {
/// Sizes the cost model sees (dynamic ones nominal, sliced ones chunked).
struct Sizes {
  std::vector<double> of;

  double volume(const DimSet &dims) const {
    double v = 1;
    dims.forEach([&](int d) { v *= of[d]; });
    return v;
  }
  double volume(const std::vector<int> &dims) const {
    double v = 1;
    for (int d : dims)
      v *= of[d];
    return v;
  }
};
} // namespace

static DimSet setOf(const Problem &problem, const std::vector<int> &dims) {
  DimSet set(problem.numDims());
  for (int d : dims)
    set.insert(d);
  return set;
}

/// FLOPs of one step over `points` loop points.
static double stepFlops(double points, size_t numInputs, bool sums) {
  return points * (static_cast<double>(std::max<size_t>(1, numInputs - 1)) +
                   (sums ? 1 : 0));
}

//===----------------------------------------------------------------------===//
// Pairwise order
//===----------------------------------------------------------------------===//

namespace {
struct Tree {
  std::vector<Node> nodes;
  int root = -1;
  double flops = 0;
  double peak = 0;
};
} // namespace

/// Exact search: dynamic programming over subsets of the tensors. Minimizes
/// FLOPs, then the largest intermediate; intermediates over `limit` (if > 0)
/// are not allowed.
static std::optional<Tree> searchOptimal(const Problem &problem,
                                         const std::vector<DimSet> &tensors,
                                         const Sizes &sizes, double limit) {
  size_t n = tensors.size();
  size_t full = (size_t(1) << n) - 1;
  std::vector<DimSet> unionOf(full + 1, DimSet(problem.numDims()));
  for (size_t mask = 1; mask <= full; ++mask)
    unionOf[mask] = unionOf[mask & (mask - 1)] |
                    tensors[static_cast<size_t>(__builtin_ctzll(mask))];
  // A subset's result keeps the dims the output or another tensor needs; a
  // single tensor is itself (its lone dims are summed by the step reading it).
  auto resultOf = [&](size_t mask) {
    if (mask == full)
      return problem.outputSet;
    if ((mask & (mask - 1)) == 0)
      return tensors[static_cast<size_t>(__builtin_ctzll(mask))];
    return unionOf[mask] & (problem.outputSet | unionOf[full ^ mask]);
  };
  std::vector<DimSet> result(full + 1);
  std::vector<double> resultVolume(full + 1);
  for (size_t mask = 1; mask <= full; ++mask) {
    result[mask] = resultOf(mask);
    resultVolume[mask] = sizes.volume(result[mask]);
  }

  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> flops(full + 1, kInf), peak(full + 1, kInf);
  std::vector<size_t> split(full + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    flops[size_t(1) << i] = 0;
    peak[size_t(1) << i] = 0;
  }
  for (size_t mask = 1; mask <= full; ++mask) {
    if ((mask & (mask - 1)) == 0)
      continue;
    if (mask != full && limit > 0 && resultVolume[mask] > limit)
      continue;
    double own = mask == full ? 0 : resultVolume[mask];
    size_t low = mask & (~mask + 1);
    for (size_t a = (mask - 1) & mask; a; a = (a - 1) & mask) {
      if (!(a & low))
        continue;
      size_t b = mask ^ a;
      if (flops[a] == kInf || flops[b] == kInf)
        continue;
      DimSet loop = result[a] | result[b];
      double cost =
          flops[a] + flops[b] +
          stepFlops(sizes.volume(loop), 2, loop.hasAnyNotIn(result[mask]));
      double high = std::max({peak[a], peak[b], own});
      if (cost < flops[mask] || (cost == flops[mask] && high < peak[mask])) {
        flops[mask] = cost;
        peak[mask] = high;
        split[mask] = a;
      }
    }
  }
  if (flops[full] == kInf)
    return std::nullopt;

  Tree tree;
  tree.flops = flops[full];
  tree.peak = peak[full];
  // Rebuild the tree from the splits.
  auto build = [&](auto &self, size_t mask) -> int {
    Node node;
    if ((mask & (mask - 1)) == 0) {
      node.leaf = static_cast<size_t>(__builtin_ctzll(mask));
    } else {
      node.left = self(self, split[mask]);
      node.right = self(self, mask ^ split[mask]);
    }
    tree.nodes.push_back(node);
    return static_cast<int>(tree.nodes.size() - 1);
  };
  tree.root = build(build, full);
  return tree;
}

/// Greedy search: repeatedly contracts the pair whose result is smallest
/// relative to its inputs (opt_einsum's greedy score), then the cheaper,
/// then the pair of earliest tensors. Only pairs that share a dim are
/// candidates while there are any (then the smallest tensors are joined by
/// outer products), kept in a heap: a contraction adds the pairs of its
/// result with the tensors sharing a dim with it, and re-scores the pair of
/// the last two holders of a dim whose holders it reduced to two (the only
/// pair whose result that changes). O(P log P) for P candidate pairs, not
/// O(n^3): a thousand operands plan in milliseconds.
static std::optional<Tree> searchGreedy(const Problem &problem,
                                        const std::vector<DimSet> &tensors,
                                        const Sizes &sizes, double limit) {
  Tree tree;
  size_t numDims = problem.numDims();
  // Per node: its dims while it is live (a node is live until contracted).
  std::vector<DimSet> dimsOf;
  std::vector<bool> live;
  // count[d]: live tensors holding d, plus one if the output has it.
  std::vector<int> count(numDims, 0);
  // holders[d]: live nodes holding d.
  std::vector<std::vector<int>> holders(numDims);
  problem.outputSet.forEach([&](int d) { ++count[d]; });
  for (size_t i = 0; i < tensors.size(); ++i) {
    Node leaf;
    leaf.leaf = i;
    tree.nodes.push_back(leaf);
    dimsOf.push_back(tensors[i]);
    live.push_back(true);
    tensors[i].forEach([&](int d) {
      ++count[d];
      holders[d].push_back(static_cast<int>(i));
    });
  }
  size_t numLive = tensors.size();

  struct Candidate {
    double score, flops;
    int a, b; // a < b
    double resultVolume;
    bool operator>(const Candidate &other) const {
      return std::tie(score, flops, a, b) >
             std::tie(other.score, other.flops, other.a, other.b);
    }
  };
  // The pair's result: the dims another live tensor or the output needs.
  auto resultOf = [&](int a, int b) {
    DimSet result(numDims);
    (dimsOf[a] | dimsOf[b]).forEach([&](int d) {
      if (count[d] - dimsOf[a].contains(d) - dimsOf[b].contains(d) > 0)
        result.insert(d);
    });
    return result;
  };
  auto evaluate = [&](int a, int b) {
    if (a > b)
      std::swap(a, b);
    DimSet result = resultOf(a, b);
    DimSet loop = dimsOf[a] | dimsOf[b];
    double volume = sizes.volume(result);
    return Candidate{volume - sizes.volume(dimsOf[a]) - sizes.volume(dimsOf[b]),
                     stepFlops(sizes.volume(loop), 2, loop.hasAnyNotIn(result)),
                     a, b, volume};
  };
  // Over the limit: not allowed (the last pair's result is the output).
  auto overLimit = [&](const Candidate &c) {
    return numLive > 2 && limit > 0 && c.resultVolume > limit;
  };
  std::priority_queue<Candidate, std::vector<Candidate>,
                      std::greater<Candidate>>
      heap;
  auto push = [&](int a, int b) {
    Candidate c = evaluate(a, b);
    if (!overLimit(c))
      heap.push(c);
  };
  // The live nodes sharing a dim with node `x`, once each, in order.
  auto neighborsOf = [&](int x) {
    std::vector<int> neighbors;
    dimsOf[x].forEach([&](int d) {
      for (int j : holders[d])
        if (j != x)
          neighbors.push_back(j);
    });
    std::sort(neighbors.begin(), neighbors.end());
    neighbors.erase(std::unique(neighbors.begin(), neighbors.end()),
                    neighbors.end());
    return neighbors;
  };
  // Every sharing pair once.
  for (int i = 0, e = static_cast<int>(tensors.size()); i < e; ++i)
    for (int j : neighborsOf(i))
      if (j > i)
        push(i, j);

  auto contract = [&](const Candidate &pair) {
    int a = pair.a, b = pair.b;
    DimSet result = resultOf(a, b);
    Node node;
    node.left = a;
    node.right = b;
    int c = static_cast<int>(tree.nodes.size());
    tree.nodes.push_back(node);
    tree.flops += pair.flops;
    if (numLive > 2)
      tree.peak = std::max(tree.peak, pair.resultVolume);
    live[a] = live[b] = false;
    live.push_back(true);
    dimsOf.push_back(result);
    --numLive;
    std::vector<int> changed;
    for (int gone : {a, b})
      dimsOf[gone].forEach([&](int d) {
        --count[d];
        holders[d].erase(std::find(holders[d].begin(), holders[d].end(), gone));
        changed.push_back(d);
      });
    result.forEach([&](int d) {
      ++count[d];
      holders[d].push_back(c);
    });
    // Re-scored: the last two holders of a dim now held by two.
    for (int d : changed)
      if (holders[d].size() == 2 &&
          std::find(holders[d].begin(), holders[d].end(), c) ==
              holders[d].end())
        push(holders[d][0], holders[d][1]);
    // New pairs: the result with every live tensor it shares a dim with.
    for (int j : neighborsOf(c))
      push(j, c);
  };

  while (numLive > 1) {
    if (heap.empty()) {
      // No two live tensors share a dim: join the two smallest (an outer
      // product), as opt_einsum's greedy does.
      std::vector<int> order;
      for (size_t i = 0; i < live.size(); ++i)
        if (live[i])
          order.push_back(static_cast<int>(i));
      std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
        return sizes.volume(dimsOf[x]) < sizes.volume(dimsOf[y]);
      });
      Candidate pair = evaluate(order[0], order[1]);
      if (overLimit(pair))
        return std::nullopt;
      contract(pair);
      continue;
    }
    Candidate top = heap.top();
    heap.pop();
    if (!live[top.a] || !live[top.b])
      continue;
    // A pair scored before a holder count changed is re-scored.
    Candidate now = evaluate(top.a, top.b);
    if (now.score != top.score || now.flops != top.flops) {
      push(top.a, top.b);
      continue;
    }
    contract(now);
  }
  tree.root = static_cast<int>(tree.nodes.size()) - 1;
  return tree;
}

//===----------------------------------------------------------------------===//
// Planning at given sizes
//===----------------------------------------------------------------------===//

/// The single-operand steps that shrink an operand (take a diagonal, sum a
/// label that neither another operand nor the output has), each only if its
/// result fits `limit`. Sets `values`/`valueDims` to the tensors that enter
/// the pairwise order: those results, or the operands themselves.
static void planShrinkingSteps(const Problem &problem, const Sizes &sizes,
                               double limit, Plan &plan,
                               std::vector<size_t> &values,
                               std::vector<std::vector<int>> &valueDims) {
  size_t numOperands = problem.operands.size();
  std::vector<int> operandCount(problem.numDims(), 0);
  for (const std::vector<int> &dims : problem.operands)
    setOf(problem, dims).forEach([&](int d) { ++operandCount[d]; });
  for (size_t i = 0; i < numOperands; ++i) {
    const std::vector<int> &dims = problem.operands[i];
    values.push_back(i);
    valueDims.push_back(dims);
    if (numOperands < 2)
      continue;
    DimSet set = setOf(problem, dims);
    // The kept dims in the operand's own order: no transpose.
    std::vector<int> kept;
    bool sums = false;
    DimSet seen(problem.numDims());
    for (int d : dims) {
      if (seen.contains(d))
        continue;
      seen.insert(d);
      if (operandCount[d] > 1 || problem.outputSet.contains(d))
        kept.push_back(d);
      else
        sums = true;
    }
    double input = sizes.volume(dims);
    double output = sizes.volume(kept);
    if (!(output < input) || (limit > 0 && output > limit))
      continue;
    Step step;
    step.inputs = {i};
    step.inputDims = {dims};
    step.resultDims = kept;
    step.flops = stepFlops(sizes.volume(set), 1, sums);
    step.resultElements = output;
    plan.flops += step.flops;
    if (output > plan.peak) {
      plan.peak = output;
      plan.peakDims = kept;
    }
    values.back() = numOperands + plan.steps.size();
    valueDims.back() = kept;
    plan.steps.push_back(std::move(step));
  }
}

/// `plan` (the shrinking steps, giving `values`) then one loop nest over
/// them: needs no intermediate beyond the shrunk operands.
static Plan withSingleNest(const Problem &problem, const Sizes &sizes,
                           Plan plan, const std::vector<size_t> &values,
                           const std::vector<std::vector<int>> &valueDims) {
  DimSet all(problem.numDims());
  for (const std::vector<int> &dims : valueDims)
    all = all | setOf(problem, dims);
  Step step;
  step.inputs = values;
  step.inputDims = valueDims;
  step.resultDims = problem.output;
  step.flops = stepFlops(sizes.volume(all), values.size(),
                         all.hasAnyNotIn(problem.outputSet));
  step.resultElements = sizes.volume(problem.output);
  plan.flops += step.flops;
  plan.steps.push_back(std::move(step));
  // With at most two tensors left the one step is the (trivially optimal)
  // pairwise order; with more it is the single loop nest.
  plan.algorithm = plan.steps.size() > 1 && values.size() <= 2
                       ? "optimal"
                       : "single loop nest";
  return plan;
}

/// The shrinking steps, then one loop nest over everything.
static Plan planSingleNest(const Problem &problem, const Sizes &sizes,
                           double limit) {
  Plan plan;
  std::vector<size_t> values;
  std::vector<std::vector<int>> valueDims;
  planShrinkingSteps(problem, sizes, limit, plan, values, valueDims);
  return withSingleNest(problem, sizes, std::move(plan), values, valueDims);
}

/// Plans the problem at `sizes` with the pairwise order of `algorithm`
/// (Optimal or Greedy), or the single loop nest where that costs no more;
/// nullopt if no pairwise order keeps every intermediate within `limit` (> 0).
static std::optional<Plan> planAt(const Problem &problem, const Sizes &sizes,
                                  double limit, PathAlgorithm algorithm) {
  Plan plan;
  std::vector<size_t> values;
  std::vector<std::vector<int>> valueDims;
  planShrinkingSteps(problem, sizes, limit, plan, values, valueDims);
  Plan single = withSingleNest(problem, sizes, plan, values, valueDims);
  size_t n = values.size();
  if (n <= 2)
    return single;
  size_t numOperands = problem.operands.size();
  std::vector<DimSet> tensors;
  for (const std::vector<int> &dims : valueDims)
    tensors.push_back(setOf(problem, dims));

  std::optional<Tree> tree;
  bool exact = algorithm == PathAlgorithm::Optimal && n <= kMaxOptimalOperands;
  if (exact)
    tree = searchOptimal(problem, tensors, sizes, limit);
  else
    tree = searchGreedy(problem, tensors, sizes, limit);
  if (!tree)
    return std::nullopt;
  // The single loop nest needs no intermediate: it wins ties.
  if (single.flops <= plan.flops + tree->flops)
    return single;
  plan.algorithm = exact ? "optimal" : "greedy";

  // Emit the tree's pairs in post-order. A pair keeps the dims the output
  // or a tensor outside its subtree needs: fewer of the dim's holders in
  // the subtree than in all (counted per node over its kept dims, which
  // holds every dim its subtree shares with the rest).
  std::vector<int> holders(problem.numDims(), 0);
  for (const DimSet &set : tensors)
    set.forEach([&](int d) { ++holders[d]; });
  std::vector<size_t> valueOf(tree->nodes.size(), 0);
  std::vector<std::vector<int>> dimsOf(tree->nodes.size());
  std::vector<std::vector<std::pair<int, int>>> holdersIn(tree->nodes.size());
  std::vector<int> scratch(problem.numDims(), 0);
  auto emit = [&](auto &self, int index) -> void {
    const Node &node = tree->nodes[index];
    if (node.left < 0) {
      valueOf[index] = values[node.leaf];
      dimsOf[index] = valueDims[node.leaf];
      tensors[node.leaf].forEach(
          [&](int d) { holdersIn[index].push_back({d, 1}); });
      return;
    }
    self(self, node.left);
    self(self, node.right);
    DimSet left = setOf(problem, dimsOf[node.left]);
    DimSet right = setOf(problem, dimsOf[node.right]);
    DimSet loop = left | right;
    for (int child : {node.left, node.right})
      for (auto [d, count] : holdersIn[child])
        scratch[d] += count;
    std::vector<int> result;
    if (index == tree->root) {
      result = problem.output;
    } else {
      // The left operand's kept dims in its order, then the right's (as
      // tensordot orders its result): rows stay rows.
      DimSet seen(problem.numDims());
      for (const std::vector<int> *side :
           {&dimsOf[node.left], &dimsOf[node.right]})
        for (int d : *side)
          if ((problem.outputSet.contains(d) || scratch[d] < holders[d]) &&
              !seen.contains(d)) {
            seen.insert(d);
            result.push_back(d);
          }
    }
    for (int d : result)
      holdersIn[index].push_back({d, scratch[d]});
    for (int child : {node.left, node.right}) {
      for (auto [d, count] : holdersIn[child])
        scratch[d] = 0;
      holdersIn[child].clear();
    }
    Step step;
    step.inputs = {valueOf[node.left], valueOf[node.right]};
    step.inputDims = {dimsOf[node.left], dimsOf[node.right]};
    step.resultDims = result;
    step.flops = stepFlops(sizes.volume(loop), 2,
                           loop.hasAnyNotIn(setOf(problem, result)));
    step.resultElements = sizes.volume(result);
    plan.flops += step.flops;
    if (index != tree->root && step.resultElements > plan.peak) {
      plan.peak = step.resultElements;
      plan.peakDims = result;
    }
    valueOf[index] = numOperands + plan.steps.size();
    dimsOf[index] = result;
    plan.steps.push_back(std::move(step));
  };
  emit(emit, tree->root);
  return plan;
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

/// The largest divisor of `size` below `below`, or 0 if none (below <= 1).
static int64_t largestDivisorBelow(int64_t size, int64_t below) {
  for (int64_t d = below - 1; d >= 1; --d)
    if (size % d == 0)
      return d;
  return 0;
}

ContractionPath einsum::planContraction(const Spec &spec,
                                        const Binding &binding,
                                        const PathOptions &options) {
  Problem problem = makeProblem(spec, binding);
  size_t n = problem.operands.size();
  PathAlgorithm algorithm = options.algorithm;
  if (algorithm == PathAlgorithm::Auto)
    algorithm = n <= kOptimalOperandLimit ? PathAlgorithm::Optimal
                                          : PathAlgorithm::Greedy;
  double limit = options.memoryLimit;

  Sizes full;
  for (int64_t size : problem.sizes)
    full.of.push_back(size == kDynamicSize ? double(kNominalDynamicSize)
                                           : double(size));

  ContractionPath path;
  path.numOperands = n;
  {
    DimSet all(problem.numDims());
    for (const std::vector<int> &dims : problem.operands)
      all = all | setOf(problem, dims);
    path.naiveFlops =
        stepFlops(full.volume(all), n, all.hasAnyNotIn(problem.outputSet));
  }

  if (algorithm == PathAlgorithm::None) {
    ContractionStep step;
    step.spec = makeStepSpec(problem, problem.operands, problem.output);
    for (size_t i = 0; i < n; ++i)
      step.inputs.push_back(i);
    step.flops = path.naiveFlops;
    step.resultElements = full.volume(problem.output);
    path.steps.push_back(std::move(step));
    path.algorithm = "single loop nest";
    path.totalFlops = path.naiveFlops;
    return path;
  }

  // Without a limit, or when the best plan fits it, no slicing.
  std::optional<Plan> plan = planAt(problem, full, 0, algorithm);
  std::vector<int64_t> chunk(problem.sizes);
  Sizes sliced = full;
  // Slicing a summed label leaves a partial output per slice to add up.
  auto partialElements = [&] {
    for (size_t d = 0; d < problem.numDims(); ++d)
      if (chunk[d] != problem.sizes[d] &&
          !problem.outputSet.contains(static_cast<int>(d)))
        return sliced.volume(problem.output);
    return 0.0;
  };
  if (limit > 0 && plan->peak > limit) {
    plan = planAt(problem, sliced, limit, algorithm);
    // Slice until a plan fits. Each round shrinks the chunk of one dim of
    // the largest intermediate (or of the partial output) of the
    // unconstrained plan to its next divisor: the dim whose shrinking leaves
    // the smallest largest intermediate, then the fewest FLOPs, preferring a
    // dim already sliced (fewer loops).
    // The search compares many slicings: beyond kMaxExactSlicingOperands
    // operands it scores them with greedy orders (a round costs a few
    // greedy plans instead of a few subset DPs); the slicing it settles on
    // gets the requested algorithm.
    PathAlgorithm trialAlgorithm =
        n <= kMaxExactSlicingOperands ? algorithm : PathAlgorithm::Greedy;
    while (!plan || partialElements() > limit) {
      Plan unconstrained = *planAt(problem, sliced, 0, trialAlgorithm);
      std::vector<int> candidates = unconstrained.peakDims;
      if (partialElements() >= unconstrained.peak)
        candidates = problem.output;
      int best = -1;
      double bestPeak = 0, bestFlops = 0;
      for (int d : candidates) {
        if (problem.sizes[d] == kDynamicSize)
          continue;
        int64_t next = largestDivisorBelow(problem.sizes[d], chunk[d]);
        if (next == 0)
          continue;
        int64_t saved = chunk[d];
        chunk[d] = next;
        sliced.of[d] = double(next);
        Plan trial = *planAt(problem, sliced, 0, trialAlgorithm);
        double peak = std::max(trial.peak, partialElements());
        bool better = best < 0 || peak < bestPeak ||
                      (peak == bestPeak && trial.flops < bestFlops) ||
                      (peak == bestPeak && trial.flops == bestFlops &&
                       saved != problem.sizes[d]);
        if (better) {
          best = d;
          bestPeak = peak;
          bestFlops = trial.flops;
        }
        chunk[d] = saved;
        sliced.of[d] = double(saved);
      }
      if (best < 0)
        break;
      chunk[best] = largestDivisorBelow(problem.sizes[best], chunk[best]);
      sliced.of[best] = double(chunk[best]);
      plan = planAt(problem, sliced, limit, algorithm);
    }
    double slices = 1;
    for (size_t d = 0; d < problem.numDims(); ++d)
      if (chunk[d] != problem.sizes[d])
        slices *= double(problem.sizes[d] / chunk[d]);
    Plan single = planSingleNest(problem, full, limit);
    bool fits = plan && partialElements() <= limit;
    if (!fits || single.flops <= slices * (plan->flops + partialElements())) {
      // The single loop nest needs no intermediate at all.
      plan = single;
      chunk = problem.sizes;
      sliced = full;
    } else {
      plan->flops = slices * (plan->flops + partialElements());
    }
  }

  for (const Step &s : plan->steps) {
    ContractionStep step;
    step.spec = makeStepSpec(problem, s.inputDims, s.resultDims);
    step.inputs = s.inputs;
    step.flops = s.flops;
    step.resultElements = s.resultElements;
    path.steps.push_back(std::move(step));
  }
  for (size_t d = 0; d < problem.numDims(); ++d) {
    if (chunk[d] == problem.sizes[d])
      continue;
    path.slices.push_back(
        PathSlice{d, problem.names[d], problem.sizes[d], chunk[d],
                  !problem.outputSet.contains(static_cast<int>(d))});
  }
  path.algorithm = plan->algorithm;
  path.totalFlops = plan->flops;
  path.largestIntermediate = std::max(plan->peak, partialElements());
  return path;
}

const char *einsum::pathAlgorithmName(PathAlgorithm algorithm) {
  switch (algorithm) {
  case PathAlgorithm::Auto:
    return "auto";
  case PathAlgorithm::Optimal:
    return "optimal";
  case PathAlgorithm::Greedy:
    return "greedy";
  case PathAlgorithm::None:
    return "none";
  }
  return "auto";
}

std::optional<PathAlgorithm> einsum::parsePathAlgorithm(std::string_view name) {
  for (PathAlgorithm algorithm : {PathAlgorithm::Auto, PathAlgorithm::Optimal,
                                  PathAlgorithm::Greedy, PathAlgorithm::None})
    if (name == pathAlgorithmName(algorithm))
      return algorithm;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

static std::string number(double value) {
  char buf[32];
  if (value < 1e6 && value == std::floor(value))
    std::snprintf(buf, sizeof(buf), "%.0f", value);
  else if (value < 1e6)
    std::snprintf(buf, sizeof(buf), "%.1f", value);
  else
    std::snprintf(buf, sizeof(buf), "%.3e", value);
  return buf;
}

std::string ContractionPath::describe() const {
  std::string out;
  out += "contraction order: " + algorithm + " (" +
         std::to_string(numOperands) + " operand" +
         (numOperands == 1 ? "" : "s") + ", " + std::to_string(steps.size()) +
         " step" + (steps.size() == 1 ? "" : "s") + ")\n";
  for (const PathSlice &slice : slices)
    out += "  sliced along " + slice.label + ": " +
           std::to_string(slice.size / slice.chunk) + " slices of " +
           std::to_string(slice.chunk) + " (" +
           (slice.summed ? "summed, partial results added" : "free") + ")\n";
  for (size_t i = 0; i < steps.size(); ++i) {
    const ContractionStep &step = steps[i];
    std::string args;
    for (size_t v : step.inputs)
      args += (args.empty() ? "%" : ", %") + std::to_string(v);
    out += "  step " + std::to_string(i + 1) + ": %" +
           std::to_string(numOperands + i) + " = " + step.spec.str() + " (" +
           args + ")  flops " + number(step.flops) + "  result " +
           number(step.resultElements) + " elements\n";
  }
  out += "  naive (one loop nest) flops: " + number(naiveFlops) + "\n";
  out += "  optimized flops:             " + number(totalFlops);
  if (totalFlops > 0)
    out += "  (speed-up " +
           number(std::round(naiveFlops / totalFlops * 10) / 10) + "x)";
  out += "\n  largest intermediate:        " + number(largestIntermediate) +
         " elements\n";
  return out;
}
