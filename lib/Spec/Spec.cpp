//===- Spec.cpp - The einsum equation language ----------------------------===//
//
// Parser and binder for einsum equations; see Spec.h for the language.
//
//===----------------------------------------------------------------------===//

#include "Einsum/Spec/Spec.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

using namespace einsum;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isSpace(char c) { return c == ' ' || c == '\t'; }
static bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isIdentChar(char c) {
  return isLetter(c) || isDigit(c) || c == '_';
}

/// Quotes a character for a message: 'x', or '\xNN' if not printable.
static std::string quoteChar(char c) {
  if (c >= 0x20 && c < 0x7f)
    return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "'\\x%02x'", static_cast<unsigned char>(c));
  return buf;
}

static SpecError makeError(std::string message, std::vector<size_t> positions) {
  return SpecError{std::move(message), std::move(positions)};
}

static std::string sizeString(int64_t size) {
  return size == kDynamicSize ? "?" : std::to_string(size);
}

std::string einsum::shapeString(const std::vector<int64_t> &shape) {
  std::string result;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      result += 'x';
    result += sizeString(shape[i]);
  }
  return result.empty() ? "scalar" : result;
}

std::string SpecError::render(std::string_view text,
                              std::string_view indent) const {
  std::string result = message;
  std::string hintLine =
      hint.empty() ? "" : "\n" + std::string(indent) + "hint: " + hint;
  if (text.empty() || positions.empty())
    return result + hintLine;
  // Only single-line, printable text can carry carets.
  for (char c : text)
    if (c < 0x20 || c >= 0x7f)
      return result + hintLine;
  std::string carets(text.size() + 1, ' ');
  for (size_t pos : positions)
    carets[std::min(pos, text.size())] = '^';
  while (!carets.empty() && carets.back() == ' ')
    carets.pop_back();
  result += '\n';
  result += indent;
  result += text;
  result += '\n';
  result += indent;
  result += carets;
  return result + hintLine;
}

//===----------------------------------------------------------------------===//
// Term and Spec
//===----------------------------------------------------------------------===//

bool Term::hasEllipsis() const {
  return std::any_of(subscripts.begin(), subscripts.end(),
                     [](const Subscript &s) { return s.isEllipsis(); });
}

size_t Term::numLabels() const {
  return std::count_if(subscripts.begin(), subscripts.end(),
                       [](const Subscript &s) { return !s.isEllipsis(); });
}

/// Prints `term` in canonical form onto `out`. If `relocate` is set, the
/// positions of the term and its subscripts are set to where they land in
/// `out`.
static void printTerm(const Spec &spec, const Term &term, std::string &out,
                      Term *relocate) {
  bool named = spec.notation == Notation::Named;
  if (relocate)
    relocate->position = out.size();
  for (size_t i = 0; i < term.subscripts.size(); ++i) {
    const Subscript &sub = term.subscripts[i];
    if (named && i)
      out += ' ';
    if (relocate)
      relocate->subscripts[i].position = out.size();
    out += sub.isEllipsis() ? "..." : spec.labels[sub.label];
  }
}

/// Prints `spec` in canonical form; see printTerm for `relocate`.
static std::string printSpec(const Spec &spec, Spec *relocate) {
  bool named = spec.notation == Notation::Named;
  std::string out;
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    if (i)
      out += named ? ", " : ",";
    printTerm(spec, spec.inputs[i], out,
              relocate ? &relocate->inputs[i] : nullptr);
  }
  out += named && !spec.output.subscripts.empty() ? " -> " : "->";
  printTerm(spec, spec.output, out, relocate ? &relocate->output : nullptr);
  return out;
}

std::string Spec::termString(const Term &term) const {
  std::string out;
  printTerm(*this, term, out, nullptr);
  return out;
}

std::string Spec::str() const { return printSpec(*this, nullptr); }

std::string Spec::relocateToCanonical() {
  explicitOutput = true;
  return printSpec(*this, this);
}

int Spec::findLabel(std::string_view name) const {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == name)
      return static_cast<int>(i);
  return -1;
}

bool Spec::hasEllipsis() const {
  return std::any_of(inputs.begin(), inputs.end(),
                     [](const Term &t) { return t.hasEllipsis(); });
}

