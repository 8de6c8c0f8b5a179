//! End-to-end tests of the kernel compiler through the driver: IR snapshots, the typed
//! and dynamic call APIs, faults, externs, and threads.

use msp_core::driver::Compiler;
use msp_core::jit::{CallArg, CallError, ScalarValue, Shaped, ShapedMut, SignatureError};

fn jit(src: &str) -> msp_core::jit::JitModule {
    match Compiler::new().jit_source("t.py", src) {
        Ok(m) => m,
        Err(e) => panic!("compile failed:\n{}", e.rendered),
    }
}

fn compile_error(src: &str) -> String {
    match Compiler::new().jit_source("t.py", src) {
        Ok(_) => panic!("expected a compile error"),
        Err(e) => e.rendered,
    }
}

/// The lines of the function `@{symbol}` in `ir`, from its `define` to its closing brace
/// (exclusive), joined by newlines.
/// The IR of the kernel `symbol` and of the checked copies of its loops, which are
/// functions of their own (`symbol.checkedN`).
fn function_body(ir: &str, symbol: &str) -> String {
    let (own, copies) = (format!("@{symbol}("), format!("@{symbol}.checked"));
    let mut out = Vec::new();
    let mut inside = false;
    for l in ir.lines() {
        if l.starts_with("define") && (l.contains(&own) || l.contains(&copies)) {
            inside = true;
        }
        if inside {
            if l == "}" {
                inside = false;
            } else {
                out.push(l);
            }
        }
    }
    out.join("\n")
}

