//===- EinsumToLinalg.h - einsum.contract to linalg.generic -----*- C++ -*-===//

#ifndef EINSUM_CONVERSION_EINSUMTOLINALG_EINSUMTOLINALG_H
#define EINSUM_CONVERSION_EINSUMTOLINALG_EINSUMTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace einsum {

/// Adds the pattern lowering einsum.contract to linalg.generic.
void populateEinsumToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace einsum

#endif // EINSUM_CONVERSION_EINSUMTOLINALG_EINSUMTOLINALG_H
