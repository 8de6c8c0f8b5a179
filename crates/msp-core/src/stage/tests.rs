//! Tests of stage 0: the generator language through programs that print, staging of
//! quotes and splices, limits, and every conformance case in `shared/conformance`.

use std::path::PathBuf;

use super::{Limits, StageError, run_module};
use crate::parse;
use crate::source::{SourceKind, SourceMap};
use crate::staged::{ConstValue, DefineValue, StagedModule};
use crate::unparse;

/// Runs `src` at stage 0; returns the result, what it printed, and the source map.
fn run_with(
    src: &str,
    defines: &[(String, DefineValue)],
    limits: &Limits,
) -> (Result<StagedModule, StageError>, String, SourceMap) {
    let mut map = SourceMap::new();
    let file = map.add("test.py", src, SourceKind::File);
    let module = match parse::parse_module(&map, file) {
        Ok(m) => m,
        Err(e) => {
            return (Err(StageError { diagnostic: e.0 }), String::new(), map);
        }
    };
    let mut out = Vec::new();
    let r = run_module(&mut map, file, &module, defines, limits, &mut out);
    (r, String::from_utf8_lossy(&out).into_owned(), map)
}

fn run(src: &str) -> (Result<StagedModule, StageError>, String, SourceMap) {
    run_with(src, &[], &Limits::default())
}

/// Runs `src` and compares what it printed.
#[track_caller]
fn check(src: &str, expected: &str) {
    let (r, out, map) = run(src);
    if let Err(e) = r {
        panic!("stage 0 failed:\n{}", e.diagnostic.render(&map));
    }
    assert_eq!(out, expected, "program:\n{src}");
}

/// Runs `src`, expects an error whose rendering contains every needle; returns it.
#[track_caller]
fn check_err(src: &str, needles: &[&str]) -> String {
    check_err_with(src, &Limits::default(), needles)
}

#[track_caller]
fn check_err_with(src: &str, limits: &Limits, needles: &[&str]) -> String {
    let (r, _, map) = run_with(src, &[], limits);
    let e = match r {
        Ok(_) => panic!("expected an error from:\n{src}"),
        Err(e) => e,
    };
    let text = format!(
        "{}\n{}",
        e.diagnostic.render_short(&map),
        e.diagnostic.render(&map)
    );
    for n in needles {
        assert!(
            text.to_lowercase().contains(&n.to_lowercase()),
            "error lacks {n:?}:\n{text}"
        );
    }
    text
}

/// Stages `src` and returns its kernels unparsed.
#[track_caller]
fn expand(src: &str) -> String {
    let (r, _, map) = run(src);
    match r {
        Ok(m) => unparse::unparse_module(&m),
        Err(e) => panic!("stage 0 failed:\n{}", e.diagnostic.render(&map)),
    }
}

// ----- the generator language -----

#[test]
fn scalars_and_arithmetic_follow_python() {
    check(
        "print(7 // 2, -7 // 2, 7 % -2, -7 % 2, 7 / 2, 2 ** 10, 2 ** -1)\n\
         print(-7.5 // 2, -7.5 % 2, 1 + 2.5, True + 1, 10 / 4)\n\
         print(1 < 2 < 3, 3 > 2 > 2, 1 == 1.0, 0 or 'x', 1 and 0, not [])\n\
         print(5 & 3, 5 | 3, 5 ^ 3, ~5, 1 << 4, -16 >> 2)\n",
        "3 -4 -1 1 3.5 1024 0.5\n-4.0 0.5 3.5 2 2.5\nTrue False True x 0 True\n1 7 6 -6 16 -4\n",
    );
}

#[test]
fn floats_print_like_python() {
    check(
        "print(0.1, 1e-05, 3.0, 1e16, 1.5e16, 123456789.0, 0.0001, -0.0, 1/3, 2.5e-10)\n",
        "0.1 1e-05 3.0 1e+16 1.5e+16 123456789.0 0.0001 -0.0 0.3333333333333333 2.5e-10\n",
    );
}

#[test]
fn integer_overflow_is_an_error() {
    check_err("x = 2 ** 62\ny = x * 4\n", &["overflow", "test.py:2"]);
    check_err("x = -9223372036854775807 - 1\ny = -x\n", &["overflow"]);
    check_err("x = 10 // 0\n", &["zero", "test.py:1"]);
}

