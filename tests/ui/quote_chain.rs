// A type error in generated code names where the quote was built and where it was spliced.
msp::msp!(
    r#"
def bad(v):
    return q("v + undefined_name")

@compile
def f(x: int) -> int:
    return splice(bad(q("x")))
"#
);

fn main() {}