bool Spec::operator==(const Spec &other) const {
  return notation == other.notation && labels == other.labels &&
         inputs == other.inputs && output == other.output;
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {
/// A slice of the spec text: one operand or the output.
struct Segment {
  std::string_view text;
  size_t offset;
};

class Parser {
public:
  Parser(std::string_view text, Notation notation)
      : text(text), requested(notation) {}

  SpecResult<Spec> parse();

private:
  /// Checks the character set and finds '->'; splits the text into segments.
  std::optional<SpecError> split(std::vector<Segment> &operands,
                                 std::optional<Segment> &output);
  /// Reads the subscripts of one segment. `what` names it in messages.
  std::optional<SpecError> parseTerm(const Segment &segment,
                                     const std::string &what, bool isOutput,
                                     Term &term);
  std::optional<SpecError> addLabel(std::string_view name, size_t position,
                                    bool isOutput, Term &term);
  /// The fix for an output label no operand has: a near miss among the
  /// operands' labels, or what to do.
  std::string outputLabelHint(std::string_view name) const;

  std::string_view text;
  Notation requested;
  Spec spec;
};
} // namespace

std::optional<SpecError> Parser::split(std::vector<Segment> &operands,
                                       std::optional<Segment> &output) {
  size_t arrow = std::string_view::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-') {
      if (i + 1 >= text.size() || text[i + 1] != '>')
        return makeError("'-' must be followed by '>' to form '->'", {i});
      if (arrow != std::string_view::npos)
        return makeError("spec has more than one '->'", {i, arrow});
      arrow = i++;
      continue;
    }
    if (c == '>')
      return makeError("'>' must be preceded by '-' to form '->'", {i});
    if (!isIdentChar(c) && !isSpace(c) && c != '.' && c != ',')
      return makeError("invalid character " + quoteChar(c) + " in spec", {i});
  }

  std::string_view inputs = text.substr(0, arrow);
  size_t start = 0;
  for (size_t i = 0; i <= inputs.size(); ++i) {
    if (i == inputs.size() || inputs[i] == ',') {
      operands.push_back({inputs.substr(start, i - start), start});
      start = i + 1;
    }
  }
  if (arrow == std::string_view::npos)
    return std::nullopt;
  size_t outStart = arrow + 2;
  std::string_view out = text.substr(outStart);
  if (size_t comma = out.find(','); comma != std::string_view::npos)
    return makeError("the output (after '->') cannot contain ','",
                     {outStart + comma});
  output = Segment{out, outStart};
  return std::nullopt;
}

/// True if the segment, trimmed, contains whitespace.
static bool hasInteriorSpace(std::string_view s) {
  size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return false;
  size_t last = s.find_last_not_of(" \t");
  std::string_view trimmed = s.substr(first, last - first + 1);
  return trimmed.find_first_of(" \t") != std::string_view::npos;
}

/// Edit distance (insertions, deletions, substitutions) of two short names.
static size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string Parser::outputLabelHint(std::string_view name) const {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char &c : out)
      c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  // A label that differs in case only, or (named labels of 3+ characters)
  // by one edit, is probably what was meant.
  for (const std::string &label : spec.labels)
    if (lower(label) == lower(name))
      return "did you mean '" + label + "'?";
  for (const std::string &label : spec.labels)
    if (name.size() >= 3 && editDistance(label, name) == 1)
      return "did you mean '" + label + "'?";
  return "every output label must appear in an operand; remove '" +
         std::string(name) + "' from the output or add it to an operand";
}

std::optional<SpecError> Parser::addLabel(std::string_view name,
                                          size_t position, bool isOutput,
                                          Term &term) {
  int id = spec.findLabel(name);
  if (isOutput) {
    if (id < 0) {
      SpecError error = makeError("output label '" + std::string(name) +
                                      "' does not appear in any operand",
                                  {position});
      error.hint = outputLabelHint(name);
      return error;
    }
    for (const Subscript &sub : term.subscripts)
      if (sub.label == id)
        return makeError("output label '" + std::string(name) +
                             "' appears more than once",
                         {sub.position, position});
  } else if (id < 0) {
    id = static_cast<int>(spec.labels.size());
    spec.labels.emplace_back(name);
  }
  term.subscripts.push_back({id, position});
  return std::nullopt;
}