#[test]
fn strings_and_their_methods() {
    check(
        "s = '  a,b,,c  '\n\
         print(s.strip().split(','), '-'.join(['x', 'y', 'z']), 'abc'.replace('b', 'BB'))\n\
         print('hello'.startswith('he'), 'hello'.endswith(('x', 'lo')), 'Hi'.upper(), 'Hi'.lower())\n\
         print('banana'.find('na'), 'banana'.count('a'), '123'.isdigit(), 'a b  c'.split())\n\
         print('xxabcxx'.lstrip('x'), 'xxabcxx'.rstrip('x'), '{} and {name}'.format(1, name='two'))\n\
         print(repr('it\\'s'), repr('a\\nb'), 'abc'[::-1], 'hello'[1:-1], 'hello'[-1])\n\
         print('a' in 'cat', 'ab' * 3, len('héllo'), ord('A'), chr(66), str(12) + '!')\n",
        "['a', 'b', '', 'c'] x-y-z aBBc\nTrue True HI hi\n2 3 True ['a', 'b', 'c']\nabcxx xxabc 1 and two\n\"it's\" 'a\\nb' cba ell o\nTrue ababab 5 65 B 12!\n",
    );
}

#[test]
fn fstrings_with_format_specs() {
    check(
        "x = 42\ny = 3.14159\nname = 'ab'\n\
         print(f'[{x:5d}] [{y:.3f}] [{name!r}] [{name:>8}] [{name:<4}] [{name:^6}]')\n\
         print(f'{x:08.2f} {x:x} {x:#b} {y:e} {1234567:,} {y:g} {0.5:%} {x=}')\n\
         w = 6\nprint(f'[{x:>{w}}]', '%d|%5.2f|%s|%-3d|' % (7, 2.5, 'z', 1))\n",
        "[   42] [3.142] ['ab'] [      ab] [ab  ] [  ab  ]\n00042.00 2a 0b101010 3.141590e+00 1,234,567 3.14159 50.000000% x=42\n[    42] 7| 2.50|z|1  |\n",
    );
}

#[test]
fn lists_tuples_and_slicing() {
    check(
        "a = [5, 3, 8, 1]\n\
         a.append(9)\na.insert(0, 0)\na.extend([7])\nprint(a, a.pop(), a.pop(0), a)\n\
         print(a[-1], a[1:3], a[::2], a[::-1], a[-2:], a[10:])\n\
         b = a[:]\nb.sort()\nprint(sorted(a, reverse=True), b, a.index(8), a.count(3))\n\
         a[0] = 100\na[1:3] = [1, 2, 3]\nprint(a)\n\
         a.reverse()\nprint(a, len(a), 3 in a, 4 not in a)\n\
         t = (1, 2) + (3,)\nprint(t, t[1:], (1,), (), t * 2, [0] * 3)\n\
         a += [4]\nb = a\nb += [5]\nprint(a is b, a[-2:])\n",
        "[5, 3, 8, 1, 9] 7 0 [5, 3, 8, 1, 9]\n9 [3, 8] [5, 8, 9] [9, 1, 8, 3, 5] [1, 9] []\n[9, 8, 5, 3, 1] [1, 3, 5, 8, 9] 2 1\n[100, 1, 2, 3, 1, 9]\n[9, 1, 3, 2, 1, 100] 6 True True\n(1, 2, 3) (2, 3) (1,) () (1, 2, 3, 1, 2, 3) [0, 0, 0]\nTrue [4, 5]\n",
    );
}

#[test]
fn dicts_and_sets_keep_insertion_order() {
    check(
        "d = {'b': 2, 'a': 1}\nd['c'] = 3\n\
         print(d, d.get('a'), d.get('z', 0), list(d.keys()), list(d.values()))\n\
         print(list(d.items()))\nprint(d.pop('b'), d.setdefault('e', 5), d, 'a' in d)\n\
         d[1] = 'one'\nprint(d[1.0], len(d))\n\
         s = {3, 1, 2}\ns.add(1)\ns.add(0)\nprint(s, 2 in s, len(s), set(), {1, 2} | {2, 3}, {1, 2} & {2, 3})\n\
         print({k: v * 2 for k, v in [('x', 1), ('y', 2)]}, {x % 3 for x in range(10)})\n",
        "{'b': 2, 'a': 1, 'c': 3} 1 0 ['b', 'a', 'c'] [2, 1, 3]\n[('b', 2), ('a', 1), ('c', 3)]\n2 5 {'a': 1, 'c': 3, 'e': 5} True\none 4\n{3, 1, 2, 0} True 4 set() {1, 2, 3} {2}\n{'x': 2, 'y': 4} {0, 1, 2}\n",
    );
}

