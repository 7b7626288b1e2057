//! `sene import members FILE`: members from a CSV (comma or semicolon, UTF-8 — Windows-1252
//! accepted too, as Excel writes it) or an XLSX (first sheet), with a header row.
//!
//! Every row goes through the `register_member` use case inside ONE transaction. If a row is
//! wrong and `--skip-invalid` is not given, the closure returns an error, the transaction rolls
//! back, and nothing is imported; the report still names every bad row (numbered as in the
//! file: the header is row 1).
//!
//! With `--update`, a row whose cooperative and number name a member already registered goes
//! through `correct_member` instead: the fields the file gives (an empty optional cell leaves
//! the field as it is) are validated as at registration, and each one that changes is a
//! correction kept in her history, with the reason given (`--reason`). The report says, row by
//! row, what changes (old → new) or that nothing does.

use std::collections::HashMap;
use std::path::Path;

use calamine::Reader;
use sene_app::org::NewMember;
use sene_app::registry::CorrectMember;
use sene_app::AppError;
use sene_domain::validate::fold;
use sene_domain::*;

use crate::cli::{ImportCmd, ImportMembers};
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::import_report::{ImportReport, Rejected};
use crate::output::Output;
use crate::parse;

/// A row the command line could not read.
fn rejected(row: usize, e: &CliError) -> Rejected {
    Rejected {
        row,
        code: e.code(),
        fr: e.message(Lang::Fr),
        en: e.message(Lang::En),
    }
}

pub fn run(ctx: &mut Ctx, c: ImportCmd) -> CliResult<Output> {
    match c {
        ImportCmd::Members(a) => members(ctx, &a),
    }
}

/// The columns of a member file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Cooperative,
    Number,
    Name,
    Sex,
    BirthYear,
    Village,
    Phone,
    Nina,
    Crops,
}

const REQUIRED: &[(Col, &str)] = &[
    (Col::Cooperative, "cooperative"),
    (Col::Number, "numero"),
    (Col::Name, "nom"),
    (Col::Sex, "sexe"),
    (Col::Village, "village"),
];

fn column(header: &str) -> Option<Col> {
    let h = fold(header).replace(' ', "_");
    Some(match h.as_str() {
        "cooperative" | "coop" | "code_cooperative" | "cooperative_code" | "code_coop" => {
            Col::Cooperative
        }
        "numero" | "numero_membre" | "numero_de_membre" | "no" | "num" | "number"
        | "member_number" => Col::Number,
        "nom" | "nom_complet" | "nom_et_prenom" | "nom_prenom" | "prenom_nom" | "name"
        | "full_name" => Col::Name,
        "sexe" | "sex" | "genre" => Col::Sex,
        "annee_naissance" | "annee_de_naissance" | "naissance" | "annee" | "birth_year" => {
            Col::BirthYear
        }
        "village" | "localite" => Col::Village,
        "telephone" | "tel" | "phone" | "portable" => Col::Phone,
        "nina" | "numero_nina" => Col::Nina,
        "cultures" | "culture" | "filieres" | "filiere" | "crops" => Col::Crops,
        _ => return None,
    })
}

/// A sheet: header cells and data rows, each with its row number in the file.
struct Sheet {
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn file_error(path: &Path, fr: &str, en: &str) -> CliError {
    CliError::msg(
        "import_file",
        format!("fichier {} : {fr}", path.display()),
        format!("file {}: {en}", path.display()),
    )
}

fn read(path: &Path) -> CliResult<Sheet> {
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = e.to_string();
        file_error(
            path,
            &format!("lecture impossible ({reason})"),
            &format!("cannot read it ({reason})"),
        )
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    // XLSX and ODS are zip files; XLS starts with the OLE signature.
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip || is_ole || matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        read_workbook(path)
    } else {
        read_csv(path, &bytes)
    }
}

