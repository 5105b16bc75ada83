# SPDX-License-Identifier: MIT
# Compares the figures two runs of an example printed ("name = number"
# lines): compare.py LUNAR_OUT TWIN_OUT RTOL [name=ATOL ...]
# A figure agrees when |a - b| <= max(RTOL * |b|, ATOL, 1e-12); a figure
# given an ATOL is compared against it alone; an ATOL written "Kse" is K
# standard errors of the difference, sqrt(se_a^2 + se_b^2), from the
# figures NAME_se of both sides (Monte Carlo estimates). Prints one line per figure and
# exits 1 when one differs or is missing on either side. Standard library only.
import re, sys

def figures(path):
    out = {}
    for line in open(path):
        m = re.match(r"^(\w+) = (\S+)\s*$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out

a, b = figures(sys.argv[1]), figures(sys.argv[2])
rtol = float(sys.argv[3])
atol = dict(s.split("=") for s in sys.argv[4:])
bad = 0
if not b:
    print("  the twin printed no figures"); bad = 1
for k in sorted(set(a) | set(b)):
    if k not in a or k not in b:
        print("  %-24s missing on the %s side" % (k, "lunar" if k not in a else "twin"))
        bad = 1
        continue
    if k in atol and atol[k].endswith("se"):
        se = k + "_se"
        tol = float(atol[k][:-2]) * (a.get(se, 0) ** 2 + b.get(se, 0) ** 2) ** 0.5
    else:
        tol = float(atol[k]) if k in atol else max(rtol * abs(b[k]), 1e-12)
    ok = abs(a[k] - b[k]) <= tol
    bad |= not ok
    print("  %-24s lunar %-20.12g twin %-20.12g %s (tol %.3g)" %
          (k, a[k], b[k], "ok" if ok else "DIFFERS", tol))
sys.exit(1 if bad else 0)