std::optional<SpecError> Parser::parseTerm(const Segment &segment,
                                           const std::string &what,
                                           bool isOutput, Term &term) {
  bool named = spec.notation == Notation::Named;
  std::string_view s = segment.text;
  term.position = segment.offset;
  size_t ellipsisAt = std::string_view::npos;
  for (size_t i = 0; i < s.size();) {
    size_t pos = segment.offset + i;
    char c = s[i];
    if (isSpace(c)) {
      ++i;
      continue;
    }
    if (c == '.') {
      size_t run = 0;
      while (i + run < s.size() && s[i + run] == '.')
        ++run;
      if (run != 3)
        return makeError(run < 3 ? "'.' must be part of an ellipsis '...'"
                                 : "too many '.': an ellipsis is exactly '...'",
                         {pos});
      if (ellipsisAt != std::string_view::npos)
        return makeError(what + " has more than one '...'",
                         {segment.offset + ellipsisAt, pos});
      ellipsisAt = i;
      term.subscripts.push_back({Subscript::kEllipsis, pos});
      i += 3;
      continue;
    }
    if (!named) {
      if (!isLetter(c))
        return makeError(quoteChar(c) +
                             " is not a label: compact labels are single "
                             "letters (separate multi-letter labels with "
                             "spaces)",
                         {pos});
      if (auto error = addLabel(s.substr(i, 1), pos, isOutput, term))
        return error;
      ++i;
      continue;
    }
    size_t len = 0;
    while (i + len < s.size() && isIdentChar(s[i + len]))
      ++len;
    std::string_view name = s.substr(i, len);
    if (isDigit(c))
      return makeError("label '" + std::string(name) +
                           "' must start with a letter or '_'",
                       {pos});
    if (auto error = addLabel(name, pos, isOutput, term))
      return error;
    i += len;
  }
  return std::nullopt;
}

SpecResult<Spec> Parser::parse() {
  std::vector<Segment> operands;
  std::optional<Segment> output;
  if (auto error = split(operands, output))
    return *error;

  spec.notation = requested;
  if (requested == Notation::Auto) {
    bool named = std::any_of(operands.begin(), operands.end(),
                             [](const Segment &s) {
                               return hasInteriorSpace(s.text);
                             }) ||
                 (output && hasInteriorSpace(output->text));
    spec.notation = named ? Notation::Named : Notation::Compact;
  }

  for (size_t i = 0; i < operands.size(); ++i) {
    Term term;
    if (auto error = parseTerm(operands[i], "operand " + std::to_string(i),
                               /*isOutput=*/false, term))
      return *error;
    spec.inputs.push_back(std::move(term));
  }

  if (output) {
    spec.explicitOutput = true;
    if (auto error =
            parseTerm(*output, "the output", /*isOutput=*/true, spec.output))
      return *error;
    return std::move(spec);
  }

  // Implicit output, as NumPy: '...' first if any operand has one, then the
  // labels that appear exactly once, sorted by name.
  spec.explicitOutput = false;
  spec.output.position = text.size();
  std::vector<int> counts(spec.labels.size(), 0);
  for (const Term &term : spec.inputs)
    for (const Subscript &sub : term.subscripts)
      if (!sub.isEllipsis())
        ++counts[sub.label];
  if (spec.hasEllipsis())
    spec.output.subscripts.push_back({Subscript::kEllipsis, text.size()});
  std::vector<int> once;
  for (size_t id = 0; id < counts.size(); ++id)
    if (counts[id] == 1)
      once.push_back(static_cast<int>(id));
  std::sort(once.begin(), once.end(),
            [&](int a, int b) { return spec.labels[a] < spec.labels[b]; });
  for (int id : once)
    spec.output.subscripts.push_back({id, text.size()});
  return std::move(spec);
}

SpecResult<Spec> einsum::parseSpec(std::string_view text, Notation notation) {
  SpecResult<Spec> spec = Parser(text, notation).parse();
  if (!spec)
    return spec;
  // The documented limits (Spec.h): beyond them planning and compiling
  // would take minutes, and no tensor library takes such tensors.
  if (spec->inputs.size() > kMaxOperands)
    return makeError("spec has " + std::to_string(spec->inputs.size()) +
                         " operands; at most " + std::to_string(kMaxOperands) +
                         " are supported",
                     {spec->inputs[kMaxOperands].position});
  for (size_t i = 0; i <= spec->inputs.size(); ++i) {
    const Term &term = i < spec->inputs.size() ? spec->inputs[i] : spec->output;
    size_t rank = 0;
    for (const Subscript &sub : term.subscripts)
      rank += !sub.isEllipsis();
    if (rank > kMaxRank)
      return makeError((i < spec->inputs.size() ? "operand " + std::to_string(i)
                                                : std::string("the output")) +
                           " has " + std::to_string(rank) +
                           " labels; a tensor has at most " +
                           std::to_string(kMaxRank) + " dimensions",
                       {term.position});
  }
  if (spec->labels.size() > kMaxLabels)
    return makeError("spec has " + std::to_string(spec->labels.size()) +
                         " distinct labels; at most " +
                         std::to_string(kMaxLabels) + " are supported",
                     {});
  return spec;
}

