//! Long work shown as it goes: a bar redrawn in place on stderr when stderr is a terminal;
//! otherwise plain lines, one per step, where the progress lines always went (stdout, or stderr
//! with `--json`). It draws the steps the app reports ([`sene_app::steps::Step`], the same the
//! window receives) and the hub client's sync steps; it makes up none of its own.

use std::io::{IsTerminal, Write};

use sene_app::steps::Step;

use crate::output;

/// The bar's width in cells, and a line's at most (an 80-column terminal).
const CELLS: usize = 24;
const LINE: usize = 79;

/// Where the steps go.
pub struct Progress {
    json: bool,
    terminal: bool,
    /// A bar is drawn on the current line of the terminal (to end before anything else).
    open: bool,
}

impl Progress {
    /// A bar when stderr is a terminal, plain lines otherwise.
    pub fn new(json: bool) -> Progress {
        Progress::with(json, std::io::stderr().is_terminal())
    }

    fn with(json: bool, terminal: bool) -> Progress {
        Progress {
            json,
            terminal,
            open: false,
        }
    }

    /// A step with its share done.
    pub fn step(&mut self, s: &Step) {
        if self.terminal {
            self.draw(&bar(s));
            if s.total > 0 && s.done >= s.total {
                self.end();
            }
        } else {
            output::progress(self.json, &line(s));
        }
    }

    /// A step whose total is not known (a sync's rounds): its text alone; `last` ends it.
    pub fn note(&mut self, text: &str, last: bool) {
        if self.terminal {
            self.draw(&format!("[{}] {text}", if last { "100 %" } else { " …  " }));
            if last {
                self.end();
            }
        } else {
            output::progress(self.json, text);
        }
    }

    fn draw(&mut self, text: &str) {
        let shown: String = text.chars().take(LINE).collect();
        let mut e = std::io::stderr().lock();
        // back to the line's start, the line cleared
        let _ = write!(e, "\r\x1b[2K{shown}");
        let _ = e.flush();
        self.open = true;
    }

    /// Ends the bar's line (before a result or an error is printed).
    pub fn end(&mut self) {
        if self.open {
            let _ = writeln!(std::io::stderr().lock());
            self.open = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.end();
    }
}

/// A plain line: `[ 45 %] 13/28 text`.
pub fn line(s: &Step) -> String {
    format!(
        "[{:>3} %] {}/{} {}",
        s.percent(),
        s.done,
        s.total,
        s.text.trim()
    )
}

/// The bar: `[#########---------------]  37 %  10/27 text`.
fn bar(s: &Step) -> String {
    let filled = usize::try_from(s.percent()).unwrap_or(100) * CELLS / 100;
    format!(
        "[{}{}] {:>3} %  {}/{}  {}",
        "#".repeat(filled),
        "-".repeat(CELLS - filled),
        s.percent(),
        s.done,
        s.total,
        s.text.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(done: u64, total: u64) -> Step {
        Step {
            done,
            total,
            text: "  Livraisons au magasin…".into(),
        }
    }

    #[test]
    fn a_plain_line_says_the_share_and_the_count() {
        assert_eq!(line(&step(0, 23)), "[  0 %] 0/23 Livraisons au magasin…");
        assert_eq!(line(&step(9, 23)), "[ 39 %] 9/23 Livraisons au magasin…");
        assert_eq!(line(&step(23, 23)), "[100 %] 23/23 Livraisons au magasin…");
    }

    #[test]
    fn the_bar_fills_with_the_share() {
        assert!(bar(&step(0, 4)).starts_with("[------------------------]   0 %"));
        assert!(bar(&step(1, 4)).starts_with("[######------------------]  25 %"));
        assert!(bar(&step(4, 4)).starts_with("[########################] 100 %"));
    }
}
