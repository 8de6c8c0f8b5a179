# `while True:` never falls through, unless a `break` leaves it.
# ERROR-AT: 7
# ERROR-HAS: can reach its end without returning

@compile
def f(x: int) -> int:
    while True:
        x += 1
        if x > 10:
            break
