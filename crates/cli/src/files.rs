//! Writing files people keep (exports, statements, USB sync files): never half a file under
//! the final name.

use std::path::Path;

use crate::error::{CliError, CliResult};

pub fn unwritable(path: &Path, e: &std::io::Error) -> CliError {
    CliError::msg(
        "file_unwritable",
        format!("écriture de {} impossible : {e}", path.display()),
        format!("cannot write {}: {e}", path.display()),
    )
}

/// Writes to a temporary file, fsyncs, then renames: never half a file under the final name.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(|e| unwritable(path, &e))?;
        f.write_all(bytes).map_err(|e| unwritable(path, &e))?;
        f.sync_all().map_err(|e| unwritable(path, &e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| unwritable(path, &e))
}
