/* SPDX-License-Identifier: MIT */
/* Decimal to binary64 conversion without strtod (Eisel-Lemire); lu_decimal.c */
#ifndef LU_DECIMAL_H
#define LU_DECIMAL_H

#include <stdint.h>

/* (-1)^neg * w * 10^q correctly rounded (to nearest, ties to even) into
** *out: 1 when done, 0 when the caller must ask strtod (the truncated
** power of five cannot decide the rounding, q outside the table, or the
** result subnormal or overflowing). w = 0 gives a signed zero. */
int lu_decimal_to_double(uint64_t w, int64_t q, int neg, double *out);

#endif
