//! How exports are written, for every front (the window through `sene-api`, the CLI): the one
//! CSV writer and the one rule for the name of an exported file.
//!
//! **CSV.** A union office opens a CSV by double-clicking it, in Excel set to French. So the
//! default style is Excel's French convention: `;` between fields, a decimal comma (`2688,4`),
//! a UTF-8 byte order mark (without it Excel reads the file as Windows-1252 and « Coopérative »
//! turns to mojibake), CRLF line ends, and a field quoted when it holds `;`, `"` or a line end.
//! The international style (for a lender's or a donor's English-locale Excel, or a script) is
//! `,` and a decimal point, with the **same** byte order mark: an English-locale Excel needs it
//! just as much to read the accents of names, and the usual readers (LibreOffice, pandas, R's
//! readr, Python's `utf-8-sig`) skip it. Numbers are written bare, never with a thousands
//! separator, so Excel reads them as numbers: francs whole (FCFA has no minor unit), kg with
//! their one decimal, rates as computed.
//!
//! **File names** keep their accents (« Céréales sèches »): only what Windows or Linux refuse
//! in a name is replaced, see [`file_name`].

use crate::settlement::Cell;

/// The convention a CSV export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvStyle {
    /// Excel in French: `;`, decimal comma, BOM, CRLF (the default).
    #[default]
    French,
    /// `,` and a decimal point, BOM, CRLF.
    International,
}

impl CsvStyle {
    /// Every style with its code, as the CLI's `--csv-style` and the window's formats
    /// (`csv-fr`, `csv-intl`) name them.
    pub const ALL: [(&'static str, CsvStyle); 2] =
        [("fr", CsvStyle::French), ("intl", CsvStyle::International)];

    /// The style a code names (`fr`, `intl`), if any.
    #[must_use]
    pub fn from_code(code: &str) -> Option<CsvStyle> {
        let code = code.trim();
        Self::ALL
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, s)| *s)
    }

    /// The code of the style (`fr`, `intl`).
    #[must_use]
    pub fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("fr", |(c, _)| c)
    }

    /// The field separator.
    #[must_use]
    pub const fn separator(self) -> char {
        match self {
            CsvStyle::French => ';',
            CsvStyle::International => ',',
        }
    }

    /// The decimal mark of numbers.
    #[must_use]
    pub const fn decimal(self) -> char {
        match self {
            CsvStyle::French => ',',
            CsvStyle::International => '.',
        }
    }
}

/// A CSV file being written, row by row, in one style. It starts with the UTF-8 byte order
/// mark; every row ends with CRLF.
#[derive(Debug, Clone)]
pub struct CsvWriter {
    style: CsvStyle,
    out: String,
}

impl CsvWriter {
    /// An empty file (only the byte order mark).
    #[must_use]
    pub fn new(style: CsvStyle) -> CsvWriter {
        CsvWriter {
            style,
            out: String::from('\u{feff}'),
        }
    }

    /// A row of text fields (a header).
    pub fn header(&mut self, names: &[&str]) {
        let fields: Vec<String> = names.iter().map(|n| self.text(n)).collect();
        self.line(&fields);
    }

    /// A row of cells: text quoted when needed, numbers bare with the style's decimal mark.
    pub fn row(&mut self, cells: &[Cell]) {
        let fields: Vec<String> = cells.iter().map(|c| self.cell(c)).collect();
        self.line(&fields);
    }

    /// The file's text (write it as UTF-8: its bytes start with EF BB BF).
    #[must_use]
    pub fn finish(self) -> String {
        self.out
    }

    /// One cell as written in this style.
    #[must_use]
    pub fn cell(&self, cell: &Cell) -> String {
        match cell {
            Cell::Text(s) => self.text(s),
            Cell::Kg(k) => self.number(&k.as_decimal().to_string()),
            Cell::Money(m) => m.francs().to_string(),
            Cell::Number(n) => self.number(&n.to_string()),
            Cell::Empty => String::new(),
        }
    }

    fn number(&self, plain: &str) -> String {
        plain.replace('.', &self.style.decimal().to_string())
    }