/// IR without the parts that depend on the machine (target triple, layout, CPU attributes).
fn portable_ir(ir: &str) -> String {
    ir.lines()
        .filter(|l| {
            !l.starts_with("target ")
                && !l.starts_with("attributes #")
                && !l.starts_with("; ModuleID")
                && !l.starts_with("source_filename")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ir_snapshot_of_add3() {
    let ir = Compiler::new()
        .ir_source(
            "add3.py",
            "@compile\ndef add3(n: int) -> int:\n    return n + 1 + 1 + 1\n",
            false,
        )
        .expect("compiles");
    insta::assert_snapshot!("add3_unoptimized", portable_ir(&ir));
    let opt = Compiler::new()
        .ir_source(
            "add3.py",
            "@compile\ndef add3(n: int) -> int:\n    return n + 1 + 1 + 1\n",
            true,
        )
        .expect("compiles");
    assert!(
        opt.contains("add i32 %0, 3") || opt.contains("add i32 %n, 3"),
        "the additions fold:\n{opt}"
    );
}

#[test]
fn ir_snapshot_of_a_checked_array_load() {
    let src = "@compile\ndef peek(a: Int[8], i: int) -> int:\n    return a[i]\n";
    let ir = Compiler::new()
        .ir_source("peek.py", src, false)
        .expect("compiles");
    insta::assert_snapshot!("peek_unoptimized", portable_ir(&ir));
}

#[test]
fn calls_carry_the_callees_extension_attributes() {
    // A callee may rely on its caller having extended a small integer (the C ABI's
    // `zeroext`/`signext`): every call site, kernel or extern, says what it did.
    let src = "@extern\ndef putchar(c: int) -> int: ...\n\n\
               @extern\ndef toy(c: i8) -> u16: ...\n\n\
               @compile\ndef inner(x: u8, y: i16, b: bool) -> i8:\n    return i8(x)\n\n\
               @compile\ndef outer(x: u8) -> int:\n    return int(inner(x + 1, i16(3), True)) + int(toy(i8(x)))\n";
    let ir = Compiler::new()
        .ir_source("calls.py", src, false)
        .expect("compiles");
    let call_of = |name: &str| {
        ir.lines()
            .find(|l| l.contains(" call ") && l.contains(&format!("@{name}(")))
            .unwrap_or_else(|| panic!("a call of {name} in:\n{ir}"))
            .to_string()
    };
    let inner = call_of("inner");
    assert!(
        inner.contains("call signext i8 @inner(i8 zeroext")
            && inner.contains("i16 signext")
            && inner.contains("i8 zeroext 1"),
        "kernel call site: {inner}"
    );
    let toy = call_of("toy");
    assert!(
        toy.contains("call zeroext i16 @toy(i8 signext"),
        "extern call site: {toy}"
    );
}

#[test]
fn unchecked_kernels_have_no_fault_branches() {
    let src = "@compile\ndef peek(a: Int[8], i: int) -> int:\n    return a[i]\n";
    let checked = Compiler::new()
        .ir_source("peek.py", src, true)
        .expect("compiles");
    let unchecked = Compiler::new()
        .unchecked(true)
        .ir_source("peek.py", src, true)
        .expect("compiles");
    assert!(
        checked.contains("store i32 1, ptr %"),
        "checked stores a fault:\n{checked}"
    );
    assert!(
        !unchecked.contains("store i32 1, ptr %"),
        "unchecked has no fault path:\n{unchecked}"
    );
}

#[test]
fn loop_free_modules_get_the_short_pipeline_and_the_same_code() {
    let src = "def power(n, x):\n    if n == 0:\n        return q(\"1\")\n    return q(\"splice(x) * splice(power(n - 1, x))\")\n\n@compile\ndef p10(x: int) -> int:\n    return splice(power(10, q(\"x\")))\n";
    let program = Compiler::new().check_source("p.py", src).expect("checks");
    assert!(!msp_core::codegen::has_loops(&program.checked));
    let m = Compiler::new()
        .dump_ir(true)
        .jit_source("p.py", src)
        .expect("compiles");
    let p10 = m.kernel::<(i32,), i32>("p10").expect("p10");
    assert_eq!(p10.call((3,)).expect("runs"), 59049);
    // As default<O3> does: x**10 in four multiplications.
    let ir = m.report().ir_optimized.as_deref().unwrap_or("");
    let muls = function_body(ir, "msp.p10")
        .lines()
        .filter(|l| l.contains(" mul "))
        .count();
    assert_eq!(muls, 4, "{ir}");
    // A loop, a for, or a label anywhere (even inside an if) selects default<O3>.
    for body in [
        "    while x > 0:\n        x -= 1\n    return x\n",
        "    if x > 0:\n        for i in range(3):\n            x += i\n    return x\n",
        "    label(\"a\")\n    return x\n",
    ] {
        let src = format!("@compile\ndef f(x: int) -> int:\n{body}");
        let program = Compiler::new().check_source("f.py", &src).expect("checks");
        assert!(msp_core::codegen::has_loops(&program.checked), "{src}");
    }
}

#[test]
fn jit_kernels_are_internal_unless_the_ir_is_dumped() {
    // A kernel called by another and by the host, and one that faults through a call.
    let src = "@compile\ndef sq(x: int) -> int:\n    return x * x\n\n@compile\ndef f(a: Int[3], i: int) -> int:\n    return sq(a[i]) + 1\n";
    let m = jit(src);
    let sq = m.kernel::<(i32,), i32>("sq").expect("sq");
    let f = m.kernel::<(&[i32; 3], i32), i32>("f").expect("f");
    assert_eq!(sq.call((7,)).expect("runs"), 49);
    assert_eq!(f.call((&[1, 2, 3], 2)).expect("runs"), 10);
    assert!(
        f.call((&[1, 2, 3], 3)).is_err(),
        "the fault still comes back"
    );
    // Asked for the IR, the user sees each kernel as its own function.
    let dumped = Compiler::new()
        .dump_ir(true)
        .jit_source("t.py", src)
        .expect("compiles");
    let ir = dumped.report().ir_optimized.as_deref().unwrap_or("");
    assert!(ir.contains("@msp.sq("), "{ir}");
    assert!(ir.contains("define") && ir.contains("@msp.f("), "{ir}");
}

#[test]
fn jit_trampolines_inline_their_kernel_before_optimizing() {
    // The trampoline's call carries `alwaysinline`, so O3 simplifies each kernel's loops
    // once, inside the trampoline; an `inline=False` kernel keeps a plain call.
    use inkwell::context::Context;
    use msp_core::codegen::{self, CodegenOptions};
    let src = "@compile\ndef f(n: int) -> int:\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n\n\
               @compile(inline=False)\ndef g(n: int) -> int:\n    return n + 1\n";
    let program = Compiler::new()
        .check_source("t.py", src)
        .unwrap_or_else(|e| panic!("{}", e.rendered));
    let ir = codegen::with_host_target_machine(3, |tm| {
        let ctx = Context::create();
        let opts = CodegenOptions {
            internal_kernels: true,
            ..CodegenOptions::default()
        };
        let module = codegen::emit_module(&ctx, &program.checked, tm, &opts).expect("lowers");
        module.print_to_string().to_string()
    })
    .expect("target machine");
    let call_line = |k: &str| {
        ir.lines()
            .find(|l| l.contains(" call ") && l.contains(&format!(".{k}(")))
            .unwrap_or_else(|| panic!("a call of {k}:\n{ir}"))
            .to_string()
    };
    let group_of = |line: &str| line.rsplit('#').next().unwrap_or("").trim().to_string();
    let attrs_of = |group: &str| {
        ir.lines()
            .find(|l| l.starts_with(&format!("attributes #{group} = ")))
            .unwrap_or("")
            .to_string()
    };
    let f_call = call_line("f");
    assert!(
        f_call.contains('#') && attrs_of(&group_of(&f_call)).contains("alwaysinline"),
        "{f_call}\n{ir}"
    );
    let g_call = call_line("g");
    assert!(
        !g_call.contains('#') || !attrs_of(&group_of(&g_call)).contains("alwaysinline"),
        "{g_call}\n{ir}"
    );
    let m = jit(src);
    let f = m.kernel::<(i32,), i32>("f").expect("f");
    assert_eq!(f.call((10,)).expect("runs"), 45);
}

#[test]
fn inline_false_keeps_a_kernel_out_of_line() {
    // Two equal one-line kernels, each called once: O3 inlines `sq` and keeps the call
    // to `sq_kept`, whose function carries LLVM's `noinline`. `name=` renames a kernel.
    let src = "@compile\ndef sq(x: int) -> int:\n    return x * x\n\n\
               @compile(inline=False)\ndef sq_kept(x: int) -> int:\n    return x * x\n\n\
               @compile(name=\"f_1\")\ndef f(x: int) -> int:\n    return sq(x) + sq_kept(x + 1)\n";
    let m = Compiler::new()
        .dump_ir(true)
        .jit_source("t.py", src)
        .expect("compiles");
    let f = m.kernel::<(i32,), i32>("f_1").expect("named f_1");
    assert_eq!(f.call((3,)).expect("runs"), 25);
    assert!(
        m.kernel::<(i32,), i32>("f").is_err(),
        "the def's name is not the kernel's"
    );
    let ir = m.report().ir_optimized.as_deref().unwrap_or("");
    let body = function_body(ir, "msp.f_1");
    assert!(body.contains("call i32 @msp.sq_kept("), "{ir}");
    assert!(!body.contains("@msp.sq("), "{ir}");
    let kept = ir
        .lines()
        .find(|l| l.starts_with("define") && l.contains("@msp.sq_kept("))
        .expect("sq_kept defined");
    let group = kept.rsplit('#').next().unwrap_or("").trim_end_matches(" {");
    let attrs = ir
        .lines()
        .find(|l| l.starts_with(&format!("attributes #{group} = ")))
        .unwrap_or("");
    assert!(attrs.contains("noinline"), "{kept}\n{attrs}");
    // Without the IR dump the kernels are internal (the JIT's usual case): same results.
    let m = jit(src);
    let f = m.kernel::<(i32,), i32>("f_1").expect("named f_1");
    assert_eq!(f.call((4,)).expect("runs"), 41);
}

#[test]
fn while_loops_are_emitted_rotated() {
    // The condition is tested before the loop and at the bottom (where `continue`
    // goes); `else` runs when the condition fails, first time or later, not on `break`.
    let src = "@compile\ndef f(n: int, stop: int) -> int:\n    i = 0\n    s = 0\n    while i < n:\n        i += 1\n        if i == stop:\n            break\n        if i % 2 == 0:\n            continue\n        s += i\n    else:\n        s += 1000\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    assert!(ir.contains("while.latch:"), "rotated loop:\n{ir}");
    let m = jit(src);
    let f = m.kernel::<(i32, i32), i32>("f").expect("signature");
    let python = |n: i32, stop: i32| {
        let (mut i, mut s) = (0, 0);
        while i < n {
            i += 1;
            if i == stop {
                return s;
            }
            if i % 2 == 0 {
                continue;
            }
            s += i;
        }
        s + 1000
    };
    for (n, stop) in [(0, -1), (1, -1), (7, -1), (7, 4), (7, 1), (-3, 0)] {
        assert_eq!(
            f.call((n, stop)).expect("runs"),
            python(n, stop),
            "f({n}, {stop})"
        );
    }
}

#[test]
fn range_loops_are_emitted_rotated_with_their_counters_in_the_entry_block() {
    // Nested `for` loops: each hidden counter is a static alloca (an alloca inside the
    // outer loop would take new stack on every pass), the loop is tested at the bottom,
    // and a unit step needs no overflow test (the counter stays on this side of stop).
    let src = "@compile\ndef f(n: int, k: int) -> int:\n    s = 0\n    for i in range(n):\n        for j in range(i, n, 3):\n            s += j\n            if j == k:\n                break\n        else:\n            s += 100\n        for j in range(n, i, -1):\n            if j % 2 == 0:\n                continue\n            i = j\n            s += i\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let mut blocks = ir.split("\n\n").filter(|b| b.contains("alloca"));
    let entry = blocks.next().unwrap_or("");
    assert!(
        entry.contains("range.i"),
        "counters in the entry block:\n{ir}"
    );
    assert!(
        blocks.next().is_none(),
        "allocas only in the entry block:\n{ir}"
    );
    let overflow_tests = ir
        .matches("call { i32, i1 } @llvm.sadd.with.overflow")
        .count();
    assert_eq!(
        overflow_tests, 1,
        "only the step-3 loop tests for overflow:\n{ir}"
    );
    assert!(
        ir.lines()
            .any(|l| l.contains("label %for.body") && l.contains("br i1 %more")),
        "{ir}"
    );
    let m = jit(src);
    let f = m.kernel::<(i32, i32), i32>("f").expect("signature");
    let python = |n: i32, k: i32| {
        let mut s = 0;
        for i in 0..n {
            let mut broke = false;
            for j in (i..n).step_by(3) {
                s += j;
                if j == k {
                    broke = true;
                    break;
                }
            }
            if !broke {
                s += 100;
            }
            for j in (i + 1..=n).rev() {
                if j % 2 == 0 {
                    continue;
                }
                s += j;
            }
        }
        s
    };
    for (n, k) in [(0, 0), (1, 0), (5, -1), (7, 3), (9, 6), (-2, 0)] {
        assert_eq!(f.call((n, k)).expect("runs"), python(n, k), "f({n}, {k})");
    }
}

#[test]
fn range_loops_stop_at_the_ends_of_their_type() {
    // Unit steps up to the largest value and down to the smallest, and a step that
    // would pass the end: each loop ends there instead of wrapping around.
    let src = "@compile\ndef up(a: u8) -> int:\n    c = 0\n    for i in range(a, u8(255)):\n        c += 1\n    return c\n\n\
               @compile\ndef down(a: i8) -> int:\n    c = 0\n    for i in range(a, i8(-128), -1):\n        c += 1\n    return c\n\n\
               @compile\ndef big(a: i8) -> int:\n    c = 0\n    for i in range(a, i8(127), 50):\n        c += 1\n    return c\n";
    let m = jit(src);
    let up = m.kernel::<(u8,), i32>("up").expect("up");
    let down = m.kernel::<(i8,), i32>("down").expect("down");
    let big = m.kernel::<(i8,), i32>("big").expect("big");
    for a in [0u8, 1, 200, 254, 255] {
        assert_eq!(up.call((a,)).expect("runs"), 255 - i32::from(a), "up({a})");
    }
    for a in [-128i8, -127, 0, 127] {
        assert_eq!(
            down.call((a,)).expect("runs"),
            i32::from(a) + 128,
            "down({a})"
        );
    }
    for a in [-128i8, 0, 26, 27, 126, 127] {
        let want = (i32::from(a)..127).step_by(50).count() as i32;
        assert_eq!(big.call((a,)).expect("runs"), want, "big({a})");
    }
}

#[test]
fn counting_loop_steps_are_marked_no_wrap() {
    // `while v < e:` ending in `v = v + 1`, with no other write to `v`: every `v + 1`
    // in the body is `add nsw` (`nuw` unsigned), computed at 64 bits because such
    // counters are kept there. Anything else keeps a plain `add` in its own type.
    let src = "@compile\ndef f(n: int) -> int:\n    s = 0\n    i = 0\n    while i < n:\n        j = i + 1\n        while n > j:\n            s += j\n            j += 1\n        i = i + 1\n    return s\n\n\
               @compile\ndef g(n: u8) -> int:\n    c = 0\n    k = u8(0)\n    while k < n:\n        c += 1\n        k += 1\n    return c\n\n\
               @compile\ndef h(n: int) -> int:\n    c = 0\n    i = 0\n    while i < n:\n        i = i + 1\n        c += i + 1\n    while c <= n:\n        c = c + 1\n    return c\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let body = |name: &str| function_body(&ir, name);
    let (f, g, h) = (body("f"), body("g"), body("h"));
    assert_eq!(
        f.matches("add nsw i64").count(),
        3,
        "j = i + 1, j += 1, i = i + 1:\n{f}"
    );
    assert!(
        f.contains("%i = alloca i64") && f.contains("%j = alloca i64"),
        "{f}"
    );
    assert_eq!(g.matches("add nuw i64").count(), 1, "k += 1 on a u8:\n{g}");
    assert!(
        !h.contains("add nsw i32") && !h.contains("add nuw i32"),
        "{h}"
    );
    let m = jit(src);
    let f = m.kernel::<(i32,), i32>("f").expect("f");
    let g = m.kernel::<(u8,), i32>("g").expect("g");
    let h = m.kernel::<(i32,), i32>("h").expect("h");
    let tri = |n: i32| (0..n).map(|i| (i + 1..n).sum::<i32>()).sum::<i32>();
    for n in [0, 1, 5, 40] {
        assert_eq!(f.call((n,)).expect("runs"), tri(n), "f({n})");
    }
    for n in [0u8, 1, 254, 255] {
        assert_eq!(g.call((n,)).expect("runs"), i32::from(n), "g({n})");
    }
    assert_eq!(h.call((3,)).expect("runs"), 9);
}

#[test]
fn counting_loops_reach_the_largest_value_of_their_type() {
    // The counter's last step lands exactly on the type's largest value; the loop ends
    // there, and an `else` sees the final value.
    let src = "@compile\ndef top(a: int) -> int:\n    i = a\n    c = 0\n    while i < 2147483647:\n        c += 1\n        if c > 100:\n            break\n        i = i + 1\n    else:\n        return i - c\n    return -1\n\n\
               @compile\ndef top8(a: i8, stop: i8) -> int:\n    c = 0\n    while a < stop:\n        if c == 1000:\n            continue\n        c += 1\n        a += 1\n    return c * 1000 + int(a)\n";
    let m = jit(src);
    let top = m.kernel::<(i32,), i32>("top").expect("top");
    let top8 = m.kernel::<(i8, i8), i32>("top8").expect("top8");
    assert_eq!(top.call((2147483640,)).expect("runs"), 2147483640);
    assert_eq!(top.call((2147483647,)).expect("runs"), 2147483647);
    assert_eq!(top.call((0,)).expect("runs"), -1);
    for (a, stop) in [(120i8, 127i8), (-128, 127), (5, 5), (7, -3)] {
        let n = (i32::from(stop) - i32::from(a)).max(0);
        let end = i32::from(a.max(stop));
        assert_eq!(
            top8.call((a, stop)).expect("runs"),
            n * 1000 + end,
            "top8({a}, {stop})"
        );
    }
}

#[test]
fn loop_counters_within_an_axis_need_no_check() {
    // Counters whose loop bounds keep them inside the axis index without a check (and,
    // when they cannot be negative, without wrapping from the end); counters that can
    // leave it keep theirs and still fault.
    let src = "@compile\ndef tri(a: Int[8][8]) -> int:\n    s = 0\n    i = 0\n    while i < 8:\n        j = i + 1\n        while j < 8:\n            s += a[i, j] - a[j, i]\n            j = j + 1\n        i = i + 1\n    return s\n\n\
               @compile\ndef back(a: Int[8]) -> int:\n    s = 0\n    i = -3\n    while i < 5:\n        s = s * 2 + a[i]\n        i += 1\n    for k in range(2, 8, 3):\n        s += a[k]\n    return s\n\n\
               @compile\ndef over(a: Int[8], n: int) -> int:\n    s = 0\n    i = 0\n    while i < 9:\n        if i == n:\n            break\n        s += a[i]\n        i += 1\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let body = |name: &str| function_body(&ir, name);
    let (tri, back, over) = (body("tri"), body("back"), body("over"));
    assert!(!tri.contains("%oob") && !tri.contains("%fromend"), "{tri}");
    assert!(
        !back.contains("%oob") && back.contains("%fromend"),
        "{back}"
    );
    assert!(over.contains("%oob"), "{over}");
    let m = jit(src);
    let tri = m.kernel::<(&[i32; 64],), i32>("tri").expect("tri");
    let back = m.kernel::<(&[i32; 8],), i32>("back").expect("back");
    let over = m.kernel::<(&[i32; 8], i32), i32>("over").expect("over");
    let a: Vec<i32> = (0..64).map(|x| (x * 37) % 11).collect();
    let a: [i32; 64] = a.try_into().expect("64");
    let want: i32 = (0..8)
        .flat_map(|i| (i + 1..8).map(move |j| (i, j)))
        .map(|(i, j)| a[i * 8 + j] - a[j * 8 + i])
        .sum();
    assert_eq!(tri.call((&a,)).expect("runs"), want);
    let b = [3, 1, 4, 1, 5, 9, 2, 6];
    let mut want = 0;
    for i in -3i32..5 {
        want = want * 2 + b[i.rem_euclid(8) as usize];
    }
    want += b[2] + b[5];
    assert_eq!(back.call((&b,)).expect("runs"), want);
    assert_eq!(over.call((&b, 3)).expect("runs"), 8);
    assert!(over.call((&b, -1)).is_err(), "a[8] still faults");
}

#[test]
fn fast_compile_gives_the_same_results_and_faults() {
    // Its fault edges go through blocks of their own (`cold_fault_edges`): each check
    // must still record its own site, index and extent.
    let src = "@compile\ndef pick(a: I64[:], b: I32[:], i: i64, j: i64) -> i64:\n    return a[i] * 10 + i64(b[j])\n";
    for fast in [false, true] {
        let module = Compiler::new()
            .fast_compile(fast)
            .jit_source("f.py", src)
            .expect("compiles");
        let pick = module
            .kernel::<(&[i64], &[i32], i64, i64), i64>("pick")
            .expect("kernel");
        let (a, b) = ([1i64, 2, 3], [7i32, 8]);
        assert_eq!(pick.call((&a, &b, 2, -1)).unwrap(), 38);
        let e = pick.call((&a, &b, 3, 0)).unwrap_err().to_string();
        assert!(
            e.contains("index 3 is out of range for axis 0 of extent 3"),
            "{e}"
        );
        assert!(e.contains("f.py:3:14"), "{e}");
        let e = pick.call((&a, &b, 0, 5)).unwrap_err().to_string();
        assert!(
            e.contains("index 5 is out of range for axis 0 of extent 2"),
            "{e}"
        );
        assert!(e.contains("f.py:3:30"), "{e}");
    }
}

/// What the fast tier hands LLVM's level-0 code generator: each check's fault path
/// writes the record in a block of its own (no phis in a shared exit, whose copies the
/// level-0 code generator put on the hot path), and a loop's variables are SSA values
/// (phis at the loop header), which the basic register allocator keeps in registers.
#[test]
fn the_fast_tier_keeps_fault_paths_apart_and_loop_variables_in_registers() {
    let src = "@compile\ndef total(a: I64[:], b: I32[:]) -> i64:\n    s: i64 = 0\n    n: i64 = 0\n    for i in range(len(a)):\n        if a[i] > 3:\n            s += a[i] * i64(b[i])\n            n += 1\n    return s + n\n";
    let fast = || {
        let mut c = Compiler::new();
        c.fast_compile(true);
        c
    };
    let ir = fast().ir_source("f.py", src, true).expect("compiles");
    let body = function_body(&ir, "total");
    assert!(!body.contains("alloca"), "locals are SSA values:\n{body}");
    assert!(body.contains(" = phi "), "{body}");
    assert!(body.contains("fault.edge:"), "{body}");
    assert!(body.contains("store i32 3, ptr %"), "{body}"); // the site of `b[i]`
    assert!(!body.contains("\nfault:"), "{body}");
    // A sum loop's variables never touch the stack: the fast allocator copied each phi
    // through a stack slot on every back edge.
    #[cfg(target_arch = "x86_64")]
    {
        let sum = "@compile\ndef sum(a: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n";
        let asm = fast().asm_source("s.py", sum).expect("compiles");
        let code: Vec<&str> = asm
            .lines()
            .filter(|l| !l.trim_start().starts_with(['.', '#']))
            .collect();
        assert!(
            code.iter().all(|l| !l.contains("(%rsp)")),
            "{}",
            code.join("\n")
        );
    }
    // And it still faults at the access, with the index and the extent.
    let module = fast().jit_source("f.py", src).expect("compiles");
    let total = module
        .kernel::<(&[i64], &[i32]), i64>("total")
        .expect("kernel");
    assert_eq!(total.call((&[1, 5, 9], &[7, 2, 3])).unwrap(), 10 + 27 + 2);
    let e = total.call((&[1, 5, 9], &[7, 2])).unwrap_err().to_string();
    assert!(
        e.contains("index 2 is out of range for axis 0 of extent 2") && e.contains("f.py:7:31"),
        "{e}"
    );
}

/// `loop_passes(true)` under `fast_compile` adds the loop vectorizer: a filtered sum (a
/// `range` loop and a `prange` one) becomes a vector loop that is not interleaved, and
/// gives O3's results; the plain fast tier keeps it scalar. A loop with a checked access
/// still faults where it does.
#[test]
fn the_vectorizing_fast_tier_vectorizes_filter_loops_once_and_agrees_with_o3() {
    let src = "@compile\ndef filtered(d: I16[:], p: I32[:]) -> i64:\n    s: i64 = 0\n    for i in range(min(len(d), len(p))):\n        if i64(d[i]) >= 10 and i64(d[i]) < 20:\n            s += i64(p[i])\n    return s\n\n\
               @compile\ndef par(d: I16[:], p: I32[:]) -> i64:\n    s: i64 = 0\n    for i in prange(min(len(d), len(p))):\n        if i64(d[i]) < 15:\n            s += i64(p[i]) * 2\n    return s\n\n\
               @compile\ndef checked(d: I16[:], p: I32[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(d)):\n        s += i64(p[i])\n    return s\n";
    let tier = |vectorize: bool| {
        let mut c = Compiler::new();
        c.fast_compile(true).loop_passes(vectorize).threads(2);
        c
    };
    let ir = tier(true).ir_source("v.py", src, true).expect("compiles");
    for name in ["filtered", "par.par0"] {
        let body = function_body(&ir, name);
        assert!(body.contains("vector.body:"), "{name}:\n{body}");
        // One vector body: no second copy interleaved into it.
        let vector_loads =
            body.matches("load <").count() + body.matches("@llvm.masked.load").count();
        assert_eq!(vector_loads, 2, "{name}:\n{body}");
    }
    let scalar = tier(false).ir_source("v.py", src, true).expect("compiles");
    assert!(!scalar.contains("vector.body:"), "{scalar}");
    let d: Vec<i16> = (0..1003).map(|i| (i * 7 % 31) as i16).collect();
    let p: Vec<i32> = (0..1003).map(|i| i * 3 - 500).collect();
    let o3 = Compiler::new()
        .threads(2)
        .jit_source("v.py", src)
        .expect("compiles");
    let fast = tier(true).jit_source("v.py", src).expect("compiles");
    for name in ["filtered", "par"] {
        let want = o3.kernel::<(&[i16], &[i32]), i64>(name).unwrap();
        let got = fast.kernel::<(&[i16], &[i32]), i64>(name).unwrap();
        for n in [0, 1, 7, 8, 9, 100, 1003] {
            let args = (&d[..n], &p[..]);
            assert_eq!(
                got.call(args).unwrap(),
                want.call(args).unwrap(),
                "{name}, n = {n}"
            );
        }
    }
    let checked = fast.kernel::<(&[i16], &[i32]), i64>("checked").unwrap();
    assert_eq!(
        checked.call((&d[..50], &p[..])).unwrap(),
        p[..50].iter().map(|&x| i64::from(x)).sum::<i64>()
    );
    let e = checked.call((&d[..], &p[..1000])).unwrap_err().to_string();
    assert!(
        e.contains("index 1000 is out of range for axis 0 of extent 1000") && e.contains("v.py:"),
        "{e}"
    );
}

/// `@compile(fast_compile=...)` gives a kernel its own tier: the JIT compiles the two
/// tiers as two modules and links them, whichever calls which.
#[test]
fn kernels_of_two_tiers_call_each_other_and_fault_where_they_fault() {
    let src = "@compile(fast_compile=True)\ndef helper(x: i64) -> i64:\n    return x * 3\n\n\
               @compile(fast_compile=False)\ndef inner(a: I64[:], c: i64) -> i64:\n    s: i64 = 0\n    for i in range(len(a)):\n        s += a[i] * c + helper(i)\n    return s + a[c]\n\n\
               @compile(fast_compile=True)\ndef outer(a: I64[:], c: i64) -> i64:\n    return inner(a, c) + helper(1) + a[5]\n\n\
               @compile\ndef plain(x: i64) -> i64:\n    return x + 1\n";
    for default_fast in [false, true] {
        let module = Compiler::new()
            .fast_compile(default_fast)
            .jit_source("t.py", src)
            .expect("compiles");
        let mut fast = vec!["helper", "outer"];
        if default_fast {
            fast.push("plain");
        }
        assert_eq!(module.report().fast_compiled, fast);
        let outer = module
            .kernel::<(&[i64], i64), i64>("outer")
            .expect("kernel");
        let inner = module
            .kernel::<(&[i64], i64), i64>("inner")
            .expect("kernel");
        let helper = module.kernel::<(i64,), i64>("helper").expect("kernel");
        let plain = module.kernel::<(i64,), i64>("plain").expect("kernel");
        let a = [1i64, 2, 3, 4, 5, 6];
        // inner: 2 * 21 + 3 * 15 + a[2]; outer adds helper(1) and a[5].
        assert_eq!(inner.call((&a, 2)).unwrap(), 42 + 45 + 3);
        assert_eq!(outer.call((&a, 2)).unwrap(), 42 + 45 + 3 + 3 + 6);
        assert_eq!(helper.call((7,)).unwrap(), 21);
        assert_eq!(plain.call((7,)).unwrap(), 8);
        // A fault in the optimized kernel, reached through the fast one, names it.
        let e = outer.call((&a, 9)).unwrap_err().to_string();
        assert!(e.contains("inner") && e.contains("t.py:10:18"), "{e}");
        let e = outer.call((&a[..4], 1)).unwrap_err().to_string();
        assert!(e.contains("outer") && e.contains("t.py:14:40"), "{e}");
    }
    // Every kernel asking for the other tier than the compilation's: one module.
    let module = Compiler::new()
        .fast_compile(true)
        .jit_source(
            "u.py",
            "@compile(fast_compile=False)\ndef f(x: i64) -> i64:\n    return x\n",
        )
        .expect("compiles");
    assert!(module.report().fast_compiled.is_empty());
}

#[test]
fn a_counter_below_a_min_of_extents_indexes_each_without_checks() {
    // `range(min(len(a), len(b), len(c)))`: below each extent. `min(len(a), n)` bounds
    // the counter by `a`'s extent and nothing else: `b[i]` keeps its check (and faults).
    let src = "@compile\ndef all3(a: I64[:], b: I32[:], c: I8[:]) -> i64:\n    s: i64 = 0\n    for i in range(min(len(a), len(b), len(c))):\n        s += a[i] + i64(b[i]) + i64(c[i])\n    return s\n\n\
               @compile\ndef upto(a: I64[:], b: I64[:], n: i64) -> i64:\n    s: i64 = 0\n    for i in range(min(len(a), n)):\n        s += a[i] * b[i]\n    return s\n\n\
               @compile\ndef counting(a: I64[:], b: I64[:]) -> i64:\n    s: i64 = 0\n    i: i64 = 0\n    while i < min(len(a), len(b)):\n        s += a[i] - b[i]\n        i = i + 1\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let checks = |name: &str| function_body(&ir, name).matches("icmp uge i64").count();
    assert_eq!(checks("all3"), 0, "{}", function_body(&ir, "all3"));
    assert_eq!(checks("counting"), 0, "{}", function_body(&ir, "counting"));
    assert!(checks("upto") >= 1, "{}", function_body(&ir, "upto"));
    let module = Compiler::new().jit_source("f.py", src).expect("compiles");
    let all3 = module
        .kernel::<(&[i64], &[i32], &[i8]), i64>("all3")
        .expect("kernel");
    assert_eq!(
        all3.call((&[1, 2, 3], &[10, 20], &[100, -2, 3])).unwrap(),
        131
    );
    assert_eq!(all3.call((&[], &[10, 20], &[1])).unwrap(), 0);
    let counting = module
        .kernel::<(&[i64], &[i64]), i64>("counting")
        .expect("kernel");
    assert_eq!(counting.call((&[5, 7, 9], &[1, 2])).unwrap(), 9);
    let upto = module
        .kernel::<(&[i64], &[i64], i64), i64>("upto")
        .expect("kernel");
    assert_eq!(upto.call((&[1, 2, 3], &[4, 5, 6], 2)).unwrap(), 14);
    let fault = upto.call((&[1, 2, 3], &[4, 5], 9)).unwrap_err().to_string();
    assert!(fault.contains("index 2 is out of range"), "{fault}");
}

#[test]
fn a_counter_from_a_max_with_zero_indexes_without_checks() {
    // `range(max(c, 0), ...)` counts from 0 or more, whatever `c` is: below the extents
    // it indexes them unchecked. From `c` itself, which may be negative, it does not.
    let src = "@compile\ndef window(a: I64[:], b: I16[:], c: i64) -> i64:\n    s: i64 = 0\n    for i in range(max(c, 0), min(c + 16, len(a), len(b))):\n        s += a[i] + i64(b[i])\n    return s\n\n\
               @compile\ndef from_c(a: I64[:], c: i64) -> i64:\n    s: i64 = 0\n    for i in range(c, len(a)):\n        s += a[i]\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let checks = |name: &str| function_body(&ir, name).matches("icmp uge i64").count();
    assert_eq!(checks("window"), 0, "{}", function_body(&ir, "window"));
    assert!(checks("from_c") >= 1, "{}", function_body(&ir, "from_c"));
    let module = Compiler::new().jit_source("f.py", src).expect("compiles");
    let window = module
        .kernel::<(&[i64], &[i16], i64), i64>("window")
        .expect("kernel");
    assert_eq!(window.call((&[1, 2, 3], &[10, 20, 30], -5)).unwrap(), 66);
    assert_eq!(window.call((&[1, 2, 3], &[10, 20, 30], -14)).unwrap(), 33);
    assert_eq!(window.call((&[1, 2, 3], &[10, 20], 1)).unwrap(), 22);
    let from_c = module
        .kernel::<(&[i64], i64), i64>("from_c")
        .expect("kernel");
    assert_eq!(from_c.call((&[1, 2, 3], -1)).unwrap(), 3 + 1 + 2 + 3);
}

#[test]
fn an_index_masked_by_a_literal_needs_no_check_below_the_mask() {
    // `x & c` (c a literal >= 0, or an expression of literals and fixed extents) is in
    // 0..=c for any x: no check over more than c elements, and no mapping of negative
    // indexes; `x & 256` over 256 keeps its check.
    let src = "@compile\ndef lut(t: U8[256], x: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(x)):\n        s += i64(t[x[i] & 255]) + i64(t[2 * (x[i] & 127) + 1])\n    return s\n\n\
               @compile\ndef wide(t: U8[256], x: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(x)):\n        s += i64(t[x[i] & 256])\n    return s\n\n\
               @compile\ndef slots(t: I64[4096], h: u64) -> i64:\n    return t[2 * (h & u64(len(t) // 2 - 1)) + 1] + t[(h >> 40) & u64(len(t) - 1)]\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let lut = function_body(&ir, "lut");
    assert_eq!(lut.matches("icmp uge i64").count(), 0, "{lut}");
    assert!(!lut.contains("fromend"), "{lut}");
    let wide = function_body(&ir, "wide");
    assert_eq!(wide.matches("icmp uge i64").count(), 1, "{wide}");
    // Masks built from a fixed extent, through `//` and a conversion.
    let slots = function_body(&ir, "slots");
    assert_eq!(slots.matches("icmp uge i64").count(), 0, "{slots}");
    let module = Compiler::new().jit_source("f.py", src).expect("compiles");
    let t: Vec<u8> = (0..=255).collect();
    let lut = module
        .kernel::<(&[u8], &[i64]), i64>("lut")
        .expect("kernel");
    // Python: sum(t[v & 255] + t[2 * (v & 127) + 1] for v in x)
    assert_eq!(lut.call((&t, &[0, -1, 300, -129])).unwrap(), 1026);
    let wide = module
        .kernel::<(&[u8], &[i64]), i64>("wide")
        .expect("kernel");
    let fault = wide.call((&t, &[1, -1])).unwrap_err().to_string();
    assert!(fault.contains("index 256 is out of range"), "{fault}");
    let slots = module
        .kernel::<(&[i64], u64), i64>("slots")
        .expect("kernel");
    let table: Vec<i64> = (0..4096).collect();
    // Python: t[2 * (h & 2047) + 1] + t[(h >> 40) & 4095]
    let h = u64::MAX - 5;
    assert_eq!(slots.call((&table, h)).unwrap(), 4085 + 4095);
}

#[test]
fn loops_around_while_loops_are_not_versioned() {
    // A probe loop (a `while` in the body) does not vectorize: one checked copy. The same
    // loop without the `while` gets its guarded copy.
    let src = "@compile\ndef probe(keys: I64[:], vals: I64[:], table: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(keys)):\n        h = keys[i] & (len(table) - 1)\n        while table[h] != 0 and table[h] != keys[i]:\n            h = (h + 1) & (len(table) - 1)\n        s += vals[i]\n    return s\n\n\
               @compile\ndef direct(keys: I64[:], vals: I64[:], table: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(keys)):\n        s += vals[i] + table[keys[i] & (len(table) - 1)]\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let probe = function_body(&ir, "probe");
    assert!(!probe.contains("for.guarded"), "{probe}");
    let direct = function_body(&ir, "direct");
    assert!(direct.contains("for.guarded"), "{direct}");
    let module = Compiler::new().jit_source("f.py", src).expect("compiles");
    let probe = module
        .kernel::<(&[i64], &[i64], &[i64]), i64>("probe")
        .expect("kernel");
    let table = [0, 5, 9, 0];
    assert_eq!(probe.call((&[5, 9, 4], &[1, 2, 3], &table)).unwrap(), 6);
    let fault = probe.call((&[5, 9], &[1], &table)).unwrap_err();
    assert!(
        fault.to_string().contains("index 1 is out of range"),
        "{fault}"
    );
}

#[test]
fn runtime_extents_index_without_checks_where_the_loop_proves_it() {
    // `range(len(a))` indexes `a` with no check; another array at the counter is checked
    // once before the loop (the guarded copy has no check, the other copy keeps one);
    // a counting `while` up to `len(a)` from 0 needs none either; `range(n)` keeps them.
    let src = "@compile\ndef total(a: F32[:]) -> f32:\n    s: f32 = 0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n\n\
               @compile\ndef saxpy(k: f32, x: F32[:], y: F32[:]) -> None:\n    for i in range(len(y)):\n        y[i] = k * x[i] + y[i]\n\n\
               @compile\ndef count(a: I64[:]) -> i64:\n    s: i64 = 0\n    i: i64 = 0\n    while i < len(a):\n        s += a[i]\n        i = i + 1\n    return s\n\n\
               @compile\ndef upto(a: I64[:], n: i64) -> i64:\n    s: i64 = 0\n    for i in range(n):\n        s += a[i]\n    return s\n\n\
               @compile\ndef named(a: I64[:]) -> i64:\n    n = len(a)\n    s: i64 = 0\n    for i in range(n):\n        s += a[i]\n    return s\n\n\
               @compile\ndef transpose(src: F32[:][:], dst: F32[:][:]) -> None:\n    for i in range(src.shape[0]):\n        for j in range(src.shape[1]):\n            dst[j, i] = src[i, j]\n\n\
               @compile\ndef pairs(a: I64[:]) -> i64:\n    n = len(a)\n    s: i64 = 0\n    i: i64 = 0\n    while i < n:\n        j: i64 = i + 1\n        while j < n:\n            s += a[j] - a[i]\n            j = j + 1\n        i = i + 1\n    return s\n\n\
               @compile\ndef skips(a: I64[:]) -> i64:\n    n = len(a)\n    s: i64 = 0\n    i: i64 = 0\n    while i < n:\n        j: i64 = i + 2\n        while j < n:\n            s += a[j]\n            j = j + 1\n        i = i + 1\n    return s\n\n\
               @compile\ndef renamed(a: I64[:]) -> i64:\n    n = len(a)\n    n = n + 1\n    s: i64 = 0\n    for i in range(n):\n        s += a[i]\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let checks = |name: &str| function_body(&ir, name).matches("icmp uge i64").count();
    assert_eq!(checks("total"), 0, "{}", function_body(&ir, "total"));
    assert_eq!(checks("count"), 0, "{}", function_body(&ir, "count"));
    let saxpy = function_body(&ir, "saxpy");
    assert!(
        saxpy.contains("for.guarded") && saxpy.contains("for.checked"),
        "{saxpy}"
    );
    assert_eq!(
        checks("saxpy"),
        1,
        "only the checked copy tests x[i]:\n{saxpy}"
    );
    assert!(checks("upto") >= 1, "{}", function_body(&ir, "upto"));
    // A store nested in an inner loop is guarded by the outer loop too, and the inner
    // loop's own guard (its stop is an extent, the same on every entry) is tested with
    // the outer one: one guarded copy of the nest, with no check, and one checked copy
    // (the inner loop of the guarded copy is not versioned again per row).
    let transpose = function_body(&ir, "transpose");
    let blocks = transpose
        .lines()
        .filter(|l| l.starts_with("for.guarded"))
        .count();
    assert_eq!(blocks, 1, "one versioning test for the nest:\n{transpose}");
    // Checks: two, both in the checked copy.
    assert_eq!(transpose.matches("icmp uge i64").count(), 2, "{transpose}");
    // Optimized: the checked copies' loops are marked to stay rolled and scalar, and
    // so is the guarded inner loop, whose one store writes a column of `dst` at a
    // run-time stride (vectorized, eight scalar stores, and slower than the plain
    // loop), unless the target scatters (AVX-512): then it is one vector loop of eight
    // lanes, with neither a vector epilogue nor a scalar remainder. No loop is copied again for a row stride of 1.
    // Saxpy's store is contiguous: its guarded copy vectorizes.
    let opt = Compiler::new()
        .ir_source("f.py", src, true)
        .expect("compiles");
    let transpose = function_body(&opt, "transpose");
    let scatters = opt.contains("+avx512f,") || opt.contains("+avx512f\"");
    if scatters {
        assert_eq!(transpose.matches("vector.body:").count(), 1, "{transpose}");
        assert!(!transpose.contains("vec.epilog"), "{transpose}");
        assert!(
            transpose.contains("@llvm.masked.scatter.v8f32"),
            "{transpose}"
        );
        // Its last iterations are masked (no scalar remainder), and the outer loop is
        // not unrolled: besides the one scatter, the checked copy's store alone.
        assert_eq!(
            transpose.matches("@llvm.masked.scatter").count(),
            1,
            "{transpose}"
        );
        assert_eq!(transpose.matches("store float").count(), 1, "{transpose}");
    } else {
        assert_eq!(transpose.matches("vector.body:").count(), 0, "{transpose}");
        // Nor is the outer loop unrolled: one store in each copy.
        assert_eq!(transpose.matches("store float").count(), 2, "{transpose}");
    }
    let saxpy = function_body(&opt, "saxpy");
    // One vector loop (with AVX-512 LLVM adds a vector epilogue, `vec.epilog.vector.body`).
    let vector_loops = saxpy
        .lines()
        .filter(|l| l.starts_with("vector.body:"))
        .count();
    assert_eq!(vector_loops, 1, "{saxpy}");
    assert!(!transpose.contains("ident.check"), "{transpose}");
    assert!(
        opt.contains("!{!\"llvm.loop.vectorize.enable\", i1 false}")
            && opt.contains("!{!\"llvm.loop.unroll.disable\"}"),
        "{opt}"
    );
    // An inner counter from `i + 1`, `i` below a run-time extent: at least 1, below
    // `n`, no check; from `i + 2` the checker does not rule out a wrap, and checks.
    assert_eq!(checks("pairs"), 0, "{}", function_body(&ir, "pairs"));
    assert!(checks("skips") >= 1, "{}", function_body(&ir, "skips"));
    // `n = len(a)`, assigned once: as good as `len(a)`; assigned twice: not.
    assert_eq!(checks("named"), 0, "{}", function_body(&ir, "named"));
    assert!(checks("renamed") >= 1, "{}", function_body(&ir, "renamed"));

    let m = jit(src);
    // The transpose, vectorized or not, at shapes whose rows are shorter and longer
    // than a vector and not a multiple of it (the masked last iterations).
    for (rows, cols) in [(1, 1), (3, 5), (5, 3), (9, 17), (17, 8), (2, 33)] {
        let a: Vec<f32> = (0..rows * cols).map(|v| v as f32).collect();
        let mut b = vec![-1.0f32; rows * cols];
        let src = Shaped::new(&a, [rows, cols]).expect("shape");
        let mut dst = ShapedMut::new(&mut b, [cols, rows]).expect("shape");
        m.kernel::<(&Shaped<f32>, &mut ShapedMut<f32>), ()>("transpose")
            .expect("transpose")
            .call((&src, &mut dst))
            .expect("in range");
        drop(dst);
        for i in 0..rows {
            for j in 0..cols {
                assert_eq!(
                    b[j * rows + i],
                    a[i * cols + j],
                    "{rows}x{cols} at {i}, {j}"
                );
            }
        }
    }
    let saxpy = m
        .kernel::<(f32, &[f32], &mut [f32]), ()>("saxpy")
        .expect("saxpy");
    let x = [1.0, 2.0, 3.0];
    let mut y = vec![10.0; 3];
    saxpy.call((2.0, &x, &mut y)).expect("in range");
    assert_eq!(y, [12.0, 14.0, 16.0]);
    // A shorter x faults at the first iteration past its end, after the earlier ones
    // wrote their elements, naming the access.
    let mut y = vec![10.0; 5];
    let err = saxpy.call((2.0, &x, &mut y)).expect_err("x is short");
    assert!(
        err.to_string()
            .contains("t.py:11:22: index 3 is out of range for axis 0 of extent 3"),
        "{err}"
    );
    assert_eq!(y, [12.0, 14.0, 16.0, 10.0, 10.0]);
    let count = m.kernel::<(&[i64],), i64>("count").expect("count");
    assert_eq!(count.call((&[1, 2, 3, 4],)).expect("runs"), 10);
    assert_eq!(count.call((&[],)).expect("runs"), 0);
    let upto = m.kernel::<(&[i64], i64), i64>("upto").expect("upto");
    assert!(upto.call((&[1, 2], 3)).is_err(), "a[2] faults");
    let pairs = m.kernel::<(&[i64],), i64>("pairs").expect("pairs");
    // (3-1) + (4-1) + (4-3)
    assert_eq!(pairs.call((&[1, 3, 4],)).expect("runs"), 6);
    assert_eq!(pairs.call((&[],)).expect("runs"), 0);
    let skips = m.kernel::<(&[i64],), i64>("skips").expect("skips");
    assert_eq!(skips.call((&[1, 3, 4, 5],)).expect("runs"), 4 + 5 + 5);
    let named = m.kernel::<(&[i64],), i64>("named").expect("named");
    assert_eq!(named.call((&[5, 6],)).expect("runs"), 11);
    let renamed = m.kernel::<(&[i64],), i64>("renamed").expect("renamed");
    assert!(renamed.call((&[5, 6],)).is_err(), "a[2] faults");
}

#[test]
fn counting_while_loops_are_versioned_like_range_loops() {
    // The naive transpose in `while` loops over `F32[:][:]`: `src`'s first axis is
    // below `n = src.shape[0]`, its second and both of `dst`'s are other extents. One
    // test before the nest (the inner loop's guards too: its limit is a local the outer
    // loop does not assign) picks a copy without checks, else the checked copy.
    let src = "@compile\ndef transpose(src: F32[:][:], dst: F32[:][:]) -> None:\n    n = src.shape[0]\n    i: i64 = 0\n    while i < n:\n        dst[i, i] = src[i, i]\n        j: i64 = i + 1\n        while j < n:\n            dst[i, j] = src[j, i]\n            dst[j, i] = src[i, j]\n            j = j + 1\n        i = i + 1\n\n\
               @compile\ndef moving(a: I64[:], b: I64[:]) -> i64:\n    n = len(a)\n    s: i64 = 0\n    i: i64 = 0\n    while i < n:\n        s += b[i]\n        n = n - 1\n        i = i + 1\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let transpose = function_body(&ir, "transpose");
    let guarded = transpose
        .lines()
        .filter(|l| l.starts_with("while.guarded"))
        .count();
    assert_eq!(guarded, 1, "one versioning test for the nest:\n{transpose}");
    // The guarded copy's outer loop keeps its test at the top and a plain back edge
    // that tells LLVM not to unroll it by a run-time count.
    assert!(
        ir.contains("!{!\"llvm.loop.unroll.runtime.disable\"}"),
        "{ir}"
    );
    // The checked copy's checks only: src's second axis (3 accesses at `i` or `j`)
    // and dst's two axes (6), none in the guarded copy.
    assert_eq!(transpose.matches("icmp uge i64").count(), 9, "{transpose}");
    // A limit the body assigns is tested anew each time: no versioning.
    let moving = function_body(&ir, "moving");
    assert!(!moving.contains("while.guarded"), "{moving}");
    let m = jit(src);
    let k = m
        .kernel::<(&Shaped<f32>, &mut ShapedMut<f32>), ()>("transpose")
        .expect("transpose");
    let a: Vec<f32> = (0..9).map(|x| x as f32).collect();
    let mut b = vec![0.0f32; 9];
    k.call((
        &Shaped::new(&a, [3, 3]).expect("3 x 3"),
        &mut ShapedMut::new(&mut b, [3, 3]).expect("3 x 3"),
    ))
    .expect("in range");
    assert_eq!(b, [0.0, 3.0, 6.0, 1.0, 4.0, 7.0, 2.0, 5.0, 8.0]);
    // A destination with two rows: the checked copy runs and faults at `dst[j, i]`
    // with j = 2, after the elements before it were written (`dst[0, 2]` too).
    let mut b = vec![0.0f32; 6];
    let k = m
        .kernel::<(&Shaped<f32>, &mut ShapedMut<f32>), ()>("transpose")
        .expect("transpose");
    let err = k
        .call((
            &Shaped::new(&a, [3, 3]).expect("3 x 3"),
            &mut ShapedMut::new(&mut b, [2, 3]).expect("2 x 3"),
        ))
        .expect_err("dst is short");
    assert!(
        err.to_string()
            .contains("t.py:10:17: index 2 is out of range for axis 0 of extent 2"),
        "{err}"
    );
    assert_eq!(b, [0.0, 3.0, 6.0, 1.0, 0.0, 0.0]);
    let moving = m.kernel::<(&[i64], &[i64]), i64>("moving").expect("moving");
    assert_eq!(moving.call((&[0; 4], &[1, 2, 3])).expect("runs"), 3);
}

#[test]
fn tile_loops_are_versioned_by_a_multiple_of_their_counter() {
    // A staged tiling: `i = t * 4 + b * 2` with `b` in 0..2, so `i + 0` and `i + 1`
    // are `4 * t` plus 0..=3. One test before the tile loop (`n // 4 <= len / 4` for
    // each array) picks a copy without checks, else the checked copy, which faults at
    // the access where the loop would.
    let src = "@compile\ndef tiles(src: I64[:], dst: I64[:]) -> None:\n    n = u64(len(src))\n    for t in range(u64(0), n // 4):\n        for b in range(u64(0), 2):\n            i = t * 4 + b * 2\n            dst[i + 0] = src[i + 0] + 1\n            dst[i + 1] = src[i + 1] + 1\n\n\
               @compile\ndef overlap(dst: I64[:]) -> None:\n    n = u64(len(dst))\n    for t in range(u64(0), n // 4):\n        dst[t * 4 + 4] = 1\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let tiles = function_body(&ir, "tiles");
    let versioned = tiles
        .lines()
        .filter(|l| l.starts_with("for.guarded"))
        .count();
    assert_eq!(versioned, 1, "one versioning test for the nest:\n{tiles}");
    assert_eq!(
        tiles.matches("udiv i64 %").count(),
        3,
        "n // 4 and one per array:\n{tiles}"
    );
    // Four checks, all in the checked copy: both arrays at `i + 0` and `i + 1`.
    assert_eq!(tiles.matches("icmp uge i64").count(), 4, "{tiles}");
    // `t * 4 + 4` reaches the next tile: never guarded by the tile count.
    let overlap = function_body(&ir, "overlap");
    assert!(!overlap.contains("for.guarded"), "{overlap}");
    let m = jit(src);
    let k = m
        .kernel::<(&[i64], &mut [i64]), ()>("tiles")
        .expect("tiles");
    let a: Vec<i64> = (0..10).collect();
    let mut b = vec![0; 10];
    k.call((&a, &mut b)).expect("in range");
    // Two whole tiles of 4; the last two elements are not in one.
    assert_eq!(b, [1, 2, 3, 4, 5, 6, 7, 8, 0, 0]);
    let mut b = vec![0; 6];
    let err = k.call((&a, &mut b)).expect_err("dst is short");
    assert!(
        err.to_string()
            .contains("t.py:7:17: index 6 is out of range for axis 0 of extent 6"),
        "{err}"
    );
    assert_eq!(b, [1, 2, 3, 4, 5, 6]);
    let overlap = m.kernel::<(&mut [i64],), ()>("overlap").expect("overlap");
    let mut c = vec![0; 8];
    let err = overlap
        .call((&mut c,))
        .expect_err("the last tile's + 4 is past the end");
    assert!(err.to_string().contains("index 8 is out of range"), "{err}");
    assert_eq!(c, [0, 0, 0, 0, 1, 0, 0, 0]);
}

#[test]
fn checked_copies_compile_on_first_use_from_any_thread() {
    // The checked copy of the loop (`b[i]` is guarded by `len(a) <= len(b)`) is not in
    // the code the JIT loads: the first call that needs it compiles it, once, whichever
    // thread gets there first; the others wait and run the same copy.
    let src = "@compile\ndef add(a: I64[:], b: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(a)):\n        s += a[i] * b[i]\n    return s\n";
    let m = jit(src);
    assert_eq!(m.report().deferred_checked_copies, 1);
    let k = m.kernel::<(&[i64], &[i64]), i64>("add").expect("add");
    assert_eq!(k.call((&[1, 2, 3], &[4, 5, 6, 7])).expect("in range"), 32);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let err = k.call((&[1, 2, 3], &[4, 5])).expect_err("b is short");
                assert!(
                    err.to_string()
                        .contains("t.py:5:23: index 2 is out of range for axis 0 of extent 2"),
                    "{err}"
                );
                // Where the guard holds, the guarded copy runs as before.
                assert_eq!(k.call((&[1, 2], &[4, 5])).expect("in range"), 14);
            });
        }
    });
    // A copy that calls a kernel takes a copy of that kernel into its own module.
    let src = "@compile\ndef sq(x: i64) -> i64:\n    return x * x\n\n\
               @compile\ndef sumsq(a: I64[:], b: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(a)):\n        s += sq(b[i]) + a[i]\n    return s\n";
    let m = jit(src);
    assert_eq!(m.report().deferred_checked_copies, 1);
    let k = m.kernel::<(&[i64], &[i64]), i64>("sumsq").expect("sumsq");
    let err = k.call((&[1, 1, 1], &[2, 3])).expect_err("b is short");
    assert!(err.to_string().contains("index 2 is out of range"), "{err}");
    assert_eq!(k.call((&[1, 1], &[2, 3, 9])).expect("in range"), 15);
    // IR a user asked to see keeps the copies, so nothing is deferred; they fault alike.
    let m = Compiler::new()
        .dump_ir(true)
        .jit_source("t.py", src)
        .expect("compiles");
    assert_eq!(m.report().deferred_checked_copies, 0);
    let k = m.kernel::<(&[i64], &[i64]), i64>("sumsq").expect("sumsq");
    let err = k.call((&[1, 1, 1], &[2, 3])).expect_err("b is short");
    assert!(err.to_string().contains("index 2 is out of range"), "{err}");
}

