//! The one diagnostic model every phase reports through, and its renderers.
//!
//! A [`Diagnostic`] has a message, a primary span and secondary labels. Where the primary
//! span lies in generated code, rendering adds the chain automatically from the
//! [`SourceMap`]: the quote's text, the `q(...)` call that built it, and each splice that
//! carried it into the kernel.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;

use crate::source::{Origin, SourceId, SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A secondary place worth showing, with what to say about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One message from any phase of msp.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where the problem is; `None` only for problems with no place (a missing kernel).
    pub span: Option<Span>,
    /// What to say at the primary span (may be empty).
    pub label: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An error that has no place in any source.
    pub fn error_nowhere(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: None,
            ..Diagnostic::error(Span::new(SourceId(0), 0, 0), message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Renders as text, with source snippets and the quote/splice chain.
    pub fn render(&self, map: &SourceMap) -> String {
        let mut out = term::termcolor::NoColor::new(Vec::new());
        let config = term::Config::default();
        let files = MapFiles(map);
        let cs_diag = self.to_codespan(map);
        if term::emit(&mut out, &config, &files, &cs_diag).is_err() {
            return self.render_short(map);
        }
        String::from_utf8_lossy(&out.into_inner()).into_owned()
    }

    /// One line: `file:line:col: error: message`, the position resolved to the user's file.
    pub fn render_short(&self, map: &SourceMap) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        match self.span {
            Some(span) => format!("{}: {sev}: {}", map.file_location(span), self.message),
            None => format!("{sev}: {}", self.message),
        }
    }

    fn to_codespan(&self, map: &SourceMap) -> cs::Diagnostic<SourceId> {
        let severity = match self.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Note => cs::Severity::Note,
        };
        let mut labels = Vec::new();
        let mut notes = self.notes.clone();
        if let Some(span) = self.span {
            labels.push(
                cs::Label::primary(span.source, range(span)).with_message(self.label.clone()),
            );
            let origins = map.origins(span);
            if !origins.is_empty() {
                notes.push(format!(
                    "in generated code; it reaches the kernel at {}",
                    map.file_location(span)
                ));
            }
            // Numbered, because the renderer groups labels by file, not by order.
            for (k, origin) in origins.into_iter().enumerate() {
                let (site, what) = match origin {
                    Origin::QuoteBuilt(s) => (s, "the quote holding this code was built here"),
                    Origin::Spliced(s) => (s, "spliced here"),
                };
                let message = format!("({}) {what}", k + 1);
                labels.push(cs::Label::secondary(site.source, range(site)).with_message(message));
            }
        }
        for l in &self.labels {
            labels.push(
                cs::Label::secondary(l.span.source, range(l.span)).with_message(l.message.clone()),
            );
        }
        cs::Diagnostic::new(severity)
            .with_message(self.message.clone())
            .with_labels(labels)
            .with_notes(notes)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn range(span: Span) -> Range<usize> {
    span.lo as usize..span.hi.max(span.lo) as usize
}

/// Renders several diagnostics, one after another.
pub fn render_all(diags: &[Diagnostic], map: &SourceMap) -> String {
    diags
        .iter()
        .map(|d| d.render(map))
        .collect::<Vec<_>>()
        .join("")
}

struct MapFiles<'a>(&'a SourceMap);

impl<'a> Files<'a> for MapFiles<'a> {
    type FileId = SourceId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: SourceId) -> Result<String, FilesError> {
        let src = self.0.get(id);
        Ok(match src.kind {
            crate::source::SourceKind::Quote { built_at } => {
                format!("<quote built at {}>", self.0.file_location(built_at))
            }
            _ => src.name.clone(),
        })
    }

    fn source(&'a self, id: SourceId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: SourceId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.0.get(id).line_starts();
        Ok(match starts.binary_search(&(byte_index as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        })
    }

    fn line_range(&'a self, id: SourceId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let src = self.0.get(id);
        let starts = src.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len(),
        })?;
        let end = starts
            .get(line_index + 1)
            .map_or(src.text.len(), |&e| e as usize);
        Ok(start as usize..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceKind;

    #[test]
    fn render_names_file_line_and_column() {
        let mut map = SourceMap::new();
        let id = map.add("k.py", "def f():\n    return x + y\n", SourceKind::File);
        let d =
            Diagnostic::error(Span::new(id, 24, 25), "unknown name `y`").with_label("not defined");
        let text = d.render(&map);
        assert!(text.contains("k.py:2:16"), "{text}");
        assert!(text.contains("unknown name `y`"), "{text}");
        assert_eq!(d.render_short(&map), "k.py:2:16: error: unknown name `y`");
    }
}