#[test]
fn comprehensions_unpacking_and_builtins() {
    check(
        "print([x * x for x in range(5) if x % 2 == 0], [(i, j) for i in range(2) for j in range(2)])\n\
         print(list(enumerate('ab')), list(zip([1, 2, 3], 'xy')), list(reversed([1, 2])))\n\
         print(min(3, 1, 2), max([4, 9, 2]), min(['bb', 'a'], key=len), sum(x for x in range(5)))\n\
         print(abs(-3), abs(-2.5), int('42'), int(3.9), int(-3.9), float('1.5'), bool(''), str(None))\n\
         print(list(range(10, 0, -3)), tuple([1]), dict([(1, 2)]), any([0, 1]), all([]))\n\
         a, (b, c) = 1, (2, 3)\nfirst, *rest = [1, 2, 3]\nprint(a, b, c, first, rest)\n\
         for i, (x, y) in enumerate([(1, 2), (3, 4)]):\n    print(i, x + y)\n\
         print(sorted(['b', 'A', 'c'], key=lambda s: s.lower()), round(2.5), round(3.14159, 2), divmod(7, -2))\n\
         print(isinstance(1, int), isinstance(True, int), isinstance('x', (int, float)), repr([1, 'a']))\n",
        "[0, 4, 16] [(0, 0), (0, 1), (1, 0), (1, 1)]\n[(0, 'a'), (1, 'b')] [(1, 'x'), (2, 'y')] [2, 1]\n1 9 a 10\n3 2.5 42 3 -3 1.5 False None\n[10, 7, 4, 1] (1,) {1: 2} True True\n1 2 3 1 [2, 3]\n0 3\n1 7\n['A', 'b', 'c'] 2 3.14 (-4, -1)\n True True False [1, 'a']\n"
            .replace("\n True", "\nTrue")
            .as_str(),
    );
}

#[test]
fn control_flow() {
    check(
        "total = 0\ni = 0\nwhile True:\n    i += 1\n    if i > 10:\n        break\n    if i % 2:\n        continue\n    total += i\nelse:\n    total = -1\nprint(total)\n\
         for x in []:\n    pass\nelse:\n    print('empty loop else')\n\
         n = 3\nprint('big' if n > 2 else 'small')\n",
        "30\nempty loop else\nbig\n",
    );
}

#[test]
fn functions_closures_and_scopes() {
    check(
        "def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\n\
         def counter():\n    count = 0\n    def inc(by=1):\n        nonlocal count\n        count += by\n        return count\n    return inc\n\
         c = counter()\nc()\nc(5)\nprint(fact(10), c())\n\
         g = 1\ndef setg():\n    global g\n    g = 2\nsetg()\nprint(g)\n\
         def kw(a, b=2, *args, c, **kw):\n    return (a, b, args, c, kw)\n\
         print(kw(1, c=3), kw(1, 2, 3, 4, c=5, d=6))\n\
         adders = [lambda x, k=k: x + k for k in range(3)]\nprint([f(10) for f in adders])\n\
         def outer():\n    x = 'outer'\n    def inner():\n        return x\n    x = 'late'\n    return inner()\nprint(outer())\n\
         def deco(f):\n    return lambda: f() * 2\n@deco\ndef three():\n    return 3\nprint(three())\n",
        "3628800 7\n2\n(1, 2, (), 3, {}) (1, 2, (3, 4), 5, {'d': 6})\n[10, 11, 12]\nlate\n6\n",
    );
}

#[test]
fn globals_and_defines() {
    let defines = vec![
        ("n".to_string(), DefineValue::Int(4)),
        ("name".to_string(), DefineValue::from("bf")),
        ("xs".to_string(), DefineValue::from(vec![1i64, 2])),
    ];
    let (r, out, _) = run_with(
        "print(n * 2, name, xs, 'n' in globals())\n",
        &defines,
        &Limits::default(),
    );
    assert!(r.is_ok());
    assert_eq!(out, "8 bf [1, 2] True\n");
}

