//! LLVM's assembly output made fit for Rust's `global_asm!`.
//!
//! `global_asm!` hands its text to the same assembler that assembles the crate's own
//! functions, inside the crate's object file. So:
//! - local labels (`.LBB0_1`, `.LCPI0_0`, `.Lfunc_end0`, `.Ltmp3`) would collide with
//!   the crate's own and with another invocation's: each gets a prefix unique to the
//!   compilation (`.L{prefix}BB0_1`), which keeps it local (`.L` on ELF);
//! - `{` and `}` are format placeholders in the template: they are doubled;
//! - file-level directives (`.file`, `.ident`, the `.note.GNU-stack` section, `.addrsig`)
//!   belong to the crate's object, not to us: they are dropped;
//! - the text switches sections (`.text`, `.rodata.cst8` for constant pools); it is
//!   wrapped in `.pushsection`/`.popsection` so the crate's assembly resumes where it was.
//!
//! Comment-only lines are dropped to keep the expansion small.

/// Rewrites `asm` (LLVM's output for an ELF or Mach-O target) for `global_asm!`.
/// `unique` must be an identifier fragment unique to this compilation within the crate.
pub fn for_global_asm(asm: &str, unique: &str, elf: bool) -> String {
    let mut out = String::with_capacity(asm.len() + asm.len() / 8);
    if elf {
        out.push_str(".pushsection .text\n");
    }
    for line in asm.lines() {
        let t = line.trim_start();
        if t.is_empty()
            || t.starts_with('#')
            || t.starts_with("//")
            || t.starts_with(';')
            || dropped(t)
        {
            continue;
        }
        rename_locals(line, unique, elf, &mut out);
        out.push('\n');
    }
    if elf {
        out.push_str(".popsection\n");
    } else {
        out.push_str(".text\n");
    }
    escape_braces(&out)
}

/// Directives that describe the whole object file.
fn dropped(t: &str) -> bool {
    let word = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("");
    match word {
        ".file"
        | ".ident"
        | ".addrsig"
        | ".addrsig_sym"
        | ".subsections_via_symbols"
        | ".build_version"
        | ".macosx_version_min" => true,
        ".section" => t.contains(".note.GNU-stack"),
        _ => false,
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$')
}

/// Copies `line` to `out`, giving every local label the unique prefix. ELF local labels
/// start with `.L`; Mach-O's with `L` or `l` (`LBB0_1`, `lCPI0_0`). Quoted strings are
/// copied as they are.
fn rename_locals(line: &str, unique: &str, elf: bool, out: &mut String) {
    let mut prev: Option<char> = None;
    let mut in_string = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            prev = Some(c);
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            prev = Some(c);
            continue;
        }
        let at_start = !prev.is_some_and(is_ident);
        if at_start {
            let rest = &line[i..];
            let local = if elf {
                rest.starts_with(".L") && rest.len() > 2
            } else {
                (rest.starts_with('L') || rest.starts_with('l')) && mach_o_local(rest)
            };
            if local {
                let head = if elf { 2 } else { 1 };
                out.push_str(&rest[..head]);
                out.push_str(unique);
                // Skip the head; the rest of the identifier is copied as usual.
                for _ in 1..head {
                    chars.next();
                }
                prev = Some('_');
                continue;
            }
        }
        out.push(c);
        prev = Some(c);
    }
}

/// LLVM's Mach-O private label kinds.
fn mach_o_local(rest: &str) -> bool {
    ["LBB", "LCPI", "Lfunc_end", "Ltmp", "LJTI", "lCPI", "l_"]
        .iter()
        .any(|p| rest.starts_with(p))
}

fn escape_braces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' => out.push_str("{{"),
            '}' => out.push_str("}}"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_local_labels_and_escapes() {
        let asm = "\t.text\n\t.file\t\"msp\"\n# comment\n.LCPI0_0:\n\t.long 0x3f800000\nk:\n\tvmovaps %zmm0, %zmm1 {%k1} {z}\n\tjne .LBB0_1\n\t.size k, .Lfunc_end0-k\n\t.ascii \".Lx{\"\n\t.section\t\".note.GNU-stack\",\"\",@progbits\n";
        let out = for_global_asm(asm, "u7_", true);
        assert_eq!(
            out,
            ".pushsection .text\n\t.text\n.Lu7_CPI0_0:\n\t.long 0x3f800000\nk:\n\tvmovaps %zmm0, %zmm1 {{%k1}} {{z}}\n\tjne .Lu7_BB0_1\n\t.size k, .Lu7_func_end0-k\n\t.ascii \".Lx{{\"\n.popsection\n"
        );
    }

    #[test]
    fn mach_o_labels() {
        let out = for_global_asm(
            "_k:\n\tb LBB0_2\nLBB0_2:\n\tldr d0, [x8, lCPI0_0@PAGEOFF]\n",
            "u_",
            false,
        );
        assert_eq!(
            out,
            "_k:\n\tb Lu_BB0_2\nLu_BB0_2:\n\tldr d0, [x8, lu_CPI0_0@PAGEOFF]\n.text\n"
        );
    }
}
