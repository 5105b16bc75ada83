/* SPDX-License-Identifier: MIT */
/*
** Decimal to binary64: w * 10^q for a 64-bit w, by the Eisel-Lemire method.
**
** 5^q = T * 2^s with T real in [2^127, 2^128); lu_pow5_table.h holds
** floor(T) (tools/gen_pow5.py writes it) and s = floor(q log2 10) - q - 127.
** With w' = w << lz normalised to [2^63, 2^64):
**   w * 10^q = X * 2^(s + q - lz),   X = w' * T in [2^190, 2^192).
** The code forms Y = w' * floor(T) exactly (192 bits). Since
** 0 <= T - floor(T) < 1, Y <= X < Y + w' < Y + 2^64, and Y == X when the
** entry is exact (0 <= q <= 55). Rounding X to 53 bits only looks at which
** multiple of 2^(u-53) lies below it (u: X's top bit, 190 or 191): the
** result cannot change between two of them. When Y's bits from 64 to u-54
** are not all ones, [Y, Y + 2^64) holds no multiple above Y, so X and Y
** round alike; X is then not a tie either (X > Y when inexact), and the
** rounding is half-up on Y's top 54 bits. When they are all ones, the
** function gives up and strtod decides (about 2^-73 of random inputs).
** The same test covers the case Y < 2^191 <= X (Y's bits 64..190 are all
** ones). Exact entries (0 <= q <= 55) round Y itself, ties to even.
** Subnormal and overflowing results, and q outside the table, are left to
** strtod; so is everything on compilers without a 128-bit integer type.
*/
#include <string.h>
#include "lu_decimal.h"
#include "lu_pow5_table.h"

int lu_decimal_to_double(uint64_t w, int64_t q, int neg, double *out) {
#ifdef __SIZEOF_INT128__
  typedef unsigned __int128 u128;
  const uint64_t *t;
  u128 a, b;
  uint64_t y0, y1, y2, mask, m, bits;
  int lz, u, sh;
  int64_t e;
  if (w == 0) {
    bits = (uint64_t)(neg != 0) << 63;
    memcpy(out, &bits, sizeof bits);
    return 1;
  }
  if (q < LU_POW5_QMIN || q > LU_POW5_QMAX) return 0;
  lz = __builtin_clzll(w);
  w <<= lz;
  t = lu_pow5_table[q - LU_POW5_QMIN];
  a = (u128)w * t[0];                       /* w' * high half, weight 2^64 */
  b = (u128)w * t[1];                       /* w' * low half */
  y0 = (uint64_t)b;
  y1 = (uint64_t)a + (uint64_t)(b >> 64);
  y2 = (uint64_t)(a >> 64) + (y1 < (uint64_t)a);
  u = (int)(y2 >> 63) + 190;                /* Y's top bit */
  sh = u - 53 - 128;                        /* the half bit's place in y2: 9 or 10 */
  mask = ((uint64_t)1 << sh) - 1;           /* y2's bits under the half bit */
  m = y2 >> sh;                             /* 54 bits: 53 and the half bit */
  if (q >= 0 && q <= 55) {
    /* Y == X: ties to even */
    if ((m & 1) && (y2 & mask) == 0 && y1 == 0 && y0 == 0) m = (m >> 1) + ((m >> 1) & 1);
    else m = (m + 1) >> 1;
  } else {
    if ((y2 & mask) == mask && y1 == UINT64_MAX) return 0;   /* undecided */
    m = (m + 1) >> 1;
  }
  /* the binary exponent: w * 10^q = (X / 2^u) * 2^e, X / 2^u in [1, 2);
  ** (q * 217706) >> 16 is floor(q log2 10) over the table (gen_pow5.py
  ** checks it; >> of a negative number is arithmetic on gcc and clang) */
  e = (int64_t)u - 127 + ((q * 217706) >> 16) - lz;
  if (e < -1022) return 0;                  /* subnormal or zero: strtod */
  if (m == (uint64_t)1 << 53) { m >>= 1; e++; }
  if (e > 1023) return 0;                   /* overflow: strtod gives inf */
  bits = ((uint64_t)(neg != 0) << 63) | ((uint64_t)(e + 1023) << 52) | (m & (((uint64_t)1 << 52) - 1));
  memcpy(out, &bits, sizeof bits);
  return 1;
#else
  (void)w; (void)q; (void)neg; (void)out;
  return 0;
#endif
}