#[test]
fn self_referencing_values_print_and_drop_safely() {
    check("a = [1]\na.append(a)\nprint(a)\n", "[1, [...]]\n");
    // A million nested lists: dropping them must not recurse on the Rust stack.
    check(
        "x = []\nfor i in range(200000):\n    x = [x]\nprint(len(x))\n",
        "1\n",
    );
}

#[test]
fn unsupported_constructs_are_clear_errors() {
    check_err(
        "class A:\n    pass\n",
        &["`class`", "not supported", "test.py:1"],
    );
    check_err(
        "def f():\n    with open('x') as h:\n        pass\nf()\n",
        &["`with`", "test.py:2"],
    );
    check_err("x = (y := 3)\n", &["`:=`", "test.py:1"]);
    check_err(
        "print(undefined_thing)\n",
        &["undefined_thing", "not defined"],
    );
    check_err("x = [1][5]\n", &["index out of range"]);
    check_err("x = {}['k']\n", &["'k'", "not found"]);
    check_err("x = 'a' + 1\n", &["unsupported operand"]);
    check_err("x = len(5)\n", &["has no len"]);
    check_err("x = [1].nope()\n", &["has no attribute 'nope'"]);
    check_err("x = {[1]: 2}\n", &["unhashable"]);
    check_err("a, b = [1, 2, 3]\n", &["too many values"]);
    check_err(
        "def f(a):\n    pass\nf(1, 2)\n",
        &["takes 1 positional argument"],
    );
    check_err("x = 10 ** 100\n", &["overflow"]);
    check_err("x = 99999999999999999999\n", &["64 bits"]);
    check_err("splice(3)\n", &["splice", "only works inside"]);
}

#[test]
fn errors_carry_a_traceback() {
    let text = check_err(
        "def a():\n    return 1 // 0\ndef b():\n    return a()\nb()\n",
        &["test.py:2", "called from here"],
    );
    assert!(text.contains("b()"), "{text}");
}

// ----- limits -----

#[test]
fn recursion_depth_1000_works_and_beyond_is_a_clean_error() {
    check(
        "def down(n):\n    return 0 if n == 0 else 1 + down(n - 1)\nprint(down(990))\n",
        "990\n",
    );
    let limits = Limits {
        max_depth: 100_000,
        max_steps: 50_000_000,
        ..Limits::default()
    };
    // 100000 nested calls: far more than a default thread's stack would hold.
    let text = check_err_with(
        "def down(n):\n    return 0 if n == 0 else 1 + down(n - 1)\nprint(down(200000))\n",
        &limits,
        &["recursion", "test.py:2"],
    );
    assert!(text.contains("called from here"), "{text}");
    check_err(
        "def down(n):\n    return 0 if n == 0 else 1 + down(n - 1)\nprint(down(100000))\n",
        &["recursion", "more than 1000", "test.py:2"],
    );
}

#[test]
fn step_budget_stops_infinite_loops() {
    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    check_err_with("while True:\n    pass\n", &limits, &["budget"]);
}

#[test]
fn memory_limit_stops_runaway_allocation() {
    let limits = Limits {
        max_memory: 1 << 20,
        ..Limits::default()
    };
    check_err_with("s = 'x' * 10000000\n", &limits, &["memory"]);
    check_err_with(
        "s = []\nwhile True:\n    s.append('y' * 1000)\n",
        &limits,
        &["memory"],
    );
    check_err_with("s = list(range(10 ** 9))\n", &limits, &["memory"]);
    check_err("s = 'x' * 10 ** 12\n", &["memory"]);
}

#[test]
fn code_size_limit() {
    let limits = Limits {
        max_code_nodes: 1000,
        ..Limits::default()
    };
    // Doubling the tree each round: 2^20 nodes would be the result.
    check_err_with(
        "def big(n):\n    c = q('x')\n    for i in range(n):\n        c = q('splice(c) + splice(c)')\n    return c\n\
         @compile\ndef f(x: int) -> int:\n    return splice(big(20))\n",
        &limits,
        &["generated code too large", "limit 1000"],
    );
}