//===----------------------------------------------------------------------===//
// Binding
//===----------------------------------------------------------------------===//

std::vector<int64_t> Binding::outputShape() const {
  return std::vector<int64_t>(dimSizes.begin(), dimSizes.begin() + numFree);
}

namespace {
/// Where a loop dim got its size from, for messages.
struct SizeSource {
  int64_t size = kDynamicSize;
  size_t operand = 0;
  size_t position = 0;
};
} // namespace

/// bindSpec without hints.
static SpecResult<Binding>
bindShapes(const Spec &spec, const std::vector<std::vector<int64_t>> &shapes);

/// The hint for shapes that do not bind: an operand (last first) whose axes,
/// permuted, would fit, e.g. a transposed matrix.
static std::string transposeHint(const Spec &spec,
                                 std::vector<std::vector<int64_t>> shapes) {
  for (size_t i = shapes.size(); i-- > 0;) {
    const Term &term = spec.inputs[i];
    std::vector<int64_t> shape = shapes[i];
    if (term.hasEllipsis() || shape.size() != term.subscripts.size() ||
        shape.size() < 2 || shape.size() > 4)
      continue;
    std::vector<size_t> perm(shape.size());
    for (size_t a = 0; a < perm.size(); ++a)
      perm[a] = a;
    while (std::next_permutation(perm.begin(), perm.end())) {
      for (size_t a = 0; a < perm.size(); ++a)
        shapes[i][a] = shape[perm[a]];
      if (!bindShapes(spec, shapes))
        continue;
      // Axis perm[a] of the operand as given carries label a of the term.
      Term relabeled = term;
      for (size_t a = 0; a < perm.size(); ++a)
        relabeled.subscripts[perm[a]] = term.subscripts[a];
      std::string permuted;
      for (size_t a = 0; a < perm.size(); ++a)
        permuted += (a ? "x" : "") + std::to_string(shapes[i][a]);
      return "operand " + std::to_string(i) + " (shape " + shapeString(shape) +
             ") fits the spec with its axes permuted: " + "write its labels '" +
             spec.termString(relabeled) + "', or pass it transposed (shape " +
             permuted + ")";
    }
    shapes[i] = shape;
  }
  return "";
}

SpecResult<Binding>
einsum::bindSpec(const Spec &spec,
                 const std::vector<std::vector<int64_t>> &shapes) {
  SpecResult<Binding> binding = bindShapes(spec, shapes);
  if (binding || shapes.size() != spec.inputs.size())
    return binding;
  SpecError error = binding.error();
  error.hint = transposeHint(spec, shapes);
  return error;
}

