//! Fuzzing of every reader on stable Rust (no nightly, no sanitizer runtime): a mutator
//! ([`mutate`]) over a corpus seeded from the project's fixtures (`corpus/<target>/`), each
//! input run by its target ([`targets`]) under three properties:
//!
//! - **no panic**: a panic is caught and the input saved as a regression fixture;
//! - **no hang**: each input gets [`runner::Limits::per_input`]; a slower one is saved and
//!   the run stops (a thread cannot be killed, so the process exits);
//! - **errors name a place**: a rejected row names a line inside the file and a reason; an
//!   error's message is not empty; a proposed or parsed profile survives its own TOML.
//!
//! Saved inputs go to `crashes/<target>/`; `tests/regressions.rs` replays every one of them,
//! and the corpus, on every `cargo test`.

pub mod mutate;
pub mod runner;
pub mod targets;

/// This crate's folder (corpus and crashes live beside the sources).
pub fn crate_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