#[test]
fn deep_generated_code_is_capped_not_overflowed() {
    // `power` recursing 400 times builds a tree 400 levels deep: fine.
    let src = "def power(n, x):\n    if n == 0:\n        return q('1')\n    return q('splice(power(n - 1, x)) * splice(x)')\n\
               @compile\ndef f(x: int) -> int:\n    return splice(power(400, q('x')))\n";
    let (r, _, map) = run(src);
    if let Err(e) = r {
        panic!("{}", e.diagnostic.render(&map));
    }
    // A loop nesting ten thousand levels is refused with a clear error.
    check_err(
        "def nest(n):\n    c = q('x')\n    for i in range(n):\n        c = q('-' * 100 + 'splice(c)')\n    return c\n\
         @compile\ndef f(x: int) -> int:\n    return splice(nest(100))\n",
        &["nested too deeply"],
    );
}

#[test]
fn hostile_formats_are_refused() {
    check_err("x = f'{1:999999999999}'\n", &["too large"]);
    check_err("x = '{:.9999999f}'.format(1.5)\n", &["too large"]);
    check(
        "print('a\u{3000}b c'.rsplit(None, 1))\n",
        "['a\\u3000b', 'c']\n",
    );
}

// ----- quotes and splices -----

#[test]
fn quotes_are_code_values() {
    check(
        "a = q('x + 1')\nb = q('y = 2\\nz = 3')\nprint(a, type(a), b)\n",
        "<code x + 1> code <code y = 2\nz = 3>\n",
    );
}

#[test]
fn splice_inserts_code_and_lifts_scalars() {
    let text = expand(
        "def twice(e):\n    return q('splice(e) * 2')\n\
         K = 7\nneg = -3\n\
         @compile\ndef f(x: int) -> int:\n    y = splice(twice(q('x + 1')))\n    return y + splice(K) + splice(neg) + K\n",
    );
    assert_eq!(
        text,
        "# stage-0 globals `f` reads\nK = 7\n\n@compile\ndef f(x: int) -> int:\n    y = (x + 1) * 2\n    return y + 7 + -3 + K\n"
    );
}

#[test]
fn cross_stage_persistence() {
    let text = expand(
        "def gen(k, e, flag):\n    scale = k * 2.5\n    return q('v * k + scale if flag else splice(e) - k')\n\
         @compile\ndef f(v: float) -> float:\n    return splice(gen(-2, q('v'), True))\n",
    );
    assert!(
        text.contains("return v * -2 + -5.0 if True else v - -2"),
        "{text}"
    );
    // Names the quote assigns stay kernel variables, even if the generator has them.
    let text = expand(
        "def gen(acc):\n    return q('acc = 0\\nfor i in range(3):\\n    acc += i')\n\
         @compile\ndef f() -> int:\n    splice(gen(5))\n    return acc\n",
    );
    assert!(
        text.contains("acc = 0\n    for i in range(3):\n        acc += i"),
        "{text}"
    );
    check_err(
        "def gen(items):\n    return q('items[0]')\n\
         @compile\ndef f() -> int:\n    return splice(gen([1]))\n",
        &["`items`", "list", "test.py:2"],
    );
}

#[test]
fn splice_of_non_code_points_at_the_splice() {
    check_err(
        "def gen():\n    return 'x + 1'\n@compile\ndef f(x: int) -> int:\n    return splice(gen())\n",
        &["splice", "str", "test.py:5", "q(text)"],
    );
    check_err(
        "def gen():\n    return q('a = 1\\nb = 2')\n@compile\ndef f(x: int) -> int:\n    return splice(gen())\n",
        &["expression position", "statement list", "test.py:5"],
    );
    check_err(
        "@compile\ndef f(x: int) -> int:\n    splice([q('x'), 'y'])\n    return x\n",
        &["item 1", "str"],
    );
}

#[test]
fn quote_syntax_errors_name_the_q_call() {
    let text = check_err(
        "def g():\n    return q('x + * 2')\n@compile\ndef f(x: int) -> int:\n    return splice(g())\n",
        &["syntax error in quoted code", "test.py:2", "quoted text"],
    );
    assert!(text.contains("<quote built at test.py:2"), "{text}");
}

/// Quoted text goes through the same parser as files: indentation CPython refuses as a
/// `TabError` is refused there too, at its line of the quoted text.
#[test]
fn quotes_with_inconsistent_tabs_are_refused() {
    check_err(
        "def g():\n    return q('if x:\\n\\tif x:\\n        x = 1\\n')\n\
         @compile\ndef f(x: int) -> int:\n    splice(g())\n    return x\n",
        &[
            "syntax error in quoted code: inconsistent use of tabs and spaces in indentation",
            "test.py:2",
            "line 3, column 1 of the quoted text",
        ],
    );
    // Tabs CPython reads one way are fine in a quote.
    check(
        "def g():\n    return q('if x:\\n\\ty = 1\\n\\ty = 2\\n')\n\
         @compile\ndef f(x: int) -> int:\n    y = 0\n    splice(g())\n    return y\n",
        "",
    );
}