#[test]
fn outlined_checked_copies_break_return_and_fault_as_inline_code() {
    // `b[i]` is guarded; with `b` shorter than `a` the checked copy runs, a function of
    // its own that LLVM leaves unoptimized. It returns from the kernel, breaks out of
    // the loop with the locals it wrote, or faults, as the loop itself would.
    let src = "@compile\ndef find(a: I64[:], b: I64[:], x: i64) -> i64:\n    for i in range(len(a)):\n        if b[i] == x:\n            return i\n        if a[i] < 0:\n            break\n    return -1\n\n\
               @compile\ndef partial(a: I64[:], b: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(a)):\n        if a[i] < 0:\n            break\n        s += b[i]\n    else:\n        s = s + 1000\n    return s * 10\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    for name in ["find", "partial"] {
        let define = ir
            .lines()
            .find(|l| l.starts_with("define") && l.contains(&format!("@{name}.checked")))
            .unwrap_or_else(|| panic!("no outlined copy of {name}:\n{ir}"));
        assert!(define.contains("internal"), "{define}");
    }
    assert!(ir.contains("optnone"), "{ir}");
    let m = jit(src);
    let find = m
        .kernel::<(&[i64], &[i64], i64), i64>("find")
        .expect("find");
    assert_eq!(
        find.call((&[1, 2, 3, 4], &[0, 7, 5, 9], 7)).expect("runs"),
        1
    );
    assert_eq!(find.call((&[1, 2, 3, 4], &[0, 7, 5], 7)).expect("runs"), 1);
    assert_eq!(
        find.call((&[1, -1, 3, 4], &[0, 7, 5], 9)).expect("runs"),
        -1
    );
    let err = find.call((&[1, 2, 3, 4], &[0, 7, 5], 9)).expect_err("b[3]");
    assert!(
        err.to_string()
            .contains("index 3 is out of range for axis 0 of extent 3"),
        "{err}"
    );
    let partial = m
        .kernel::<(&[i64], &[i64]), i64>("partial")
        .expect("partial");
    assert_eq!(partial.call((&[1, 2, -1, 5], &[1, 2])).expect("runs"), 30);
    assert_eq!(partial.call((&[1, 2], &[1, 2, 3])).expect("runs"), 10030);
    assert!(partial.call((&[1, 2, 3], &[1, 2])).is_err(), "b[2]");
}

