/* SPDX-License-Identifier: MIT */
/*
** The parts of complex arrays: a.real and a.imag are views of dtype
** float32 (complex64) or float64 (complex128) on the same buffer, with the
** same strides (in bytes) and the offset of the part: writing through them
** writes the complex array, as in NumPy.
*/
#include "lu_internal.h"

int lu_complex_part(lu_ctx *ctx, lu_array *out, const lu_array *a, int imag) {
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (lu_dtype_kind(a->dtype) != 'c')
    return lu_seterr(ctx, LU_ETYPE, "%s: %s array has no complex parts", imag ? "imag" : "real",
                     lu_dtype_name(a->dtype));
  lu_array_share(out, a);
  out->dtype = lu_real_of(a->dtype);
  if (imag) out->offset += lu_dtype_size(out->dtype);
  lu_array_update(out);
  return LU_OK;
}