#[test]
fn spliced_code_remembers_where_it_came_from() {
    let src = "def g():\n    return q('x + 1')\n@compile\ndef f(x: int) -> int:\n    return splice(g())\n";
    let (r, _, map) = run(src);
    let m = r.expect("stages");
    let crate::ast::StmtKind::Return(Some(e)) = &m.kernels[0].body[0].kind else {
        panic!("expected a return")
    };
    let origins = map.origins(e.span);
    assert_eq!(origins.len(), 2, "{origins:?}");
    assert_eq!(map.file_location(e.span).line, 5);
    let built = match origins[0] {
        crate::source::Origin::QuoteBuilt(s) => s,
        ref o => panic!("{o:?}"),
    };
    assert_eq!(map.location(built).line, 2);
}

#[test]
fn nested_quotes_report_the_kernel_line() {
    let src = "def inner():\n    return q('x + 1')\n\
               def outer():\n    return q('splice(inner()) * 2')\n\
               @compile\ndef f(x: int) -> int:\n    return splice(outer())\n";
    let (r, _, map) = run(src);
    let m = r.expect("stages");
    let crate::ast::StmtKind::Return(Some(e)) = &m.kernels[0].body[0].kind else {
        panic!("expected a return")
    };
    // `x + 1` came from inner's quote, through outer's quote, into the kernel at line 7.
    let crate::ast::ExprKind::BinOp { left, .. } = &e.kind else {
        panic!("expected a product")
    };
    assert_eq!(map.file_location(left.span).line, 7);
    let origins = map.origins(left.span);
    assert_eq!(origins.len(), 3, "{origins:?}");
    let lines: Vec<u32> = origins
        .iter()
        .map(|o| match o {
            crate::source::Origin::QuoteBuilt(s) | crate::source::Origin::Spliced(s) => {
                map.file_location(*s).line
            }
        })
        .collect();
    assert_eq!(lines, vec![2, 4, 7]);
}

#[test]
fn memory_account_returns_to_zero() {
    let before = super::alloc::held();
    check(
        "def make():\n    data = [str(i) * 10 for i in range(1000)]\n    def get():\n        return data\n    return get\n\
         keep = [make() for _ in range(5)]\nd = {i: [i] for i in range(100)}\nprint(len(keep))\n",
        "5\n",
    );
    assert_eq!(super::alloc::held(), before);
}

#[test]
fn gensym_gives_fresh_names() {
    check(
        "print(gensym('t'), gensym('t'), gensym())\n",
        "t_1 t_2 tmp_3\n",
    );
}

#[test]
fn frozen_globals_and_opaque_ones() {
    let (r, _, map) = run("n = 3\nscale = 0.5\non = True\nname = 'x'\ntable = [1]\n\
         @extern\ndef putchar(c: int) -> int: ...\n\
         @compile\ndef g(a: Float[n]) -> float:\n    local = 1\n    putchar(65)\n    return a[0] * scale + local + len(name) + table[0] + on\n");
    let m = r.unwrap_or_else(|e| panic!("{}", e.diagnostic.render(&map)));
    let k = &m.kernels[0];
    assert_eq!(k.consts.get("n"), Some(&ConstValue::Int(3)));
    assert_eq!(k.consts.get("scale"), Some(&ConstValue::Float(0.5)));
    assert_eq!(k.consts.get("on"), Some(&ConstValue::Bool(true)));
    assert_eq!(
        k.opaque_globals.get("name").map(String::as_str),
        Some("str")
    );
    assert_eq!(
        k.opaque_globals.get("table").map(String::as_str),
        Some("list")
    );
    assert!(!k.consts.contains_key("local") && !k.opaque_globals.contains_key("putchar"));
    assert!(!k.opaque_globals.contains_key("len"));
    assert_eq!(m.externs.len(), 1);
}

