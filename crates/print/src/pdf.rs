//! A small PDF 1.4 writer: pages of text (Helvetica and Helvetica-Bold, WinAnsiEncoding), lines
//! and rectangles; uncompressed content streams; a classic cross-reference table.
//!
//! Positions and lengths are in PostScript points (1/72 inch, about 0,35 mm), from the bottom
//! left corner of the page, as integers. No floating point: widths are computed in thousandths
//! of a point.
//!
//! [`Document`] and [`Page`] draw at given positions; [`Flow`] lays blocks out from the top of
//! the page down and starts a new page when one is full, with [`Flow::table`] for tables whose
//! header is repeated on every page (member statements, payment lists).

use std::fmt::Write as _;

use crate::{metrics, winansi};

/// A page size, portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageSize {
    /// 210 × 297 mm.
    A4,
    /// 148 × 210 mm.
    A5,
}

impl PageSize {
    /// Width in points.
    #[must_use]
    pub const fn width(self) -> i32 {
        match self {
            PageSize::A4 => 595,
            PageSize::A5 => 420,
        }
    }
    /// Height in points.
    #[must_use]
    pub const fn height(self) -> i32 {
        match self {
            PageSize::A4 => 842,
            PageSize::A5 => 595,
        }
    }
}

/// One of the two fonts of every document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

impl Font {
    const fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }
    const fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }
}

/// Where text stands relative to its x position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    /// Starts at x.
    Left,
    /// Centred on x.
    Center,
    /// Ends at x.
    Right,
}

/// Line thickness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stroke {
    /// 0,5 pt.
    Hairline,
    /// 1 pt.
    Thin,
    /// 2 pt.
    Thick,
}

impl Stroke {
    const fn millipoints(self) -> i64 {
        match self {
            Stroke::Hairline => 500,
            Stroke::Thin => 1000,
            Stroke::Thick => 2000,
        }
    }
}

/// The width of `text` set in `font` at `size` points, in thousandths of a point.
#[must_use]
pub fn text_width_mpt(font: Font, size: u16, text: &str) -> i64 {
    let units: i64 = winansi::encode(text)
        .iter()
        .map(|&b| i64::from(metrics::width(font == Font::Bold, b)))
        .sum();
    units * i64::from(size)
}

/// The width of `text` in whole points, rounded up.
#[must_use]
pub fn text_width(font: Font, size: u16, text: &str) -> i32 {
    i32::try_from((text_width_mpt(font, size, text) + 999) / 1000).unwrap_or(i32::MAX)
}

/// Splits `text` into lines no wider than `width` points, at ordinary spaces (a no-break space
/// keeps `200 000 FCFA` together). A word wider than the line is cut. Line breaks in `text`
/// are kept. Never returns an empty list.
#[must_use]
pub fn wrap(font: Font, size: u16, text: &str, width: i32) -> Vec<String> {
    let max = i64::from(width.max(1)) * 1000;
    let fits = |s: &str| text_width_mpt(font, size, s) <= max;
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // the word alone: cut it if it is wider than a line
            for c in word.chars() {
                line.push(c);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Line height for a font size: 1,25 × size, rounded up.
#[must_use]
pub const fn leading(size: u16) -> i32 {
    (size as i32 * 5 + 3) / 4
}

/// Height above the baseline taken by capitals: 0,8 × size, rounded up.
#[must_use]
pub const fn ascent(size: u16) -> i32 {
    (size as i32 * 4 + 4) / 5
}

/// A number of thousandths of a point, written as PDF wants it (`12`, `12.5`, `-0.25`).
fn num(mpt: i64) -> String {
    let sign = if mpt < 0 { "-" } else { "" };
    let a = mpt.unsigned_abs();
    let (int, frac) = (a / 1000, a % 1000);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }
}

fn pt(p: i32) -> String {
    num(i64::from(p) * 1000)
}

/// A PDF literal string holding WinAnsi bytes: `(`, `)` and `\` escaped, bytes outside
/// printable ASCII as octal escapes (the file stays 7-bit).
fn literal(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                s.push('\\');
                s.push(char::from(b));
            }
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s.push(')');
    s
}

