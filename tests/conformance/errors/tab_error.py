# An `if` indented with a tab and its body with eight spaces: CPython raises TabError
# (the two are as deep with tabs of 8, not with tabs of 1); msp refuses it too.
# ERROR-AT: 9
# ERROR-HAS: inconsistent use of tabs and spaces in indentation

@compile
def f(x: int) -> int:
	if x > 0:
        return 1
	return 0
