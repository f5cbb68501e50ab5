//! The ledger holds a team's money: its folder is created `0700` and its files `0600`
//! (SQLite gives the `-wal` and `-shm` files the database file's mode), and a ledger that
//! other users of the machine can read is reported. Windows has no such modes; there the
//! folder under the user's profile is private already.

use std::path::Path;

/// Creates `dir` (and missing parents) readable by its owner only.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Creates an empty ledger file readable by its owner only, unless one exists: SQLite
/// then takes it as a new database and gives its `-wal` and `-shm` the same mode.
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes a small file readable by its owner only (replacing it).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// Why the ledger at `path` is exposed to other users of the machine, if it is: its file
/// (or its `-wal`/`-shm`) grants the group or others any access.
pub(crate) fn exposure(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut name = path.as_os_str().to_owned();
        let exposed = ["", "-wal", "-shm"].into_iter().find_map(|suffix| {
            name.push(suffix);
            let file = std::path::PathBuf::from(&name);
            name = path.as_os_str().to_owned();
            let mode = std::fs::metadata(&file).ok()?.permissions().mode() & 0o777;
            (mode & 0o077 != 0).then_some((file, mode))
        })?;
        let (file, mode) = exposed;
        Some(format!(
            "{} can be read by other users of this machine (mode {mode:04o}); it holds your ledger: run `chmod 600 {}*`",
            file.display(),
            path.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_ledger_is_private_and_an_exposed_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/recon-desk/ledger.sqlite");
        let mut store = crate::Store::open(&path).unwrap();
        store
            .add_wallet(
                "me",
                crate::test_support::now(),
                crate::test_support::main_wallet(),
            )
            .unwrap();
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&path), 0o600);
        let wal = dir.path().join("data/recon-desk/ledger.sqlite-wal");
        assert_eq!(mode(&wal), 0o600, "the WAL takes the ledger's mode");
        assert_eq!(store.exposure_warning(), None);
        drop(store);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = crate::Store::open(&path).unwrap();
        let warning = store.exposure_warning().unwrap();
        assert!(warning.contains("mode 0644"), "{warning}");
        assert!(warning.contains("can be read by other users"), "{warning}");
    }
}