#[test]
fn several_runtime_axes_take_shaped_buffers_and_ndarray_views() {
    let m = jit(
        "@compile\ndef corner(g: I32[:][:]) -> i64:\n    return g[-1, -1] + g.shape[0] * 1000 + g.shape[1] * 100\n",
    );
    let corner = m
        .kernel::<(&msp_core::jit::Shaped<i32>,), i64>("corner")
        .expect("typed");
    let data: Vec<i32> = (0..12).collect();
    let shaped = msp_core::jit::Shaped::new(&data, [3, 4]).expect("3 x 4");
    assert_eq!(corner.call((&shaped,)).expect("runs"), 11 + 3400);
    // ndarray views give their shape; a transposed (strided) view is refused, not copied.
    let a = ndarray::Array2::from_shape_vec((3, 4), data.clone()).expect("3 x 4");
    let view = m
        .kernel::<(&ndarray::ArrayView2<i32>,), i64>("corner")
        .expect("typed");
    assert_eq!(view.call((&a.view(),)).expect("runs"), 11 + 3400);
    let t = a.t();
    let err = view.call((&t,)).expect_err("not contiguous");
    assert!(
        matches!(&err, CallError::Shape { problem, .. } if **problem == msp_core::abi::ShapeError::NotContiguous),
        "{err}"
    );
    // A flat slice cannot say two extents.
    let flat = m.kernel::<(&[i32],), i64>("corner").expect("typed");
    assert!(matches!(flat.call((&data,)), Err(CallError::Shape { .. })));
}

