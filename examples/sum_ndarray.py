# Multi-dimensional arrays have extents known at compile time and are indexed a[i, j].
@compile
def sum_ndarray(arr: Int[3][3]) -> int:
    acc = 0
    i = 0
    while i < 3:
        j = 0
        while j < 3:
            acc = acc + arr[i, j]
            j = j + 1
        i = i + 1
    return acc
