//! CPU time from `getrusage`: user + system seconds of this process or its reaped children.

use std::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Cpu(f64);

impl Cpu {
    pub fn since(self, earlier: Cpu) -> f64 {
        self.0 - earlier.0
    }
}

fn rusage(who: libc::c_int) -> Cpu {
    // SAFETY: getrusage only writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(who, &mut ru) };
    assert_eq!(rc, 0, "getrusage failed");
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Cpu(secs(ru.ru_utime) + secs(ru.ru_stime))
}

pub fn self_cpu() -> Cpu {
    rusage(libc::RUSAGE_SELF)
}

/// Children that have been waited for (a finished `Command::output`/`status`).
pub fn children_cpu() -> Cpu {
    rusage(libc::RUSAGE_CHILDREN)
}

/// Runs `f`, returning its result with its CPU and wall seconds.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (c0, w0) = (self_cpu(), Instant::now());
    let out = f();
    (out, self_cpu().since(c0), w0.elapsed().as_secs_f64())
}
