# ERROR-AT: 7
# ERROR-HAS: f64

@compile
def f(x: f64) -> float:
    y = 1.5
    y = x
    return y
