/* SPDX-License-Identifier: MIT */
/*
** The text loaders' number parsers give strtod's double, bit for bit:
** lu_parse_double (convert), lu_scan_double (loadtxt's fast path) and the
** Eisel-Lemire core lu_decimal_to_double (which may decline, never differ),
** on random decimal strings of 1 to 19 significant digits over the whole
** exponent range (subnormals, overflow, zero), in several spellings (signs,
** e/E, leading and trailing zeros, a decimal point anywhere), on halfway
** cases between two doubles and the strings one unit either side, on the
** neighbourhoods of powers of ten and of the normal/subnormal/overflow
** boundaries, and on %.17g / %.18e renderings of random doubles, which
** must also give the double back. glibc's strtod is correctly rounded.
** LUNAR_PARSE_CASES sets the number of random cases (default 14e6, three in
** four of them decimal strings, one in four rendered doubles),
** LUNAR_PARSE_SEED the seed. Prints counts; exits non-zero on a mismatch.
*/
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_decimal.h"
#include "lu_textio.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) {   /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}
static int64_t rnd_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

static uint64_t bits_of(double d) { uint64_t b; memcpy(&b, &d, sizeof b); return b; }
static double of_bits(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }

static long long n_strings, n_mismatch, n_core, n_core_done, n_roundtrip;

static void report(const char *what, const char *s, double got, double want) {
  if (n_mismatch++ < 30)
    printf("MISMATCH %s \"%s\": got %.17g (%016llx), strtod %.17g (%016llx)\n", what, s, got,
           (unsigned long long)bits_of(got), want, (unsigned long long)bits_of(want));
}

/* s through both parsers against strtod; the double strtod gives */
static double check_string(const char *s) {
  size_t n = strlen(s);
  char *end;
  double want = strtod(s, &end), got;
  const char *q;
  n_strings++;
  if (*end != '\0') { printf("BAD TEST STRING \"%s\"\n", s); n_mismatch++; return want; }
  got = of_bits(0x7ff8dead0000beefu);
  if (!lu_parse_double(s, s + n, &got)) { report("lu_parse_double failed", s, got, want); return want; }
  if (bits_of(got) != bits_of(want)) report("lu_parse_double", s, got, want);
  got = of_bits(0x7ff8dead0000beefu);
  q = lu_scan_double(s, s + n, &got);
  if (q != s + n) report("lu_scan_double end", s, got, want);
  else if (bits_of(got) != bits_of(want)) report("lu_scan_double", s, got, want);
  return want;
}

/* the core on (-1)^neg * w * 10^q, against strtod of the same number */
static void check_core(uint64_t w, int q, int neg) {
  char s[64];
  double got, want;
  snprintf(s, sizeof s, "%s%llue%d", neg ? "-" : "", (unsigned long long)w, q);
  want = strtod(s, NULL);
  n_core++;
  if (lu_decimal_to_double(w, q, neg, &got)) {
    n_core_done++;
    if (bits_of(got) != bits_of(want)) report("lu_decimal_to_double", s, got, want);
  }
}

/* w * 10^q written in one of several spellings into s */
static void spell(char *s, size_t cap, uint64_t w, int q, int neg, unsigned style) {
  char dig[24], body[96];
  int nd, pos, i, k = 0;
  const char *sign = neg ? "-" : ((style >> 4) & 1) ? "+" : "";
  const char *ech = ((style >> 5) & 1) ? "E" : "e";
  snprintf(dig, sizeof dig, "%llu", (unsigned long long)w);
  nd = (int)strlen(dig);
  switch (style & 7) {
  case 0:   /* d.ddde+X */
  case 1: {
    int x = q + nd - 1;
    body[k++] = dig[0];
    if (nd > 1 || (style & 8)) body[k++] = '.';
    for (i = 1; i < nd; i++) body[k++] = dig[i];
    if (style & 8) body[k++] = '0';   /* a trailing zero */
    k += snprintf(body + k, sizeof body - (size_t)k, "%s%s%02d", ech, x < 0 ? "-" : ((style >> 6) & 1) ? "+" : "", x < 0 ? -x : x);
    break;
  }
  case 2:   /* ddde-X */
    k = snprintf(body, sizeof body, "%s%s%d", dig, ech, q);
    break;
  case 3:   /* leading zeros, then digits, a point somewhere, an exponent */
  case 4: {
    int lead = (int)rnd_in(0, 3);
    pos = (int)rnd_in(0, nd);
    for (i = 0; i < lead; i++) body[k++] = '0';
    for (i = 0; i < nd; i++) { if (i == pos) body[k++] = '.'; body[k++] = dig[i]; }
    if (pos == nd) body[k++] = '.';
    k += snprintf(body + k, sizeof body - (size_t)k, "%s%d", ech, q + (nd - pos));
    break;
  }
  default:  /* plain decimals when short enough: 0.000ddd, ddd.dd, ddd000 */
    if (q >= 0 && q + nd <= 40) {
      k = snprintf(body, sizeof body, "%s", dig);
      for (i = 0; i < q; i++) body[k++] = '0';
      if (style & 8) { body[k++] = '.'; body[k++] = '0'; }
    } else if (q < 0 && -q < nd) {
      pos = nd + q;
      for (i = 0; i < nd; i++) { if (i == pos) body[k++] = '.'; body[k++] = dig[i]; }
    } else if (q < 0 && -q - nd <= 30) {
      body[k++] = '0';
      body[k++] = '.';
      for (i = 0; i < -q - nd; i++) body[k++] = '0';
      for (i = 0; i < nd; i++) body[k++] = dig[i];
    } else {
      k = snprintf(body, sizeof body, "%s%s%d", dig, ech, q);
    }
    break;
  }
  body[k] = '\0';
  snprintf(s, cap, "%s%s", sign, body);
}