#[test]
fn checks_that_cannot_fail_are_not_emitted() {
    // A u16 index cannot leave an axis of 65536, an i8 one (normalized) an axis of 128 or
    // more, a literal in range never: no fault path, even unoptimized.
    let wide = "@compile\ndef f(a: U8[65536], i: u16, j: i8) -> u8:\n    return a[i] + a[j] + a[3] + a[-2]\n";
    let ir = Compiler::new()
        .ir_source("f.py", wide, false)
        .expect("compiles");
    assert!(!ir.contains("label %fault"), "no bounds check left:\n{ir}");
    // One element short, and the u16 check is back.
    let short = "@compile\ndef f(a: U8[65535], i: u16) -> u8:\n    return a[i]\n";
    let ir = Compiler::new()
        .ir_source("f.py", short, false)
        .expect("compiles");
    assert!(ir.contains("label %fault"), "the check stays:\n{ir}");
    let m = jit(short);
    let f = m.kernel::<(&[u8], u16), u8>("f").expect("signature");
    let a = vec![7u8; 65535];
    assert_eq!(f.call((a.as_slice(), 65534)).expect("in range"), 7);
    let fault = f.call((a.as_slice(), 65535)).expect_err("out of range");
    assert!(
        fault.to_string().contains("index 65535 is out of range"),
        "{fault}"
    );
    // A literal out of range keeps its check (and faults at run time).
    let lit = "@compile\ndef f(a: U8[4]) -> u8:\n    return a[4]\n";
    let ir = match Compiler::new().ir_source("f.py", lit, false) {
        Ok(ir) => ir,
        Err(e) => panic!("a literal index out of range compiles:\n{}", e.rendered),
    };
    assert!(
        ir.contains("label %fault"),
        "a literal out of range is checked:\n{ir}"
    );
    let m = jit(lit);
    let f = m.kernel::<(&[u8],), u8>("f").expect("signature");
    let fault = f.call((&[1u8, 2, 3, 4][..],)).expect_err("a[4] faults");
    assert!(
        fault.to_string().contains("index 4 is out of range"),
        "{fault}"
    );
}

