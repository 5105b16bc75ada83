/* SPDX-License-Identifier: MIT */
/*
** Text files (textio.c): the options of loadtxt/genfromtxt and savetxt.
** Part of the array API (lu_api.h includes it).
*/
#ifndef lu_textio_h
#define lu_textio_h

#include "lu_types.h"

#define LU_TEXT_MAXUSE 1024     /* usecols entries */
#define LU_TEXT_MAXCOMMENTS 8

typedef struct lu_text_opts {
  int gen;                      /* genfromtxt: a missing or bad field is filled */
  char delim;                   /* 0: runs of blanks */
  int ncomments;
  const char *comments[LU_TEXT_MAXCOMMENTS];
  int64_t skip;                 /* lines skipped first (skiprows, skip_header) */
  int64_t max_rows;             /* rows of data; -1: all */
  int nuse;                     /* 0: every column */
  const int64_t *use;           /* 0-based, negative from the end */
  lu_dtype dt;
  int has_fill;
  double filling;               /* genfromtxt's filling_values (NaN; -1 for integers) */
  int names;                    /* genfromtxt names=true: the first line names the columns */
  char *header;                 /* out: that line (malloc'd; the caller frees) */
} lu_text_opts;

/* A (rows, columns) array on dev from a text file (gzip read directly). */
int lu_loadtxt(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_text_opts *o,
               lu_device dev);

typedef struct lu_savetxt_opts {
  int nfmt;                     /* 1: one format for every column, else one per column */
  const char *const *fmt;       /* printf-like conversions, checked: flags, width,
                                   precision, one of d i o u x X e E f F g G s */
  const char *delimiter, *newline, *header, *footer, *comments;
} lu_savetxt_opts;
/* a 1-d or 2-d array; gzip when path ends in ".gz" */
int lu_savetxt(lu_ctx *ctx, const char *name, const char *path, const lu_array *a,
               const lu_savetxt_opts *o);
/* tofile and fromfile with a separator */
int lu_tofile_text(lu_ctx *ctx, const char *name, const char *path, const lu_array *a,
                   const char *sep, const char *format);
int lu_fromfile_text(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_dtype dt,
                     int64_t count, const char *sep, int64_t offset, lu_device dev);
/* the number of conversions in a format; 0 when it is not a valid one */
int lu_format_count(const char *fmt, int *count);
/* a float in [s, e), blanks around it allowed; 1 on success */
int lu_parse_double(const char *s, const char *e, double *out);
/* the loaders' fast path: a float at p (blanks before it allowed) not
** reaching past e, the text NUL-terminated at or after e; its end, or NULL */
const char *lu_scan_double(const char *p, const char *e, double *out);

/* a whole file (gzip read directly), NUL-terminated, mapped or read;
** lu_text_free gives it back */
int lu_text_read(lu_ctx *ctx, const char *name, const char *path, char **buf, size_t *len,
                 int *mapped);
void lu_text_free(char *p, size_t len, int mapped);
/* one field [s, e) into dst as dtype dt, as loadtxt reads it; 1 on success */
int lu_text_convert(const char *s, const char *e, lu_dtype dt, void *dst);
/* lunar.fromregex (regexio.c): the matches of the POSIX extended regular
** expression `pattern` (Python's \d \s \w ... translated) in text[0, len);
** per_group: ndt == the groups, one 1-d array each; else one array of
** dts[0], (matches,) for one group (or none: the whole match), (matches,
** groups) for more. *nout gets the arrays written to outs. */
int lu_fromregex(lu_ctx *ctx, lu_array *outs, const char *name, const char *text, size_t len,
                 const char *pattern, const lu_dtype *dts, int ndt, int per_group,
                 lu_device dev, int *nout);
#define LU_REGEX_MAXGROUPS 32

#endif
