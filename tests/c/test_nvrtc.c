/* SPDX-License-Identifier: MIT */
/*
** Every row of the op table, for every dtype of the table, compiles with
** NVRTC: the contiguous and the strided kernel, plus scalar-operand and
** mixed-dtype variants. Needs no GPU (it compiles for a virtual
** architecture, compute_90 unless LUNAR_NVRTC_ARCH says otherwise), so CI
** runs it. Prints the NVRTC log of any failure; exits non-zero on one.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LUNAR_HAVE_CUDA
/* One program per op row: every variant is checked by the front end
** (-fdevice-syntax-only, fast), and the same-dtype all-array kernels are
** also compiled to PTX; LUNAR_NVRTC_FULL=1 compiles every variant fully. */
int main(void) {
  const char *arch = getenv("LUNAR_NVRTC_ARCH") ? getenv("LUNAR_NVRTC_ARCH") : "compute_90";
  int full_all = getenv("LUNAR_NVRTC_FULL") != NULL;
  int op, d, lay, m, fails = 0, programs = 0, kernels = 0, nfull = 0, skipped = 0, maj = 0, mnr = 0;
  nvrtcVersion(&maj, &mnr);
  for (op = 0; op < LU_NOPS; op++) {
    int nin = lu_ops[op].nin;
    lu_sb b, f;
    lu_sb_init(&b);
    lu_sb_init(&f);
    nseen = 0;
    lu_sb_puts(&b, lu_embedded_text[0].text);
    lu_cg_common(&b);
    lu_sb_puts(&f, lu_embedded_text[0].text);
    lu_cg_common(&f);
    for (d = 0; d < LU_NDTYPES; d++) {
      for (lay = 0; lay < 2; lay++) {
        lu_cg_sig s;
        /* all arrays; then each input a scalar in turn (not all at once) */
        for (m = 0; m <= nin; m++) {
          int mask = m == 0 ? 0 : 1 << (m - 1);
          if (nin == 1 && m == 1) continue;   /* no array operand at all */
          if (!make_sig(&s, op, d, lay, mask, -1)) { if (m == 0 && lay == 0) skipped++; continue; }
          if (add_kernel(&b, &s)) {
            kernels++;
            if (m == 0 && lu_cg_kernel(&f, &s)) nfull++;
          }
        }
        /* mixed storage: every input of another dtype than the compute one,
        ** and the result stored to bool and to float64 */
        if (make_sig(&s, op, d, lay, 0, LU_BOOL)) {
          int k;
          for (k = 0; k < nin; k++)
            if (!(lu_ops[op].rule == LU_R_WHERE && k == 0))
              s.in_dt[k] = (d + 3 + k) % LU_NDTYPES;
          if (add_kernel(&b, &s)) kernels++;
          s.out_dt = LU_FLOAT64;
          if (add_kernel(&b, &s)) kernels++;
        }
      }
    }
    if (!lu_sb_ok(&b) || !lu_sb_ok(&f)) { printf("FAIL %s: out of memory\n", lu_ops[op].name); return 1; }
    programs++;
    if (!compile(b.text, arch, lu_ops[op].name, !full_all)) fails++;
    else if (!full_all && !compile(f.text, arch, lu_ops[op].name, 0)) fails++;
    lu_sb_free(&b);
    lu_sb_free(&f);
  }
  printf("test_nvrtc: NVRTC %d.%d, %s: %d op rows, %d kernels checked (%d compiled to PTX), "
         "%d op x dtype pairs without an expression, %d failures\n", maj, mnr, arch, programs,
         kernels, full_all ? kernels : nfull, skipped, fails);
  return fails ? 1 : 0;
}
#endif
