//===- OptEinsumCases.h - Multi-operand einsums for tests -------*- C++ -*-===//
//
// opt_einsum's published test list (tests/test_contract.py): the entries
// with three or more operands, with explicit outputs; then the benchmark
// suite's multi-operand cases and the contraction-order issue's. Shared by
// the planner's test (FLOPs against exhaustive search) and the JIT's
// (results against the reference).
//
//===----------------------------------------------------------------------===//

#ifndef EINSUM_UNITTESTS_PATH_OPTEINSUMCASES_H
#define EINSUM_UNITTESTS_PATH_OPTEINSUMCASES_H

namespace einsum::test {

inline constexpr const char *kOptEinsumCases[] = {
    "a,ab,abc->abc",
    "a,b,ab->ab",
    "ea,fb,gc,hd,abcd->efgh",
    "ea,fb,abcd,gc,hd->efgh",
    "abcd,ea,fb,gc,hd->efgh",
    "ab,ab,c->",
    "ab,ab,c->c",
    "ab,ab,cd,cd->",
    "ab,ab,cd,cd->ac",
    "ab,ab,cd,cd->cd",
    "ab,ab,cd,cd,ef,ef->",
    "ab,cd,ef->abcdef",
    "ab,cd,ef->acdf",
    "ab,cd,de->abcde",
    "ab,cd,de->be",
    "ab,bcd,cd->abcd",
    "ab,bcd,cd->abd",
    "eb,cb,fb->cef",
    "dd,fb,be,cdb->cef",
    "bca,cdb,dbf,afc->",
    "dcc,fce,ea,dbf->ab",
    "fdf,cdd,ccd,afe->ae",
    "ed,fcd,ff,bcf->be",
    "baa,dcf,af,cde->be",
    "bd,db,eac->ace",
    "fff,fae,bef,def->abd",
    "efc,dbc,acf,fd->abe",
    "aab,fa,df,ecc->bde",
    "ecb,fef,bad,ed->ac",
    "bcf,bbb,fbf,fc->",
    "bb,ff,be->e",
    "bcb,bb,fc,fff->",
    "fbb,dfd,fc,fc->",
    "afd,ba,cc,dc->bf",
    "adb,bc,fa,cfc->d",
    "bbd,bda,fc,db->acf",
    "dba,ead,cad->bce",
    "aef,fbc,dca->bde",
    "acdf,jbje,gihb,hfac,gfac,gifabc,hfac->bcdeg",
    "cd,bdhe,aidb,hgca,gc,hgibcd,hgac->abe",
    "abhe,hidj,jgba,hiab,gab->ed",
    "bde,cdh,agdb,hica,ibd,hgicd,hiac->e",
    "chd,bde,agbc,hiad,hgc,hgi,hiad->e",
    "chd,bde,agbc,hiad,bdi,cgh,agdb->e",
    "bdhe,acad,hiab,agac,hibd->e",
    // The benchmark suite's multi-operand cases, and the issue's.
    "bi,ij,bj->b",
    "bi,ij,jk->bk",
    "pi,qj,ijkl,rk,sl->pqrs",
};

} // namespace einsum::test

#endif // EINSUM_UNITTESTS_PATH_OPTEINSUMCASES_H
