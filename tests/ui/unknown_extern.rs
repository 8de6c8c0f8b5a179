msp::msp!(
    r#"
@extern
def frobnicate_the_widgets(x: int) -> int: ...

@compile
def f(x: int) -> int:
    return frobnicate_the_widgets(x)
"#
);

fn main() {}
