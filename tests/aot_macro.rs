//! `msp!` end to end: kernels compiled while rustc builds this test, linked in through
//! `global_asm!`, called through the generated safe wrappers. No build script.

mod power {
    msp::msp!(
        r#"
def power(n, x):
    if n == 0:
        return q("1")
    return q("splice(power(n - 1, x)) * splice(x)")

@compile
def power10(x: int) -> int:
    return splice(power(10, q("x")))

@compile
def cube(y: int) -> int:
    return splice(power(3, q("y")))
"#
    );
}

// A second invocation with kernels of the same names: symbols must not collide.
mod power_again {
    msp::msp!(
        r#"
@compile
def power10(x: f64) -> f64:
    return x ** 10

@compile
def cube(y: i64) -> i64:
    return y * y * y
"#,
        unchecked
    );
}

mod transpose {
    msp::msp!(file = "tests/kernels/transpose.py", define(n = 4));
}

// Arrays whose extents the caller passes.
mod runtime {
    msp::msp!(
        r#"
@compile
def dot(x: F64[:], y: F64[:]) -> f64:
    s: f64 = 0
    for i in range(len(x)):
        s += x[i] * y[i]
    return s

@compile
def rows(m: I32[:][3], out: I64[:]) -> None:
    for r in range(len(m)):
        out[r] = m[r, 0] + m[r, 1] + m[r, 2]

@compile
def grid(g: I32[:][:]) -> i64:
    return g.shape[0] * 100 + g.shape[1]

@compile
def psum(a: I64[:]) -> i64:
    s: i64 = 0
    for i in prange(len(a)):
        s += a[i]
    return s
"#
    );
}

mod faults {
    msp::msp!(
        r#"
@compile
def peek(a: Int[4], i: int) -> int:
    return a[i]

@compile
def div(a: int, b: int) -> int:
    return a // b

@compile
def scale(a: F64[3], k: f64) -> bool:
    for i in range(3):
        a[i] = a[i] * k
    return a[0] > 1.0
"#
    );
}

// Parameter names that Rust spells alike (`self` and `self_`, a keyword), or like the
// wrapper's own locals and the extents of `a`: each gets a name of its own.
mod names {
    msp::msp!(
        r#"
@compile
def crate(a: I64[:], self: int, self_: int, type: int, __msp_fault: int, __msp_ret: int, __msp_extents_a: int, a_dim0: int, fault: int) -> i64:
    a[0] = 9
    return len(a) * 100000000 + self * 10000000 + self_ * 1000000 + type * 100000 + __msp_fault * 10000 + __msp_ret * 1000 + __msp_extents_a * 100 + a_dim0 * 10 + fault
"#
    );
}

#[test]
fn staged_power() {
    assert_eq!(power::power10(2), Ok(1024));
    assert_eq!(power::power10(3), Ok(59049));
    assert_eq!(power::cube(-4), Ok(-64));
}

#[test]
fn same_kernel_names_in_two_invocations() {
    // SAFETY: the unchecked kernels index nothing and divide by nothing.
    unsafe {
        assert_eq!(power_again::power10(2.0), Ok(1024.0));
        assert_eq!(power_again::cube(1 << 20), Ok(1 << 60));
    }
    assert_eq!(power::cube(3), Ok(27));
}

#[test]
fn transpose_from_a_file() {
    let src: [[f32; 4]; 4] = std::array::from_fn(|i| std::array::from_fn(|j| (i * 4 + j) as f32));
    let mut dst = [[0.0f32; 4]; 4];
    transpose::transpose(&src, &mut dst).unwrap();
    for i in 0..4 {
        for j in 0..4 {
            assert_eq!(dst[i][j], src[j][i]);
        }
    }
    // Flat arrays and slices work too.
    let flat: Vec<f32> = (0..16).map(|x| x as f32).collect();
    let mut out = [0.0f32; 16];
    transpose::transpose(flat.as_slice(), &mut out).unwrap();
    assert_eq!(out[1], 4.0);
}

#[test]
fn wrong_length_is_an_error() {
    let src = [0.0f32; 15];
    let mut dst = [0.0f32; 16];
    let err = transpose::transpose(&src[..], &mut dst).unwrap_err();
    assert!(
        matches!(
            err,
            msp::CallError::Length {
                expected: 16,
                got: 15,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "argument `src` of `transpose` has 15 elements; the kernel's array `Float[4][4]` needs 16"
    );
}

#[test]
fn checked_faults_name_kernel_and_line() {
    let a = [10, 20, 30, 40];
    assert_eq!(faults::peek(&a, -1), Ok(40));
    let msp::CallError::Fault(err) = faults::peek(&a, 4).unwrap_err() else {
        panic!("a fault")
    };
    assert_eq!(err.kernel, "peek");
    assert!(err.location.ends_with("aot_macro.rs:78:14"), "{err}");
    assert!(err.message.contains("index 4 is out of range"), "{err}");
    let err = faults::div(1, 0).unwrap_err();
    assert!(err.to_string().contains("division by zero"), "{err}");
    assert_eq!(faults::div(-7, 2), Ok(-4));
    let mut v = [1.0, 2.0, 3.0];
    assert_eq!(faults::scale(&mut v, 2.0), Ok(true));
    assert_eq!(v, [2.0, 4.0, 6.0]);
}

#[test]
fn runtime_extents() {
    let x: Vec<f64> = (1..=5).map(f64::from).collect();
    assert_eq!(runtime::dot(&x, &x), Ok(55.0));
    assert_eq!(runtime::dot(&x[..0], &x[..0]), Ok(0.0));
    // The shorter second array faults at the access, naming the kernel and line.
    let err = runtime::dot(&x[..], &x[..3]).unwrap_err();
    assert!(
        err.to_string()
            .contains("index 3 is out of range for axis 0 of extent 3"),
        "{err}"
    );
    let m = [[1, 2, 3], [4, 5, 6]];
    let mut out = vec![0i64; 2];
    runtime::rows(&m[..], &mut out).unwrap();
    assert_eq!(out, [6, 15]);
    // A flat buffer that is not a whole number of rows is an error, not a panic.
    let flat = [1i32; 7];
    assert!(matches!(
        runtime::rows(&flat[..], &mut out),
        Err(msp::CallError::Shape { .. })
    ));
    let data = vec![0i32; 12];
    assert_eq!(
        runtime::grid(&msp::Shaped::new(&data, [3, 4]).unwrap()),
        Ok(304)
    );
    assert!(matches!(
        runtime::grid(&data[..]),
        Err(msp::CallError::Shape { .. })
    ));
    // A parallel loop in a kernel compiled by `msp!` (the runtime comes from msp-rt).
    let v: Vec<i64> = (0..100_000).collect();
    assert_eq!(runtime::psum(&v), Ok(v.iter().sum::<i64>()));
    // ndarray (feature `ndarray`): the view's shape gives the extents; a strided view
    // is an error, not a silent copy.
    let a = ndarray::Array2::<i32>::zeros((5, 2));
    assert_eq!(runtime::grid(&a.view()), Ok(502));
    assert!(matches!(
        runtime::grid(&a.t()),
        Err(msp::CallError::Shape { .. })
    ));
}

#[test]
fn parameter_names_rust_spells_alike() {
    let mut a = [0i64; 3];
    assert_eq!(names::crate_(&mut a, 1, 2, 3, 4, 5, 6, 7, 8), Ok(312345678));
    assert_eq!(a, [9, 0, 0]);
}