static void check_decimal(uint64_t w, int q, int neg) {
  char s[128];
  spell(s, sizeof s, w, q, neg, (unsigned)rnd());
  check_string(s);
  check_core(w, q, neg);
}

/* a random mantissa of exactly nd digits */
static uint64_t rnd_digits(int nd) {
  uint64_t lo = 1, w;
  int i;
  for (i = 1; i < nd; i++) lo *= 10;
  w = lo + rnd() % (lo * 9 + (nd == 20 ? 0 : 0));
  return w;
}

/* %.17g and %.18e of d, which must give d back, and their last digit +-1..3 */
static void check_double(double d) {
  static const char *fmts[] = {"%.17g", "%.18e", "%.16e", "%.15g"};
  char s[64];
  int f;
  for (f = 0; f < 4; f++) {
    double back;
    snprintf(s, sizeof s, fmts[f], d);
    back = check_string(s);
    if (f < 2) {
      n_roundtrip++;
      if (bits_of(back) != bits_of(d)) report("round trip", s, back, d);
    }
  }
  {
    /* the %.18e string's neighbours: mantissa +-1..3 in the last place */
    char *e;
    uint64_t w = 0;
    int x, k, neg = d < 0;
    const char *p;
    snprintf(s, sizeof s, "%.18e", d);
    p = s + neg;
    for (; *p && *p != 'e'; p++) if (*p != '.') w = w * 10 + (uint64_t)(*p - '0');
    x = (int)strtol(p + 1, &e, 10) - 18;
    for (k = -3; k <= 3; k++) if (k) check_decimal(w + (uint64_t)k, x, neg);
  }
}

/* halfway points O * 2^j between two doubles (O odd, 2^53 < O < 2^54) whose
** decimal form has at most 19 digits, and one unit either side */
static long long n_halfway;
static void check_halfways(void) {
  static const unsigned __int128 one = 1;
  int a, j, t;
  for (a = 0; a <= 23; a++) {
    unsigned __int128 p5 = 1;
    for (t = 0; t < a; t++) p5 *= 5;
    for (t = 0; t < 400; t++) {
      /* O = r * 5^a, odd, in (2^53, 2^54) */
      unsigned __int128 lo = ((one << 53) + p5) / p5, hi = ((one << 54) - 1) / p5, r, O;
      if (hi < lo) break;
      r = lo + (unsigned __int128)(rnd() % (uint64_t)(hi - lo + 1));
      if (!(r & 1)) r = r + 1 <= hi ? r + 1 : r - 1;
      if (r < lo) continue;
      O = r * p5;
      for (j = -3; j <= 70; j++) {
        unsigned __int128 N;
        int q = 0, k;
        if (j >= 0) {
          if (j > 73) break;
          N = O << j;
        } else {
          N = O;
          for (k = 0; k < -j; k++) N *= 5;
          q = j;
        }
        while (N % 10 == 0) { N /= 10; q++; }
        if (N >= (unsigned __int128)10000000000000000000u) continue;
        n_halfway++;
        for (k = 0; k < 3; k++) {
          check_decimal((uint64_t)N, q, (int)(rnd() & 1));
          if (N * 10 < (unsigned __int128)10000000000000000000u) {
            check_decimal((uint64_t)(N * 10 - 1), q - 1, k & 1);
            check_decimal((uint64_t)(N * 10 + 1), q - 1, k & 1);
          }
        }
      }
    }
  }
}

