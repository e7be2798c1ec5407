//! Spec text as rustdoc. A [`Doc`] is the only way `emit` writes a doc
//! attribute (a test holds every other emit file to it), and building one
//! makes its text safe: no string from a spec becomes a doctest (a fenced
//! or indented code block rustdoc would compile and run), raw HTML, or a
//! character that ends a doc comment's line.
//!
//! Spec prose is first tidied as a reader would want it (fences that are
//! not another language become `text`, indentation never makes code),
//! then checked with pulldown-cmark, the Markdown parser rustdoc itself
//! uses: raw HTML is escaped, and text in which the parser still finds a
//! block rustdoc would test is shown whole in a `text` block instead.

use proc_macro2::TokenStream;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};
use quote::{quote, ToTokens};

/// Documentation, safe for rustdoc by construction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    lines: Vec<String>,
}

impl Doc {
    /// Prose: from the spec, or written around values from it.
    pub fn new(text: impl AsRef<str>) -> Doc {
        Doc { lines: safe(text.as_ref()) }
    }

    /// The non-empty parts, trimmed, a blank line between them.
    pub fn join<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> Doc {
        Doc::new(join(parts))
    }

    /// This text, a blank line, then `more`, checked again as one text.
    pub fn then(self, more: Doc) -> Doc {
        match (self.is_empty(), more.is_empty()) {
            (true, _) => more,
            (_, true) => self,
            // Tidy lines stay tidy side by side; only what the parser was
            // asked about is asked again, as one text.
            _ if self.lines.iter().chain(&more.lines).all(|l| plainly_prose(l)) => {
                let mut lines = self.lines;
                lines.push(String::new());
                lines.extend(more.lines);
                Doc { lines }
            }
            _ => Doc::new(format!("{}\n\n{}", self.lines.join("\n"), more.lines.join("\n"))),
        }
    }

