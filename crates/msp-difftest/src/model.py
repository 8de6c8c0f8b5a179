# The Python model of msp's kernel semantics, prepended to every batch of generated
# programs. Python's own arithmetic is exact; these helpers put back what fixed widths
# do: wrap-around, f32 rounding after each operation, saturating float->int casts,
# IEEE results of float division by zero, shifts by the width or more.
import math
import struct
import sys

sys.setrecursionlimit(10000)


class _Goto(Exception):
    pass


# Set when a fault leaves a `prange` loop: with several threads, chunks after the
# faulting one may have written their elements, so the arrays are not compared then.
_PF = [False]


def _id(x):
    return x


class _A(list):
    # A kernel array: nested lists, row-major, with its extents (`a.shape[k]` of the
    # kernel; an axis of extent 0 leaves no inner list to measure).
    __slots__ = ('shape',)


def _arr(shape, rows):
    a = _A(rows)
    a.shape = tuple(shape)
    return a


def _bd(b):
    return struct.unpack('<d', struct.pack('<Q', b))[0]


def _f32(x):
    try:
        return struct.unpack('<f', struct.pack('<f', x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _i2f32(n):
    # Correct rounding of an integer to f32 (float(n) first would round twice).
    if -(1 << 53) <= n <= (1 << 53):
        return _f32(float(n))
    s = -1.0 if n < 0 else 1.0
    m = -n if n < 0 else n
    sh = m.bit_length() - 24
    q = m >> sh
    r = m - (q << sh)
    h = 1 << (sh - 1)
    if r > h or (r == h and q & 1):
        q += 1
    return _f32(s * float(q << sh))


def _mk(bits, signed):
    mask = (1 << bits) - 1
    if signed:
        top = 1 << (bits - 1)
        lo, hi = -top, top - 1

        def w(x):
            x &= mask
            return x - (1 << bits) if x >= top else x
    else:
        lo, hi = 0, mask

        def w(x):
            return x & mask

    def s(x):
        if x != x:
            return 0
        if x == math.inf:
            return hi
        if x == -math.inf:
            return lo
        t = int(x)
        return lo if t < lo else hi if t > hi else t

    def shl(x, n):
        return 0 if n >= bits else w(x << n)

    def shr(x, n):
        if n >= bits:
            return -1 if x < 0 else 0
        return x >> n

    return w, s, shl, shr


for _name, _bits, _signed in [('i8', 8, 1), ('i16', 16, 1), ('i32', 32, 1), ('i64', 64, 1),
                              ('u8', 8, 0), ('u16', 16, 0), ('u32', 32, 0), ('u64', 64, 0)]:
    _w, _s, _l, _r = _mk(_bits, _signed)
    globals()['_w_' + _name] = _w
    globals()['_s_' + _name] = _s
    globals()['_shl_' + _name] = _l
    globals()['_shr_' + _name] = _r


def _fdiv(a, b):
    if b == 0:
        if a != a or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _ffd(a, b):
    # Python's floor division; by zero, the IEEE quotient (floor of +-inf or nan).
    if b == 0:
        return _fdiv(a, b)
    return a // b


def _fmd(a, b):
    if b == 0:
        return math.nan
    return a % b


def _powf(x, n, r):
    # `**` with a constant exponent is repeated multiplication (square and multiply).
    m = -n if n < 0 else n
    acc = None
    sq = x
    while m > 0:
        if m & 1:
            acc = sq if acc is None else r(acc * sq)
        m >>= 1
        if m > 0:
            sq = r(sq * sq)
    v = 1.0 if acc is None else acc
    if n < 0:
        v = r(_fdiv(1.0, v))
    return v


def _sqrt(x):
    if x != x or x < 0:
        return math.nan
    return math.sqrt(x)


def _finite(x):
    return x == x and x not in (math.inf, -math.inf)


def _round(x):
    return float(round(x)) if _finite(x) else x


def _floor(x):
    return float(math.floor(x)) if _finite(x) else x


def _ceil(x):
    return float(math.ceil(x)) if _finite(x) else x


def _trunc(x):
    return float(math.trunc(x)) if _finite(x) else x


def _c(v, t):
    if t == 'bool':
        return 'True' if v else 'False'
    if t == 'f32':
        return 'nan' if v != v else 'f' + struct.pack('>f', v).hex()
    if t == 'f64':
        return 'nan' if v != v else 'd' + struct.pack('>d', v).hex()
    return str(v)


def _flat(x):
    if isinstance(x, list):
        for y in x:
            yield from _flat(y)
    else:
        yield x


def _run(pid, src, name, cases, rt, arrays):
    g = dict(globals())
    try:
        exec(src, g)
    except Exception as e:
        for i, _ in cases:
            print(pid, i, 'MODELERR:compile:' + type(e).__name__ + ':' + str(e).replace('\n', ' '))
        return
    fn = g[name]
    for i, args in cases:
        _PF[0] = False
        try:
            r = fn(*args)
            out = 'R:' + _c(r, rt)
        except ZeroDivisionError:
            out = 'FAULT'
        except IndexError:
            # An index outside -extent..extent-1 (the kernel's fault; msp says FAULT,
            # the suffix only tells a regression case which message to expect).
            out = 'FAULT:index'
        except RecursionError:
            out = 'MODELERR:recursion'
        except Exception as e:
            out = 'MODELERR:' + type(e).__name__ + ':' + str(e).replace('\n', ' ')
        if out.startswith('FAULT') and _PF[0]:
            out += '~par'
        if not out.startswith('MODELERR'):
            # The arrays after the call, or after the fault: what the kernel wrote
            # before it stopped stays written.
            for k, t in arrays:
                out += '|' + ','.join(_c(x, t) for x in _flat(args[k]))
        print(pid, i, out)
    sys.stdout.flush()
