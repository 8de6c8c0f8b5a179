# The seed's staged power: the generator unrolls x ** 10 into multiplications.
def power(n, x):
    if n == 0:
        return q("1")
    return q("splice(x) * splice(power(n - 1, x))")

@compile
def power10(x: int) -> int:
    return splice(power(10, q("x")))
