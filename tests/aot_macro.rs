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

#[test]
fn staged_power() {
    assert_eq!(power::power10(2), Ok(1024));
    assert_eq!(power::power10(3), Ok(59049));
    assert_eq!(power::cube(-4), Ok(-64));
}

#[test]
fn same_kernel_names_in_two_invocations() {
    assert_eq!(power_again::power10(2.0), 1024.0);
    assert_eq!(power_again::cube(1 << 20), 1 << 60);
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
#[should_panic(expected = "argument `src` of kernel `transpose` has 15 elements")]
fn wrong_length_panics() {
    let src = [0.0f32; 15];
    let mut dst = [0.0f32; 16];
    let _ = transpose::transpose(&src[..], &mut dst);
}

#[test]
fn checked_faults_name_kernel_and_line() {
    let a = [10, 20, 30, 40];
    assert_eq!(faults::peek(&a, -1), Ok(40));
    let err = faults::peek(&a, 4).unwrap_err();
    assert_eq!(err.kernel, "peek");
    assert!(err.location.ends_with("aot_macro.rs:48:14"), "{err}");
    assert!(err.message.contains("index 4 is out of range"), "{err}");
    let err = faults::div(1, 0).unwrap_err();
    assert!(err.to_string().contains("division by zero"), "{err}");
    assert_eq!(faults::div(-7, 2), Ok(-4));
    let mut v = [1.0, 2.0, 3.0];
    assert_eq!(faults::scale(&mut v, 2.0), Ok(true));
    assert_eq!(v, [2.0, 4.0, 6.0]);
}
