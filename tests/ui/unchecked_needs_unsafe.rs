// A kernel without run-time checks is an `unsafe fn`: a safe call is refused.
msp::msp!(
    r#"
@compile(unchecked=True)
def poke(a: Int[4], i: int) -> None:
    a[i] = 7
"#
);

fn main() {
    let _ = poke(&mut [0i32; 4], -100000000);
}
