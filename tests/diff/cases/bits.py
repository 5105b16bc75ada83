# SPDX-License-Identifier: MIT
"""packbits and unpackbits (lua/bits.lua) against NumPy: every integer
dtype and bool, every axis, padding of the last byte, both bit orders,
count (more, fewer, negative, zero), and the errors."""
import numpy as np

import common as C
from common import A

INTS = ["bool", "int8", "uint8", "int32", "int64", "uint16"]


def pack_cases(add):
    for dt in INTS:
        for shape in ((11,), (3, 9), (2, 3, 8)):
            a = A(dt, shape, dom="pos" if dt.startswith("u") else "any")
            add(C.call_case("packbits", [a], np.packbits))
            for ax in range(1, len(shape) + 1):
                add(C.call_case("packbits", [a, ax], lambda x, k: np.packbits(x, axis=k - 1)))
            add(C.call_case("packbits", [a, -1, "little"], lambda x, k, o: np.packbits(x, axis=-1, bitorder=o)))
    add(C.call_case("packbits", [A("float64", (4,))], np.packbits))
    add(C.call_case("packbits", [A("int8", (4,)), {"bitorder": "middle"}], lambda x, kw: np.packbits(x, **kw)))


def unpack_cases(add):
    for shape in ((5,), (3, 2), (2, 3, 2)):
        a = A("uint8", shape, dom="pos")
        add(C.call_case("unpackbits", [a], np.unpackbits))
        for ax in range(1, len(shape) + 1):
            add(C.call_case("unpackbits", [a, ax], lambda x, k: np.unpackbits(x, axis=k - 1)))
        for count in (0, 3, 9, -3, -100, 100):
            add(C.call_case("unpackbits", [a, -1, count], lambda x, k, c: np.unpackbits(x, axis=-1, count=c)))
        add(C.call_case("unpackbits", [a, {"count": 5, "bitorder": "little"}],
                        lambda x, kw: np.unpackbits(x, **kw)))
    add(C.call_case("unpackbits", [A("int8", (4,))], np.unpackbits))


def cases(tables):
    out = []
    pack_cases(out.append)
    unpack_cases(out.append)
    return [x for x in out if x]