    fn text(&self, s: &str) -> String {
        // a name typed on a laptop as `=HYPERLINK(…)` or `@SUM(…)` must open as the text it is,
        // not run as a formula in the office's spreadsheet (CSV injection): such a field is
        // written after an apostrophe, which Excel and LibreOffice show as text
        let neutral;
        let s = if s.len() > 1 && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            neutral = format!("'{s}");
            neutral.as_str()
        } else {
            s
        };
        if s.contains([self.style.separator(), '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    }

    fn line(&mut self, fields: &[String]) {
        let sep = self.style.separator().to_string();
        self.out.push_str(&fields.join(&sep));
        self.out.push_str("\r\n");
    }
}

/// A table as CSV: the header row, then the rows. Every CSV export is written by this.
#[must_use]
pub fn csv(style: CsvStyle, headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut w = CsvWriter::new(style);
    w.header(headers);
    for row in rows {
        w.row(row);
    }
    w.finish()
}

/// A name (or part of one) for an exported file, from a campaign name, a code or a receipt
/// number: letters keep their accents and spaces stay; only what Windows or Linux refuse in a
/// file name becomes `_` (`/ \ : * ? " < > |` and control characters); dots and spaces at the
/// end are trimmed (Windows drops them); a name Windows reserves (`CON`, `NUL.txt`, `COM1`…)
/// is prefixed with `_`, and an empty one is `_`.
#[must_use]
pub fn file_name(s: &str) -> String {
    let replaced: String = s
        .trim_start()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut name = replaced.trim_end_matches(['.', ' ']).to_owned();
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        name.insert(0, '_');
    } else if name.is_empty() {
        name.push('_');
    }
    name
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use sene_domain::{Kg, Money};

    fn row(style: CsvStyle, cells: &[Cell]) -> String {
        let mut w = CsvWriter::new(style);
        w.row(cells);
        w.finish()
    }

    /// A text field that a spreadsheet would run as a formula is written as text; numbers,
    /// negative ones included, stay numbers; a lone dash stays a dash.
    #[test]
    fn a_text_field_never_opens_as_a_formula() {
        let out = row(
            CsvStyle::French,
            &[
                Cell::Text("=HYPERLINK(\"http://x\";\"clic\")".into()),
                Cell::Text("@SUM(A1)".into()),
                Cell::Text("+221 77 000 00 00".into()),
                Cell::Text("-".into()),
                Cell::Text("Awa Traoré".into()),
                Cell::Money(Money::from_francs(-1500).unwrap()),
                Cell::Kg(Kg::from_tenths(-25).unwrap()),
            ],
        );
        assert_eq!(
            out,
            "\u{feff}\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\";'@SUM(A1);'+221 77 000 00 00;-;Awa Traoré;-1500;-2,5\r\n"
        );
    }

    #[test]
    fn the_french_style_is_excels_in_french() {
        let cells = [
            Cell::Text("Céréales sèches".into()),
            Cell::Kg(Kg::from_tenths(26_884).unwrap()),
            Cell::Money(Money::from_francs(1_234_567).unwrap()),
            Cell::Number(Decimal::new(755, 1)),
            Cell::Kg(Kg::from_tenths(-5).unwrap()),
        ];
        let text = row(CsvStyle::default(), &cells);
        assert_eq!(text, "\u{feff}Céréales sèches;2688,4;1234567;75,5;-0,5\r\n");
        assert!(text.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]));
        assert_eq!(
            row(CsvStyle::International, &cells),
            "\u{feff}Céréales sèches,2688.4,1234567,75.5,-0.5\r\n"
        );
    }

    #[test]
    fn a_field_is_quoted_when_it_holds_the_separator_a_quote_or_a_line_end() {
        let cells = [
            Cell::Text("Traoré; Aminata".into()),
            Cell::Text("dit \"la grande\"".into()),
            Cell::Text("ligne 1\nligne 2".into()),
            Cell::Text("a, b".into()),
        ];
        assert_eq!(
            row(CsvStyle::French, &cells),
            "\u{feff}\"Traoré; Aminata\";\"dit \"\"la grande\"\"\";\"ligne 1\nligne 2\";a, b\r\n"
        );
        assert_eq!(
            row(CsvStyle::International, &cells),
            "\u{feff}Traoré; Aminata,\"dit \"\"la grande\"\"\",\"ligne 1\nligne 2\",\"a, b\"\r\n"
        );
    }

    #[test]
    fn a_table_is_a_header_then_its_rows() {
        let text = csv(
            CsvStyle::French,
            &["Coopérative", "Livré (kg)"],
            &[
                vec![
                    Cell::Text("DIO".into()),
                    Cell::Kg(Kg::from_kg(1000).unwrap()),
                ],
                vec![
                    Cell::Text("TOTAL".into()),
                    Cell::Kg(Kg::from_kg(1000).unwrap()),
                ],
            ],
        );
        assert_eq!(
            text,
            "\u{feff}Coopérative;Livré (kg)\r\nDIO;1000,0\r\nTOTAL;1000,0\r\n"
        );
    }

    #[test]
    fn the_styles_are_named_fr_and_intl() {
        assert_eq!(CsvStyle::from_code("fr"), Some(CsvStyle::French));
        assert_eq!(CsvStyle::from_code(" INTL "), Some(CsvStyle::International));
        assert_eq!(CsvStyle::from_code("excel"), None);
        for (code, style) in CsvStyle::ALL {
            assert_eq!(style.code(), code);
        }
    }

    #[test]
    fn file_names_keep_their_accents() {
        for (given, name) in [
            ("Céréales sèches", "Céréales sèches"),
            ("Riz / Paddy", "Riz _ Paddy"),
            ("Riz 2026/27", "Riz 2026_27"),
            ("Maïs: « hivernage » ?", "Maïs_ « hivernage » _"),
            ("a\\b*c\"d<e>f|g", "a_b_c_d_e_f_g"),
            ("ligne\nretour\ttab", "ligne_retour_tab"),
            ("Niébé...  ", "Niébé"),
            ("  Sésame", "Sésame"),
            ("A1-1-000001", "A1-1-000001"),
            ("Koutiala_Sud", "Koutiala_Sud"),
            ("..", "_"),
            ("", "_"),
            ("con", "_con"),
            ("NUL.txt", "_NUL.txt"),
            ("COM1", "_COM1"),
            ("COMPTES", "COMPTES"),
        ] {
            assert_eq!(file_name(given), name, "{given:?}");
        }
    }
}
