// `:` extents are for parameters; a local array with one is refused at its annotation.
msp::msp!(
    r#"
@compile
def f(a: F32[:]) -> f32:
    tmp: F32[:]
    return a[0]
"#
);

fn main() {}
