// The wrapper of a kernel over `F32[:]` takes slices of `f32`, not of another type.
msp::msp!(
    r#"
@compile
def total(a: F32[:]) -> f32:
    s: f32 = 0
    for i in range(len(a)):
        s += a[i]
    return s
"#
);

fn main() {
    let v = vec![1.0f64, 2.0];
    let _ = total(&v[..]);
}
