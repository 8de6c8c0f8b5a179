//! Python's string formatting: the format-spec mini-language (f-strings, `format`),
//! `str.format`, and `%` formatting.

use super::value::{Value, repr, to_str};
use crate::unparse::float_repr;

/// A parsed format spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
#[derive(Debug, Default)]
struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    alternate: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> Result<Spec, String> {
    let bad = || format!("invalid format specifier '{spec}'");
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec {
        fill: ' ',
        sign: '-',
        ..Spec::default()
    };
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        s.sign = c;
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        if s.align.is_none() {
            s.fill = '0';
            s.align = Some('=');
        }
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    if i > start {
        let w: String = chars[start..i].iter().collect();
        s.width = w.parse().map_err(|_| bad())?;
    }
    if let Some(&c @ (',' | '_')) = chars.get(i) {
        s.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        let p: String = chars[start..i].iter().collect();
        s.precision = Some(p.parse().map_err(|_| bad())?);
    }
    if let Some(&c) = chars.get(i) {
        s.kind = Some(c);
        i += 1;
    }
    if i != chars.len() {
        return Err(bad());
    }
    // Python would try; stage 0 refuses sizes that could only exhaust memory.
    if s.width > 10_000_000 || s.precision.is_some_and(|p| p > 100_000) {
        return Err(format!("format width or precision too large in '{spec}'"));
    }
    Ok(s)
}

/// `format(v, spec)`.
pub fn format_value(v: &Value, spec: &str) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(to_str(v));
    }
    let s = parse_spec(spec)?;
    match v {
        Value::Int(_) | Value::Bool(_) => {
            let i = match v {
                Value::Int(i) => *i,
                Value::Bool(b) => i64::from(*b),
                _ => 0,
            };
            format_int(i, &s)
        }
        Value::Float(f) => format_float(*f, &s),
        Value::Str(text) => {
            if !matches!(s.kind, None | Some('s')) {
                return Err(format!(
                    "unknown format code '{}' for object of type 'str'",
                    s.kind.unwrap_or(' ')
                ));
            }
            let mut t: String = text.as_str().to_string();
            if let Some(p) = s.precision {
                t = t.chars().take(p).collect();
            }
            Ok(pad(&t, &s, '<'))
        }
        other => Err(format!(
            "unsupported format string passed to {}.__format__",
            other.type_name()
        )),
    }
}

fn format_int(i: i64, s: &Spec) -> Result<String, String> {
    let integral = matches!(s.kind, None | Some('d' | 'n' | 'b' | 'o' | 'x' | 'X' | 'c'));
    if integral && s.precision.is_some() {
        return Err("precision not allowed in integer format specifier".into());
    }
    let digits = match s.kind {
        None | Some('d') | Some('n') => group(&i.unsigned_abs().to_string(), s.grouping, 3),
        Some('b') => prefixed(format!("{:b}", i.unsigned_abs()), "0b", s),
        Some('o') => prefixed(format!("{:o}", i.unsigned_abs()), "0o", s),
        Some('x') => prefixed(format!("{:x}", i.unsigned_abs()), "0x", s),
        Some('X') => prefixed(format!("{:X}", i.unsigned_abs()), "0X", s),
        Some('c') => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .ok_or("%c arg not in range(0x110000)")?;
            return Ok(pad(&c.to_string(), s, '>'));
        }
        Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => return format_float(i as f64, s),
        Some(k) => {
            return Err(format!(
                "unknown format code '{k}' for object of type 'int'"
            ));
        }
    };
    Ok(sign_and_pad(i < 0, digits, s))
}

fn prefixed(digits: String, prefix: &str, s: &Spec) -> String {
    if s.alternate {
        format!("{prefix}{digits}")
    } else {
        digits
    }
}