#[test]
fn typed_handles_check_the_signature() {
    let m = jit("@compile\ndef f(x: int, a: F64[3]) -> f64:\n    return a[x]\n");
    assert!(m.kernel::<(i32, &[f64; 3]), f64>("f").is_ok());
    let wrong_ret = m.kernel::<(i32, &[f64; 3]), f32>("f").unwrap_err();
    assert!(
        matches!(wrong_ret, SignatureError::Mismatch { .. }),
        "{wrong_ret}"
    );
    assert!(
        wrong_ret.to_string().contains("fn(int, F64[3]) -> f64"),
        "{wrong_ret}"
    );
    assert!(m.kernel::<(i64, &[f64; 3]), f64>("f").is_err());
    assert!(m.kernel::<(i32, &[f32; 3]), f64>("f").is_err());
    assert!(m.kernel::<(i32,), f64>("f").is_err());
    assert!(matches!(
        m.kernel::<(), ()>("nope"),
        Err(SignatureError::Unknown(..))
    ));
}

#[test]
fn slice_lengths_are_checked_at_the_call() {
    let m = jit(
        "@compile\ndef total(a: Int[2][3]) -> int:\n    s = 0\n    for i in range(2):\n        for j in range(3):\n            s += a[i, j]\n    return s\n",
    );
    let k = m.kernel::<(&[i32],), i32>("total").unwrap();
    assert_eq!(k.call((&[1, 2, 3, 4, 5, 6][..],)).unwrap(), 21);
    let err = k.call((&[1, 2, 3][..],)).unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Length {
                expected: 6,
                got: 3,
                ..
            }
        ),
        "{err}"
    );
    let nested = m.kernel::<(&[[i32; 3]; 2],), i32>("total").unwrap();
    assert_eq!(nested.call((&[[1, 1, 1], [2, 2, 2]],)).unwrap(), 9);
}

#[test]
fn read_only_buffers_are_refused_for_kernels_that_write() {
    let m = jit(
        "@compile\ndef set0(a: Int[2]) -> None:\n    a[0] = 7\n\n@compile\ndef via(a: Int[2]) -> None:\n    set0(a)\n\n@compile\ndef get0(a: Int[2]) -> int:\n    return a[0]\n",
    );
    assert!(m.kernel::<(&[i32; 2],), ()>("set0").is_err());
    assert!(
        m.kernel::<(&[i32; 2],), ()>("via").is_err(),
        "writes through a callee count"
    );
    assert!(m.kernel::<(&[i32; 2],), i32>("get0").is_ok());
    let mut a = [0, 0];
    m.kernel::<(&mut [i32; 2],), ()>("via")
        .unwrap()
        .call((&mut a,))
        .unwrap();
    assert_eq!(a, [7, 0]);
    let mut dynamic = [CallArg::array_ref(&a[..])];
    assert!(matches!(
        m.call_dynamic("set0", &mut dynamic),
        Err(CallError::Type { .. })
    ));
}

#[test]
fn faults_name_kernel_line_and_cause() {
    let m = jit(
        "@compile\ndef div(a: i64, b: i64) -> i64:\n    return a // b\n\n@compile\ndef at(a: U8[4], i: i64) -> u8:\n    return a[i]\n",
    );
    let div = m.kernel::<(i64, i64), i64>("div").unwrap();
    assert_eq!(
        div.call((i64::MIN, -1)).unwrap(),
        i64::MIN,
        "wraps like fixed-width arithmetic"
    );
    let e = div.call((1, 0)).unwrap_err().to_string();
    assert!(
        e.contains("`div`") && e.contains("t.py:3") && e.contains("division by zero"),
        "{e}"
    );
    let at = m.kernel::<(&[u8; 4], i64), u8>("at").unwrap();
    assert_eq!(at.call((&[1, 2, 3, 4], -4)).unwrap(), 1);
    let e = at.call((&[1, 2, 3, 4], -5)).unwrap_err().to_string();
    assert!(
        e.contains("index -5") && e.contains("extent 4") && e.contains("t.py:7"),
        "{e}"
    );
}

#[test]
fn dynamic_calls_convert_nothing_silently() {
    let m = jit("@compile\ndef f(x: u8) -> bool:\n    return x > 200\n");
    let r = m
        .call_dynamic("f", &mut [CallArg::Scalar(ScalarValue::U8(201))])
        .unwrap();
    assert_eq!(r, Some(ScalarValue::Bool(true)));
    let e = m
        .call_dynamic("f", &mut [CallArg::Scalar(ScalarValue::I32(201))])
        .unwrap_err();
    assert!(matches!(e, CallError::Type { .. }), "{e}");
    let e = m.call_dynamic("f", &mut []).unwrap_err();
    assert!(matches!(e, CallError::Arity { .. }), "{e}");
}

extern "C" fn triple_it(x: i32) -> i32 {
    x * 3
}

#[test]
fn user_externs_and_missing_externs() {
    let src = "@extern\ndef triple_it(x: int) -> int: ...\n\n@compile\ndef f(x: int) -> int:\n    return triple_it(x) + 1\n";
    let mut c = Compiler::new();
    // SAFETY: triple_it has the C signature the stub declares.
    unsafe { c.register_extern("triple_it", triple_it as *const ()) };
    let m = c.jit_source("t.py", src).expect("compiles");
    assert_eq!(
        m.kernel::<(i32,), i32>("f").unwrap().call((5,)).unwrap(),
        16
    );
    let e = compile_error(src);
    assert!(
        e.contains("no C function `triple_it`") && e.contains("t.py:2"),
        "{e}"
    );
}

#[test]
fn libc_externs_resolve_by_default() {
    let m = jit(
        "@extern\ndef labs(x: i64) -> i64: ...\n\n@compile\ndef f(x: i64) -> i64:\n    return labs(x)\n",
    );
    assert_eq!(
        m.kernel::<(i64,), i64>("f").unwrap().call((-9,)).unwrap(),
        9
    );
}

#[test]
fn type_errors_accumulate_across_kernels() {
    let e = compile_error(
        "@compile\ndef f(x: int) -> int:\n    return x + y\n\n@compile\ndef g(x: int) -> float:\n    z = 1\n    z = 2.5\n    return z\n",
    );
    assert!(
        e.contains("unknown name `y`") && e.contains("t.py:3"),
        "{e}"
    );
    assert!(
        e.contains("cannot assign a `float`") && e.contains("t.py:8"),
        "{e}"
    );
}

#[test]
fn same_array_twice_is_refused() {
    let e = compile_error(
        "@compile\ndef g(a: Int[2], b: Int[2]) -> None:\n    a[0] = b[0]\n\n@compile\ndef f(a: Int[2]) -> None:\n    g(a, a)\n",
    );
    assert!(
        e.contains("the array `a` is passed as both `a` and `b` to `g`, which writes `a`")
            && e.contains("t.py:7"),
        "{e}"
    );
    // Through another kernel: `h` writes its array by calling `g`.
    let e = compile_error(
        "@compile
def g(a: Int[2], b: Int[2]) -> None:
    a[0] = b[0]

@compile
def h(x: Int[2], y: Int[2]) -> None:
    g(x, y)

@compile
def f(a: Int[2]) -> None:
    h(a, a)
",
    );
    assert!(e.contains("to `h`, which writes `x`"), "{e}");
}

#[test]
fn same_array_twice_is_fine_when_only_read() {
    let src = "@compile
def dot(x: F64[:], y: F64[:]) -> f64:
    s: f64 = 0
    for i in range(len(x)):
        s += x[i] * y[i]
    return s

@compile
def norm2(a: F64[:]) -> f64:
    return dot(a, a)
";
    let m = jit(src);
    let v = [1.0, 2.0, 3.0];
    let norm2 = m.kernel::<(&[f64],), f64>("norm2").unwrap();
    assert_eq!(norm2.call((&v,)).unwrap(), 14.0);
    // Rust callers may pass one buffer twice where the kernel only reads.
    let dot = m.kernel::<(&[f64], &[f64]), f64>("dot").unwrap();
    assert_eq!(dot.call((&v, &v)).unwrap(), 14.0);
}

#[test]
fn modules_compile_and_run_on_several_threads() {
    let src = "@compile\ndef fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n";
    let shared = jit(src);
    std::thread::scope(|s| {
        for t in 0..4 {
            let shared = &shared;
            s.spawn(move || {
                let own = jit(src);
                for n in 0..20 {
                    let a = own
                        .kernel::<(i32,), i32>("fib")
                        .unwrap()
                        .call((n + t,))
                        .unwrap();
                    let b = shared
                        .kernel::<(i32,), i32>("fib")
                        .unwrap()
                        .call((n + t,))
                        .unwrap();
                    assert_eq!(a, b);
                }
            });
        }
    });
}

#[test]
fn report_has_phase_times_and_ir_when_asked() {
    let m = Compiler::new()
        .dump_ir(true)
        .jit_source("t.py", "@compile\ndef f() -> int:\n    return 1\n")
        .unwrap();
    let r = m.report();
    assert!(
        r.ir_unoptimized
            .as_deref()
            .is_some_and(|ir| ir.contains("define"))
    );
    assert!(r.ir_optimized.is_some());
    assert!(r.times.total() > std::time::Duration::ZERO);
}