fn read_workbook(path: &Path) -> CliResult<Sheet> {
    let bad = |e: String| {
        file_error(
            path,
            &format!("classeur illisible ({e})"),
            &format!("unreadable workbook ({e})"),
        )
    };
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| {
            file_error(
                path,
                "le classeur n'a aucune feuille",
                "the workbook has no sheet",
            )
        })?
        .map_err(|e| bad(e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range.rows().enumerate().map(|(i, cells)| {
        (
            first_row + i + 1,
            cells
                .iter()
                .map(|c| c.to_string().trim().to_owned())
                .collect::<Vec<_>>(),
        )
    });
    let headers = rows.next().map(|(_, h)| h).unwrap_or_default();
    Ok(Sheet {
        headers,
        rows: rows.collect(),
    })
}

/// Windows-1252, as Excel "CSV" exports on Windows write French text.
fn decode_cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

fn read_csv(path: &Path, bytes: &[u8]) -> CliResult<Sheet> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => decode_cp1252(bytes),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| {
        let reason = e.to_string();
        file_error(
            path,
            &format!("CSV illisible ({reason})"),
            &format!("unreadable CSV ({reason})"),
        )
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(bad)?;
        let line = rec.position().map_or(rows.len() + 2, |p| p.line() as usize);
        rows.push((line, rec.iter().map(str::to_owned).collect()));
    }
    Ok(Sheet { headers, rows })
}

fn map_headers(path: &Path, headers: &[String]) -> CliResult<HashMap<Col, usize>> {
    let mut cols = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = column(h) {
            if cols.insert(c, i).is_some() {
                return Err(file_error(
                    path,
                    &format!("la colonne « {h} » apparaît deux fois"),
                    &format!("column \"{h}\" appears twice"),
                ));
            }
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|(c, _)| !cols.contains_key(c))
        .map(|(_, n)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(file_error(
            path,
            &format!(
                "colonne(s) manquante(s) dans l'en-tête : {} (colonnes attendues : cooperative, numero, nom, sexe, annee_naissance, village, telephone, nina, cultures)",
                missing.join(", ")
            ),
            &format!(
                "missing column(s) in the header row: {} (expected columns: cooperative, numero, nom, sexe, annee_naissance, village, telephone, nina, cultures)",
                missing.join(", ")
            ),
        ));
    }
    Ok(cols)
}

fn row_to_member(
    cells: &[String],
    cols: &HashMap<Col, usize>,
    coops: &HashMap<String, CooperativeId>,
) -> CliResult<NewMember> {
    let get = |c: Col| -> &str {
        cols.get(&c)
            .and_then(|i| cells.get(*i))
            .map_or("", |s| s.trim())
    };
    let opt = |c: Col| -> Option<String> {
        let v = get(c);
        (!v.is_empty()).then(|| v.to_owned())
    };
    let code = get(Col::Cooperative).to_uppercase();
    let cooperative_id = *coops
        .get(&code)
        .ok_or_else(|| CliError::not_found("coopérative", get(Col::Cooperative)))?;
    let birth_year = match opt(Col::BirthYear) {
        None => None,
        Some(y) => Some(y.parse::<i32>().map_err(|_| {
            CliError::msg(
                "invalid_value",
                format!("annee_naissance : « {y} » n'est pas une année"),
                format!("annee_naissance: \"{y}\" is not a year"),
            )
        })?),
    };
    let mut crops = Vec::new();
    for part in get(Col::Crops)
        .split([';', ',', '/', '|', '+'])
        .filter(|p| !p.trim().is_empty())
    {
        crops.push(parse::label::<CropFamily>("cultures", part)?);
    }
    Ok(NewMember {
        id: None,
        cooperative_id,
        number: get(Col::Number).to_owned(),
        full_name: get(Col::Name).to_owned(),
        sex: parse::label("sexe", get(Col::Sex))?,
        birth_year,
        village: get(Col::Village).to_owned(),
        phone: opt(Col::Phone),
        nina: opt(Col::Nina),
        crops,
    })
}

/// The correction a file's row makes to a member already registered: the required columns
/// always; an optional one only when the file has it and the cell is not empty.
fn correction_of(
    m: &Member,
    row: &NewMember,
    cols: &HashMap<Col, usize>,
    reason: &str,
) -> CorrectMember {
    let given = |c: Col| cols.contains_key(&c);
    CorrectMember {
        id: None,
        member_id: m.id,
        number: None,
        full_name: Some(row.full_name.clone()),
        sex: Some(row.sex),
        birth_year: (given(Col::BirthYear) && row.birth_year.is_some()).then_some(row.birth_year),
        village: Some(row.village.clone()),
        phone: row.phone.clone().map(Some),
        nina: row.nina.clone().map(Some),
        crops: (given(Col::Crops) && !row.crops.is_empty()).then(|| row.crops.clone()),
        reason: reason.to_owned(),
    }
}

