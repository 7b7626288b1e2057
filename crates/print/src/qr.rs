//! QR codes drawn as PDF vector squares: member cards ([`crate::cards`]) and the weighing
//! ticket's proof ([`crate::receipt`]).
//!
//! The matrix comes from the `qrcode` crate (the encoder alone, error correction level M: a
//! code stays readable with ~15 % of it smudged or torn, which a card kept in a pocket needs);
//! this module draws each row's runs of dark modules as filled rectangles, with the quiet zone
//! of four modules the standard asks for around it. Nothing is rasterised: the code prints
//! sharp at any printer's resolution.
//!
//! What a code holds is decided elsewhere (`sene_app::cards`, `sene_app::tickets`); this
//! module only turns text into squares.

use std::fmt;

use qrcode::{EcLevel, QrCode};
use sene_domain::Lang;

use crate::pdf::Page;

/// Modules of blank margin on each side (ISO/IEC 18004 asks for four).
pub const QUIET: i32 = 4;

/// Why a text could not be made into a QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrError {
    /// More than a QR code holds at level M (2,331 bytes).
    TooLong { bytes: usize },
}

impl QrError {
    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (QrError::TooLong { bytes }, Lang::Fr) => format!(
                "{bytes} octets : trop long pour un code QR (2 331 au plus), raccourcissez le contenu"
            ),
            (QrError::TooLong { bytes }, Lang::En) => format!(
                "{bytes} bytes: too long for a QR code (2,331 at most), shorten the content"
            ),
        }
    }
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Fr))
    }
}

impl std::error::Error for QrError {}

/// A QR code's modules, row by row from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// The QR code of `text` (error correction M; the encoder picks numeric, alphanumeric or
    /// byte segments, so upper-case text makes a smaller code).
    ///
    /// # Errors
    /// [`QrError::TooLong`].
    pub fn encode(text: &str) -> Result<Qr, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| QrError::TooLong { bytes: text.len() })?;
        Ok(Qr {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// Modules on a side (21 for version 1, 4 more per version), quiet zone excluded.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` (from the top left) is dark.
    #[must_use]
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The side of the drawn code, quiet zone included, in points, with modules of `module`
    /// points.
    #[must_use]
    pub fn side(&self, module: i32) -> i32 {
        (i32::try_from(self.width).unwrap_or(177) + 2 * QUIET) * module
    }

    /// The dark modules as rectangles (runs of a row merged), the code's quiet zone having its
    /// lower left corner at (`x`, `y`).
    #[must_use]
    pub fn rects(&self, x: i32, y: i32, module: i32) -> Vec<(i32, i32, i32, i32)> {
        let w = self.width;
        let top = y + self.side(module) - QUIET * module;
        let mut out = Vec::new();
        for row in 0..w {
            let ry = top - (i32::try_from(row).unwrap_or(0) + 1) * module;
            let mut col = 0;
            while col < w {
                if !self.is_dark(col, row) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < w && self.is_dark(col, row) {
                    col += 1;
                }
                let sx = x + (QUIET + i32::try_from(start).unwrap_or(0)) * module;
                let len = i32::try_from(col - start).unwrap_or(0) * module;
                out.push((sx, ry, len, module));
            }
        }
        out
    }

    /// Draws the code on `page`, its quiet zone's lower left corner at (`x`, `y`).
    pub fn draw(&self, page: &mut Page, x: i32, y: i32, module: i32) {
        page.fill_black(&self.rects(x, y, module));
    }
}

/// Reads back the modules of a QR code drawn by [`Qr::draw`] in a page's content stream
/// (tests: what the printer gets is the code that was asked for). `x`, `y`, `module` as
/// given to [`Qr::draw`], `width` modules on a side.
#[must_use]
pub fn read_back(content: &str, x: i32, y: i32, module: i32, width: usize) -> Vec<bool> {
    let mut dark = vec![false; width * width];
    let side = (i32::try_from(width).unwrap_or(0) + 2 * QUIET) * module;
    let top = y + side - QUIET * module;
    for line in content.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() != 5 || parts[4] != "re" {
            continue;
        }
        let n: Vec<i32> = parts[..4].iter().filter_map(|p| p.parse().ok()).collect();
        if n.len() != 4 || n[3] != module {
            continue;
        }
        let (rx, ry, rw) = (n[0], n[1], n[2]);
        let col0 = (rx - x) / module - QUIET;
        let row = (top - ry) / module - 1;
        if col0 < 0 || row < 0 || rw % module != 0 {
            continue;
        }
        for c in col0..col0 + rw / module {
            let (c, r) = (
                usize::try_from(c).unwrap_or(usize::MAX),
                usize::try_from(row).unwrap_or(usize::MAX),
            );
            if c < width && r < width {
                dark[r * width + c] = true;
            }
        }
    }
    dark
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{Document, PageSize};

    #[test]
    fn encodes_and_draws_what_it_was_given() {
        let text = "SENE1:3F9A2C1B:0193A5E2-7B4C-7D11-9E0F-1A2B3C4D5E6F:K7Q2";
        let qr = Qr::encode(text).unwrap_or_else(|e| panic!("{e}"));
        // 4-5 versions for this length at level M
        assert!((25..=41).contains(&qr.width()), "width {}", qr.width());
        // the three finder patterns: dark corners, a light ring inside
        for (cx, cy) in [(0, 0), (qr.width() - 7, 0), (0, qr.width() - 7)] {
            assert!(qr.is_dark(cx, cy) && qr.is_dark(cx + 6, cy + 6));
            assert!(!qr.is_dark(cx + 1, cy + 1));
            assert!(qr.is_dark(cx + 3, cy + 3));
        }
        let mut doc = Document::new(PageSize::A4, "qr");
        let page = doc.new_page();
        qr.draw(page, 100, 200, 2);
        let back = read_back(page.content(), 100, 200, 2, qr.width());
        assert_eq!(back, qr.dark, "the drawn squares are the code's modules");
        let pdf = doc.to_pdf();
        crate::read::inspect(&pdf).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_different_text_is_a_different_code_and_too_long_is_refused() {
        let a = Qr::encode("SENE1:AAAA").unwrap_or_else(|e| panic!("{e}"));
        let b = Qr::encode("SENE1:AAAB").unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
        let long = "x".repeat(3000);
        let e = Qr::encode(&long).err();
        assert_eq!(e, Some(QrError::TooLong { bytes: 3000 }));
        assert!(e.is_some_and(|e| e.message(Lang::En).contains("too long")));
    }

    #[test]
    fn the_side_counts_the_quiet_zone() {
        let a = Qr::encode("1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.width(), 21);
        assert_eq!(a.side(3), (21 + 8) * 3);
    }
}
