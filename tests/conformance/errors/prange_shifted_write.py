# A prange body that writes an array may access it only at the loop variable's own index:
# out[i - 1] is another iteration's element.
# ERROR-AT: 9
# ERROR-HAS: `out` is written in this `prange` body, so every access to it must index one axis with the loop variable `i` itself

@compile
def shift(out: I32[:]) -> None:
    for i in prange(1, len(out)):
        out[i] = out[i - 1]