fn members(ctx: &mut Ctx, a: &ImportMembers) -> CliResult<Output> {
    let sheet = read(&a.file)?;
    let cols = map_headers(&a.file, &sheet.headers)?;
    let coops: HashMap<String, CooperativeId> = ctx
        .db()
        .cooperatives()?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    let parsed: Vec<(usize, CliResult<NewMember>)> = sheet
        .rows
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(row, cells)| (*row, row_to_member(cells, &cols, &coops)))
        .collect();
    let mut report = ImportReport {
        rows: parsed.len(),
        ..ImportReport::default()
    };
    let (skip, confirm, update) = (a.skip_invalid, a.confirm_duplicates, a.update);
    let reason = a.reason.clone().unwrap_or_else(|| {
        let name = a.file.file_name().map_or_else(
            || a.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        match ctx.lang {
            Lang::Fr => format!("import de {name}"),
            Lang::En => format!("import of {name}"),
        }
    });
    let mut cancelled = false;
    // each row's step, as a bar on a terminal or a line every 2 % (super::progress)
    let mut bar = super::progress::Progress::new(ctx.json);
    let total = u64::try_from(parsed.len()).unwrap_or(u64::MAX);
    let text = match ctx.lang {
        Lang::Fr => "membres importés",
        Lang::En => "members imported",
    };
    let result = ctx.run(|tx| {
        let mut step = |done: u64| {
            bar.step(&sene_app::steps::Step {
                done,
                total,
                text: text.into(),
            });
        };
        for (done, (row, p)) in (0u64..).zip(parsed) {
            step(done);
            let cmd = match p {
                Err(e) => {
                    report.rejected.push(rejected(row, &e));
                    continue;
                }
                Ok(cmd) => cmd,
            };
            let known = if update {
                let number = cmd.number.trim().to_uppercase();
                tx.db().member_by_number(cmd.cooperative_id, &number)?
            } else {
                None
            };
            let done = match known {
                Some(m) => {
                    let fix = correction_of(&m, &cmd, &cols, &reason);
                    match tx.correct_member(fix) {
                        Ok(c) => {
                            let changes = c
                                .change
                                .changes
                                .into_iter()
                                .map(|(f, (old, new))| (f, old, new))
                                .collect();
                            report.updated.push((
                                row,
                                c.member.number,
                                c.member.full_name,
                                changes,
                            ));
                            Ok(())
                        }
                        Err(AppError::NothingToCorrect { .. }) => {
                            report.unchanged.push((row, m.number, m.full_name));
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                None => tx
                    .register_member(cmd, confirm)
                    .map(|m| report.accepted.push((row, m.number, m.full_name))),
            };
            match done {
                Ok(()) => {}
                // The store failing is not a bad row: stop, roll back, say so.
                Err(e @ AppError::Store(_)) => return Err(e),
                Err(e) => report.rejected.push(Rejected::from_app(row, &e)),
            }
        }
        step(total);
        if !skip && !report.rejected.is_empty() {
            cancelled = true;
            return Err(AppError::Mismatch("import annulé".into()));
        }
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(_) if cancelled => return Err(CliError::ImportRejected(Box::new(report))),
        Err(e) => return Err(e),
    }
    report.committed = true;
    report.imported = report.accepted.len();
    let updated = report.updated.len();
    let lang = ctx.lang;
    let mut out = Output {
        json: report.json(lang),
        lines: report.lines(lang),
    };
    out.push(match lang {
        Lang::Fr => format!(
            "{} membre(s) importé(s), {updated} corrigé(s), {} ligne(s) refusée(s) sur {}",
            report.imported,
            report.rejected.len(),
            report.rows
        ),
        Lang::En => format!(
            "{} member(s) imported, {updated} corrected, {} row(s) rejected out of {}",
            report.imported,
            report.rejected.len(),
            report.rows
        ),
    });
    Ok(out)
}
