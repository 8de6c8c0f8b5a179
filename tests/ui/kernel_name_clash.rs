// `crate` is `crate_` in Rust (it cannot be a raw identifier), so these two kernels
// would be one function: msp! says so, naming both, instead of rustc pointing into the
// expansion.
msp::msp!(
    r#"
@compile
def crate(x: int) -> int:
    return x

@compile
def crate_(x: int) -> int:
    return x + 1
"#
);

fn main() {}
