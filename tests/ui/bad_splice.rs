msp::msp!(
    r#"
def table():
    return {"a": 1}

@compile
def f(x: int) -> int:
    return x + splice(table())
"#
);

fn main() {}
