//! `sene backup` and `sene restore`: a consistent copy of the live store with its manifest, its
//! verification, and putting one back in place with a new sync identity and receipt series.

use std::path::Path;

use sene_app::steps::Step;
use sene_app::Ledger;
use sene_domain::Lang;
use sene_store::backup::{self, BackupError};
use sene_store::DataKey;
use serde_json::json;

use super::progress::Progress;
use crate::cli::{BackupArgs, BackupCmd};
use crate::ctx::{open_ledger_as_found, unlock, Ctx};
use crate::error::{CliError, CliResult};
use crate::lang::tr;
use crate::output::Output;

/// A phase of a backup, a verification or a restore, as a step (`done` phases of `total`).
fn phase(done: u64, total: u64, text: String) -> Step {
    Step { done, total, text }
}

fn err(e: &BackupError) -> CliError {
    CliError::msg(e.code(), e.message(Lang::Fr), e.message(Lang::En))
}

/// The data key of an encrypted backup, from its own key file (the passphrases it had).
fn backup_key(file: &Path) -> CliResult<Option<DataKey>> {
    let manifest = backup::read_manifest(file).map_err(|e| err(&e))?;
    if !manifest.encrypted {
        return Ok(None);
    }
    Ok(Some(unlock(file)?.1))
}

/// `sene backup --to DIR`.
pub fn backup(ctx: &Ctx, a: &BackupArgs) -> CliResult<Output> {
    let Some(dir) = &a.to else {
        return Err(CliError::msg(
            "invalid_argument",
            "dites où écrire la sauvegarde : sene backup --to DOSSIER (ou sene backup verify FICHIER)",
            "say where to write the backup: sene backup --to FOLDER (or sene backup verify FILE)",
        ));
    };
    let started = std::time::Instant::now();
    let lang = ctx.lang;
    // one phase (the copy is one read transaction, then synced and hashed: no steps of its own)
    let mut bar = Progress::new(ctx.json);
    let made = bar
        .during(
            &phase(
                0,
                1,
                tr(
                    lang,
                    format!("Sauvegarde de {} en cours…", ctx.store.display()),
                    format!("Backing up {}…", ctx.store.display()),
                ),
            ),
            || ctx.ledger.backup_into(dir, ctx.key.as_ref()),
        )
        .map_err(|e| err(&e))?;
    bar.step(&phase(1, 1, tr(lang, "Sauvegarde terminée", "Backup done")));
    let m = &made.manifest;
    let encrypted = match (m.encrypted, lang) {
        (false, _) => "",
        (true, Lang::Fr) => " (chiffrée, fichier de clés à côté)",
        (true, Lang::En) => " (encrypted, key file next to it)",
    };
    let (file, secs) = (made.file.display(), started.elapsed().as_secs_f64());
    Ok(Output::new(&json!({ "file": made.file, "manifest": m }))?
        .line(tr(
            lang,
            format!("Sauvegarde écrite : {file}"),
            format!("Backup written: {file}"),
        ))
        .line(tr(
            lang,
            format!(
                "{} octets, SHA-256 {}, schéma {}, génération {}{encrypted}",
                m.bytes,
                &m.sha256[..16],
                m.schema_version,
                m.generation
            ),
            format!(
                "{} bytes, SHA-256 {}, schema {}, generation {}{encrypted}",
                m.bytes,
                &m.sha256[..16],
                m.schema_version,
                m.generation
            ),
        ))
        .line(tr(
            lang,
            format!("Durée : {secs:.1} s. Vérifiez-la avec : sene backup verify {file}"),
            format!("Took {secs:.1} s. Check it with: sene backup verify {file}"),
        )))
}

