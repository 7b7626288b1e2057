//! Removable drives (USB sticks) mounted on this machine, offered as backup folders, and sizes
//! written for people. Reads the file system only: which folders are mount points, and `df`
//! for their free space (given up after a moment, so a stuck drive never holds the window).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sene_domain::Lang;

/// How long `df` may take before the free space is left unknown.
const DF_PATIENCE: Duration = Duration::from_secs(2);

/// Where desktops mount removable drives: `/media/<user>` (Debian, Ubuntu), `/run/media/<user>`
/// (Fedora, Arch, udisks2's default), and `/media` itself (older systems, mounted by hand).
#[must_use]
pub(crate) fn drive_roots() -> Vec<PathBuf> {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .or_else(|| {
            dirs::home_dir().and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()))
        });
    let mut roots = Vec::new();
    if let Some(u) = user.filter(|u| !u.is_empty() && !u.contains(['/', '\\'])) {
        roots.push(Path::new("/media").join(&u));
        roots.push(Path::new("/run/media").join(&u));
    }
    roots.push(PathBuf::from("/media"));
    roots
}

/// The folders right under `root` that are mount points (on another device than `root`),
/// sorted. None when `root` does not exist.
#[cfg(unix)]
#[must_use]
pub(crate) fn mount_points_under(root: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(root) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_dir() && m.dev() != meta.dev()))
        .collect();
    out.sort();
    out
}

/// Windows' removable drives are drive letters, not mount points: none listed yet (a folder
/// typed by hand still works).
#[cfg(not(unix))]
#[must_use]
pub(crate) fn mount_points_under(_root: &Path) -> Vec<PathBuf> {
    Vec::new()
}

/// The removable drives mounted now: the mount points under [`drive_roots`], each once.
#[must_use]
pub(crate) fn removable_drives() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for root in drive_roots() {
        for p in mount_points_under(&root) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Free bytes of each folder (in order), from one `df -Pk` run; `None` where it could not be
/// read, or for all when `df` does not answer within [`DF_PATIENCE`].
#[cfg(unix)]
#[must_use]
pub(crate) fn free_bytes(paths: &[PathBuf]) -> Vec<Option<u64>> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let none = || vec![None; paths.len()];
    if paths.is_empty() {
        return Vec::new();
    }
    let Ok(mut child) = Command::new("df")
        .arg("-Pk")
        .args(paths)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return none();
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < DF_PATIENCE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return none();
            }
        }
    }
    let mut out = String::new();
    if let Some(mut so) = child.stdout.take() {
        let _ = so.read_to_string(&mut out);
    }
    paths.iter().map(|p| df_available(&out, p)).collect()
}

#[cfg(not(unix))]
#[must_use]
pub(crate) fn free_bytes(paths: &[PathBuf]) -> Vec<Option<u64>> {
    vec![None; paths.len()]
}

/// The available bytes `df -Pk` reports for the mount point `path` (its line ends with it:
/// `Filesystem 1024-blocks Used Available Capacity Mounted-on`).
#[must_use]
pub(crate) fn df_available(out: &str, path: &Path) -> Option<u64> {
    let suffix = format!(" {}", path.display());
    out.lines()
        .skip(1)
        .find(|l| l.trim_end().ends_with(&suffix))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|k| k.parse::<u64>().ok())
        .and_then(|k| k.checked_mul(1024))
}

/// A size for people, with one decimal below 100 units: `850 o`, `12,5 Ko`, `1,2 Mo`, `3,4 Go`
/// (English: `850 B`, `12.5 KB`, `1.2 MB`, `3.4 GB`); 1 Ko = 1 024 o.
#[must_use]
pub(crate) fn size_label(bytes: u64, lang: Lang) -> String {
    let units: [&str; 5] = if lang == Lang::Fr {
        ["o", "Ko", "Mo", "Go", "To"]
    } else {
        ["B", "KB", "MB", "GB", "TB"]
    };
    let mut unit = 0usize;
    let mut div: u128 = 1;
    let n = u128::from(bytes);
    while unit + 1 < units.len() && n >= div * 1024 {
        div *= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} {}", units[0]);
    }
    // tenths, rounded half up
    let tenths = (n * 10 + div / 2) / div;
    if tenths >= 1000 {
        return format!("{} {}", (tenths + 5) / 10, units[unit]);
    }
    let sep = if lang == Lang::Fr { ',' } else { '.' };
    format!("{}{sep}{} {}", tenths / 10, tenths % 10, units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(size_label(850, Lang::Fr), "850 o");
        assert_eq!(size_label(850, Lang::En), "850 B");
        assert_eq!(size_label(12_800, Lang::Fr), "12,5 Ko");
        assert_eq!(size_label(1_258_291, Lang::Fr), "1,2 Mo");
        assert_eq!(size_label(1_258_291, Lang::En), "1.2 MB");
        assert_eq!(size_label(3_650_722_202, Lang::Fr), "3,4 Go");
        assert_eq!(size_label(250 * 1024 * 1024, Lang::En), "250 MB");
        assert_eq!(size_label(u64::MAX, Lang::En), "16777216 TB");
    }

    #[test]
    fn df_lines_are_matched_by_mount_point() {
        let out = "Filesystem     1024-blocks  Used Available Capacity Mounted on\n\
                   /dev/sdb1          7816704  1024   7815680       1% /media/awa/CLE USB\n\
                   /dev/sdc1          1000000  1000    999000       1% /media/awa/CLE\n";
        assert_eq!(
            df_available(out, Path::new("/media/awa/CLE USB")),
            Some(7_815_680 * 1024)
        );
        assert_eq!(
            df_available(out, Path::new("/media/awa/CLE")),
            Some(999_000 * 1024)
        );
        assert_eq!(df_available(out, Path::new("/media/awa/AUTRE")), None);
    }

    /// A folder made here is no mount point; `/proc` is one on Linux, and `df` reads the free
    /// space of the file system a folder is on.
    #[cfg(target_os = "linux")]
    #[test]
    fn mount_points_are_told_from_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("pas-une-cle")).expect("folder");
        assert!(mount_points_under(dir.path()).is_empty());
        assert!(mount_points_under(&dir.path().join("absent")).is_empty());
        let root = mount_points_under(Path::new("/"));
        assert!(root.contains(&PathBuf::from("/proc")), "{root:?}");
        assert!(!root.contains(&PathBuf::from("/etc")), "{root:?}");
        let free = free_bytes(&[PathBuf::from("/")]);
        assert!(matches!(free.as_slice(), [Some(n)] if *n > 0), "{free:?}");
    }
}
