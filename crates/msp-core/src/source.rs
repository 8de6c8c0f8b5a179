//! Source text, spans, and the expansion table that records where generated code came from.
//!
//! Every AST node carries a [`Span`]: a byte range in one [`Source`] plus an [`ExpnId`].
//! A source is either a file the user wrote or the text of a quote `q("...")`, which
//! remembers the span of the `q` call that built it. The expansion id records the chain
//! of `splice(...)` sites that inserted a node, so a diagnostic in generated code can
//! say where the quote was built and where it was spliced.

use std::fmt;

/// Index of a [`Source`] in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// Index of an [`Expansion`] in a [`SourceMap`]; `ExpnId::ROOT` means "not spliced".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct ExpnId(pub u32);

impl ExpnId {
    /// Code that stands where it was written.
    pub const ROOT: ExpnId = ExpnId(0);
}

/// A byte range in one source, plus the splice chain that brought it to where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub source: SourceId,
    pub lo: u32,
    pub hi: u32,
    pub expn: ExpnId,
}

impl Span {
    pub fn new(source: SourceId, lo: u32, hi: u32) -> Span {
        Span {
            source,
            lo,
            hi,
            expn: ExpnId::ROOT,
        }
    }

    /// The smallest span covering both (same source assumed; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.source != other.source {
            return self;
        }
        Span {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
            ..self
        }
    }
}

/// What a source is.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    /// A file (or inline string) the user wrote.
    File,
    /// The text of a quote; `built_at` is the span of the `q(...)` call.
    Quote { built_at: Span },
    /// Text given from outside the module (a `--define` value, a `--call` expression).
    Input,
}

/// One source text with its line index.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    pub kind: SourceKind,
    line_starts: Vec<u32>,
}

impl Source {
    fn new(name: String, text: String, kind: SourceKind) -> Source {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        Source {
            name,
            text,
            kind,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).max(start);
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    pub(crate) fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }
}

/// A splice site: the node was inserted by the `splice(...)` at `site`; `inner` is the
/// expansion it carried before (splices nest when quotes are spliced into quotes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Expansion {
    pub site: Span,
    pub inner: ExpnId,
}

/// A resolved position, for messages: `name:line:col`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub name: String,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.name, self.line, self.col)
    }
}

/// One step of the chain that explains where a span of generated code came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The quote holding the code was built by the `q(...)` call at this span.
    QuoteBuilt(Span),
    /// The code was inserted by the `splice(...)` at this span.
    Spliced(Span),
}

/// All sources of one compilation and the expansion table.
#[derive(Clone, Debug)]
pub struct SourceMap {
    sources: Vec<Source>,
    expansions: Vec<Expansion>,
}

impl Default for SourceMap {
    fn default() -> Self {
        Self::new()
    }
}

impl SourceMap {
    pub fn new() -> SourceMap {
        // Slot 0 of the expansion table stands for ExpnId::ROOT and is never read.
        let root = Expansion {
            site: Span::new(SourceId(0), 0, 0),
            inner: ExpnId::ROOT,
        };
        SourceMap {
            sources: Vec::new(),
            expansions: vec![root],
        }
    }

    pub fn add(
        &mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        kind: SourceKind,
    ) -> SourceId {
        self.sources
            .push(Source::new(name.into(), text.into(), kind));
        SourceId(self.sources.len() as u32 - 1)
    }

    pub fn get(&self, id: SourceId) -> &Source {
        &self.sources[id.0 as usize]
    }

