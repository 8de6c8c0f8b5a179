# A kernel with a return type whose end is reachable is an error at its last statement
# (it used to compile and return 0).
# ERROR-AT: 8
# ERROR-HAS: `f` can reach its end without returning an `int`

@compile
def f(x: int) -> int:
    x = x + 1
