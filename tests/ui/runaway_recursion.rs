msp::msp!(
    r#"
def forever(n):
    return forever(n + 1)

@compile
def f(x: int) -> int:
    return splice(forever(0))
"#
);

fn main() {}
