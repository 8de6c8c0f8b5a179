msp::msp!(
    r#"
@compile
def f(x: f64) -> int:
    y: int = 0
    y = x * 2.0
    return y
"#
);

fn main() {}