#[test]
fn kernel_decorators() {
    let (r, _, map) = run("def putchar(c: int) -> int: pass\n\
         gen = CGEngine.create_engine()\n\
         @gen.compile(env=globals(), external={putchar}, debug=True, add_time=True)\n\
         def a(x: int) -> int:\n    return putchar(x)\n\
         @compile(unchecked=True, fast_compile=False)\ndef b(x: int) -> int:\n    return x\n\
         print(a, b, putchar)\n");
    let m = r.unwrap_or_else(|e| panic!("{}", e.diagnostic.render(&map)));
    assert_eq!(m.kernels.len(), 2);
    assert!(m.kernels[0].options.debug && m.kernels[0].options.add_time);
    assert_eq!(m.kernels[0].options.fast_compile, None);
    assert_eq!(m.kernels[1].options.unchecked, Some(true));
    assert_eq!(m.kernels[1].options.fast_compile, Some(false));
    assert!(
        crate::unparse::unparse_module(&m).contains("@compile(unchecked=True, fast_compile=False)")
    );
    assert_eq!(m.externs[0].name.name, "putchar");
    assert!(m.kernels[0].opaque_globals.is_empty());
    check_err(
        "@property\ndef f(x: int) -> int:\n    return x\n",
        &["property", "not defined"],
    );
    check_err(
        "k = 3\n@k\ndef f(x: int) -> int:\n    return x\n",
        &["unknown decorator"],
    );
    check_err(
        "@compile\ndef f(x: int) -> int:\n    return x\n@compile\ndef f(x: int) -> int:\n    return x\n",
        &["defined twice"],
    );
    check_err(
        "@compile\ndef f(x: int) -> int:\n    return x\nf(3)\n",
        &["cannot be called at stage 0"],
    );
}

#[test]
fn kernels_named_by_the_decorator() {
    // A generator stages one kernel per call; `name=` names each, the def's name is
    // bound to the kernel in the generator's scope.
    let (r, out, map) = run("def make(i):\n    \
             @compile(name=f'k_{i}', inline=False)\n    \
             def k(x: int) -> int:\n        return x + splice(i)\n    \
             return k\n\
         print(make(1), make(2))\n");
    let m = r.unwrap_or_else(|e| panic!("{}", e.diagnostic.render(&map)));
    let names: Vec<&str> = m.kernels.iter().map(|k| k.name.name.as_str()).collect();
    assert_eq!(names, ["k_1", "k_2"]);
    assert!(m.kernels.iter().all(|k| k.options.noinline));
    assert_eq!(out, "<kernel k_1> <kernel k_2>\n");
    check_err(
        "@compile(name='not a name')\ndef f(x: int) -> int:\n    return x\n",
        &["identifier", "'not a name'"],
    );
    check_err(
        "def make():\n    @compile(name='k')\n    def k(x: int) -> int:\n        return x\nmake()\nmake()\n",
        &["kernel `k` is defined twice"],
    );
}

#[test]
fn kernels_staged_inside_generators_lift_their_locals() {
    let text = expand(
        "def make(k, name):\n    @compile\n    def scaled(x: int) -> int:\n        y = x * k\n        return y\n    return scaled\n\
         s = make(3, 'unused')\nprint(s)\n",
    );
    assert!(text.contains("y = x * 3\n"), "{text}");
    check(
        "def make(k):\n    @compile\n    def scaled(x: int) -> int:\n        return x * k\n    return scaled\nprint(make(3))\n",
        "<kernel scaled>\n",
    );
}

#[test]
fn code_values_escape_through_globals() {
    let text = expand(
        "l = 1\ndef inner():\n    global l\n    l = q('x + 1')\n    return q('2')\n\
         @compile\ndef f(x: int) -> int:\n    return splice(inner())\n\
         @compile\ndef g(x: int) -> int:\n    return splice(l)\n",
    );
    assert!(
        text.contains("return 2\n") && text.contains("return x + 1\n"),
        "{text}"
    );
}

// ----- conformance cases -----

/// `../shared/conformance`, which a plain clone lacks: then `None` and the tests that
/// read it skip with a message, except under `CI=true`, where its absence fails them.
fn conformance_dir() -> Option<PathBuf> {
    use std::io::Write;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "{} is missing, and CI=true requires it",
        dir.display()
    );
    // Written to stderr itself: the test harness captures `eprintln!` of passing tests,
    // and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "{} is missing (no ../shared beside the repository); skipping (with CI=true this fails)",
        dir.display()
    );
    None
}