int main(void) {
  long long ncases = 14000000, i;
  const char *e = getenv("LUNAR_PARSE_CASES");
  int nd, q;
  if (e) ncases = atoll(e);
  if ((e = getenv("LUNAR_PARSE_SEED")) != NULL) rng_state = strtoull(e, NULL, 0);

  /* fixed strings: zeros, boundaries, famous hard cases */
  {
    static const char *fixed[] = {
      "0", "-0", "0.0", "-0.000", "0e-999", "-0e+999", "000000000000000000000000.0000",
      "1", "-1", "+1", "1e0", "1E+0", "10", "0.1", "1e22", "1e23", "-1e23", "8.5", "9007199254740993",
      "9007199254740992", "9007199254740995", "18014398509481985", "18014398509481986",
      "1.7976931348623157e308", "1.7976931348623158e308", "1.797693134862315807e308",
      "1.797693134862315808e308", "1.797693134862315708e308", "1.7976931348623159e308", "1e309",
      "2.2250738585072014e-308", "2.2250738585072013e-308", "2.2250738585072011e-308",
      "2.2250738585072009e-308", "2.225073858507201e-308", "2.2250738585072012e-308",
      "4.9406564584124654e-324", "4.9406564584124655e-324", "2.4703282292062327e-324",
      "2.4703282292062328e-324", "2.470328229206232720e-324", "2.470328229206232721e-324",
      "1e-324", "3e-324", "5e-324", "1e-400", "9.999999999999999999e-343", "1e-342",
      "9999999999999999999", "9999999999999999999e-19", "1000000000000000000e-18",
      "1844674407370955161", "1.844674407370955161e19", "7450580596923828125e-27",
      "5.000000000000000000e-01", "3.000000000000000000e+00", "1.000000000000000056e-01",
      "0.30000000000000004", "2.5e-1", "123456789012345678e-5", "0.000000000000000000000001234",
      "4.35679E-10", "9.2233720368547758e18", "1.8446744073709551615e19",
      "6.9294956446009195e15", "3.0540316421152556e-312", "1.2345678901234567e-310",
    };
    for (i = 0; i < (long long)(sizeof fixed / sizeof *fixed); i++) check_string(fixed[i]);
  }
  /* boundaries and their neighbours: DBL_MAX, DBL_MIN, the largest and
  ** smallest subnormals, powers of two and of ten */
  {
    double b[] = {DBL_MAX, DBL_MIN, of_bits(0x000fffffffffffffu), of_bits(1), of_bits(2), 1.0, 2.0,
                  0x1p-1022 * 3, 0x1p1023, 0x1p-1000, 0x1p-1070};
    for (i = 0; i < (long long)(sizeof b / sizeof *b); i++) {
      double d = b[i];
      int k;
      for (k = 0; k < 50; k++) { check_double(d); check_double(-d); d = nextafter(d, 0); }
      d = b[i];
      for (k = 0; k < 50 && isfinite(d); k++) { check_double(d); d = nextafter(d, INFINITY); }
    }
    for (q = -330; q <= 310; q++) {
      /* 10^q: 1, 10...0 and 99...9 of every length, around it */
      for (nd = 1; nd <= 19; nd++) {
        uint64_t p10 = 1;
        int k;
        for (k = 1; k < nd; k++) p10 *= 10;
        check_decimal(p10, q - nd + 1, 0);
        check_decimal(p10 * 10 - 1, q - nd, 0);
        if (nd > 1) check_decimal(p10 + 1, q - nd + 1, 1);
      }
      check_double(strtod("1e0", NULL) * pow(10.0, q));
    }
  }
  check_halfways();

  /* more than 19 significant digits (strtod's), with leading zeros too */
  for (i = 0; i < 300000; i++) {
    char s[96];
    snprintf(s, sizeof s, "%s%.*s%llu.%llue%d", (i & 1) ? "-" : "", (int)(i % 4), "0000",
             (unsigned long long)rnd_digits((int)rnd_in(1, 19)), (unsigned long long)rnd_digits((int)rnd_in(1, 19)),
             (int)rnd_in(-340, 310));
    check_string(s);
  }

  /* the random cases */
  for (i = 0; i < ncases; i++) {
    switch (i % 4) {
    case 0: case 1:   /* 1..19 digits, exponents over the whole range */
      nd = (int)rnd_in(1, 19);
      q = (int)rnd_in(-345, 310) - nd + 1;
      check_decimal(rnd_digits(nd), q, (int)(rnd() & 1));
      break;
    case 2:            /* 17..19 digits, the common magnitudes */
      nd = (int)rnd_in(17, 19);
      q = (int)rnd_in(-30, 30) - nd + 1;
      check_decimal(rnd_digits(nd), q, (int)(rnd() & 1));
      break;
    default: {         /* a random double (every finite bit pattern), rendered */
      uint64_t b;
      do b = rnd(); while (((b >> 52) & 0x7ff) == 0x7ff);
      if (i % 8 == 7) b = (b & 0x800fffffffffffffu) | ((uint64_t)rnd_in(1000, 1046) << 52);   /* near 1 */
      {
        static const char *fmts[] = {"%.17g", "%.18e"};
        char s[64];
        double back;
        snprintf(s, sizeof s, fmts[(i >> 2) & 1], of_bits(b));
        back = check_string(s);
        n_roundtrip++;
        if (bits_of(back) != b) report("round trip", s, back, of_bits(b));
      }
      break;
    }
    }
  }
  printf("test_parse_double: %lld strings through lu_parse_double and lu_scan_double, "
         "%lld of them round trips of %%.17g/%%.18e; %lld halfway points; "
         "lu_decimal_to_double decided %lld of %lld (mantissa, exponent) pairs, declined the rest; "
         "%lld mismatches\n",
         n_strings, n_roundtrip, n_halfway, n_core_done, n_core, n_mismatch);
  return n_mismatch != 0;
}