    pub fn sources(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| (SourceId(i as u32), s))
    }

    /// Records that code carrying `inner` was spliced at `site`.
    pub fn add_expansion(&mut self, site: Span, inner: ExpnId) -> ExpnId {
        self.expansions.push(Expansion { site, inner });
        ExpnId(self.expansions.len() as u32 - 1)
    }

    pub fn expansion(&self, id: ExpnId) -> Option<Expansion> {
        if id == ExpnId::ROOT {
            None
        } else {
            self.expansions.get(id.0 as usize).copied()
        }
    }

    /// `name:line:col` of the start of `span` in its own source.
    pub fn location(&self, span: Span) -> Location {
        let src = self.get(span.source);
        let (line, col) = src.line_col(span.lo);
        Location {
            name: src.name.clone(),
            line,
            col,
        }
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.get(span.source).text;
        text.get(span.lo as usize..span.hi as usize).unwrap_or("")
    }

    /// Where generated code came from, innermost first: for code in a quote, the `q`
    /// call that built it (and, recursively, where that call's own code came from), then
    /// each splice that carried it. Empty for code written directly in a file.
    pub fn origins(&self, span: Span) -> Vec<Origin> {
        let mut out = Vec::new();
        self.collect_origins(span, &mut out, 0);
        out
    }

    /// For generated code, the chain that brought it into the kernel, as one line of
    /// text for run-time messages (which have no room for the snippets a compile-time
    /// diagnostic shows): `quoted at g.py:2:12, spliced into the quote built at
    /// g.py:5:12, spliced into the kernel at g.py:9:12`. `None` for code written in a
    /// kernel directly.
    pub fn origin_line(&self, span: Span) -> Option<String> {
        let origins = self.origins(span);
        if origins.is_empty() {
            return None;
        }
        let parts: Vec<String> = origins
            .iter()
            .map(|o| match *o {
                Origin::QuoteBuilt(at) => format!("quoted at {}", self.file_location(at)),
                Origin::Spliced(site) => match self.get(site.source).kind {
                    SourceKind::Quote { built_at } => format!(
                        "spliced into the quote built at {}",
                        self.file_location(built_at)
                    ),
                    _ => format!("spliced into the kernel at {}", self.location(site)),
                },
            })
            .collect();
        Some(parts.join(", "))
    }

    fn collect_origins(&self, span: Span, out: &mut Vec<Origin>, depth: usize) {
        if depth > 64 {
            return; // chains this deep only come from runaway generators; the head says enough
        }
        if let SourceKind::Quote { built_at } = self.get(span.source).kind {
            out.push(Origin::QuoteBuilt(built_at));
        }
        // Splices innermost first: walk the chain of `inner` back to the root, then report
        // from the innermost splice outwards.
        let mut chain = Vec::new();
        let mut e = span.expn;
        while let Some(x) = self.expansion(e) {
            chain.push(x.site);
            e = x.inner;
            if chain.len() > 64 {
                break;
            }
        }
        for site in chain.into_iter().rev() {
            out.push(Origin::Spliced(site));
        }
    }

    /// The location in a user's file that best stands for `span`: the span itself when it
    /// is in a file, otherwise the outermost splice site (the place in the kernel where the
    /// generated code landed) or, failing that, the `q` call that built the quote.
    pub fn file_location(&self, span: Span) -> Location {
        let mut cur = span;
        for _ in 0..64 {
            if !self.is_quote(cur.source) {
                return self.location(cur);
            }
            // Prefer the outermost splice of this span (the head of its expansion chain:
            // each re-splice wraps the previous expansion as `inner`); else the quote's
            // construction site.
            let outer = self.expansion(cur.expn).map(|x| x.site);
            let next = match (outer, &self.get(cur.source).kind) {
                (Some(site), _) => site,
                (None, SourceKind::Quote { built_at }) => *built_at,
                (None, _) => return self.location(cur),
            };
            cur = next;
        }
        self.location(cur)
    }

    fn is_quote(&self, id: SourceId) -> bool {
        matches!(self.get(id).kind, SourceKind::Quote { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let mut map = SourceMap::new();
        let id = map.add("a.py", "x = 1\ny = 22\n", SourceKind::File);
        let src = map.get(id);
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(6), (2, 1));
        assert_eq!(src.line_col(10), (2, 5));
        assert_eq!(src.line_text(2), "y = 22");
    }

    #[test]
    fn generated_code_reports_its_splice_site() {
        let mut map = SourceMap::new();
        let file = map.add(
            "k.py",
            "def f():\n    return splice(g())\n",
            SourceKind::File,
        );
        let q_call = Span::new(file, 0, 3);
        let quote = map.add("<quote>", "x + 1", SourceKind::Quote { built_at: q_call });
        let splice_site = Span::new(file, 20, 33);
        let e = map.add_expansion(splice_site, ExpnId::ROOT);
        let node = Span {
            source: quote,
            lo: 0,
            hi: 1,
            expn: e,
        };
        assert_eq!(map.file_location(node).line, 2);
        assert_eq!(
            map.origins(node),
            vec![Origin::QuoteBuilt(q_call), Origin::Spliced(splice_site)]
        );
    }
}