/// `sene backup verify FILE` and `sene backup list DIR`: no store is opened.
pub fn without_store(a: &BackupArgs, lang: Lang) -> CliResult<Output> {
    match &a.action {
        Some(BackupCmd::Verify { file }) => {
            let key = backup_key(file)?;
            // no `--json` here: the phases go to stderr, as they always did
            let mut bar = Progress::new(true);
            let m = bar
                .during(&checking(lang, file, 1), || {
                    backup::verify(file, key.as_ref())
                })
                .map_err(|e| err(&e))?;
            bar.step(&phase(
                1,
                1,
                tr(lang, "Vérification terminée", "Check done"),
            ));
            Ok(Output::new(&json!({ "ok": true, "manifest": m }))?
                .line(tr(
                    lang,
                    format!("Sauvegarde saine : {}", file.display()),
                    format!("Backup sound: {}", file.display()),
                ))
                .line(tr(
                    lang,
                    format!(
                        "Faite le {}, schéma {}, génération {}, {} octets, empreinte vérifiée, contrôle d'intégrité : ok",
                        m.made_at, m.schema_version, m.generation, m.bytes
                    ),
                    format!(
                        "Made on {}, schema {}, generation {}, {} bytes, fingerprint checked, integrity check: ok",
                        m.made_at, m.schema_version, m.generation, m.bytes
                    ),
                )))
        }
        Some(BackupCmd::List { dir }) => {
            let found = backup::list(dir).map_err(|e| err(&e))?;
            let mut out = Output::new(
                &found
                    .iter()
                    .map(|(f, m)| json!({ "file": f, "manifest": m }))
                    .collect::<Vec<_>>(),
            )?;
            for (f, m) in &found {
                out.push(format!(
                    "{}  {}  {} {}",
                    m.made_at,
                    f.display(),
                    m.bytes,
                    tr(lang, "octets", "bytes")
                ));
            }
            if found.is_empty() {
                out.push(tr(
                    lang,
                    format!("(aucune sauvegarde dans {})", dir.display()),
                    format!("(no backup in {})", dir.display()),
                ));
            }
            Ok(out)
        }
        None => Err(CliError::msg("internal", "pas d'action", "no action")),
    }
}

/// The first phase of a verification (of `total` phases): the backup's fingerprint and
/// integrity.
fn checking(lang: Lang, file: &Path, total: u64) -> Step {
    phase(
        0,
        total,
        tr(
            lang,
            format!(
                "Vérification de la sauvegarde {} (empreinte, intégrité)…",
                file.display()
            ),
            format!(
                "Checking the backup {} (fingerprint, integrity)…",
                file.display()
            ),
        ),
    )
}

/// `sene restore FILE --store PATH`.
pub fn restore(store: &Path, file: &Path, lang: Lang) -> CliResult<Output> {
    let key = backup_key(file)?;
    // three phases: the check, the copy put in place, the store opened and given its new
    // identity (no `--json` here: the phases go to stderr, as they always did)
    let mut bar = Progress::new(true);
    let manifest = bar
        .during(&checking(lang, file, 3), || {
            backup::verify(file, key.as_ref())
        })
        .map_err(|e| err(&e))?;
    backup::check_not_served(store).map_err(|e| err(&e))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let installing = phase(
        1,
        3,
        tr(
            lang,
            format!(
                "Mise en place de la sauvegarde à la place de {}…",
                store.display()
            ),
            format!("Putting the backup in place of {}…", store.display()),
        ),
    );
    let moved = bar
        .during(&installing, || backup::install(file, store, &stamp))
        .map_err(|e| err(&e))?;
    let marking = phase(
        2,
        3,
        tr(
            lang,
            "Ouverture de la base et nouvelle identité de synchronisation…",
            "Opening the store and giving it a new sync identity…",
        ),
    );
    let (generation, series) = bar.during(&marking, || -> CliResult<_> {
        let (mut ledger, _key): (Ledger, _) = open_ledger_as_found(store)?;
        let generation = ledger.mark_restored(&manifest, file, moved.as_deref())?;
        Ok((generation, ledger.next_receipt_number().ok()))
    })?;
    bar.step(&phase(
        3,
        3,
        tr(lang, "Restauration terminée", "Restore done"),
    ));
    let mut out = Output::new(&json!({
        "restored": true,
        "store": store,
        "backup": file,
        "backup_made_at": manifest.made_at,
        "generation": generation,
        "first_receipt": series,
        "moved_aside": moved,
    }))?
    .line(tr(
        lang,
        format!(
            "Base restaurée depuis la sauvegarde du {} : {}",
            manifest.made_at,
            store.display()
        ),
        format!(
            "Store restored from the backup of {}: {}",
            manifest.made_at,
            store.display()
        ),
    ))
    .line(tr(
        lang,
        format!(
            "Nouvelle identité de synchronisation (génération {generation}) : aucun numéro n'est réutilisé."
        ),
        format!("New sync identity (generation {generation}): no number is used again."),
    ));
    if let Some(s) = series {
        out.push(tr(
            lang,
            format!("Les reçus de cette base reprennent dans une nouvelle série : {s}, …"),
            format!("This store's receipts go on in a new series: {s}, …"),
        ));
    }
    if let Some(m) = &moved {
        out.push(tr(
            lang,
            format!(
                "L'ancienne base n'est pas effacée : elle est mise de côté sous {}",
                m.display()
            ),
            format!(
                "The old store is not deleted: it is set aside as {}",
                m.display()
            ),
        ));
    }
    out.push(tr(
        lang,
        "Relancez le bureau (sene hub serve) : chaque appareil renverra ce qu'il détient et que la sauvegarde n'a pas.",
        "Start the office again (sene hub serve): each device will send again what it holds and the backup lacks.",
    ));
    Ok(out)
}
