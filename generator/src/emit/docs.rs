//! Doc text from the spec -> doc attributes that rustdoc and clippy accept: HTML turned into
//! markdown, brackets that are not links escaped (no broken intra-doc links), bare URLs
//! wrapped in `<…>`, no indented or fenced Rust code (no doctests), list continuations
//! indented.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "…"]` attributes for `text`, one per line; nothing for `None` or blank text.
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(sanitize).filter(|t| !t.trim().is_empty()) else {
        return TokenStream::new();
    };
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #(#[doc = #lines])* }
}

/// Sanitises spec doc text (HTML or markdown) into rustdoc-safe markdown.
pub fn sanitize(raw: &str) -> String {
    let markdown = html_to_markdown(raw);
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut list_indent: Option<usize> = None;
    for line in markdown.replace('\t', "    ").lines() {
        let line = line.trim();
        if line.starts_with("```") {
            // Every fenced block is text: rustdoc must never compile spec prose as Rust.
            out.push(if in_fence {
                "```".to_owned()
            } else {
                "```text".to_owned()
            });
            in_fence = !in_fence;
            list_indent = None;
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
            continue;
        }
        if line.is_empty() {
            list_indent = None;
            out.push(String::new());
            continue;
        }
        let escaped = escape_inline(line);
        if let Some(width) = list_marker_width(line) {
            list_indent = Some(width);
            out.push(escaped);
        } else if let Some(width) = list_indent {
            out.push(format!("{}{escaped}", " ".repeat(width)));
        } else {
            out.push(escaped);
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    let mut text = out.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_owned()
}

/// The width of a list marker starting `line` (`- `, `* `, `1. `), if any.
fn list_marker_width(line: &str) -> Option<usize> {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(". ")).then_some(digits + 2)
}

/// Converts the HTML Stripe uses in descriptions into markdown.
fn html_to_markdown(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        if name.is_empty()
            || tag.contains(' ')
                && !matches!(name.as_str(), "a" | "span" | "div" | "p" | "code")
                && !tag.contains('=')
        {
            // Not a tag (`a < b`, `<unknown value>`): keep the text.
            out.push('<');
            rest = &after[1..];
            continue;
        }
        match (name.as_str(), closing) {
            ("p" | "div", _) | ("ul" | "ol", _) => out.push_str("\n\n"),
            ("br", _) => out.push('\n'),
            ("li", false) => out.push_str("\n- "),
            ("li", true) => {}
            ("code", _) => out.push('`'),
            ("strong" | "b", _) => out.push_str("**"),
            ("em" | "i", _) => out.push('*'),
            ("a", false) => {
                if let Some(href) = attribute(tag, "href") {
                    out.push('[');
                    let link_end = after.find("</a>").unwrap_or(after.len());
                    let text = &after[end + 1..link_end];
                    out.push_str(&html_to_markdown(text));
                    out.push_str("](");
                    out.push_str(&href);
                    out.push(')');
                    rest = after.get(link_end + 4..).unwrap_or("");
                    continue;
                }
            }
            _ => {}
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// The value of attribute `name` in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&rsquo;", "\u{2019}")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Escapes one line outside code spans: `[`/`]` that are not markdown links, `<`/`>` that
/// are not autolinks, and wraps bare URLs in `<…>`.
fn escape_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        if c == '[' {
            if let Some(len) = markdown_link_len(&chars[i..]) {
                let link: String = chars[i..i + len].iter().collect();
                let (text, target) = link.split_at(link.find("](").unwrap_or(0));
                out.push('[');
                out.push_str(
                    &escape_inline(&text[1..])
                        .replace('[', "\\[")
                        .replace(']', "\\]"),
                );
                out.push_str(target);
                i += len;
                continue;
            }
            out.push_str("\\[");
        } else if c == ']' {
            out.push_str("\\]");
        } else if c == '<' {
            out.push_str("&lt;");
        } else if c == '>' {
            out.push_str("&gt;");
        } else if starts_url(&chars[i..]) {
            let len = chars[i..]
                .iter()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '"' | '<' | '>' | '`'))
                .count();
            let mut url: String = chars[i..i + len].iter().collect();
            let trailing: String = {
                let keep = url.trim_end_matches(['.', ',', ';', ':']).len();
                url.split_off(keep)
            };
            out.push('<');
            out.push_str(&url);
            out.push('>');
            out.push_str(&trailing);
            i += len;
            continue;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

fn starts_url(chars: &[char]) -> bool {
    let head: String = chars.iter().take(8).collect();
    head.starts_with("https://") || head.starts_with("http://")
}

/// The length of a markdown link `[text](target)` at the start of `chars`, if there is one.
fn markdown_link_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|&c| c == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 2..].iter().position(|&c| c == ')')? + close + 2;
    let target: String = chars[close + 2..end].iter().collect();
    (!target.is_empty() && !target.contains(char::is_whitespace)).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn spec_prose_becomes_rustdoc_safe_markdown() {
        let cases = [
            (
                "<p>Creates a <code>PaymentIntent</code>.</p>",
                "Creates a `PaymentIntent`.",
            ),
            (
                "See [the docs](https://stripe.com/docs).",
                "See [the docs](https://stripe.com/docs).",
            ),
            (
                "Values: [a, b] and arr[0]",
                "Values: \\[a, b\\] and arr\\[0\\]",
            ),
            (
                "Visit https://stripe.com/docs.",
                "Visit <https://stripe.com/docs>.",
            ),
            ("a < b > c", "a &lt; b &gt; c"),
            ("    indented code", "indented code"),
            ("```\nfn main() {}\n```", "```text\nfn main() {}\n```"),
            ("- one\ncontinued", "- one\n  continued"),
            ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
            (
                "<a href=\"https://x.test/a\">link</a>",
                "[link](https://x.test/a)",
            ),
            ("Use `expand[]` here", "Use `expand[]` here"),
        ];
        for (raw, expected) in cases {
            assert_eq!(sanitize(raw), expected, "sanitize({raw:?})");
        }
    }
}