static SpecResult<Binding>
bindShapes(const Spec &spec, const std::vector<std::vector<int64_t>> &shapes) {
  size_t numOperands = spec.inputs.size();
  if (shapes.size() != numOperands)
    return makeError("spec '" + spec.str() + "' has " +
                         std::to_string(numOperands) + " operand(s) but " +
                         std::to_string(shapes.size()) + " were given",
                     {});

  for (size_t i = 0; i < numOperands; ++i)
    if (shapes[i].size() > kMaxRank)
      return makeError("operand " + std::to_string(i) + " has rank " +
                           std::to_string(shapes[i].size()) +
                           "; a tensor has at most " +
                           std::to_string(kMaxRank) + " dimensions",
                       {spec.inputs[i].position});
  // Ranks, and how many dims each operand's '...' covers.
  std::vector<size_t> ellipsisDims(numOperands, 0);
  size_t ellipsisRank = 0;
  for (size_t i = 0; i < numOperands; ++i) {
    const Term &term = spec.inputs[i];
    size_t rank = shapes[i].size();
    size_t named = term.numLabels();
    bool ellipsis = term.hasEllipsis();
    if (rank < named || (!ellipsis && rank != named))
      return makeError("operand " + std::to_string(i) + " has rank " +
                           std::to_string(rank) + " (shape " +
                           shapeString(shapes[i]) + ") but its subscripts '" +
                           spec.termString(term) + "' " +
                           (ellipsis ? "need at least " : "name ") +
                           std::to_string(named) + " dimension(s)",
                       {term.position});
    for (int64_t size : shapes[i])
      if (size < 0 && size != kDynamicSize)
        return makeError("operand " + std::to_string(i) +
                             " has a negative size " + std::to_string(size),
                         {term.position});
    if (ellipsis) {
      ellipsisDims[i] = rank - named;
      ellipsisRank = std::max(ellipsisRank, ellipsisDims[i]);
    }
  }
  if (ellipsisRank > 0 && !spec.output.hasEllipsis())
    return makeError("'...' covers " + std::to_string(ellipsisRank) +
                         " dimension(s) but the output has no '...' to keep "
                         "them; add '...' to the output",
                     {spec.output.position});

  // Sizes of the '...' dims: right-aligned; size 1 broadcasts.
  std::vector<SizeSource> ellipsisSize(ellipsisRank);
  std::vector<bool> ellipsisSeen(ellipsisRank, false);
  for (size_t i = 0; i < numOperands; ++i) {
    const Term &term = spec.inputs[i];
    if (!term.hasEllipsis())
      continue;
    size_t axis = 0;
    for (const Subscript &sub : term.subscripts) {
      if (!sub.isEllipsis()) {
        ++axis;
        continue;
      }
      size_t first = ellipsisRank - ellipsisDims[i];
      for (size_t k = 0; k < ellipsisDims[i]; ++k, ++axis) {
        int64_t size = shapes[i][axis];
        SizeSource &known = ellipsisSize[first + k];
        // Resolution order: unset < 1 < dynamic < static size other than 1.
        if (!ellipsisSeen[first + k] || known.size == 1 ||
            (known.size == kDynamicSize && size != 1 && size != kDynamicSize)) {
          if (!ellipsisSeen[first + k] || size != 1)
            known = {size, i, sub.position};
          ellipsisSeen[first + k] = true;
          continue;
        }
        if (size == 1 || size == kDynamicSize || size == known.size)
          continue;
        return makeError("'...' dimensions do not broadcast: operand " +
                             std::to_string(known.operand) + " has " +
                             std::to_string(known.size) + " and operand " +
                             std::to_string(i) + " has " +
                             std::to_string(size) + " at '...' dimension " +
                             std::to_string(first + k),
                         {known.position, sub.position});
      }
    }
  }

  // Number the loop dims: free dims in output order, then summation dims.
  Binding binding;
  std::vector<int64_t> labelDim(spec.labels.size(), -1);
  auto addDim = [&](std::string name) {
    binding.dimNames.push_back(std::move(name));
    binding.dimSizes.push_back(kDynamicSize);
    return static_cast<int64_t>(binding.dimNames.size() - 1);
  };
  size_t ellipsisBase = 0;
  auto addEllipsisDims = [&] {
    ellipsisBase = binding.dimNames.size();
    for (size_t k = 0; k < ellipsisRank; ++k) {
      addDim("..." + std::to_string(k));
      binding.dimSizes.back() = ellipsisSize[k].size;
    }
  };
  for (const Subscript &sub : spec.output.subscripts) {
    if (sub.isEllipsis())
      addEllipsisDims();
    else
      labelDim[sub.label] = addDim(spec.labels[sub.label]);
  }
  binding.numFree = binding.dimNames.size();
  for (const Term &term : spec.inputs)
    for (const Subscript &sub : term.subscripts)
      if (!sub.isEllipsis() && labelDim[sub.label] < 0)
        labelDim[sub.label] = addDim(spec.labels[sub.label]);

  // Map each operand axis to its loop dim and check the label sizes.
  std::vector<SizeSource> labelSize(spec.labels.size());
  std::vector<bool> labelSeen(spec.labels.size(), false);
  for (size_t i = 0; i < numOperands; ++i) {
    std::vector<int64_t> dims;
    size_t axis = 0;
    for (const Subscript &sub : spec.inputs[i].subscripts) {
      if (sub.isEllipsis()) {
        size_t first = ellipsisRank - ellipsisDims[i];
        for (size_t k = 0; k < ellipsisDims[i]; ++k, ++axis) {
          int64_t size = shapes[i][axis];
          int64_t target = ellipsisSize[first + k].size;
          dims.push_back(size == 1 && target != 1
                             ? kBroadcastDim
                             : static_cast<int64_t>(ellipsisBase + first + k));
        }
        continue;
      }
      int64_t size = shapes[i][axis++];
      int label = sub.label;
      dims.push_back(labelDim[label]);
      SizeSource &known = labelSize[label];
      if (!labelSeen[label] || known.size == kDynamicSize) {
        if (!labelSeen[label] || size != kDynamicSize)
          known = {size, i, sub.position};
        labelSeen[label] = true;
        continue;
      }
      if (size == kDynamicSize || size == known.size)
        continue;
      const std::string &name = spec.labels[label];
      if (known.operand == i)
        return makeError(
            "label '" + name + "' is repeated in operand " + std::to_string(i) +
                " with different sizes: " + std::to_string(known.size) +
                " and " + std::to_string(size),
            {known.position, sub.position});
      return makeError("size of label '" + name + "' differs: operand " +
                           std::to_string(known.operand) + " has " +
                           std::to_string(known.size) + ", operand " +
                           std::to_string(i) + " has " + std::to_string(size),
                       {known.position, sub.position});
    }
    binding.inputDims.push_back(std::move(dims));
  }
  for (size_t id = 0; id < spec.labels.size(); ++id)
    if (labelDim[id] >= 0)
      binding.dimSizes[labelDim[id]] = labelSize[id].size;

  // Every tensor's byte offsets must fit 64-bit index arithmetic.
  for (size_t i = 0; i < numOperands; ++i)
    if (exceedsMaxElements(shapes[i]))
      return makeError("operand " + std::to_string(i) + " of shape " +
                           shapeString(shapes[i]) + " has more than 2^60 " +
                           "elements; its offsets would overflow 64-bit "
                           "index arithmetic",
                       {spec.inputs[i].position});
  if (exceedsMaxElements(binding.outputShape()))
    return makeError("the output of shape " +
                         shapeString(binding.outputShape()) +
                         " would have more than 2^60 elements; its offsets "
                         "would overflow 64-bit index arithmetic",
                     {spec.output.position});
  return binding;
}