#[test]
fn counters_kept_at_64_bits_keep_their_values() {
    // Counters of counting loops and of `for` loops stepping by ±1 live in 64-bit slots
    // (the value extended by its type's signedness); every other read and write must
    // see the narrow value: at the ends of narrow types, after a body assigns the loop
    // variable, after the loop, and for a parameter used as a counter.
    let src = "@compile\ndef up(a: i8, b: i8) -> int:\n    s = 0\n    for i in range(a, b):\n        s = s * 3 + int(i)\n        s = s % 1000003\n    return s\n\n\
               @compile\ndef down(a: i8, b: i8) -> int:\n    s = 0\n    for i in range(a, b, -1):\n        s = s * 3 + int(i)\n        s = s % 1000003\n    return s\n\n\
               @compile\ndef bytes(a: u8) -> int:\n    s = 0\n    for k in range(a, u8(255)):\n        s += int(k)\n    return s * 1000 + int(k)\n\n\
               @compile\ndef assigned() -> int:\n    s = 0\n    for i in range(5):\n        i = i * 100\n        s += i\n    return s + i\n\n\
               @compile\ndef param(i: i8, n: i8) -> int:\n    c = 0\n    while i < n:\n        c += int(i)\n        i = i + 1\n    return c * 1000 + int(i)\n\n\
               @compile\ndef grid(a: Float[4][6]) -> float:\n    s = 0.0\n    for i in range(4):\n        for j in range(6):\n            s = s * 0.5 + a[i, j]\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let grid = function_body(&ir, "grid");
    assert!(
        grid.contains("%i = alloca i64") && !grid.contains("zext") && !grid.contains("sext"),
        "{grid}"
    );
    let m = jit(src);
    let up = m.kernel::<(i8, i8), i32>("up").expect("up");
    let down = m.kernel::<(i8, i8), i32>("down").expect("down");
    let fold = |it: &mut dyn Iterator<Item = i32>| {
        it.fold(0i64, |s, i| (s * 3 + i64::from(i)).rem_euclid(1000003)) as i32
    };
    for (a, b) in [(-128i8, 127i8), (120, 127), (-128, -120), (5, 5), (7, -3)] {
        let want = fold(&mut (i32::from(a)..i32::from(b)));
        assert_eq!(up.call((a, b)).expect("runs"), want, "up({a}, {b})");
        let want = fold(&mut (i32::from(b) + 1..=i32::from(a)).rev());
        assert_eq!(down.call((a, b)).expect("runs"), want, "down({a}, {b})");
    }
    let bytes = m.kernel::<(u8,), i32>("bytes").expect("bytes");
    assert_eq!(
        bytes.call((250,)).expect("runs"),
        (250..255).sum::<i32>() * 1000 + 254
    );
    let assigned = m.kernel::<(), i32>("assigned").expect("assigned");
    assert_eq!(assigned.call(()).expect("runs"), 1400);
    let param = m.kernel::<(i8, i8), i32>("param").expect("param");
    for (i, n) in [(120i8, 127i8), (-128, -125), (3, 3), (9, 2)] {
        let c: i32 = (i32::from(i)..i32::from(n)).sum();
        let end = i32::from(i.max(n));
        assert_eq!(
            param.call((i, n)).expect("runs"),
            c * 1000 + end,
            "param({i}, {n})"
        );
    }
    let grid = m.kernel::<(&[f32],), f32>("grid").expect("grid");
    let a: Vec<f32> = (0..24).map(|x| x as f32 * 0.25 - 2.0).collect();
    let want = a.iter().fold(0.0f32, |s, x| s * 0.5 + x);
    assert_eq!(grid.call((&a,)).expect("runs"), want);
}

#[test]
fn modules_from_one_reused_codegen_pipeline_stay_apart() {
    // Every JIT module of a thread goes through the same code generation pass pipeline
    // (built once, see jit::native). Modules with the same kernel and symbol names, with
    // loops and without, at two optimization levels, must each keep their own code, and
    // dropping one must leave the others callable.
    let src = |k: i32| {
        format!(
            "@compile\ndef f(n: int) -> int:\n    s = 0\n    for i in range(n):\n        s += i * {k}\n    return s\n\n\
             @compile\ndef g(x: float) -> float:\n    return x * {k}.0 + 0.5\n"
        )
    };
    let mut modules = Vec::new();
    for k in 1..=6 {
        let mut c = Compiler::new();
        c.opt_level(if k % 2 == 0 { 3 } else { 1 });
        let m = c.jit_source("t.py", &src(k)).expect("compiles");
        modules.push((k, m));
    }
    modules.remove(2);
    for (k, m) in &modules {
        let f = m.kernel::<(i32,), i32>("f").expect("f");
        let g = m.kernel::<(f32,), f32>("g").expect("g");
        assert_eq!(f.call((10,)).expect("runs"), 45 * k, "f of module {k}");
        assert_eq!(
            g.call((2.0,)).expect("runs"),
            2.0 * *k as f32 + 0.5,
            "g of module {k}"
        );
    }
}

#[test]
fn indexes_built_from_counters_need_no_check_when_they_stay_inside() {
    // `i - 1`, `i + 1` and `r * 4 + c` over counters with literal bounds stay inside
    // their axes: no check. `i + 2` can reach 8 on an axis of 8: its check stays and
    // faults; `i - 1` from 0 can be -1, which counts from the end (Python's a[-1]).
    let src = "@compile\ndef stencil(a: Int[8], b: Int[8]) -> None:\n    for i in range(1, 7):\n        b[i] = a[i - 1] + a[i] + a[i + 1]\n\n\
               @compile\ndef flat(a: Int[16]) -> int:\n    s = 0\n    for r in range(4):\n        for c in range(4):\n            s = s * 3 + a[r * 4 + c]\n    return s\n\n\
               @compile\ndef wrap(a: Int[8]) -> int:\n    s = 0\n    for i in range(8):\n        s = s * 2 + a[i - 1]\n    return s\n\n\
               @compile\ndef past(a: Int[8], n: int) -> int:\n    s = 0\n    for i in range(7):\n        if i == n:\n            break\n        s += a[i + 2]\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let body = |name: &str| function_body(&ir, name);
    let (stencil, flat, wrap, past) = (body("stencil"), body("flat"), body("wrap"), body("past"));
    for (name, f) in [("stencil", &stencil), ("flat", &flat)] {
        assert!(
            !f.contains("%oob") && !f.contains("%fromend"),
            "{name}:\n{f}"
        );
    }
    assert!(
        !wrap.contains("%oob") && wrap.contains("%fromend"),
        "{wrap}"
    );
    assert!(past.contains("%oob"), "{past}");
    let m = jit(src);
    let a: Vec<i32> = (0..16).map(|x| (x * 7) % 5 - 2).collect();
    let stencil = m
        .kernel::<(&[i32], &mut [i32]), ()>("stencil")
        .expect("stencil");
    let mut b = vec![0; 8];
    stencil.call((&a[..8], &mut b)).expect("runs");
    let want: Vec<i32> = (0..8)
        .map(|i| {
            if (1..7).contains(&i) {
                a[i - 1] + a[i] + a[i + 1]
            } else {
                0
            }
        })
        .collect();
    assert_eq!(b, want);
    let flat = m.kernel::<(&[i32],), i32>("flat").expect("flat");
    assert_eq!(
        flat.call((&a,)).expect("runs"),
        a.iter().fold(0, |s, x| s * 3 + x)
    );
    let wrap = m.kernel::<(&[i32],), i32>("wrap").expect("wrap");
    let want = (0..8).fold(0, |s, i: usize| s * 2 + a[(i + 7) % 8]);
    assert_eq!(wrap.call((&a[..8],)).expect("runs"), want);
    let past = m.kernel::<(&[i32], i32), i32>("past").expect("past");
    assert_eq!(
        past.call((&a[..8], 6)).expect("runs"),
        a[2..8].iter().sum::<i32>()
    );
    let fault = past.call((&a[..8], 9)).expect_err("a[8] faults");
    assert!(
        fault.to_string().contains("index 8 is out of range"),
        "{fault}"
    );
}

/// Local arrays live on the stack: over 1 MiB per kernel they are refused where they are
/// declared (a 400 MB local array crashed the calling thread, and an extent of 2**32 + 1
/// was truncated to 1 element in codegen), naming the limit and the way out.
#[test]
fn local_arrays_over_the_stack_limit_are_refused_where_declared() {
    for (src, line) in [
        (
            "@compile\ndef f() -> int:\n    x: I32[100000000]\n    x[0] = 1\n    return x[0]\n",
            "t.py:3:5",
        ),
        (
            "@compile\ndef f() -> u8:\n    x: U8[4294967297]\n    x[4294967296] = 7\n    return x[4294967296]\n",
            "t.py:3:5",
        ),
        // The limit is per kernel: two arrays of 600 KiB together pass it.
        (
            "@compile\ndef f() -> int:\n    a: U8[614400]\n    b: U8[614400]\n    return 0\n",
            "t.py:4:5",
        ),
    ] {
        let e = compile_error(src);
        assert!(e.contains(line), "{line}:\n{e}");
        assert!(e.contains("1048576 bytes"), "{e}");
        assert!(e.contains("parameter"), "{e}");
    }
}

/// An array at the limit works, also on a thread with Rust's default 2 MiB stack, and
/// codegen allocates all of it (the last element is distinct from the first).
#[test]
fn local_arrays_at_the_stack_limit_run_on_a_small_thread_stack() {
    let src = "@compile\ndef f(v: u8) -> u8:\n    x: U8[1048576]\n    x[0] = 1\n    x[1048575] = v\n    return x[0] + x[-1]\n";
    let m = jit(src);
    let r = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || m.kernel::<(u8,), u8>("f").expect("kernel").call((41,)))
        .expect("spawn")
        .join()
        .expect("no crash");
    assert_eq!(r.expect("no fault"), 42);
}

/// A kernel with a return type must return on every path: falling off its end returned
/// 0 (issue 13). The error is at the body's last statement.
#[test]
fn kernels_that_can_reach_their_end_without_returning_are_refused() {
    let head = "@compile\ndef f(x: int) -> int:\n";
    let refused: &[(&str, &str)] = &[
        ("    x = x + 1\n", "t.py:3:5"),
        ("    if x > 0:\n        return 1\n", "t.py:3:5"),
        (
            "    if x > 0:\n        return 1\n    elif x < 0:\n        return 2\n",
            "t.py:3:5",
        ),
        ("    while x < 3:\n        return 1\n", "t.py:3:5"),
        ("    for i in range(3):\n        return i\n", "t.py:3:5"),
        // A `break` leaves even a `while True:` loop.
        (
            "    while True:\n        if x > 0:\n            break\n        x += 1\n",
            "t.py:3:5",
        ),
        // ... also from inside an `if` of an inner loop's `else`.
        (
            "    while True:\n        for i in range(x):\n            pass\n        else:\n            break\n",
            "t.py:3:5",
        ),
        // The code after a reachable label is reachable.
        (
            "    if x > 0:\n        goto(\"out\")\n    return 1\n    label(\"out\")\n",
            "t.py:6:5",
        ),
        // A backward `goto` reaches a label the walk has passed.
        (
            "    if x > 5:\n        return 0\n        label(\"again\")\n        x = 9\n    else:\n        goto(\"again\")\n",
            "t.py:3:5",
        ),
        ("    while 0:\n        pass\n", "t.py:3:5"),
    ];
    for (body, at) in refused {
        let e = compile_error(&format!("{head}{body}"));
        assert!(
            e.contains("`f` can reach its end without returning an `int`") && e.contains(at),
            "{body}\nwant the error at {at}:\n{e}"
        );
    }
    let accepted: &[&str] = &[
        "    return x\n",
        "    if x > 0:\n        return 1\n    else:\n        return 2\n",
        "    if x > 0:\n        return 1\n    elif x < 0:\n        return 2\n    else:\n        return 3\n",
        "    while True:\n        x += 1\n        if x > 10:\n            return x\n",
        "    while 1:\n        return x\n",
        "    while True:\n        for i in range(3):\n            break\n        if x > 0:\n            return x\n        x += 1\n",
        "    while True:\n        while x < 3:\n            x += 1\n            continue\n        return x\n",
        "    for i in range(x):\n        pass\n    return 0\n",
        // A `while True:` left only by `goto`, to a label followed by a return.
        "    while True:\n        if x > 3:\n            goto(\"done\")\n        x += 1\n    label(\"done\")\n    return x\n",
        // The label is never the target of a reachable `goto`: the end stays unreachable.
        "    return x\n    label(\"dead\")\n",
        "    return x\n    goto(\"dead\")\n    label(\"dead\")\n",
        // A backward `goto` as a loop.
        "    label(\"top\")\n    x += 1\n    if x < 10:\n        goto(\"top\")\n    return x\n",
        "    label(\"top\")\n    x += 1\n    goto(\"top\")\n",
    ];
    for body in accepted {
        if let Err(e) = Compiler::new().check_source("t.py", &format!("{head}{body}")) {
            panic!("{body}\nshould check:\n{}", e.rendered);
        }
    }
    for (ret, says) in [
        ("u8", "a `u8`"),
        ("f64", "an `f64`"),
        ("float", "a `float`"),
    ] {
        let e = compile_error(&format!("@compile\ndef g() -> {ret}:\n    pass\n"));
        assert!(e.contains(&format!("without returning {says}")), "{e}");
    }
    // `-> None` kernels may end without `return`.
    jit("@compile\ndef g(a: Int[2]) -> None:\n    a[0] = 1\n");
}