fn format_float(f: f64, s: &Spec) -> Result<String, String> {
    let neg = f.is_sign_negative() && !f.is_nan();
    let a = f.abs();
    let body = if !a.is_finite() {
        let t = if a.is_nan() { "nan" } else { "inf" };
        if matches!(s.kind, Some('E' | 'F' | 'G')) {
            t.to_uppercase()
        } else {
            t.to_string()
        }
    } else {
        match s.kind {
            Some('f' | 'F') => {
                group_fixed(format!("{:.*}", s.precision.unwrap_or(6), a), s.grouping)
            }
            Some('e' | 'E') => {
                let t = sci(a, s.precision.unwrap_or(6), s.alternate);
                if s.kind == Some('E') {
                    t.to_uppercase()
                } else {
                    t
                }
            }
            Some('g' | 'G') => {
                let t = general(a, s.precision.unwrap_or(6), s.alternate, false);
                if s.kind == Some('G') {
                    t.to_uppercase()
                } else {
                    t
                }
            }
            Some('%') => format!("{:.*}%", s.precision.unwrap_or(6), a * 100.0),
            None => match s.precision {
                None => group_fixed(float_repr(a), s.grouping),
                Some(p) => {
                    let t = general(a, p, s.alternate, true);
                    if t.contains(['.', 'e', 'n', 'i']) {
                        t
                    } else {
                        format!("{t}.0")
                    }
                }
            },
            Some(k) => {
                return Err(format!(
                    "unknown format code '{k}' for object of type 'float'"
                ));
            }
        }
    };
    Ok(sign_and_pad(neg, body, s))
}

