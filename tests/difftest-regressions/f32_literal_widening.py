# `float(0.1)` is the f32 nearest 0.1; widened to f64 it stays that value
# (0.10000000149011612), as `f64(float(x))` does for a variable.
# RUN: widen(0.0)
# RESULT: 0.10000000149011612

@compile
def widen(y: f64) -> f64:
    x: f64 = float(0.1)
    return x + y
