//! Progress on stderr while the index is built for the first time: only
//! when it takes more than a second, and only on a terminal, so cron jobs
//! and pipes see nothing.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::store::index::Progress;

/// How long a pass runs quietly before it shows a bar.
const QUIET: Duration = Duration::from_secs(1);
/// Passes that read fewer files than this never show a bar.
const FEW: usize = 2000;

/// A bar for a pass that reads many files, shown once it has run a while.
pub struct FirstBuild {
    start: Instant,
    total: AtomicUsize,
    read: AtomicUsize,
    terminal: bool,
    bar: OnceLock<ProgressBar>,
}

impl FirstBuild {
    pub fn new() -> FirstBuild {
        FirstBuild {
            start: Instant::now(),
            total: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            terminal: std::io::stderr().is_terminal(),
            bar: OnceLock::new(),
        }
    }
}

impl Progress for FirstBuild {
    fn reading(&self, files: usize) {
        self.total.fetch_add(files, Ordering::Relaxed);
    }

    fn read_one(&self) {
        let read = self.read.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed);
        if !self.terminal || total < FEW {
            return;
        }
        if let Some(bar) = self.bar.get() {
            bar.set_position(read as u64);
        } else if self.start.elapsed() >= QUIET {
            let bar = self.bar.get_or_init(|| {
                let bar =
                    ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "caselog: indexing the case files {bar:30} {pos}/{len} ({eta} left)",
                ) {
                    bar.set_style(style);
                }
                bar
            });
            bar.set_position(read as u64);
        }
    }

    fn done(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
