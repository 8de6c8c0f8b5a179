# A fault in generated code names the kernel line where the code landed, then the
# chain that brought it there: the quote that built the faulting code and each splice.
# RUN: f(iota, 3)
# RESULT: 2
# RUN: f(iota, 0)
# ERROR-AT: 20
# ERROR-HAS: zero
# ERROR-HAS: generated code: quoted at
# ERROR-HAS: fault_in_generated_code.py:13:12, spliced into the quote built at
# ERROR-HAS: fault_in_generated_code.py:16:12, spliced into the kernel at

def ratio(d):
    return q("a[3] // splice(d)")

def twice(e):
    return q("splice(e) + splice(e)")

@compile
def f(a: Int[4], d: int) -> int:
    return splice(twice(ratio(q("d"))))
