msp::msp!(
    r#"
@compile
def f(x: int) -> int:
    return x +* 2
"#
);

fn main() {}