/// One page: its content stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    content: String,
}

impl Page {
    /// Shows one line of text with its baseline at `y`.
    pub fn text(&mut self, x: i32, y: i32, font: Font, size: u16, align: Align, text: &str) {
        let x = i64::from(x) * 1000;
        let x = match align {
            Align::Left => x,
            Align::Center => x - text_width_mpt(font, size, text) / 2,
            Align::Right => x - text_width_mpt(font, size, text),
        };
        let _ = writeln!(
            self.content,
            "BT /{} {size} Tf {} {} Td {} Tj ET",
            font.resource(),
            num(x),
            pt(y),
            literal(&winansi::encode(text))
        );
    }

    /// A straight line.
    pub fn line(&mut self, x1: i32, y1: i32, x2: i32, y2: i32, stroke: Stroke) {
        let _ = writeln!(
            self.content,
            "{} w {} {} m {} {} l S",
            num(stroke.millipoints()),
            pt(x1),
            pt(y1),
            pt(x2),
            pt(y2)
        );
    }

    /// The outline of a rectangle whose lower left corner is (`x`, `y`).
    pub fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, stroke: Stroke) {
        let _ = writeln!(
            self.content,
            "{} w {} {} {} {} re S",
            num(stroke.millipoints()),
            pt(x),
            pt(y),
            pt(w),
            pt(h)
        );
    }

    /// The dashed outline of a rectangle (a thumbprint box).
    pub fn dashed_rect(&mut self, x: i32, y: i32, w: i32, h: i32, stroke: Stroke) {
        let _ = writeln!(
            self.content,
            "q [4 3] 0 d {} w {} {} {} {} re S Q",
            num(stroke.millipoints()),
            pt(x),
            pt(y),
            pt(w),
            pt(h)
        );
    }

    /// A rectangle filled with a grey, `gray` from 0 (black) to 100 (white).
    pub fn fill_rect(&mut self, x: i32, y: i32, w: i32, h: i32, gray: u8) {
        let _ = writeln!(
            self.content,
            "q {} g {} {} {} {} re f Q",
            num(i64::from(gray.min(100)) * 10),
            pt(x),
            pt(y),
            pt(w),
            pt(h)
        );
    }

    /// Rectangles filled in black as one path (`(x, y, w, h)`, lower left corners): the
    /// modules of a QR code ([`crate::qr`]).
    pub fn fill_black(&mut self, rects: &[(i32, i32, i32, i32)]) {
        if rects.is_empty() {
            return;
        }
        self.content.push_str("q 0 g\n");
        for &(x, y, w, h) in rects {
            let _ = writeln!(self.content, "{} {} {} {} re", pt(x), pt(y), pt(w), pt(h));
        }
        self.content.push_str("f Q\n");
    }

    /// The content stream so far.
    #[must_use]
    pub fn content(&self) -> &str {
        &self.content
    }
}

/// A document: pages of one size, a title (shown by PDF readers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    size: PageSize,
    title: String,
    pages: Vec<Page>,
}

impl Document {
    /// An empty document.
    #[must_use]
    pub fn new(size: PageSize, title: &str) -> Document {
        Document {
            size,
            title: title.to_owned(),
            pages: Vec::new(),
        }
    }

    /// The page size.
    #[must_use]
    pub fn size(&self) -> PageSize {
        self.size
    }