/// `d.ddde+XX` with `p` digits after the point.
fn sci(a: f64, p: usize, alternate: bool) -> String {
    let t = format!("{a:.p$e}");
    let (mant, exp) = t.split_once('e').unwrap_or((&t, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mant = if alternate && !mant.contains('.') {
        format!("{mant}.")
    } else {
        mant.to_string()
    };
    format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// The `g` presentation: fixed or scientific by exponent, trailing zeros removed. With
/// no presentation type (`repr_like`), Python switches to scientific one digit earlier.
fn general(a: f64, p: usize, alternate: bool, repr_like: bool) -> String {
    let p = p.max(1);
    if a == 0.0 {
        return if alternate {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        };
    }
    let t = format!("{a:.*e}", p - 1);
    let exp: i32 = t
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let limit = if repr_like { p as i32 - 1 } else { p as i32 };
    let out = if exp >= -4 && exp < limit {
        format!("{a:.*}", (p as i32 - 1 - exp).max(0) as usize)
    } else {
        sci(a, p - 1, alternate)
    };
    if alternate {
        return out;
    }
    strip_zeros(&out)
}

fn strip_zeros(t: &str) -> String {
    let (mant, exp) = match t.find('e') {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    let mant = if mant.contains('.') {
        mant.trim_end_matches('0').trim_end_matches('.')
    } else {
        mant
    };
    format!("{mant}{exp}")
}

fn group_fixed(t: String, grouping: Option<char>) -> String {
    if t.contains('e') {
        return t;
    }
    match t.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group(int, grouping, 3)),
        None => group(&t, grouping, 3),
    }
}

fn group(digits: &str, sep: Option<char>, every: usize) -> String {
    let Some(sep) = sep else {
        return digits.to_string();
    };
    let n = digits.len();
    let mut out = String::with_capacity(n + n / every);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn sign_and_pad(neg: bool, body: String, s: &Spec) -> String {
    let sign = if neg {
        "-"
    } else {
        match s.sign {
            '+' => "+",
            ' ' => " ",
            _ => "",
        }
    };
    if s.align == Some('=') {
        let len = sign.chars().count() + body.chars().count();
        let fill: String = std::iter::repeat_n(s.fill, s.width.saturating_sub(len)).collect();
        return format!("{sign}{fill}{body}");
    }
    pad(&format!("{sign}{body}"), s, '>')
}

fn pad(text: &str, s: &Spec, default_align: char) -> String {
    let len = text.chars().count();
    if len >= s.width {
        return text.to_string();
    }
    let n = s.width - len;
    let fill = |k: usize| -> String { std::iter::repeat_n(s.fill, k).collect() };
    match s.align.unwrap_or(default_align) {
        '<' => format!("{text}{}", fill(n)),
        '^' => format!("{}{text}{}", fill(n / 2), fill(n - n / 2)),
        _ => format!("{}{text}", fill(n)),
    }
}

/// `fmt.format(*args, **kwargs)`.
pub fn str_format(fmt: &str, args: &[Value], kwargs: &[(String, Value)]) -> Result<String, String> {
    let mut out = String::new();
    let mut auto = 0usize;
    let mut chars = fmt.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                chars.next();
                out.push('}');
            }
            '}' => return Err("single '}' encountered in format string".into()),
            '{' => {
                // The field runs to the matching `}` (specs may nest one level of `{}`).
                let mut depth = 1;
                let mut field = String::new();
                for (_, c) in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    field.push(c);
                }
                if depth != 0 {
                    return Err("single '{' encountered in format string".into());
                }
                out.push_str(&format_field(&field, args, kwargs, &mut auto)?);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn format_field(
    field: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    auto: &mut usize,
) -> Result<String, String> {
    let (name_conv, spec) = match field.find(':') {
        Some(i) => (&field[..i], &field[i + 1..]),
        None => (field, ""),
    };
    let (name, conv) = match name_conv.find('!') {
        Some(i) => (&name_conv[..i], name_conv[i + 1..].chars().next()),
        None => (name_conv, None),
    };
    let pick = |name: &str, auto: &mut usize| -> Result<Value, String> {
        if name.is_empty() {
            let v = args
                .get(*auto)
                .cloned()
                .ok_or_else(|| format!("replacement index {} out of range", *auto))?;
            *auto += 1;
            Ok(v)
        } else if let Ok(i) = name.parse::<usize>() {
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("replacement index {i} out of range"))
        } else {
            kwargs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("missing keyword argument '{name}' for format"))
        }
    };
    let v = pick(name, auto)?;
    let v = match conv {
        Some('r') | Some('a') => Value::str(repr(&v)),
        Some('s') => Value::str(to_str(&v)),
        None => v,
        Some(c) => return Err(format!("unknown conversion specifier {c}")),
    };
    // Nested fields in the spec: `{:{width}}`.
    let spec = if spec.contains('{') {
        str_format(spec, args, kwargs)?
    } else {
        spec.to_string()
    };
    format_value(&v, &spec)
}

/// `fmt % args`: `%s %r %d %i %f %e %g %x %o %c %%` with flags, width and precision.
pub fn percent_format(fmt: &str, args: &Value) -> Result<String, String> {
    let args: Vec<Value> = match args {
        Value::Tuple(t) => t.items().to_vec(),
        other => vec![other.clone()],
    };
    let mut next = args.into_iter();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f @ ('-' | '+' | ' ' | '0' | '#')) = chars.peek() {
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(p);
        }
        let Some(conv) = chars.next() else {
            return Err("incomplete format".into());
        };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = next
            .next()
            .ok_or("not enough arguments for format string")?;
        let align = if flags.contains('-') { "<" } else { ">" };
        let zero = if flags.contains('0') && !flags.contains('-') {
            "0"
        } else {
            ""
        };
        let sign = if flags.contains('+') {
            "+"
        } else if flags.contains(' ') {
            " "
        } else {
            ""
        };
        let alt = if flags.contains('#') { "#" } else { "" };
        let prec = precision
            .map(|p| format!(".{}", if p.is_empty() { "0" } else { &p }))
            .unwrap_or_default();
        let text = match conv {
            's' => format_value(&Value::str(to_str(&v)), &format!("{align}{width}{prec}"))?,
            'r' | 'a' => format_value(&Value::str(repr(&v)), &format!("{align}{width}{prec}"))?,
            'd' | 'i' | 'u' => {
                let i = match v {
                    Value::Float(f) => Value::Int(f.trunc() as i64),
                    other => other,
                };
                let spec = if zero.is_empty() {
                    format!("{align}{sign}{width}d")
                } else {
                    format!("{sign}0{width}d")
                };
                format_value(&i, &spec)?
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'c' => {
                let spec = if zero.is_empty() {
                    format!("{align}{sign}{alt}{width}{prec}{conv}")
                } else {
                    format!("{sign}{alt}0{width}{prec}{conv}")
                };
                format_value(&v, &spec)?
            }
            other => return Err(format!("unsupported format character '{other}'")),
        };
        out.push_str(&text);
    }
    if next.next().is_some() {
        return Err("not all arguments converted during string formatting".into());
    }
    Ok(out)
}
