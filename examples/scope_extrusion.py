# A quote escapes the generator that built it, through a global, and is spliced into a
# kernel staged later. Its free name `x` is bound by that later kernel's parameter.

last_seen = None

def remember_and_return_two():
    global last_seen
    last_seen = q("x + 1")
    return q("2")

@compile
def f(x: int) -> int:
    return splice(remember_and_return_two())

@compile
def g(x: int) -> int:
    return splice(last_seen) * 10
