# Kernels call C functions declared by typed stubs; here libc's putchar.
@extern
def putchar(c: int) -> int: ...

@compile
def show(cells: Int[3][3]) -> None:
    i = 0
    while i < 3:
        j = 0
        while j < 3:
            putchar(cells[i, j])
            putchar(32)
            j = j + 1
        putchar(10)
        i = i + 1
