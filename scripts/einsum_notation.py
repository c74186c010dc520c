"""Shared by the Python tooling (benchmark, NumPy-oracle test): NumPy and
PyTorch take single-letter labels only, so named specs are rewritten."""


def to_letters(spec):
    """Named notation ("batch seq d, batch d -> batch seq") to letters
    ("abc,ac->ab"); compact specs are returned unchanged. The rule is the
    spec language's: named iff some term has interior whitespace."""
    lhs, arrow, rhs = spec.partition("->")
    terms = lhs.split(",") + ([rhs] if arrow else [])
    if not any(" " in t.strip() for t in terms):
        return spec
    names = {}

    def convert(term):
        out = ""
        for name in term.replace("...", " ... ").split():
            if name == "...":
                out += name
                continue
            if name not in names:
                names[name] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[len(names)]
            out += names[name]
        return out

    result = ",".join(convert(t) for t in lhs.split(","))
    return result + ("->" + convert(rhs) if arrow else "")