    /// This, or `fallback` when this is empty.
    pub fn or_else(self, fallback: impl FnOnce() -> Doc) -> Doc {
        if self.is_empty() {
            fallback()
        } else {
            self
        }
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// As `#![doc]` attributes, for the crate.
    pub fn inner(&self) -> TokenStream {
        let lines = self.lines.iter().map(|l| line(l));
        quote! { #( #![doc = #lines] )* }
    }
}

impl ToTokens for Doc {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let lines = self.lines.iter().map(|l| line(l));
        tokens.extend(quote! { #( #[doc = #lines] )* });
    }
}

/// A Rust example the generator wrote from identifiers alone, as
/// `#![doc]` attributes: the one doctest a generated crate has on purpose.
pub fn crate_example(code: &str) -> TokenStream {
    let lines = ["", "```no_run"].into_iter().chain(code.lines()).chain(["```"]).map(line);
    quote! { #( #![doc = #lines] )* }
}

fn line(l: &str) -> String {
    if l.is_empty() {
        String::new()
    } else {
        format!(" {l}")
    }
}

/// `value` as inline code: in backticks longer than any run inside it,
/// on one line.
pub fn code(value: &str) -> String {
    let value: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let longest = longest_run(&value, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if value.starts_with('`') || value.ends_with('`') || longest > 0 { " " } else { "" };
    format!("{ticks}{pad}{value}{pad}{ticks}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Non-empty parts, trimmed, separated by a blank line.
fn join<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The lines of `text`, safe: tidied, HTML escaped, and shown as a `text`
/// block if rustdoc would still find a test in it.
fn safe(text: &str) -> Vec<String> {
    let lines = sanitize(text);
    if lines.iter().all(|l| plainly_prose(l)) {
        return lines;
    }
    let tidy = lines.join("\n");
    let escaped = escape_html(&tidy);
    if !testable(&escaped) {
        return escaped.lines().map(str::to_owned).collect();
    }
    let plain: Vec<String> = text.lines().map(|l| clean(l).trim_end().to_owned()).collect();
    let fence = "`".repeat(3.max(plain.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0) + 1));
    let mut out = vec![format!("{fence}text")];
    out.extend(plain);
    out.push(fence);
    debug_assert!(!testable(&out.join("\n")), "a text block is never a test");
    out
}

/// Whether a tidied line can hold nothing the parser need be asked about:
/// a fence takes three backticks or tildes in a row, an indented block
/// four columns of spaces (tabs are spaces by now), HTML a `<`. Most spec
/// prose is such lines, and parsing it all would double the time spent
/// on tokens.
fn plainly_prose(line: &str) -> bool {
    !line.contains("```") && !line.contains("~~~") && !line.contains('<') && !line.contains("    ")
}

/// Tabs as spaces, and no control character (a carriage return ends a doc
/// comment's line where `//` would not).
fn clean(line: &str) -> String {
    line.replace('\t', "    ").chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn parser(text: &str) -> Parser<'_> {
    // The extensions rustdoc turns on.
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    Parser::new_ext(text, options)
}

/// Whether rustdoc would compile a code block of `text`: an indented one,
/// or a fence whose info string is Rust's (empty, `rust`, or only
/// rustdoc's own attributes).
fn testable(text: &str) -> bool {
    parser(text).any(|event| match event {
        Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => true,
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
            let tokens: Vec<&str> = info.split([',', ' ', '\t']).filter(|t| !t.is_empty()).collect();
            tokens.contains(&"rust") || tokens.iter().all(|t| is_rustdoc_lang(t))
        }
        _ => false,
    })
}

/// `<` as `&lt;` wherever the parser reads raw HTML.
fn escape_html(text: &str) -> String {
    let ranges: Vec<std::ops::Range<usize>> = parser(text)
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        .map(|(_, r)| r)
        .collect();
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&text[r.clone()].replace('<', "&lt;"));
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The lines of `text` made safe for rustdoc.
fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for raw in text.lines() {
        let line = clean(raw);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        match fence {
            None if run >= 3 => {
                let m = marker.expect("run > 0 implies a marker");
                fence = Some((m, run));
                // Every block becomes `text`: examples in a spec are never
                // Rust that compiles against this crate.
                let info = trimmed[run..].trim();
                let lang = info.split([',', ' ']).next().unwrap_or("");
                let keep = !lang.is_empty() && !is_rustdoc_lang(lang);
                let info = if keep { info.to_owned() } else { "text".to_owned() };
                out.push(format!("{}{}", m.to_string().repeat(run), info));
            }
            None => out.push(format!("{}{}", " ".repeat(indent.min(3)), trimmed.trim_end())),
            Some((m, n)) => {
                if marker == Some(m) && run >= n && trimmed[run..].trim().is_empty() {
                    fence = None;
                    out.push(m.to_string().repeat(run));
                } else {
                    out.push(line.trim_end().to_owned());
                }
            }
        }
    }
    if let Some((m, n)) = fence {
        out.push(m.to_string().repeat(n));
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Info strings rustdoc would compile as Rust.
fn is_rustdoc_lang(lang: &str) -> bool {
    matches!(
        lang,
        "rust" | "ignore" | "should_panic" | "no_run" | "compile_fail" | "test_harness" | "standalone_crate"
    ) || lang.starts_with("edition")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_text_unless_another_language() {
        let s = sanitize("a\n```\nx\n```\n```console\ncurl\n```\n```rust\nfn\n```\n~~~~json\n{}\n~~~~");
        assert_eq!(
            s,
            ["a", "```text", "x", "```", "```console", "curl", "```", "```text", "fn", "```", "~~~~json", "{}", "~~~~"]
        );
    }

    #[test]
    fn indentation_never_makes_code() {
        assert_eq!(sanitize("para\n\n    not code\n\tnor this"), ["para", "", "   not code", "   nor this"]);
    }

    /// Every way a fence or an indented block can hide in Markdown, and
    /// raw HTML: none is left for rustdoc to test or render.
    #[test]
    fn nothing_rustdoc_would_test_survives() {
        let payloads = [
            "```\nstd::fs::write(\"x\", \"\").unwrap();\n```",
            "~~~\nrun()\n~~~",
            "> ```\n> run()\n> ```",
            "- item\n\n  ```\n  run()\n  ```",
            "1. item\n   ```rust\n   run()\n   ```",
            "- a\n\n        run()",
            ">     run()",
            "text `` ``` `` and\n```no_run\nrun()\n```",
            "```ignore python\nrun()\n```",
            "a\r```\rrun()\r```",
            "<script>alert(1)</script>\n\n<div>\n```\nrun()\n```\n</div>",
        ];
        for p in payloads {
            let doc = Doc::new(p);
            let text = doc.lines.join("\n");
            assert!(!testable(&text), "{p:?} gave {text:?}");
            assert!(!text.contains('\r'), "{p:?}");
            assert!(!parser(&text).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))), "{p:?} gave {text:?}");
        }
    }

    #[test]
    fn prose_is_kept_as_prose() {
        assert_eq!(Doc::new("A *model*.\n\n- one\n- two").lines, ["A *model*.", "", "- one", "- two"]);
        assert_eq!(Doc::new("Use `a < b` or <br> here").lines, ["Use `a < b` or &lt;br> here"]);
        let joined = Doc::new("```\nx").then(Doc::new("after"));
        assert_eq!(joined.lines, ["```text", "x", "```", "", "after"]);
    }

    #[test]
    fn inline_code_holds_any_value() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x\n```\ny"), "```` x ``` y ````");
    }

    /// No emit file but this one writes a doc attribute: a spec string can
    /// reach docs only through [`Doc`].
    #[test]
    fn docs_are_written_only_here() {
        for (file, source) in [
            ("client.rs", include_str!("client.rs")),
            ("types.rs", include_str!("types.rs")),
            ("mod.rs", include_str!("mod.rs")),
            ("manifest.rs", include_str!("manifest.rs")),
        ] {
            // `///` lines inside `quote!` are fixed text: they cannot
            // interpolate.
            assert!(!source.contains("[doc ="), "{file} writes a doc attribute itself");
        }
    }

    #[test]
    fn unclosed_fence_is_closed() {
        assert_eq!(sanitize("```\nx"), ["```text", "x", "```"]);
    }
}
