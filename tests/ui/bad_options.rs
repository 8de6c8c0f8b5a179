msp::msp!(file = "no/such/file.py");

mod a {
    msp::msp!("@compile\ndef f() -> int:\n    return 1\n", optimise = 3);
}

mod b {
    msp::msp!();
}

fn main() {}
