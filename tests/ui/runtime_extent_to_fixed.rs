// An array with a `:` extent cannot be passed where a kernel wants a fixed one.
msp::msp!(
    r#"
@compile
def first(a: Int[4]) -> int:
    return a[0]

@compile
def f(a: Int[:]) -> int:
    return first(a)
"#
);

fn main() {}
