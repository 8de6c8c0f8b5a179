// `.shape[k]` names an axis the array has, with a literal `k`.
msp::msp!(
    r#"
@compile
def f(a: Int[:][3], k: int) -> i64:
    return a.shape[2]

@compile
def g(a: Int[:], k: int) -> i64:
    return a.shape[k]
"#
);

fn main() {}
