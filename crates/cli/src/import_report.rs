//! What an import of members did, row by row: read by the import command and by the error it
//! ends with when rows are refused (`CliError::ImportRejected`). Imports no command module.

use sene_app::registry::field_label;
use sene_app::AppError;
use sene_domain::Lang;
use serde_json::{json, Value};

/// A refused row.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub row: usize,
    pub code: &'static str,
    pub fr: String,
    pub en: String,
}

impl Rejected {
    /// A row the use case refused.
    pub fn from_app(row: usize, e: &AppError) -> Self {
        Rejected {
            row,
            code: e.code(),
            fr: e.message(Lang::Fr),
            en: e.message(Lang::En),
        }
    }

    fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// What an import did, row by row.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Data rows read (empty rows left out).
    pub rows: usize,
    /// Rows written (0 when the import was cancelled).
    pub imported: usize,
    /// Whether the good rows were written.
    pub committed: bool,
    /// Good rows: row, member number, name.
    pub accepted: Vec<(usize, String, String)>,
    /// Members already registered, corrected (`--update`): row, number, name, and each field
    /// that changes (field, old, new).
    pub updated: Vec<(usize, String, String, Vec<Change>)>,
    /// Members already registered whom the file does not change.
    pub unchanged: Vec<(usize, String, String)>,
    pub rejected: Vec<Rejected>,
}

/// One field a row changes: its name as stored, the old and the new value.
pub type Change = (String, Option<String>, Option<String>);

impl ImportReport {
    /// `{"imported":N,"rejected":[{"row":R,"code":..,"message":..}]}`.
    pub fn json(&self, lang: Lang) -> Value {
        json!({
            "imported": self.imported,
            "updated": self.updated.iter().map(|(row, number, name, changes)| json!({
                "row": row,
                "number": number,
                "name": name,
                "changes": changes.iter().map(|(f, old, new)| json!({
                    "field": f, "label": field_label(f, lang), "old": old, "new": new,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "unchanged": self.unchanged.iter().map(|(row, ..)| row).collect::<Vec<_>>(),
            "rejected": self.rejected.iter().map(|r| json!({
                "row": r.row,
                "code": r.code,
                "message": r.message(lang),
            })).collect::<Vec<_>>(),
        })
    }

    /// One line per row, in file order.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let mut rows: Vec<(usize, String)> = Vec::new();
        for (row, number, name) in &self.accepted {
            let state = match (self.committed, lang) {
                (true, Lang::Fr) => "importé",
                (true, Lang::En) => "imported",
                (false, Lang::Fr) => "valide (non importé)",
                (false, Lang::En) => "valid (not imported)",
            };
            rows.push(match lang {
                Lang::Fr => (*row, format!("ligne {row} : {number} {name} : {state}")),
                Lang::En => (*row, format!("row {row}: {number} {name}: {state}")),
            });
        }
        for (row, number, name, changes) in &self.updated {
            let said: Vec<String> = changes
                .iter()
                .map(|(f, old, new)| {
                    let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "—".into());
                    format!("{} {} → {}", field_label(f, lang), v(old), v(new))
                })
                .collect();
            let state = match (self.committed, lang) {
                (true, Lang::Fr) => "corrigé",
                (true, Lang::En) => "corrected",
                (false, Lang::Fr) => "à corriger (non appliqué)",
                (false, Lang::En) => "to correct (not applied)",
            };
            rows.push(match lang {
                Lang::Fr => (
                    *row,
                    format!(
                        "ligne {row} : {number} {name} : {state} : {}",
                        said.join(" ; ")
                    ),
                ),
                Lang::En => (
                    *row,
                    format!("row {row}: {number} {name}: {state}: {}", said.join("; ")),
                ),
            });
        }
        for (row, number, name) in &self.unchanged {
            rows.push(match lang {
                Lang::Fr => (*row, format!("ligne {row} : {number} {name} : inchangé")),
                Lang::En => (*row, format!("row {row}: {number} {name}: unchanged")),
            });
        }
        for r in &self.rejected {
            rows.push(match lang {
                Lang::Fr => (r.row, format!("ligne {} : REFUSÉE : {}", r.row, r.fr)),
                Lang::En => (r.row, format!("row {}: REJECTED: {}", r.row, r.en)),
            });
        }
        rows.sort_by_key(|(r, _)| *r);
        rows.into_iter().map(|(_, l)| l).collect()
    }
}