bool einsum::exceedsMaxElements(const std::vector<int64_t> &shape) {
  for (int64_t size : shape)
    if (size == 0 || size == kDynamicSize)
      return false;
  int64_t count = 1;
  for (int64_t size : shape) {
    if (count > kMaxElements / size)
      return true;
    count *= size;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Description
//===----------------------------------------------------------------------===//

/// A loop variable name for a loop dim ("...0" becomes "e0").
static std::string loopVar(const Binding &binding, size_t dim) {
  const std::string &name = binding.dimNames[dim];
  if (name.rfind("...", 0) == 0)
    return "e" + name.substr(3);
  return name;
}

std::string einsum::describeLoopNest(const Spec &spec, const Binding &binding) {
  std::string out;
  auto list = [&](size_t begin, size_t end) {
    std::string text;
    for (size_t d = begin; d < end; ++d)
      text += (d > begin ? " " : "") + loopVar(binding, d) + "=" +
              sizeString(binding.dimSizes[d]);
    return text.empty() ? std::string("(none)") : text;
  };
  out += "spec:              " + spec.str() + "\n";
  out += "free indices:      " + list(0, binding.numFree) + "\n";
  out +=
      "summation indices: " + list(binding.numFree, binding.numDims()) + "\n";
  out += "loop nest:\n";
  std::string indent = "  ";
  auto loop = [&](size_t dim) {
    out += indent + "for " + loopVar(binding, dim) + " in range(" +
           sizeString(binding.dimSizes[dim]) + "):\n";
    indent += "  ";
  };
  auto access = [&](const std::string &name, const std::vector<int64_t> &dims) {
    std::string text = name + "[";
    for (size_t axis = 0; axis < dims.size(); ++axis)
      text += (axis ? ", " : "") + (dims[axis] == kBroadcastDim
                                        ? std::string("0")
                                        : loopVar(binding, dims[axis]));
    return text + "]";
  };
  for (size_t d = 0; d < binding.numFree; ++d)
    loop(d);
  out += indent + "acc = 0\n";
  std::string loopIndent = indent;
  for (size_t d = binding.numFree; d < binding.numDims(); ++d)
    loop(d);
  std::string product;
  for (size_t i = 0; i < binding.inputDims.size(); ++i)
    product += (i ? " * " : "") +
               access("in" + std::to_string(i), binding.inputDims[i]);
  out += indent + "acc += " + product + "\n";
  std::vector<int64_t> outDims;
  for (size_t d = 0; d < binding.numFree; ++d)
    outDims.push_back(int64_t(d));
  out += loopIndent + access("out", outDims) + " = acc\n";
  return out;
}