#[test]
fn prange_reductions_give_the_same_bits_with_any_thread_count() {
    let src = "@compile\ndef fsum(a: F64[:]) -> f64:\n    s: f64 = 0\n    for i in prange(len(a)):\n        s += a[i]\n    return s\n\n\
               @compile\ndef isum(a: I64[:]) -> i64:\n    s: i64 = 0\n    for i in prange(len(a)):\n        s += a[i] * a[i]\n    return s\n";
    // Values whose float sum depends on the order of the additions.
    let a: Vec<f64> = (0..100_003)
        .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 + if i % 3 == 0 { 1e9 } else { 0.0 })
        .collect();
    let ints: Vec<i64> = (0..100_003)
        .map(|i| (i * 7919) % 100_000 - 50_000)
        .collect();
    // The chunked order: each chunk sums from 0 in order, chunks combined in order.
    let n = a.len() as u64;
    let chunk = msp_rt::parallel::chunk_size(n) as usize;
    let mut want = 0.0f64;
    for c in a.chunks(chunk) {
        let mut p = -0.0;
        for x in c {
            p += x;
        }
        want += p;
    }
    let mut bits = Vec::new();
    for threads in [1, 2, 7] {
        let m = Compiler::new()
            .threads(threads)
            .jit_source("t.py", src)
            .expect("compiles");
        let fsum = m.kernel::<(&[f64],), f64>("fsum").expect("fsum");
        let isum = m.kernel::<(&[i64],), i64>("isum").expect("isum");
        bits.push(fsum.call((&a,)).expect("runs").to_bits());
        let exact: i64 = ints.iter().map(|x| x * x).sum();
        assert_eq!(
            isum.call((&ints,)).expect("runs"),
            exact,
            "threads = {threads}"
        );
    }
    assert!(bits.iter().all(|b| *b == bits[0]), "{bits:?}");
    assert_eq!(f64::from_bits(bits[0]), want);
}

#[test]
fn parallel_kernels_run_from_many_host_threads() {
    let src = "@compile\ndef scale(a: F32[:], out: F32[:], k: f32) -> None:\n    for i in prange(len(out)):\n        out[i] = a[i] * k\n\n\
               @compile\ndef total(a: I64[:]) -> i64:\n    s: i64 = 0\n    for i in prange(len(a)):\n        s += a[i]\n    return s\n";
    let m = jit(src);
    std::thread::scope(|s| {
        for t in 0..8 {
            let m = &m;
            s.spawn(move || {
                let scale = m
                    .kernel::<(&[f32], &mut [f32], f32), ()>("scale")
                    .expect("scale");
                let total = m.kernel::<(&[i64],), i64>("total").expect("total");
                for round in 0..20 {
                    let n = 1000 + 97 * t + round;
                    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
                    let mut out = vec![0.0f32; n];
                    scale.call((&a, &mut out, 2.0)).expect("runs");
                    assert!(out.iter().enumerate().all(|(i, x)| *x == 2.0 * i as f32));
                    let v: Vec<i64> = (0..n as i64).collect();
                    assert_eq!(total.call((&v,)).expect("runs"), v.iter().sum::<i64>());
                }
            });
        }
    });
}

#[test]
fn deep_recursion_and_large_frames_fault_instead_of_overflowing_the_stack() {
    // Recursion as deep as the argument says; a kernel whose local array needs more
    // stack than the calling thread has; the same recursion inside a `prange` body,
    // on the pool's threads. Each is an `Err` naming the kernel, never a signal.
    let src = "@compile\ndef depth(n: i64) -> i64:\n    if n == 0:\n        return 0\n    return 1 + depth(n - 1)\n\n\
               @compile\ndef big(k: i64) -> i64:\n    x: I64[65536]\n    x[k] = 7\n    return x[k] + x[0]\n\n\
               @compile\ndef par(out: I64[:], n: i64) -> None:\n    for i in prange(len(out)):\n        out[i] = depth(n)\n";
    let m = jit(src);
    let depth = m.kernel::<(i64,), i64>("depth").expect("depth");
    assert_eq!(depth.call((10_000,)).expect("fits"), 10_000);
    let err = depth.call((1 << 40,)).expect_err("too deep");
    assert!(
        err.to_string()
            .contains("kernel `depth` stopped at t.py:2:5: the call stack is exhausted"),
        "{err}"
    );
    let big = m.kernel::<(i64,), i64>("big").expect("big");
    assert_eq!(big.call((3,)).expect("8 MiB main stack"), 7);
    // 512 KiB of locals on a thread of 256 KiB.
    let small = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let m = jit(src);
            let big = m.kernel::<(i64,), i64>("big").expect("big");
            big.call((3,)).map_err(|e| e.to_string())
        })
        .expect("thread")
        .join()
        .expect("no signal, no panic");
    let err = small.expect_err("no room for the frame");
    assert!(err.contains("kernel `big` stopped at t.py:8:5"), "{err}");
    let par = m.kernel::<(&mut [i64], i64), ()>("par").expect("par");
    let mut out = vec![0i64; 64];
    par.call((&mut out, 100)).expect("shallow");
    assert!(out.iter().all(|&d| d == 100));
    let err = par
        .call((&mut out, 1 << 40))
        .expect_err("too deep on a worker");
    assert!(
        err.to_string().contains("the call stack is exhausted"),
        "{err}"
    );
}

#[test]
fn modules_whose_only_loop_is_a_prange_get_the_loop_passes() {
    // A module without loops gets a shorter pipeline, with no loop vectorizer; a
    // `prange` is a loop (its chunks vectorize), though no serial loop is in sight.
    let src = "@compile\ndef total(a: I64[:]) -> i64:\n    s: i64 = 0\n    for i in prange(len(a)):\n        s += a[i]\n    return s\n";
    let m = Compiler::new()
        .dump_ir(true)
        .jit_source("t.py", src)
        .expect("compiles");
    let ir = m.report().ir_optimized.clone().expect("ir");
    assert!(ir.contains("x i64>"), "no vector operations:\n{ir}");
    let total = m.kernel::<(&[i64],), i64>("total").expect("total");
    let v: Vec<i64> = (0..1003).collect();
    assert_eq!(total.call((&v,)).expect("runs"), v.iter().sum::<i64>());
}

#[test]
fn prange_chunks_drop_guarded_checks_and_still_fault_where_they_would() {
    // `x[i]` (another array at the bare counter) is checked once per chunk: the chunk's
    // last counter below `len(x)` runs a copy without the check, else the checked copy,
    // which stops at the lowest bad iteration with the earlier elements written.
    let src = "@compile\ndef saxpy(k: f32, x: F32[:], y: F32[:]) -> None:\n    for i in prange(len(y)):\n        y[i] = k * x[i] + y[i]\n";
    let ir = Compiler::new()
        .dump_ir(true)
        .jit_source("t.py", src)
        .expect("compiles")
        .report()
        .ir_unoptimized
        .clone()
        .expect("ir");
    assert!(
        ir.contains("chunk.guarded") && ir.contains("chunk.checked"),
        "{ir}"
    );
    for threads in [1, 2, 7] {
        let m = Compiler::new()
            .threads(threads)
            .jit_source("t.py", src)
            .expect("compiles");
        let saxpy = m
            .kernel::<(f32, &[f32], &mut [f32]), ()>("saxpy")
            .expect("saxpy");
        for (nx, ny) in [(1000, 1000), (1003, 1000), (999, 1000), (500, 1000), (0, 3)] {
            let x: Vec<f32> = (0..nx).map(|v| v as f32).collect();
            let mut y = vec![1.0f32; ny];
            let r = saxpy.call((2.0, &x, &mut y));
            let at = |i: usize| if i < nx { 2.0 * i as f32 + 1.0 } else { 1.0 };
            if nx >= ny {
                r.expect("runs");
                assert!((0..ny).all(|i| y[i] == at(i)), "threads = {threads}");
            } else {
                let e = r.expect_err("faults").to_string();
                assert!(
                    e.contains(&format!(
                        "index {nx} is out of range for axis 0 of extent {nx}"
                    )),
                    "threads = {threads}, {nx}/{ny}: {e}"
                );
                // Every iteration below the fault ran (its chunk ran checked up to it).
                assert!((0..nx).all(|i| y[i] == at(i)), "threads = {threads}");
            }
        }
    }
}

#[test]
fn filters_over_in_range_loads_are_evaluated_whole_and_vectorize() {
    // `and` over loads the checker proved in range: every operand is evaluated and
    // merged with `select`, so the loop has no branch and vectorizes. Where a later
    // operand could fault or read out of range (`a[i]` past `len(a)`, a division),
    // the short circuit stays, in unchecked kernels too.
    let src = "@compile\ndef filt(d: I16[:], q: I16[:], p: I32[:]) -> i64:\n    s: i64 = 0\n    for i in range(min(len(d), len(q), len(p))):\n        if d[i] >= 10 and d[i] < 20 and q[i] < 5:\n            s += i64(p[i])\n    return s\n\n\
               @compile(unchecked=True)\ndef upto(a: I64[:], n: i64) -> i64:\n    s: i64 = 0\n    for i in range(n):\n        if i < len(a) and a[i] > 0:\n            s += 1\n    return s\n\n\
               @compile\ndef ratio(x: I64[:], k: i64) -> i64:\n    s: i64 = 0\n    for i in range(len(x)):\n        if k != 0 and x[i] // k > 1:\n            s += 1\n    return s\n";
    let ir = Compiler::new()
        .ir_source("f.py", src, false)
        .expect("compiles");
    let selects = |name: &str| {
        function_body(&ir, name)
            .lines()
            .filter(|l| l.contains("select i1") && l.ends_with("i1 false"))
            .count()
    };
    assert_eq!(selects("filt"), 2, "{}", function_body(&ir, "filt"));
    assert_eq!(selects("upto"), 0, "{}", function_body(&ir, "upto"));
    assert_eq!(selects("ratio"), 0, "{}", function_body(&ir, "ratio"));
    // The fast tier does not vectorize: there the short circuit skips the later
    // columns' loads for most rows, and stays.
    let fast = Compiler::new()
        .fast_compile(true)
        .ir_source("f.py", src, false)
        .expect("compiles");
    assert!(
        !function_body(&fast, "filt").contains(", i1 false\n"),
        "{fast}"
    );
    let opt = Compiler::new()
        .ir_source("f.py", src, true)
        .expect("compiles");
    let filt = function_body(&opt, "filt");
    assert!(filt.contains("vector.body:"), "{filt}");
    let m = jit(src);
    let filt = m
        .kernel::<(&[i16], &[i16], &[i32]), i64>("filt")
        .expect("filt");
    let d: Vec<i16> = (0..100).map(|v| (v * 7 % 31) as i16).collect();
    let q: Vec<i16> = (0..100).map(|v| (v * 3 % 11) as i16).collect();
    let p: Vec<i32> = (0..100).map(|v| v * 1000 + 1).collect();
    let want: i64 = (0..100)
        .filter(|&i| (10..20).contains(&d[i]) && q[i] < 5)
        .map(|i| i64::from(p[i]))
        .sum();
    assert!(want > 0);
    assert_eq!(filt.call((&d, &q, &p)).expect("runs"), want);
    // Shorter `q`: the loop stops at its end.
    assert_eq!(
        filt.call((&d, &q[..50], &p)).expect("runs"),
        (0..50)
            .filter(|&i| (10..20).contains(&d[i]) && q[i] < 5)
            .map(|i| i64::from(p[i]))
            .sum::<i64>()
    );
    let ratio = m.kernel::<(&[i64], i64), i64>("ratio").expect("ratio");
    assert_eq!(ratio.call((&[4, 1, 9], 0)).expect("no division by 0"), 0);
    assert_eq!(ratio.call((&[4, 1, 9], 2)).expect("runs"), 2);
}