/// `# DEFINE: name=value` lines of a case, as define values.
fn case_defines(text: &str) -> Vec<(String, DefineValue)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(def) = line.strip_prefix("# DEFINE:") else {
            continue;
        };
        let Some((name, value)) = def.trim().split_once('=') else {
            continue;
        };
        let value = value.trim();
        let v = if let Some(s) = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        {
            DefineValue::Str(s.to_string())
        } else if value == "True" || value == "False" {
            DefineValue::Bool(value == "True")
        } else if let Ok(i) = value.parse::<i64>() {
            DefineValue::Int(i)
        } else {
            DefineValue::Float(value.parse().unwrap_or(0.0))
        };
        out.push((name.trim().to_string(), v));
    }
    out
}

fn stage_case(path: &std::path::Path) -> (Result<StagedModule, StageError>, SourceMap) {
    let text = std::fs::read_to_string(path).expect("case readable");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut map = SourceMap::new();
    let file = map.add(name, text.as_str(), SourceKind::File);
    let module = match parse::parse_module(&map, file) {
        Ok(m) => m,
        Err(e) => return (Err(StageError { diagnostic: e.0 }), map),
    };
    let mut out = Vec::new();
    let r = run_module(
        &mut map,
        file,
        &module,
        &case_defines(&text),
        &Limits::default(),
        &mut out,
    );
    (r, map)
}

#[test]
fn conformance_cases_stage() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let (r, map) = stage_case(&path);
        if let Err(e) = r {
            panic!(
                "{} failed to stage:\n{}",
                path.display(),
                e.diagnostic.render(&map)
            );
        }
    }
}

#[test]
fn conformance_error_cases_fail_where_they_say() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    for case in [
        "quote_syntax_error.py",
        "splice_not_code.py",
        "runaway_loop.py",
        "runaway_recursion.py",
    ] {
        let path = dir.join("errors").join(case);
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let (r, map) = stage_case(&path);
        let e = match r {
            Ok(_) => panic!("{case} staged without error"),
            Err(e) => e,
        };
        let rendered = format!(
            "{}\n{}",
            e.diagnostic.render_short(&map),
            e.diagnostic.render(&map)
        );
        for line in text.lines() {
            if let Some(n) = line.strip_prefix("# ERROR-AT:") {
                let want = format!("{case}:{}", n.trim());
                assert!(
                    rendered.contains(&want),
                    "{case}: wanted {want} in\n{rendered}"
                );
            }
            if let Some(h) = line.strip_prefix("# ERROR-HAS:") {
                let h = h.trim().to_lowercase();
                assert!(
                    rendered.to_lowercase().contains(&h),
                    "{case}: wanted {h:?} in\n{rendered}"
                );
            }
        }
    }
}

fn staged_case_text(case: &str) -> Option<String> {
    let path = conformance_dir()?.join(case);
    let (r, map) = stage_case(&path);
    match r {
        Ok(m) => Some(unparse::unparse_module(&m)),
        Err(e) => panic!("{case}:\n{}", e.diagnostic.render(&map)),
    }
}

#[test]
fn snapshot_power() {
    if let Some(text) = staged_case_text("power.py") {
        insta::assert_snapshot!("power", text);
    }
}

#[test]
fn snapshot_fast_power() {
    if let Some(text) = staged_case_text("fast_power.py") {
        insta::assert_snapshot!("fast_power", text);
    }
}

#[test]
fn snapshot_bf_hello() {
    if let Some(text) = staged_case_text("bf_hello.py") {
        insta::assert_snapshot!("bf_hello", text);
    }
}

/// Unparsing a staged module and staging the text again gives the same text.
#[test]
fn unparse_round_trips_every_conformance_case() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    for path in paths {
        let (r, map) = stage_case(&path);
        let first = match r {
            Ok(m) => unparse::unparse_module(&m),
            Err(e) => panic!("{}", e.diagnostic.render(&map)),
        };
        let (r, out, map) = run(&first);
        let _ = out;
        let second = match r {
            Ok(m) => unparse::unparse_module(&m),
            Err(e) => panic!(
                "{}: unparsed text does not stage:\n{first}\n{}",
                path.display(),
                e.diagnostic.render(&map)
            ),
        };
        assert_eq!(first, second, "{}", path.display());
    }
}