    /// Adds a page and returns it.
    pub fn new_page(&mut self) -> &mut Page {
        self.pages.push(Page::default());
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// The last page (a first page is added when there is none).
    pub fn last_page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            return self.new_page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// The pages.
    #[must_use]
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The pages, to draw on (page numbers, headers after the fact).
    pub fn pages_mut(&mut self) -> &mut [Page] {
        &mut self.pages
    }

    /// Writes `Page i/n` centred at the foot of every page.
    pub fn number_pages(&mut self, size: u16) {
        let n = self.pages.len();
        let (w, y) = (self.size.width(), 14);
        for (i, p) in self.pages.iter_mut().enumerate() {
            p.text(
                w / 2,
                y,
                Font::Regular,
                size,
                Align::Center,
                &format!("Page {}/{n}", i + 1),
            );
        }
    }

    /// The PDF file. A document with no page gets one blank page.
    #[must_use]
    pub fn to_pdf(&self) -> Vec<u8> {
        let blank = [Page::default()];
        let pages: &[Page] = if self.pages.is_empty() {
            &blank
        } else {
            &self.pages
        };
        let mut w = Writer::default();
        // 1 catalog, 2 page tree, 3–4 fonts, 5 info, then a page and its content per page
        let page_obj = |i: usize| 6 + 2 * i;
        let kids: Vec<String> = (0..pages.len())
            .map(|i| format!("{} 0 R", page_obj(i)))
            .collect();
        w.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
        w.object(
            2,
            &format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                pages.len()
            ),
        );
        for (n, f) in [(3, Font::Regular), (4, Font::Bold)] {
            w.object(
                n,
                &format!(
                    "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>",
                    f.base_font()
                ),
            );
        }
        w.object(
            5,
            &format!("<< /Title {} /Producer (Sene) >>", utf16_text(&self.title)),
        );
        let (wd, ht) = (self.size.width(), self.size.height());
        for (i, p) in pages.iter().enumerate() {
            let n = page_obj(i);
            w.object(
                n,
                &format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {wd} {ht}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /ProcSet [/PDF /Text] >> \
                     /Contents {} 0 R >>",
                    n + 1
                ),
            );
            w.stream(n + 1, p.content.as_bytes());
        }
        w.finish(5)
    }
}

/// A text string for the document information: UTF-16BE with its byte order mark, in hex.
fn utf16_text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// Objects written in order, their offsets kept for the cross-reference table.
#[derive(Default)]
struct Writer {
    buf: Vec<u8>,
    /// Offset of object n at index n − 1.
    offsets: Vec<usize>,
}

impl Writer {
    fn start(&mut self, n: usize) {
        if self.buf.is_empty() {
            // the binary comment tells transfer tools the file is not text
            self.buf.extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
        }
        debug_assert_eq!(n, self.offsets.len() + 1, "objects are written in order");
        self.offsets.push(self.buf.len());
        self.buf
            .extend_from_slice(format!("{n} 0 obj\n").as_bytes());
    }

    fn object(&mut self, n: usize, body: &str) {
        self.start(n);
        self.buf.extend_from_slice(body.as_bytes());
        self.buf.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, n: usize, data: &[u8]) {
        self.start(n);
        self.buf
            .extend_from_slice(format!("<< /Length {} >>\nstream\n", data.len()).as_bytes());
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn finish(mut self, info: usize) -> Vec<u8> {
        let xref = self.buf.len();
        let size = self.offsets.len() + 1;
        let mut t = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for o in &self.offsets {
            let _ = writeln!(t, "{o:010} 00000 n ");
        }
        let _ = write!(
            t,
            "trailer\n<< /Size {size} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        );
        self.buf.extend_from_slice(t.as_bytes());
        self.buf
    }
}

/// A column of a [`Flow::table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    /// Share of the table's width (widths are proportional to the weights).
    pub weight: u16,
    pub align: Align,
}

impl Column {
    /// A column.
    #[must_use]
    pub fn new(header: &str, weight: u16, align: Align) -> Column {
        Column {
            header: header.to_owned(),
            weight,
            align,
        }
    }
}

/// Cell padding in tables, points.
const PAD: i32 = 3;

/// Lays blocks out from the top of the page down, adding pages as they fill.
#[derive(Debug, Clone)]
pub struct Flow {
    doc: Document,
    margin: i32,
    /// The top of the free space on the current page.
    y: i32,
}

impl Flow {
    /// A document with a first page, and the margin on every side.
    #[must_use]
    pub fn new(size: PageSize, title: &str, margin: i32) -> Flow {
        let mut doc = Document::new(size, title);
        doc.new_page();
        Flow {
            doc,
            margin,
            y: size.height() - margin,
        }
    }

