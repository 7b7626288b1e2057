//! What a command answers: a JSON value for scripts (`--json`) and short French lines for people,
//! and how errors are shown (stderr `erreur : …`, or `{"error":{…}}` on stdout with `--json`).

use std::io::Write;

use sene_domain::Lang;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{CliError, CliResult};

/// A command's answer, in both forms.
#[derive(Debug, Default)]
pub struct Output {
    pub json: Value,
    pub lines: Vec<String>,
}

impl Output {
    /// An answer whose JSON form is `value`.
    pub fn new<T: Serialize + ?Sized>(value: &T) -> CliResult<Output> {
        Ok(Output {
            json: to_json(value)?,
            lines: Vec::new(),
        })
    }

    /// Adds a human line.
    #[must_use]
    pub fn line(mut self, s: impl Into<String>) -> Self {
        self.lines.push(s.into());
        self
    }

    /// Adds human lines.
    pub fn push(&mut self, s: impl Into<String>) {
        self.lines.push(s.into());
    }
}

/// Serializes for `--json`.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> CliResult<Value> {
    serde_json::to_value(value).map_err(|e| {
        CliError::msg(
            "internal",
            format!("sortie JSON impossible : {e}"),
            format!("cannot write JSON: {e}"),
        )
    })
}

/// Prints an answer.
pub fn print(out: &Output, json: bool) {
    let mut so = std::io::stdout().lock();
    // A closed pipe (`sene … | head`) is not an error worth a panic.
    if json {
        let text = serde_json::to_string_pretty(&out.json).unwrap_or_else(|_| "null".into());
        let _ = writeln!(so, "{text}");
    } else {
        for l in &out.lines {
            let _ = writeln!(so, "{l}");
        }
    }
}

/// Prints an error; returns the exit code (1).
pub fn print_error(err: &CliError, json: bool, lang: Lang) -> u8 {
    let message = err.message(lang);
    if let CliError::ImportRejected(report) = err {
        if json {
            let mut v = report.json(lang);
            if let Value::Object(m) = &mut v {
                m.insert(
                    "error".into(),
                    json!({"code": err.code(), "message": message}),
                );
            }
            print(
                &Output {
                    json: v,
                    lines: vec![],
                },
                true,
            );
        } else {
            print(
                &Output {
                    json: Value::Null,
                    lines: report.lines(lang),
                },
                false,
            );
            eprintln!("{}{message}", prefix(lang));
        }
        return 1;
    }
    if json {
        print(
            &Output {
                json: json!({"error": {"code": err.code(), "message": message}}),
                lines: vec![],
            },
            true,
        );
    } else {
        eprintln!("{}{message}", prefix(lang));
        if err.code() == "probable_duplicate" {
            eprintln!(
                "{}",
                match lang {
                    Lang::Fr => "(relancez avec --confirm pour l'enregistrer quand même)",
                    Lang::En => "(run again with --confirm to register anyway)",
                }
            );
        }
    }
    1
}

fn prefix(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "erreur : ",
        Lang::En => "error: ",
    }
}

/// A progress line: on stdout for people, on stderr with `--json` (stdout is the result).
pub fn progress(json: bool, line: &str) {
    if json {
        eprintln!("{line}");
    } else {
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }
}

/// A raw row (from `list_rows`) as one human line: `col=value` pairs.
pub fn row_line(row: &Value) -> String {
    match row {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                Value::Null => format!("{k}=—"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join("  "),
        other => other.to_string(),
    }
}
