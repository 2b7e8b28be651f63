//! Building XML response bodies in AWS's shapes.

use std::fmt::Write as _;

use quick_xml::escape::escape;

/// An XML document under construction.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    /// A new document with the XML declaration.
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    /// A fragment: elements to be placed inside a document written elsewhere.
    pub fn fragment() -> Self {
        Self::default()
    }

    /// Opens `<name xmlns="ns">`.
    pub fn open_ns(&mut self, name: &str, ns: &str) -> &mut Self {
        let _ = write!(self.out, "<{name} xmlns=\"{ns}\">");
        self
    }

    /// Opens `<name>`.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>text</name>`, escaped.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape(text));
        self.close(name)
    }

    /// Escaped text inside the element currently open.
    pub fn open_text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    /// `<name>text</name>` when there is a value.
    pub fn opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.text(name, t);
        }
        self
    }

    /// `<name>…</name>` with children written by `f`.
    pub fn elem(&mut self, name: &str, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.open(name);
        f(self);
        self.close(name)
    }

    /// `<name><member>…</member>…</name>` for each item.
    pub fn list<T>(
        &mut self,
        name: &str,
        items: impl IntoIterator<Item = T>,
        mut f: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        self.open(name);
        for item in items {
            self.open("member");
            f(self, item);
            self.close("member");
        }
        self.close(name)
    }

    /// The finished document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A policy document as IAM returns it: URL-encoded JSON.
pub fn url_encoded(document: &str) -> String {
    percent_encoding::utf8_percent_encode(document, percent_encoding::NON_ALPHANUMERIC).to_string()
}