    /// The current page.
    pub fn page(&mut self) -> &mut Page {
        self.doc.last_page()
    }

    /// The top of the free space on the current page.
    #[must_use]
    pub fn y(&self) -> i32 {
        self.y
    }

    /// Left edge of the text area.
    #[must_use]
    pub fn left(&self) -> i32 {
        self.margin
    }

    /// Right edge of the text area.
    #[must_use]
    pub fn right(&self) -> i32 {
        self.doc.size.width() - self.margin
    }

    /// Width of the text area.
    #[must_use]
    pub fn width(&self) -> i32 {
        self.right() - self.left()
    }

    /// Height left on the current page.
    #[must_use]
    pub fn room(&self) -> i32 {
        self.y - self.margin
    }

    /// Moves down.
    pub fn space(&mut self, dy: i32) {
        self.y -= dy;
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.doc.new_page();
        self.y = self.doc.size.height() - self.margin;
    }

    /// Starts a new page when less than `height` is left; true when it did. A block taller
    /// than a whole page is not split.
    pub fn ensure(&mut self, height: i32) -> bool {
        let full = self.doc.size.height() - 2 * self.margin;
        if height > self.room() && self.room() < full {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// One line of text (not wrapped) across the text area.
    pub fn line(&mut self, font: Font, size: u16, align: Align, text: &str) {
        self.ensure(leading(size));
        let x = match align {
            Align::Left => self.left(),
            Align::Center => self.left() + self.width() / 2,
            Align::Right => self.right(),
        };
        let base = self.y - ascent(size);
        self.page().text(x, base, font, size, align, text);
        self.y -= leading(size);
    }

    /// Text wrapped to the text area.
    pub fn paragraph(&mut self, font: Font, size: u16, align: Align, text: &str) {
        for l in wrap(font, size, text, self.width()) {
            self.line(font, size, align, &l);
        }
    }

    /// A horizontal rule across the text area, with `gap` points above and below.
    pub fn rule(&mut self, stroke: Stroke, gap: i32) {
        self.ensure(2 * gap);
        self.y -= gap;
        let (l, r, y) = (self.left(), self.right(), self.y);
        self.page().line(l, y, r, y, stroke);
        self.y -= gap;
    }

    /// A table across the text area: a grey header row repeated on each page, cells wrapped
    /// to their column, a hairline under each row. Rows may have fewer cells than columns.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], size: u16) {
        if columns.is_empty() {
            return;
        }
        let total: i32 = columns.iter().map(|c| i32::from(c.weight.max(1))).sum();
        let mut widths: Vec<i32> = columns
            .iter()
            .map(|c| self.width() * i32::from(c.weight.max(1)) / total)
            .collect();
        // the last column takes the rounding remainder
        let used: i32 = widths.iter().sum();
        if let Some(last) = widths.last_mut() {
            *last += self.width() - used;
        }
        let header: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let header_h = self.row_height(&widths, &header, Font::Bold, size);
        let draw_header = |f: &mut Flow| {
            let (l, w, top) = (f.left(), f.width(), f.y);
            f.page().fill_rect(l, top - header_h, w, header_h, 88);
            f.draw_row(columns, &widths, &header, Font::Bold, size);
        };
        self.ensure(header_h + leading(size) + 2 * PAD);
        draw_header(self);
        for row in rows {
            let h = self.row_height(&widths, row, Font::Regular, size);
            if self.ensure(h) {
                draw_header(self);
            }
            self.draw_row(columns, &widths, row, Font::Regular, size);
        }
    }

    fn row_height(&self, widths: &[i32], cells: &[String], font: Font, size: u16) -> i32 {
        let lines = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap(font, size, c, w - 2 * PAD).len())
            .max()
            .unwrap_or(1);
        i32::try_from(lines).unwrap_or(1) * leading(size) + 2 * PAD
    }

