//! Spec prose as rustdoc: every fenced block that is not Rust stays out of
//! doctests, and indentation never turns prose into a code block.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes, one per line, for the given paragraphs.
pub fn attrs<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> TokenStream {
    let text = join(parts);
    if text.is_empty() {
        return TokenStream::new();
    }
    let lines = sanitize(&text);
    let lines = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc]` attributes, for crate-level prose.
pub fn inner_attrs<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> TokenStream {
    let text = join(parts);
    let lines = sanitize(&text);
    let lines = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #( #![doc = #lines] )* }
}

/// Non-empty parts, trimmed, separated by a blank line.
pub fn join<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The lines of `text` made safe for rustdoc.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for raw in text.lines() {
        let line = raw.replace('\t', "    ");
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

    #[test]
    fn unclosed_fence_is_closed() {
        assert_eq!(sanitize("```\nx"), ["```text", "x", "```"]);
    }
}
