//! Long work shown as it goes: a bar redrawn in place on stderr when stderr is a terminal;
//! otherwise plain lines when there is news (a new text, 2 points more, the end), where the
//! progress lines always went (stdout, or stderr with `--json`). It draws the steps the app reports ([`sene_app::steps::Step`], the same the
//! window receives), the hub client's sync steps, and the phases of work that reports no steps
//! of its own (a backup's copy, its verification: what is being done, and on a terminal the
//! seconds it has run); it makes up no share of work done.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::{Duration, Instant};

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
    /// The last plain line's text and share: a step says a new line when its text changes,
    /// its share moved 2 points or more, or it is the last.
    said: Option<(String, u64)>,
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
            said: None,
        }
    }

    /// A step with its share done: the bar redrawn, or a plain line when there is news (a new
    /// text, 2 points more, the end), so that a step per row or per cooperative is not a line
    /// each.
    pub fn step(&mut self, s: &Step) {
        let last = s.total > 0 && s.done >= s.total;
        if self.terminal {
            self.draw(&bar(s));
            if last {
                self.end();
            }
            return;
        }
        if news(self.said.as_ref(), s) {
            output::progress(self.json, &line(s));
            self.said = Some((s.text.clone(), s.percent()));
        }
    }

    /// A phase of work that reports no steps of its own (a backup's copy, a verification): `s`
    /// is said before `work` runs; on a terminal the bar's line also counts the seconds while
    /// it runs, so that a slow disk does not look like a stopped program. Plain lines: `s`
    /// alone (the next step says when it is done).
    pub fn during<T>(&mut self, s: &Step, work: impl FnOnce() -> T) -> T {
        self.step(s);
        if !self.terminal {
            return work();
        }
        let (stop, stopped) = channel::<()>();
        let started = Instant::now();
        let s = s.clone();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                while let Err(RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(Duration::from_secs(1))
                {
                    let secs = started.elapsed().as_secs();
                    draw(&bar_at(&s, Some(secs)));
                }
            });
            let out = work();
            drop(stop);
            out
        })
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
        draw(text);
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

/// Draws `text` over the terminal's current line.
fn draw(text: &str) {
    let shown: String = text.chars().take(LINE).collect();
    let mut e = std::io::stderr().lock();
    // back to the line's start, the line cleared
    let _ = write!(e, "\r\x1b[2K{shown}");
    let _ = e.flush();
}

/// Whether a step says a new plain line after the last one said (its text and share).
fn news(said: Option<&(String, u64)>, s: &Step) -> bool {
    let last = s.total > 0 && s.done >= s.total;
    match said {
        None => true,
        Some((text, pct)) => *text != s.text || s.percent() >= pct + 2 || (last && *pct < 100),
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
    bar_at(s, None)
}

/// The bar, with the seconds a phase has run when given: `[-----…]   0 %  0/1  3 s  text`.
fn bar_at(s: &Step, secs: Option<u64>) -> String {
    let filled = usize::try_from(s.percent()).unwrap_or(100) * CELLS / 100;
    let secs = secs.map(|t| format!("{t} s  ")).unwrap_or_default();
    format!(
        "[{}{}] {:>3} %  {}/{}  {secs}{}",
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
    fn a_line_is_said_for_a_new_text_two_points_more_or_the_end() {
        let at = |done, text: &str| Step {
            done,
            total: 200,
            text: text.into(),
        };
        let said = ("membres importés".to_owned(), 10);
        assert!(news(None, &at(0, "membres importés")));
        assert!(!news(Some(&said), &at(21, "membres importés")), "10 %");
        assert!(!news(Some(&said), &at(23, "membres importés")), "11 %");
        assert!(news(Some(&said), &at(24, "membres importés")), "12 %");
        assert!(news(Some(&said), &at(21, "Livraisons au magasin…")));
        let said = ("membres importés".to_owned(), 99);
        assert!(news(Some(&said), &at(200, "membres importés")), "the end");
        let said = ("membres importés".to_owned(), 100);
        assert!(
            !news(Some(&said), &at(200, "membres importés")),
            "the end once"
        );
    }

    #[test]
    fn the_bar_fills_with_the_share() {
        assert!(bar(&step(0, 4)).starts_with("[------------------------]   0 %"));
        assert!(bar(&step(1, 4)).starts_with("[######------------------]  25 %"));
        assert!(bar(&step(4, 4)).starts_with("[########################] 100 %"));
    }

    #[test]
    fn a_phase_counts_its_seconds_before_its_text() {
        assert_eq!(
            bar_at(&step(0, 1), Some(3)),
            "[------------------------]   0 %  0/1  3 s  Livraisons au magasin…"
        );
    }

    #[test]
    fn a_phase_in_plain_lines_runs_its_work_once_and_gives_its_result() {
        let mut p = Progress::with(true, false);
        let mut runs = 0;
        let out = p.during(&step(0, 1), || {
            runs += 1;
            42
        });
        assert_eq!((out, runs), (42, 1));
    }
}