    fn draw_row(
        &mut self,
        columns: &[Column],
        widths: &[i32],
        cells: &[String],
        font: Font,
        size: u16,
    ) {
        let h = self.row_height(widths, cells, font, size);
        let top = self.y;
        let mut x = self.left();
        for ((col, w), cell) in columns.iter().zip(widths).zip(cells) {
            let ax = match col.align {
                Align::Left => x + PAD,
                Align::Center => x + w / 2,
                Align::Right => x + w - PAD,
            };
            let mut base = top - PAD - ascent(size);
            for l in wrap(font, size, cell, w - 2 * PAD) {
                self.page().text(ax, base, font, size, col.align, &l);
                base -= leading(size);
            }
            x += w;
        }
        let (l, r) = (self.left(), self.right());
        self.page().line(l, top - h, r, top - h, Stroke::Hairline);
        self.y = top - h;
    }

    /// The document laid out so far.
    #[must_use]
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The document.
    #[must_use]
    pub fn finish(self) -> Document {
        self.doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert_eq!(num(12_000), "12");
        assert_eq!(num(12_500), "12.5");
        assert_eq!(num(-250), "-0.25");
        assert_eq!(num(1), "0.001");
        assert_eq!(literal(b"a(b)c\\"), "(a\\(b\\)c\\\\)");
        assert_eq!(literal(&winansi::encode("é\u{a0}")), "(\\351\\240)");
        assert_eq!(utf16_text("Reçu"), "<FEFF0052006500E70075>");
    }

    #[test]
    fn widths_and_wrapping() {
        // "Hello": H 722 + e 556 + l 222 + l 222 + o 556 = 2278 units; at 10 pt: 22.78 pt
        assert_eq!(text_width_mpt(Font::Regular, 10, "Hello"), 22_780);
        assert_eq!(text_width(Font::Regular, 10, "Hello"), 23);
        assert!(text_width(Font::Bold, 10, "Hello") > 23);
        let lines = wrap(
            Font::Regular,
            10,
            "deux cent mille francs CFA soit 200\u{a0}000\u{a0}FCFA",
            80,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("200\u{a0}000\u{a0}FCFA")));
        for l in &lines {
            assert!(
                text_width(Font::Regular, 10, l) <= 80 || !l.contains(' '),
                "{l}"
            );
        }
        assert_eq!(wrap(Font::Regular, 10, "", 80), vec![String::new()]);
        let cut = wrap(Font::Regular, 10, &"W".repeat(30), 50);
        assert!(cut.len() > 3);
        assert_eq!(cut.concat(), "W".repeat(30));
    }

    #[test]
    fn flow_adds_pages() {
        let mut f = Flow::new(PageSize::A5, "Liste", 30);
        let rows: Vec<Vec<String>> = (0..100)
            .map(|i| vec![format!("DIO-{i:04}"), "Awa Traoré".into(), format!("{i}")])
            .collect();
        f.table(
            &[
                Column::new("N°", 2, Align::Left),
                Column::new("Nom", 4, Align::Left),
                Column::new("Montant", 2, Align::Right),
            ],
            &rows,
            10,
        );
        let mut doc = f.finish();
        assert!(doc.pages().len() >= 3, "{}", doc.pages().len());
        doc.number_pages(8);
        for p in doc.pages() {
            // header repeated
            assert!(p.content().contains("(Montant)"));
        }
    }
}
